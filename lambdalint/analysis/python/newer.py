"""Top-level names of a Python source written for a newer Python than the one running lambdalint.

CPython's parser rejects syntax newer than itself (`type X = …`, PEP 701 f-strings on 3.11);
libcst reads the newer grammar. Only the top-level names are taken from its tree: enough for the
handler rules (LL101–LL104); the other facts (environment reads, SDK calls, secrets) stay
unknown, so the rules that need them stay silent. Imported only for such sources.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from lambdalint.analysis.facts import HandlerSource, NameKind, Params, TopLevelName
from lambdalint.model import Pos


def analyze(text: str, src: HandlerSource) -> bool:
    """Fill `src` from libcst's tree; False when libcst cannot parse `text` either (then it
    is a real syntax error, best named by CPython)."""
    try:
        import libcst as cst
        from libcst.metadata import MetadataWrapper, PositionProvider
    except ImportError:
        return False
    try:
        wrapper = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True)
        positions = wrapper.resolve(PositionProvider)
    except Exception:  # noqa: BLE001 - libcst's syntax errors and its limits alike
        return False

    def pos(node: Any) -> Pos:
        r = positions.get(node)
        if r is None:
            return Pos()
        return Pos(r.start.line, r.start.column + 1, r.end.line, r.end.column + 1)

    script = HandlerSource(path=src.path, language="python")
    _Collector(cst, src, pos, script).body(wrapper.module.body)
    src.main_only = sorted(set(script.top_level) - set(src.top_level))
    src.notice = (
        "analysed in part: Python syntax newer than the Python running lambdalint; "
        "only its top-level names were read"
    )
    return True


class _Collector:
    def __init__(
        self, cst: Any, src: HandlerSource, pos: Callable[[Any], Pos], script: HandlerSource
    ) -> None:
        self.cst = cst
        self.src = src
        self.pos = pos
        # where names bound under `if __name__ == "__main__":` go (not run on import)
        self.script = script

    def dotted(self, node: Any) -> str:
        cst = self.cst
        if isinstance(node, cst.Name):
            return str(node.value)
        if isinstance(node, cst.Attribute):
            return f"{self.dotted(node.value)}.{node.attr.value}"
        if isinstance(node, cst.Call):
            return self.dotted(node.func)
        return ""

    def bind(self, target: Any, kind: NameKind, pos: Pos) -> None:
        cst = self.cst
        if isinstance(target, cst.Name):
            self.src.top_level.setdefault(target.value, TopLevelName(target.value, kind, pos))
        elif isinstance(target, (cst.Tuple, cst.List)):
            for el in target.elements:
                self.bind(el.value, kind, pos)
        elif isinstance(target, cst.StarredElement):
            self.bind(target.value, kind, pos)

    def body(self, statements: Sequence[Any]) -> None:
        cst = self.cst
        for stmt in statements:
            if isinstance(stmt, cst.FunctionDef):
                p = stmt.params
                positional = [*p.posonly_params, *p.params]
                self.src.top_level[stmt.name.value] = TopLevelName(
                    stmt.name.value,
                    "async-def" if stmt.asynchronous is not None else "def",
                    self.pos(stmt.name),
                    Params(
                        positional=len(positional),
                        required_positional=sum(1 for x in positional if x.default is None),
                        varargs=isinstance(p.star_arg, cst.Param),
                        required_keyword_only=sum(1 for x in p.kwonly_params if x.default is None),
                    ),
                    tuple(self.dotted(d.decorator) for d in stmt.decorators),
                )
            elif isinstance(stmt, cst.ClassDef):
                self.src.top_level[stmt.name.value] = TopLevelName(
                    stmt.name.value, "class", self.pos(stmt.name)
                )
            elif isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    self.small(small)
            elif isinstance(stmt, cst.If):
                self.if_statement(stmt)
            elif isinstance(stmt, cst.Try):
                self.body(stmt.body.body)
                for handler in stmt.handlers:
                    self.body(handler.body.body)
                for extra in (stmt.orelse, stmt.finalbody):
                    if extra is not None:
                        self.body(extra.body.body)
            elif isinstance(stmt, (cst.With, cst.For, cst.While)):
                self.body(stmt.body.body)
                if isinstance(stmt, cst.With):
                    for item in stmt.items:
                        if item.asname is not None:
                            self.bind(item.asname.name, "assign", self.pos(item))

    def if_statement(self, stmt: Any) -> None:
        guard = self.main_guard(stmt.test)
        self.branch(lambda: self.body(stmt.body.body), guard == "==")
        orelse = stmt.orelse
        if isinstance(orelse, self.cst.If):  # `elif`
            self.branch(lambda: self.if_statement(orelse), guard == "!=")
        elif orelse is not None:
            self.branch(lambda: self.body(orelse.body.body), guard == "!=")

    def branch(self, collect: Callable[[], None], script_only: bool) -> None:
        """Collect a branch's names; into `script` when it runs only as a script."""
        if not script_only:
            collect()
            return
        src, self.src = self.src, self.script
        try:
            collect()
        finally:
            self.src = src

    def main_guard(self, test: Any) -> str | None:
        """How a test compares `__name__` with "__main__": "==", "!=", else None."""
        cst = self.cst
        if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
            return None
        target = test.comparisons[0]
        sides = (test.left, target.comparator)
        if not any(isinstance(x, cst.Name) and x.value == "__name__" for x in sides):
            return None
        if not any(
            isinstance(x, cst.SimpleString) and x.evaluated_value == "__main__" for x in sides
        ):
            return None
        if isinstance(target.operator, cst.Equal):
            return "=="
        return "!=" if isinstance(target.operator, cst.NotEqual) else None

    def small(self, small: Any) -> None:
        cst = self.cst
        p = self.pos(small)
        if isinstance(small, cst.Assign):
            for t in small.targets:
                if isinstance(t.target, cst.Subscript) and self.dotted(t.target.value) == "globals":
                    self.src.open_namespace = True
                self.bind(t.target, "assign", p)
        elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
            if not isinstance(small, cst.AnnAssign) or small.value is not None:
                self.bind(small.target, "assign", p)
        elif isinstance(small, cst.Import):
            for alias in small.names:
                if alias.asname is not None:
                    self.bind(alias.asname.name, "import", p)
                else:
                    top = self.dotted(alias.name).split(".", 1)[0]
                    self.src.top_level.setdefault(top, TopLevelName(top, "import", p))
        elif isinstance(small, cst.ImportFrom):
            if isinstance(small.names, cst.ImportStar):
                self.src.open_namespace = True
                return
            for alias in small.names:
                if alias.asname is not None:
                    self.bind(alias.asname.name, "import", p)
                elif isinstance(alias.name, cst.Name):
                    self.src.top_level[alias.name.value] = TopLevelName(
                        alias.name.value, "import", p
                    )
        elif isinstance(small, cst.Expr):
            code = small.value
            if isinstance(code, cst.Call) and self.dotted(code.func) in (
                "globals.update",
                "setattr",
            ):
                self.src.open_namespace = True
