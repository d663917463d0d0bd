"""Terraform source files (`*.tf` in HCL, `*.tf.json` in JSON syntax) and their module folder:
each file is loaded with the other files of its folder (one module), parsed once per run
however many of them ask for it, and its functions built (functions.py).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from lambdalint.loaders.documents import LoadSession, expansion_notice
from lambdalint.loaders.terraform import hcl, json_syntax
from lambdalint.loaders.terraform.build import LAMBDA
from lambdalint.loaders.terraform.functions import build_functions
from lambdalint.loaders.terraform.hcl import HclError
from lambdalint.loaders.terraform.json_syntax import TfJsonError
from lambdalint.loaders.terraform.model import MAX_TEXT, Scope, TfFile
from lambdalint.loaders.terraform.modules import is_lambda_module
from lambdalint.model import Diagnostic, Function, Loc

MAX_FOLDER_FILES = 500
_CACHE_LIMIT = 4000


def claims(path: Path, text: str) -> bool:
    return path.name.lower().endswith((".tf", ".tf.json"))


def load_file(
    path: Path, text: str, session: LoadSession
) -> tuple[list[Function], list[Diagnostic]]:
    """The functions a .tf or .tf.json file defines (with its module folder around it).

    A module folder without any Lambda function is not parsed at all: most Terraform in a
    repository is other infrastructure, and parsing it would only cost time."""
    folders = module_folders(session)
    if not _mentions_lambda(text) and not folders.mentions_lambda(path.parent):
        return [], []
    tf, diags = folders.parse(path, text)
    diags = list(diags)
    if tf is None:
        return [], diags
    if _is_override(path.name) or not (
        any(r.type == LAMBDA for r in tf.resources)
        or any(is_lambda_module(m.type) for m in tf.module_calls)
    ):
        return [], diags
    scope = folders.scope(path, tf)
    functions = build_functions(scope, "terraform", only_path=path)
    if scope.over_budget:
        diags.append(expansion_notice(path, MAX_TEXT))
    return functions, diags


def module_folders(session: LoadSession) -> ModuleFolders:
    """The module folders of this load (kept in its session: every file of a folder is loaded
    on its own, and each of them needs the whole folder)."""
    folders = session.state.get("terraform")
    if not isinstance(folders, ModuleFolders):
        folders = session.state["terraform"] = ModuleFolders(session)
    return folders


class ModuleFolders:
    """The .tf/.tf.json files of the module folders a load meets, each parsed once however many
    files of its folder ask for it, read inside the checked tree only."""

    def __init__(self, session: LoadSession) -> None:
        self.session = session
        self.reader = session.reader
        self._parsed: dict[tuple[str, int, int], tuple[TfFile | None, list[Diagnostic]]] = {}
        self._mentions: dict[tuple[str, tuple[tuple[str, int, int], ...]], bool] = {}

    def parse(self, path: Path, text: str) -> tuple[TfFile | None, list[Diagnostic]]:
        """The parsed file, (None, [LL100]) for bad syntax."""
        try:
            key = (str(path.resolve()), len(text), hash(text))
        except (OSError, RuntimeError):
            key = (str(path), len(text), hash(text))
        if key in self._parsed:
            return self._parsed[key]
        result: tuple[TfFile | None, list[Diagnostic]]
        try:
            result = parse_source(path, text, self.session)
        except (HclError, TfJsonError) as exc:
            result = None, [Diagnostic("LL100", exc.message, Loc(path, exc.pos))]
        if len(self._parsed) > _CACHE_LIMIT:
            self._parsed.clear()
        self._parsed[key] = result
        return result

    def parse_sibling(self, path: Path) -> TfFile | None:
        """Another file of the module folder (its own errors are reported when it is loaded)."""
        text, _ = self.reader.read_text(path)
        if text is None:
            return None
        return self.parse(path, text)[0]

    def mentions_lambda(self, folder: Path) -> bool:
        """Whether any .tf/.tf.json file of the folder names a Lambda function (no parse)."""
        files = self.files(folder)
        stamp: list[tuple[str, int, int]] = []
        for path in files:
            try:
                st = path.stat()
            except OSError:
                continue
            stamp.append((path.name, st.st_mtime_ns, st.st_size))
        key = (str(folder), tuple(stamp))
        if key not in self._mentions:
            found = False
            for path in files:
                text, _ = self.reader.read_text(path)
                if text is not None and _mentions_lambda(text):
                    found = True
                    break
            if len(self._mentions) > _CACHE_LIMIT:
                self._mentions.clear()
            self._mentions[key] = found
        return self._mentions[key]

    def files(self, folder: Path) -> list[Path]:
        """The .tf and .tf.json files of a module folder of the checked tree (a folder out of
        it, or a file linked out of it, is not looked at: its files would not be read)."""
        if not self.reader.inside_tree(folder):
            return []
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            return []
        out = []
        for name in names:
            lower = name.lower()
            if lower.endswith((".tf", ".tf.json")) and not _is_override(name):
                p = folder / name
                if self.reader.inside_tree(p) and p.is_file():
                    out.append(p)
        return out[:MAX_FOLDER_FILES]

    def tfvars(self, folder: Path) -> dict[str, Any]:
        """Values Terraform loads automatically: terraform.tfvars(.json), *.auto.tfvars(.json)."""
        out: dict[str, Any] = {}
        if not self.reader.inside_tree(folder):
            return out
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            return out
        auto = [n for n in names if n in ("terraform.tfvars", "terraform.tfvars.json")]
        auto += [n for n in names if n.endswith((".auto.tfvars", ".auto.tfvars.json"))]
        for name in auto:
            text, _ = self.reader.read_text(folder / name)
            if text is None:
                continue
            out.update(hcl.parse_attributes(folder / name, text, self.reader.limits))
        return out

    def scope(self, path: Path, own: TfFile) -> Scope:
        """The module `path` belongs to: every .tf/.tf.json file of its folder."""
        folder = path.parent
        files = [own]
        for other in self.files(folder):
            if other.name == path.name:
                continue
            tf = self.parse_sibling(other)
            if tf is not None:
                files.append(tf)
        return Scope(folder, files, self.tfvars(folder), self.reader)


def parse_source(path: Path, text: str, session: LoadSession) -> tuple[TfFile, list[Diagnostic]]:
    """Parse a .tf or .tf.json file; raises the front end's error on bad syntax."""
    if path.name.lower().endswith(".tf.json"):
        return json_syntax.parse_file(path, text, session)
    return hcl.parse_file(path, text), []


def _is_override(name: str) -> bool:
    stem = name.lower().removesuffix(".json").removesuffix(".tf")
    return stem == "override" or stem.endswith("_override")


def _mentions_lambda(text: str) -> bool:
    return LAMBDA in text or "lambda/aws" in text or "terraform-aws-lambda" in text
