"""Handler checks (LL101–LL105): does the handler named in the config exist and can Lambda call it?"""

from __future__ import annotations

from collections.abc import Iterator

from lambdalint.analysis.target import HandlerTarget
from lambdalint.analysis.facts import CALLABLE, HandlerSource, ObjectShape
from lambdalint.engine.context import CheckContext
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
    if target.status == "unverified":
        ctx.notice("LL101", _handler_loc(fn), target.message)
    elif target.status == "missing-file":
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
    if src is None or src.parse_error is not None:
        return
    where = ctx.path_for(src.path, fn) if target.inline_source is None else "the inline code"
    entry = src.top_level.get(target.function)
    if entry is not None:
        missing = _missing_member(entry.shape, target.member_path)
        if missing is not None:
            index, names = missing
            held = ".".join((target.function, *target.member_path[:index]))
            msg = (
                f"handler '{target.handler}': in {where}, '{held}' has no property "
                f"'{target.member_path[index]}'"
            )
            yield Finding(msg + _listing(names, "it has"), _handler_loc(fn))
        return
    if src.open_namespace or (target.language == "node" and _in_default_export(src, target)):
        return
    defined = sorted(
        n.name for n in src.top_level.values() if n.kind in ("def", "async-def", "export")
    )
    what = "export" if target.language == "node" else "top-level callable"
    msg = f"handler '{target.handler}': {where} defines no {what} '{target.function}'"
    if target.language == "python" and src.main_only and target.function in src.main_only:
        msg += (
            ' at import: it is defined only under `if __name__ == "__main__":`, which does '
            "not run when Lambda imports the module"
        )
        yield Finding(msg, _handler_loc(fn))
        return
    yield Finding(msg + _listing(defined), _handler_loc(fn))


def _listing(names: list[str], verb: str = "it defines") -> str:
    if not names:
        return ""
    return f" ({verb}: {', '.join(names[:6])}{', …' if len(names) > 6 else ''})"


def _missing_member(
    shape: ObjectShape | str | None, path: tuple[str, ...]
) -> tuple[int, list[str]] | None:
    """Where the property path leaves an object literal that can be seen whole: the index of
    the missing property and the names the object has. None when the path is there or a
    value on the way cannot be seen (a function, whose properties may be set anywhere)."""
    for index, name in enumerate(path):
        if not isinstance(shape, ObjectShape):
            return None
        found, inner = shape.get(name)
        if not found:
            return index, sorted(shape.names())
        shape = inner
    return None


def _in_default_export(src: HandlerSource, target: HandlerTarget) -> bool:
    """Newer releases of the Node runtime look for the handler in the default export too when
    the module has no such export: only a default export that is visibly a function, or an
    object literal without the name, rules that out."""
    default = src.top_level.get("default")
    if default is None or target.function == "default":
        return False
    if default.shape == CALLABLE:
        return False
    if isinstance(default.shape, ObjectShape):
        found, _ = default.shape.get(target.function)
        return found
    return True


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
