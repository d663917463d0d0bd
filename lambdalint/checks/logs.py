"""Logging checks (LL301, LL302): does the function's log group expire its logs?"""

from __future__ import annotations

from collections.abc import Iterator

from lambdalint.checks.code import writes_to_any_log_group
from lambdalint.engine.context import CheckContext
from lambdalint.findings import Edit, Finding, Fix
from lambdalint.loaders import fixes
from lambdalint.model import UNKNOWN, Function
from lambdalint.numeric import whole_number

# the retentions CloudWatch Logs accepts, in days
# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
)  # fmt: skip


def _fix(title: str, edits: list[Edit] | None) -> Fix | None:
    return Fix(title, tuple(edits)) if edits else None


def _retention(ctx: CheckContext) -> int | None:
    """The retention a new log group gets (`log-retention-days`), when CloudWatch accepts it."""
    days = ctx.options.integer("log-retention-days") or 30
    return days if days in RETENTION_DAYS else None


def _name(value: object) -> str:
    return value if isinstance(value, str) else "the log group"


def retention_missing(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    """LL301: no log group of the function has a retention (or one that is no number)."""
    groups = fn.log_groups
    for group in groups:
        number = whole_number(group.retention_days)
        if number is not None and not isinstance(number.value, int):
            why = number.problem or "more days than CloudWatch Logs accepts"
            days = _retention(ctx)
            yield Finding(
                f"log group {_name(group.name)} of {fn.name} has retention {number.shown}, "
                f"{why}: the group cannot be created with it; set RetentionInDays / "
                "retention_in_days to a number of days (1, 3, 5, 7, 14, 30 ...)",
                group.retention_loc or group.loc,
                fix=_fix(
                    f"Set the retention to {days} days",
                    fixes.set_retention(ctx.texts, fn, group, days) if days else None,
                ),
            )
            return
    if any(g.retention_days is UNKNOWN for g in groups):
        return
    if any(isinstance(g.retention_days, int) and g.retention_days > 0 for g in groups):
        return
    days = _retention(ctx)
    if groups:
        group = groups[0]
        where = group.retention_loc or group.loc
        edits = None
        if days is not None:
            if group.retention_loc is not None:  # set, to 0: never expire
                edits = fixes.set_retention(ctx.texts, fn, group, days)
            else:
                edits = fixes.add_retention(ctx.texts, fn, group, days)
        yield Finding(
            f"log group {_name(group.name)} of {fn.name} never expires its logs (no "
            "retention set); set RetentionInDays / retention_in_days",
            where,
            fix=_fix(f"Keep the group's logs {days} days", edits),
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
        fix=_fix(
            f"Define a log group that keeps the logs {days} days",
            fixes.add_log_group(ctx.texts, fn, days) if days and _may_move(fn) else None,
        ),
    )


def retention_too_long(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    """LL302: retention above the `max-retention-days` option (off by default)."""
    limit = ctx.options.integer("max-retention-days")
    if limit is None:
        return
    for group in fn.log_groups:
        days = group.retention_days
        if isinstance(days, int) and not isinstance(days, bool) and days > limit:
            lowered = max((d for d in RETENTION_DAYS if d <= limit), default=None)
            yield Finding(
                f"log group {_name(group.name)} of {fn.name} keeps logs {days} days, more "
                f"than the configured maximum of {limit} (max-retention-days)",
                group.retention_loc or group.loc,
                fix=_fix(
                    f"Lower the retention to {lowered} days",
                    fixes.set_retention(ctx.texts, fn, group, lowered) if lowered else None,
                ),
            )


def _may_move(fn: Function) -> bool:
    """Whether the function's logs may go to a new group: SAM and CloudFormation get a group
    CloudFormation names, which the role must let the function write to (Terraform names its
    new group /aws/lambda/<name>, as Lambda does)."""
    if fn.framework not in ("sam", "cloudformation"):
        return True
    return writes_to_any_log_group(fn.role)
