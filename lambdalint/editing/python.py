"""Python code fixes, made with libcst (a lossless syntax tree: comments and layout survive).

`hoist_client` moves `s3 = boto3.client("s3")` from a handler's body to module level, just above
the handler, with the comments above it and on its line. Whether the move keeps what the code
does is a fact the analysis established (`ClientCreation.movable`); this module only moves.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from lambdalint.model import Pos

_FACTORIES = frozenset({"client", "resource"})


def hoist_client(text: str, function: str, pos: Pos) -> str | None:
    """The module with the statement that creates a client at `pos` (the factory's call) in
    top-level function `function` moved to module level, just above the function; None when
    there is no such statement."""
    try:
        wrapper = MetadataWrapper(cst.parse_module(text))
    except (cst.ParserSyntaxError, RecursionError, ValueError):
        return None
    module = wrapper.module
    positions = wrapper.resolve(PositionProvider)
    index, fn_def = _top_level_def(module, function)
    if fn_def is None or not isinstance(fn_def.body, cst.IndentedBlock):
        return None
    body = list(fn_def.body.body)
    found = None
    for i, stmt in enumerate(body):
        factory = _factory_call(stmt)
        if factory is None:
            continue
        where = positions[factory].start
        if (where.line, where.column + 1) == (pos.line, pos.column):
            found = i, stmt
            break
    if found is None or len(body) < 2:
        return None
    i, stmt = found
    assert isinstance(stmt, cst.SimpleStatementLine)
    comments = [line for line in stmt.leading_lines if line.comment is not None]
    # after a client moved before it, next to it; else with the blank lines the function had
    previous = module.body[index - 1] if index > 0 else None
    beside = previous is not None and _factory_call(previous) is not None
    lead = comments if beside else [*_leading_blanks(fn_def.leading_lines), *comments]
    hoisted = stmt.with_changes(leading_lines=lead)
    rest = body[:i] + body[i + 1 :]
    new_def = fn_def.with_changes(body=fn_def.body.with_changes(body=rest))
    new_body = [*module.body[:index], hoisted, new_def, *module.body[index + 1 :]]
    return module.with_changes(body=new_body).code


def _top_level_def(module: cst.Module, name: str) -> tuple[int, cst.FunctionDef | None]:
    for i, stmt in enumerate(module.body):
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value == name:
            return i, stmt
    return -1, None


def _factory_call(stmt: cst.CSTNode) -> cst.Call | None:
    """The factory's call (`boto3.client(...)`) of `name = <factory>.client(...)` (or of a call
    made on the new client at once), alone on its line."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    assign = stmt.body[0]
    if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
        return None
    if not isinstance(assign.targets[0].target, cst.Name):
        return None
    node: cst.BaseExpression = assign.value
    while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        if node.func.attr.value in _FACTORIES:
            return node
        node = node.func.value
    return None


def _leading_blanks(lines: Sequence[cst.EmptyLine]) -> list[cst.EmptyLine]:
    out = []
    for line in lines:
        if line.comment is not None:
            break
        out.append(line)
    return out
