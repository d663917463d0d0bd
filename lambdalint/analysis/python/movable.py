"""Which SDK clients a handler creates that could be created once, at module level, with the
same result: a fact about the code (LL107's fix moves them, with libcst).

A client is movable when the statement creating it is `name = <factory>.client(...)` (or a call
made on the new client at once: `boto3.resource("dynamodb").Table("orders")`) directly in the
body of a top-level function, alone on its lines; its value depends only on literals,
environment variables and names bound at module level and nowhere in the function; and `name`
is bound once in the function and not at module level.
"""

from __future__ import annotations

import ast
from collections import Counter

_FACTORIES = frozenset({"client", "resource"})


def movable_calls(tree: ast.Module) -> set[int]:
    """The ids of the factory calls (`boto3.client(...)`) whose statement can move."""
    module_names: set[str] | None = None
    out: set[int] = set()
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef) or len(fn.body) < 2:
            continue
        candidates: list[tuple[int, ast.Assign, ast.Name, ast.Call]] = []
        for i, stmt in enumerate(fn.body):
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target, factory = stmt.targets[0], _factory_call(stmt.value)
                if isinstance(target, ast.Name) and factory is not None:
                    candidates.append((i, stmt, target, factory))
        if not candidates:
            continue  # (most functions create no client: their bindings are not needed)
        if module_names is None:
            module_names = _module_bindings(tree)
        local = _local_bindings(fn)
        for i, stmt, target, factory in candidates:
            if target.id in module_names or local[target.id] != 1:
                continue
            if not _alone(fn.body, i) or not _static(stmt.value, module_names, set(local)):
                continue
            out.add(id(factory))
    return out


def _factory_call(value: ast.expr) -> ast.Call | None:
    node: ast.expr = value
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in _FACTORIES:
            return node
        node = node.func.value
    return None


def _alone(body: list[ast.stmt], i: int) -> bool:
    """No other statement shares the lines of `body[i]` (`a = f(); b = g()`)."""
    stmt = body[i]
    end = stmt.end_lineno or stmt.lineno
    before = body[i - 1] if i > 0 else None
    after = body[i + 1] if i + 1 < len(body) else None
    if before is not None and (before.end_lineno or before.lineno) >= stmt.lineno:
        return False
    return after is None or after.lineno > end


def _module_bindings(tree: ast.Module) -> set[str]:
    """Names bound at module level (under module-level `if`/`try`/`with` too); `*` when a star
    import may bind any."""
    names: set[str] = set()
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        if isinstance(node, ast.Lambda):
            continue
        names.update(_bound_by(node))
        stack.extend(ast.iter_child_nodes(node))
    return names


def _local_bindings(fn: ast.FunctionDef) -> Counter[str]:
    """How many times each name is bound in the function's own scope: parameters, assignments,
    loop, `with` and `except` targets, imports, `del`, `global`/`nonlocal`; nested functions and
    classes by their name only."""
    found: Counter[str] = Counter()
    a = fn.args
    for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]:
        if arg is not None:
            found[arg.arg] += 1
    stack: list[ast.AST] = list(fn.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found[node.name] += 1
            continue
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                found[name] += 1
        found.update(_bound_by(node))
        stack.extend(ast.iter_child_nodes(node))
    return found


def _bound_by(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
        return [node.id]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        out = []
        for alias in node.names:
            out.append(alias.asname or alias.name.split(".")[0])
        return out
    if isinstance(node, ast.ExceptHandler) and node.name:
        return [node.name]
    if isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
        return [node.name]
    if isinstance(node, ast.MatchMapping) and node.rest:
        return [node.rest]
    return []


def _static(node: ast.expr | None, module_names: set[str], local: set[str]) -> bool:
    """The same value at module level as in the function: literals, environment variables
    (`os.environ[...]`, `os.getenv(...)`), and names bound at module level but not in the
    function, their attributes and calls with such arguments."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Name):
        return node.id in module_names and node.id not in local
    if isinstance(node, ast.Attribute):
        return _static(node.value, module_names, local)
    if isinstance(node, ast.Subscript):
        return _static(node.value, module_names, local) and _static(node.slice, module_names, local)
    if isinstance(node, ast.Call):
        return (
            _static(node.func, module_names, local)
            and all(
                not isinstance(a, ast.Starred) and _static(a, module_names, local)
                for a in node.args
            )
            and all(
                kw.arg is not None and _static(kw.value, module_names, local)
                for kw in node.keywords
            )
        )
    if isinstance(node, ast.Dict):
        return all(
            k is not None and _static(k, module_names, local) and _static(v, module_names, local)
            for k, v in zip(node.keys, node.values, strict=True)
        )
    if isinstance(node, (ast.List, ast.Tuple)):
        return all(_static(e, module_names, local) for e in node.elts)
    return False
