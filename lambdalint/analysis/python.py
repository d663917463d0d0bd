"""Python handler facts with libcst: top-level names, handler parameters, positions.

The module is parsed, never imported or executed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from lambdalint.analysis.python_preflight import preflight
from lambdalint.analysis.source import HandlerSource, Params, TopLevelName
from lambdalint.model import Pos


def analyze(path: Path, text: str) -> HandlerSource:
    src = HandlerSource(path=path, language="python")
    verdict = preflight(text)  # libcst crashes on some inputs CPython refuses cleanly
    if verdict is not None:
        src.parse_error = verdict.parse_error
        if verdict.too_complex is not None:
            src.open_namespace = True  # facts unknown: no handler findings
            src.notice = verdict.too_complex
        return src
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        src.parse_error = _precise_syntax_error(text) or (
            _syntax_message(exc),
            Pos(exc.raw_line, exc.raw_column + 1),
        )
        if src.parse_error == _NOT_AN_ERROR:
            # valid Python that libcst cannot read yet (newer syntax): no facts, no findings
            src.parse_error = None
            src.open_namespace = True
        return src
    except (RecursionError, MemoryError):
        src.parse_error = ("source nests too deeply to parse", Pos())
        return src
    except Exception as exc:  # libcst raises a few non-syntax errors on odd input
        src.parse_error = (f"cannot parse: {type(exc).__name__}", Pos())
        return src
    try:
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        positions = _positions(wrapper)
    except RecursionError:
        src.parse_error = ("source nests too deeply to analyse", Pos())
        return src

    def pos(node: cst.CSTNode) -> Pos:
        r = positions.get(node)
        if r is None:
            return Pos()
        return Pos(r.start.line, r.start.column + 1, r.end.line, r.end.column + 1)

    _collect_top_level(wrapper.module.body, src, pos)
    visitors = [factory(src, pos) for factory in VISITORS]
    batchable = [v for v in visitors if isinstance(v, cst.BatchableCSTVisitor)]
    try:
        if batchable:
            cst.visit_batched(wrapper.module, batchable)  # one walk of the tree for all of them
        for visitor in visitors:
            if not isinstance(visitor, cst.BatchableCSTVisitor):
                wrapper.module.visit(visitor)
    except RecursionError:  # preflight bounds the depth; this is the last line of defence
        src.notice = "not analysed: the source nests too deeply"
    return src


# Further fact collectors (env reads, SDK calls, secrets) register here: each is called with
# (HandlerSource, pos-function) and returns a libcst visitor that records into the source.
# Every walk of the tree costs about as much as parsing it: a `BatchableCSTVisitor` shares one
# walk with the others (its visit_* return values cannot prune children); a plain
# `CSTVisitor` gets a walk of its own.
VISITORS: list = []  # type: ignore[type-arg]


def _positions(wrapper: MetadataWrapper) -> Any:
    """Positions of every node. `wrapper.resolve(PositionProvider)` would also walk the whole
    tree once more for batchable providers, even when there are none (a third of the cost)."""
    try:
        return PositionProvider()._gen(wrapper)
    except AttributeError:  # a libcst without that internal: the public way
        return wrapper.resolve(PositionProvider)


_NOT_AN_ERROR = ("", Pos(0, 0))


def _precise_syntax_error(text: str) -> tuple[str, Pos] | None:
    """CPython's parser names the line that is actually wrong (libcst reports the next token).
    `ast.parse` only parses: nothing is compiled to bytecode or run."""
    import ast

    try:
        ast.parse(text)
    except SyntaxError as exc:
        return (f"Python syntax error: {exc.msg}", Pos(exc.lineno or 1, exc.offset or 1))
    except (ValueError, RecursionError, MemoryError):
        return None
    return _NOT_AN_ERROR


def _syntax_message(exc: cst.ParserSyntaxError) -> str:
    msg = exc.message.strip().splitlines()[0] if exc.message else "invalid syntax"
    return f"Python syntax error: {msg}"


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    if isinstance(node, cst.Call):
        return _dotted(node.func)
    return ""


def params_of(fn: cst.FunctionDef) -> Params:
    p = fn.params
    positional = list(p.posonly_params) + list(p.params)
    required = sum(1 for x in positional if x.default is None)
    varargs = isinstance(p.star_arg, cst.Param)
    kw_required = sum(1 for x in p.kwonly_params if x.default is None)
    return Params(
        positional=len(positional),
        required_positional=required,
        varargs=varargs,
        required_keyword_only=kw_required,
    )


def _bind_target(target: cst.BaseExpression, kind: str, src: HandlerSource, pos: Pos) -> None:
    if isinstance(target, cst.Name):
        src.top_level.setdefault(target.value, TopLevelName(target.value, kind, pos))
    elif isinstance(target, (cst.Tuple, cst.List)):
        for el in target.elements:
            _bind_target(el.value, kind, src, pos)
    elif isinstance(target, cst.StarredElement):
        _bind_target(target.value, kind, src, pos)


def _collect_top_level(body: object, src: HandlerSource, pos: object) -> None:
    """Module-level bindings, including those inside top-level if/try/with blocks."""
    for stmt in body:  # type: ignore[attr-defined]
        if isinstance(stmt, cst.FunctionDef):
            name = stmt.name.value
            kind = "async-def" if stmt.asynchronous is not None else "def"
            # a later redefinition wins, as it does at import time
            src.top_level[name] = TopLevelName(
                name,
                kind,
                pos(stmt.name),  # type: ignore[operator]
                params_of(stmt),
                tuple(_dotted(d.decorator) for d in stmt.decorators),
            )
        elif isinstance(stmt, cst.ClassDef):
            src.top_level[stmt.name.value] = TopLevelName(
                stmt.name.value, "class", pos(stmt.name)  # type: ignore[operator]
            )
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                _small_statement(small, src, pos)
        elif isinstance(stmt, cst.If):
            _collect_top_level(stmt.body.body, src, pos)
            orelse = stmt.orelse
            while orelse is not None:
                _collect_top_level(orelse.body.body, src, pos)
                orelse = orelse.orelse if isinstance(orelse, cst.If) else None
        elif isinstance(stmt, cst.Try):
            _collect_top_level(stmt.body.body, src, pos)
            for handler in stmt.handlers:
                _collect_top_level(handler.body.body, src, pos)
            if stmt.orelse is not None:
                _collect_top_level(stmt.orelse.body.body, src, pos)
            if stmt.finalbody is not None:
                _collect_top_level(stmt.finalbody.body.body, src, pos)
        elif isinstance(stmt, (cst.With, cst.For, cst.While)):
            _collect_top_level(stmt.body.body, src, pos)  # type: ignore[attr-defined]
            if isinstance(stmt, cst.With):
                for item in stmt.items:
                    if item.asname is not None:
                        _bind_target(item.asname.name, "assign", src, pos(item))  # type: ignore[operator]


def _small_statement(small: cst.BaseSmallStatement, src: HandlerSource, pos: object) -> None:
    p = pos(small)  # type: ignore[operator]
    if isinstance(small, cst.Assign):
        for t in small.targets:
            if isinstance(t.target, cst.Subscript) and _dotted(t.target.value) == "globals":
                src.open_namespace = True  # globals()["handler"] = ...
            _bind_target(t.target, "assign", src, p)
    elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
        if not isinstance(small, cst.AnnAssign) or small.value is not None:
            _bind_target(small.target, "assign", src, p)
    elif isinstance(small, cst.Import):
        for alias in small.names:
            if alias.asname is not None:
                _bind_target(alias.asname.name, "import", src, p)  # type: ignore[arg-type]
            else:
                top = _dotted(alias.name).split(".", 1)[0]
                src.top_level.setdefault(top, TopLevelName(top, "import", p))
    elif isinstance(small, cst.ImportFrom):
        if isinstance(small.names, cst.ImportStar):
            src.open_namespace = True
            return
        for alias in small.names:
            if alias.asname is not None:
                _bind_target(alias.asname.name, "import", src, p)  # type: ignore[arg-type]
            elif isinstance(alias.name, cst.Name):
                src.top_level[alias.name.value] = TopLevelName(alias.name.value, "import", p)
    elif isinstance(small, cst.Global):
        pass
    elif isinstance(small, cst.Expr):
        # globals()["handler"] = ... / setattr(sys.modules[__name__], ...) make names invisible
        code = small.value
        if isinstance(code, cst.Call) and _dotted(code.func) in ("globals().update", "setattr"):
            src.open_namespace = True


# the fact collectors of python_facts (env reads, SDK calls, clients, secrets)
from lambdalint.analysis import python_facts  # noqa: E402 - registers after VISITORS exists

VISITORS.append(python_facts.make_visitor)
