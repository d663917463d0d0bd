"""Problems found while reading files: parse errors (LL100) and duplicate keys (LL108)."""

from __future__ import annotations

from collections.abc import Iterator

from lambdalint.engine.context import CheckContext
from lambdalint.findings import Finding
from lambdalint.model import Project


def _diagnostics(project: Project, ctx: CheckContext, rule_id: str) -> Iterator[Finding]:
    """Problems met loading the project, then those met reading handler sources."""
    for diag in (*project.diagnostics, *ctx.diagnostics):
        if diag.rule_id == rule_id and not diag.notice:
            yield Finding(diag.message, diag.loc)


def parse_errors(project: Project, ctx: CheckContext) -> Iterator[Finding]:
    yield from _diagnostics(project, ctx, "LL100")
    for fn in project.functions:
        src = ctx.source(fn)
        if src is not None and src.parse_error is not None:
            message, pos = src.parse_error
            yield Finding(message, ctx.source_loc(src, pos), function=fn.name)


def duplicate_keys(project: Project, ctx: CheckContext) -> Iterator[Finding]:
    yield from _diagnostics(project, ctx, "LL108")
