"""Analyse many handler sources at once: cached facts first, the rest over worker processes
when there are enough of them (see parallel.py)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, replace
from operator import attrgetter
from pathlib import Path
from typing import Protocol

from lambdalint import parallel
from lambdalint.analysis.facts import HandlerSource

# below this many files to parse, analysis stays in this process
PARALLEL_MIN_FILES = 16


class FactStore(Protocol):
    """Where the facts of analysed sources are kept between runs (cache.SourceCache), by
    language, path and text; `entry` is the encoded facts when a worker made it already."""

    def get(self, language: str, path: Path, text: str) -> HandlerSource | None: ...

    def put(
        self, language: str, path: Path, text: str, source: HandlerSource, entry: str | None = None
    ) -> None: ...


@dataclass(frozen=True)
class SourceJob:
    language: str
    module: str  # the analyser module (`lambdalint.analysis.python`)
    path: Path
    text: str
    encode: bool = False  # also make the cache entry (in the worker, where it costs no wall time)


@dataclass(frozen=True)
class Analysed:
    """The facts, or why there are none: the analyser is not installed, or it raised (the
    caller then analyses that file again where the error can be reported in context)."""

    source: HandlerSource | None
    failed: bool = False
    entry: str | None = None  # the cache entry for `source`, when asked for


def analyse_one(_: object, job: SourceJob) -> Analysed:
    try:
        module = importlib.import_module(job.module)
    except ImportError:
        return Analysed(None)
    try:
        source = module.analyze(job.path, job.text)
    except Exception:  # noqa: BLE001 - reported by the caller's own, serial attempt
        return Analysed(None, failed=True)
    if not job.encode:
        return Analysed(source)
    from lambdalint.cache import encode_entry

    return Analysed(source, entry=encode_entry(source))


def analyse_all(jobs: list[SourceJob], cache: FactStore | None = None) -> list[Analysed]:
    """Facts for every job, in order: from `cache` when it has them, else by parsing."""
    results: list[Analysed | None] = [None] * len(jobs)
    todo: list[int] = []
    for i, job in enumerate(jobs):
        cached = cache.get(job.language, job.path, job.text) if cache is not None else None
        if cached is not None:
            results[i] = Analysed(cached)
        else:
            todo.append(i)
    if todo:
        work = [replace(jobs[i], encode=cache is not None) for i in todo]
        fresh = parallel.map_files(
            analyse_one, work, PARALLEL_MIN_FILES, kind=attrgetter("language")
        )
        for i, done in zip(todo, fresh, strict=True):
            results[i] = done
            if cache is not None and done.source is not None:
                cache.put(jobs[i].language, jobs[i].path, jobs[i].text, done.source, done.entry)
    return [r if r is not None else Analysed(None, failed=True) for r in results]
