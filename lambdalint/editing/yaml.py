"""Spans in YAML text, and the edits that change a value, add a key or add a list item there.

The tree is built from libyaml's events, whose marks give each node's start and end offset in
the text; values are never constructed. New text follows the file's own layout: a key added to
a block mapping goes on a line of its own after the last entry, at the column of the others,
with the file's indentation step; one added to a flow mapping (`{a: 1}`) goes inside it.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from lambdalint.editing import SourceText, entry_with_key_at, node_at_path, set_in
from lambdalint.findings import Edit
from lambdalint.model import Pos

NodeKind = Literal["scalar", "map", "seq", "alias"]


@dataclass(frozen=True)
class Tagged:
    """A CloudFormation intrinsic function as a fix writes it: `!Ref X` in YAML,
    `{"Ref": "X"}` in JSON. `name` is the long form (`Ref`, `Fn::GetAtt`, `Fn::Sub`)."""

    name: str
    value: Any


@dataclass(eq=False)
class YNode:
    kind: NodeKind
    start: int
    end: int
    tag: str | None = None
    style: str | None = None  # a scalar's: "" plain, "'", '"', "|", ">"
    flow: bool = False  # a collection written `{...}` / `[...]`
    value: str | None = None  # a scalar's text; an alias's anchor name
    anchor: str | None = None  # `&name` written on the node
    # the node's text is not its own to change: an anchored scalar (its span holds `&name`),
    # an alias, or a node in an anchored collection that an alias repeats elsewhere
    shared: bool = False
    pairs: list[tuple[YNode, YNode]] = field(default_factory=list)
    items: list[YNode] = field(default_factory=list)

    def get(self, key: str) -> YNode | None:
        """The value of `key` in a mapping (the last one written, as the loader reads it)."""
        found = None
        for k, v in self.pairs:
            if k.kind == "scalar" and k.value == key:
                found = v
        return found

    def key_node(self, key: str) -> YNode | None:
        found = None
        for k, _ in self.pairs:
            if k.kind == "scalar" and k.value == key:
                found = k
        return found

    @property
    def plain_scalar(self) -> bool:
        """A scalar written as a literal value: no tag (`!Ref`), not a block scalar."""
        return (
            self.kind == "scalar" and self.tag in (None, "!") and self.style in ("", None, "'", '"')
        )


class YamlTree:
    """The first document of a YAML text, as nodes with their spans."""

    def __init__(self, source: SourceText, root: YNode, values: dict[int, list[YNode]]) -> None:
        self.source = source
        self.root = root
        self._values = values
        self._step: int | None = None
        self._seq_indent: int | None = None

    # ------------------------------------------------------------ finding nodes

    def value_at(self, pos: Pos) -> YNode | None:
        """The value (a mapping's value, a list item, the root) that starts at `pos`; of a
        block mapping and its first value, which start at one point, the innermost."""
        nodes = self._values.get(self.source.offset(pos))
        return nodes[-1] if nodes else None

    def path(self, *keys: str | int) -> YNode | None:
        return node_at_path(self.root, keys)

    def entry_with_key_at(self, pos: Pos) -> tuple[YNode, YNode, YNode] | None:
        """(mapping, key, value) of the entry whose key starts at `pos`."""
        return entry_with_key_at(self.root, self.source.offset(pos))

    def contains(self, outer: YNode, pos: Pos) -> bool:
        offset = self.source.offset(pos)
        return outer.start <= offset < max(outer.end, outer.start + 1)

    # ------------------------------------------------------------ edits

    def replace_scalar(self, node: YNode | None, value: Any) -> Edit | None:
        """Write `value` in place of the literal scalar `node`, in its quoting style; None when
        the node is no literal scalar (a tag, a block scalar, a collection, an alias)."""
        if node is None or not node.plain_scalar or node.shared:
            return None
        text = scalar_text(value, node.style or "", flow=self._in_flow(node))
        if text is None:
            return None
        return self.source.edit(node.start, node.end, text)

    def set_in(self, mapping: YNode, keys: list[str], value: Any) -> Edit | None:
        """Set `keys` (a path from `mapping`) to `value`: the literal at the end of the path is
        replaced, the missing part of the path is added. None when the path leads through
        something else than a mapping (an intrinsic, a list, an alias)."""
        return set_in(mapping, keys, value, self.insert_entry, self.replace_scalar)

    def insert_entry(
        self, mapping: YNode, key: str, value: Any, after: YNode | None = None
    ) -> Edit | None:
        """Add `key: value` to a mapping that does not have the key: after its last entry (or
        after the entry whose key is `after`)."""
        if mapping.kind != "map" or mapping.shared or mapping.get(key) is not None:
            return None
        src = self.source
        if mapping.flow:
            close = src.text.rfind("}", mapping.start, mapping.end)
            if close < 0:
                return None
            at = close
            while at > mapping.start + 1 and src.text[at - 1] in " \t\r\n":
                at -= 1
            prefix = ", " if mapping.pairs else ""
            return src.edit(
                at, at, f"{prefix}{scalar_text(key, '', flow=True)}: {flow_text(value)}"
            )
        if not mapping.pairs:
            return None
        anchor = mapping.pairs[-1]
        if after is not None:
            anchor = next((p for p in mapping.pairs if p[0] is after), anchor)
        first_key = mapping.pairs[0][0]
        column = first_key.start - src.line_start(first_key.start)
        lines = entry_lines(key, value, column, self.step, self.seq_indent)
        if lines is None:
            return None
        return self._add_lines(anchor[1], lines)

    def append_item(self, seq: YNode, value: Any) -> Edit | None:
        """Add `value` as the last item of a list."""
        if seq.kind != "seq" or seq.shared:
            return None
        src = self.source
        if seq.flow:
            close = src.text.rfind("]", seq.start, seq.end)
            if close < 0:
                return None
            at = close
            while at > seq.start + 1 and src.text[at - 1] in " \t\r\n":
                at -= 1
            return src.edit(at, at, f"{', ' if seq.items else ''}{flow_text(value)}")
        if not seq.items:
            return None
        column = seq.start - src.line_start(seq.start)
        lines = item_lines(value, column, self.step, self.seq_indent)
        if lines is None:
            return None
        return self._add_lines(seq.items[-1], lines)

    def replace_item(self, seq: YNode, item: YNode, values: list[Any]) -> Edit | None:
        """Write `values` as items of a block list in place of its item `item` (none: the item
        is removed with its lines)."""
        if seq.kind != "seq" or seq.flow or not any(i is item for i in seq.items):
            return None
        if self._in_flow(seq):
            return None
        src = self.source
        text = src.text
        dash = text.rfind("-", src.line_start(item.start), item.start)
        if dash < 0 or text[src.line_start(dash) : dash].strip():
            return None  # `- - x`, or the item is not on its dash's line
        end = self._content_end(item)
        if not values:
            start = src.line_start(dash)
            stop = src.line_end(end)
            for brk in ("\r\n", "\n", "\r"):
                if text.startswith(brk, stop):
                    stop += len(brk)
                    break
            return src.edit(start, stop, "")
        column = dash - src.line_start(dash)
        lines: list[str] = []
        for value in values:
            found = item_lines(value, column, self.step, self.seq_indent)
            if found is None:
                return None
            lines += found
        return src.edit(dash, end, "\n".join(lines)[column:])

    def _content_end(self, node: YNode) -> int:
        """Where the text of a value ends: its last scalar, closing bracket or quote, before
        the blank lines and comments that follow it."""
        last = node
        while last.kind in ("map", "seq") and not last.flow:
            if last.kind == "map" and last.pairs:
                last = last.pairs[-1][1]
            elif last.kind == "seq" and last.items:
                last = last.items[-1]
            else:
                break
        text = self.source.text
        end = last.end
        while end > last.start and text[end - 1] in " \t\r\n":
            end -= 1
        return end

    # ------------------------------------------------------------ layout

    def _add_lines(self, last: YNode, lines: list[str]) -> Edit:
        """Lines added after the value `last`: at the end of the line its text ends on (after a
        comment there), so comments on the lines below stay with what follows them."""
        src = self.source
        while last.kind in ("map", "seq") and not last.flow:
            if last.kind == "map" and last.pairs:
                last = last.pairs[-1][1]
            elif last.kind == "seq" and last.items:
                last = last.items[-1]
            else:
                break
        text = src.text
        if last.style in ("|", ">") and "+" in text[last.start : src.line_end(last.start)]:
            # a block scalar that keeps its trailing blank lines: they are part of its value
            at = last.end
            if at == src.line_start(at):
                return src.edit(at, at, "".join(line + "\n" for line in lines))
        end = last.end
        while end > last.start and text[end - 1] in " \t\r\n":
            end -= 1
        at = src.line_end(end)
        return src.edit(at, at, "".join("\n" + line for line in lines))

    def _in_flow(self, node: YNode) -> bool:
        stack = [(self.root, False)]
        while stack:
            current, flow = stack.pop()
            if current is node:
                return flow
            inner = flow or current.flow
            if current.kind == "map":
                stack.extend((v, inner) for _, v in current.pairs)
            elif current.kind == "seq":
                stack.extend((i, inner) for i in current.items)
        return False

    @property
    def step(self) -> int:
        """The file's indentation step: how far a nested block mapping's keys sit right of
        their parent's key (2 when the file does not show it)."""
        if self._step is None:
            self._step, self._seq_indent = self._layout()
        return self._step

    @property
    def seq_indent(self) -> int:
        """How far a block list's `-` sits right of its key (0: `key:` then `- item`)."""
        if self._seq_indent is None:
            self._step, self._seq_indent = self._layout()
        return self._seq_indent

    def _layout(self) -> tuple[int, int]:
        src = self.source
        step = seq = None
        stack = [self.root]
        while stack and (step is None or seq is None):
            node = stack.pop()
            if node.kind != "map" or node.flow:
                if node.kind == "seq":
                    stack.extend(reversed(node.items))
                continue
            for k, v in node.pairs:
                key_col = k.start - src.line_start(k.start)
                if src.line_start(v.start) == src.line_start(k.start):
                    stack.append(v)
                    continue
                if v.kind == "map" and not v.flow and v.pairs and step is None:
                    diff = v.pairs[0][0].start - src.line_start(v.start) - key_col
                    step = diff if diff > 0 else None
                elif v.kind == "seq" and not v.flow and seq is None:
                    seq = v.start - src.line_start(v.start) - key_col
                stack.append(v)
        step = step or 2
        return step, (seq if seq is not None and seq >= 0 else step)


def parse(source: SourceText) -> YamlTree | None:
    """The tree of a YAML text; None when it does not parse (the file is not fixed then)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    values: dict[int, list[YNode]] = {}
    stack: list[tuple[YNode, list[YNode | None]]] = []  # (collection, [pending key])
    root: YNode | None = None
    aliased: set[str] = set()  # the anchors an alias names

    def add(node: YNode) -> bool:
        nonlocal root
        if not stack:
            root = node
            values.setdefault(node.start, []).append(node)
            return True
        parent, pending = stack[-1]
        if parent.kind == "map":
            if pending[0] is None:
                pending[0] = node
                return False
            parent.pairs.append((pending[0], node))
            pending[0] = None
        else:
            parent.items.append(node)
        values.setdefault(node.start, []).append(node)
        return False

    ev: Any  # PyYAML's events: each kind has its own attributes
    opening = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    closing = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    try:
        for ev in yaml.parse(source.text, Loader=loader):
            cls = type(ev)
            start, end = ev.start_mark.index, ev.end_mark.index
            if cls is yaml.ScalarEvent:
                scalar = YNode("scalar", start, end, ev.tag, ev.style, value=ev.value)
                scalar.anchor = ev.anchor
                if add(scalar):
                    break
            elif cls in opening:
                kind: NodeKind = "map" if cls is yaml.MappingStartEvent else "seq"
                opened = YNode(kind, start, end, ev.tag, flow=bool(ev.flow_style))
                opened.anchor = ev.anchor
                stack.append((opened, [None]))
            elif cls in closing:
                node, _ = stack.pop()
                node.end = end
                if add(node):
                    break
            elif cls is yaml.AliasEvent:
                aliased.add(ev.anchor)
                if add(YNode("alias", start, end, value=ev.anchor)):
                    break
    except yaml.YAMLError:
        return None
    if root is None:
        return None
    _mark_shared(root, aliased)
    return YamlTree(source, root, values)


def _mark_shared(root: YNode, aliased: set[str]) -> None:
    """Mark the nodes a fix must leave alone (`YNode.shared`)."""
    stack = [(root, False)]
    while stack:
        node, inside = stack.pop()
        anchored = node.anchor is not None and (node.kind == "scalar" or node.anchor in aliased)
        node.shared = inside or anchored or node.kind == "alias"
        if node.kind == "map":
            stack.extend((part, node.shared) for pair in node.pairs for part in pair)
        elif node.kind == "seq":
            stack.extend((item, node.shared) for item in node.items)


# ---------------------------------------------------------------- writing values

_PLAIN = re.compile(r"[A-Za-z0-9_/.$][A-Za-z0-9_./:${}\-*@+=]*")
_FLOW_UNSAFE = re.compile(r"[,\[\]{}]")


@functools.lru_cache(maxsize=4096)
def _reads_back(value: str) -> bool:
    """Whether `value` written plain reads back as the same string (not a number, a date, a
    boolean, null...), by libyaml's reading."""
    return bool(yaml.load(f"k: {value}", Loader=_LOADER) == {"k": value})


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def scalar_text(value: Any, style: str = "", flow: bool = False) -> str | None:
    """A scalar as YAML writes it: plain when it reads back as the same value, else quoted
    (in `style` when it was quoted)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        # a number written quoted stays quoted
        return f"{style}{value}{style}" if style in ("'", '"') else str(value)
    if isinstance(value, Tagged):
        return tagged_text(value)
    if not isinstance(value, str):
        return None
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style == '"':
        return json.dumps(value, ensure_ascii=False)
    if _PLAIN.fullmatch(value) and not (flow and _FLOW_UNSAFE.search(value)):
        try:
            if _reads_back(value):
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)


def tagged_text(value: Tagged) -> str | None:
    short = value.name[4:] if value.name.startswith("Fn::") else value.name
    arg = value.value
    if value.name == "Fn::GetAtt" and isinstance(arg, list):
        arg = ".".join(str(a) for a in arg)
    text = scalar_text(arg, flow=True) if not isinstance(arg, (dict, list)) else flow_text(arg)
    return None if text is None else f"!{short} {text}"


def flow_text(value: Any) -> str:
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{scalar_text(k, flow=True)}: {flow_text(v)}" for k, v in value.items())
            + "}"
        )
    if isinstance(value, list):
        return "[" + ", ".join(flow_text(v) for v in value) + "]"
    return scalar_text(value, flow=True) or json.dumps(str(value))


def entry_lines(key: str, value: Any, column: int, step: int, seq_indent: int) -> list[str] | None:
    """`key: value` in block style, its first line at `column`."""
    pad = " " * column
    name = scalar_text(key)
    if isinstance(value, dict) and value:
        lines = [f"{pad}{name}:"]
        for k, v in value.items():
            inner = entry_lines(k, v, column + step, step, seq_indent)
            if inner is None:
                return None
            lines += inner
        return lines
    if isinstance(value, list) and value:
        lines = [f"{pad}{name}:"]
        for item in value:
            inner = item_lines(item, column + seq_indent, step, seq_indent)
            if inner is None:
                return None
            lines += inner
        return lines
    text = flow_text(value) if isinstance(value, (dict, list)) else scalar_text(value)
    return None if text is None else [f"{pad}{name}: {text}"]


def item_lines(value: Any, column: int, step: int, seq_indent: int) -> list[str] | None:
    """`- value` in block style, the dash at `column`."""
    pad = " " * column
    if isinstance(value, dict) and value:
        lines: list[str] = []
        for k, v in value.items():
            inner = entry_lines(k, v, column + 2, step, seq_indent)
            if inner is None:
                return None
            lines += inner
        lines[0] = f"{pad}- {lines[0][column + 2 :]}"
        return lines
    text = flow_text(value) if isinstance(value, (dict, list)) else scalar_text(value)
    return None if text is None else [f"{pad}- {text}"]
