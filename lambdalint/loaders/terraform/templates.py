"""`templatefile(path, vars)`: a template file of the checked tree rendered with Terraform's
template syntax (`${...}` interpolations, `%{ if }` / `%{ for }` directives, `~` strip markers)
and the variables given.

The expressions inside are read by a small parser of HCL's operators, literals, traversals and
function calls; anything else is unknown. An unknown value interpolated leaves UNKNOWN_MARK in
the text (a string that holds it is unknown: see build.policy_statements); an unknown condition
or collection leaves the whole template unknown. The rendered text is a FileText: it is only
ever parsed as a policy document, never echoed. Rendering is bounded: the template's size
(file() reads at most MAX_FILE_FUNCTION_BYTES), the text it expands to (MAX_TEXT), the loop
iterations (MAX_ITERATIONS) and the nesting of directives and expressions (MAX_DEPTH).
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lambdalint.loaders.terraform.model import (
    MAX_FILE_FUNCTION_BYTES,
    MAX_TEXT,
    UNKNOWN_MARK,
    Call,
    FileText,
    Scope,
    to_plain,
)
from lambdalint.model import UNKNOWN
from lambdalint.reading.positions import LList, LMap

MAX_ITERATIONS = 10_000
MAX_DEPTH = 40


class _Invalid(Exception):
    """A template Terraform would reject, or one lambdalint cannot follow: unknown."""


class _TooLarge(_Invalid):
    """The rendered text would pass MAX_TEXT."""


def render_file(scope: Scope, path: Path, variables: dict[str, Any]) -> Any:
    """The FileText of `path` rendered with `variables`, or UNKNOWN."""
    text, _ = scope.reader.read_text(path, MAX_FILE_FUNCTION_BYTES)
    if text is None:
        return UNKNOWN
    try:
        out, lines, partial = render(text, variables, scope)
    except _TooLarge:
        scope.over_budget = True
        return UNKNOWN
    except (_Invalid, RecursionError):
        return UNKNOWN
    return FileText(out, path, lines, partial)


# ---------------------------------------------------------------- the template's structure


@dataclass
class _Text:
    text: str
    offset: int  # where it starts in the template


@dataclass
class _Interpolation:
    expr: str
    offset: int


@dataclass
class _If:
    condition: str
    offset: int
    then: list[Any] = field(default_factory=list)
    otherwise: list[Any] = field(default_factory=list)


@dataclass
class _For:
    names: tuple[str, ...]  # (value,) or (key, value)
    collection: str
    offset: int
    body: list[Any] = field(default_factory=list)


@dataclass
class _Directive:
    words: str
    offset: int


_FOR = re.compile(r"^for\s+([A-Za-z_][\w-]*)(?:\s*,\s*([A-Za-z_][\w-]*))?\s+in\s+(.+)$", re.DOTALL)
_IF = re.compile(r"^if\s+(.+)$", re.DOTALL)


def _tokens(text: str) -> list[Any]:
    """Literal text, interpolations and directives, with the `~` strip markers applied."""
    out: list[Any] = []
    buf: list[str] = []
    buf_start = 0
    strip_next = False
    i = 0
    n = len(text)

    def flush() -> None:
        nonlocal buf, strip_next
        piece = "".join(buf)
        start = buf_start
        if strip_next:
            stripped = piece.lstrip(" \t\r\n")
            start += len(piece) - len(stripped)
            piece = stripped
            strip_next = False
        if piece:
            out.append(_Text(piece, start))
        buf = []

    while i < n:
        if text.startswith(("$${", "%%{"), i):
            if not buf:
                buf_start = i
            buf.append(text[i + 1 : i + 3])
            i += 3
            continue
        if text.startswith(("${", "%{"), i):
            end = _closing(text, i + 2)
            if end < 0:
                raise _Invalid
            inner = text[i + 2 : end]
            strip_before = inner.startswith("~")
            strip_after = inner.endswith("~") and len(inner) > 1
            inner = inner[1 if strip_before else 0 : len(inner) - (1 if strip_after else 0)]
            if strip_before and buf:
                kept = "".join(buf).rstrip(" \t\r\n")
                buf = [kept]
            flush()
            if text[i] == "$":
                out.append(_Interpolation(inner.strip(), i))
            else:
                out.append(_Directive(inner.strip(), i))
            strip_next = strip_after
            i = end + 1
            buf_start = i
            continue
        if not buf:
            buf_start = i
        buf.append(text[i])
        i += 1
    flush()
    return out


def _closing(text: str, start: int) -> int:
    """The `}` closing an interpolation or directive that starts at `start` (-1: none)."""
    depth = 0
    i = start
    quoted = False
    while i < len(text):
        c = text[i]
        if quoted:
            if c == "\\":
                i += 2
                continue
            if c == '"':
                quoted = False
        elif c == '"':
            quoted = True
        elif c in "{([":
            depth += 1
        elif c in "})]":
            if depth == 0:
                return i if c == "}" else -1
            depth -= 1
        i += 1
    return -1


def _structure(tokens: list[Any]) -> list[Any]:
    """The tokens as a tree of `if` and `for` blocks."""
    body, _, end = _sequence(tokens, 0, (), 0)
    if end is not None:
        raise _Invalid
    return body


def _sequence(
    tokens: list[Any], at: int, closers: tuple[str, ...], depth: int
) -> tuple[list[Any], int, str | None]:
    if depth > MAX_DEPTH:
        raise _Invalid
    out: list[Any] = []
    while at < len(tokens):
        token = tokens[at]
        at += 1
        if not isinstance(token, _Directive):
            out.append(token)
            continue
        words = token.words
        if words in closers:
            return out, at, words
        m = _IF.match(words)
        if m:
            block = _If(m.group(1).strip(), token.offset)
            block.then, at, end = _sequence(tokens, at, ("else", "endif"), depth + 1)
            if end == "else":
                block.otherwise, at, end = _sequence(tokens, at, ("endif",), depth + 1)
            if end != "endif":
                raise _Invalid
            out.append(block)
            continue
        m = _FOR.match(words)
        if m:
            names = (m.group(1), m.group(2)) if m.group(2) else (m.group(1),)
            loop = _For(names, m.group(3).strip(), token.offset)
            loop.body, at, end = _sequence(tokens, at, ("endfor",), depth + 1)
            if end != "endfor":
                raise _Invalid
            out.append(loop)
            continue
        raise _Invalid  # `else` or `endif` out of place, an unknown directive
    return out, at, None


# ---------------------------------------------------------------- rendering


def render(
    text: str, variables: dict[str, Any], scope: Scope
) -> tuple[str, tuple[tuple[int, int], ...], bool]:
    """(text, for each of its lines the template line it comes from and how many of its first
    characters are that line's, whether unknown values were left as UNKNOWN_MARK). Raises
    _Invalid for a template that cannot be rendered, _TooLarge past MAX_TEXT."""
    tree = _structure(_tokens(text))
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    renderer = _Renderer(scope, starts)
    renderer.sequence(tree, dict(variables), 0)
    out = "".join(p for p, _, _ in renderer.pieces)
    template_lines = text.split("\n")
    rendered_lines = out.split("\n")
    origins = renderer.origins()
    lines = []
    for k, rendered in enumerate(rendered_lines):
        origin = origins[k] if k < len(origins) else origins[-1]
        source = template_lines[origin - 1] if 0 < origin <= len(template_lines) else ""
        lines.append((origin, _common_prefix(source, rendered)))
    return out, tuple(lines), renderer.partial


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class _Renderer:
    def __init__(self, scope: Scope, starts: list[int]) -> None:
        self.scope = scope
        self.starts = starts
        # (text, template line where it starts, whether it is template text)
        self.pieces: list[tuple[str, int, bool]] = []
        self.size = 0
        self.iterations = 0
        self.partial = False

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def emit(self, text: str, offset: int, literal: bool) -> None:
        self.size += len(text)
        if self.size > MAX_TEXT:
            raise _TooLarge
        self.pieces.append((text, self.line(offset), literal))

    def origins(self) -> list[int]:
        """The template line each line of the output starts on."""
        out = [self.pieces[0][1] if self.pieces else 1]
        for text, line, literal in self.pieces:
            for k, c in enumerate(text):
                if c == "\n":
                    out.append(line + text.count("\n", 0, k) + 1 if literal else line)
        return out

    def sequence(self, nodes: list[Any], env: dict[str, Any], depth: int) -> None:
        if depth > MAX_DEPTH:
            raise _Invalid
        for node in nodes:
            if isinstance(node, _Text):
                self.emit(node.text, node.offset, True)
            elif isinstance(node, _Interpolation):
                value = _Expression(node.expr, env, self.scope).value()
                self.emit(_text_of(value, self), node.offset, False)
            elif isinstance(node, _If):
                condition = _Expression(node.condition, env, self.scope).value()
                if not isinstance(condition, bool):
                    raise _Invalid  # unknown, or not a bool: which branch is unknown
                self.sequence(node.then if condition else node.otherwise, env, depth + 1)
            elif isinstance(node, _For):
                self.loop(node, env, depth)

    def loop(self, node: _For, env: dict[str, Any], depth: int) -> None:
        collection = _Expression(node.collection, env, self.scope).value()
        if isinstance(collection, dict):
            pairs: list[tuple[Any, Any]] = sorted(collection.items(), key=lambda kv: str(kv[0]))
        elif isinstance(collection, list):
            pairs = list(enumerate(collection))
        else:
            raise _Invalid
        for key, item in pairs:
            self.iterations += 1
            if self.iterations > MAX_ITERATIONS:
                raise _Invalid
            inner = dict(env)
            if len(node.names) == 2:
                inner[node.names[0]] = key
                inner[node.names[1]] = item
            else:
                inner[node.names[0]] = item
            self.sequence(node.body, inner, depth + 1)


def _text_of(value: Any, renderer: _Renderer) -> str:
    if value is UNKNOWN:
        renderer.partial = True
        return UNKNOWN_MARK
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return str(value)
    raise _Invalid  # null, a list, an object, a file's text: Terraform rejects or we don't echo


# ---------------------------------------------------------------- expressions

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
      | (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<name>[A-Za-z_][\w-]*)
      | (?P<op>\.\.\.|==|!=|<=|>=|&&|\|\||=>|[-+*/%!<>?:()\[\]{},.=])
    )""",
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_LITERALS = {"true": True, "false": False, "null": None}


class _Expression:
    """One template expression, evaluated with the template's variables in `env`: the values
    are plain (str, int, float, bool, None, lists, dicts) or UNKNOWN."""

    def __init__(self, text: str, env: dict[str, Any], scope: Scope) -> None:
        self.env = env
        self.scope = scope
        self.tokens: list[tuple[str, str]] = []
        at = 0
        text = text.rstrip()
        while at < len(text):
            m = _TOKEN.match(text, at)
            if m is None or m.end() == at:
                raise _Invalid
            kind = m.lastgroup or ""
            self.tokens.append((kind, m.group(kind)))
            at = m.end()
        self.at = 0

    def value(self) -> Any:
        result = self.conditional(0)
        if self.at != len(self.tokens):
            raise _Invalid
        return result

    # -- token helpers

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.at] if self.at < len(self.tokens) else ("end", "")

    def take(self, op: str) -> bool:
        if self.peek() == ("op", op):
            self.at += 1
            return True
        return False

    def need(self, op: str) -> None:
        if not self.take(op):
            raise _Invalid

    # -- precedence levels

    def conditional(self, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise _Invalid
        condition = self.binary(0, depth)
        if not self.take("?"):
            return condition
        yes = self.conditional(depth + 1)
        self.need(":")
        no = self.conditional(depth + 1)
        if condition is UNKNOWN or not isinstance(condition, bool):
            return UNKNOWN
        return yes if condition else no

    _LEVELS: tuple[tuple[str, ...], ...] = (
        ("||",),
        ("&&",),
        ("==", "!="),
        ("<", ">", "<=", ">="),
        ("+", "-"),
        ("*", "/", "%"),
    )

    def binary(self, level: int, depth: int) -> Any:
        if level == len(self._LEVELS):
            return self.unary(depth)
        left = self.binary(level + 1, depth)
        while True:
            kind, text = self.peek()
            if kind != "op" or text not in self._LEVELS[level]:
                return left
            self.at += 1
            right = self.binary(level + 1, depth)
            left = _operate(text, left, right)

    def unary(self, depth: int) -> Any:
        if self.take("!"):
            value = self.unary(depth + 1)
            return UNKNOWN if not isinstance(value, bool) else not value
        if self.take("-"):
            value = self.unary(depth + 1)
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            return -value if ok else UNKNOWN
        return self.postfix(depth)

    def postfix(self, depth: int) -> Any:
        value = self.primary(depth)
        while True:
            if self.take("."):
                kind, text = self.peek()
                if kind == "name":
                    self.at += 1
                    value = value.get(text, UNKNOWN) if isinstance(value, dict) else UNKNOWN
                elif kind == "number" and text.isdigit():
                    self.at += 1
                    value = _item(value, int(text))
                else:
                    raise _Invalid  # a splat
            elif self.take("["):
                if self.peek() == ("op", "*"):
                    raise _Invalid
                index = self.conditional(depth + 1)
                self.need("]")
                value = _item(value, index)
            else:
                return value

    def primary(self, depth: int) -> Any:
        kind, text = self.peek()
        self.at += 1
        if kind == "number":
            return float(text) if any(c in text for c in ".eE") else int(text)
        if kind == "string":
            return _string(text[1:-1])
        if kind == "name":
            if self.peek() == ("op", "("):
                self.at += 1
                return self.call(text, depth)
            if text in _LITERALS:
                return _LITERALS[text]
            if text == "for":
                raise _Invalid
            return self.env.get(text, UNKNOWN)
        if kind == "op" and text == "(":
            value = self.conditional(depth + 1)
            self.need(")")
            return value
        if kind == "op" and text == "[":
            items: list[Any] = []
            while not self.take("]"):
                if self.peek() == ("name", "for"):
                    raise _Invalid
                items.append(self.conditional(depth + 1))
                if not self.take(","):
                    self.need("]")
                    break
            return items
        if kind == "op" and text == "{":
            obj: dict[str, Any] = {}
            while not self.take("}"):
                key_kind, key = self.peek()
                self.at += 1
                if key_kind == "string":
                    key = _string(key[1:-1])
                elif key_kind != "name":
                    raise _Invalid
                if not (self.take("=") or self.take(":")):
                    raise _Invalid
                obj[key] = self.conditional(depth + 1)
                self.take(",")
            return obj
        raise _Invalid

    def call(self, name: str, depth: int) -> Any:
        args: list[Any] = []
        while not self.take(")"):
            args.append(self.conditional(depth + 1))
            if self.take("..."):
                raise _Invalid
            if not self.take(","):
                self.need(")")
                break
        return _function(name, args, self.scope)


def _string(raw: str) -> Any:
    if "${" in raw or "%{" in raw:
        return UNKNOWN  # a template inside the template's expression
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), raw)


def _item(value: Any, index: Any) -> Any:
    if isinstance(value, list) and isinstance(index, int) and not isinstance(index, bool):
        return value[index] if 0 <= index < len(value) else UNKNOWN
    if isinstance(value, dict) and isinstance(index, str):
        return value.get(index, UNKNOWN)
    return UNKNOWN


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _operate(op: str, left: Any, right: Any) -> Any:
    if op in ("&&", "||"):
        if not isinstance(left, bool) or not isinstance(right, bool):
            return UNKNOWN
        return (left and right) if op == "&&" else (left or right)
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    if op in ("==", "!="):
        same = type(left) is type(right) or (_number(left) and _number(right))
        equal = same and to_plain(left) == to_plain(right)
        return equal if op == "==" else not equal
    if not _number(left) or not _number(right):
        return UNKNOWN
    if op == "<":
        return left < right
    if op == ">":
        return left > right
    if op == "<=":
        return left <= right
    if op == ">=":
        return left >= right
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if right == 0:
        return UNKNOWN
    if op == "/":
        return left / right
    return left % right


def _function(name: str, args: list[Any], scope: Scope) -> Any:
    if name == "templatefile":
        return UNKNOWN  # Terraform does not let a template render another one
    if any(a is UNKNOWN for a in args):
        return UNKNOWN
    if name == "length" and len(args) == 1:
        a = args[0]
        return len(a) if isinstance(a, (str, list, dict)) else UNKNOWN
    if name in ("keys", "values") and len(args) == 1 and isinstance(args[0], dict):
        ordered = sorted(args[0].items(), key=lambda kv: str(kv[0]))
        return [k if name == "keys" else v for k, v in ordered]
    if name == "contains" and len(args) == 2 and isinstance(args[0], list):
        return any(to_plain(x) == to_plain(args[1]) for x in args[0])
    if name == "element" and len(args) == 2 and isinstance(args[0], list) and args[0]:
        index = args[1]
        if isinstance(index, int) and not isinstance(index, bool):
            return args[0][index % len(args[0])]
        return UNKNOWN
    if name == "split" and len(args) == 2 and all(isinstance(a, str) for a in args):
        return str(args[1]).split(str(args[0])) if args[0] else UNKNOWN
    if name == "replace" and len(args) == 3 and all(isinstance(a, str) for a in args):
        if args[1].startswith("/") and args[1].endswith("/") and len(args[1]) > 1:
            return UNKNOWN  # a regular expression: Terraform's syntax, not Python's
        result = str(args[0]).replace(str(args[1]), str(args[2]))
        return result if len(result) <= MAX_TEXT else UNKNOWN
    if name == "jsonencode" and len(args) == 1:
        plain = to_plain(args[0])
        if plain is UNKNOWN:
            return UNKNOWN
        text = json.dumps(plain, separators=(",", ":"))
        return text if len(text) <= MAX_TEXT else UNKNOWN
    # the functions the module scope knows (lower, join, format, merge ...), given values
    value = scope.evaluate(Call(name, tuple(_positioned(a) for a in args)))
    return value if isinstance(value, (str, int, float, bool, list, dict)) else UNKNOWN


def _positioned(value: Any) -> Any:
    """A plain value as the module scope's evaluation takes it (objects and tuples with
    positions)."""
    if isinstance(value, dict) and not isinstance(value, LMap):
        out = LMap()
        for k, v in value.items():
            out[k] = _positioned(v)
        return out
    if isinstance(value, list) and not isinstance(value, LList):
        lst = LList()
        for v in value:
            lst.append(_positioned(v))
            lst.item_pos.append(lst.pos)
        return lst
    return value
