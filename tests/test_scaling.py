"""Doubling an input at most doubles the work (fixtures/hostile/corpus.py SCALING): nested
substitutions resolve each variable once and stop at a bound, `${` scans are linear, and the
joins between functions, log groups, roles and permissions are indexed, not compared pair by
pair. Sizes n and 2n are timed side by side, best of three, so the ratio holds on a loaded
machine; an alarm ends a run that has gone exponential instead of letting it hang."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import hostile_corpus

from lambdalint.settings import Settings
from lambdalint import app
from lambdalint.loaders.cloudformation import functions
from lambdalint.loaders.terraform import files
from lambdalint.loaders.terraform.functions import build_functions
from lambdalint.loaders.documents import LoadSession, load_document
from lambdalint.reading import Reader
from lambdalint.loaders.terraform.model import Scope

corpus = hostile_corpus()
FAMILIES = corpus.SCALING
# "about 2x": linear work doubles; the slack absorbs timer noise and fixed costs
MAX_RATIO = 2.8
SLACK_SECONDS = 0.05
BUDGET_SECONDS = 60  # for one family, all sizes and repeats together


class _Expired(BaseException):
    """Not an Exception: lambdalint turns a loader's exceptions into findings and goes on."""


@contextmanager
def _budget(seconds: int) -> Iterator[None]:
    if not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise _Expired(f"more than {seconds} s: the work is not linear")

    old = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _whole_run(folder: Path) -> Callable[[], Any]:
    def lint() -> Any:
        old = Path.cwd()
        os.chdir(folder)
        try:
            return app.lint([Path(".")], Settings())
        finally:
            os.chdir(old)

    return lint


def _model_only(folder: Path) -> Callable[[], Any]:
    """Building the functions from files already parsed (a fresh model each time)."""
    template = folder / "template.yaml"
    if template.exists():
        doc = load_document(
            template, template.read_text(encoding="utf-8"), "yaml", LoadSession(Reader())
        )
        return lambda: functions.build_functions(doc)
    path = folder / "main.tf"
    tf, _ = files.parse_source(path, path.read_text(encoding="utf-8"), LoadSession(Reader()))
    assert tf is not None
    return lambda: build_functions(Scope(folder, [tf]), "terraform")


def _best_of(work: Callable[[], Any], times: int = 3) -> float:
    best = float("inf")
    for _ in range(times):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("family", FAMILIES, ids=[f.name for f in FAMILIES])
def test_doubling_the_input_at_most_doubles_the_time(family: Any, tmp_path: Path) -> None:
    small, large = tmp_path / "n", tmp_path / "2n"
    family.build(small, family.n)
    family.build(large, 2 * family.n)
    measure = _model_only if family.stage == "model" else _whole_run
    with _budget(BUDGET_SECONDS):
        works = [measure(small), measure(large)]
        works[0]()  # warm up: imports, caches of the rule set
        times = [0.0, 0.0]
        for _ in range(3):  # interleaved, so that a busy moment hits both sizes alike
            for i, work in enumerate(works):
                spent = _best_of(work, 1)
                times[i] = spent if times[i] == 0.0 else min(times[i], spent)
    t_small, t_large = times
    assert t_large <= MAX_RATIO * t_small + SLACK_SECONDS, (
        f"{family.name}: n took {t_small:.3f} s, 2n took {t_large:.3f} s"
    )


def test_the_families_double_their_input(tmp_path: Path) -> None:
    """Each family's 2n input is at least 1.6 times as large as its n input (so the time
    ratio above is about the size)."""
    for family in FAMILIES:
        small, large = tmp_path / family.name / "n", tmp_path / family.name / "2n"
        family.build(small, family.n)
        family.build(large, 2 * family.n)
        size = [sum(p.stat().st_size for p in d.rglob("*") if p.is_file()) for d in (small, large)]
        assert size[1] >= 1.6 * size[0], (family.name, size)
