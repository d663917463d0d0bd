"""Python handler facts beyond names: environment reads, boto3 clients and the API calls made
through them, and secrets assigned in source. One libcst walk collects bindings and candidate
calls; they are resolved when the walk ends, so a client defined below its use is still found.

Resolution is deliberately simple and conservative: names are followed through assignments in
the same function or at module level (`self.x` and other dotted names module-wide), through
functions that return a client, and a name bound to two different things resolves to nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import libcst as cst

from lambdalint import sdk_actions, secrets
from lambdalint.analysis.source import ClientCreation, EnvRead, HandlerSource, SdkCall, SourceSecret
from lambdalint.model import Pos

PosFn = Callable[[cst.CSTNode], Pos]

_MAX_BINDINGS = 16
# libraries that fill os.environ from files shipped with the code
_ENV_LOADERS = {"dotenv", "environs", "decouple"}
# exceptions whose handler makes a missing variable harmless
_KEY_ERRORS = {"KeyError", "LookupError", "Exception", "BaseException"}
# decorators that make a client-creating function run once
_CACHING = {"lru_cache", "cache", "functools.lru_cache", "functools.cache", "cached_property"}


@dataclass(frozen=True)
class _Ref:
    """What an expression evaluates to, as far as SDK objects go.

    kind: boto3 | session-module | factory | session | client | resource | meta | paginator
    """

    kind: str
    service: str = ""
    resource: str = ""  # resource type ("" = the service resource, "Table", "Bucket" …)
    detail: str = ""  # factory: client | resource | Session; paginator: the method it pages
    # made with credentials of its own: its calls are not made with the function's role
    foreign: bool = False


@dataclass
class _Frame:
    """A function body: bindings resolve here first, then in enclosing frames."""

    name: str
    parent: _Frame | None
    module_level: bool  # a top-level def (not a method, not nested)
    globals: set[str] = field(default_factory=set)
    params: set[str] = field(default_factory=set)
    cached: bool = False
    qualname: str = ""  # `Class.method` for methods

    def outermost(self) -> _Frame:
        frame = self
        while frame.parent is not None:
            frame = frame.parent
        return frame


@dataclass
class _CallSite:
    node: cst.Call
    frame: _Frame | None
    lazy: bool  # inside `if x is None:` / `if not x:` (initialise once)
    targets: tuple[str, ...]  # names the call's value is assigned to


def _dotted(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


def _string(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        try:
            value = node.evaluated_value
        except Exception:  # noqa: BLE001 - odd escapes: not a literal we can read
            return None
        return value if isinstance(value, str) else None
    return None


def _first_arg(call: cst.Call, keyword: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    if call.args and call.args[0].keyword is None and not call.args[0].star:
        return call.args[0].value
    return None


class FactVisitor(cst.BatchableCSTVisitor):
    def get_visitors(self) -> dict[str, Any]:
        # libcst finds these with inspect.getmembers on every instance: 5 ms a file
        return {name: getattr(self, name) for name in _visitor_names(type(self))}

    def __init__(self, src: HandlerSource, pos: PosFn) -> None:
        super().__init__()
        self.src = src
        self.pos = pos
        self.boto3_names: set[str] = set()
        self.factories: dict[str, str] = {}  # from boto3 import client → {"client": "client"}
        self.os_names: set[str] = set()
        self.environ_names: set[str] = set()
        self.getenv_names: set[str] = set()
        # (scope, key) → [(value, frame it was evaluated in)]; scope is a frame or None (module)
        self.bindings: dict[
            tuple[int | None, str], list[tuple[cst.BaseExpression, _Frame | None]]
        ] = {}
        self.returns: dict[str, list[tuple[cst.BaseExpression, _Frame | None]]] = {}
        self.calls: list[_CallSite] = []
        self.frame: _Frame | None = None
        self.classes: list[str] = []
        self.try_stack: list[bool] = []
        self.lazy_depth = 0
        # inside `if __name__ == "__main__":`: local runs, not Lambda; nothing recorded there
        self.main_depth = 0
        self.if_lazy: list[bool] = []
        self.assigned: dict[int, tuple[str, ...]] = {}
        self.stores: set[int] = set()  # Subscript nodes that are written, not read
        self.env_set: set[str] = set()  # names the code sets or tests for
        self.raw_env_reads: list[tuple[str, cst.CSTNode, bool, _Frame | None]] = []
        self.default_session_foreign = False  # boto3.setup_default_session(credentials)

    # ------------------------------------------------------------------ scopes

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        decorators = {
            _dotted(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator)
            for d in node.decorators
        }
        name = node.name.value
        self.frame = _Frame(
            name,
            self.frame,
            module_level=self.frame is None and not self.classes,
            cached=bool(decorators & _CACHING),
            qualname=".".join([*self.classes, name]) if self.frame is None else name,
        )
        p = node.params
        for param in [*p.posonly_params, *p.params, *p.kwonly_params]:
            self.frame.params.add(param.name.value)
        for star in (p.star_arg, p.star_kwarg):
            if isinstance(star, cst.Param):
                self.frame.params.add(star.name.value)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        if self.frame is not None:
            self.frame = self.frame.parent

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.append(node.name.value)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.classes.pop()

    def visit_Global(self, node: cst.Global) -> None:
        if self.frame is not None:
            self.frame.globals.update(n.name.value for n in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        if self.frame is not None:
            self.frame.globals.update(n.name.value for n in node.names)

    def visit_Try(self, node: cst.Try) -> None:
        self.try_stack.append(any(self._catches_key_error(h.type) for h in node.handlers))

    def leave_Try(self, original_node: cst.Try) -> None:
        self.try_stack.pop()

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self.try_stack.append(False)

    def leave_ExceptHandler(self, original_node: cst.ExceptHandler) -> None:
        self.try_stack.pop()

    def visit_Finally(self, node: cst.Finally) -> None:
        self.try_stack.append(False)

    def leave_Finally(self, original_node: cst.Finally) -> None:
        self.try_stack.pop()

    def visit_If(self, node: cst.If) -> None:
        lazy = self._is_none_test(node.test)
        self.if_lazy.append(lazy)
        self.lazy_depth += lazy
        if self.frame is None and _is_main_test(node.test):
            self.main_depth += 1

    def leave_If(self, original_node: cst.If) -> None:
        self.lazy_depth -= self.if_lazy.pop()
        if self.frame is None and _is_main_test(original_node.test):
            self.main_depth -= 1

    @staticmethod
    def _is_none_test(test: cst.BaseExpression) -> bool:
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            return True
        if isinstance(test, cst.Comparison):
            return any(
                isinstance(c.operator, cst.Is)
                and isinstance(c.comparator, cst.Name)
                and c.comparator.value == "None"
                for c in test.comparisons
            )
        return False

    @staticmethod
    def _catches_key_error(exc: cst.BaseExpression | None) -> bool:
        if exc is None:
            return True  # bare except
        if isinstance(exc, cst.Tuple):
            return any(FactVisitor._catches_key_error(e.value) for e in exc.elements)
        name = _dotted(exc)
        return name is not None and name.rsplit(".", 1)[-1] in _KEY_ERRORS

    # ------------------------------------------------------------------ imports

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = _dotted(alias.name)
            bound = (
                alias.asname.name.value
                if alias.asname and isinstance(alias.asname.name, cst.Name)
                else None
            )
            if name == "boto3":
                self.boto3_names.add(bound or "boto3")
            elif name == "os":
                self.os_names.add(bound or "os")
            elif name is not None and name.split(".", 1)[0] in _ENV_LOADERS:
                self.src.dynamic_env = True  # variables may come from a packaged .env file
            elif name == "boto3.session" and bound:
                self._bind(bound, cst.Attribute(cst.Name("boto3"), cst.Name("session")))
                self.boto3_names.add("boto3")

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.module is None or isinstance(node.names, cst.ImportStar):
            return
        module = _dotted(node.module)
        if module is not None and module.split(".", 1)[0] in _ENV_LOADERS:
            self.src.dynamic_env = True  # variables may come from a packaged .env file
        for alias in node.names:
            name = alias.name.value if isinstance(alias.name, cst.Name) else None
            if name is None:
                continue
            bound = (
                alias.asname.name.value
                if alias.asname and isinstance(alias.asname.name, cst.Name)
                else name
            )
            if module == "boto3" and name in ("client", "resource", "Session"):
                self.factories[bound] = name
            elif module == "boto3.session" and name == "Session":
                self.factories[bound] = "Session"
            elif module == "os" and name == "environ":
                self.environ_names.add(bound)
            elif module == "os" and name == "getenv":
                self.getenv_names.add(bound)

    # ------------------------------------------------------------------ bindings

    def _scope_for(self, key: str) -> _Frame | None:
        if "." in key or self.frame is None or key in self.frame.globals:
            return None
        return self.frame

    def _bind(self, key: str, value: cst.BaseExpression) -> None:
        scope = self._scope_for(key)
        self.bindings.setdefault((id(scope) if scope else None, key), []).append(
            (value, self.frame)
        )

    def _targets(self, target: cst.BaseExpression) -> list[str]:
        key = _dotted(target)
        if key is not None:
            return [key]
        if isinstance(target, (cst.Tuple, cst.List)):
            return []  # unpacking: no single value to follow
        return []

    def visit_Assign(self, node: cst.Assign) -> None:
        names: list[str] = []
        for t in node.targets:
            if isinstance(t.target, cst.Subscript):
                self._env_store(t.target)
            for key in self._targets(t.target):
                names.append(key)
                self._bind(key, node.value)
            self._secret_target(t.target, node.value)
        self.assigned[id(node.value)] = tuple(names)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is None:
            return
        keys = self._targets(node.target)
        for key in keys:
            self._bind(key, node.value)
        self.assigned[id(node.value)] = tuple(keys)
        self._secret_target(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Subscript):
            self._env_store(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        if isinstance(node.target, cst.Subscript):
            self._env_store(node.target)

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None and self.frame is not None:
            self.returns.setdefault(self.frame.name, []).append((node.value, self.frame))

    # ------------------------------------------------------------------ environment

    def _is_environ(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, cst.Attribute) and node.attr.value == "environ":
            return isinstance(node.value, cst.Name) and node.value.value in self.os_names
        if isinstance(node, cst.Name):
            if node.value in self.environ_names:
                return True
            values = self._lookup(node.value, self.frame)
            return bool(values) and all(self._is_environ(v) for v, _ in values if not _is_none(v))
        return False

    @staticmethod
    def _subscript_key(node: cst.Subscript) -> str | None:
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return None
        return _string(node.slice[0].slice.value)

    def _env_store(self, node: cst.Subscript) -> None:
        self.stores.add(id(node))
        if self._is_environ(node.value):
            key = self._subscript_key(node)
            if key is not None:
                self.env_set.add(key)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if id(node) in self.stores or not self._is_environ(node.value):
            return
        key = self._subscript_key(node)
        if key is None:
            return
        guarded = bool(self.try_stack) and self.try_stack[-1]
        if not self.main_depth:
            self.raw_env_reads.append((key, node, guarded, self.frame))

    def visit_Comparison(self, node: cst.Comparison) -> None:
        # "X" in os.environ: the code checks before it reads
        key = _string(node.left)
        if key is None:
            return
        for comp in node.comparisons:
            if isinstance(comp.operator, (cst.In, cst.NotIn)) and self._is_environ(comp.comparator):
                self.env_set.add(key)

    def _env_call(self, node: cst.Call) -> None:
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value == "update"
            and self._is_environ(func.value)
        ):
            self.src.dynamic_env = True  # os.environ.update(...): set at run time
        key = _string(node.args[0].value) if node.args and node.args[0].keyword is None else None
        if key is None:
            return
        if isinstance(func, cst.Attribute) and self._is_environ(func.value):
            if func.attr.value == "get":
                self.raw_env_reads.append((key, node, True, self.frame))
            elif func.attr.value == "setdefault":
                self.env_set.add(key)
        elif isinstance(func, cst.Attribute) and func.attr.value == "getenv":
            if isinstance(func.value, cst.Name) and func.value.value in self.os_names:
                self.raw_env_reads.append((key, node, True, self.frame))
        elif isinstance(func, cst.Name) and func.value in self.getenv_names:
            self.raw_env_reads.append((key, node, True, self.frame))

    # ------------------------------------------------------------------ calls

    def visit_Call(self, node: cst.Call) -> None:
        if self.main_depth:
            return
        self._env_call(node)
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value == "setup_default_session"
            and _has_credentials(node, _SESSION_CREDENTIALS)
        ):
            self.default_session_foreign = True
        self.calls.append(
            _CallSite(node, self.frame, self.lazy_depth > 0, self.assigned.get(id(node), ()))
        )
        for arg in node.args:
            if arg.keyword is not None:
                self._secret(arg.keyword.value, arg.value, arg.value)

    # ------------------------------------------------------------------ secrets

    def visit_DictElement(self, node: cst.DictElement) -> None:
        key = _string(node.key)
        if key is not None:
            self._secret(key, node.value, node.value)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = _string(node)
        if value is not None and len(value) >= 16 and secrets.credential_format(value):
            self._secret(None, node, node)

    def _secret_target(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self._secret(target.value, value, value)
        elif isinstance(target, cst.Attribute):
            self._secret(target.attr.value, value, value)
        elif isinstance(target, cst.Subscript):
            key = self._subscript_key(target)
            if key is not None:
                self._secret(key, value, value)

    def _secret(self, name: str | None, value: cst.BaseExpression, where: cst.CSTNode) -> None:
        text = _string(value)
        if text is None:
            return
        reason = secrets.classify_literal(name or "", text)
        if reason is None:
            return
        p = self.pos(where)
        if any(s.pos.line == p.line for s in self.src.secrets):
            return  # the same literal, seen as an assignment and as a string
        self.src.secrets.append(
            SourceSecret(name or "string literal", secrets.redact(text), p, reason)
        )

    # ------------------------------------------------------------------ resolution

    def leave_Module(self, original_node: cst.Module) -> None:
        for key, node, guarded, frame in self.raw_env_reads:
            self.src.env_reads.append(
                EnvRead(key, self.pos(node), guarded or key in self.env_set, _top_name(frame))
            )
        if not (self.boto3_names or self.factories):
            return
        for site in self.calls:
            self._resolve_call(site)

    def _lookup(
        self, key: str, frame: _Frame | None
    ) -> list[tuple[cst.BaseExpression, _Frame | None]]:
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
        for value, where in values:
            if _is_none(value):
                continue  # `client = None`, filled in later
            refs.add(self._eval(value, where, seen))
        if len(refs) != 1:
            return None  # unbound, or bound to different things: do not guess
        return next(iter(refs))

    def _eval(self, node: cst.BaseExpression, frame: _Frame | None, seen: set[int]) -> _Ref | None:
        if id(node) in seen or len(seen) > 50:
            return None
        seen = seen | {id(node)}
        if isinstance(node, cst.Name):
            if node.value in self.boto3_names:
                return _Ref("boto3")
            if node.value in self.factories:
                return _Ref("factory", detail=self.factories[node.value])
            return self._eval_binding(node.value, frame, seen)
        if isinstance(node, cst.Attribute):
            key = _dotted(node)
            if key is not None and self._lookup(key, frame):
                return self._eval_binding(key, frame, seen)
            base = self._eval(node.value, frame, seen)
            return None if base is None else _attribute(base, node.attr.value)
        if isinstance(node, cst.Call):
            return self._eval_call(node, frame, seen)
        if isinstance(node, cst.Await):
            return self._eval(node.expression, frame, seen)
        return None

    def _eval_call(self, node: cst.Call, frame: _Frame | None, seen: set[int]) -> _Ref | None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "get_paginator":
            base = self._eval(func.value, frame, seen)
            method = _string(_first_arg(node, "operation_name"))
            if base is not None and base.kind == "client" and method:
                return _Ref("paginator", base.service, detail=method)
            return None
        if (
            isinstance(func, cst.Name)
            and func.value in self.returns
            and not self._lookup(func.value, frame)
        ):
            refs = {self._eval(v, f, seen) for v, f in self.returns[func.value]}
            refs.discard(None)
            return next(iter(refs)) if len(refs) == 1 else None
        target = self._eval(func, frame, seen)
        if target is None:
            return None
        if target.kind == "factory":
            if target.detail == "Session":
                return _Ref("session", foreign=_has_credentials(node, _SESSION_CREDENTIALS))
            service = _string(_first_arg(node, "service_name")) or "?"
            foreign = target.foreign or _has_credentials(node, _CLIENT_CREDENTIALS)
            return _Ref(target.detail, service, foreign=foreign or self.default_session_foreign)
        if target.kind == "resource":
            return target  # a sub-resource constructor: Table(name), Bucket(name) …
        return None

    def _resolve_call(self, site: _CallSite) -> None:
        node = site.node
        created = self._eval_call(node, site.frame, set())
        func = node.func
        if created is not None and created.kind in ("client", "resource"):
            factory = self._eval(func, site.frame, set())
            if factory is not None and factory.kind == "factory":
                per_invocation = created.foreign or not self._static_args(node, site.frame)
                self.src.clients.append(
                    ClientCreation(
                        created.service,
                        self.pos(node),
                        self._creating_function(site),
                        per_invocation_config=per_invocation,
                    )
                )
        if not isinstance(func, cst.Attribute):
            return
        receiver = self._eval(func.value, site.frame, set())
        if receiver is None or receiver.service in ("", "?") or receiver.foreign:
            return
        method = func.attr.value
        mapped: sdk_actions.Mapped | None = None
        if receiver.kind == "client":
            if method in ("generate_presigned_url", "generate_presigned_post"):
                named = _string(_first_arg(node, "ClientMethod")) or (
                    "put_object" if method == "generate_presigned_post" else None
                )
                mapped = sdk_actions.python_client_call(receiver.service, named) if named else None
            else:
                mapped = sdk_actions.python_client_call(receiver.service, method)
        elif receiver.kind == "paginator" and method == "paginate":
            mapped = sdk_actions.python_client_call(receiver.service, receiver.detail)
        elif receiver.kind == "resource":
            mapped = sdk_actions.python_resource_call(receiver.service, receiver.resource, method)
        if mapped is None:
            return
        self.src.sdk_calls.append(
            SdkCall(
                mapped.service,
                mapped.operation,
                self.pos(func.attr),
                method=method,
                actions=mapped.actions or (),
                actions_known=mapped.actions is not None,
                in_function=_top_name(site.frame),
            )
        )

    def _static_args(self, call: cst.Call, frame: _Frame | None) -> bool:
        """The creation's arguments are the same on every invocation: literals and module-level
        names, not the event, parameters or values computed in the function."""
        return all(self._static(arg.value, frame) for arg in call.args)

    def _static(self, node: cst.BaseExpression, frame: _Frame | None) -> bool:
        if isinstance(node, (cst.SimpleString, cst.Integer, cst.Float, cst.ConcatenatedString)):
            return True
        if isinstance(node, cst.Name):
            f = frame
            while f is not None:
                if node.value in f.params or (
                    node.value not in f.globals and (id(f), node.value) in self.bindings
                ):
                    return False
                f = f.parent
            return True
        if isinstance(node, cst.Attribute):
            return self._static(node.value, frame)
        if isinstance(node, cst.Call):
            return self._static(node.func, frame) and all(
                self._static(a.value, frame) for a in node.args
            )
        if isinstance(node, (cst.Dict,)):
            return all(
                isinstance(e, cst.DictElement)
                and self._static(e.key, frame)
                and self._static(e.value, frame)
                for e in node.elements
            )
        if isinstance(node, (cst.List, cst.Tuple)):
            return all(self._static(e.value, frame) for e in node.elements)
        if isinstance(node, cst.Subscript):  # os.environ["REGION"]
            return self._static(node.value, frame) and all(
                isinstance(e.slice, cst.Index) and self._static(e.slice.value, frame)
                for e in node.slice
            )
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


@lru_cache(maxsize=4)
def _visitor_names(cls: type) -> tuple[str, ...]:
    return tuple(
        name
        for name in dir(cls)
        if name.startswith(("visit_", "leave_"))
        and callable(getattr(cls, name))
        and not getattr(getattr(cls, name), "_is_no_op", False)
    )


def _top_name(frame: _Frame | None) -> str | None:
    """The top-level function (or `Class.method`) a frame belongs to; None at module level."""
    return None if frame is None else frame.outermost().qualname


def _is_main_test(test: cst.BaseExpression) -> bool:
    """`__name__ == "__main__"`."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    right = test.comparisons[0].comparator
    return (
        isinstance(test.comparisons[0].operator, cst.Equal)
        and "__name__" in (_dotted(test.left), _dotted(right))
        and "__main__" in (_string(test.left), _string(right))
    )


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


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
        return _Ref("factory", detail=attr, foreign=base.foreign)
    elif base.kind == "resource":
        if attr == "meta":
            return _Ref("meta", base.service, foreign=base.foreign)
        sub = sdk_actions.python_sub_resource(base.service, base.resource, attr)
        if sub is not None:
            return _Ref("resource", base.service, sub, foreign=base.foreign)
    elif base.kind == "meta" and attr == "client":
        return _Ref("client", base.service, foreign=base.foreign)
    return None


_CLIENT_CREDENTIALS = {"aws_access_key_id", "aws_secret_access_key", "aws_session_token"}
_SESSION_CREDENTIALS = _CLIENT_CREDENTIALS | {"botocore_session", "profile_name"}


def _has_credentials(call: cst.Call, keywords: set[str]) -> bool:
    return any(a.keyword is not None and a.keyword.value in keywords for a in call.args)


def make_visitor(src: HandlerSource, pos: PosFn) -> Any:
    return FactVisitor(src, pos)
