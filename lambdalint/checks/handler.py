"""Handler checks (LL101–LL105): does the handler named in the config exist, and can Lambda call
it? The handler facts (analysis/target.py) are judged and worded here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from lambdalint.analysis.facts import CALLABLE, HandlerSource, ObjectShape, Params
from lambdalint.analysis.target import (
    PY_HANDLER,
    HandlerTarget,
    Malformed,
    Missing,
    TargetStatus,
    resolve,
)
from lambdalint.engine.context import CheckContext, path_from
from lambdalint.findings import Finding, Fix
from lambdalint.loaders import fixes
from lambdalint.model import Function, Loc, Prop

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
    """LL101: the module file (or the code folder) the handler needs is not there."""
    target = ctx.handler_target(fn)
    if target.status is TargetStatus.UNVERIFIED:
        ctx.notice("LL101", _handler_loc(fn), _unverified(fn, target))
    elif target.status is TargetStatus.MISSING_FILE:
        yield Finding(_missing_file(target), _handler_loc(fn), fix=_module_fix(fn, target, ctx))
    elif target.status is TargetStatus.MISSING_DIR:
        loc = fn.code.loc if fn.code is not None else fn.loc
        yield Finding(_missing_code_folder(target), loc, fix=_folder_fix(fn, target, ctx))


def _shared(fn: Function, ctx: CheckContext, loc: Loc, what: str) -> bool:
    """Whether another function's `what` (handler, code) is written at `loc` too (SAM Globals,
    a Terraform variable): changing it there would change that function as well."""
    for other in ctx.project.functions:
        if other is fn:
            continue
        prop = getattr(other, what)
        if prop is not None and prop.loc == loc:
            return True
    return False


def _folder_fix(fn: Function, target: HandlerTarget, ctx: CheckContext) -> Fix | None:
    """LL101: the code folder as it is spelled on disk."""
    code = fn.code
    declared = target.declared
    if code is None or declared is None or target.case_hint is None or target.where is None:
        return None
    stripped = declared.rstrip("/")
    head, _, last = stripped.rpartition("/")
    if last.lower() != target.case_hint.lower() or last == target.case_hint:
        return None
    spelled = (head + "/" if head or stripped.startswith("/") else "") + target.case_hint
    spelled += declared[len(stripped) :]
    edit = fixes.replace_value(ctx.texts, fn, code.loc, spelled)
    return Fix(f"Spell the code folder '{spelled}'", (edit,)) if edit is not None else None


def _module_fix(fn: Function, target: HandlerTarget, ctx: CheckContext) -> Fix | None:
    """LL101: the handler's module spelled as on disk, or the code location one folder deeper
    when the module is there (the folder was zipped, or CodeUri names its parent)."""
    code = fn.code
    if target.missing is not Missing.MODULE or code is None or fn.handler is None:
        return None
    if target.case_hint is not None:
        module = _spelled_module(target)
        if module is None or _shared(fn, ctx, fn.handler.loc, "handler"):
            return None
        handler = f"{module}{target.handler[len(target.module) :]}"
        edit = fixes.replace_value(ctx.texts, fn, fn.handler.loc, handler)
        return Fix(f"Spell the handler '{handler}'", (edit,)) if edit is not None else None
    deeper, where, declared = target.deeper, target.where, code.declared
    if deeper is None or where is None or declared is None or code.kind != "dir":
        return None
    if _shared(fn, ctx, code.loc, "code") or not fixes.literal_at(ctx.texts, code.loc):
        return None
    try:
        sub = deeper.relative_to(where).parts[0]
    except (ValueError, IndexError):
        return None
    stripped = declared.rstrip("/")
    folder = sub if stripped in ("", ".") else f"{stripped}/{sub}"
    folder += declared[len(stripped) :] if stripped not in ("", ".") else ""
    edit = fixes.replace_value(ctx.texts, fn, code.loc, folder)
    return Fix(f"Point the code location at '{folder}'", (edit,)) if edit is not None else None


def _spelled_module(target: HandlerTarget) -> str | None:
    """The handler's module written with the letter case of the file found (`case_hint`)."""
    hint = target.case_hint or ""
    for candidate in target.candidates:
        if hint.lower() != candidate.lower():
            continue
        written = target.module.replace(".", "/") if target.language == "python" else target.module
        suffix = candidate[len(written) :]
        real = hint[: len(hint) - len(suffix)] if suffix else hint
        if target.language == "python" and "/" not in target.module:
            real = real.replace("/", ".")
        if real.lower() == target.module.lower() and real != target.module:
            return real
    return None


def malformed(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    """LL103: the runtime cannot use the handler string."""
    target = ctx.handler_target(fn)
    if target.status is TargetStatus.MALFORMED and target.malformed is not None:
        yield Finding(
            _MALFORMED[target.malformed].format(handler=target.handler),
            _handler_loc(fn),
            fix=_reading_fix(fn, target, ctx),
        )


def _readings(handler: str) -> list[str]:
    """What a Python handler written with a common slip most likely meant: `app/handler`,
    `app:handler`, `app.py:handler`, `app.handler()`, blanks around it."""
    text = handler.strip()
    if text.endswith("()"):
        text = text[:-2]
    out = [text]
    if ":" in text:
        module, _, function = text.rpartition(":")
        out.append(f"{module.removesuffix('.py')}.{function}")
    head, slash, last = text.rpartition("/")
    if slash and "." not in last:
        out.append(f"{head}.{last}")
    return [r for r in dict.fromkeys(out) if r != handler and PY_HANDLER.match(r)]


def _reading_fix(fn: Function, target: HandlerTarget, ctx: CheckContext) -> Fix | None:
    """LL103: the one reading of a malformed Python handler whose module exists and defines the
    function."""
    if (
        target.language != "python"
        or target.malformed is not Malformed.NOT_MODULE_FUNCTION
        or fn.handler is None
        or _shared(fn, ctx, fn.handler.loc, "handler")
    ):
        return None
    valid = []
    for reading in _readings(target.handler):
        candidate = resolve(replace(fn, handler=Prop(reading, fn.handler.loc)), ctx.reader)
        src = ctx.target_source(candidate)
        if src is None or src.parse_error is not None:
            continue
        name = src.top_level.get(candidate.function)
        if name is not None and name.kind in ("def", "assign", "import", "class"):
            valid.append(reading)
    if len(valid) != 1:
        return None
    edit = fixes.replace_value(ctx.texts, fn, fn.handler.loc, valid[0])
    return Fix(f"Write the handler '{valid[0]}'", (edit,)) if edit is not None else None


def message(fn: Function, target: HandlerTarget) -> str | None:
    """What LL101 (or its notice) or LL103 says about `target`; None when it says nothing."""
    if target.status is TargetStatus.UNVERIFIED:
        return _unverified(fn, target)
    if target.status is TargetStatus.MISSING_FILE:
        return _missing_file(target)
    if target.status is TargetStatus.MISSING_DIR:
        return _missing_code_folder(target)
    if target.status is TargetStatus.MALFORMED and target.malformed is not None:
        return _MALFORMED[target.malformed].format(handler=target.handler)
    return None


_MALFORMED = {
    Malformed.NOT_A_STRING: "handler is not a string",
    Malformed.NOT_MODULE_FUNCTION: "handler '{handler}' is not 'module.function'",
    Malformed.OUTSIDE_CODE: "handler '{handler}' points outside the code location",
    Malformed.NODE_DOTS: (
        "handler '{handler}' contains '..': the Node.js runtime rejects it (name a path "
        "inside the code folder)"
    ),
    Malformed.NODE_NOT_FILE_EXPORT: "handler '{handler}' is not 'file.export'",
    Malformed.NODE_NO_EXPORT: (
        "handler '{handler}' is not 'file.export': it names no export after a dot"
    ),
}


def _shown(target: HandlerTarget, path: Path) -> str:
    """A path as the file that declares the code would write it."""
    return path_from(path, target.declared_in) if target.declared_in is not None else str(path)


def _missing_file(target: HandlerTarget) -> str:
    handler, candidates = target.handler, list(target.candidates)
    node = target.language == "node"
    where = target.where
    if target.missing is Missing.INLINE_MODULE:
        ext = "py" if target.language == "python" else "js"
        return (
            f"handler '{handler}' names module '{target.module}', but inline code is deployed "
            f"as index.{ext}: use 'index.{target.function}'"
        )
    if target.missing is Missing.SINGLE_FILE and where is not None:
        named = candidates[1:3] if node and len(candidates) > 2 else candidates[:2]
        return (
            f"handler '{handler}' needs {' or '.join(named)}, but the code is the "
            f"single file {_shown(target, where)}"
        )
    if target.missing is Missing.ARCHIVE and where is not None:
        shown = candidates[1:3] if node and len(candidates) > 1 else candidates[:2]
        msg = (
            f"handler '{handler}': {_shown(target, where)} has no {' or '.join(shown)} at its root"
        )
        msg += _layers_note(target)
        if target.nested is not None:
            msg += (
                f"; found {target.nested}: the archive contains the folder, "
                "zip its contents instead"
            )
        return msg
    if target.missing is Missing.ENTRY_POINT and where is not None:
        return (
            f"handler '{handler}': esbuild entry point '{target.entry_point}' does not exist "
            f"under {_shown(target, where)}/"
        )
    if target.missing is Missing.BUNDLE:
        built = ", ".join(f"{m}.js" for m in target.bundle)
        return (
            f"handler '{handler}' names module '{target.module}', but esbuild bundles the "
            f"EntryPoints into {built}: use '{target.bundle[0]}.{target.function}'"
        )
    # Missing.MODULE: not under the code folder
    looked = [_shown(target, path) for path in target.looked]
    if node and len(candidates) > 1:
        what = f"{_describe(candidates[1:])} or folder {candidates[0]}/"
    else:
        what = _describe(candidates)
    folder = _shown(target, where) if where is not None else "the code folder"
    msg = f"handler '{handler}': no {what} under {folder}/ (looked for {', '.join(looked[:4])})"
    if looked[4:]:
        msg = msg[:-1] + ", …)"
    msg += _layers_note(target)
    if target.case_hint is not None:
        msg += (
            f"; found '{target.case_hint}', which differs in letter case (Lambda is case-sensitive)"
        )
    elif target.deeper is not None:
        msg += (
            f"; it exists one folder deeper, at {_shown(target, target.deeper)}: point the code "
            "location at that folder (or zip its contents, not the folder)"
        )
    return msg


def _missing_code_folder(target: HandlerTarget) -> str:
    if target.case_hint is not None:
        return (
            f"code folder '{target.declared}' does not exist; the folder is spelled "
            f"'{target.case_hint}' (Lambda runs on Linux, where paths are case-sensitive)"
        )
    where = _shown(target, target.where) if target.where is not None else ""
    return f"code folder '{target.declared}' does not exist ({where})"


def _unverified(fn: Function, target: HandlerTarget) -> str:
    names = ", ".join(name or "given by an expression" for name in target.unopened_layers[:3])
    return (
        f"cannot verify handler '{target.handler}' of {fn.name}: module '{target.module}' is "
        f"not in the code folder and may come from a layer lambdalint cannot open ({names})"
    )


def _layers_note(target: HandlerTarget) -> str:
    names = target.looked_in_layers
    if not names:
        return ""
    return f"; nor is it in the function's layer{'s' if len(names) > 1 else ''} {', '.join(names)}"


def _describe(candidates: list[str]) -> str:
    """`file app.py or app/__init__.py`; `file app.{js,mjs,cjs}` for one stem."""
    stems = {c.rsplit(".", 1)[0] for c in candidates}
    if len(candidates) <= 2 or len(stems) != 1 or not all("." in c for c in candidates):
        return "file " + " or ".join(candidates[:2])
    return f"file {stems.pop()}.{{{','.join(c.rsplit('.', 1)[1] for c in candidates)}}}"


def function_missing(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    target = ctx.handler_target(fn)
    if target.status is not TargetStatus.OK:
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
    yield Finding(
        msg + _listing(defined), _handler_loc(fn), fix=_function_fix(fn, target, src, ctx)
    )


def _function_fix(
    fn: Function, target: HandlerTarget, src: HandlerSource, ctx: CheckContext
) -> Fix | None:
    """LL102: the one top-level function of the module Lambda can call as (event, context)."""
    if target.language != "python" or target.member_path or fn.handler is None:
        return None
    if src.open_namespace or _shared(fn, ctx, fn.handler.loc, "handler"):
        return None
    callable_ = [
        name.name
        for name in src.top_level.values()
        if name.kind == "def" and name.params is not None and _event_context(name.params)
    ]
    if len(callable_) != 1:
        return None
    handler = f"{target.handler[: -len(target.function)]}{callable_[0]}"
    edit = fixes.replace_value(ctx.texts, fn, fn.handler.loc, handler)
    return Fix(f"Set the handler to '{handler}'", (edit,)) if edit is not None else None


def _event_context(params: Params) -> bool:
    """Whether a def can be called as f(event, context)."""
    fits = params.positional >= 2 or params.varargs
    return fits and params.required_positional <= 2 and params.required_keyword_only == 0


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
    if target.status is not TargetStatus.OK or target.language != "python":
        return None, None
    src = ctx.source(fn)
    if src is None or src.parse_error is not None:
        return None, None
    name = src.top_level.get(target.function)
    if name is None or name.kind not in ("def", "async-def") or name.params is None:
        return None, None
    if any(
        d not in PASSTHROUGH_DECORATORS and d.rsplit(".", 1)[-1] not in PASSTHROUGH_DECORATORS
        for d in name.decorators
    ):
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
            f"{'' if p.positional == 1 else 's'}, but Lambda calls it as "
            f"{name.name}(event, context)",
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
