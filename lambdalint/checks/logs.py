"""Logging checks (LL301, LL302): does the function's log group expire its logs?"""

from __future__ import annotations

from collections.abc import Iterator

from lambdalint.engine.context import CheckContext
from lambdalint.findings import Finding
from lambdalint.model import UNKNOWN, Function
from lambdalint.numeric import whole_number


def _group(value: object) -> str:
    """`log group /aws/lambda/x`, or `the log group` when its name is not known."""
    return f"log group {value}" if isinstance(value, str) else "the log group"


def retention_missing(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    """LL301: no log group of the function has a retention (or one that is no number)."""
    groups = fn.log_groups
    for group in groups:
        number = whole_number(group.retention_days)
        if number is not None and not isinstance(number.value, int):
            why = number.problem or "more days than CloudWatch Logs accepts"
            yield Finding(
                f"{_group(group.name)} of {fn.name} has retention {number.shown}, "
                f"{why}: the group cannot be created with it; set RetentionInDays / "
                "retention_in_days to a number of days (1, 3, 5, 7, 14, 30 ...)",
                group.retention_loc or group.loc,
            )
            return
    if any(g.retention_days is UNKNOWN for g in groups):
        return
    if any(isinstance(g.retention_days, int) and g.retention_days > 0 for g in groups):
        return
    if groups:
        group = groups[0]
        where = group.retention_loc or group.loc
        # a retention written as 0 (Terraform's "never expire", often a variable's default)
        zero = group.retention_loc is not None and group.retention_days == 0
        why = "retention 0: never expire" if zero else "no retention set"
        yield Finding(
            f"{_group(group.name)} of {fn.name} never expires its logs ({why}); set "
            "RetentionInDays / retention_in_days",
            where,
        )
        return
    if fn.logging_config_group is not None:
        return  # it logs to a group defined somewhere lambdalint cannot see
    yield Finding(
        f"no log group with a retention is defined for {fn.name}: Lambda creates "
        "/aws/lambda/<function name> on first invocation and keeps its logs forever; define "
        "the group with a retention (once the function has run, that group already exists and "
        'creating it fails with "already exists": then send the logs to a new group with a '
        "retention through LoggingConfig.LogGroup / logging_config.log_group)",
        fn.loc,
    )


def retention_too_long(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    """LL302: retention above the `max-retention-days` option (off by default)."""
    limit = ctx.options.integer("max-retention-days")
    if limit is None:
        return
    for group in fn.log_groups:
        days = group.retention_days
        if isinstance(days, int) and not isinstance(days, bool) and days > limit:
            yield Finding(
                f"{_group(group.name)} of {fn.name} keeps logs {days} days, more "
                f"than the configured maximum of {limit} (max-retention-days)",
                group.retention_loc or group.loc,
            )
