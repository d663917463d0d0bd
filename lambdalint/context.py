"""What a check can ask about a function beyond the model: its handler target and source facts.

Source files are read and parsed lazily, once each, and only for the functions a rule asks about.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

from lambdalint.analysis.handler_target import HandlerTarget, resolve
from lambdalint.analysis.source import HandlerSource
from lambdalint.config import Config
from lambdalint.loaders.document import read_text
from lambdalint.model import Function, Loc, Pos, Project

ANALYZERS = {"python": "lambdalint.analysis.python", "node": "lambdalint.analysis.node"}


class CheckContext:
    def __init__(self, project: Project, config: Config, source_cache: Any = None) -> None:
        self.project = project
        self.config = config
        self._targets: dict[int, HandlerTarget] = {}
        self._sources: dict[tuple[str, str, int], HandlerSource | None] = {}
        # an optional persistent cache of per-file facts (see cache.py)
        self.source_cache = source_cache

    def option(self, name: str, default: Any = None) -> Any:
        return self.config.options.get(name, default)

    def handler_target(self, fn: Function) -> HandlerTarget:
        key = id(fn)
        if key not in self._targets:
            self._targets[key] = resolve(fn)
        return self._targets[key]

    def source(self, fn: Function) -> HandlerSource | None:
        """Facts about the handler's source file (or inline code), or None if not analysable."""
        target = self.handler_target(fn)
        if target.status != "ok" or target.language not in ANALYZERS:
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
            text, diag = read_text(target.file)
            if text is None:
                self._sources[key] = None
                if diag is not None:
                    self.project.diagnostics.append(diag)
            else:
                self._sources[key] = self._analyze(target.language, target.file, text)
        return self._sources[key]

    def _analyze(self, language: str, path: Path, text: str) -> HandlerSource | None:
        if self.source_cache is not None:
            cached = self.source_cache.get(language, path, text)
            if cached is not None:
                return cached  # type: ignore[no-any-return]
        try:
            module = importlib.import_module(ANALYZERS[language])
        except ImportError:
            return None
        src: HandlerSource = module.analyze(path, text)
        if self.source_cache is not None:
            self.source_cache.put(language, path, text, src)
        return src

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
    def display_path(path: Path) -> str:
        try:
            return os.path.relpath(path).replace(os.sep, "/")
        except ValueError:
            return str(path)
