"""Output formats. Each module of this package is one format, named after it (`sarif.py` is
`--format sarif`), with `render(result, settings, color) -> str`. Formats are found by listing
the package: adding a module adds a format, nothing else needs to change."""

from __future__ import annotations

import importlib
import os
import pkgutil
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lambdalint.engine import Result
    from lambdalint.settings import Settings

DEFAULT = "text"


def formats() -> tuple[str, ...]:
    """Every format, the default first, then by name."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    return (DEFAULT, *(name for name in names if name != DEFAULT))


def display_path(path: os.PathLike[str] | str) -> str:
    """A path as reports show it: relative to the working directory, `/`-separated."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        rel = str(path)
    return rel.replace(os.sep, "/")


def shows_edits(fmt: str) -> bool:
    """Whether a format writes out the edits of fixes (a module that sets `SHOWS_EDITS`)."""
    if fmt not in formats():
        return False
    return bool(getattr(importlib.import_module(f"{__name__}.{fmt}"), "SHOWS_EDITS", False))


def render(fmt: str, result: Result, settings: Settings, color: bool = False) -> str:
    if fmt not in formats():
        raise ValueError(f"unknown format {fmt!r}")
    module = importlib.import_module(f"{__name__}.{fmt}")
    text: str = module.render(result, settings, color=color)
    return text
