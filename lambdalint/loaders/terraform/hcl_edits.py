"""Spans in Terraform HCL text, and the edits fixes make there: change a literal value, add an
attribute to a block, add a block to the file. The spans come from the syntax tree the loader
reads (tree-sitter's HCL grammar), mapped onto the file's text by line and column."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lambdalint.editing import SourceText
from lambdalint.findings import Edit
from lambdalint.loaders.terraform.hcl import HclError, _Parsed, parse_tree
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
    body = next((c for c in tree.root.named_children if c.type == "body"), None)
    nodes = body.named_children if body is not None else []
    blocks = [_block(source, tree, node, values, 0) for node in nodes if node.type == "block"]
    return HclTree(source, blocks, values)


def _span(source: SourceText, tree: _Parsed, node: Any) -> tuple[int, int]:
    """The node's start and end as offsets in `source` (the parser's offsets are those of the
    text it was given, whose lines and columns are the file's: so are the node's)."""
    start = source.offset(tree.pos(node))
    end = source.offset(tree._pos_at(tree.end(node)))
    return start, end


def _named(node: Any) -> list[Any]:
    return [c for c in node.named_children if c.type != "comment"]


def _label(tree: _Parsed, node: Any) -> str:
    if node.type == "string_lit":
        return "".join(tree.source(c) for c in _named(node) if c.type == "template_literal")
    return tree.source(node)


def _literal(node: Any) -> bool:
    """A number, or a quoted string without interpolation or directive."""
    kids = _named(node)
    if node.type != "expression" or len(kids) != 1 or kids[0].type != "literal_value":
        return False
    inner = _named(kids[0])
    if len(inner) != 1:
        return False
    if inner[0].type == "numeric_lit":
        return True
    return inner[0].type == "string_lit" and all(
        c.type in ("template_literal", "quoted_template_start", "quoted_template_end")
        for c in _named(inner[0])
    )


def _block(
    source: SourceText, tree: _Parsed, node: Any, values: dict[int, HAttribute], depth: int
) -> HBlock:
    kids = _named(node)
    start, end = _span(source, tree, node)
    labels = [_label(tree, c) for c in kids[1:] if c.type in ("string_lit", "identifier")]
    block = HBlock(_label(tree, kids[0]) if kids else "", labels, start, end)
    body = next((c for c in kids if c.type == "body"), None)
    if depth > 50 or body is None:
        return block
    for child in body.named_children:
        if child.type == "attribute":
            parts = _named(child)
            value = next((c for c in reversed(parts) if c.type == "expression"), None)
            if not parts or parts[0].type != "identifier" or value is None:
                continue
            value_start, value_end = _span(source, tree, value)
            attribute = HAttribute(
                tree.source(parts[0]),
                _span(source, tree, child)[0],
                value_start,
                value_end,
                _literal(value),
            )
            block.attributes.append(attribute)
            values[value_start] = attribute
        elif child.type == "block":
            block.blocks.append(_block(source, tree, child, values, depth + 1))
    return block
