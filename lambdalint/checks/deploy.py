"""Deployment limits (LL507–LL513): settings Lambda refuses, so the deployment fails, and event
source mapping settings that let one bad record stop a stream."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lambdalint.analysis import package
from lambdalint.aws import limits
from lambdalint.engine.context import CheckContext
from lambdalint.findings import Finding
from lambdalint.model import UNKNOWN, Event, EventSetting, Function, Loc
from lambdalint.numeric import whole_number

_NAME = re.compile(r"[A-Za-z0-9_-]+")
_POLLED = ("sqs", "kinesis", "dynamodb", "msk", "mq")
_SOURCE_NAMES = {
    "sqs": "SQS queue",
    "kinesis": "Kinesis stream",
    "dynamodb": "DynamoDB stream",
    "msk": "Kafka topic",
    "mq": "Amazon MQ broker",
}


def _where(event: Event) -> str:
    kind = _SOURCE_NAMES.get(event.kind, "event source")
    return f"{kind} {event.name}" if event.name else kind


def _loc(event: Event, setting: EventSetting) -> Loc:
    return event.locs.get(setting, event.loc)


# ---------------------------------------------------------------------------- LL507


def reserved_env_var(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    for env in fn.environment.values():
        if env.name not in limits.RESERVED_ENVIRONMENT:
            continue
        yield Finding(
            f"'{env.name}' is reserved by Lambda, which sets it itself: a function that sets it "
            'cannot be deployed ("reserved keys that are currently not supported for '
            'modification"); read the value Lambda provides, or use another name',
            env.loc,
        )


# ---------------------------------------------------------------------------- LL508


def env_too_large(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    if not fn.environment:
        return
    total = 0
    unknown = not fn.environment_complete
    largest = None
    largest_size = -1
    for env in fn.environment.values():
        size = len(env.name.encode("utf-8", "surrogatepass"))
        if isinstance(env.value, str):
            size += len(env.value.encode("utf-8", "surrogatepass"))
        else:
            unknown = True  # counted by its name only: the total is a lower bound
        total += size
        if size > largest_size:
            largest, largest_size = env, size
    if total <= limits.ENVIRONMENT_BYTES or largest is None:
        return
    bound = "at least " if unknown else ""
    yield Finding(
        f"the environment variables of {fn.name} take {bound}{total:,} bytes (names and values), "
        f"more than the {limits.ENVIRONMENT_BYTES:,} bytes (4 KB) Lambda accepts: the "
        f"deployment fails; the largest is '{largest.name}' ({largest_size:,} bytes): keep large "
        "values in SSM Parameter Store, Secrets Manager or S3 and read them at run time",
        largest.loc,
    )


# ---------------------------------------------------------------------------- LL509


def name_too_long(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    name = fn.function_name
    if isinstance(name, str) and name and not name.startswith("arn:"):
        loc = fn.function_name_loc or fn.loc
        derived = "" if fn.function_name_loc != fn.loc else " (the name the framework gives it)"
        if len(name) > limits.FUNCTION_NAME_CHARS:
            yield Finding(
                f"function name '{_shown(name)}'{derived} is {len(name)} characters: Lambda "
                f"accepts at most {limits.FUNCTION_NAME_CHARS}, the deployment fails",
                loc,
            )
        elif not _NAME.fullmatch(name):
            bad = sorted({c for c in name if not _NAME.fullmatch(c)})
            shown = " ".join(repr(c) for c in bad[:5])
            yield Finding(
                f"function name '{_shown(name)}'{derived} contains {shown}: Lambda accepts "
                "letters, digits, '-' and '_' only, the deployment fails",
                loc,
            )
    handler = fn.handler.value if fn.handler is not None else None
    if fn.handler is not None and isinstance(handler, str) and len(handler) > limits.HANDLER_CHARS:
        yield Finding(
            f"handler '{_shown(handler)}' is {len(handler)} characters: Lambda accepts at "
            f"most {limits.HANDLER_CHARS}, the deployment fails",
            fn.handler.loc,
        )


def _shown(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# ---------------------------------------------------------------------------- LL510


def too_many_layers(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    certain = [layer for layer in fn.layers if not layer.optional]
    if len(certain) <= limits.MAX_LAYERS:
        return
    extra = certain[limits.MAX_LAYERS]
    yield Finding(
        f"{fn.name} has {len(certain)} layers: Lambda accepts at most {limits.MAX_LAYERS}, the "
        "deployment fails; merge layers, or move dependencies into the function's package or a "
        "container image",
        extra.loc,
    )


# ---------------------------------------------------------------------------- LL511


def esm_batch_settings(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    for event in fn.events:
        if event.kind in _POLLED:
            yield from _batch_settings(event)


def _batch_settings(event: Event) -> Iterator[Finding]:
    where = _where(event)
    fifo = event.kind == "sqs" and event.queue is not None and event.queue.fifo is True
    size = whole_number(event.batch_size)
    window = whole_number(event.batching_window)
    if size is not None and size.value is None:
        yield Finding(
            f"BatchSize {size.shown} of {where} is {size.problem}: Lambda accepts a whole number "
            f"from {limits.MIN_BATCH_SIZE} to {limits.MAX_BATCH_SIZE:,}, the deployment fails",
            _loc(event, "batch_size"),
        )
    elif size is not None and size.value is not None:
        batch = size.value
        if not limits.MIN_BATCH_SIZE <= batch <= limits.MAX_BATCH_SIZE:
            yield Finding(
                f"BatchSize {size.shown} of {where} is outside what Lambda accepts "
                f"({limits.MIN_BATCH_SIZE}–{limits.MAX_BATCH_SIZE:,}): the deployment fails",
                _loc(event, "batch_size"),
            )
        elif fifo and batch > limits.FIFO_MAX_BATCH_SIZE:
            yield Finding(
                f"BatchSize {size.shown} of FIFO {where}: Lambda reads at most "
                f"{limits.FIFO_MAX_BATCH_SIZE} messages at a time from a FIFO queue, the "
                "deployment fails",
                _loc(event, "batch_size"),
            )
        elif (
            event.kind == "sqs"
            and not fifo
            and batch > limits.SQS_BATCH_WITHOUT_WINDOW
            and event.batching_window is not UNKNOWN
            and (window is None or (isinstance(window.value, int) and window.value < 1))
        ):
            yield Finding(
                f"BatchSize {size.shown} of {where} needs MaximumBatchingWindowInSeconds of at "
                f"least 1: Lambda refuses an SQS batch above {limits.SQS_BATCH_WITHOUT_WINDOW} "
                "without a batching window, the deployment fails",
                _loc(event, "batch_size"),
            )
    if window is not None and window.value is None:
        yield Finding(
            f"MaximumBatchingWindowInSeconds {window.shown} of {where} is {window.problem}: "
            f"Lambda accepts a whole number of seconds from 0 to {limits.MAX_BATCHING_WINDOW}, "
            "the deployment fails",
            _loc(event, "batching_window"),
        )
    elif window is not None and window.value is not None:
        if not 0 <= window.value <= limits.MAX_BATCHING_WINDOW:
            yield Finding(
                f"MaximumBatchingWindowInSeconds {window.shown} of {where} is outside what "
                f"Lambda accepts (0–{limits.MAX_BATCHING_WINDOW} seconds): the deployment fails",
                _loc(event, "batching_window"),
            )
        elif fifo and window.value > 0:
            yield Finding(
                f"MaximumBatchingWindowInSeconds {window.shown} of FIFO {where}: batching "
                "windows are not supported for FIFO queues, the deployment fails",
                _loc(event, "batching_window"),
            )


# ---------------------------------------------------------------------------- LL512


def stream_retry_unbounded(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    for event in fn.events:
        if event.kind not in ("kinesis", "dynamodb"):
            continue
        settings = (event.max_retry_attempts, event.max_record_age, event.bisect_on_error)
        if any(value is UNKNOWN for value in settings):
            continue
        if event.bisect_on_error is True:
            continue
        if not (_unbounded(event.max_retry_attempts) and _unbounded(event.max_record_age)):
            continue
        yield Finding(
            f"{_where(event)} retries a failing batch until its records expire "
            "(MaximumRetryAttempts and MaximumRecordAgeInSeconds unset or -1, no "
            "BisectBatchOnFunctionError): one record the function cannot process blocks its "
            "shard for as long as the stream keeps it; set MaximumRetryAttempts (with an "
            "OnFailure destination for the records given up on)",
            event.loc,
        )


def _unbounded(value: object) -> bool:
    """Not set, or -1 (infinite)."""
    number = whole_number(value)
    return value is None or (number is not None and number.value == -1)


# ---------------------------------------------------------------------------- LL513


def package_too_large(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    code = fn.code
    if code is None or code.built or code.kind not in ("dir", "file", "zip"):
        return
    measured = package.measure(
        fn,
        ctx.reader,
        stop_at=limits.UNZIPPED_BYTES,
        sizes=lambda path, make: ctx.cached("package-size", path, make),
    )
    if measured is None:
        return
    zipped = measured.zipped
    if code.direct_upload and zipped is not None and zipped > limits.ZIPPED_DIRECT_UPLOAD_BYTES:
        yield Finding(
            f"the deployment package of {fn.name} is {_mb(zipped)} zipped, and it is uploaded "
            f"with the API call: Lambda accepts at most {_mb(limits.ZIPPED_DIRECT_UPLOAD_BYTES)} "
            "that way, the deployment fails; upload it to S3 and point the function at the object",
            code.loc,
        )
    if measured.unzipped <= limits.UNZIPPED_BYTES:
        return
    bound = "at least " if not measured.complete else ""
    parts = [f"its code {_mb(measured.code)}"]
    if measured.layers:
        parts.append(f"its layers {_mb(measured.layers)}")
    yield Finding(
        f"{fn.name} unzips to {bound}{_mb(measured.unzipped)} ({', '.join(parts)}): Lambda "
        f"accepts at most {_mb(limits.UNZIPPED_BYTES)} for a function and its layers, the "
        "deployment fails; leave out what the function does not need, or use a container image "
        "(up to 10 GB)",
        code.loc,
    )


def _mb(size: int) -> str:
    return f"{size / 1_048_576:,.1f} MB"
