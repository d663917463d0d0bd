"""Reliability checks (LL601): what happens to events that fail."""

from __future__ import annotations

from collections.abc import Iterator

from lambdalint.engine.context import CheckContext
from lambdalint.findings import Finding
from lambdalint.model import Function

_KIND_NAMES = {
    "s3": "S3",
    "sns": "SNS",
    "eventbridge": "EventBridge",
    "schedule": "schedule",
    "api": "API Gateway",
    "http-api": "API Gateway",
}


def async_without_failure_destination(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    """LL601: asynchronous event sources and nowhere for failed events to go."""
    sources = [e for e in fn.events if e.is_async]
    if not sources or fn.dead_letter is not None or fn.on_failure is not None:
        return
    named = ", ".join(
        f"{_KIND_NAMES.get(e.kind, e.kind)}{' ' + e.name if e.name else ''}" for e in sources[:3]
    )
    more = f" and {len(sources) - 3} more" if len(sources) > 3 else ""
    yield Finding(
        f"{fn.name} is invoked asynchronously ({named}{more}) but has no dead-letter queue "
        "or OnFailure destination: an event that fails every retry is dropped; add a "
        "DeadLetterQueue or an EventInvokeConfig OnFailure destination",
        fn.loc,
    )
