"""Python handler facts: top-level names, handler parameters, positions.

The module is parsed with CPython's own parser (`ast.parse`), never imported, compiled or run.
A source this interpreter rejects may be written for a newer Python than the one running
lambdalint (a `python3.13` function linted on 3.11): libcst, which reads newer grammar, is then
imported to tell newer syntax from a real error, and for newer syntax the top-level names are
read from its tree (newer.py).
"""

from __future__ import annotations

import ast
import gc
import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from lambdalint.analysis.facts import HandlerSource, NameKind, Params, TopLevelName
from lambdalint.analysis.python import facts
from lambdalint.analysis.python.preflight import parse
from lambdalint.model import Pos


def analyze(path: Path, text: str) -> HandlerSource:
    collecting = gc.isenabled()
    # the tree grows, then the facts hold on to its nodes: the cyclic collector would walk them
    # again and again (twice the time) and has nothing to free
    gc.disable()
    try:
        return _analyze(path, text)
    finally:
        if collecting:
            gc.enable()


def _analyze(path: Path, text: str) -> HandlerSource:
    src = HandlerSource(path=path, language="python")
    parsed = parse(text)
    if parsed.too_complex is not None:
        src.open_namespace = True  # facts unknown: no handler findings
        src.notice = parsed.too_complex
        return src
    if parsed.tree is None:
        if parsed.newer_syntax:
            from lambdalint.analysis.python import newer

            if newer.analyze(text, src):
                return src
        src.parse_error = parsed.parse_error
        return src
    pos = Positions(text)
    try:
        script = HandlerSource(path=path, language="python")
        _collect_top_level(parsed.tree.body, src, pos, script)
        src.main_only = sorted(set(script.top_level) - set(src.top_level))
        facts.collect(parsed.tree, src, pos)
        _mark_movable(parsed.tree, src, pos)
    except RecursionError:  # nested deeper than the walk can follow: no facts, no findings
        src = HandlerSource(path=path, language="python", open_namespace=True)
        src.notice = "not analysed: the source nests too deeply"
    return src


def _mark_movable(tree: ast.Module, src: HandlerSource, pos: Positions) -> None:
    """Mark the clients whose creation could move to module level (see movable.py)."""
    if not src.clients:
        return
    from lambdalint.analysis.python.movable import movable_calls

    movable = movable_calls(tree)
    if not movable:
        return
    where = {pos(node) for node in ast.walk(tree) if id(node) in movable}
    src.clients = [replace(c, movable=c.pos in where) for c in src.clients]


_NEWLINE = re.compile(r"\r\n|\r|\n")
_KEYWORDS = re.compile(r"(?:async\s+)?(?:def|class)\s+")


class Positions:
    """Node → 1-based Pos. CPython gives UTF-8 byte columns; on a line with non-ASCII text the
    columns are counted in characters, as editors and SARIF viewers count them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: list[str] | None = None

    def line(self, number: int) -> str:
        if self._lines is None:
            self._lines = _NEWLINE.split(self.text)
        return self._lines[number - 1] if 0 < number <= len(self._lines) else ""

    def column(self, line: int, offset: int) -> int:
        if self.text.isascii():
            return offset + 1
        text = self.line(line)
        if text.isascii():
            return offset + 1
        return len(text.encode()[:offset].decode("utf-8", "replace")) + 1

    def __call__(self, node: ast.AST) -> Pos:
        line = getattr(node, "lineno", None)
        if line is None:
            return Pos()
        end_line = getattr(node, "end_lineno", None) or line
        end_col = getattr(node, "end_col_offset", None)
        return Pos(
            line,
            self.column(line, node.col_offset),  # type: ignore[attr-defined]
            end_line,
            self.column(end_line, end_col) if end_col is not None else None,
        )

    def name(self, stmt: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> Pos:
        """Where a def's or class's name is written (CPython's node starts at the keyword)."""
        start = self(stmt)
        found = _KEYWORDS.match(self.line(start.line), start.column - 1)
        if found is None:  # `def \` + newline + name: legal, never seen; the keyword it is
            return start
        column = found.end() + 1
        return Pos(start.line, column, start.line, column + len(stmt.name))


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return _dotted(node.func)
    return ""


def params_of(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> Params:
    a = fn.args
    positional = len(a.posonlyargs) + len(a.args)
    return Params(
        positional=positional,
        required_positional=positional - len(a.defaults),
        varargs=a.vararg is not None,
        required_keyword_only=sum(1 for d in a.kw_defaults if d is None),
    )


def _bind_target(target: ast.expr, kind: NameKind, src: HandlerSource, pos: Pos) -> None:
    if isinstance(target, ast.Name):
        src.top_level.setdefault(target.id, TopLevelName(target.id, kind, pos))
    elif isinstance(target, (ast.Tuple, ast.List)):
        for el in target.elts:
            _bind_target(el, kind, src, pos)
    elif isinstance(target, ast.Starred):
        _bind_target(target.value, kind, src, pos)


_TRY = (ast.Try, getattr(ast, "TryStar", ast.Try))


def _collect_top_level(
    body: Iterable[ast.stmt], src: HandlerSource, pos: Positions, script: HandlerSource
) -> None:
    """Module-level bindings, including those inside top-level if/try/with/for/while blocks.
    Those under `if __name__ == "__main__":` go to `script`: they do not exist when Lambda
    imports the module."""
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            kind: NameKind = "async-def" if isinstance(stmt, ast.AsyncFunctionDef) else "def"
            # a later redefinition wins, as it does at import time
            src.top_level[stmt.name] = TopLevelName(
                stmt.name,
                kind,
                pos.name(stmt),
                params_of(stmt),
                tuple(_dotted(d) for d in stmt.decorator_list),
            )
        elif isinstance(stmt, ast.ClassDef):
            src.top_level[stmt.name] = TopLevelName(stmt.name, "class", pos.name(stmt))
        elif isinstance(stmt, ast.If):
            guard = facts.main_guard(stmt.test)
            _collect_top_level(stmt.body, script if guard == "==" else src, pos, script)
            # `elif` is an If in here
            _collect_top_level(stmt.orelse, script if guard == "!=" else src, pos, script)
        elif isinstance(stmt, _TRY):
            _collect_top_level(stmt.body, src, pos, script)
            for handler in stmt.handlers:
                _collect_top_level(handler.body, src, pos, script)
            _collect_top_level(stmt.orelse, src, pos, script)
            _collect_top_level(stmt.finalbody, src, pos, script)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            _collect_top_level(stmt.body, src, pos, script)
            for item in stmt.items:
                if item.optional_vars is not None:
                    _bind_target(item.optional_vars, "assign", src, pos(item.context_expr))
        elif isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
            _collect_top_level(stmt.body, src, pos, script)
        else:
            _simple_statement(stmt, src, pos)


def _simple_statement(stmt: ast.stmt, src: HandlerSource, pos: Positions) -> None:
    if isinstance(stmt, ast.Assign):
        p = pos(stmt)
        for t in stmt.targets:
            if isinstance(t, ast.Subscript) and _dotted(t.value) == "globals":
                src.open_namespace = True  # globals()["handler"] = ...
            _bind_target(t, "assign", src, p)
    elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
        if not isinstance(stmt, ast.AnnAssign) or stmt.value is not None:
            _bind_target(stmt.target, "assign", src, pos(stmt))
    elif isinstance(stmt, ast.Import):
        p = pos(stmt)
        for alias in stmt.names:
            if alias.asname is not None:
                src.top_level.setdefault(alias.asname, TopLevelName(alias.asname, "import", p))
            else:
                top = alias.name.split(".", 1)[0]
                src.top_level.setdefault(top, TopLevelName(top, "import", p))
    elif isinstance(stmt, ast.ImportFrom):
        p = pos(stmt)
        for alias in stmt.names:
            if alias.name == "*":
                src.open_namespace = True
                return
            if alias.asname is not None:
                src.top_level.setdefault(alias.asname, TopLevelName(alias.asname, "import", p))
            else:
                src.top_level[alias.name] = TopLevelName(alias.name, "import", p)
    elif isinstance(stmt, ast.Expr):
        # globals().update(...) / setattr(sys.modules[__name__], ...) make names invisible
        code = stmt.value
        if isinstance(code, ast.Call) and _dotted(code.func) in ("globals.update", "setattr"):
            src.open_namespace = True
