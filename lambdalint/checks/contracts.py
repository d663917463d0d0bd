"""Contracts between the handler's code and the event source that invokes it (LL701–LL703):
what the code returns must be what the source reads, and what it writes must not invoke it
again.

`written_resource` is the general join these rules stand on: an SDK call's argument (a fact:
`Bucket=os.environ["UPLOADS"]`) through the function's environment (the model:
`UPLOADS: !Ref Uploads`) to a resource of the project.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lambdalint.analysis.facts import Argument, HandlerSource, ReturnedObject, SdkCall
from lambdalint.checks.code import _analysed, _handler_names, _relevant, _sole_user
from lambdalint.engine.context import CheckContext
from lambdalint.findings import Finding
from lambdalint.model import UNKNOWN, Event, Function

REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures"
_BATCH_SOURCES = {"sqs": "SQS queue", "kinesis": "Kinesis stream", "dynamodb": "DynamoDB stream"}


def _source_path(src: HandlerSource, fn: Function, ctx: CheckContext, line: int) -> str:
    return f"{ctx.path_for(src.path, fn)}:{line + src.line_offset}"


def _handler_returns(fn: Function, ctx: CheckContext) -> list[ReturnedObject]:
    src = _analysed(fn, ctx)
    if src is None:
        return []
    names = _handler_names(fn, ctx, src)
    return [r for r in src.returns if r.in_function in names]


# ---------------------------------------------------------------------------- LL701


def batch_failures_ignored(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    src = _analysed(fn, ctx)
    if src is None:
        return
    reported = next(
        (r for r in _handler_returns(fn, ctx) if r.value_kind("batchItemFailures") is not None),
        None,
    )
    if reported is None:
        return
    where = _source_path(src, fn, ctx, reported.pos.line)
    how = f"{reported.via}()" if reported.via else "batchItemFailures"
    for event in fn.events:
        if event.kind not in _BATCH_SOURCES or event.response_types is UNKNOWN:
            continue
        types = event.response_types if isinstance(event.response_types, list) else []
        if REPORT_BATCH_ITEM_FAILURES in types:
            continue
        source = f"{_BATCH_SOURCES[event.kind]} {event.name}".rstrip()
        yield Finding(
            f"the handler returns {how} ({where}) but the {source} that invokes it does not "
            f"have FunctionResponseTypes [{REPORT_BATCH_ITEM_FAILURES}]: Lambda ignores the "
            "list and counts the whole batch as processed, so the failed messages are deleted "
            "(a stream moves past the failed records); add "
            f"{REPORT_BATCH_ITEM_FAILURES} to the event source",
            event.locs.get("response_types", event.loc),
        )


# ---------------------------------------------------------------------------- LL702

_HTTP_KINDS = ("api", "http-api", "alb")
# who reads the response, and what the caller gets when it is malformed
_FRONTS = {
    "alb": ("an Application Load Balancer", "502 Bad Gateway"),
    "http-api": ("an HTTP API with payload format 1.0", "500 Internal Server Error"),
    "api": ("a REST API Lambda proxy integration", "502 Malformed Lambda proxy response"),
}


def proxy_response_shape(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    if not fn.events or any(e.kind not in _HTTP_KINDS for e in fn.events):
        return  # a handler that also serves other sources may answer them in other shapes
    strict = [e for e in fn.events if e.kind == "alb" or e.proxy_format == "1.0"]
    if not strict:
        return
    src = _analysed(fn, ctx)
    if src is None:
        return
    event = strict[0]
    front, outcome = _FRONTS[event.kind]
    name = f" ({event.name})" if event.name else ""
    for returned in _handler_returns(fn, ctx):
        if returned.wrapped or returned.via:
            continue
        problems = []
        if returned.complete and returned.value_kind("statusCode") is None:
            problems.append("has no statusCode")
        body = returned.value_kind("body")
        if body in ("object", "array"):
            problems.append(f"has a body that is an {body}, not a string")
        if not problems:
            continue
        yield Finding(
            f"{fn.name} is invoked through {front}{name}, and this response "
            f"{' and '.join(problems)}: callers get {outcome}; return "
            '{"statusCode": 200, "body": json.dumps(...)} (JSON.stringify in Node)',
            ctx.source_loc(src, returned.pos),
        )


# ---------------------------------------------------------------------------- LL703

# SDK calls that put something into a bucket, queue or topic: (service, operation) → the API
# parameter that names where
WRITES: dict[tuple[str, str], str] = {
    ("s3", "PutObject"): "Bucket",
    ("s3", "CopyObject"): "Bucket",
    ("s3", "CompleteMultipartUpload"): "Bucket",
    ("sqs", "SendMessage"): "QueueUrl",
    ("sqs", "SendMessageBatch"): "QueueUrl",
    ("sns", "Publish"): "TopicArn",
    ("sns", "PublishBatch"): "TopicArn",
}
_SERVICE_EVENTS = {"s3": ("s3",), "sqs": ("sqs",), "sns": ("sns", "sqs")}
_WHAT = {"s3": "bucket", "sqs": "queue", "sns": "topic"}


@dataclass(frozen=True)
class WrittenResource:
    """Where an SDK call's target argument leads: a resource of the project (`resource`, a
    CloudFormation logical id or Terraform address) and/or a literal name; `env` is the
    environment variable it went through."""

    resource: str | None
    name: str | None
    env: str | None


def written_resource(fn: Function, arg: Argument | None) -> WrittenResource | None:
    """The resource an argument names, through the function's environment variables; None
    when it cannot be told."""
    if arg is None:
        return None
    if arg.env is not None:
        env = fn.environment.get(arg.env)
        if env is None:
            return None
        name = env.value if isinstance(env.value, str) else None
        if env.resource is None and name is None:
            return None
        return WrittenResource(env.resource, name, arg.env)
    if arg.literal is not None and arg.parts:
        return WrittenResource(None, arg.literal, None)
    return None


def _same(kind: str, target: WrittenResource, event: Event) -> bool:
    if target.resource is not None and target.resource == event.source:
        return True
    name = target.name
    if name is None or event.source_name is None:
        return False
    if kind == "sns":
        return name.rsplit(":", 1)[-1] == event.source_name
    return name == event.source_name


def _may_match_key(event: Event, key: Argument | None) -> bool:
    """Whether an object written with this key can pass the notification's key filter. With
    no filter, every key can; with one, only a key known to pass it counts."""
    prefix, suffix = event.key_prefix, event.key_suffix
    if prefix is None and suffix is None:
        return True
    if prefix is UNKNOWN or suffix is UNKNOWN or key is None:
        return False
    if isinstance(prefix, str) and prefix and not key.prefix.startswith(prefix):
        return False
    return not (isinstance(suffix, str) and suffix and not key.suffix.endswith(suffix))


def _argument(call: SdkCall, path: str) -> Argument | None:
    """The value the call gives a parameter (the first, should the code give it twice)."""
    given = call.argument(path)
    return given[0] if given else None


def _skipped(key: Argument | None, tests: tuple[tuple[str, str], ...]) -> bool:
    """Whether the code tests strings for a literal the written key is known to have (it
    starts with `out/` and the code tests `startswith("out/")`): a handler that skips the
    objects it writes itself."""
    if key is None:
        return False
    prefix, suffix = key.prefix, key.suffix
    texts = [p.text for p in key.parts if p.kind == "text"]
    for kind, text in tests:
        if kind == "prefix" and prefix.startswith(text):
            return True
        if kind == "suffix" and suffix.endswith(text):
            return True
        if kind == "contains" and any(text in t for t in texts):
            return True
    return False


def _triggers(call: SdkCall, event: Event, tests: tuple[tuple[str, str], ...]) -> bool:
    """Whether what the call writes invokes the function through this event."""
    if call.service == "s3":
        types = event.s3_events
        if types is None or not any("ObjectCreated" in t or t in ("s3:*", "*") for t in types):
            return False
        key = _argument(call, "Key")
        return _may_match_key(event, key) and not _skipped(key, tests)
    return event.filtered is False


def recursive_trigger(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    src = _analysed(fn, ctx)
    if src is None or not fn.events:
        return
    names = _handler_names(fn, ctx, src)
    sole = _sole_user(fn, ctx)
    for call in src.sdk_calls:
        param = WRITES.get((call.service, call.operation))
        if param is None or not _relevant(call.in_function, names, sole):
            continue
        target = written_resource(fn, _argument(call, param))
        if target is None:
            continue
        for event in fn.events:
            if event.kind not in _SERVICE_EVENTS[call.service]:
                continue
            if not _same(call.service, target, event) or not _triggers(
                call, event, src.string_tests
            ):
                continue
            what = _WHAT[call.service]
            named = target.resource or target.name
            via = f" ({target.env})" if target.env else ""
            trigger = f"{ctx.path_for(event.loc.path, fn)}:{event.loc.pos.line}"
            yield Finding(
                f"{call.method or call.operation} writes to the {what} {named}{via} that invokes "
                f"{fn.name} ({trigger}): every write invokes the function again, an endless loop "
                "that runs up cost until Lambda's loop detection or a concurrency limit stops "
                f"it; write to another {what}, or filter the trigger so that it excludes what "
                "the function writes",
                ctx.source_loc(src, call.pos),
            )
            break
