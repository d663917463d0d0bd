"""Timeouts and limits (LL501–LL506): values Lambda rejects, and combinations with event sources
that fail at runtime."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lambdalint.aws import runtimes
from lambdalint.engine.context import CheckContext
from lambdalint.findings import Edit, Finding, Fix
from lambdalint.loaders import fixes
from lambdalint.model import UNKNOWN, Event, Function, Prop
from lambdalint.numeric import whole_number

# https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
MIN_TIMEOUT, MAX_TIMEOUT = 1, 900
# on Lambda Managed Instances (a capacity provider), up to 90 minutes for asynchronous and event
# source mapping invocations: https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html
MAX_TIMEOUT_MANAGED_INSTANCES = 5400
MIN_MEMORY, MAX_MEMORY = 128, 10240
DEFAULT_TIMEOUT = 3
# API Gateway quotas: REST (and WebSocket) integrations 29 s, HTTP API integrations 30 s
# https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
# https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html
API_LIMITS = {"api": 29, "http-api": 30}
_API_NAMES = {"api": "a REST/WebSocket API", "http-api": "an HTTP API"}
# AWS: queue visibility timeout at least six times the function timeout, plus the event source
# mapping's MaximumBatchingWindowInSeconds
# https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
SQS_VISIBILITY_FACTOR = 6
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
MAX_VISIBILITY_TIMEOUT = 43200


def as_int(value: Any) -> int | None:
    """An integer setting, or None when it is not a (known) whole number that fits."""
    number = whole_number(value)
    return number.value if number is not None and isinstance(number.value, int) else None


def _out_of_range(
    name: str, prop: Prop[Any], low: int, high: int, unit: str, where: str = ""
) -> Iterator[Finding]:
    """The finding for a whole-number setting outside [low, high], or that is no whole number
    (`where` says which kind of function the bounds are for)."""
    number = whole_number(prop.value)
    if number is None:
        return
    if number.value is None:
        yield Finding(
            f"{name} {number.shown} is {number.problem}: Lambda accepts a whole number of "
            f"{unit} from {low} to {high:,}{where}, the deployment fails",
            prop.loc,
        )
    elif not low <= number.value <= high:
        yield Finding(
            f"{name} {number.shown} is outside what Lambda accepts{where} "
            f"({low}–{high:,} {unit}): the deployment fails",
            prop.loc,
        )


def _timeout(fn: Function) -> int | None:
    """The effective timeout: the configured one, the default when none is set, None unknown."""
    if fn.timeout is None:
        return DEFAULT_TIMEOUT
    return as_int(fn.timeout.value)


def timeout_out_of_range(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    """LL501"""
    if fn.timeout is None:
        return
    managed = fn.managed_instances is not False  # True, or a condition that may make it so
    limit = MAX_TIMEOUT_MANAGED_INSTANCES if managed else MAX_TIMEOUT
    where = " on Lambda Managed Instances" if fn.managed_instances is True else ""
    yield from _out_of_range("Timeout", fn.timeout, MIN_TIMEOUT, limit, "seconds", where)


def timeout_exceeds_api_limit(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    """LL502"""
    if fn.timeout is None:
        return
    timeout = as_int(fn.timeout.value)
    if timeout is None:
        return
    option = ctx.options.integer("api-timeout")
    # asynchronous integrations (X-Amz-Invocation-Type: Event) do not wait for the function
    api_events = [e for e in fn.events if e.kind in API_LIMITS and not e.is_async]
    if not api_events or any(e.integration_timeout is UNKNOWN for e in api_events):
        return

    def limit_of(event: Event) -> float:
        if isinstance(event.integration_timeout, (int, float)):
            return float(event.integration_timeout)
        return float(option if option is not None else API_LIMITS[event.kind])

    event = min(api_events, key=limit_of)
    limit = limit_of(event)
    if timeout <= limit:
        return
    shown = f"{limit:g}"
    name = f" ({event.name})" if event.name else ""
    lowered = int(limit)
    yield Finding(
        f"{fn.name} runs up to {timeout} s but is invoked through {_API_NAMES[event.kind]}"
        f"{name}, which gives up after {shown} s: callers get a 504 while the function keeps "
        f"running; lower Timeout to {shown} or less, or make the work asynchronous",
        fn.timeout.loc,
        fix=_fix(
            f"Lower Timeout to {lowered} seconds",
            fixes.set_timeout(ctx.texts, fn, lowered) if lowered >= MIN_TIMEOUT else None,
        ),
    )


def _fix(title: str, edits: list[Edit] | None) -> Fix | None:
    return Fix(title, tuple(edits)) if edits else None


def _api_limit(fn: Function, ctx: CheckContext) -> int | None:
    """The shortest time an API that invokes `fn` waits for it (None: no API invokes it, or
    how long one waits is not known)."""
    option = ctx.options.integer("api-timeout")
    limits: list[int] = []
    for event in fn.events:
        if event.kind not in API_LIMITS or event.is_async:
            continue
        if event.integration_timeout is UNKNOWN:
            return None
        if isinstance(event.integration_timeout, (int, float)):
            limits.append(int(event.integration_timeout))
        else:
            limits.append(option if option is not None else API_LIMITS[event.kind])
    return min(limits) if limits else None


def sqs_visibility_timeout(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    """LL503: error when the queue hides a message for less than one function run, warning
    when for less than six plus the batching window (AWS's guidance, which leaves room for
    retries and batching)."""
    timeout = _timeout(fn)
    for event in fn.events:
        queue = event.queue
        if event.kind != "sqs" or queue is None:
            continue
        loc = queue.visibility_loc or queue.loc
        number = whole_number(queue.visibility_timeout)
        recommended = (
            SQS_VISIBILITY_FACTOR * timeout + _window(event) if timeout is not None else None
        )
        fix = None
        if recommended is not None and recommended <= MAX_VISIBILITY_TIMEOUT:
            fix = _fix(
                f"Raise the queue's VisibilityTimeout to {recommended} seconds",
                fixes.set_visibility_timeout(ctx.texts, fn, queue, recommended),
            )
        if number is not None and number.value is None:
            finding = Finding(
                f"queue {queue.name} has VisibilityTimeout {number.shown}, {number.problem}: "
                "SQS accepts a whole number of seconds from 0 to 43200, the deployment fails",
                loc,
                fix=fix,
            )
            finding.severity = "error"
            yield finding
            continue
        if number is None or number.value is None or timeout is None:
            continue
        visibility = number.value
        if visibility < timeout:
            finding = Finding(
                f"queue {queue.name} has VisibilityTimeout {number.shown} s, shorter than the "
                f"{timeout} s timeout of {fn.name}: Lambda rejects the event source mapping "
                "(and a message could become visible again while still being processed)",
                loc,
                fix=fix,
            )
            finding.severity = "error"
            yield finding
        elif visibility < SQS_VISIBILITY_FACTOR * timeout + (window := _window(event)):
            plus = f" + the {window} s batching window" if window else ""
            finding = Finding(
                f"queue {queue.name} has VisibilityTimeout {number.shown} s; AWS recommends at "
                f"least {SQS_VISIBILITY_FACTOR} × the {timeout} s timeout of {fn.name}{plus} "
                f"({SQS_VISIBILITY_FACTOR * timeout + window} s) so retries do not overlap",
                loc,
                fix=fix,
            )
            finding.severity = "warning"
            yield finding


def _window(event: Event) -> int:
    """The event source mapping's batching window in seconds (0 when not set or not known: the
    recommendation is then at least six times the timeout)."""
    value = as_int(event.batching_window)
    return value if value is not None and value > 0 else 0


def timeout_not_set(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    """LL504"""
    if fn.timeout is None:
        seconds = ctx.options.integer("default-timeout") or 30
        limit = _api_limit(fn, ctx)
        if limit is not None:
            seconds = min(seconds, limit)
        yield Finding(
            f"no Timeout is set for {fn.name} (on the function or in its globals): Lambda's "
            f"default of {DEFAULT_TIMEOUT} seconds applies",
            fn.loc,
            fix=_fix(
                f"Set Timeout to {seconds} seconds",
                fixes.set_timeout(ctx.texts, fn, seconds) if seconds >= MIN_TIMEOUT else None,
            ),
        )


def memory_out_of_range(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    """LL505"""
    if fn.memory is not None:
        yield from _out_of_range("MemorySize", fn.memory, MIN_MEMORY, MAX_MEMORY, "MB")


def runtime_deprecated(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    """LL506: warning once deprecated, error once Lambda blocks creating functions with it."""
    if fn.runtime is None or not isinstance(fn.runtime.value, str):
        return
    runtime = fn.runtime.value.strip()
    table = runtimes.load(ctx.options.mapping("runtime-deprecations"))
    state = runtimes.status(table, runtime)
    if state is None:
        return
    row = table.rows[runtime]
    parts = [f"runtime {runtime} is deprecated since {row.deprecated} (no more security patches)"]
    if state == "blocked":
        parts.append(f"creating functions with it is blocked since {row.block_create}")
    if row.block_update is not None:
        verb = "are blocked since" if table.as_of >= row.block_update else "will be blocked from"
        parts.append(f"updates {verb} {row.block_update}")
    upgrade = runtimes.successor(table, runtime)
    advice = f"; upgrade to {upgrade}" if upgrade else "; upgrade to a supported runtime"
    fix = None
    if upgrade is not None:
        edit = fixes.replace_value(ctx.texts, fn, fn.runtime.loc, upgrade)
        fix = _fix(f"Change the runtime to {upgrade}", [edit] if edit is not None else None)
    finding = Finding("; ".join(parts) + advice, fn.runtime.loc, fix=fix)
    finding.severity = "error" if state == "blocked" else "warning"
    yield finding
