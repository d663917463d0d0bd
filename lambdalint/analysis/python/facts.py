"""Python handler facts beyond names: environment reads, boto3 clients and the API calls made
through them, and secrets assigned in source. One walk of CPython's tree collects bindings and
candidate calls; they are resolved when the walk ends, so a client defined below its use is
still found.

Resolution is deliberately simple and conservative: names are followed through assignments in
the same function or at module level (`self.x` and other dotted names module-wide), through
functions that return a client, and a name bound to two different things resolves to nothing.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import ClassVar

from lambdalint.analysis.facts import (
    Argument,
    ClientCreation,
    EnvRead,
    HandlerSource,
    ModuleImport,
    ReturnedObject,
    SdkCall,
    SdkDoubt,
    SecretCandidate,
    ValueKind,
    ValuePart,
    merge_parts,
    regex_tests,
)
from lambdalint.aws import resources, sdk, secrets
from lambdalint.model import Pos

PosFn = Callable[[ast.AST], Pos]

_MAX_BINDINGS = 16
# libraries that fill os.environ from files shipped with the code
_ENV_LOADERS = {"dotenv", "environs", "decouple"}
# exceptions whose handler makes a missing variable harmless
_KEY_ERRORS = {"KeyError", "LookupError", "Exception", "BaseException"}
# decorators that make a client-creating function run once
_CACHING = {"lru_cache", "cache", "functools.lru_cache", "functools.cache", "cached_property"}
# handler decorators known to return what the handler returns (AWS Lambda Powertools' logging,
# tracing, metrics, event source and idempotency utilities); any other may change the result
_PASS_THROUGH = {
    "inject_lambda_context",
    "capture_lambda_handler",
    "log_metrics",
    "event_source",
    "idempotent",
    "lru_cache",
    "cache",
}
# exceptions whose handler makes a missing module harmless
_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}
# Powertools' batch helpers return {"batchItemFailures": [...]}
_PARTIAL_RESPONSE = ("process_partial_response", "async_process_partial_response")
# Powertools for AWS Lambda's parameter utilities
_POWERTOOLS_PARAMETERS = "aws_lambda_powertools.utilities.parameters"
# how deep a value is followed through names, f-strings and concatenations
_MAX_VALUE_DEPTH = 12
_UNKNOWN_PART = ValuePart("unknown")


def collect(tree: ast.Module, src: HandlerSource, pos: PosFn) -> None:
    """Record the facts of `tree` into `src`."""
    visitor = _FactVisitor(src, pos)
    visitor.visit(tree)
    visitor.resolve()


@dataclass(frozen=True)
class _Ref:
    """What an expression evaluates to, as far as SDK objects go.

    kind: boto3 | session-module | factory | session | client | resource | meta | paginator |
    batch-writer (a DynamoDB Table's `batch_writer()`: its writes are the BatchWriteItem calls
    recorded for `batch_writer`)
    """

    kind: str
    service: str = ""
    resource: str = ""  # resource type ("" = the service resource, "Table", "Bucket" …)
    detail: str = ""  # factory: client | resource | Session; paginator: the method it pages
    # made with credentials of its own: its calls are not made with the function's role
    foreign: bool = False
    # a session made with values that change between calls (`Session(region_name=region)` in
    # a loop over regions): the clients it makes cannot be made once at module level
    varying: bool = False
    # a resource's identifiers as the code gives them (`Table(os.environ["TABLE"])`), as the
    # API parameters they fill; not part of its identity: two bindings of the same kind of
    # resource made with other identifiers still resolve (to identifiers that are not known)
    args: tuple[Argument, ...] = field(default=(), compare=False)


@dataclass
class _Frame:
    """A function body: bindings resolve here first, then in enclosing frames."""

    name: str
    parent: _Frame | None
    module_level: bool  # a top-level def (not a method, not nested)
    globals: set[str] = field(default_factory=set)
    params: set[str] = field(default_factory=set)
    # every name the body assigns in any way (`for region in …`, `a, b = …`, `with … as x`,
    # `(x := …)`): a value that may differ from one call to the next
    stores: set[str] = field(default_factory=set)
    cached: bool = False
    qualname: str = ""  # `Class.method` for methods
    # decorated with something that may change what it returns
    wrapped: bool = False

    def outermost(self) -> _Frame:
        frame = self
        while frame.parent is not None:
            frame = frame.parent
        return frame


@dataclass
class _CallSite:
    node: ast.Call
    frame: _Frame | None
    lazy: bool  # inside `if x is None:` / `if not x:` (initialise once)
    targets: tuple[str, ...]  # names the call's value is assigned to


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _first_arg(call: ast.Call, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if call.args and not isinstance(call.args[0], ast.Starred):
        return call.args[0]
    return None


# leaf nodes that carry no facts: `ctx` (Load/Store/Del) and operator fields
_SKIPPED_FIELDS = {"ctx", "op", "ops", "type_comment", "type_ignores"}
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    fields = _CHILD_FIELDS.get(cls)
    if fields is None:
        fields = tuple(f for f in cls._fields if f not in _SKIPPED_FIELDS)  # type: ignore[attr-defined]
        _CHILD_FIELDS[cls] = fields
    return fields


class _FactVisitor(ast.NodeVisitor):
    """`ast.NodeVisitor` with its dispatch looked up once per node type, and without visits
    to the leaf nodes no method looks at (a third of a typical tree)."""

    _dispatch: ClassVar[dict[type, Callable[[_FactVisitor, ast.AST], None] | None]] = {}

    def visit(self, node: ast.AST) -> None:
        cls = type(node)
        try:
            method = self._dispatch[cls]
        except KeyError:
            method = getattr(type(self), "visit_" + cls.__name__, None)
            self._dispatch[cls] = method
        if method is None:
            self.generic_visit(node)
        else:
            method(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        for name in _child_fields(type(node)):
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    self._child(item)
            elif value is not None:
                self._child(value)

    def _child(self, node: object) -> None:
        # names are leaves no method looks at, and short strings are no credential: the two
        # commonest nodes are settled here, without a dispatch
        cls = type(node)
        if cls is ast.Name:
            if type(node.ctx) is ast.Store and self.frame is not None:  # type: ignore[attr-defined]
                self.frame.stores.add(node.id)  # type: ignore[attr-defined]
            return
        if cls is ast.Constant:
            value = node.value  # type: ignore[attr-defined]
            if type(value) is str and len(value) >= 16:
                self.visit_Constant(node)  # type: ignore[arg-type]
            return
        if isinstance(node, ast.AST):
            self.visit(node)

    def __init__(self, src: HandlerSource, pos: PosFn) -> None:
        self.src = src
        self.pos = pos
        self.boto3_names: set[str] = set()
        self.factories: dict[str, str] = {}  # from boto3 import client → {"client": "client"}
        self.os_names: set[str] = set()
        self.environ_names: set[str] = set()
        self.getenv_names: set[str] = set()
        # (scope, key) → [(value, frame it was evaluated in)]; scope is a frame or None (module)
        self.bindings: dict[tuple[int | None, str], list[tuple[ast.expr, _Frame | None]]] = {}
        self.returns: dict[str, list[tuple[ast.expr, _Frame | None]]] = {}
        self.calls: list[_CallSite] = []
        self.frame: _Frame | None = None
        self.classes: list[str] = []
        self.try_stack: list[bool] = []
        self.lazy_depth = 0
        # inside `if __name__ == "__main__":`: local runs, not Lambda; nothing recorded there
        self.main_depth = 0
        self.assigned: dict[int, tuple[str, ...]] = {}
        self.env_set: set[str] = set()  # names the code sets or tests for
        self.raw_env_reads: list[tuple[str, ast.AST, bool, _Frame | None]] = []
        self.default_session_foreign = False  # boto3.setup_default_session(credentials)
        self.memo: dict[tuple[int, int], _Ref | None] = {}
        self.cuts = 0
        # (line, redacted value) of the secret candidates kept: a literal is met as a named
        # value and again as a string
        self.secrets_seen: set[tuple[int, str]] = set()
        # what top-level functions return (value, its frame), read when the walk ends
        self.top_returns: list[tuple[ast.expr, _Frame]] = []
        # (scope, name) of names whose value is changed in place (`r["x"] = 1`, `r.update()`)
        self.mutated: set[tuple[int | None, str]] = set()
        # inside `try:` blocks that catch ImportError (one flag per enclosing try)
        self.import_guards: list[bool] = []
        # inside `if TYPE_CHECKING:` or a test of the Python version or platform
        self.conditional_imports = 0
        # Powertools parameter utilities: names bound to the module, names bound to its functions
        self.powertools_modules: set[str] = set()
        self.powertools_functions: dict[str, str] = {}
        # (method, position) of method calls on values that could not be resolved
        self.unresolved_methods: list[tuple[str, Pos]] = []
        self.string_tests: set[tuple[str, str]] = set()  # see HandlerSource.string_tests

    # ------------------------------------------------------------------ scopes

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        decorators = {
            _dotted(d.func if isinstance(d, ast.Call) else d) for d in node.decorator_list
        }
        for d in node.decorator_list:
            self.visit(d)
        a = node.args
        for default in [*a.defaults, *a.kw_defaults]:
            if default is not None:
                self.visit(default)  # evaluated where the def is, not in its body
        name = node.name
        frame = _Frame(
            name,
            self.frame,
            module_level=self.frame is None and not self.classes,
            cached=bool(decorators & _CACHING),
            qualname=".".join([*self.classes, name]) if self.frame is None else name,
            wrapped=any(d is None or d.rsplit(".", 1)[-1] not in _PASS_THROUGH for d in decorators),
        )
        for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]:
            if arg is not None:
                frame.params.add(arg.arg)
        self.frame = frame
        for stmt in node.body:
            self.visit(stmt)
        self.frame = frame.parent

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.classes.append(node.name)
        self.generic_visit(node)
        self.classes.pop()

    def visit_Global(self, node: ast.Global | ast.Nonlocal) -> None:
        if self.frame is not None:
            self.frame.globals.update(node.names)

    visit_Nonlocal = visit_Global

    def visit_Try(self, node: ast.Try) -> None:
        self.try_stack.append(any(self._catches_key_error(h.type) for h in node.handlers))
        self.import_guards.append(any(self._catches(h.type, _IMPORT_ERRORS) for h in node.handlers))
        for stmt in node.body:
            self.visit(stmt)
        self.import_guards[-1] = False
        for stmt in node.orelse:
            self.visit(stmt)
        self.import_guards.pop()
        self.try_stack.pop()
        self.try_stack.append(False)
        for handler in node.handlers:
            self.visit(handler)
        for stmt in node.finalbody:
            self.visit(stmt)
        self.try_stack.pop()

    def visit_TryStar(self, node: ast.AST) -> None:
        self.visit_Try(node)  # type: ignore[arg-type]  # except*: the same fields

    def visit_If(self, node: ast.If) -> None:
        lazy = self._is_none_test(node.test)
        main = self.frame is None and _is_main_test(node.test)
        conditional = _is_environment_test(node.test)
        self.lazy_depth += lazy
        self.main_depth += main
        self.conditional_imports += conditional
        self.generic_visit(node)
        self.lazy_depth -= lazy
        self.main_depth -= main
        self.conditional_imports -= conditional

    @staticmethod
    def _is_none_test(test: ast.expr) -> bool:
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            return True
        if isinstance(test, ast.Compare):
            return any(
                isinstance(op, ast.Is) and isinstance(right, ast.Constant) and right.value is None
                for op, right in zip(test.ops, test.comparators, strict=True)
            )
        return False

    @staticmethod
    def _catches_key_error(exc: ast.expr | None) -> bool:
        return _FactVisitor._catches(exc, _KEY_ERRORS)

    @staticmethod
    def _catches(exc: ast.expr | None, names: set[str]) -> bool:
        if exc is None:
            return True  # bare except
        if isinstance(exc, ast.Tuple):
            return any(_FactVisitor._catches(e, names) for e in exc.elts)
        name = _dotted(exc)
        return name is not None and name.rsplit(".", 1)[-1] in names

    def _imported(
        self,
        name: str,
        node: ast.stmt,
        local: bool = False,
        names: tuple[str, ...] = (),
        level: int = 0,
    ) -> None:
        optional = any(self.import_guards) or self.conditional_imports > 0 or self.main_depth > 0
        self.src.imports.append(
            ModuleImport(
                name,
                self.pos(node),
                local=local,
                names=names,
                level=level,
                optional=optional,
                main_only=self.main_depth > 0,
                in_function=_top_name(self.frame),
            )
        )

    # ------------------------------------------------------------------ imports

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._imported(alias.name, node)
        for alias in node.names:
            name = alias.name
            bound = alias.asname
            if name == _POWERTOOLS_PARAMETERS and bound:
                self.powertools_modules.add(bound)
            if name == "boto3":
                self.boto3_names.add(bound or "boto3")
            elif name == "os":
                self.os_names.add(bound or "os")
            elif name.split(".", 1)[0] in _ENV_LOADERS:
                self.src.dynamic_env = True  # variables may come from a packaged .env file
            elif name == "boto3.session" and bound:
                self._bind(bound, ast.Attribute(ast.Name("boto3"), "session"))
                self.boto3_names.add("boto3")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module
        if node.level or module is not None:
            self._imported(
                module or "",
                node,
                local=bool(node.level),
                names=tuple(alias.name for alias in node.names),
                level=node.level,
            )
        if module is None or any(alias.name == "*" for alias in node.names):
            return
        if module.split(".", 1)[0] in _ENV_LOADERS:
            self.src.dynamic_env = True  # variables may come from a packaged .env file
        for alias in node.names:
            name = alias.name
            bound = alias.asname or name
            if module == "boto3" and name in ("client", "resource", "Session"):
                self.factories[bound] = name
            elif module == "boto3.session" and name == "Session":
                self.factories[bound] = "Session"
            elif module == "os" and name == "environ":
                self.environ_names.add(bound)
            elif module == "os" and name == "getenv":
                self.getenv_names.add(bound)
            elif module == "aws_lambda_powertools.utilities" and name == "parameters":
                self.powertools_modules.add(bound)
            elif module == _POWERTOOLS_PARAMETERS:
                if name in resources.POWERTOOLS_FUNCTIONS:
                    self.powertools_functions[bound] = name
                elif not self.main_depth:
                    # a provider class or another utility: its calls are not followed
                    self.src.sdk_doubts.append(
                        SdkDoubt(self.pos(node), f"Powertools parameters {name} is not followed")
                    )

    # ------------------------------------------------------------------ bindings

    def _scope_for(self, key: str) -> _Frame | None:
        if "." in key or self.frame is None or key in self.frame.globals:
            return None
        return self.frame

    def _bind(self, key: str, value: ast.expr) -> None:
        scope = self._scope_for(key)
        self.bindings.setdefault((id(scope) if scope else None, key), []).append(
            (value, self.frame)
        )

    def _changed_in_place(self, target: ast.expr) -> None:
        """`r["statusCode"] = 200`, `r.body = x`: the object bound to `r` changes."""
        base = target.value if isinstance(target, (ast.Subscript, ast.Attribute)) else None
        if isinstance(base, ast.Name):
            scope = self._scope_for(base.id)
            self.mutated.add((id(scope) if scope else None, base.id))

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        # `with table.batch_writer() as batch`: the writer's __enter__ returns the writer
        for item in node.items:
            expr = item.context_expr
            if (
                isinstance(item.optional_vars, ast.Name)
                and isinstance(expr, ast.Call)
                and isinstance(expr.func, ast.Attribute)
                and expr.func.attr == "batch_writer"
            ):
                self._bind(item.optional_vars.id, expr)
        self.generic_visit(node)

    visit_AsyncWith = visit_With

    def visit_Assign(self, node: ast.Assign) -> None:
        names: list[str] = []
        for target in node.targets:
            self._changed_in_place(target)
            if _dotted(target.value if isinstance(target, ast.Subscript) else target) == "sys.path":
                self.src.dynamic_imports = True  # sys.path = [...] / sys.path[0:0] = [...]
            if isinstance(target, ast.Subscript):
                self._env_store(target)
            key = _dotted(target)  # unpacking (a, b = …): no single value to follow
            if key is not None:
                names.append(key)
                self._bind(key, node.value)
            self._secret_target(target, node.value)
        self.assigned[id(node.value)] = tuple(names)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            key = _dotted(node.target)
            keys = (key,) if key is not None else ()
            for k in keys:
                self._bind(k, node.value)
            self.assigned[id(node.value)] = keys
            self._secret_target(node.target, node.value)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._changed_in_place(node.target)
        if isinstance(node.target, ast.Subscript):
            self._env_store(node.target)
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            if isinstance(target, ast.Subscript):
                self._env_store(target)
        self.generic_visit(node)

    def visit_Return(self, node: ast.Return) -> None:
        if node.value is not None and self.frame is not None:
            self.returns.setdefault(self.frame.name, []).append((node.value, self.frame))
            if self.frame.parent is None and not self.main_depth:
                self.top_returns.append((node.value, self.frame))
        self.generic_visit(node)

    # ------------------------------------------------------------------ environment

    def _is_environ(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Attribute) and node.attr == "environ":
            return isinstance(node.value, ast.Name) and node.value.id in self.os_names
        if isinstance(node, ast.Name):
            if node.id in self.environ_names:
                return True
            values = self._lookup(node.id, self.frame)
            return bool(values) and all(self._is_environ(v) for v, _ in values if not _is_none(v))
        return False

    @staticmethod
    def _subscript_key(node: ast.Subscript) -> str | None:
        return _string(node.slice)

    def _env_store(self, node: ast.Subscript) -> None:
        if self._is_environ(node.value):
            key = self._subscript_key(node)
            if key is not None:
                self.env_set.add(key)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.ctx, ast.Load) and self._is_environ(node.value):
            key = self._subscript_key(node)
            if key is not None and not self.main_depth:
                guarded = bool(self.try_stack) and self.try_stack[-1]
                self.raw_env_reads.append((key, node, guarded, self.frame))
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        # "X" in os.environ: the code checks before it reads
        key = _string(node.left)
        if key is not None:
            for op, right in zip(node.ops, node.comparators, strict=True):
                if isinstance(op, (ast.In, ast.NotIn)) and self._is_environ(right):
                    self.env_set.add(key)
                elif isinstance(op, (ast.In, ast.NotIn)) and key:
                    self.string_tests.add(("contains", key))
        self.generic_visit(node)

    def _env_call(self, node: ast.Call) -> None:
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "update"
            and self._is_environ(func.value)
        ):
            self.src.dynamic_env = True  # os.environ.update(...): set at run time
        first = node.args[0] if node.args and not isinstance(node.args[0], ast.Starred) else None
        key = _string(first)
        if key is None:
            return
        if isinstance(func, ast.Attribute) and self._is_environ(func.value):
            if func.attr == "get":
                self.raw_env_reads.append((key, node, True, self.frame))
            elif func.attr == "setdefault":
                self.env_set.add(key)
        elif isinstance(func, ast.Attribute) and func.attr == "getenv":
            if isinstance(func.value, ast.Name) and func.value.id in self.os_names:
                self.raw_env_reads.append((key, node, True, self.frame))
        elif isinstance(func, ast.Name) and func.id in self.getenv_names:
            self.raw_env_reads.append((key, node, True, self.frame))

    # ------------------------------------------------------------------ calls

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        self._string_test(node)
        if isinstance(func, ast.Attribute) and func.attr in _IN_PLACE:
            self._changed_in_place(func)
        name = _dotted(func)
        if name in ("__import__", "importlib.import_module", "import_module") and not (
            node.args and isinstance(node.args[0], ast.Constant)
        ):
            self.src.dynamic_imports = True
        elif name is not None and (
            name.startswith("sys.path.") or name in ("site.addsitedir", "addsitedir")
        ):
            self.src.dynamic_imports = True  # modules may come from a folder it adds
        if not self.main_depth:
            self._env_call(node)
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr == "setup_default_session"
                and _has_credentials(node, _SESSION_CREDENTIALS)
            ):
                self.default_session_foreign = True
            self.calls.append(
                _CallSite(node, self.frame, self.lazy_depth > 0, self.assigned.get(id(node), ()))
            )
            for kw in node.keywords:
                if kw.arg is not None:
                    self._secret(kw.arg, kw.value, kw.value)
        self.generic_visit(node)

    def _string_test(self, node: ast.Call) -> None:
        """`s.startswith("a/")`, `s.endswith((".png", ".jpg"))`, `re.match(r"^a/", s)`."""
        func = node.func
        if not isinstance(func, ast.Attribute) or not node.args:
            return
        first = node.args[0]
        if func.attr in ("startswith", "endswith"):
            kind = "prefix" if func.attr == "startswith" else "suffix"
            items = first.elts if isinstance(first, ast.Tuple) else [first]
            for item in items:
                text = _string(item)
                if text:
                    self.string_tests.add((kind, text))
        elif func.attr in ("match", "search", "fullmatch", "compile"):
            pattern = _string(first)
            if pattern:
                self.string_tests.update(regex_tests(pattern, func.attr == "match"))

    # ------------------------------------------------------------------ secrets

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            name = _string(key)
            if name is not None:
                self._secret(name, value, value)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, str) and len(value) >= 16 and secrets.credential_format(value):
            self._secret(None, node, node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        for part in node.values:  # the literal parts of an f-string are not string literals
            if isinstance(part, ast.FormattedValue):
                self.visit(part)

    def _secret_target(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self._secret(target.id, value, value)
        elif isinstance(target, ast.Attribute):
            self._secret(target.attr, value, value)
        elif isinstance(target, ast.Subscript):
            key = self._subscript_key(target)
            if key is not None:
                self._secret(key, value, value)

    def _secret(self, name: str | None, value: ast.expr, where: ast.AST) -> None:
        text = _string(value)
        if text is None:
            return
        credential, keep = secrets.candidate(name, text)
        if not keep:
            return
        p = self.pos(where)
        preview = secrets.redact(text)
        if (p.line, preview) in self.secrets_seen:
            return
        self.secrets_seen.add((p.line, preview))
        self.src.secret_candidates.append(SecretCandidate(name, preview, p, credential))

    # ------------------------------------------------------------------ resolution

    def resolve(self) -> None:
        for key, node, guarded, frame in self.raw_env_reads:
            self.src.env_reads.append(
                EnvRead(key, self.pos(node), guarded or key in self.env_set, _top_name(frame))
            )
        for value, frame in self.top_returns:
            returned = self._returned(value, frame)
            if returned is not None:
                self.src.returns.append(returned)
        self.src.method_names = tuple(
            sorted({s.node.func.attr for s in self.calls if isinstance(s.node.func, ast.Attribute)})
        )
        self.src.string_tests = tuple(sorted(self.string_tests))
        boto3 = bool(self.boto3_names or self.factories)
        powertools = bool(self.powertools_modules or self.powertools_functions)
        if not (boto3 or powertools):
            return
        for site in self.calls:
            if powertools and self._powertools_call(site):
                continue
            if boto3:
                self._resolve_call(site)
        self._unresolved_doubts()

    # ------------------------------------------------------------------ returned values

    def _returned(self, value: ast.expr, frame: _Frame) -> ReturnedObject | None:
        where = self.pos(value)
        name = frame.qualname
        if isinstance(value, ast.Name):
            # a name bound once in the function, to a dict that is not changed afterwards
            slot = (id(frame), value.id)
            bound = [v for v, _ in self.bindings.get(slot, [])]
            if slot in self.mutated or len(bound) != 1:
                return None
            value = bound[0]
        if isinstance(value, ast.Dict):
            keys: list[tuple[str, ValueKind]] = []
            complete = True
            for key, item in zip(value.keys, value.values, strict=True):
                text = _string(key)
                if text is None:
                    complete = False  # `**extra` or a computed key
                    continue
                keys.append((text, self._kind(item, frame, 0)))
            return ReturnedObject(where, name, tuple(keys), complete, wrapped=frame.wrapped)
        if isinstance(value, ast.Call):
            called = _dotted(value.func) or ""
            if called.rsplit(".", 1)[-1] in _PARTIAL_RESPONSE or (
                called.endswith(".response") and self._is_batch_processor(value.func, frame)
            ):
                return ReturnedObject(
                    where,
                    name,
                    (("batchItemFailures", "array"),),
                    complete=False,
                    via=called.rsplit(".", 1)[-1],
                    wrapped=frame.wrapped,
                )
        return None

    def _is_batch_processor(self, func: ast.expr, frame: _Frame) -> bool:
        """`processor.response()` on a Powertools batch processor (`BatchProcessor(...)`,
        `SqsFifoPartialProcessor(...)`, `AsyncBatchProcessor(...)`)."""
        receiver = func.value if isinstance(func, ast.Attribute) else None
        key = _dotted(receiver) if receiver is not None else None
        if key is None:
            return False
        values = self._lookup(key, frame)
        return len(values) == 1 and (
            isinstance(values[0][0], ast.Call)
            and (_dotted(values[0][0].func) or "").endswith("Processor")
        )

    def _kind(self, node: ast.expr, frame: _Frame | None, depth: int) -> ValueKind:
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, str):
                return "string"
            if isinstance(value, bool):
                return "boolean"
            if value is None:
                return "null"
            return "number" if isinstance(value, (int, float)) else "other"
        if isinstance(node, ast.JoinedStr):
            return "string"
        if isinstance(node, (ast.Dict, ast.DictComp)):
            return "object"
        if isinstance(node, (ast.List, ast.ListComp, ast.Tuple, ast.Set, ast.SetComp)):
            return "array"
        if isinstance(node, ast.Call):
            called = _dotted(node.func) or ""
            if called in ("str", "repr") or called.rsplit(".", 1)[-1] in ("dumps", "format"):
                return "string"
            if called in ("dict",):
                return "object"
            if called in ("list",):
                return "array"
            return "other"
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
            sides = (node.left, node.right)
            if any(
                isinstance(x, (ast.Constant, ast.JoinedStr))
                and self._kind(x, frame, depth) == "string"
                for x in sides
            ):
                return "string"
            return "other"
        if isinstance(node, ast.Name) and depth < _MAX_VALUE_DEPTH:
            values = self._lookup(node.id, frame)
            if len(values) == 1 and (id(frame) if frame else None, node.id) not in self.mutated:
                return self._kind(values[0][0], values[0][1], depth + 1)
        return "other"

    def _lookup(self, key: str, frame: _Frame | None) -> list[tuple[ast.expr, _Frame | None]]:
        if "." not in key:
            f = frame
            while f is not None:
                if key not in f.globals:
                    found = self.bindings.get((id(f), key))
                    if found:
                        return found
                f = f.parent
        return self.bindings.get((None, key), [])

    def _eval_binding(self, key: str, frame: _Frame | None, seen: set[int]) -> _Ref | None:
        refs: set[_Ref | None] = set()
        values = self._lookup(key, frame)
        if len(values) > _MAX_BINDINGS:
            return None  # rebound over and over: nothing to follow
        identifiers: list[tuple[Argument, ...]] = []  # of each binding, in order
        for value, where in values:
            if _is_none(value):
                continue  # `client = None`, filled in later
            ref = self._eval(value, where, seen)
            refs.add(ref)
            if ref is not None:
                identifiers.append(ref.args)
        if len(refs) != 1:
            return None  # unbound, or bound to different things: do not guess
        ref = next(iter(refs))
        if ref is not None and len(set(identifiers)) > 1:
            # the same kind of resource, made with other identifiers: which is not known
            first: dict[str, Pos] = {}
            for args in identifiers:
                for arg in args:
                    first.setdefault(arg.path, arg.pos)
            unknown = tuple(Argument(p, (_UNKNOWN_PART,), pos) for p, pos in first.items())
            return replace(ref, args=unknown)
        return ref

    def _eval(self, node: ast.expr, frame: _Frame | None, seen: set[int]) -> _Ref | None:
        # a value found without cutting a cycle is the same wherever it is asked for: each
        # receiver (`logger` of `logger.info()`) is followed once, not once per call
        key = (id(node), id(frame))
        if key in self.memo:
            return self.memo[key]
        if id(node) in seen or len(seen) > 50:
            self.cuts += 1
            return None
        cuts = self.cuts
        ref = self._eval_node(node, frame, seen | {id(node)})
        if self.cuts == cuts:
            self.memo[key] = ref
        return ref

    def _eval_node(self, node: ast.expr, frame: _Frame | None, seen: set[int]) -> _Ref | None:
        if isinstance(node, ast.Name):
            if node.id in self.boto3_names:
                return _Ref("boto3")
            if node.id in self.factories:
                return _Ref("factory", detail=self.factories[node.id])
            return self._eval_binding(node.id, frame, seen)
        if isinstance(node, ast.Attribute):
            key = _dotted(node)
            if key is not None and self._lookup(key, frame):
                return self._eval_binding(key, frame, seen)
            base = self._eval(node.value, frame, seen)
            return None if base is None else _attribute(base, node.attr)
        if isinstance(node, ast.Call):
            return self._eval_call(node, frame, seen)
        if isinstance(node, ast.Await):
            return self._eval(node.value, frame, seen)
        return None

    def _eval_call(self, node: ast.Call, frame: _Frame | None, seen: set[int]) -> _Ref | None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "get_paginator":
            base = self._eval(func.value, frame, seen)
            method = _string(_first_arg(node, "operation_name"))
            if base is not None and base.kind == "client" and method:
                return _Ref("paginator", base.service, detail=method)
            return None
        if isinstance(func, ast.Attribute) and func.attr == "batch_writer":
            base = self._eval(func.value, frame, seen)
            if base is not None and base.kind == "resource" and base.resource == "Table":
                return _Ref("batch-writer", base.service, foreign=base.foreign)
            return None
        if (
            isinstance(func, ast.Name)
            and func.id in self.returns
            and not self._lookup(func.id, frame)
        ):
            refs = {self._eval(v, f, seen) for v, f in self.returns[func.id]}
            refs.discard(None)
            return next(iter(refs)) if len(refs) == 1 else None
        target = self._eval(func, frame, seen)
        if target is None:
            return None
        if target.kind == "factory":
            if target.detail == "Session":
                return _Ref(
                    "session",
                    foreign=_has_credentials(node, _SESSION_CREDENTIALS),
                    varying=not self._static_args(node, frame),
                )
            service = _string(_first_arg(node, "service_name")) or "?"
            foreign = target.foreign or _has_credentials(node, _CLIENT_CREDENTIALS)
            return _Ref(target.detail, service, foreign=foreign or self.default_session_foreign)
        if target.kind == "resource":
            # a sub-resource constructor: Table(name), Bucket(name) …
            args = self._identifier_args(target, node, frame)
            return replace(target, args=target.args + args) if args else target
        return None

    def _identifier_args(
        self, ref: _Ref, node: ast.Call, frame: _Frame | None
    ) -> tuple[Argument, ...]:
        """The identifiers a resource constructor is given (`Object(bucket, key)`), as the API
        parameters they fill; identifiers the resource already has are skipped."""
        have = {a.path for a in ref.args}
        wanted = [
            (keyword, param)
            for keyword, param in sdk.PYTHON_RESOURCE_IDENTIFIERS.get(
                (ref.service, ref.resource), ()
            )
            if param not in have
        ]
        out: list[Argument] = []
        positional = [a for a in node.args if not isinstance(a, ast.Starred)]
        for (_, param), value in zip(wanted, positional, strict=False):
            out.append(self._argument(param, value, frame))
        by_keyword = dict(wanted)
        names = resources.argument_names(ref.service)
        for kw in node.keywords:
            if kw.arg in by_keyword:
                out.append(self._argument(by_keyword[kw.arg], kw.value, frame))
            elif kw.arg in names:  # get_queue_by_name(QueueName=…)
                out.append(self._argument(kw.arg, kw.value, frame))
        return tuple(out)

    def _resolve_call(self, site: _CallSite) -> None:
        node = site.node
        created = self._eval_call(node, site.frame, set())
        func = node.func
        if created is not None and created.kind in ("client", "resource"):
            factory = self._eval(func, site.frame, set())
            if created.service == "?" and not created.foreign:
                self.src.sdk_doubts.append(
                    SdkDoubt(self.pos(node), "an SDK client for a service named at run time")
                )
            if factory is not None and factory.kind == "factory":
                per_invocation = (
                    created.foreign or factory.varying or not self._static_args(node, site.frame)
                )
                self.src.clients.append(
                    ClientCreation(
                        created.service,
                        self.pos(node),
                        self._creating_function(site),
                        per_invocation_config=per_invocation,
                    )
                )
        if isinstance(func, ast.Name) and func.id == "getattr" and node.args:
            target = self._eval(node.args[0], site.frame, set())
            if target is not None and target.kind in ("client", "resource") and not target.foreign:
                self.src.sdk_doubts.append(
                    SdkDoubt(self.pos(node), "an SDK operation chosen by name at run time")
                )
        if not isinstance(func, ast.Attribute):
            return
        receiver = self._eval(func.value, site.frame, set())
        if receiver is None:
            self.unresolved_methods.append((func.attr, _attr_pos(func, self.pos)))
            return
        if receiver.service in ("", "?") or receiver.foreign or receiver.kind == "batch-writer":
            return
        method = func.attr
        mapped: sdk.Mapped | None = None
        if receiver.kind == "client":
            if method in ("generate_presigned_url", "generate_presigned_post"):
                named = _string(_first_arg(node, "ClientMethod")) or (
                    "put_object" if method == "generate_presigned_post" else None
                )
                mapped = sdk.python_client_call(receiver.service, named) if named else None
            else:
                mapped = sdk.python_client_call(receiver.service, method)
        elif receiver.kind == "paginator" and method == "paginate":
            mapped = sdk.python_client_call(receiver.service, receiver.detail)
        elif receiver.kind == "resource":
            mapped = sdk.python_resource_call(receiver.service, receiver.resource, method)
        if mapped is None:
            return
        positional = sdk.PYTHON_POSITIONAL.get(
            (receiver.service, receiver.resource if receiver.kind == "resource" else "", method), ()
        )
        args, spread = self._call_args(
            node, mapped.service, site.frame, presigned=method, positional=positional
        )
        if receiver.kind == "resource":
            args = receiver.args + args
        self.src.sdk_calls.append(
            SdkCall(
                mapped.service,
                mapped.operation,
                _attr_pos(func, self.pos),
                method=method,
                actions=mapped.actions or (),
                actions_known=mapped.actions is not None,
                in_function=_top_name(site.frame),
                arguments=args,
                spread=spread,
            )
        )

    # ------------------------------------------------------------------ arguments

    def _call_args(
        self,
        node: ast.Call,
        service: str,
        frame: _Frame | None,
        presigned: str = "",
        positional: tuple[str, ...] = (),
    ) -> tuple[tuple[Argument, ...], bool]:
        """The arguments of an SDK call that name its resource, and whether some of its
        arguments cannot be seen (`**params`). `positional`: the parameter names a helper
        takes by position (`upload_file(path, bucket, key)`)."""
        keywords: list[tuple[str, ast.expr]] = []
        spread = False
        for name, value in zip(positional, node.args, strict=False):
            if isinstance(value, ast.Starred):
                spread = True
                break
            keywords.append((name, value))
        for kw in node.keywords:
            if kw.arg is not None:
                keywords.append((kw.arg, kw.value))
                continue
            expanded = self._dict_items(kw.value, frame)
            if expanded is None:
                spread = True
            else:
                keywords.extend(expanded)
        if presigned in ("generate_presigned_url", "generate_presigned_post"):
            params = dict(keywords).get("Params")
            if presigned == "generate_presigned_post":
                keywords = [(k, v) for k, v in keywords if k in ("Bucket", "Key")]
            elif params is None:
                keywords = []
            else:
                items = self._dict_items(params, frame)
                spread = spread or items is None
                keywords = items or []
        names = resources.argument_names(service)
        out: list[Argument] = []
        for name, value in keywords:
            out.extend(self._paths(name, value, names, frame))
            if name not in names:  # another parameter (`MessageBody`): when something is known
                other = self._argument(name, value, frame)
                if other.parts != (_UNKNOWN_PART,):
                    out.append(other)
        return tuple(out), spread

    def _paths(
        self, name: str, value: ast.expr, names: frozenset[str], frame: _Frame | None
    ) -> list[Argument]:
        """`name=value` as the recorded argument paths (`Names[]`, `RequestItems{}`,
        `Entries[].EventBusName`, `CopySource.Bucket`)."""
        out: list[Argument] = []
        if name in names:
            out.append(self._argument(name, value, frame))
        if f"{name}[]" in names:
            items = self._list_items(value, frame)
            if items is None:
                out.append(Argument(f"{name}[]", (_UNKNOWN_PART,), self.pos(value)))
            else:
                out.extend(self._argument(f"{name}[]", item, frame) for item in items)
        if f"{name}{{}}" in names:
            pairs = self._dict_items(value, frame, keys_only=True)
            if pairs is None:
                out.append(Argument(f"{name}{{}}", (_UNKNOWN_PART,), self.pos(value)))
            else:
                out.extend(self._argument(f"{name}{{}}", key, frame) for _, key in pairs)
        fields = [n.split(".", 1)[1] for n in names if n.startswith(f"{name}.")]
        if fields:  # CopySource={"Bucket": …, "Key": …}
            for key, inner in self._dict_items(value, frame) or []:
                if key in fields:
                    out.append(self._argument(f"{name}.{key}", inner, frame))
        listed = [n.split("].", 1)[1] for n in names if n.startswith(f"{name}[].")]
        for field_name in listed:  # Entries=[{"EventBusName": …}, …]
            path = f"{name}[].{field_name}"
            items = self._list_items(value, frame)
            if items is None:
                out.append(Argument(path, (_UNKNOWN_PART,), self.pos(value)))
                continue
            for item in items:
                inner_items = self._dict_items(item, frame)
                if inner_items is None:
                    out.append(Argument(path, (_UNKNOWN_PART,), self.pos(item)))
                    continue
                found = dict(inner_items).get(field_name)
                out.append(
                    self._argument(path, found, frame)
                    if found is not None
                    else Argument(path, (), self.pos(item))  # not given: the default
                )
        return out

    def _resolve_value_node(
        self, node: ast.expr, frame: _Frame | None
    ) -> tuple[ast.expr, _Frame | None]:
        """A name bound once to a literal container is that container."""
        for _ in range(_MAX_VALUE_DEPTH):
            key = _dotted(node)
            if key is None:
                break
            values = [(v, f) for v, f in self._lookup(key, frame) if not _is_none(v)]
            if len(values) != 1:
                break
            node, frame = values[0]
        return node, frame

    def _list_items(self, node: ast.expr, frame: _Frame | None) -> list[ast.expr] | None:
        node, _ = self._resolve_value_node(node, frame)
        if isinstance(node, (ast.List, ast.Tuple)) and not any(
            isinstance(e, ast.Starred) for e in node.elts
        ):
            return list(node.elts)
        return None

    def _dict_items(
        self, node: ast.expr, frame: _Frame | None, keys_only: bool = False
    ) -> list[tuple[str, ast.expr]] | None:
        """(key, value) of a dict literal (through a name bound once); keys_only: (key text,
        the key's node) also for keys that are not string literals. None when not a literal."""
        node, _ = self._resolve_value_node(node, frame)
        if isinstance(node, ast.Call) and _dotted(node.func) == "dict" and not node.args:
            if any(kw.arg is None for kw in node.keywords):
                return None
            return [(str(kw.arg), kw.value) for kw in node.keywords]
        if not isinstance(node, ast.Dict):
            return None
        out: list[tuple[str, ast.expr]] = []
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                return None  # {**other}
            if keys_only:
                out.append(("", key))
                continue
            text = _string(key)
            if text is None:
                return None
            out.append((text, value))
        return out

    def _argument(self, path: str, value: ast.expr, frame: _Frame | None) -> Argument:
        return Argument(path, self._value(value, frame, 0), self.pos(value))

    def _value(self, node: ast.expr, frame: _Frame | None, depth: int) -> tuple[ValuePart, ...]:
        """What a string expression is made of: text, environment variables, the unknown."""
        if depth > _MAX_VALUE_DEPTH:
            return (_UNKNOWN_PART,)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return (ValuePart("text", node.value),)
            if isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
                return (ValuePart("text", str(node.value)),)
            return (_UNKNOWN_PART,)
        env = self._env_name(node)
        if env is not None:
            return (ValuePart("env", env),)
        if isinstance(node, ast.JoinedStr):
            parts: list[ValuePart] = []
            for piece in node.values:
                if isinstance(piece, ast.Constant) and isinstance(piece.value, str):
                    parts.append(ValuePart("text", piece.value))
                elif (
                    isinstance(piece, ast.FormattedValue)
                    and piece.format_spec is None
                    and piece.conversion in (-1, 115)  # none, !s
                ):
                    parts.extend(self._value(piece.value, frame, depth + 1))
                else:
                    parts.append(_UNKNOWN_PART)
            return merge_parts(parts)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = self._value(node.left, frame, depth + 1)
            right = self._value(node.right, frame, depth + 1)
            return merge_parts([*left, *right])
        if isinstance(node, (ast.Name, ast.Attribute)):
            key = _dotted(node)
            if key is None:
                return (_UNKNOWN_PART,)
            if isinstance(node, ast.Name) and _is_param(key, frame):
                return (_UNKNOWN_PART,)
            values = [(v, f) for v, f in self._lookup(key, frame) if not _is_none(v)]
            if not values or len(values) > _MAX_BINDINGS:
                return (_UNKNOWN_PART,)
            found = {self._value(v, f, depth + 1) for v, f in values}
            return found.pop() if len(found) == 1 else (_UNKNOWN_PART,)
        return (_UNKNOWN_PART,)

    def _env_name(self, node: ast.expr) -> str | None:
        """`os.environ["X"]`, `os.environ.get("X", …)`, `os.getenv("X", …)` → X."""
        if isinstance(node, ast.Subscript) and self._is_environ(node.value):
            return self._subscript_key(node)
        if not isinstance(node, ast.Call) or not node.args:
            return None
        key = _string(node.args[0]) if not isinstance(node.args[0], ast.Starred) else None
        if key is None:
            return None
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "get" and self._is_environ(func.value):
            return key
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "getenv"
            and isinstance(func.value, ast.Name)
            and func.value.id in self.os_names
        ):
            return key
        if isinstance(func, ast.Name) and func.id in self.getenv_names:
            return key
        return None

    # ------------------------------------------------------------------ Powertools

    def _powertools_call(self, site: _CallSite) -> bool:
        """A Powertools parameter utility (`parameters.get_parameter("/app/x")`): recorded as
        the SDK call it makes. True when the call was one."""
        func = site.node.func
        name: str | None = None
        if isinstance(func, ast.Name) and func.id in self.powertools_functions:
            if self._lookup(func.id, site.frame):
                return False  # rebound
            name = self.powertools_functions[func.id]
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in self.powertools_modules
        ):
            if func.attr not in resources.POWERTOOLS_FUNCTIONS:
                self.src.sdk_doubts.append(
                    SdkDoubt(
                        self.pos(site.node), f"Powertools parameters.{func.attr} is not followed"
                    )
                )
                return True
            name = func.attr
        if name is None:
            return False
        service, operation, param = resources.POWERTOOLS_FUNCTIONS[name]
        args: list[Argument] = []
        first = site.node.args[0] if site.node.args else None
        for kw in site.node.keywords:
            if kw.arg in ("name", "path", "parameters"):
                first = kw.value
        if param and first is not None and not isinstance(first, ast.Starred):
            if param.endswith("[]"):  # get_parameters_by_name({name: options, …})
                keys = self._dict_items(first, site.frame, keys_only=True)
                if keys is None:
                    args.append(Argument(param, (_UNKNOWN_PART,), self.pos(first)))
                else:
                    args.extend(self._argument(param, key, site.frame) for _, key in keys)
            else:
                args.append(self._argument(param, first, site.frame))
        elif not param:  # get_app_config(name, environment, application)
            for position, key in enumerate(("name", "environment", "application")):
                value = site.node.args[position] if len(site.node.args) > position else None
                for kw in site.node.keywords:
                    if kw.arg == key:
                        value = kw.value
                if value is not None and not isinstance(value, ast.Starred):
                    args.append(self._argument(f"AppConfig.{key}", value, site.frame))
        actions = resources.POWERTOOLS_ACTIONS[(service, operation)]
        self.src.sdk_calls.append(
            SdkCall(
                service,
                operation,
                self.pos(func) if isinstance(func, ast.Name) else _attr_pos(func, self.pos),  # type: ignore[arg-type]
                method=name,
                actions=actions,
                in_function=_top_name(site.frame),
                arguments=tuple(args),
            )
        )
        return True

    def _unresolved_doubts(self) -> None:
        """Method calls on values that could not be resolved whose names are operations of a
        service the file makes clients of (`table.put_item` on a parameter)."""
        services = {c.service for c in self.src.clients}
        if not services or not self.unresolved_methods:
            return
        names: set[str] = set()
        for service in services:
            svc = sdk.service(service)
            if svc is not None:
                names.update(svc.snake)
            names.update(m for (s, _, m) in sdk.PYTHON_RESOURCE_METHODS if s == service)
        names -= sdk.COMMON_METHODS
        for method, pos in self.unresolved_methods:
            if method in names:
                self.src.sdk_doubts.append(
                    SdkDoubt(pos, f"{method} may be an SDK call on a value that is not followed")
                )

    def _static_args(self, call: ast.Call, frame: _Frame | None) -> bool:
        """The creation's arguments are the same on every invocation: literals and module-level
        names, not the event, parameters or values computed in the function."""
        return all(self._static(arg, frame) for arg in call.args) and all(
            self._static(kw.value, frame) for kw in call.keywords
        )

    def _static(self, node: ast.expr | None, frame: _Frame | None) -> bool:
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.Starred):
            return self._static(node.value, frame)
        if isinstance(node, ast.Name):
            f = frame
            while f is not None:
                if node.id in f.params or (
                    node.id not in f.globals
                    and ((id(f), node.id) in self.bindings or node.id in f.stores)
                ):
                    return False
                f = f.parent
            return True
        if isinstance(node, ast.Attribute):
            return self._static(node.value, frame)
        if isinstance(node, ast.Call):
            return self._static_args(node, frame) and self._static(node.func, frame)
        if isinstance(node, ast.Dict):
            return all(
                k is not None and self._static(k, frame) and self._static(v, frame)
                for k, v in zip(node.keys, node.values, strict=True)
            )
        if isinstance(node, (ast.List, ast.Tuple)):
            return all(self._static(e, frame) for e in node.elts)
        if isinstance(node, ast.Subscript):  # os.environ["REGION"]
            return self._static(node.value, frame) and self._static(node.slice, frame)
        return False

    def _creating_function(self, site: _CallSite) -> str | None:
        """The top-level function a client is created in, unless it is created once and kept
        (assigned to a global, under `if x is None`, in a cached function)."""
        frame = site.frame
        if frame is None or site.lazy:
            return None
        if site.targets and all(
            t in frame.globals or t.startswith(("self.", "cls.")) for t in site.targets
        ):
            return None
        f: _Frame | None = frame
        while f is not None:
            if f.cached:
                return None
            f = f.parent
        return _top_name(frame)


# methods that change a mapping in place
_IN_PLACE = {"update", "setdefault", "pop", "popitem", "clear", "__setitem__"}


def _is_environment_test(test: ast.expr) -> bool:
    """`if TYPE_CHECKING:`, `if sys.version_info >= (3, 11):`, `if sys.platform == ...`:
    what is imported under it may not be imported where the code runs."""
    for node in ast.walk(test):
        name = _dotted(node) if isinstance(node, (ast.Name, ast.Attribute)) else None
        if name is not None and name.rsplit(".", 1)[-1] in (
            "TYPE_CHECKING",
            "version_info",
            "platform",
            "PY2",
            "PY3",
        ):
            return True
    return False


def _is_param(name: str, frame: _Frame | None) -> bool:
    f = frame
    while f is not None:
        if name in f.params:
            return True
        f = f.parent
    return False


def _attr_pos(node: ast.Attribute, pos: PosFn) -> Pos:
    """Where the attribute name of `x.attr` is written: CPython's node ends with it."""
    end = pos(node)
    if end.end_line is None or end.end_column is None:
        return end
    width = len(node.attr)
    return Pos(end.end_line, end.end_column - width, end.end_line, end.end_column)


def _top_name(frame: _Frame | None) -> str | None:
    """The top-level function (or `Class.method`) a frame belongs to; None at module level."""
    return None if frame is None else frame.outermost().qualname


def main_guard(test: ast.expr) -> str | None:
    """How a test compares `__name__` with "__main__": "==" (the block runs only as a script,
    never when Lambda imports the module), "!=" (the other way round), None for any other test."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return None
    right = test.comparators[0]
    if "__name__" not in (_dotted(test.left), _dotted(right)):
        return None
    if "__main__" not in (_string(test.left), _string(right)):
        return None
    if isinstance(test.ops[0], ast.Eq):
        return "=="
    return "!=" if isinstance(test.ops[0], ast.NotEq) else None


def _is_main_test(test: ast.expr) -> bool:
    """`__name__ == "__main__"`."""
    return main_guard(test) == "=="


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _attribute(base: _Ref, attr: str) -> _Ref | None:
    """`base.attr` for SDK objects."""
    if base.kind == "boto3":
        if attr in ("client", "resource", "Session"):
            return _Ref("factory", detail=attr)
        if attr == "session":
            return _Ref("session-module")
    elif base.kind == "session-module" and attr == "Session":
        return _Ref("factory", detail="Session")
    elif base.kind == "session" and attr in ("client", "resource"):
        return _Ref("factory", detail=attr, foreign=base.foreign, varying=base.varying)
    elif base.kind == "resource":
        if attr == "meta":
            return _Ref("meta", base.service, foreign=base.foreign)
        sub = sdk.python_sub_resource(base.service, base.resource, attr)
        if sub is not None:
            return _Ref("resource", base.service, sub, foreign=base.foreign, args=base.args)
    elif base.kind == "meta" and attr == "client":
        return _Ref("client", base.service, foreign=base.foreign)
    return None


_CLIENT_CREDENTIALS = {"aws_access_key_id", "aws_secret_access_key", "aws_session_token"}
_SESSION_CREDENTIALS = _CLIENT_CREDENTIALS | {"botocore_session", "profile_name"}


def _has_credentials(call: ast.Call, keywords: set[str]) -> bool:
    return any(kw.arg in keywords for kw in call.keywords)
