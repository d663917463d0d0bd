"""The JSON view of a function (what declarative rules match against, and what `show --format
json` prints) and the `show` table."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from lambdalint.model import UNKNOWN, Function, Project, Prop


def _v(prop: Prop[Any] | None) -> Any:
    if prop is None:
        return None
    return None if prop.value is UNKNOWN else prop.value


def strict_json(value: Any) -> Any:
    """`value` with every infinite or NaN float (`Timeout: 1e999`, `.inf`) as its text: JSON
    has no such numbers, and `Infinity` would make the output unreadable to most parsers."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: strict_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strict_json(v) for v in value]
    return value


def _rel(path: Path) -> str:
    try:
        return os.path.relpath(path).replace(os.sep, "/")
    except ValueError:
        return str(path)


def function_view(fn: Function) -> dict[str, Any]:
    """A plain-JSON description of the function. UNKNOWN values appear as null."""
    code = fn.code
    role = fn.role
    retention = None
    for group in fn.log_groups:
        if isinstance(group.retention_days, int):
            retention = group.retention_days
    return {
        "name": fn.name,
        "framework": fn.framework,
        "path": _rel(fn.loc.path),
        "line": fn.loc.pos.line,
        "function_name": None if fn.function_name is UNKNOWN else fn.function_name,
        "runtime": _v(fn.runtime),
        "handler": _v(fn.handler),
        "package_type": fn.package_type,
        "code": None
        if code is None
        else {
            "kind": code.kind,
            "path": _rel(code.path) if code.path is not None else None,
            "built": code.built,
            "build_method": code.build_method,
        },
        "timeout": _v(fn.timeout),
        "memory": _v(fn.memory),
        "environment": {
            k: (None if v.value is UNKNOWN else v.value) for k, v in fn.environment.items()
        },
        "environment_sources": {k: v.kind for k, v in fn.environment.items()},
        "role": None
        if role is None
        else {
            "known": role.known,
            "name": role.name,
            "managed_policies": [m.name for m in role.managed_policies],
            "statements": [
                {
                    "effect": s.effect,
                    "actions": s.actions,
                    "not_actions": s.not_actions,
                    "resources": s.resources,
                    "condition": s.has_condition,
                }
                for s in role.statements
            ],
        },
        "log_retention_days": retention,
        "log_groups": [
            {
                "name": None if g.name is UNKNOWN else g.name,
                "retention_days": None if g.retention_days is UNKNOWN else g.retention_days,
            }
            for g in fn.log_groups
        ],
        "events": [{"kind": e.kind, "name": e.name} for e in fn.events],
        "url": None
        if fn.url is None
        else {"auth_type": None if fn.url.auth_type is UNKNOWN else fn.url.auth_type},
        "reserved_concurrency": _v(fn.reserved_concurrency),
        "tracing": _v(fn.tracing),
        "dead_letter": _v(fn.dead_letter) is not None,
        "on_failure": _v(fn.on_failure) is not None,
        "tags": {k: (None if v is UNKNOWN else v) for k, v in fn.tags.items()},
        "layers": [x.ref if isinstance(x.ref, str) else None for x in fn.layers],
        "architectures": [x if isinstance(x, str) else None for x in fn.architectures],
        **{k: v for k, v in fn.extra.items() if k not in ("name",)},
    }


def _actions_summary(actions: list[dict[str, Any]] | None) -> str:
    if not actions:
        return "-"
    counts: dict[str, int] = {}
    for a in {(a["action"], a["status"]) for a in actions}:
        counts[a[1]] = counts.get(a[1], 0) + 1
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


def _counts(counts: dict[str, Any] | None) -> str:
    """`3/12/9`: actions the code needs, the role grants, the role grants unused (`?`: not
    known)."""
    if not counts:
        return "-"
    return "/".join(
        "?" if counts.get(k) is None else str(counts[k]) for k in ("needed", "granted", "unused")
    )


def table(project: Project, views: list[dict[str, Any]], with_actions: bool = False) -> str:
    """The `show` table: a row per function (`views` in the same order, each `function_view`,
    `with_actions` with `code_actions`: the AWS actions the handler's code calls and whether the
    role allows each, and `permissions`: how many actions it needs, its role grants, and grants
    unused)."""
    headers = [
        "function",
        "file",
        "runtime",
        "handler",
        "timeout",
        "memory",
        "logs",
        "role",
        "events",
    ]
    if with_actions:
        headers.append("api actions")
        headers.append("needed/granted/unused")
    rows = []
    details: list[str] = []
    for fn, v in zip(project.functions, views, strict=True):
        role = fn.role
        if role is None:
            scope = "-"
        elif not role.known:
            scope = "external"
        else:
            scope = f"{len(role.statements)} stmt" + (
                f", {len(role.managed_policies)} managed" if role.managed_policies else ""
            )
        rows.append(
            [
                fn.name,
                f"{v['path']}:{v['line']}",
                str(v["runtime"] or "-"),
                str(v["handler"] or "-"),
                str(v["timeout"] if v["timeout"] is not None else "-"),
                str(v["memory"] if v["memory"] is not None else "-"),
                f"{v['log_retention_days']}d" if v["log_retention_days"] else "-",
                scope,
                ",".join(sorted({e["kind"] for e in v["events"]})) or "-",
            ]
        )
        if with_actions:
            rows[-1].append(_actions_summary(v["code_actions"]))
            rows[-1].append(_counts(v.get("permissions")))
            for a in v["code_actions"] or []:
                details.append(
                    f"  {fn.name}  {a['status']:<8} {a['action']:<36} "
                    f"{a['path']}:{a['line']} {a['call']}"
                )
    from lambdalint.escape import clean  # names and handlers are untrusted text

    rows = [[clean(cell) for cell in row] for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    lines.append(f"{len(rows)} function{'s' if len(rows) != 1 else ''}")
    if details:
        # what each function's code calls and whether its role allows it
        lines.append("")
        lines.append("AWS actions called by handler code:")
        lines.extend(clean(d) for d in details)
    return "\n".join(lines) + "\n"
