"""Suppression comments that are dead (LL001) or give no reason (LL002).

Both rules are judged after every other rule and after suppressions are applied, by
`filters.suppress.judge` (app.lint calls it): whether a comment suppressed anything is known
only then. The check functions the rule files name therefore report nothing themselves.
"""

from __future__ import annotations

from collections.abc import Iterator

from lambdalint.engine.context import CheckContext
from lambdalint.findings import Finding
from lambdalint.model import Project


def unused(project: Project, ctx: CheckContext) -> Iterator[Finding]:
    """LL001: judged in filters.suppress.judge, once the other rules' findings are known."""
    return iter(())


def without_reason(project: Project, ctx: CheckContext) -> Iterator[Finding]:
    """LL002: judged in filters.suppress.judge with LL001 (the same comments are read once)."""
    return iter(())
