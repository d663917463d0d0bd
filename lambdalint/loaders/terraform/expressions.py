"""A fast reader for the plain HCL expressions found in Terraform JSON strings.

`"${jsonencode({Version = "2012-10-17", Statement = [...]})}"` is the usual way to write a
policy in Terraform JSON. The full HCL grammar (python-hcl2's, on Lark) needs milliseconds for
one such expression; this reader handles the plain subset: literals, strings without
interpolations, tuples, objects, function calls and traversals. Anything else (operators,
conditionals, `for`, splats, interpolated strings, comments) returns `NOT_PLAIN` and goes to
the full grammar, so the result is always what the grammar would give; a test compares the two.
"""

from __future__ import annotations

import re
from typing import Any

from lambdalint.loaders.terraform.model import Call, Key, Ref
from lambdalint.model import Pos
from lambdalint.numeric import literal
from lambdalint.reading.positions import LList, LMap

NOT_PLAIN: Any = object()
MAX_DEPTH = 100

_BLANKS = re.compile(r"[ \t\r\n]*")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
# HCL numbers: no sign (`-1` is an operator applied to 1), no leading dot
_INDEX = re.compile(r"[0-9]+")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
# HCL's escapes only: any other backslash is a syntax error (the grammar's business)
_STRING_BODY = re.compile(
    r'(?:[^"\\\n$%]|\\(?:[nrt"\\]|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})|\$(?!\{)|%(?!\{))*'
)
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_LITERALS = {"true": True, "false": False, "null": None}
# words the grammar reads as something other than a name where an expression starts
_KEYWORDS = {"for", "in", "if", "else", "endif", "endfor"}


class _NotPlain(Exception):
    pass


def parse(text: str, pos: Pos) -> Any:
    """The value of expression `text` (every part at `pos`), or NOT_PLAIN."""
    reader = _Reader(text, pos)
    try:
        value = reader.expr(0)
        if reader.skip() != len(text):
            return NOT_PLAIN  # an operator, a conditional, a comment …
    except (_NotPlain, IndexError, RecursionError):
        return NOT_PLAIN
    return value


class _Reader:
    def __init__(self, text: str, pos: Pos) -> None:
        self.s = text
        self.i = 0
        self.pos = pos

    def skip(self) -> int:
        self.i = _BLANKS.match(self.s, self.i).end()  # type: ignore[union-attr]
        return self.i

    def expect(self, char: str) -> None:
        if self.s[self.skip()] != char:
            raise _NotPlain
        self.i += 1

    def expr(self, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise _NotPlain
        s = self.s
        c = s[self.skip()]
        if c == '"':
            return self.string()
        if c == "[":
            return self.tuple(depth)
        if c == "{":
            return self.object(depth)
        number = _NUMBER.match(s, self.i)
        if number is not None:
            self.i = number.end()
            return literal(number.group(0))
        name = _IDENT.match(s, self.i)
        if name is None or name.group(0) in _KEYWORDS:
            raise _NotPlain
        self.i = name.end()
        word = name.group(0)
        if word in _LITERALS:
            return _LITERALS[word]
        if self.i < len(s) and s[self.i] == "(":
            return self.call(word, depth)
        return self.traversal(word)

    def string(self) -> str:
        start = self.i + 1
        end = _STRING_BODY.match(self.s, start).end()  # type: ignore[union-attr]
        if end >= len(self.s) or self.s[end] != '"':
            raise _NotPlain  # an interpolation, a directive or a newline inside
        self.i = end + 1
        return unescape(self.s[start:end])

    def tuple(self, depth: int) -> LList:
        self.i += 1
        out = LList(self.pos)
        while self.s[self.skip()] != "]":
            out.append(self.expr(depth + 1))
            out.item_pos.append(self.pos)
            c = self.s[self.skip()]
            if c == ",":
                self.i += 1
            elif c != "]":
                raise _NotPlain
        self.i += 1
        return out

    def object(self, depth: int) -> LMap:
        self.i += 1
        out = LMap(self.pos)
        s = self.s
        first = True
        while s[self.skip()] != "}":
            if s[self.i] == '"':
                key = self.string()
            else:
                name = _IDENT.match(s, self.i)
                if name is None or name.group(0) in _LITERALS:
                    raise _NotPlain  # a computed key `(local.k) = …`; `true = …`
                if first and name.group(0) == "for":
                    raise _NotPlain  # `{for …` starts a for expression
                key = name.group(0)
                self.i = name.end()
            first = False
            c = s[self.skip()]
            if c not in "=:":
                raise _NotPlain
            self.i += 1
            out[key] = self.expr(depth + 1)
            out.key_pos[key] = self.pos
            out.value_pos[key] = self.pos
            value_end = self.i
            c = s[self.skip()]
            if c == ",":
                self.i += 1
            elif c != "}" and "\n" not in s[value_end : self.i]:
                raise _NotPlain  # elements are separated by commas or new lines
        self.i += 1
        return out

    def call(self, name: str, depth: int) -> Call:
        self.i += 1  # "("
        args: list[Any] = []
        s = self.s
        while s[self.skip()] != ")":
            args.append(self.expr(depth + 1))
            c = s[self.skip()]
            if c == ",":
                self.i += 1
            elif c != ")":
                raise _NotPlain  # `...` expansion, an operator
        self.i += 1
        return Call(name, tuple(args), self.pos)

    def traversal(self, first: str) -> Ref:
        parts: list[str | int] = [first]
        s = self.s
        while self.i < len(s):
            c = s[self.i]
            if c == ".":
                name = _IDENT.match(s, self.i + 1)
                if name is None:
                    raise _NotPlain  # `.*` splat, legacy `.0` index
                parts.append(name.group(0))
                self.i = name.end()
            elif c == "[":
                self.i += 1
                c = s[self.skip()]
                if c == '"':
                    parts.append(Key(self.string()))
                else:
                    number = _INDEX.match(s, self.i)
                    if number is None or len(number.group(0)) > 9:
                        raise _NotPlain  # `[*]`, `[var.i]`, an index no list reaches
                    parts.append(int(number.group(0)))
                    self.i = number.end()
                self.expect("]")
            else:
                break
        return Ref(tuple(parts), self.pos)


def unescape(raw: str) -> str:
    """An HCL string's escapes (`\\n`, `\\"`, `\\u00e9` …) decoded."""

    def repl(m: re.Match[str]) -> str:
        esc = m.group(1)
        if esc[0] in "uU" and len(esc) > 1:
            try:
                return chr(int(esc[1:], 16))
            except ValueError:
                return esc
        return _SIMPLE_ESCAPES.get(esc, "\\" + esc)

    return _ESCAPE.sub(repl, raw) if "\\" in raw else raw
