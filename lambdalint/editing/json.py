"""Spans in JSON text (CloudFormation and CDK templates, Terraform JSON), and the edits that
change a value, add a member or add a list item there, in the file's own layout: a member added
to an object written one member per line goes on a line of its own, indented like the others;
one added to an object written on one line stays on it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from lambdalint.editing import SourceText, entry_with_key_at, node_at_path, set_in
from lambdalint.editing.yaml import Tagged
from lambdalint.findings import Edit
from lambdalint.model import Pos

JsonKind = Literal["scalar", "map", "seq"]

_WS = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(
    r'"(?:[^"\\]|\\.)*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null'
)


@dataclass(eq=False)
class JNode:
    kind: JsonKind
    start: int
    end: int
    value: Any = None  # a scalar's value
    pairs: list[tuple[JNode, JNode]] = field(default_factory=list)
    items: list[JNode] = field(default_factory=list)
    shared = False  # (JSON has no anchors or aliases: no node stands in two places)

    def get(self, key: str) -> JNode | None:
        found = None
        for k, v in self.pairs:
            if k.value == key:
                found = v
        return found


class JsonTree:
    def __init__(self, source: SourceText, root: JNode, values: dict[int, JNode]) -> None:
        self.source = source
        self.root = root
        self._values = values

    def value_at(self, pos: Pos) -> JNode | None:
        return self._values.get(self.source.offset(pos))

    def path(self, *keys: str | int) -> JNode | None:
        return node_at_path(self.root, keys)

    def entry_with_key_at(self, pos: Pos) -> tuple[JNode, JNode, JNode] | None:
        """(object, key, value) of the member whose key starts at `pos`."""
        return entry_with_key_at(self.root, self.source.offset(pos))

    def contains(self, outer: JNode, pos: Pos) -> bool:
        offset = self.source.offset(pos)
        return outer.start <= offset < outer.end

    def replace_scalar(self, node: JNode | None, value: Any) -> Edit | None:
        if node is None or node.kind != "scalar" or isinstance(value, (dict, list, Tagged)):
            return None
        if isinstance(value, int) and not isinstance(value, bool) and isinstance(node.value, str):
            value = str(value)  # a number written as a string stays a string
        return self.source.edit(node.start, node.end, json.dumps(value, ensure_ascii=False))

    def set_in(self, mapping: JNode, keys: list[str], value: Any) -> Edit | None:
        return set_in(mapping, keys, value, self.insert_entry, self.replace_scalar)

    def insert_entry(
        self, mapping: JNode, key: str, value: Any, after: str | None = None
    ) -> Edit | None:
        """Add `"key": value` to an object that lacks the key: after its last member (or the
        member `after`)."""
        if mapping.kind != "map" or mapping.get(key) is not None:
            return None
        member = f"{json.dumps(key, ensure_ascii=False)}: "
        if not mapping.pairs:
            return self.source.edit(mapping.start + 1, mapping.start + 1, member + _dumps(value))
        anchor = mapping.pairs[-1]
        if after is not None:
            anchor = next((p for p in mapping.pairs if p[0].value == after), anchor)
        return self._after(anchor[0], anchor[1], member, value)

    def append_item(self, seq: JNode, value: Any) -> Edit | None:
        if seq.kind != "seq":
            return None
        if not seq.items:
            return self.source.edit(seq.start + 1, seq.start + 1, _dumps(value))
        return self._after(seq.items[-1], seq.items[-1], "", value)

    def replace_item(self, seq: JNode, item: JNode, values: list[Any]) -> Edit | None:
        """Write `values` as items of an array in place of its item `item` (none: the item is
        removed, with its comma)."""
        if seq.kind != "seq" or not any(i is item for i in seq.items):
            return None
        src = self.source
        index = next(n for n, i in enumerate(seq.items) if i is item)
        if not values:
            if len(seq.items) == 1:
                return src.edit(seq.start + 1, seq.end - 1, "")
            if index + 1 < len(seq.items):
                return src.edit(item.start, seq.items[index + 1].start, "")
            return src.edit(seq.items[index - 1].end, item.end, "")
        before = src.text[src.line_start(item.start) : item.start]
        if before.strip():
            text = ", ".join(_dumps(v) for v in values)
        else:
            step = self._step()
            text = (",\n" + before).join(_dumps(v, step, before) for v in values)
        return src.edit(item.start, item.end, text)

    def _after(self, first: JNode, last: JNode, prefix: str, value: Any) -> Edit:
        src = self.source
        before = src.text[src.line_start(first.start) : first.start]
        own_line = not before.strip()
        if own_line:
            indent = before
            text = "," + "\n" + indent + prefix + _dumps(value, self._step(), indent)
        else:
            text = ", " + prefix + _dumps(value)
        return src.edit(last.end, last.end, text)

    def _step(self) -> str:
        """The file's indentation unit (two spaces when it has none)."""
        src = self.source
        for k, v in self.root.pairs if self.root.kind == "map" else []:
            if v.kind == "map" and v.pairs:
                outer = src.text[src.line_start(k.start) : k.start]
                inner = src.text[src.line_start(v.pairs[0][0].start) : v.pairs[0][0].start]
                if not outer.strip() and not inner.strip() and len(inner) > len(outer):
                    return inner[len(outer) :]
        return "  "


def _plain(value: Any) -> Any:
    if isinstance(value, Tagged):
        return {value.name: _plain(value.value)}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _dumps(value: Any, step: str | None = None, indent: str = "") -> str:
    if step is None:
        return json.dumps(_plain(value), ensure_ascii=False)
    text = json.dumps(_plain(value), ensure_ascii=False, indent=step)
    return text.replace("\n", "\n" + indent)


def parse(source: SourceText) -> JsonTree | None:
    """The tree of a JSON text with every value's span; None when it is no valid JSON."""
    s = source.text
    values: dict[int, JNode] = {}
    stack: list[tuple[JNode, list[JNode | None]]] = []
    i = _WS.match(s, 0).end()  # type: ignore[union-attr]
    root: JNode | None = None

    def add(node: JNode) -> None:
        nonlocal root
        values[node.start] = node
        if not stack:
            root = node
            return
        parent, pending = stack[-1]
        if parent.kind == "map":
            key = pending[0]
            assert key is not None
            parent.pairs.append((key, node))
            pending[0] = None
        else:
            parent.items.append(node)

    # what may come next: a value, a key, ":", "," or the container's end
    expect = "value"
    try:
        while i < len(s):
            c = s[i]
            if c in "{[":
                if expect not in ("value", "value-or-end"):
                    return None
                stack.append((JNode("map" if c == "{" else "seq", i, i), [None]))
                expect = "key-or-end" if c == "{" else "value-or-end"
                i += 1
            elif c in "}]":
                if not stack or expect not in ("next", "key-or-end", "value-or-end"):
                    return None
                node, _ = stack.pop()
                if (c == "}") != (node.kind == "map"):
                    return None
                node.end = i + 1
                i += 1
                add(node)
                expect = "next"
            elif c == ",":
                if expect != "next" or not stack:
                    return None
                expect = "key" if stack[-1][0].kind == "map" else "value"
                i += 1
            elif c == ":":
                if expect != "colon":
                    return None
                expect = "value"
                i += 1
            else:
                m = _SCALAR.match(s, i)
                if m is None:
                    return None
                node = JNode("scalar", i, m.end(), json.loads(m.group()))
                i = m.end()
                if expect in ("key", "key-or-end"):
                    if not isinstance(node.value, str):
                        return None
                    stack[-1][1][0] = node
                    expect = "colon"
                elif expect in ("value", "value-or-end"):
                    add(node)
                    expect = "next"
                else:
                    return None
            i = _WS.match(s, i).end()  # type: ignore[union-attr]
            if not stack and root is not None:
                break
    except (ValueError, IndexError, AssertionError):
        return None
    if root is None or stack:
        return None
    return JsonTree(source, root, values)
