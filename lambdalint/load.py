"""Load every discovered config file into one Project (functions + diagnostics).

Each file is read once and handed to the first loader that claims it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lambdalint.loaders.document import read_text
from lambdalint.model import Diagnostic, Function, Loc, Project


@dataclass(frozen=True)
class LoaderSpec:
    """A loader module: `claims(path, text)` says whether it handles the file (cheaply);
    `load_file(path, text)` returns (functions, diagnostics)."""

    module: str


# Order matters: the first loader that claims a file loads it.
LOADERS = (
    LoaderSpec("lambdalint.loaders.serverless"),
    LoaderSpec("lambdalint.loaders.terraform_plan"),
    LoaderSpec("lambdalint.loaders.terraform_json"),
    LoaderSpec("lambdalint.loaders.terraform_hcl"),
    LoaderSpec("lambdalint.loaders.cfn_file"),
)

LoadFn = Callable[[Path, str], "tuple[list[Function], list[Diagnostic]]"]


def _modules() -> list[object]:
    mods = []
    for spec in LOADERS:
        try:
            mods.append(importlib.import_module(spec.module))
        except ImportError:
            continue
    return mods


def load_file(path: Path, text: str) -> tuple[list[Function], list[Diagnostic]]:
    """Load one config file; never raises for bad input."""
    if "{{cookiecutter" in text or "{%" in text and "%}" in text and "{{" in text:
        return [], []  # a project template, not a deployable file
    for mod in _modules():
        if mod.claims(path, text):  # type: ignore[attr-defined]
            try:
                return mod.load_file(path, text)  # type: ignore[attr-defined,no-any-return]
            except RecursionError:
                return [], [Diagnostic("LL100", "structure nests too deeply", Loc(path))]
    return [], []


def load_project(root: Path, configs: list[Path]) -> Project:
    project = Project(root=root)
    for path in configs:
        text, diag = read_text(path)
        if diag is not None:
            project.diagnostics.append(diag)
        if text is None:
            continue
        functions, diags = load_file(path, text)
        project.files.append(path)
        project.functions.extend(functions)
        project.diagnostics.extend(diags)
    return project
