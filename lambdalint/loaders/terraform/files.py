"""Terraform source files (`*.tf` in HCL, `*.tf.json` in JSON syntax) and their module folder:
each file is loaded with the other files of its folder (one module), parsed once per run
however many of them ask for it, and its functions built (functions.py).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from lambdalint.loaders.documents import LoadSession, expansion_notice
from lambdalint.loaders.terraform import hcl, json_syntax, templates
from lambdalint.loaders.terraform.build import LAMBDA
from lambdalint.loaders.terraform.functions import build_functions
from lambdalint.loaders.terraform.hcl import HclError
from lambdalint.loaders.terraform.json_syntax import TfJsonError
from lambdalint.loaders.terraform.model import (
    MAX_MODULE_DEPTH,
    MAX_TEXT,
    Configuration,
    Scope,
    TfFile,
    is_local_source,
)
from lambdalint.loaders.terraform.modules import is_lambda_module
from lambdalint.model import Diagnostic, Function, Loc
from lambdalint.reading import Reads

MAX_FOLDER_FILES = 500
_CACHE_LIMIT = 4000


def claims(path: Path, text: str) -> bool:
    return path.name.lower().endswith((".tf", ".tf.json"))


def load_file(
    path: Path, text: str, session: LoadSession
) -> tuple[list[Function], list[Diagnostic]]:
    """The functions a .tf or .tf.json file defines (with its module folder around it), and
    those of the local modules its `module` blocks call.

    A module folder without any Lambda function, that calls no module with one, is not parsed
    at all: most Terraform in a repository is other infrastructure, and parsing it would only
    cost time. A folder that another configuration of the tree calls as a module is not a
    configuration of its own: its functions are those of the instances the calls make."""
    folders = module_folders(session)
    if (
        not _mentions_lambda(text)
        and not folders.mentions_lambda(path.parent)
        and not folders.calls_lambda(path.parent, text)
    ):
        return [], []
    tf, diags = folders.parse(path, text)
    diags = list(diags)
    if tf is None:
        return [], diags
    if _is_override(path.name) or not (
        any(r.type == LAMBDA for r in tf.resources)
        or any(is_lambda_module(m.type) for m in tf.module_calls)
        or any(
            is_local_source(m.type) and folders.reaches_lambda(path.parent / m.type)
            for m in tf.module_calls
        )
    ):
        return [], diags
    if folders.instantiated_elsewhere(path.parent):
        return [], diags
    scope = folders.scope(path, tf)
    functions = build_functions(scope, "terraform", only_path=path)
    if scope.over_budget or any(i.over_budget for i in scope.instances()):
        diags.append(expansion_notice(path, MAX_TEXT))
    if scope.config.cut and any(c.path == path for c in scope.module_calls):
        diags.append(
            Diagnostic(
                "LL100",
                f"module calls not expanded ({scope.config.cut}): "
                "the functions they would declare are not checked",
                Loc(path),
                notice=True,
            )
        )
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
        # each answer kept with the files read to find it, noted again when it is reused (the
        # language server loads a file again when one of them changes: see ReadLog)
        self._glances: dict[tuple[str, tuple[tuple[str, int, int], ...]], _Read[_Glance]] = {}
        self._reaches: dict[str, _Read[bool]] = {}
        self._elsewhere: dict[str, _Read[bool]] = {}
        self._callers: _Read[dict[str, set[str]]] | None = None
        self._spelled: dict[str, Path] = {}  # a caller folder's real path → as the load names it

    def parse(self, path: Path, text: str) -> tuple[TfFile | None, list[Diagnostic]]:
        """The parsed file, (None, [LL100]) for bad syntax."""
        # by the path as the load spells it (positions keep that spelling): a module folder is
        # spelled the same way by every call of it (normalized from the working directory)
        key = (os.path.normpath(path), len(text), hash(text))
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
        return self.glance(folder).mentions_lambda

    def glance(self, folder: Path) -> _Glance:
        """What the folder's files say without being parsed: whether they name a Lambda
        function, and the local module sources they may call (read once per load)."""
        files = self.files(folder)
        stamp: list[tuple[str, int, int]] = []
        for path in files:
            try:
                st = path.stat()
            except OSError:
                continue
            stamp.append((path.name, st.st_mtime_ns, st.st_size))
        key = (str(folder), tuple(stamp))
        if key in self._glances:
            return self._reused(self._glances[key])
        with self.reader.log.recording() as reads:
            found = False
            sources: list[str] = []
            by_file: list[tuple[Path, tuple[str, ...]]] = []
            for path in files:
                text, _ = self.reader.read_text(path)
                by_file.append((path, module_sources(text)))
                if text is None:
                    continue
                found = found or _mentions_lambda(text)
                sources.extend(local_sources(text))
        if len(self._glances) > _CACHE_LIMIT:
            self._glances.clear()
        glance = _Glance(found, tuple(dict.fromkeys(sources)), tuple(by_file))
        self._glances[key] = _Read(glance, reads)
        return glance

    def _reused(self, known: _Read[_T]) -> _T:
        """A kept answer, the files it was found from noted as read again."""
        self.reader.log.note_all(known.reads)
        return known.value

    def calls_lambda(self, folder: Path, text: str) -> bool:
        """Whether a file's text calls a local module that declares a Lambda function."""
        return any(self.reaches_lambda(folder / source) for source in local_sources(text))

    def reaches_lambda(self, folder: Path) -> bool:
        """Whether the folder, or a local module it calls (within MAX_MODULE_DEPTH levels),
        names a Lambda function: read, not parsed."""
        key = _real(folder)
        if key in self._reaches:
            return self._reused(self._reaches[key])
        with self.reader.log.recording() as reads:
            seen = {key}
            level = [Path(os.path.normpath(folder))]
            found = False
            for _ in range(MAX_MODULE_DEPTH + 1):
                following: list[Path] = []
                for current in level:
                    glance = self.glance(current)
                    if glance.mentions_lambda:
                        found = True
                        break
                    for source in glance.sources:
                        sub = Path(os.path.normpath(current / source))
                        if _real(sub) not in seen:
                            seen.add(_real(sub))
                            following.append(sub)
                if found or not following:
                    break
                level = following
        self._reaches[key] = _Read(found, reads)
        return found

    def module_files(self, folder: Path) -> list[TfFile] | None:
        """The parsed files of a module folder (each parsed once per load); None if it has
        none that parse."""
        parsed = [tf for tf in (self.parse_sibling(p) for p in self.files(folder)) if tf]
        return parsed or None

    def instantiated_elsewhere(self, folder: Path) -> bool:
        """Whether a configuration of this load calls the folder as a local module, directly
        or through other modules: then its functions are checked as the instances those calls
        make (or not at all, past MAX_MODULE_DEPTH levels: a notice says so), not as a
        configuration of its own. A folder that only calls itself, or a ring of modules that
        nothing else calls, is its own configuration."""
        key = _real(folder)
        if key in self._elsewhere:
            return self._reused(self._elsewhere[key])
        with self.reader.log.recording() as reads:
            found = self._called_elsewhere(key)
        self._elsewhere[key] = _Read(found, reads)
        return found

    def _called_elsewhere(self, key: str) -> bool:
        callers = self._caller_index()
        seen = {key}
        level = [key]
        found = False
        while level:
            following: list[str] = []
            for current in level:
                for caller in sorted(callers.get(current, ())):
                    if caller in seen or not self._calls(self._spelled[caller], current):
                        continue
                    seen.add(caller)
                    if not any(
                        self._calls(self._spelled[c], caller)
                        for c in callers.get(caller, ())
                        if c != caller
                    ):
                        found = True  # a configuration no other folder calls
                        break
                    following.append(caller)
                if found:
                    break
            level = [] if found else following
        return found

    def _caller_index(self) -> dict[str, set[str]]:
        """Module folder → the folders of this load whose files may call it (read, not
        parsed: `_calls` confirms a call by parsing)."""
        if self._callers is not None:
            return self._reused(self._callers)
        callers: dict[str, set[str]] = {}
        with self.reader.log.recording() as reads:
            folders = sorted(
                {
                    p.parent
                    for p in self.session.files
                    if p.name.lower().endswith((".tf", ".tf.json"))
                },
                key=str,
            )
            for folder in folders:
                # which folders call which depends on the module sources of their files only
                # (and on the files there are: the folder is listed)
                with self.reader.log.hidden():
                    glance = self.glance(folder)
                self.reader.log.note_listing(folder, (".tf", ".tf.json"))
                for path, sources in glance.by_file:
                    self.reader.log.note_part(path, module_sources, sources)
                for source in glance.sources:
                    target = _real(folder / source)
                    caller = _real(folder)
                    self._spelled.setdefault(caller, folder)
                    callers.setdefault(target, set()).add(caller)
        self._callers = _Read(callers, reads)
        return callers

    def _calls(self, caller: Path, module: str) -> bool:
        """Whether a `module` block of the folder `caller` calls the folder `module` (a real
        path), and creates it (not `count = 0`)."""
        for path in self.files(caller):
            tf = self.parse_sibling(path)
            if tf is None:
                continue
            for call in tf.module_calls:
                if not is_local_source(call.type) or _real(caller / call.type) != module:
                    continue
                count = call.body.get("count")
                if count is None or count != 0 or isinstance(count, bool):
                    return True
        return False

    def files(self, folder: Path) -> list[Path]:
        """The .tf and .tf.json files of a module folder of the checked tree (a folder out of
        it, or a file linked out of it, is not looked at: its files would not be read)."""
        if not self.reader.inside_tree(folder):
            return []
        self.reader.log.note_listing(folder, (".tf", ".tf.json"))  # a file added to it
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
        self.reader.log.note_listing(folder, (".tfvars", ".tfvars.json"))
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
        config = Configuration(
            modules=self, render_template=templates.render_file, operators=hcl.operators
        )
        return Scope(folder, files, self.tfvars(folder), self.reader, config=config)


def parse_source(path: Path, text: str, session: LoadSession) -> tuple[TfFile, list[Diagnostic]]:
    """Parse a .tf or .tf.json file; raises the front end's error on bad syntax."""
    if path.name.lower().endswith(".tf.json"):
        return json_syntax.parse_file(path, text, session)
    return hcl.parse_file(path, text), []


@dataclass(frozen=True)
class _Glance:
    mentions_lambda: bool
    sources: tuple[str, ...]
    # each file's `module_sources`
    by_file: tuple[tuple[Path, tuple[str, ...]], ...] = ()


_T = TypeVar("_T")


@dataclass(frozen=True)
class _Read(Generic[_T]):
    """An answer and the real paths read to find it."""

    value: _T
    reads: Reads


# `source = "./modules/fn"` (HCL) or `"source": "../shared"` (JSON): a local module source, as
# far as a glance tells (a parse confirms it where it matters)
_LOCAL_SOURCE = re.compile(r'(?:\bsource\s*=\s*|"source"\s*:\s*)"(\.\.?/[^"$%\\\n]*)"')


def local_sources(text: str) -> list[str]:
    return _LOCAL_SOURCE.findall(text) if "source" in text else []


def module_sources(text: str | None) -> tuple[str, ...]:
    """The local module sources a file may call: all that which folders call which depends on
    (a Digest: an edit of a file that keeps them does not change it)."""
    return tuple(local_sources(text)) if text is not None else ()


def _real(path: Path) -> str:
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return os.path.normpath(path)


def _is_override(name: str) -> bool:
    stem = name.lower().removesuffix(".json").removesuffix(".tf")
    return stem == "override" or stem.endswith("_override")


def _mentions_lambda(text: str) -> bool:
    return LAMBDA in text or "lambda/aws" in text or "terraform-aws-lambda" in text
