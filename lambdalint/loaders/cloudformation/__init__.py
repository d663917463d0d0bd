"""Claim and load CloudFormation/SAM template files (YAML or JSON)."""

from __future__ import annotations

from pathlib import Path

from lambdalint.loaders.cloudformation.functions import (
    is_template,
    json_cannot_be_template,
    load,
    looks_like_template,
)
from lambdalint.loaders.documents import LoadSession
from lambdalint.model import Diagnostic, Function


def claims(path: Path, text: str) -> bool:
    name = path.name.lower()
    if name.endswith((".tf", ".tf.json")):
        return False
    return looks_like_template(text)


def load_file(
    path: Path, text: str, session: LoadSession
) -> tuple[list[Function], list[Diagnostic]]:
    kind = "json" if text.lstrip()[:1] in ("{", "[") else "yaml"
    if kind == "json" and json_cannot_be_template(text):
        return [], []
    doc, functions = load(path, text, kind, session)
    if doc.data is None:
        return functions, doc.diagnostics
    if not is_template(doc.data):
        # a YAML/JSON file that mentions Resources but is no template (e.g. a k8s manifest):
        # its duplicate keys are not ours to report
        return [], []
    return functions, doc.diagnostics
