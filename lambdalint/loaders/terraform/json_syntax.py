"""Terraform JSON (`*.tf.json`, CDK for Terraform's `cdk.tf.json`) → the shared Terraform form.

Every string value is a template: `"${aws_iam_role.fn.arn}"` is a traversal, the expression
inside `${...}` is parsed with the HCL expression grammar. `"//"` keys are comments.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lambdalint.loaders.documents import LoadSession, parse_file_text
from lambdalint.loaders.suppressions import json_comment_ignores
from lambdalint.loaders.terraform.hcl import split_template
from lambdalint.loaders.terraform.model import Resource, SourceText, TfFile, Variable
from lambdalint.model import UNKNOWN, Diagnostic, Loc, Pos
from lambdalint.reading.positions import LList, LMap, LoadError

MAX_DEPTH = 200


class TfJsonError(Exception):
    def __init__(self, message: str, pos: Pos) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


def parse_file(path: Path, text: str, session: LoadSession) -> tuple[TfFile, list[Diagnostic]]:
    """Parse one .tf.json file (raises TfJsonError); also returns duplicate-key diagnostics."""
    try:
        data, diags = parse_file_text(text, path, "json", session)
    except LoadError as exc:
        raise TfJsonError(exc.message, exc.pos) from None
    tf = TfFile(path)
    if not isinstance(data, LMap):
        raise TfJsonError("a Terraform JSON file must hold an object", Pos())
    for head in ("resource", "data"):
        mode = "managed" if head == "resource" else "data"
        for rtype, _rtype_pos, name, name_pos, body in _labelled2(data.get(head)):
            converted = _body(body, path, 0)
            count = converted.get("count")
            if count == 0:
                continue
            res = Resource(mode, rtype, name, converted, Loc(path, name_pos))
            res.suppressed = json_comment_ignores(body.get("//"))
            tf.resources.append(res)
    for name, name_pos, body in _labelled1(data.get("variable")):
        # variable defaults are plain values: no interpolation
        default = body.get("default", UNKNOWN)
        tf.variables.append(
            Variable(name, default, body.get("sensitive") is True, Loc(path, name_pos))
        )
    for block in _as_blocks(data.get("locals")):
        for k, v in block.items():
            if isinstance(k, str) and k != "//":
                tf.locals[k] = (
                    _value(v, block.value_pos.get(k, block.pos), path, 0),
                    Loc(path, block.value_pos.get(k, block.pos)),
                )
    for name, name_pos, body in _labelled1(data.get("output")):
        if "value" in body:
            vpos = body.value_pos.get("value", body.pos)
            tf.outputs[name] = (_value(body["value"], vpos, path, 0), Loc(path, name_pos))
    for name, name_pos, body in _labelled1(data.get("module")):
        source = body.get("source")
        tf.module_calls.append(
            Resource(
                "module",
                source if isinstance(source, str) else "",
                name,
                _body(body, path, 0),
                Loc(path, name_pos),
            )
        )
    return tf, diags


def _as_blocks(value: Any) -> list[LMap]:
    if isinstance(value, LMap):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, LMap)]
    return []


def _labelled1(value: Any) -> list[tuple[str, Pos, LMap]]:
    """`{"name": {...}}` (or a list of such objects) → (name, position, body)."""
    out = []
    for block in _as_blocks(value):
        for name, body in block.items():
            if name == "//" or not isinstance(name, str):
                continue
            for b in _as_blocks(body):
                out.append((name, block.key_pos.get(name, block.pos), b))
    return out


def _labelled2(value: Any) -> list[tuple[str, Pos, str, Pos, LMap]]:
    out = []
    for rtype, rtype_pos, inner in _labelled1(value):
        for name, name_pos, body in _labelled1(inner):
            out.append((rtype, rtype_pos, name, name_pos, body))
    return out


def _value(value: Any, pos: Pos, path: Path, depth: int) -> Any:
    if depth > MAX_DEPTH:
        return UNKNOWN
    if isinstance(value, str):
        if "${" not in value and "%{" not in value:
            return SourceText.at(value, pos, verbatim=False)
        return split_template(value, pos)
    if isinstance(value, LMap):
        return _body(value, path, depth + 1)
    if isinstance(value, LList):
        lst = LList(value.pos)
        for i, item in enumerate(value):
            ipos = value.item_pos[i] if i < len(value.item_pos) else value.pos
            lst.append(_value(item, ipos, path, depth + 1))
            lst.item_pos.append(ipos)
        return lst
    return value


def _body(value: LMap, path: Path, depth: int) -> LMap:
    out = LMap(value.pos)
    for k, v in value.items():
        if k == "//":
            continue
        vpos = value.value_pos.get(k, value.pos)
        out[k] = _value(v, vpos, path, depth + 1)
        out.key_pos[k] = value.key_pos.get(k, value.pos)
        out.value_pos[k] = vpos
    return out
