"""Output formats. Each module of this package is one format, named after it (`sarif.py` is
`--output-format sarif`), with `render(result, settings, color) -> str`; a format laid out for a
terminal also takes `width` (the terminal's columns, None: no wrapping). Formats are found by
listing the package: adding a module adds a format, nothing else needs to change.

`--statistics` (counts per rule) is rendered here: as JSON for `json`, as a table for the
formats people read; the formats made for tools have no statistics form."""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
from collections import Counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lambdalint.engine import Result
    from lambdalint.settings import Settings

DEFAULT = "text"
# the formats whose statistics form is the table (people read them)
TABLE_STATISTICS = ("text", "concise")


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


def render(
    fmt: str, result: Result, settings: Settings, color: bool = False, width: int | None = None
) -> str:
    if fmt not in formats():
        raise ValueError(f"unknown format {fmt!r}")
    module = importlib.import_module(f"{__name__}.{fmt}")
    options: dict[str, Any] = {"color": color}
    if width is not None and "width" in inspect.signature(module.render).parameters:
        options["width"] = width
    text: str = module.render(result, settings, **options)
    return text


def statistics_rows(result: Result) -> list[dict[str, Any]]:
    """Active findings counted per rule, most frequent first."""
    rules = {r.id: r for r in result.rules}
    counts = Counter(f.rule_id for f in result.findings if f.suppressed is None)
    rows = []
    for rule_id, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        rule = rules.get(rule_id)
        rows.append(
            {
                "rule_id": rule_id,
                "rule": rule.name if rule else "",
                "severity": rule.severity if rule else "",
                "count": count,
            }
        )
    return rows


def statistics_table(result: Result) -> str:
    from lambdalint.escape import clean

    lines = [
        f"{row['count']:5d}  {clean(row['rule_id']):<7} {clean(row['rule']):<34} "
        f"[{clean(row['severity'])}]"
        for row in statistics_rows(result)
    ]
    return "\n".join(lines or ["No findings."]) + "\n"


def render_statistics(fmt: str, result: Result) -> str | None:
    """`--statistics` in `fmt`: a JSON list for json, the table for the formats people read,
    None for a format that has no statistics form (sarif, github, junit, gitlab)."""
    if fmt == "json":
        # (not `import json` at the top: the json format, a submodule, takes that name here)
        from json import dumps

        return dumps(statistics_rows(result), indent=2) + "\n"
    if fmt in TABLE_STATISTICS:
        return statistics_table(result)
    return None
