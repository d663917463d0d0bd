"""Live data that `lambdalint explain` prints after a rule's description: the dated runtime
table for LL506, the exempt actions of LL202, the credential formats of LL401."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any


def _runtime_table() -> str:
    from lambdalint.aws import runtimes

    table = runtimes.load(_configured("runtime-deprecations"))
    lines = [
        f"Runtime table dated {table.updated} (source: {table.source}),",
        f"judged as of {table.as_of} "
        + (
            "(pinned by runtime-deprecations.as-of):"
            if table.pinned
            else "(today; pin a date with runtime-deprecations.as-of):"
        ),
        "",
        f"  {'runtime':<16} {'deprecated':<11} {'block create':<13} {'block update':<13} status",
    ]
    for row in sorted(
        table.rows.values(),
        key=lambda r: (runtimes.family(r.runtime), runtimes.version_key(r.runtime)),
    ):
        state = runtimes.status(table, row.runtime) or "supported"
        lines.append(
            f"  {row.runtime:<16} {_date(row.deprecated):<11} {_date(row.block_create):<13} "
            f"{_date(row.block_update):<13} {state}"
        )
    return "\n".join(lines)


def _configured(option: str) -> Any:
    """The option from the configuration file found from the current folder, if any."""
    from lambdalint.settings import ConfigError, files

    try:
        return files.load([Path(".")]).options.mapping(option)
    except ConfigError:
        return None


def _date(value: object) -> str:
    return str(value) if value is not None else "-"


def _exempt_actions() -> str:
    from lambdalint.aws.iam import UNSCOPED_ACTIONS, spelling

    return 'Actions never reported on "*": ' + ", ".join(
        spelling(a) for a in sorted(UNSCOPED_ACTIONS)
    )


def _credential_formats() -> str:
    from lambdalint.aws.secrets import CREDENTIAL_FORMATS

    names = [f.name for f in CREDENTIAL_FORMATS] + ["a URL with an embedded password"]
    return "Credential formats recognised under any name:\n" + "\n".join(f"  - {n}" for n in names)


_EXTRA: dict[str, Callable[[], str]] = {
    "LL506": _runtime_table,
    "LL202": _exempt_actions,
    "LL401": _credential_formats,
}


def text_for(rule_id: str) -> str:
    """Extra text for `explain RULE`, or "" when the rule has none."""
    make = _EXTRA.get(rule_id.upper())
    return make() if make is not None else ""
