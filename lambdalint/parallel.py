"""Spread independent per-file work over processes when a tree is large enough to pay for it.

A small tree (the pre-commit case) runs in this process: starting workers costs more than it
saves. `LAMBDALINT_JOBS` overrides the choice: `1` never starts workers, `N` > 1 always uses N
(the tests use it to compare parallel and serial runs on small trees).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Hashable, Sequence
from functools import partial
from typing import Any, TypeVar

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")

MAX_JOBS = 8


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def job_count(items: int, min_items: int) -> int:
    """How many processes to use for `items` pieces of work (1 = this process only)."""
    forced = os.environ.get("LAMBDALINT_JOBS", "").strip()
    if forced:
        try:
            return max(1, min(int(forced), MAX_JOBS * 4))
        except ValueError:
            pass
    if items < min_items:
        return 1
    # each worker should get at least half a threshold's worth of work
    return max(1, min(_cpus(), MAX_JOBS, items // max(1, min_items // 2)))


def map_files(
    func: Callable[[S, T], R],
    items: Sequence[T],
    min_items: int,
    kind: Callable[[T], Hashable] | None = None,
    shared: S = None,  # type: ignore[assignment]
) -> list[R]:
    """`[func(shared, x) for x in items]`, in order, over worker processes when worthwhile.

    `func` must be a module-level function and items and results picklable. `shared` is what
    every call needs besides its item (a load's session): each worker process is given it once,
    when it starts (with fork: its own copy, not pickled), so what a call keeps in it stays for
    the calls that follow in the same process, as it does in this one. Any failure of the pool
    (no fork, a worker killed, an unpicklable result) falls back to this process, so the result
    never depends on whether workers were used. With `kind`, the first item of each kind is done
    in this process before the workers start: forked afterwards, they inherit what that imported
    and built (a loader's modules, the HCL grammar, an analyser's data) instead of each paying
    for it again.
    """
    jobs = job_count(len(items), min_items)
    if jobs <= 1 or len(items) <= 1:
        return [func(shared, x) for x in items]
    done: dict[int, R] = {}
    if kind is not None:
        firsts: dict[Hashable, int] = {}
        for i, item in enumerate(items):
            firsts.setdefault(kind(item), i)
        for i in sorted(firsts.values()):
            done[i] = func(shared, items[i])
    rest = [i for i in range(len(items)) if i not in done]
    for i, result in zip(
        rest, _pool_map(func, [items[i] for i in rest], jobs, shared), strict=True
    ):
        done[i] = result
    return [done[i] for i in range(len(items))]


# In a worker process: the `shared` argument of the map_files call that started it (the way
# ProcessPoolExecutor hands an argument to its workers once, through an initializer).
_SHARED: Any = None


def _receive(shared: Any) -> None:
    global _SHARED
    _SHARED = shared


def _call(func: Callable[[Any, T], R], item: T) -> R:
    return func(_SHARED, item)


def _pool_map(func: Callable[[S, T], R], items: list[T], jobs: int, shared: S) -> list[R]:
    if not items:
        return []
    import multiprocessing
    import pickle
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # fork shares what this process has imported and loaded: no re-import in every worker
    context = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
    chunk = max(1, len(items) // (jobs * 4))
    try:
        with ProcessPoolExecutor(
            max_workers=jobs, mp_context=context, initializer=_receive, initargs=(shared,)
        ) as pool:
            return list(pool.map(partial(_call, func), items, chunksize=chunk))
    except (BrokenProcessPool, OSError, pickle.PicklingError, AttributeError, TypeError):
        return [func(shared, x) for x in items]
