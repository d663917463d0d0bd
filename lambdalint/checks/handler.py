"""Handler checks (LL101–LL105): does the handler named in the config exist and can Lambda call it?"""

from __future__ import annotations

from collections.abc import Iterator

from lambdalint.context import CheckContext
from lambdalint.findings import Finding
from lambdalint.model import Function, Loc

# decorators known to keep the wrapped handler's signature and sync/async nature
PASSTHROUGH_DECORATORS = {
    "inject_lambda_context",
    "capture_lambda_handler",
    "log_metrics",
    "event_source",
    "idempotent",
    "validator",
    "lambda_handler_decorator",
    "logger.inject_lambda_context",
    "tracer.capture_lambda_handler",
    "metrics.log_metrics",
}


def _handler_loc(fn: Function) -> Loc:
    return fn.handler.loc if fn.handler is not None else fn.loc


def file_missing(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    target = ctx.handler_target(fn)
    if target.status == "missing-file":
        yield Finding(target.message, _handler_loc(fn))
    elif target.status == "missing-dir":
        loc = fn.code.loc if fn.code is not None else fn.loc
        yield Finding(target.message, loc)


def malformed(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    target = ctx.handler_target(fn)
    if target.status == "malformed":
        yield Finding(target.message, _handler_loc(fn))


def function_missing(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    target = ctx.handler_target(fn)
    if target.status != "ok":
        return
    src = ctx.source(fn)
    if src is None or src.parse_error is not None or src.open_namespace:
        return
    if target.function in src.top_level:
        return
    where = ctx.path_for(src.path, fn) if target.inline_source is None else "the inline code"
    defined = sorted(
        n.name for n in src.top_level.values() if n.kind in ("def", "async-def", "export")
    )
    what = "export" if target.language == "node" else "top-level callable"
    msg = f"handler '{target.handler}': {where} defines no {what} '{target.function}'"
    if defined:
        msg += f" (it defines: {', '.join(defined[:6])}{', …' if len(defined) > 6 else ''})"
    yield Finding(msg, _handler_loc(fn))


def _checked_def(fn: Function, ctx: CheckContext):  # type: ignore[no-untyped-def]
    target = ctx.handler_target(fn)
    if target.status != "ok" or target.language != "python":
        return None, None
    src = ctx.source(fn)
    if src is None or src.parse_error is not None:
        return None, None
    name = src.top_level.get(target.function)
    if name is None or name.kind not in ("def", "async-def") or name.params is None:
        return None, None
    if any(d not in PASSTHROUGH_DECORATORS and d.rsplit(".", 1)[-1] not in PASSTHROUGH_DECORATORS for d in name.decorators):
        return None, None  # an unknown decorator may change how it is called
    return src, name


def signature(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    src, name = _checked_def(fn, ctx)
    if name is None:
        return
    p = name.params
    loc = ctx.source_loc(src, name.pos)
    if p.positional < 2 and not p.varargs:
        yield Finding(
            f"handler '{name.name}' takes {p.positional} positional parameter"
            f"{'' if p.positional == 1 else 's'}, but Lambda calls it as {name.name}(event, context)",
            loc,
        )
    elif p.required_positional > 2:
        yield Finding(
            f"handler '{name.name}' requires {p.required_positional} positional parameters; "
            f"Lambda passes only (event, context)",
            loc,
        )
    elif p.required_keyword_only > 0:
        yield Finding(
            f"handler '{name.name}' has required keyword-only parameters; Lambda passes only "
            f"(event, context)",
            loc,
        )


def async_handler(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    src, name = _checked_def(fn, ctx)
    if name is None or name.kind != "async-def":
        return
    yield Finding(
        f"handler '{name.name}' is 'async def': the Python runtime calls it without awaiting, "
        f"so the body never runs. Make it a plain def and run the coroutine with asyncio.run()",
        ctx.source_loc(src, name.pos),
    )
