"""The package layout: data flows one way (discover → load → model → analyse → rules → filters →
report), no stage imports a later one, and there is no import cycle.

Imports are read statically, every `import` statement of every module, function-level ones
included. Importing `a.b.c` runs `a/__init__.py` and `a/b/__init__.py` too, so an import also
counts as importing those packages (except the importer's own packages, which are running).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "lambdalint"

# earlier stages first; a module belongs to the stage of the longest prefix that names it
STAGES: list[tuple[str, tuple[str, ...]]] = [
    (
        "foundation",
        (
            "lambdalint",
            "lambdalint.model",
            "lambdalint.numeric",
            "lambdalint.findings",
            "lambdalint.parallel",
            "lambdalint.writing",
            "lambdalint.escape",
            "lambdalint.reading",
            "lambdalint.editing",
            "lambdalint.aws",
        ),
    ),
    ("rule pack", ("lambdalint.rulepack",)),
    ("settings", ("lambdalint.settings",)),
    ("discover", ("lambdalint.discover",)),
    ("load", ("lambdalint.loaders",)),
    ("analyse", ("lambdalint.analysis", "lambdalint.cache")),
    ("rules", ("lambdalint.engine", "lambdalint.checks")),
    ("filters", ("lambdalint.filters",)),
    ("report", ("lambdalint.reporters",)),
    ("sessions", ("lambdalint.app", "lambdalint.fixing")),
    ("editor", ("lambdalint.server",)),
    ("command line", ("lambdalint.cli", "lambdalint.__main__")),
]


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def import_graph() -> dict[str, set[str]]:
    """Module → the lambdalint modules it imports (packages whose __init__ runs included)."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        own = {*_ancestors(name), name}
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, *([base] if base else [])])
                targets.add(base)
                targets.update(f"{base}.{alias.name}" for alias in node.names)
        for target in targets:
            for candidate in (*_ancestors(target), target):
                if candidate in modules and candidate not in own:
                    graph[name].add(candidate)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def stage_of(module: str) -> int:
    best, rank = -1, -1
    for i, (_, prefixes) in enumerate(STAGES):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), i
    return rank


def test_every_module_has_a_stage() -> None:
    unplaced = [name for name in _modules() if stage_of(name) < 0]
    assert not unplaced, f"modules in no stage of STAGES: {unplaced}"


def test_no_import_cycle() -> None:
    cycles = _cycles(import_graph())
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_no_stage_imports_a_later_one() -> None:
    backwards = []
    for module, targets in sorted(import_graph().items()):
        for target in sorted(targets):
            if stage_of(target) > stage_of(module):
                later, earlier = STAGES[stage_of(target)][0], STAGES[stage_of(module)][0]
                backwards.append(f"{module} ({earlier}) imports {target} ({later})")
    assert not backwards, "\n".join(backwards)


def test_the_layout_test_sees_cycles_and_backward_imports() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert stage_of("lambdalint.checks.handler") > stage_of("lambdalint.loaders.serverless")
    assert stage_of("lambdalint.reading.positions") == 0
