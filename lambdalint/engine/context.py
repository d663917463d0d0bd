"""What a check can ask about a function beyond the model: its handler target and source facts.

Source files are read and parsed lazily, once each, and only for the functions a rule asks about.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from lambdalint.analysis.batch import FactStore
from lambdalint.analysis.facts import HandlerSource
from lambdalint.analysis.target import HandlerTarget, TargetStatus, resolve
from lambdalint.editing import Texts
from lambdalint.model import Diagnostic, Function, Loc, Pos, Project
from lambdalint.reading import Reader
from lambdalint.settings import Settings
from lambdalint.settings.options import RuleOptions

ANALYZERS = {"python": "lambdalint.analysis.python", "node": "lambdalint.analysis.node"}

T = TypeVar("T")


class CheckContext:
    def __init__(
        self,
        project: Project,
        settings: Settings,
        reader: Reader | None = None,
        source_cache: FactStore | None = None,
        code_fixes: bool = True,
    ) -> None:
        self.project = project
        self.settings = settings
        # how this run reads files: handler sources, package.json, layers (inside the tree)
        self.reader = reader or Reader()
        # the texts fixes edit, read as the run reads them, with their parsed spans
        self.texts = Texts(self.reader)
        # whether fixes that rewrite handler code (libcst) are computed, or only announced
        # (`Fix.deferred`): a run that neither applies nor shows edits does not pay for them
        self.code_fixes = code_fixes
        # what reading and analysing handler sources met while the rules ran (a file too large
        # or not UTF-8, a link out of the tree), and the notices rules left: the project is
        # frozen once loaded
        self.diagnostics: list[Diagnostic] = []
        # the rule options of the run, typed and defaulted (`ctx.options.integer("api-timeout")`)
        self.options: RuleOptions = settings.options
        self._targets: dict[int, HandlerTarget] = {}
        self._sources: dict[tuple[str, str, int], HandlerSource | None] = {}
        # an optional persistent cache of per-file facts (see cache.py)
        self.source_cache = source_cache
        self._prefetched = False
        self._by_file: dict[object, set[str]] | None = None
        self._memo: dict[tuple[str, object], object] = {}

    def cached(self, kind: str, key: object, make: Callable[[], T]) -> T:
        """A fact computed once per run for `key` (a folder's size, a manifest's contents),
        whichever rule or function asks first."""
        slot = (kind, key)
        if slot not in self._memo:
            self._memo[slot] = make()
        return self._memo[slot]  # type: ignore[return-value]

    def handler_target(self, fn: Function) -> HandlerTarget:
        key = id(fn)
        if key not in self._targets:
            target = self._targets[key] = resolve(fn, self.reader)
            if target.notice is not None:
                path, why = target.notice
                self.diagnostics.append(Diagnostic("LL100", why, Loc(path), notice=True))
        return self._targets[key]

    def module_source(self, language: str, path: Path) -> HandlerSource | None:
        """Facts about another source file of the function's code (a module its handler
        imports), or None when it cannot be read or analysed."""
        if language not in ANALYZERS:
            return None
        key = (str(path), language, 0)
        if key not in self._sources:
            text, _ = self.reader.read_text(path)
            self._sources[key] = None if text is None else self._analyze(language, path, text)
        return self._sources[key]

    def source(self, fn: Function) -> HandlerSource | None:
        """Facts about the handler's source file (or inline code), or None if not analysable."""
        if not self._prefetched:
            self._prefetch()
        return self.target_source(self.handler_target(fn))

    def target_source(self, target: HandlerTarget) -> HandlerSource | None:
        """Facts about the source a handler target names (a target a check resolved itself, for
        a handler string it considers, included)."""
        if target.status is not TargetStatus.OK or target.language not in ANALYZERS:
            return None
        if target.inline_source is not None and target.inline_loc is not None:
            key = (str(target.inline_loc.path), target.language, target.inline_loc.pos.line)
            if key not in self._sources:
                src = self._analyze(target.language, target.inline_loc.path, target.inline_source)
                if src is not None:
                    src.line_offset = target.inline_loc.pos.line - 1
                self._sources[key] = src
            return self._sources[key]
        if target.file is None:
            return None
        key = (str(target.file), target.language, 0)
        if key not in self._sources:
            text, diag = self.reader.read_text(target.file)
            if text is None:
                self._sources[key] = None
                if diag is not None:
                    self.diagnostics.append(diag)
            else:
                self._sources[key] = self._analyze(target.language, target.file, text)
        return self._sources[key]

    def handlers_by_file(self) -> dict[object, set[str]]:
        """For each handler file (or inline source) of the project, the handler names that
        functions use in it (computed once per run)."""
        if self._by_file is None:
            found: dict[object, set[str]] = {}
            for fn in self.project.functions:
                target = self.handler_target(fn)
                if target.status is TargetStatus.OK:
                    found.setdefault(code_key(target), set()).add(target.function)
            self._by_file = found
        return self._by_file

    def analysed_sources(self) -> list[HandlerSource]:
        """Every handler source analysed so far (their notices are reported after the rules)."""
        return [src for src in self._sources.values() if src is not None]

    def _prefetch(self) -> None:
        """Analyse every handler source of the project in one batch (cached facts first, the
        rest spread over processes on a large tree), so that `source()` finds them ready."""
        from lambdalint.analysis.batch import SourceJob, analyse_all

        self._prefetched = True
        keys: list[tuple[str, str, int]] = []
        queued: set[tuple[str, str, int]] = set()
        jobs: list[SourceJob] = []
        for fn in self.project.functions:
            target = self.handler_target(fn)
            if target.status is not TargetStatus.OK or target.language not in ANALYZERS:
                continue
            if target.inline_source is not None and target.inline_loc is not None:
                loc = target.inline_loc
                key = (str(loc.path), target.language, loc.pos.line)
                path, text = loc.path, target.inline_source
            elif target.file is not None:
                key = (str(target.file), target.language, 0)
                if key in self._sources or key in queued:
                    continue
                path = target.file
                read, diag = self.reader.read_text(target.file)
                if read is None:
                    self._sources[key] = None
                    if diag is not None:
                        self.diagnostics.append(diag)
                    continue
                text = read
            else:
                continue
            if key not in self._sources and key not in queued:
                queued.add(key)
                keys.append(key)
                jobs.append(SourceJob(target.language, ANALYZERS[target.language], path, text))
        for key, done in zip(keys, analyse_all(jobs, self.source_cache), strict=True):
            if done.failed:
                continue  # source() analyses it again and the error surfaces there
            if done.source is not None and key[2]:
                done.source.line_offset = key[2] - 1
            self._sources[key] = done.source

    def _analyze(self, language: str, path: Path, text: str) -> HandlerSource | None:
        if self.source_cache is not None:
            cached = self.source_cache.get(language, path, text)
            if cached is not None:
                return cached
        try:
            module = importlib.import_module(ANALYZERS[language])
        except ImportError:
            return None
        src: HandlerSource = module.analyze(path, text)
        if self.source_cache is not None:
            self.source_cache.put(language, path, text, src)
        return src

    def notice(self, rule_id: str, loc: Loc, message: str) -> None:
        """A one-line notice from a rule that cannot decide (printed after the findings,
        never a finding)."""
        self.diagnostics.append(Diagnostic(rule_id, message, loc, notice=True))

    def source_loc(self, src: HandlerSource | None, pos: Pos) -> Loc:
        if src is None:
            return Loc(Path("."), pos)
        if src.line_offset:
            pos = Pos(
                pos.line + src.line_offset,
                pos.column,
                pos.end_line + src.line_offset if pos.end_line else None,
                pos.end_column,
            )
        return Loc(src.path, pos)

    @staticmethod
    def path_for(path: Path, fn: Function) -> str:
        """`path` as a message about `fn` shows it: relative to the folder of the file that
        declares the function (see `path_from`)."""
        return path_from(path, fn.loc.path.parent)


def path_from(path: Path, folder: Path) -> str:
    """`path` relative to `folder` (the folder of the file that declares what a message is
    about), `/`-separated: never relative to the working directory, since messages feed
    baseline fingerprints, which must not change with where lambdalint runs."""
    try:
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(folder))
    except ValueError:  # another drive
        return str(path)
    return rel.replace(os.sep, "/")


def code_key(target: HandlerTarget) -> object:
    """What identifies a handler's code: its file, or where its inline source starts."""
    if target.inline_loc is not None:
        return (target.inline_loc.path, target.inline_loc.pos.line)
    return target.file
