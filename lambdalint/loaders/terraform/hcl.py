"""Terraform HCL (`*.tf`) → the shared Terraform form (terraform.model), with positions.

Parsed with tree-sitter's HCL grammar (`tree-sitter-hcl`, compiled: a .tf file in about a
millisecond, a run of a thousand blank lines in a heredoc in linear time), whose syntax tree
is converted here into blocks, attributes and unevaluated expressions (traversals, templates,
calls; anything else `Opaque`, with the traversals inside it); the builder evaluates them in
the module's scope. What each construct becomes is what python-hcl2's Lark grammar gave, which
lambdalint used before: tests/test_hcl_front_end.py compares the two on every .tf file of the
fixtures, and on any folder of Terraform given to it.
"""

from __future__ import annotations

import bisect
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
# Terraform accepts blanks after a heredoc's closing marker; so does the grammar, but removing
# trailing blanks (which changes no line or column of anything else) keeps the text of a value
# left unevaluated, and a heredoc's body, what they have always been
# (matched from the first blank of a run only: a long run inside a line is scanned once)
_TRAILING_BLANKS = re.compile(r"(?<![ \t])[ \t]+(?=\r?\n)")
# `aws_iam_role.fn.arn`, `aws_lambda_function.x[0].function_name`: no parser needed
_TRAVERSAL = re.compile(r"^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[[0-9]{1,9}\])*$")
_STEP = re.compile(r"([A-Za-z_][\w-]*)|\[([0-9]{1,9})\]")
# `$${` and `%%{` in a string are a literal `${` and `%{` (up to the closing brace)
_ESCAPED_MARKUP = re.compile(r"(\$\$\{[^}]*\}|%%\{[^}]*\})")
_OPERATORS = frozenset({"+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||", "!"})
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}
# runs of blanks longer than this are cut down before parsing (see _Parsed)
_MAX_BLANKS = 64
_LONG_BLANKS = re.compile(rb"[ \t\r\n]{%d,}" % (_MAX_BLANKS + 1))
# a number with an exponent and no fraction, not part of a name (`-1e3` included)
_EXPONENT_ONLY = re.compile(rb"(?<![\w.])(?<![\w.]-)[0-9]+[eE][+-]?[0-9]+(?![\w.])")


class HclError(Exception):
    def __init__(self, message: str, pos: Pos) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


# ---------------------------------------------------------------- parsing


@lru_cache(maxsize=1)
def _parser() -> Any:
    import tree_sitter_hcl
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_hcl.language()))


def _parseable(text: str) -> str:
    """The text handed to the grammar (the offsets of the tree's nodes are offsets in it)."""
    return _TRAILING_BLANKS.sub("", text) + "\n"


class _Parsed:
    """A syntax tree and the text it was parsed from.

    The grammar's error recovery rescans a run of blanks from each place it retries, so a
    broken file with a long run of them (80,000 blank lines after an unclosed heredoc, brace
    or comment) took time quadratic in its length. Runs longer than `_MAX_BLANKS` are cut
    down before parsing (they mean nothing in HCL but inside a heredoc or a string, whose
    text is read from the file itself); every offset is mapped back onto the file's text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.raw = text.encode("utf-8", "surrogatepass")
        self.ascii = len(self.raw) == len(text)
        self._cuts: list[int] = []  # where in the parsed text each cut run ends
        self._shift: list[int] = []  # bytes removed up to and including that run
        self._lines: list[int] | None = None
        parsed = self.raw
        if _LONG_BLANKS.search(parsed):
            parsed = self._cut_blanks()
        self.root = _parser().parse(parsed).root_node
        if self.root.has_error and _EXPONENT_ONLY.search(parsed):
            # the grammar has no `1e3` (an exponent without a fraction), which HCL has: it is
            # parsed as digits of the same length (every offset stays), and read from the text
            digits = _EXPONENT_ONLY.sub(lambda m: b"0" * len(m.group()), parsed)
            self.root = _parser().parse(digits).root_node

    def _cut_blanks(self) -> bytes:
        out: list[bytes] = []
        done = removed = 0
        for m in _LONG_BLANKS.finditer(self.raw):
            run = m.group()
            newlines = run.count(b"\n")
            tail = run[run.rfind(b"\n") + 1 :] if newlines else run
            kept = b"\n" * min(newlines, 2) + tail[-_MAX_BLANKS:]
            out += [self.raw[done : m.start()], kept]
            removed += len(run) - len(kept)
            done = m.end()
            self._cuts.append(m.end() - removed)
            self._shift.append(removed)
        out.append(self.raw[done:])
        return b"".join(out)

    def offset(self, at: int) -> int:
        """The offset in the file's text of an offset in the parsed text."""
        if not self._cuts:
            return at
        i = bisect.bisect_right(self._cuts, at)
        return at + (self._shift[i - 1] if i else 0)

    def start(self, node: Any) -> int:
        return self.offset(node.start_byte)

    def end(self, node: Any) -> int:
        return self.offset(node.end_byte)

    def error(self) -> HclError | None:
        """The first syntax error of the tree, if any."""
        if not self.root.has_error:
            return None
        stack = [self.root]
        while stack:
            node = stack.pop()
            if node.is_missing and node.parent is not None and "heredoc" in node.parent.type:
                # an unclosed heredoc: said where it opens, not at the end of the file
                return HclError("HCL: heredoc without its closing marker", self.pos(node.parent))
            if node.type == "ERROR" or node.is_missing:
                return HclError(self._error_message(node), self.pos(node))
            stack.extend(c for c in reversed(node.children) if c.has_error or c.is_missing)
        return HclError("HCL: syntax error", Pos())

    def _error_message(self, node: Any) -> str:
        if node.is_missing:
            return f"HCL: missing {node.type!r}"
        if self.start(node) >= len(self.raw.rstrip()):
            return "HCL: unexpected end of file"
        token = node
        while token.child_count:
            token = token.children[0]
        text = self.raw[self.start(token) : self.end(token)].decode("utf-8", "replace")
        return f"HCL: unexpected {text[:40]!r}" if text.strip() else "HCL: syntax error"

    def pos(self, node: Any) -> Pos:
        if self._cuts:
            return self._pos_at(self.start(node))
        row, column = node.start_point
        if not self.ascii and column:
            start = node.start_byte
            column = len(self.raw[start - column : start].decode("utf-8", "surrogatepass"))
        return Pos(row + 1, column + 1)

    def _pos_at(self, at: int) -> Pos:
        if self._lines is None:
            self._lines = [m.start() for m in re.finditer(rb"\n", self.raw)]
        row = bisect.bisect_left(self._lines, at)
        line_start = self._lines[row - 1] + 1 if row else 0
        column = len(self.raw[line_start:at].decode("utf-8", "surrogatepass"))
        return Pos(row + 1, column + 1)

    def source(self, node: Any) -> str:
        return self.raw[self.start(node) : self.end(node)].decode("utf-8", "surrogatepass")


def parse_tree(text: str) -> _Parsed:
    """The syntax tree of an HCL text; raises HclError with the position of a syntax error."""
    parsed = _Parsed(_parseable(text))
    error = parsed.error()
    if error is not None:
        raise error
    return parsed


def _body_node(parsed: _Parsed) -> Any:
    for child in parsed.root.named_children:
        if child.type == "body":
            return child
    return None


def parse_file(path: Path, text: str) -> TfFile:
    """Parse one .tf file. Raises HclError."""
    parsed = parse_tree(text)
    conv = _Converter(parsed, path)
    tf = TfFile(path)
    body = _body_node(parsed)
    if body is None:
        return tf
    for node in body.named_children:
        if node.type == "block":
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
    try:
        parsed = parse_tree(text)
    except HclError:
        return {}
    conv = _Converter(parsed, path)
    return dict(conv.body(_body_node(parsed), Pos(), 0))


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
    source = "x = " + text.strip() + "\n"
    try:
        parsed = parse_tree(source)
    except HclError:
        return Opaque(text, (), pos)
    # (texts are cut from `source`, not from the text parsed, as they always were)
    shown = source.encode("utf-8", "surrogatepass")
    conv = _Converter(parsed, Path("."), fixed_pos=pos, shown=shown)
    body = _body_node(parsed)
    for node in body.named_children if body is not None else ():
        if node.type == "attribute":
            value = node.child_by_field_name("val") or _last_expression(node)
            if value is not None:
                return conv.expr(value, 0)
    return Opaque(text, (), pos)


# ---------------------------------------------------------------- tree conversion


def _last_expression(node: Any) -> Any:
    for child in reversed(node.named_children):
        if child.type == "expression":
            return child
    return None


def _kids(node: Any) -> list[Any]:
    """A node's children without comments (which may sit between any two tokens)."""
    return [c for c in node.children if c.type != "comment"]


def _named(node: Any) -> list[Any]:
    return [c for c in node.named_children if c.type != "comment"]


class _Converter:
    def __init__(
        self,
        parsed: _Parsed,
        path: Path,
        fixed_pos: Pos | None = None,
        shown: bytes | None = None,
    ) -> None:
        self.parsed = parsed
        self.path = path
        self.fixed_pos = fixed_pos
        # the text expression texts are cut from (the parsed text unless said otherwise)
        self.shown = parsed.raw if shown is None else shown

    def pos(self, node: Any) -> Pos:
        if self.fixed_pos is not None:
            return self.fixed_pos
        return self.parsed.pos(node)

    def source(self, node: Any) -> str:
        """The text of an expression kept unevaluated. One that ends with a binary operator's
        right operand runs on over the blank lines and comments after it, as it did with the
        old grammar (whose operator rule took them in); the text is only ever shown."""
        raw, start, end = self.parsed.raw, self.parsed.start(node), self.parsed.end(node)
        if _ends_with_operation(node):
            while True:
                match = _NEWLINE_OR_COMMENT.match(raw, end)
                if match is None or match.end() == end:
                    break
                end = match.end()
        return self.shown[start:end].decode("utf-8", "surrogatepass")

    def text(self, node: Any) -> str:
        return self.parsed.source(node)

    # ------------------------------------------------------------ blocks

    def _label(self, node: Any) -> str | None:
        if node.type == "identifier":
            return self.text(node)
        if node.type == "string_lit":
            value = self.string(node, 0)
            return value if isinstance(value, str) else None
        return None

    def _block_parts(self, node: Any) -> tuple[str | None, list[str | None], Any]:
        kids = _named(node)
        head = self._label(kids[0]) if kids else None
        labels: list[str | None] = []
        body = None
        for c in kids[1:]:
            if c.type == "body":
                body = c
            elif c.type in ("identifier", "string_lit"):
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
        for child in node.named_children:
            kind = child.type
            if kind == "attribute":
                kids = _named(child)
                value = _last_expression(child)
                if not kids or kids[0].type != "identifier" or value is None:
                    continue
                key = self.text(kids[0])
                out[key] = self.expr(value, depth + 1)
                out.key_pos[key] = self.pos(child)
                out.value_pos[key] = self.pos(value)
            elif kind == "block":
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
        """The value of an `expression` node: a primary term and the steps after it
        (`a.b[0]`: the grammar lists the steps beside the term, not nested in it)."""
        if depth > MAX_DEPTH:
            return Opaque("", (), self.pos(node))
        if node.type != "expression":
            return self.term(node, depth)
        kids = _kids(node)
        if not kids:
            return self.opaque(node)
        if kids[0].type == "(":
            if len(kids) < 3:
                return self.opaque(node)
            value = self.expr(kids[1], depth + 1)
            steps = kids[3:]
        else:
            value = self.term(kids[0], depth + 1)
            steps = kids[1:]
        for step in steps:
            kind = step.type
            if kind == "get_attr":
                attr = self._get_attr(step)
                if not isinstance(value, Ref) or attr is None:
                    return self.opaque(node)
                value = Ref((*value.parts, attr), value.pos)
            elif kind == "index":
                index = self._index(step, depth)
                if not isinstance(value, Ref) or index is None:
                    return self.opaque(node)
                value = Ref((*value.parts, index), value.pos)
            else:  # a splat
                return self.opaque(node)
        return value

    def term(self, node: Any, depth: int) -> Any:
        kind = node.type
        if kind == "literal_value" or kind == "collection_value" or kind == "template_expr":
            kids = _named(node)
            return self.term(kids[0], depth) if kids else self.opaque(node)
        if kind == "numeric_lit":
            return _number(self.text(node))
        if kind == "bool_lit" or kind == "null_lit":
            return _LITERALS.get(self.text(node), self.text(node))
        if kind == "string_lit" or kind == "quoted_template":
            return self.string(node, depth)
        if kind == "heredoc_template":
            return self.heredoc(node)
        if kind == "variable_expr":
            kids = _named(node)
            name = self.text(kids[0]) if kids else self.text(node)
            return Ref((name,), self.pos(node))
        if kind == "tuple":
            lst = LList(self.pos(node))
            for c in node.named_children:
                if c.type == "expression":
                    lst.append(self.expr(c, depth + 1))
                    lst.item_pos.append(self.pos(c))
            return lst
        if kind == "object":
            return self.object(node, depth)
        if kind == "function_call":
            return self.call(node, depth)
        if kind == "operation":
            return self._negative_fraction(node)
        return self.opaque(node)

    def _negative_fraction(self, node: Any) -> Any:
        """`-1.5` is a number, as the old grammar read it (one token); `-1`, `- 1.5` and `-x`
        are operations, left unevaluated."""
        kids = _named(node)
        if len(kids) == 1 and kids[0].type == "unary_operation":
            parts = _kids(kids[0])
            if (
                len(parts) == 2
                and parts[0].type == "-"
                and parts[1].type == "literal_value"
                and parts[0].end_byte == parts[1].start_byte
            ):
                number = _named(parts[1])
                text = self.text(number[0]) if number else ""
                if number and number[0].type == "numeric_lit" and any(c in text for c in ".eE"):
                    return _number("-" + text)
        return self.opaque(node)

    def _get_attr(self, node: Any) -> str | None:
        for c in node.named_children:
            if c.type == "identifier":
                return self.text(c)
        return None

    def _index(self, node: Any, depth: int) -> int | Key | None:
        kids = _named(node)
        if not kids:
            return None
        inner = kids[0]
        if inner.type == "legacy_index":
            index = literal(self.text(inner).lstrip(".").strip())
            return index if isinstance(index, int) else None
        if inner.type == "new_index":
            for c in inner.named_children:
                if c.type != "expression":
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
        for elem in node.named_children:
            if elem.type != "object_elem":
                continue
            kids = [c for c in elem.named_children if c.type == "expression"]
            if len(kids) < 2:
                continue
            key_node, value_node = kids[0], kids[-1]
            key = self._object_key(key_node, depth)
            out[key] = self.expr(value_node, depth + 1)
            out.key_pos[key] = self.pos(elem)
            out.value_pos[key] = self.pos(value_node)
        return out

    def _object_key(self, node: Any, depth: int) -> Any:
        value = self.expr(node, depth + 1)
        if isinstance(value, Ref) and len(value.parts) == 1 and _bare_identifier(node):
            return str(value.parts[0])  # `{ KEY = ... }`: a bare name is a literal key
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, Opaque):
            return value
        # a computed key `(local.k) = ...`: kept as an expression the builder cannot name
        return Opaque(self.source(node), tuple(refs_in(value)), self.pos(node))

    def call(self, node: Any, depth: int) -> Any:
        name: str | None = None
        args: list[Any] = []
        for c in node.named_children:
            if c.type == "identifier" and name is None:
                name = self.text(c)
            elif c.type == "function_arguments":
                for a in c.named_children:
                    if a.type == "expression":
                        args.append(self.expr(a, depth + 1))
                    elif a.type == "ellipsis":
                        return self.opaque(node)
        if not name:
            return self.opaque(node)
        return Call(name, tuple(args), self.pos(node))

    def opaque(self, node: Any) -> Opaque:
        refs: list[Ref] = []
        self._collect_refs(node, refs, 0)
        return Opaque(self.source(node), tuple(refs), self.pos(node))

    # ------------------------------------------------------------ traversals inside

    def _collect_refs(self, node: Any, out: list[Ref], depth: int) -> None:
        """The traversals inside an expression, in source order: each longest traversal
        (`a.b[0].c`) once; not those in a heredoc (read as text) or under a traversal."""
        if depth > MAX_DEPTH:
            return
        kind = node.type
        if kind == "heredoc_template" or kind == "comment":
            return
        if kind == "expression":
            self._chain_refs(_kids(node), out, depth)
            return
        if kind == "binary_operation" or kind == "unary_operation":
            group: list[Any] = []
            for c in _kids(node):
                if not c.is_named and c.type in _OPERATORS:
                    if group:
                        self._chain_refs(group, out, depth)
                    group = []
                else:
                    group.append(c)
            if group:
                self._chain_refs(group, out, depth)
            return
        for c in node.named_children:
            self._collect_refs(c, out, depth + 1)

    def _chain_refs(self, pieces: list[Any], out: list[Ref], depth: int) -> None:
        """A term and its steps: the traversal they spell up to the last step that keeps one
        (an index that is not a constant is passed over), else what is inside the term and
        the steps."""
        if not pieces:
            return
        if pieces[0].type == "(":
            primary, steps = (pieces[1] if len(pieces) > 1 else None), pieces[3:]
            base: Ref | None = None
        else:
            primary, steps = pieces[0], pieces[1:]
            base = self._base(primary)
        pending: list[Any] = []
        k = len(steps)
        while k > 0:
            step = steps[k - 1]
            if step.type in ("get_attr", "index"):
                ref = self._traversal(base, steps[:k], depth)
                if ref is not None:
                    out.append(ref)
                    break
            pending.append(step)
            k -= 1
        else:
            if primary is not None:
                self._collect_refs(primary, out, depth + 1)
        for step in reversed(pending):
            self._collect_refs(step, out, depth + 1)

    def _base(self, node: Any) -> Ref | None:
        if node.type != "variable_expr":
            return None
        kids = _named(node)
        return Ref((self.text(kids[0]) if kids else self.text(node),), self.pos(node))

    def _traversal(self, base: Ref | None, steps: list[Any], depth: int) -> Ref | None:
        """The traversal a term and its steps spell (`a.b[0].c`), or None; never an Opaque."""
        for step in steps:
            if step.type == "get_attr":
                attr = self._get_attr(step)
                base = Ref((*base.parts, attr), base.pos) if base and attr is not None else None
            elif step.type == "index":
                index = self._index(step, depth)
                if base is not None and index is not None:
                    base = Ref((*base.parts, index), base.pos)
            else:
                return None
        return base

    # ------------------------------------------------------------ strings

    def string(self, node: Any, depth: int) -> Any:
        """A quoted string: literal pieces (escapes decoded) and `${...}` interpolations; a
        `%{...}` directive makes it opaque."""
        parts: list[Any] = []
        raw, at = self.parsed.raw, self.parsed.offset
        kids = node.children
        if len(kids) < 2:
            return self.opaque(node)
        last = at(kids[0].end_byte)  # after the opening quote
        for c in kids[1:-1]:
            kind = c.type
            if kind == "template_literal" or kind == "comment":
                continue
            if kind == "template_directive":
                return self.opaque(node)
            if kind == "template_interpolation":
                start = at(c.start_byte)
                if start > last and raw[start - 1] == 0x24:
                    continue  # `$$${x}` is `$` and `$${x}` (the grammar reads `$$`, `${x}`)
                parts.extend(_literal_pieces(raw[last:start]))
                inner = [x for x in c.named_children if x.type == "expression"]
                parts.append(self.expr(inner[0], depth + 1) if inner else self.opaque(c))
                last = at(c.end_byte)
            else:
                return self.opaque(node)
        parts.extend(_literal_pieces(raw[last : at(kids[-1].start_byte)]))
        return _template(parts, self.pos(node))

    def heredoc(self, node: Any) -> Any:
        raw = self.source(node)
        trim = raw.startswith("<<-")
        first_nl = raw.find("\n")
        body = raw[first_nl + 1 :]
        lines = body.split("\n")
        # drop the closing marker line (and any blank piece after it)
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


# what may follow an operation and still be part of its text: blanks, then a newline and the
# next line's indentation, or a comment
_NEWLINE_OR_COMMENT = re.compile(rb"[ \t\r]*(?:\n[ \t]*|#[^\n]*\n|//[^\n]*\n|/\*(?:.|\n)*?\*/)")


def _ends_with_operation(node: Any) -> bool:
    """Whether the last term of an expression is a binary operation's."""
    for _ in range(MAX_DEPTH):
        kind = node.type
        if kind == "binary_operation":
            return True
        if kind not in ("expression", "operation", "conditional"):
            return False
        kids = _kids(node)
        if not kids:
            return False
        node = kids[-1]
    return False


def _number(text: str) -> Any:
    """An HCL number: an int unless it has a fraction or an exponent."""
    if "." in text or "e" in text or "E" in text:
        try:
            return float(text)
        except ValueError:
            return Opaque(text)
    return literal(text.strip())


def _literal_pieces(raw: bytes) -> list[str]:
    """The literal text of a string between two interpolations, escapes decoded."""
    if not raw:
        return []
    text = raw.decode("utf-8", "surrogatepass")
    if "$${" not in text and "%%{" not in text:
        return [expressions.unescape(text)]
    out = []
    for i, piece in enumerate(_ESCAPED_MARKUP.split(text)):
        if piece:
            out.append(piece[1:] if i % 2 else expressions.unescape(piece))
    return out


def _bare_identifier(node: Any) -> bool:
    """An object key written as a plain name (`{ KEY = ... }`), not `(KEY)` or `KEY.x`."""
    kids = _kids(node) if node.type == "expression" else [node]
    return len(kids) == 1 and kids[0].type == "variable_expr"


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
