"""The HCL front end lambdalint used before tree-sitter's grammar: python-hcl2's Lark grammar
and a converter of its raw parse tree into terraform.model. Kept here (python-hcl2 is a test
dependency only) as the reference tests/test_hcl_front_end.py compares the product's
front end (lambdalint/loaders/terraform/hcl.py) with.
"""

from __future__ import annotations

import re
import textwrap
from functools import lru_cache
from pathlib import Path
from typing import Any

from lambdalint.loaders.terraform import expressions
from lambdalint.loaders.terraform.model import (
    Call,
    Key,
    Opaque,
    Ref,
    Resource,
    SourceText,
    Template,
    TfFile,
    Variable,
    refs_in,
)
from lambdalint.model import UNKNOWN, Loc, Pos
from lambdalint.numeric import literal
from lambdalint.reading import ReadLimits
from lambdalint.reading.positions import LList, LMap

MAX_DEPTH = 200
# Terraform accepts blanks after a heredoc's closing marker; python-hcl2's grammar does not.
# Removing trailing blanks changes no line or column of anything else.
_TRAILING_BLANKS = re.compile(r"[ \t]+(?=\r?\n)")
# `aws_iam_role.fn.arn`, `aws_lambda_function.x[0].function_name`: no parser needed
_TRAVERSAL = re.compile(r"^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[[0-9]{1,9}\])*$")
_STEP = re.compile(r"([A-Za-z_][\w-]*)|\[([0-9]{1,9})\]")


class HclError(Exception):
    def __init__(self, message: str, pos: Pos) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


# ---------------------------------------------------------------- parsing


@lru_cache(maxsize=1)
def _parser() -> Any:
    from hcl2.parser import parser  # imported on first use: Lark grammar loading is not free

    lark = parser()
    _linear_heredocs(lark)
    return lark


# python-hcl2's heredoc terminals end with `\r?\n\s*MARKER\r?\n`: `\s*` runs across blank
# lines, so a body of k blank lines not followed by the marker is rescanned from each of its
# lines (80,000 blank lines: 33 s). `[^\S\n]*` stops at the line's end. The token matched is
# the same: the lazy body stops at the first line that is blanks then the marker either way
# (from an earlier blank line `\s*` could only reach that same line).
_HEREDOC_TERMINALS = ("HEREDOC_TEMPLATE", "HEREDOC_TEMPLATE_TRIM")
_CROSSES_LINES = r"\s*(?P="
_WITHIN_LINE = r"[^\S\n]*(?P="


def _linear_heredocs(lark: Any) -> None:
    """Make the heredoc terminals of python-hcl2's (shared, cached) parser linear; lark
    compiles its scanners on first use, so this is done before the first parse."""
    from lark.lexer import PatternRE

    for name in _HEREDOC_TERMINALS:
        try:
            terminal = lark.get_terminal(name)
        except KeyError:
            continue
        pattern = terminal.pattern
        if isinstance(pattern, PatternRE) and _CROSSES_LINES in pattern.value:
            terminal.pattern = PatternRE(
                pattern.value.replace(_CROSSES_LINES, _WITHIN_LINE), pattern.flags
            )


def heredocs_are_linear() -> bool:
    """Whether the parser in use has the linear heredoc terminals (tests check this, so a
    python-hcl2 release that renames or rewrites them is noticed)."""
    lark = _parser()
    return all(_WITHIN_LINE in lark.get_terminal(name).pattern.value for name in _HEREDOC_TERMINALS)


def _parseable(text: str) -> str:
    """The text handed to the grammar (the offsets of the tree's nodes are offsets in it)."""
    return _TRAILING_BLANKS.sub("", text) + "\n"


def parse_tree(text: str) -> Any:
    """The raw Lark tree of an HCL text; raises HclError with the position of a syntax error."""
    return _parse_parseable(_parseable(text))


def _parse_parseable(text: str) -> Any:
    from lark.exceptions import LarkError, UnexpectedInput

    try:
        return _parser().parse(text)
    except UnexpectedInput as exc:
        line = getattr(exc, "line", 1) or 1
        column = getattr(exc, "column", 1) or 1
        token = getattr(exc, "token", None)
        what = (
            f"unexpected {str(token)[:40]!r}"
            if token is not None and str(token)
            else "syntax error"
        )
        if type(exc).__name__ == "UnexpectedEOF":
            what = "unexpected end of file"
        raise HclError(f"HCL: {what}", Pos(max(line, 1), max(column, 1))) from None
    except (LarkError, RecursionError) as exc:
        raise HclError(f"HCL: {type(exc).__name__}", Pos()) from None


def parse_file(path: Path, text: str) -> TfFile:
    """Parse one .tf file. Raises HclError."""
    text = _parseable(text)
    tree = _parse_parseable(text)
    conv = _Converter(text, path)
    body = tree.children[0] if tree.children else None
    tf = TfFile(path)
    if body is None:
        return tf
    for node in _children(body):
        if _name(node) == "block":
            conv.top_block(node, tf)
    return tf


def parse_attributes(path: Path, text: str, limits: ReadLimits) -> dict[str, Any]:
    """The top-level attributes of a .tfvars (or .tfvars.json) file; {} when unreadable."""
    if path.name.lower().endswith(".json"):
        from lambdalint.reading.json_reader import parse_json
        from lambdalint.reading.positions import LoadError

        try:
            data, _ = parse_json(text, path, limits)
        except LoadError:
            return {}
        return dict(data) if isinstance(data, dict) else {}
    text = _parseable(text)
    try:
        tree = _parse_parseable(text)
    except HclError:
        return {}
    conv = _Converter(text, path)
    return dict(conv.body(tree.children[0] if tree.children else None, Pos(), 0))


def parse_expression(text: str, pos: Pos) -> Any:
    """An expression given as text (inside `${...}` of Terraform JSON or a heredoc).

    Its parts all carry `pos`: the position of the string it was found in."""
    literal = {"true": True, "false": False, "null": None}
    if text.strip() in literal:
        return literal[text.strip()]
    if _TRAVERSAL.match(text.strip()):
        parts: list[str | int] = []
        for name, index in _STEP.findall(text.strip()):
            parts.append(int(index) if index else name)
        return Ref(tuple(parts), pos)
    value = expressions.parse(text, pos)
    if value is not expressions.NOT_PLAIN:
        return value
    return parse_expression_with_grammar(text, pos)


def parse_expression_with_grammar(text: str, pos: Pos) -> Any:
    """`parse_expression` by the full HCL grammar (what expressions.py's fast reader must match)."""
    try:
        tree = parse_tree("x = " + text.strip() + "\n")
    except HclError:
        return Opaque(text, (), pos)
    conv = _Converter("x = " + text.strip() + "\n", Path("."), fixed_pos=pos)
    for node in _children(tree.children[0]):
        if _name(node) == "attribute":
            return conv.expr(node.children[-1], 0)
    return Opaque(text, (), pos)


# ---------------------------------------------------------------- tree conversion


def _name(node: Any) -> str:
    data = getattr(node, "data", None)
    if data is not None:
        return str(data)
    return str(getattr(node, "type", ""))


def _children(node: Any) -> list[Any]:
    return list(getattr(node, "children", []))


def _is_token(node: Any) -> bool:
    return hasattr(node, "type") and not hasattr(node, "data")


def _structural(node: Any) -> bool:
    name = _name(node)
    return name == "new_line_or_comment" or name in ("COMMA", "NL_OR_COMMENT")


class _Converter:
    def __init__(self, text: str, path: Path, fixed_pos: Pos | None = None) -> None:
        self.text = text
        self.path = path
        self.fixed_pos = fixed_pos

    def pos(self, node: Any) -> Pos:
        if self.fixed_pos is not None:
            return self.fixed_pos
        if _is_token(node):
            return Pos(node.line or 1, node.column or 1)
        meta = getattr(node, "meta", None)
        if meta is None or getattr(meta, "empty", True):
            return Pos()
        return Pos(meta.line, meta.column)

    def source(self, node: Any) -> str:
        meta = getattr(node, "meta", None)
        if meta is None or getattr(meta, "empty", True):
            return ""
        return self.text[meta.start_pos : meta.end_pos]

    # ------------------------------------------------------------ blocks

    def _label(self, node: Any) -> str | None:
        name = _name(node)
        if name == "identifier" or name == "keyword" or name == "literal_value":
            tok = node.children[0] if _children(node) else node
            return str(getattr(tok, "value", tok))
        if name == "string":
            value = self.string(node, 0)
            return value if isinstance(value, str) else None
        return None

    def _block_parts(self, node: Any) -> tuple[str | None, list[str | None], Any]:
        kids = [c for c in _children(node) if not _structural(c)]
        head = self._label(kids[0]) if kids else None
        labels: list[str | None] = []
        body = None
        for c in kids[1:]:
            name = _name(c)
            if name == "body":
                body = c
            elif name in ("identifier", "keyword", "literal_value", "string"):
                labels.append(self._label(c))
        return head, labels, body

    def top_block(self, node: Any, tf: TfFile) -> None:
        head, labels, body_node = self._block_parts(node)
        pos = self.pos(node)
        loc = Loc(self.path, pos)
        body = self.body(body_node, pos, 0)
        if head in ("resource", "data") and len(labels) == 2 and labels[0] and labels[1]:
            count = body.get("count")
            if count == 0:
                return  # never created
            tf.resources.append(
                Resource(
                    "managed" if head == "resource" else "data", labels[0], labels[1], body, loc
                )
            )
        elif head == "variable" and len(labels) == 1 and labels[0]:
            default = body.get("default", UNKNOWN)
            tf.variables.append(Variable(labels[0], default, body.get("sensitive") is True, loc))
        elif head == "locals":
            for k, v in body.items():
                if isinstance(k, str):
                    tf.locals[k] = (v, Loc(self.path, body.value_pos.get(k, pos)))
        elif head == "module" and len(labels) == 1 and labels[0]:
            source = body.get("source")
            tf.module_calls.append(
                Resource("module", source if isinstance(source, str) else "", labels[0], body, loc)
            )

    def body(self, node: Any, pos: Pos, depth: int) -> LMap:
        out = LMap(pos)
        if node is None or depth > MAX_DEPTH:
            return out
        for child in _children(node):
            name = _name(child)
            if name == "attribute":
                kids = [c for c in _children(child) if not _structural(c)]
                key = self._label(kids[0]) if kids else None
                if key is None or len(kids) < 3:
                    continue
                out[key] = self.expr(kids[-1], depth + 1)
                out.key_pos[key] = self.pos(child)
                out.value_pos[key] = self.pos(kids[-1])
            elif name == "block":
                head, labels, body_node = self._block_parts(child)
                if head is None:
                    continue
                cpos = self.pos(child)
                inner = self.body(body_node, cpos, depth + 1)
                key = f"dynamic:{labels[0]}" if head == "dynamic" and labels and labels[0] else head
                lst = out.get(key)
                if not isinstance(lst, LList):
                    lst = LList(cpos)
                    out[key] = lst
                    out.key_pos[key] = cpos
                    out.value_pos[key] = cpos
                lst.append(inner)
                lst.item_pos.append(cpos)
        return out

    # ------------------------------------------------------------ expressions

    def expr(self, node: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            return Opaque("", (), self.pos(node))
        name = _name(node)
        if name == "expr_term":
            kids = [c for c in _children(node) if not _structural(c)]
            if len(kids) == 3 and _name(kids[0]) == "LPAR":
                return self.expr(kids[1], depth + 1)
            if len(kids) == 1:
                return self.expr(kids[0], depth + 1)
            return self.opaque(node)
        if name == "int_lit":
            return literal(str(node.children[0]).strip())
        if name == "float_lit":
            try:
                return float(str(node.children[0]))
            except ValueError:
                return self.opaque(node)
        if name == "literal_value":
            value = str(node.children[0])
            return {"true": True, "false": False, "null": None}.get(value, value)
        if name == "string":
            return self.string(node, depth)
        if name in ("heredoc_template", "heredoc_template_trim"):
            return self.heredoc(node, name.endswith("_trim"))
        if name == "identifier":
            return Ref((str(node.children[0]),), self.pos(node))
        if name == "get_attr_expr_term":
            base = self.expr(node.children[0], depth + 1)
            attr = self._get_attr(node.children[1])
            if isinstance(base, Ref) and attr is not None:
                return Ref((*base.parts, attr), base.pos)
            return self.opaque(node)
        if name == "index_expr_term":
            base = self.expr(node.children[0], depth + 1)
            step = self._index(node.children[1], depth)
            if isinstance(base, Ref) and step is not None:
                return Ref((*base.parts, step), base.pos)
            return self.opaque(node)
        if name == "tuple":
            lst = LList(self.pos(node))
            for c in _children(node):
                if _is_token(c) or _structural(c):
                    continue
                lst.append(self.expr(c, depth + 1))
                lst.item_pos.append(self.pos(c))
            return lst
        if name == "object":
            return self.object(node, depth)
        if name == "function_call":
            return self.call(node, depth)
        return self.opaque(node)

    def _get_attr(self, node: Any) -> str | None:
        for c in _children(node):
            if _name(c) in ("identifier", "literal_value"):
                return str(c.children[0])
        return None

    def _index(self, node: Any, depth: int) -> int | Key | None:
        name = _name(node)
        if name == "short_index":
            for c in _children(node):
                if _is_token(c) and c.type == "INT_LITERAL":
                    index = literal(str(c).strip())
                    return index if isinstance(index, int) else None
            return None
        if name == "braces_index":
            for c in _children(node):
                if _is_token(c) or _structural(c):
                    continue
                value = self.expr(c, depth + 1)
                if isinstance(value, bool):
                    return None
                if isinstance(value, int):
                    return value
                if isinstance(value, str):
                    return Key(value)
                return None
        return None

    def object(self, node: Any, depth: int) -> LMap:
        out = LMap(self.pos(node))
        for elem in _children(node):
            if _name(elem) != "object_elem":
                continue
            kids = [c for c in _children(elem) if not _structural(c)]
            if len(kids) < 3:
                continue
            key_node, value_node = kids[0], kids[-1]
            key = self._object_key(key_node, depth)
            out[key] = self.expr(value_node, depth + 1)
            out.key_pos[key] = self.pos(elem)
            out.value_pos[key] = self.pos(value_node)
        return out

    def _object_key(self, node: Any, depth: int) -> Any:
        inner = [c for c in _children(node) if not _structural(c)]
        target = inner[0] if inner else node
        if _name(target) == "keyword":
            return str(target.children[0])
        value = self.expr(target, depth + 1)
        if isinstance(value, Ref) and len(value.parts) == 1 and _bare_identifier(target):
            return str(value.parts[0])  # `{ KEY = ... }`: a bare name is a literal key
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, Opaque):
            return value
        # a computed key `(local.k) = ...`: kept as an expression the builder cannot name
        return Opaque(self.source(node), tuple(refs_in(value)), self.pos(node))

    def call(self, node: Any, depth: int) -> Any:
        kids = _children(node)
        names = [str(c.children[0]) for c in kids if _name(c) == "identifier"]
        args: list[Any] = []
        expand = False
        for c in kids:
            if _name(c) == "arguments":
                for a in _children(c):
                    if _is_token(a):
                        if a.type == "ELLIPSIS":
                            expand = True
                        continue
                    if _structural(a):
                        continue
                    args.append(self.expr(a, depth + 1))
        if expand or not names:
            return self.opaque(node)
        return Call("::".join(names), tuple(args), self.pos(node))

    def opaque(self, node: Any) -> Opaque:
        refs: list[Ref] = []
        self._collect_refs(node, refs, 0)
        return Opaque(self.source(node), tuple(refs), self.pos(node))

    def _collect_refs(self, node: Any, out: list[Ref], depth: int) -> None:
        if depth > MAX_DEPTH or _is_token(node):
            return
        name = _name(node)
        if name in ("get_attr_expr_term", "index_expr_term"):
            ref = self._traversal(node, depth + 1)
            if ref is not None:
                out.append(ref)
                return
        for c in _children(node):
            self._collect_refs(c, out, depth + 1)

    def _traversal(self, node: Any, depth: int) -> Ref | None:
        """The traversal a node spells (`a.b[0].c`), or None; never builds an Opaque."""
        if depth > MAX_DEPTH:
            return None
        name = _name(node)
        if name == "expr_term":
            kids = [c for c in _children(node) if not _structural(c)]
            return self._traversal(kids[0], depth + 1) if len(kids) == 1 else None
        if name == "identifier":
            return Ref((str(node.children[0]),), self.pos(node))
        if name == "get_attr_expr_term":
            base = self._traversal(node.children[0], depth + 1)
            attr = self._get_attr(node.children[1])
            return (
                Ref((*base.parts, attr), base.pos)
                if base is not None and attr is not None
                else None
            )
        if name == "index_expr_term":
            base = self._traversal(node.children[0], depth + 1)
            step = self._index(node.children[1], depth)
            return (
                Ref((*base.parts, step), base.pos)
                if base is not None and step is not None
                else base
            )
        return None

    # ------------------------------------------------------------ strings

    def string(self, node: Any, depth: int) -> Any:
        parts: list[Any] = []
        for part in _children(node):
            if _name(part) != "string_part":
                continue
            for c in _children(part):
                cname = _name(c)
                if cname == "STRING_CHARS":
                    parts.append(expressions.unescape(str(c)))
                elif cname == "ESCAPED_INTERPOLATION" or cname == "ESCAPED_DIRECTIVE":
                    parts.append(str(c)[1:])
                elif cname == "interpolation":
                    inner = [x for x in _children(c) if not _is_token(x) and not _structural(x)]
                    parts.append(self.expr(inner[0], depth + 1) if inner else self.opaque(c))
                else:  # %{ if } / %{ for } directives
                    return self.opaque(node)
        return _template(parts, self.pos(node))

    def heredoc(self, node: Any, trim: bool) -> Any:
        raw = str(node.children[0])
        first_nl = raw.find("\n")
        body = raw[first_nl + 1 :]
        lines = body.split("\n")
        # drop the closing marker line (and the empty piece after its newline)
        while lines and lines[-1].strip() == "":
            lines.pop()
        if lines:
            lines.pop()
        content = "\n".join(lines) + ("\n" if lines else "")
        if trim:
            content = textwrap.dedent(content)
        pos = self.pos(node)
        body_pos = Pos(pos.line + 1, 1) if self.fixed_pos is None else pos
        value = split_template(content, body_pos)
        if isinstance(value, str):
            return SourceText.at(value, body_pos, verbatim=self.fixed_pos is None)
        return value


def _bare_identifier(node: Any) -> bool:
    kids = [c for c in _children(node) if not _structural(c)]
    return _name(node) == "identifier" or (len(kids) == 1 and _name(kids[0]) == "identifier")


def _template(parts: list[Any], pos: Pos) -> Any:
    merged: list[Any] = []
    for p in parts:
        if isinstance(p, str) and merged and isinstance(merged[-1], str):
            merged[-1] += p
        else:
            merged.append(p)
    if not merged:
        return ""
    if len(merged) == 1 and isinstance(merged[0], str):
        return merged[0]
    return Template(tuple(merged), pos)


def split_template(text: str, pos: Pos) -> Any:
    """A template string's literal pieces and `${...}` interpolations (parsed as expressions).

    `$${` is a literal `${`; a `%{...}` directive makes the whole template opaque."""
    parts: list[Any] = []
    i = 0
    buf: list[str] = []
    n = len(text)
    while i < n:
        if text.startswith("$${", i) or text.startswith("%%{", i):
            buf.append(text[i + 1 : i + 3])
            i += 3
            continue
        if text.startswith("%{", i):
            return Opaque(text, (), pos)
        if text.startswith("${", i):
            end = _matching_brace(text, i + 2)
            if end < 0:
                return Opaque(text, (), pos)
            if buf:
                parts.append("".join(buf))
                buf = []
            inner = text[i + 2 : end].strip().strip("~").strip()
            parts.append(parse_expression(inner, pos))
            i = end + 1
            continue
        buf.append(text[i])
        i += 1
    if buf:
        parts.append("".join(buf))
    return _template(parts, pos)


def _matching_brace(text: str, start: int) -> int:
    depth = 0
    i = start
    in_str = False
    while i < len(text):
        c = text[i]
        if in_str:
            if c == "\\":
                i += 2
                continue
            if c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1
