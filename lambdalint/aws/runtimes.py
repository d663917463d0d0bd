"""The dated Lambda runtime deprecation table (lambdalint/aws/data/runtimes.yaml) and the
`runtime-deprecations` option that pins or extends it:

    runtime-deprecations:
      as-of: 2026-01-01          # judge every date as if today were this day
      runtimes:                  # add rows, or override shipped ones
        python3.12: {deprecated: 2028-10-31, block-create: 2028-11-30}

Pinning `as-of` means a new lambdalint release (or a date passing) never turns a build red
overnight: the team moves the date when it is ready.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

TABLE_PATH = Path(__file__).resolve().parent / "data" / "runtimes.yaml"


@dataclass(frozen=True)
class RuntimeDates:
    runtime: str
    deprecated: dt.date | None = None
    block_create: dt.date | None = None
    block_update: dt.date | None = None


@dataclass(frozen=True)
class RuntimeTable:
    source: str
    updated: dt.date | None
    as_of: dt.date
    rows: dict[str, RuntimeDates] = field(default_factory=dict)
    pinned: bool = False  # as_of comes from the option, not today's date
    extended: tuple[str, ...] = ()  # runtimes the option added or changed


def to_date(value: Any) -> dt.date | None:
    """A date from YAML/TOML (a date object) or text `YYYY-MM-DD`; None otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _row(runtime: str, data: Any, base: RuntimeDates | None = None) -> RuntimeDates:
    data = data if isinstance(data, dict) else {}
    base = base or RuntimeDates(runtime)

    def pick(key: str, current: dt.date | None) -> dt.date | None:
        return to_date(data[key]) if key in data else current

    return RuntimeDates(
        runtime,
        pick("deprecated", base.deprecated),
        pick("block-create", base.block_create),
        pick("block-update", base.block_update),
    )


@lru_cache(maxsize=1)
def _shipped() -> tuple[str, dt.date | None, dict[str, RuntimeDates]]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 1 ms, not 20
    data = yaml.load(TABLE_PATH.read_text(encoding="utf-8"), Loader=loader) or {}
    rows = {str(k): _row(str(k), v) for k, v in (data.get("runtimes") or {}).items()}
    return str(data.get("source", "")), to_date(data.get("updated")), rows


def load(option: Any = None, today: dt.date | None = None) -> RuntimeTable:
    """The shipped table with the `runtime-deprecations` option applied."""
    source, updated, shipped = _shipped()
    rows = dict(shipped)
    option = option if isinstance(option, dict) else {}
    as_of = to_date(option.get("as-of"))
    extended: list[str] = []
    extra = option.get("runtimes")
    if isinstance(extra, dict):
        for runtime, data in extra.items():
            rows[str(runtime)] = _row(str(runtime), data, rows.get(str(runtime)))
            extended.append(str(runtime))
    return RuntimeTable(
        source=source,
        updated=updated,
        as_of=as_of or today or dt.date.today(),
        rows=rows,
        pinned=as_of is not None,
        extended=tuple(extended),
    )


def status(table: RuntimeTable, runtime: str) -> str | None:
    """ "blocked" (creating functions is refused), "deprecated", or None (supported/unknown)."""
    row = table.rows.get(runtime)
    if row is None:
        return None
    if row.block_create is not None and table.as_of >= row.block_create:
        return "blocked"
    if row.deprecated is not None and table.as_of >= row.deprecated:
        return "deprecated"
    return None


def family(runtime: str) -> str:
    """`python3.9` → python, `dotnetcore3.1` → dotnet, `provided.al2` → provided."""
    m = re.match(r"[a-z]+", runtime)
    name = m.group(0) if m else runtime
    return "dotnet" if name.startswith("dotnet") else name


def successor(table: RuntimeTable, runtime: str) -> str | None:
    """The supported runtime of the same family that stays supported the longest."""
    candidates = [
        row
        for row in table.rows.values()
        if family(row.runtime) == family(runtime)
        and row.runtime != runtime
        and status(table, row.runtime) is None
        and row.deprecated is not None
    ]
    if not candidates:
        return None
    best = max(candidates, key=lambda r: (r.deprecated, version_key(r.runtime)))
    return best.runtime


def version_key(runtime: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", runtime))
