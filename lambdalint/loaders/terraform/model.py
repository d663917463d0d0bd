"""Terraform configuration as the Terraform loaders share it: blocks with positions and
unevaluated expressions (the common form HCL, Terraform JSON and plan JSON are turned into),
and the static evaluation of those expressions within one module folder.

Objects and tuples are `LMap`/`LList` (document.py) so every key and item keeps its position;
traversals, templates, function calls and anything else are the expression classes below.
Evaluation never guesses: what depends on apply-time values or unknown inputs is UNKNOWN.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from lambdalint.model import UNKNOWN, Loc, Pos
from lambdalint.reading import Reader
from lambdalint.reading.positions import LList, LMap

MAX_EVAL_DEPTH = 40
MAX_FILE_FUNCTION_BYTES = 1024 * 1024  # file("...") reads at most this much
# Evaluation is bounded per value and per module: a local, variable or attribute is evaluated
# once however often it is used, and a value longer than MAX_TEXT characters (or MAX_ITEMS
# elements), or past the module's MAX_RESOLVED budget, is UNKNOWN, so that locals built from
# locals ten at a time cannot fan out exponentially
MAX_TEXT = 256 * 1024  # an IAM policy is at most 10,240 characters, environment variables 4 KB
MAX_ITEMS = 100_000
MAX_RESOLVED = 64 * 1024 * 1024  # characters and elements one module's values may build
# local module calls (`source = "./modules/fn"`) are expanded this many levels deep, and at
# most MAX_INSTANCES module instances per configuration: a module that calls itself, or ten
# calls at each of five levels, must not expand without end
MAX_MODULE_DEPTH = 8
MAX_INSTANCES = 256
# arguments of a module call that are Terraform's own, not the module's variables
MODULE_META_ARGUMENTS = frozenset(
    {"source", "version", "count", "for_each", "providers", "depends_on"}
)
# what an unknown value inside a rendered template is replaced with: a string that holds it
# is unknown (private-use characters, so a template does not spell it by chance)
UNKNOWN_MARK = "\ue000unknown\ue001"


# ---------------------------------------------------------------- expressions


class SourceText(str):
    """A string literal that knows where its first character sits in the source (a heredoc
    body, a JSON string): a policy document inside it can be reported on its own lines."""

    start: Pos = Pos()
    # JSON strings escape newlines, so only a heredoc maps text lines 1:1 onto source lines
    verbatim: bool = False

    @classmethod
    def at(cls, text: str, start: Pos, verbatim: bool) -> SourceText:
        s = cls(text)
        s.start = start
        s.verbatim = verbatim
        return s


@dataclass(frozen=True)
class FileText:
    """The text a `file("...")` call read. Deliberately not a str: what a file holds is only
    ever parsed as a policy document, never taken as a handler, a name or any other value that
    a message could echo (a template must not be able to print a file into a CI log)."""

    text: str
    path: Path
    # a rendered template (`templatefile`): for each line of `text`, the template line it comes
    # from and how many of its first characters are that line's (None: line for line the
    # file), and whether UNKNOWN_MARK stands for unknown values in it
    lines: tuple[tuple[int, int], ...] | None = None
    partial: bool = False

    def __repr__(self) -> str:
        return f"FileText({self.path.name!r})"


class Key(str):
    """A string index step (`x["a"]`), told apart from an attribute step (`x.a`)."""


@dataclass(frozen=True)
class Ref:
    """A traversal such as `var.x`, `aws_iam_role.fn.arn` or `data.archive_file.fn.output_path`.

    Index steps (`[0]`, `["a"]`) are kept as ints or strings in `parts`.
    """

    parts: tuple[str | int, ...]
    pos: Pos = Pos()

    def dotted(self) -> str:
        out = ""
        for p in self.parts:
            if isinstance(p, int):
                out += f"[{p}]"
            elif isinstance(p, Key):
                out += f"[{json.dumps(str(p))}]"
            else:
                out += ("." if out else "") + p
        return out


@dataclass(frozen=True)
class Template:
    """A string with interpolations: `"/aws/lambda/${aws_lambda_function.fn.function_name}"`."""

    parts: tuple[Any, ...]  # literal str pieces and expressions
    pos: Pos = Pos()


@dataclass(frozen=True)
class Call:
    """A function call: `jsonencode({...})`, `file("policy.json")`, `merge(a, b)`."""

    name: str
    args: tuple[Any, ...]
    pos: Pos = Pos()


@dataclass(frozen=True)
class Opaque:
    """An expression lambdalint does not evaluate (conditional, for, operators, splat).

    `refs` are the traversals inside it, so links between resources are still seen.
    """

    text: str
    refs: tuple[Ref, ...] = ()
    pos: Pos = Pos()


@dataclass(frozen=True)
class Resolved:
    """A value already known (a plan's planned value) that was written as references:
    it evaluates to the value and still links to what it referred to."""

    value: Any
    refs: tuple[Ref, ...] = ()
    pos: Pos = Pos()


Expr = Any  # str | int | float | bool | None | LMap | LList | Ref | Template | Call | Opaque


def refs_in(value: Any, depth: int = 0) -> Iterator[Ref]:
    """Every traversal inside an expression, in source order."""
    if depth > MAX_EVAL_DEPTH:
        return
    if isinstance(value, Ref):
        yield value
    elif isinstance(value, Template):
        for p in value.parts:
            yield from refs_in(p, depth + 1)
    elif isinstance(value, Call):
        for a in value.args:
            yield from refs_in(a, depth + 1)
    elif isinstance(value, (Opaque, Resolved)):
        yield from value.refs
    elif isinstance(value, dict):
        for v in value.values():
            yield from refs_in(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            yield from refs_in(v, depth + 1)


def expr_pos(value: Any, default: Pos) -> Pos:
    if isinstance(value, (Ref, Template, Call, Opaque, Resolved)):
        return value.pos
    if isinstance(value, (LMap, LList)):
        return value.pos
    return default


# ---------------------------------------------------------------- configuration


@dataclass
class Resource:
    """A `resource` or `data` block (or one planned resource instance)."""

    mode: str  # managed | data
    type: str
    name: str
    body: LMap  # attributes → expressions; nested blocks → LList of LMap
    loc: Loc  # the block header
    index: int | str | None = None  # count / for_each key of a planned instance
    suppressed: dict[str, str] = field(default_factory=dict)
    # the module instance it belongs to (`module.a`, `module.a.module.b`; "" at the root) and
    # the Scope its expressions are evaluated in (None: the scope that holds it)
    module: str = ""
    scope: Any = field(default=None, repr=False, compare=False)

    @property
    def address(self) -> str:
        prefix = "data." if self.mode == "data" else ""
        suffix = "" if self.index is None else f"[{json.dumps(self.index)}]"
        instance = self.module + "." if self.module else ""
        return f"{instance}{prefix}{self.type}.{self.name}{suffix}"

    @property
    def path(self) -> Path:
        return self.loc.path

    def loc_of(self, body: LMap, key: str) -> Loc:
        """Where `key` of (a nested block of) this resource is set, else the block header."""
        p = body.value_pos.get(key) if isinstance(body, LMap) else None
        return Loc(self.path, p) if p is not None else self.loc


@dataclass
class Variable:
    name: str
    default: Any  # expression; UNKNOWN when the variable has no default
    sensitive: bool
    loc: Loc
    # its type constraint as written (`object({ runtime = optional(string, "python3.12") })`),
    # None when not given: the defaults of its optional attributes fill the value in
    type: Any = None


@dataclass
class TfFile:
    """One parsed .tf / .tf.json file of a module folder."""

    path: Path
    resources: list[Resource] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)
    locals: dict[str, tuple[Any, Loc]] = field(default_factory=dict)
    module_calls: list[Resource] = field(default_factory=list)  # `module` blocks (type = source)
    outputs: dict[str, tuple[Any, Loc]] = field(default_factory=dict)  # `output` → its value


def is_local_source(source: str) -> bool:
    """A module source that is a folder of the same repository (`./modules/fn`, `../shared`)."""
    return source.startswith(("./", "../"))


def blocks(body: Any, key: str) -> list[LMap]:
    """Nested blocks `key { ... }` (HCL: a list of bodies; JSON: an object or a list)."""
    value = body.get(key) if isinstance(body, dict) else None
    if isinstance(value, LMap):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, LMap)]
    return []


def first_block(body: Any, key: str) -> LMap | None:
    found = blocks(body, key)
    return found[0] if found else None


# ---------------------------------------------------------------- evaluation


_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
_PLACEHOLDER_SPLIT = re.compile(r"\$\{(?:[^{}]|\{[^{}]*\})*\}")
# traversal heads whose value could be anything when unresolved
_ANYTHING = {"var", "local", "each", "count", "self", "terraform", "path"}
# the module instance a rendered name starts with (`module.a.`, `module.b["k"].module.c.`)
_INSTANCE_PREFIX = re.compile(r"^(?:module\.[A-Za-z_][\w-]*(?:\[[^\]]*\])?\.)+")


class ModuleFiles(Protocol):
    """Where the files of a local module come from (files.ModuleFolders): each folder parsed
    once per load, however many calls name it."""

    def module_files(self, folder: Path) -> list[TfFile] | None:
        """The parsed files of a module folder of the checked tree; None if there are none."""
        ...

    def reaches_lambda(self, folder: Path) -> bool:
        """Whether the folder, or a local module it calls, declares a Lambda function."""
        ...


@dataclass
class Configuration:
    """What the scopes of one configuration share (a root module and the module instances it
    expands): where module files come from, the instance budget and why some call was not
    expanded, and what the Terraform builder adds to each new instance (`prepare`: the Lambda
    module's pseudo resources) and to evaluation (`render_template`: `templatefile()`)."""

    modules: ModuleFiles | None = None
    instances_left: int = MAX_INSTANCES
    cut: str = ""
    prepare: Callable[[Scope], None] | None = None
    render_template: Callable[[Scope, Path, dict[str, Any]], Any] | None = None
    # an Opaque expression's conditionals and operators (hcl.operators), evaluated when known
    operators: Callable[[str], Any] | None = None


class Scope:
    """One Terraform module, or one instance of a local module called by another (`parent`,
    through `call`): its resources, variables, locals and outputs, and expression evaluation.

    In an instance, `var.x` is the call's argument `x` evaluated in the parent (else the
    variable's default), `module.<name>.<output>` is the output's value in that instance,
    `path.module` is the module's folder relative to the root module's, and relative paths
    are read from the root module's folder, as Terraform does."""

    def __init__(
        self,
        folder: Path,
        files: list[TfFile],
        tfvars: dict[str, Any] | None = None,
        reader: Reader | None = None,
        *,
        config: Configuration | None = None,
        parent: Scope | None = None,
        call: Resource | None = None,
    ) -> None:
        self.folder = folder
        self.parent = parent
        self.call = call
        if config is None:
            config = parent.config if parent is not None else Configuration()
        self.config: Configuration = config
        # how file() reads: inside the checked tree only, within the run's limits
        self.reader: Reader = reader or (parent.reader if parent is not None else Reader())
        self.root_folder: Path = parent.root_folder if parent is not None else folder
        self.depth: int = parent.depth + 1 if parent is not None else 0
        self.address = ""
        if parent is not None and call is not None:
            self.address = (parent.address + "." if parent.address else "") + f"module.{call.name}"
        self.files = files
        self.resources: dict[tuple[str, str, str], list[Resource]] = {}
        self.variables: dict[str, Variable] = {}
        # a variable's value as given → with its type's optional defaults
        self._typed: dict[str, tuple[Any, Any]] = {}
        self.locals: dict[str, tuple[Any, Loc]] = {}
        self.module_calls: list[Resource] = []
        self.outputs: dict[str, tuple[Any, Loc]] = {}
        # input variables come from the call in an instance, from .tfvars files at the root
        self.tfvars = (tfvars or {}) if parent is None else {}
        for f in files:
            for res in f.resources:
                # each instance has its own copy: it names its module and its scope
                own = Resource(
                    res.mode,
                    res.type,
                    res.name,
                    res.body,
                    res.loc,
                    res.index,
                    res.suppressed,
                    module=self.address,
                    scope=self,
                )
                self.resources.setdefault((res.mode, res.type, res.name), []).append(own)
            for var in f.variables:
                self.variables[var.name] = var
            self.locals.update(f.locals)
            self.module_calls.extend(f.module_calls)
            self.outputs.update(f.outputs)
        self._calls = {c.name: c for c in self.module_calls}
        # module calls that stand for a resource (a Lambda module → its function), by name:
        # `module.<name>.<output>` then resolves to that resource
        self.module_resources: dict[str, Resource] = {}
        self._children: dict[str, Scope | None] = {}
        self._instances: list[Scope] | None = None
        self._everywhere: dict[tuple[str, str], list[Resource]] = {}
        self._evaluating: set[str] = set()
        self._by_type: dict[tuple[str, str], list[Resource]] | None = None
        self._values: dict[str, Any] = {}  # `local.x`, `var.x`, `<address>.<attr>` → value
        self._rendered: dict[str, str | None] = {}
        self.resolved_left = MAX_RESOLVED
        self.over_budget = False  # some value was left UNKNOWN for its size
        # the module's AWS resources as the model has them (inventory.py), made once
        self.declared: tuple[Any, ...] | None = None
        self._drop_uncreated()

    def _drop_uncreated(self) -> None:
        """Leave out the resources this module creates none of: `count` that evaluates to 0
        (`var.enabled ? 1 : 0` with enabled false), a `for_each` that evaluates to nothing.
        A count or for_each not known keeps the resource, as one instance."""
        for key, found in list(self.resources.items()):
            kept = [res for res in found if self._created(res.body)]
            if len(kept) != len(found):
                if kept:
                    self.resources[key] = kept
                else:
                    del self.resources[key]
                self._by_type = None
                self._values.clear()

    def _created(self, body: Any) -> bool:
        if not isinstance(body, dict):
            return True
        if body.get("count") is not None:
            count = self.evaluate(body["count"])
            if isinstance(count, int) and not isinstance(count, bool) and count == 0:
                return False
        if body.get("for_each") is not None:
            each = self.evaluate(body["for_each"])
            if isinstance(each, (dict, list)) and not each:
                return False
        return True

    # ------------------------------------------------------------ lookup

    def all(self, rtype: str, mode: str = "managed") -> list[Resource]:
        """Every resource of a type, in the order the files declare them."""
        if self._by_type is None:
            self._by_type = {}
            for (m, t, _), found in self.resources.items():
                self._by_type.setdefault((m, t), []).extend(found)
        return self._by_type.get((mode, rtype), [])

    def of(self, res: Resource) -> Scope:
        """The scope a resource's expressions are evaluated in."""
        return res.scope if isinstance(res.scope, Scope) else self

    @property
    def root(self) -> Scope:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def everywhere(self, rtype: str, mode: str = "managed") -> list[Resource]:
        """Every resource of a type in the configuration: the root module and the module
        instances it expands (`instances`), each resource evaluated in its own scope."""
        root = self.root
        key = (mode, rtype)
        if key not in root._everywhere:
            found = list(root.all(rtype, mode))
            for instance in root.instances():
                found.extend(instance.all(rtype, mode))
            root._everywhere[key] = found
        return root._everywhere[key]

    def instances(self) -> list[Scope]:
        """The instances of the local modules this module calls, and theirs, depth first in
        the order the calls are declared: those whose folder (or a module it calls) declares
        a Lambda function. Other modules are expanded only when a value is read from them."""
        if self._instances is None:
            self._instances = []
            modules = self.config.modules
            for call in self.module_calls:
                if modules is None or not is_local_source(call.type):
                    continue
                if not modules.reaches_lambda(self.module_folder(call)):
                    continue
                child = self.child(call.name)
                if child is not None:
                    self._instances.append(child)
                    self._instances.extend(child.instances())
        return self._instances

    def module_folder(self, call: Resource) -> Path:
        return Path(os.path.normpath(self.folder / call.type))

    def root_call(self) -> Resource | None:
        """The call in the root module this instance descends from (None at the root)."""
        scope = self
        while scope.parent is not None and scope.parent.parent is not None:
            scope = scope.parent
        return scope.call

    def child(self, name: str) -> Scope | None:
        """The instance of the local module call `name`; None when there is no such call,
        it creates nothing (`count = 0`, an empty `for_each`), or it was not expanded
        (`config.cut` says why). `count` and `for_each` otherwise make one instance, whose
        `count.index` and `each.*` are unknown, as for a resource."""
        if name in self._children:
            return self._children[name]
        self._children[name] = None  # a reference back to it while it is being made
        call = self._calls.get(name)
        modules = self.config.modules
        if (
            call is None
            or modules is None
            or not is_local_source(call.type)
            or name in self.module_resources
            or not self._creates(call)
        ):
            return None
        folder = self.module_folder(call)
        if self.depth + 1 > MAX_MODULE_DEPTH:
            self._cut(f"module calls nest more than {MAX_MODULE_DEPTH} levels deep")
            return None
        if any(_same_folder(folder, scope.folder) for scope in self._lineage()):
            self._cut(f"module.{name} calls a module it is part of")
            return None
        if self.config.instances_left <= 0:
            self._cut(f"more than {MAX_INSTANCES} module instances")
            return None
        files = modules.module_files(folder)
        if files is None:
            return None
        self.config.instances_left -= 1
        child = Scope(folder, files, reader=self.reader, parent=self, call=call)
        if self.config.prepare is not None:
            self.config.prepare(child)
        self._children[name] = child
        return child

    def _cut(self, why: str) -> None:
        self.config.cut = self.config.cut or why

    def _lineage(self) -> Iterator[Scope]:
        scope: Scope | None = self
        while scope is not None:
            yield scope
            scope = scope.parent

    def _creates(self, call: Resource) -> bool:
        """False when a module call creates no instance: `count = 0`, an empty `for_each`."""
        if call.body.get("count") is not None:
            count = self.evaluate(call.body["count"])
            if isinstance(count, int) and not isinstance(count, bool) and count <= 0:
                return False
        if call.body.get("for_each") is not None:
            each = self.evaluate(call.body["for_each"])
            if isinstance(each, (dict, list)) and not each:
                return False
        return True

    def argument(self, name: str) -> Any:
        """The expression the call gives for the module's variable `name` (None if none)."""
        if self.call is None or name in MODULE_META_ARGUMENTS:
            return None
        return self.call.body.get(name)

    def target(self, ref: Ref, depth: int = 0) -> tuple[Resource | None, tuple[str | int, ...]]:
        """The resource a traversal names, and the attribute path after it. A module's output
        and an instance's variable lead to what their expression names, when it is a plain
        traversal (`value = aws_lambda_function.this.arn`, `role = aws_iam_role.fn.arn`)."""
        parts = ref.parts
        if depth > MAX_EVAL_DEPTH:
            return None, ()
        if len(parts) >= 2 and parts[0] == "module" and isinstance(parts[1], str):
            alias = self.module_resources.get(parts[1])
            if alias is not None:
                return alias, parts[2:]
            child = self.child(parts[1])
            rest = _instance_step(parts[2:])
            if child is None or not rest or not isinstance(rest[0], str):
                return None, ()
            if rest[0] not in child.outputs:
                return None, ()
            return child.target_of(child.outputs[rest[0]][0], rest[1:], depth + 1)
        if len(parts) >= 2 and parts[0] == "var" and isinstance(parts[1], str):
            arg = self.argument(parts[1])
            if arg is None or self.parent is None:
                return None, ()
            return self.parent.target_of(arg, parts[2:], depth + 1)
        if (
            len(parts) >= 3
            and parts[0] == "data"
            and isinstance(parts[1], str)
            and isinstance(parts[2], str)
        ):
            mode, rtype, name, rest = "data", parts[1], parts[2], parts[3:]
        elif (
            len(parts) >= 2
            and isinstance(parts[0], str)
            and isinstance(parts[1], str)
            and "_" in parts[0]
        ):
            mode, rtype, name, rest = "managed", parts[0], parts[1], parts[2:]
        else:
            return None, ()
        found = self.resources.get((mode, rtype, name))
        if not found:
            return None, ()
        index: int | str | None = None
        if rest and isinstance(rest[0], (int, Key)):
            index, rest = rest[0], rest[1:]
        if index is not None and len(found) > 1:
            for res in found:
                if res.index == index or str(res.index) == str(index):
                    return res, rest
        return found[0], rest

    def target_of(
        self, expr: Any, rest: tuple[str | int, ...], depth: int
    ) -> tuple[Resource | None, tuple[str | int, ...]]:
        """`target` of an expression that is a single traversal, with `rest` after it."""
        if isinstance(expr, Template) and len(expr.parts) == 1:
            expr = expr.parts[0]
        if isinstance(expr, Ref):
            return self.target(Ref((*expr.parts, *rest), expr.pos), depth)
        return None, ()

    def first_target(
        self, value: Any, rtypes: tuple[str, ...], mode: str = "managed"
    ) -> tuple[Resource | None, tuple[str | int, ...]]:
        """The first resource of one of `rtypes` that an expression refers to."""
        for ref in refs_in(value):
            res, rest = self.target(ref)
            if res is not None and res.mode == mode and res.type in rtypes:
                return res, rest
        return None, ()

    # ------------------------------------------------------------ evaluation

    def evaluate(self, value: Any, depth: int = 0) -> Any:
        """The value of an expression: str/int/float/bool/None, LMap/LList, or UNKNOWN.

        Objects and tuples keep their positions; UNKNOWN may appear inside them.
        """
        if depth > MAX_EVAL_DEPTH:
            return UNKNOWN
        if isinstance(value, (str, int, float, bool)) or value is None:
            return value
        if isinstance(value, (LMap, LList)):
            return _map_container(value, self.evaluate, depth + 1)
        if isinstance(value, Ref):
            return self._ref(value, depth)
        if isinstance(value, Template):
            if len(value.parts) == 1 and not isinstance(value.parts[0], str):
                return self.evaluate(value.parts[0], depth + 1)
            pieces = []
            read: FileText | None = None
            for p in value.parts:
                v = self.evaluate(p, depth + 1)
                if isinstance(v, bool):
                    v = "true" if v else "false"
                if isinstance(v, FileText):
                    read, v = v, v.text
                if not isinstance(v, (str, int, float)):
                    return UNKNOWN
                pieces.append(str(v))
            return _derived(self._built("".join(pieces)), read)
        if isinstance(value, Call):
            return self._call(value, depth)
        if isinstance(value, Resolved):
            return UNKNOWN if value.value is None else self.evaluate(value.value, depth + 1)
        if isinstance(value, Opaque) and value.text and self.config.operators is not None:
            tree = self.config.operators(value.text)
            if tree is not None:
                return self._apply(tree, depth + 1)
        return UNKNOWN

    def _apply(self, node: Any, depth: int) -> Any:
        """The value of a conditional or an operator (hcl.operators' tuples): what Terraform
        computes when its operands are known, UNKNOWN otherwise."""
        if depth > MAX_EVAL_DEPTH or not isinstance(node, tuple) or not node:
            return UNKNOWN
        kind = node[0]
        if kind == "leaf":
            value = self.evaluate(node[1], depth + 1)
            return UNKNOWN if isinstance(value, FileText) else value
        if kind == "?":
            test = self._apply(node[1], depth + 1)
            if isinstance(test, bool):
                return self._apply(node[2] if test else node[3], depth + 1)
            return UNKNOWN
        if kind == "unary":
            operand = self._apply(node[2], depth + 1)
            if node[1] == "!" and isinstance(operand, bool):
                return not operand
            if node[1] == "-" and _number(operand):
                return -operand
            return UNKNOWN
        if kind != "op":
            return UNKNOWN
        operator, left = node[1], self._apply(node[2], depth + 1)
        if operator in ("&&", "||"):
            deciding = operator == "||"  # the value that decides alone: true for ||
            if left is deciding:
                return deciding
            right = self._apply(node[3], depth + 1)
            if right is deciding:
                return deciding
            return (not deciding) if left is (not deciding) and right is (not deciding) else UNKNOWN
        right = self._apply(node[3], depth + 1)
        if operator in ("==", "!="):
            if not (_comparable(left) and _comparable(right)):
                return UNKNOWN
            same = (_number(left) and _number(right) and left == right) or (
                type(left) is type(right) and left == right
            )
            return same if operator == "==" else not same
        if not (_number(left) and _number(right)):
            return UNKNOWN
        if operator in ("<", ">", "<=", ">="):
            return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[
                operator
            ]
        if operator == "+":
            return left + right
        if operator == "-":
            return left - right
        if operator == "*":
            return left * right
        return UNKNOWN  # / and %: Terraform's numbers are not Python's

    def evaluate_named(self, value: Any, depth: int = 0) -> Any:
        """Like `evaluate`, but a string built from references to named resources keeps them
        as `${...}` placeholders (`${aws_s3_bucket.b.arn}/*`): specific, if not literal.
        What could be anything (a variable without a value, `each.value`) stays UNKNOWN."""
        if depth > MAX_EVAL_DEPTH:
            return UNKNOWN
        if isinstance(value, (LMap, LList)):
            return _map_container(value, self.evaluate_named, depth + 1)
        result = self.evaluate(value, depth + 1)
        if result is not UNKNOWN or not isinstance(value, (Ref, Template)):
            return result
        rendered = self.render(value, depth + 1)
        if rendered is None:
            return UNKNOWN
        for placeholder in _PLACEHOLDER.findall(rendered):
            head = _INSTANCE_PREFIX.sub("", placeholder).split(".", 1)[0].split("[", 1)[0]
            if head in _ANYTHING or "." not in placeholder:
                return UNKNOWN
        return rendered

    def _ref(self, ref: Ref, depth: int) -> Any:
        parts = ref.parts
        head = parts[0] if parts else None
        if head == "var" and len(parts) >= 2 and isinstance(parts[1], str):
            return self._index(self.variable_value(parts[1], depth), parts[2:], depth)
        if head == "local" and len(parts) >= 2 and isinstance(parts[1], str):
            if parts[1] not in self.locals:
                return UNKNOWN
            value = self._once("local." + parts[1], self.locals[parts[1]][0], depth)
            return self._index(value, parts[2:], depth)
        if head == "path" and len(parts) == 2 and parts[1] in ("module", "root", "cwd"):
            return self.path_value(str(parts[1]))
        if (
            head == "module"
            and len(parts) >= 3
            and isinstance(parts[1], str)
            and parts[1] not in self.module_resources
        ):
            return self._module_output(parts, depth)
        res, rest = self.target(ref)
        if res is None or not rest or not isinstance(rest[0], str):
            return UNKNOWN
        attr = rest[0]
        if (res.mode, res.type, attr) == ("data", "local_file", "content") and len(rest) == 1:
            owner = self.of(res)
            filename = owner.evaluate(res.body.get("filename"), depth + 1)
            return owner.read_file(filename) if isinstance(filename, str) else UNKNOWN
        if attr in ("arn", "id", "invoke_arn", "qualified_arn", "url", "output_base64sha256") or (
            attr.endswith("_arn") and attr not in res.body
        ):
            return UNKNOWN  # computed by the provider
        if attr not in res.body:
            return UNKNOWN
        owner = self.of(res)
        named = Ref(parts[: len(parts) - len(rest) + 1]).dotted()  # the traversal up to attr
        if owner is not self:
            named = f"{res.mode}.{res.type}.{res.name}.{attr}"
        value = owner._once(named, res.body[attr], depth)
        return self._index(value, rest[1:], depth)

    def _module_output(self, parts: tuple[str | int, ...], depth: int) -> Any:
        """`module.<name>.<output>...`: the output's value in the instance of that call."""
        child = self.child(str(parts[1]))
        rest = _instance_step(parts[2:])
        if child is None or not rest or not isinstance(rest[0], str):
            return UNKNOWN
        if rest[0] not in child.outputs:
            return UNKNOWN
        value = child._once("output." + rest[0], child.outputs[rest[0]][0], depth)
        return self._index(value, rest[1:], depth)

    def path_value(self, which: str) -> str:
        """`path.module` (the module's folder relative to the root module's), `path.root` and
        `path.cwd` (where Terraform runs: the root module's folder)."""
        if which == "module" and self.parent is not None:
            try:
                rel = os.path.relpath(self.folder, self.root_folder)
            except ValueError:  # another drive
                return str(self.folder)
            return rel.replace(os.sep, "/")
        return "."

    def _once(self, key: str, expr: Any, depth: int, scope: Scope | None = None) -> Any:
        """The value of a named expression (a local, a variable, an attribute), evaluated once
        (in `scope`: a module call's argument is evaluated in the calling module): a name used
        ten times at each of six levels costs six evaluations, not a million. A reference back
        to a name being evaluated is UNKNOWN."""
        if key in self._values:
            return self._values[key]
        if key in self._evaluating:
            return UNKNOWN
        self._evaluating.add(key)
        try:
            value = (scope or self).evaluate(expr, depth + 1)
        finally:
            self._evaluating.discard(key)
        self._values[key] = value
        return value

    def _built(self, value: Any) -> Any:
        """A string or container built by evaluation, or UNKNOWN past the bounds."""
        if value is UNKNOWN:
            return UNKNOWN
        size = len(value) if isinstance(value, (str, list, dict)) else 0
        limit = MAX_TEXT if isinstance(value, str) else MAX_ITEMS
        if size > limit or size > self.resolved_left:
            self.over_budget = True
            return UNKNOWN
        self.resolved_left -= size
        return value

    def variable_value(self, name: str, depth: int = 0) -> Any:
        value = self._given(name, depth)
        var = self.variables.get(name)
        if var is None or not _has_optional(var.type) or not isinstance(value, (dict, list)):
            return value
        # the value with its type's optional attributes filled in, made once per value
        known = self._typed.get(name)
        if known is not None and known[0] is value:
            return known[1]
        typed = self._with_defaults(var.type, value, depth)
        self._typed[name] = (value, typed)
        return typed

    def _given(self, name: str, depth: int) -> Any:
        """A variable's value as given: the call's argument, a .tfvars value, its default."""
        if self.parent is not None and self.call is not None:
            if name not in MODULE_META_ARGUMENTS and name in self.call.body:
                return self._once("arg." + name, self.call.body[name], depth, self.parent)
        elif name in self.tfvars:
            return self._once("tfvars." + name, self.tfvars[name], depth)
        var = self.variables.get(name)
        if var is None or var.default is UNKNOWN:
            return UNKNOWN
        return self._once("var." + name, var.default, depth)

    def _with_defaults(self, kind: Any, value: Any, depth: int) -> Any:
        """`value` converted to the type `kind` as far as defaults go: an object's optional
        attribute that is absent or null takes its default (null without one), inside maps,
        lists and nested objects too. What is not of the type's shape is left as it is."""
        if depth > MAX_EVAL_DEPTH:
            return value
        if isinstance(kind, Call) and kind.name == "optional" and kind.args:
            kind = kind.args[0]
        if not isinstance(kind, Call) or len(kind.args) != 1:
            return value
        inner = kind.args[0]
        if isinstance(value, dict) and (
            (kind.name == "object" and isinstance(inner, dict)) or kind.name == "map"
        ):
            out = _copy_map(value)
            if kind.name == "map":
                for k, v in value.items():
                    out[k] = self._with_defaults(inner, v, depth + 1)
                return out
            for attr, attr_kind in inner.items():
                if not isinstance(attr, str):
                    continue
                if out.get(attr) is None:
                    if not (isinstance(attr_kind, Call) and attr_kind.name == "optional"):
                        continue  # a required attribute missing: Terraform refuses the value
                    args = attr_kind.args
                    out[attr] = self.evaluate(args[1], depth + 1) if len(args) > 1 else None
                if isinstance(out[attr], (dict, list)):
                    out[attr] = self._with_defaults(attr_kind, out[attr], depth + 1)
            return out
        if kind.name in ("list", "set") and isinstance(value, list):
            items = LList(value.pos) if isinstance(value, LList) else LList()
            if isinstance(value, LList):
                items.item_pos = list(value.item_pos)
            items.extend(self._with_defaults(inner, v, depth + 1) for v in value)
            return items
        return value

    def _index(self, value: Any, rest: tuple[str | int, ...], depth: int) -> Any:
        for step in rest:
            if isinstance(value, dict) and isinstance(step, str) and step in value:  # noqa: SIM114 - narrowing per branch
                value = value[step]
            elif isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value):
                value = value[step]
            else:
                return UNKNOWN
        return value

    def _call(self, call: Call, depth: int) -> Any:
        name = call.name
        args = [self.evaluate(a, depth + 1) for a in call.args]
        if name == "jsonencode" and len(args) == 1:
            budget = [MAX_ITEMS]
            plain = to_plain(args[0], budget)
            if plain is UNKNOWN:
                self.over_budget = self.over_budget or budget[0] < 0
                return UNKNOWN
            return self._built(json.dumps(plain, separators=(",", ":")))
        if name == "file" and len(args) == 1 and isinstance(args[0], str):
            return self.read_file(args[0])
        if name == "templatefile" and len(args) == 2 and isinstance(args[0], str):
            path = self.resolve_path(args[0])
            render = self.config.render_template
            # values that name a resource stay `${...}` placeholders, as in jsonencode()
            variables = self.evaluate_named(call.args[1], depth + 1)
            if path is None or render is None or not isinstance(variables, dict):
                return UNKNOWN
            return render(self, path, variables)
        if name in ("lower", "upper", "trimspace", "chomp", "tostring") and len(args) == 1:
            a = args[0]
            read = a if isinstance(a, FileText) else None
            if read is not None:
                a = read.text
            if isinstance(a, bool):
                return "true" if a else "false"
            if not isinstance(a, (str, int, float)):
                return UNKNOWN
            s = str(a)
            if name == "chomp":
                return _derived(s.rstrip("\r\n"), read)
            return _derived(
                s.lower()
                if name == "lower"
                else s.upper()
                if name == "upper"
                else s.strip()
                if name == "trimspace"
                else s,
                read,
            )
        if name == "coalesce":
            for a in args:
                if a is UNKNOWN:
                    return UNKNOWN
                if a is not None and a != "":
                    return a
            return UNKNOWN
        if name == "tonumber" and len(args) == 1:
            try:
                return int(str(args[0]))
            except ValueError:
                return UNKNOWN
        if name in ("tolist", "toset") and len(args) == 1:
            return args[0] if isinstance(args[0], list) else UNKNOWN
        if name == "merge":
            out = LMap(call.pos)
            for a in args:
                if not isinstance(a, LMap):
                    return UNKNOWN
                for k, v in a.items():
                    out[k] = v
                    out.key_pos[k] = a.key_pos.get(k, a.pos)
                    out.value_pos[k] = a.value_pos.get(k, a.pos)
            return self._built(out)
        if name == "concat":
            lst = LList(call.pos)
            for a in args:
                if not isinstance(a, LList):
                    return UNKNOWN
                for i, v in enumerate(a):
                    lst.append(v)
                    lst.item_pos.append(a.item_pos[i] if i < len(a.item_pos) else a.pos)
                if len(lst) > MAX_ITEMS:
                    return self._built(lst)
            return self._built(lst)
        if (
            name == "join"
            and len(args) == 2
            and isinstance(args[0], str)
            and isinstance(args[1], list)
            and all(isinstance(x, str) for x in args[1])
        ):
            if sum(len(x) + len(args[0]) for x in args[1]) > MAX_TEXT:
                return self._built(UNKNOWN)
            return self._built(args[0].join(args[1]))
        if name == "format" and args and isinstance(args[0], str):
            read = next((a for a in args if isinstance(a, FileText)), None)
            plain = [a.text if isinstance(a, FileText) else a for a in args]
            return _derived(self._built(_format(plain[0], plain[1:])), read)
        return UNKNOWN

    def read_file(self, rel: str) -> Any:
        """The text of a file named relative to the module folder (a FileText), or UNKNOWN.
        Only regular files inside the checked tree are read, links followed to their end."""
        path = self.resolve_path(rel)
        if path is None:
            return UNKNOWN
        text, _ = self.reader.read_text(path, MAX_FILE_FUNCTION_BYTES)
        return UNKNOWN if text is None else FileText(text, path)

    def resolve_path(self, rel: str) -> Path | None:
        """A path as Terraform reads it: relative to the root module's folder (where Terraform
        runs), which `path.module` leads from to a module's own folder."""
        if not rel or "\x00" in rel:
            return None
        p = Path(rel)
        return p if p.is_absolute() else self.root_folder / p

    # ------------------------------------------------------------ rendering

    def render(self, value: Any, depth: int = 0) -> str | None:
        """A string form of an expression where what cannot be evaluated stays symbolic
        (`${var.prefix}-orders`), so two expressions built the same way compare equal.
        None when the expression has no string form at all."""
        if depth > MAX_EVAL_DEPTH:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (str, int, float)):
            return str(value)
        if isinstance(value, Template):
            pieces = [self.render(p, depth + 1) for p in value.parts]
            if any(p is None for p in pieces):
                return None
            built = self._built("".join(pieces))  # type: ignore[arg-type]
            return built if isinstance(built, str) else None
        if isinstance(value, Ref):
            # rendered once per traversal, like evaluation (see _once)
            key = value.dotted()
            if key not in self._rendered:
                self._rendered[key] = self._render_ref(value, depth)
            return self._rendered[key]
        if isinstance(value, Resolved):
            v = self.evaluate(value, depth + 1)
            return str(v) if isinstance(v, str) else None
        if isinstance(value, Call):
            v = self.evaluate(value, depth + 1)
            if isinstance(v, str):
                return str(v)
            if value.name == "coalesce":
                for arg in value.args:
                    if self.evaluate(arg, depth + 1) not in (None, ""):
                        return self.render(arg, depth + 1)
                return None
            args = [self.render(a, depth + 1) for a in value.args]
            text = (
                "${"
                + value.name
                + "("
                + ", ".join(a if a is not None else "?" for a in args)
                + ")}"
            )
            built = self._built(text)
            return built if isinstance(built, str) else None
        if isinstance(value, Opaque) and value.text:
            return "${" + self._prefixed(value.text) + "}"
        return None

    def _prefixed(self, name: str) -> str:
        """A name of this module as the configuration spells it (`module.a.var.x`): a symbolic
        part of a rendered string means the same thing in every module it is compared in."""
        return f"{self.address}.{name}" if self.address else name

    def _render_ref(self, value: Ref, depth: int) -> str:
        v = self.evaluate(value, depth + 1)
        if isinstance(v, (str, int, float)) and not isinstance(v, bool):
            return str(v)
        inner = self._render_across(value, depth)
        if inner is not None:
            return inner
        res, rest = self.target(value)
        if res is not None and len(rest) == 1 and isinstance(rest[0], str) and rest[0] in res.body:
            key = "render:" + res.address + "." + rest[0]
            if key not in self._evaluating:
                self._evaluating.add(key)
                try:
                    inner = self.render(res.body[rest[0]], depth + 1)
                finally:
                    self._evaluating.discard(key)
                if inner is not None:
                    return inner
        if (
            value.parts
            and value.parts[0] == "local"
            and len(value.parts) == 2
            and value.parts[1] in self.locals
        ):
            key = "render:" + value.dotted()
            if key not in self._evaluating:
                self._evaluating.add(key)
                try:
                    inner = self.render(self.locals[str(value.parts[1])][0], depth + 1)
                finally:
                    self._evaluating.discard(key)
                if inner is not None:
                    return inner
        return "${" + self._prefixed(value.dotted()) + "}"

    def _render_across(self, value: Ref, depth: int) -> str | None:
        """The rendered form of an instance's variable (the call's argument, in the calling
        module) or of a module's output (its value, in the instance)."""
        parts = value.parts
        if len(parts) != 2 and len(parts) != 3:
            return None
        scope: Scope | None = None
        expr: Any = None
        if parts[0] == "var" and len(parts) == 2 and isinstance(parts[1], str):
            expr, scope = self.argument(parts[1]), self.parent
        elif (
            parts[0] == "module"
            and len(parts) == 3
            and isinstance(parts[1], str)
            and parts[1] not in self.module_resources
            and isinstance(parts[2], str)
            and not isinstance(parts[2], Key)
        ):
            child = self.child(parts[1])
            if child is not None and parts[2] in child.outputs:
                expr, scope = child.outputs[parts[2]][0], child
        if scope is None or expr is None:
            return None
        key = "render:" + value.dotted()
        if key in self._evaluating:
            return None
        self._evaluating.add(key)
        try:
            return scope.render(expr, depth + 1)
        finally:
            self._evaluating.discard(key)

    @staticmethod
    def may_equal(pattern: str, text: str) -> bool:
        """Whether a rendered string with `${...}` parts could equal `text` once they are known
        (each part standing for at least one character)."""
        if "${" not in pattern:
            return pattern == text
        pieces = _PLACEHOLDER_SPLIT.split(pattern)
        if len(pieces) == 1:
            return pattern == text
        first, middle, last = pieces[0], pieces[1:-1], pieces[-1]
        # the literal pieces in order, each as early as it can be: a greedy scan decides a
        # pattern of literals and gaps in linear time (a regex of `.+` gaps backtracks)
        if not text.startswith(first):
            return False
        at = len(first)
        for piece in middle:
            found = text.find(piece, at + 1)
            if found < 0:
                return False
            at = found + len(piece)
        end = len(text) - len(last)
        return end >= at + 1 and text.endswith(last)


def _copy_map(value: dict[Any, Any]) -> LMap:
    """A copy of a mapping that keeps where its keys and values are written."""
    out = LMap(value.pos) if isinstance(value, LMap) else LMap()
    out.update(value)
    if isinstance(value, LMap):
        out.key_pos.update(value.key_pos)
        out.value_pos.update(value.value_pos)
    return out


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _comparable(value: Any) -> bool:
    """A value `==` can judge: a known scalar or null (not a collection, not unknown text)."""
    if value is None or isinstance(value, (bool, int, float)):
        return True
    return isinstance(value, str) and not isinstance(value, FileText) and UNKNOWN_MARK not in value


def _has_optional(kind: Any) -> bool:
    """Whether a type constraint declares an optional attribute (`optional(...)` in it)."""
    if isinstance(kind, Call):
        return kind.name == "optional" or any(_has_optional(a) for a in kind.args)
    if isinstance(kind, dict):
        return any(_has_optional(v) for v in kind.values())
    return False


def _derived(value: Any, read: FileText | None) -> Any:
    """A string computed from a file's text (`trimspace(file("v"))`, `"python${...}"`) stays
    that file's text: not a str, so it is never taken as a name or echoed (see FileText)."""
    if read is None or not isinstance(value, str):
        return value
    return FileText(value, read.path)


# the names of Lambda's runtimes: the only value a file's text may become (`runtime =
# "python${trimspace(file("PYTHON_VERSION"))}"`), since printing one reveals nothing
RUNTIME_NAME = re.compile(
    r"(python3\.[0-9]{1,2}|nodejs[0-9]{1,2}\.x|java[0-9]{1,2}(\.al2)?|dotnet(core)?[0-9]{1,2}(\.[0-9])?"
    r"|ruby[0-9]\.[0-9]{1,2}|go1\.x|provided(\.al2(023)?)?)"
)


def runtime_name(value: Any) -> Any:
    """A runtime setting's value: a file's text only when it is the name of a runtime."""
    if isinstance(value, FileText):
        return value.text if RUNTIME_NAME.fullmatch(value.text) else UNKNOWN
    return value


def _instance_step(rest: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """`module.x[0].out`, `module.x["k"].out`: a call with count or for_each is one instance."""
    return rest[1:] if rest and isinstance(rest[0], (int, Key)) else rest


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return os.path.realpath(a) == os.path.realpath(b)
    except (OSError, ValueError):
        return str(a) == str(b)


def _format(spec: str, args: list[Any]) -> Any:
    out = []
    i = 0
    ai = 0
    size = 0
    while i < len(spec):
        if size > MAX_TEXT:
            return UNKNOWN
        c = spec[i]
        if c == "%" and i + 1 < len(spec):
            d = spec[i + 1]
            if d == "%":
                out.append("%")
            elif d in "sd":
                if (
                    ai >= len(args)
                    or not isinstance(args[ai], (str, int))
                    or isinstance(args[ai], bool)
                ):
                    return UNKNOWN
                out.append(str(args[ai]))
                size += len(out[-1])
                ai += 1
            else:
                return UNKNOWN
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def to_plain(value: Any, budget: list[int] | None = None) -> Any:
    """Plain Python data (dict/list/scalars) from an evaluated value; UNKNOWN if any part is,
    or if it holds more values than `budget[0]` (default MAX_ITEMS; what is left is written
    back). An evaluated value shares what locals used several times hold: written out in full,
    ten uses at each of six levels are a million values."""
    return _plain(value, 0, budget if budget is not None else [MAX_ITEMS])


def _plain(value: Any, depth: int, budget: list[int]) -> Any:
    budget[0] -= 1
    if depth > MAX_EVAL_DEPTH or value is UNKNOWN or budget[0] < 0:
        return UNKNOWN
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            pv = _plain(v, depth + 1, budget)
            if pv is UNKNOWN:
                return UNKNOWN
            out[str(k)] = pv
        return out
    if isinstance(value, list):
        items = []
        for v in value:
            pv = _plain(v, depth + 1, budget)
            if pv is UNKNOWN:
                return UNKNOWN
            items.append(pv)
        return items
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return UNKNOWN


def _map_container(value: LMap | LList, evaluate: Any, depth: int) -> LMap | LList:
    """A copy of an object or tuple with every element evaluated, positions kept."""
    if isinstance(value, LMap):
        out = LMap(value.pos)
        for k, v in value.items():
            out[k] = evaluate(v, depth)
            out.key_pos[k] = value.key_pos.get(k, value.pos)
            out.value_pos[k] = value.value_pos.get(k, value.pos)
        return out
    lst = LList(value.pos)
    for i, v in enumerate(value):
        lst.append(evaluate(v, depth))
        lst.item_pos.append(value.item_pos[i] if i < len(value.item_pos) else value.pos)
    return lst
