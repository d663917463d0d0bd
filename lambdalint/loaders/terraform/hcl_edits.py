"""Spans in Terraform HCL text, and the edits fixes make there: change a literal value, add an
attribute to a block, add a block to the file. The spans come from python-hcl2's Lark tree (the
parser the loader uses), whose nodes carry their start and end line and column."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lambdalint.editing import SourceText
from lambdalint.findings import Edit
from lambdalint.loaders.terraform.hcl import HclError, parse_tree
from lambdalint.model import Pos


@dataclass(frozen=True)
class Expression:
    """An HCL expression written as is (`"/aws/lambda/${aws_lambda_function.x.function_name}"`,
    `aws_iam_role.x.id`)."""

    text: str


@dataclass(eq=False)
class HAttribute:
    name: str
    start: int
    value_start: int
    value_end: int
    literal: bool  # a number or a string without interpolation


@dataclass(eq=False)
class HBlock:
    kind: str
    labels: list[str]
    start: int
    end: int  # after the closing brace
    attributes: list[HAttribute] = field(default_factory=list)
    blocks: list[HBlock] = field(default_factory=list)

    def attribute(self, name: str) -> HAttribute | None:
        return next((a for a in self.attributes if a.name == name), None)


class HclTree:
    def __init__(self, source: SourceText, blocks: list[HBlock], values: dict[int, HAttribute]):
        self.source = source
        self.blocks = blocks
        self._values = values

    def block_at(self, pos: Pos) -> HBlock | None:
        offset = self.source.offset(pos)
        return next((b for b in self.blocks if b.start == offset), None)

    def block(self, kind: str, *labels: str) -> HBlock | None:
        return next((b for b in self.blocks if b.kind == kind and b.labels == list(labels)), None)

    def value_at(self, pos: Pos) -> HAttribute | None:
        return self._values.get(self.source.offset(pos))

    def replace_literal(self, attribute: HAttribute | None, value: Any) -> Edit | None:
        if attribute is None or not attribute.literal:
            return None
        text = value_text(value)
        if text is None:
            return None
        return self.source.edit(attribute.value_start, attribute.value_end, text)

    def insert_attribute(self, block: HBlock, name: str, value: Any) -> Edit | None:
        """Add `name = value` to a block that lacks it: after its last attribute, else as the
        first line of its body."""
        if block.attribute(name) is not None:
            return None
        text = value_text(value)
        if text is None:
            return None
        src = self.source
        if block.attributes:
            last = block.attributes[-1]
            indent = src.indent_at(block.attributes[0].start)
            at = src.line_end(last.value_end)
            # aligned on the `=` of the attribute above, as `terraform fmt` aligns a group
            written = src.text[last.start : last.value_start]
            width = written.find("=")
            head = name.ljust(width) if width > len(name) else name + " "
            return src.edit(at, at, f"\n{indent}{head}= {text}")
        brace = src.text.find("{", block.start, block.end)
        if brace < 0 or src.line_start(brace) == src.line_start(block.end - 1):
            return None  # a block on one line: left alone
        indent = src.indent_at(block.start) + "  "
        at = src.line_end(brace)
        return src.edit(at, at, f"\n{indent}{name} = {text}")

    def append_block(self, text: str) -> Edit:
        """Add a top-level block at the end of the file, after a blank line."""
        src = self.source
        end = len(src.text)
        lead = "" if src.text.endswith("\n") or not src.text else "\n"
        return src.edit(end, end, f"{lead}\n{text}")


def value_text(value: Any) -> str | None:
    if isinstance(value, Expression):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        escaped = json.dumps(value, ensure_ascii=False)
        return escaped.replace("${", "$${").replace("%{", "%%{")
    return None


def parse(source: SourceText) -> HclTree | None:
    """The blocks and attributes of an HCL text with their spans; None when it does not parse."""
    try:
        tree = parse_tree(source.text)
    except HclError:
        return None
    values: dict[int, HAttribute] = {}
    body = tree.children[0] if tree.children else None
    blocks = [
        _block(source, node, values, 0)
        for node in getattr(body, "children", [])
        if getattr(node, "data", None) == "block"
    ]
    return HclTree(source, blocks, values)


def _offset(source: SourceText, line: int, column: int) -> int:
    return source.offset(Pos(line, column))


def _span(source: SourceText, node: Any) -> tuple[int, int]:
    meta = getattr(node, "meta", None)
    if meta is not None and not getattr(meta, "empty", True):
        return (
            _offset(source, meta.line, meta.column),
            _offset(source, meta.end_line, meta.end_column),
        )
    return (
        _offset(source, node.line, node.column),
        _offset(source, node.end_line, node.end_column),
    )


def _label(node: Any) -> str:
    if getattr(node, "data", None) == "string":
        parts = [c for c in node.children if getattr(c, "data", None) == "string_part"]
        return "".join(str(t) for p in parts for t in p.children)
    first = node.children[0] if getattr(node, "children", None) else node
    return str(first)


def _literal(node: Any) -> bool:
    while getattr(node, "data", None) == "expr_term" and len(node.children) == 1:
        node = node.children[0]
    kind = getattr(node, "data", None)
    if kind in ("int_lit", "float_lit"):
        return True
    if kind == "string":
        inner = [c for c in node.children if getattr(c, "type", None) != "DBLQUOTE"]
        return all(
            getattr(c, "data", None) == "string_part"
            and all(getattr(t, "type", None) == "STRING_CHARS" for t in c.children)
            for c in inner
        )
    return False


def _block(source: SourceText, node: Any, values: dict[int, HAttribute], depth: int) -> HBlock:
    kids = [c for c in node.children if getattr(c, "data", None) != "new_line_or_comment"]
    start, end = _span(source, node)
    labels = [_label(c) for c in kids[1:] if getattr(c, "data", None) in ("string", "identifier")]
    block = HBlock(_label(kids[0]) if kids else "", labels, start, end)
    body = next((c for c in kids if getattr(c, "data", None) == "body"), None)
    if depth > 50:
        return block
    for child in getattr(body, "children", []):
        kind = getattr(child, "data", None)
        if kind == "attribute":
            parts = [c for c in child.children if getattr(c, "data", None) != "new_line_or_comment"]
            if len(parts) < 3:
                continue
            value_start, value_end = _span(source, parts[-1])
            attribute = HAttribute(
                _label(parts[0]),
                _span(source, child)[0],
                value_start,
                value_end,
                _literal(parts[-1]),
            )
            block.attributes.append(attribute)
            values[value_start] = attribute
        elif kind == "block":
            block.blocks.append(_block(source, child, values, depth + 1))
    return block
