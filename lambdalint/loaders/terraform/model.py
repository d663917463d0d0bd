"""Terraform configuration as the Terraform loaders share it: blocks with positions and
unevaluated expressions (the common form HCL, Terraform JSON and plan JSON are turned into),
and the static evaluation of those expressions within one module folder.

Objects and tuples are `LMap`/`LList` (document.py) so every key and item keeps its position;
traversals, templates, function calls and anything else are the expression classes below.
Evaluation never guesses: what depends on apply-time values or unknown inputs is UNKNOWN.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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

    @property
    def address(self) -> str:
        prefix = "data." if self.mode == "data" else ""
        suffix = "" if self.index is None else f"[{json.dumps(self.index)}]"
        return f"{prefix}{self.type}.{self.name}{suffix}"

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


@dataclass
class TfFile:
    """One parsed .tf / .tf.json file of a module folder."""

    path: Path
    resources: list[Resource] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)
    locals: dict[str, tuple[Any, Loc]] = field(default_factory=dict)
    module_calls: list[Resource] = field(default_factory=list)  # `module` blocks (type = source)


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


class Scope:
    """One Terraform module: its resources, variables and locals, and expression evaluation."""

    def __init__(
        self,
        folder: Path,
        files: list[TfFile],
        tfvars: dict[str, Any] | None = None,
        reader: Reader | None = None,
    ) -> None:
        self.folder = folder
        # how file() reads: inside the checked tree only, within the run's limits
        self.reader = reader or Reader()
        self.files = files
        self.resources: dict[tuple[str, str, str], list[Resource]] = {}
        self.variables: dict[str, Variable] = {}
        self.locals: dict[str, tuple[Any, Loc]] = {}
        self.module_calls: list[Resource] = []
        self.tfvars = tfvars or {}
        for f in files:
            for res in f.resources:
                self.resources.setdefault((res.mode, res.type, res.name), []).append(res)
            for var in f.variables:
                self.variables[var.name] = var
            self.locals.update(f.locals)
            self.module_calls.extend(f.module_calls)
        # module calls that stand for a resource (a Lambda module → its function), by name:
        # `module.<name>.<output>` then resolves to that resource
        self.module_resources: dict[str, Resource] = {}
        self._evaluating: set[str] = set()
        self._by_type: dict[tuple[str, str], list[Resource]] | None = None
        self._values: dict[str, Any] = {}  # `local.x`, `var.x`, `<address>.<attr>` → value
        self._rendered: dict[str, str | None] = {}
        self.resolved_left = MAX_RESOLVED
        self.over_budget = False  # some value was left UNKNOWN for its size
        # the module's AWS resources as the model has them (inventory.py), made once
        self.declared: tuple[Any, ...] | None = None

    # ------------------------------------------------------------ lookup

    def all(self, rtype: str, mode: str = "managed") -> list[Resource]:
        """Every resource of a type, in the order the files declare them."""
        if self._by_type is None:
            self._by_type = {}
            for (m, t, _), found in self.resources.items():
                self._by_type.setdefault((m, t), []).extend(found)
        return self._by_type.get((mode, rtype), [])

    def target(self, ref: Ref) -> tuple[Resource | None, tuple[str | int, ...]]:
        """The resource a traversal names, and the attribute path after it."""
        parts = ref.parts
        if len(parts) >= 2 and parts[0] == "module" and isinstance(parts[1], str):
            alias = self.module_resources.get(parts[1])
            return (alias, parts[2:]) if alias is not None else (None, ())
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
            for p in value.parts:
                v = self.evaluate(p, depth + 1)
                if isinstance(v, bool):
                    v = "true" if v else "false"
                if not isinstance(v, (str, int, float)):
                    return UNKNOWN
                pieces.append(str(v))
            return self._built("".join(pieces))
        if isinstance(value, Call):
            return self._call(value, depth)
        if isinstance(value, Resolved):
            return UNKNOWN if value.value is None else self.evaluate(value.value, depth + 1)
        return UNKNOWN

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
            head = placeholder.split(".", 1)[0].split("[", 1)[0]
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
            return "."
        res, rest = self.target(ref)
        if res is None or not rest or not isinstance(rest[0], str):
            return UNKNOWN
        attr = rest[0]
        if attr in ("arn", "id", "invoke_arn", "qualified_arn", "url", "output_base64sha256") or (
            attr.endswith("_arn") and attr not in res.body
        ):
            return UNKNOWN  # computed by the provider
        if attr not in res.body:
            return UNKNOWN
        named = Ref(parts[: len(parts) - len(rest) + 1]).dotted()  # the traversal up to attr
        value = self._once(named, res.body[attr], depth)
        return self._index(value, rest[1:], depth)

    def _once(self, key: str, expr: Any, depth: int) -> Any:
        """The value of a named expression (a local, a variable, an attribute), evaluated once:
        a name used ten times at each of six levels costs six evaluations, not a million. A
        reference back to a name being evaluated is UNKNOWN."""
        if key in self._values:
            return self._values[key]
        if key in self._evaluating:
            return UNKNOWN
        self._evaluating.add(key)
        try:
            value = self.evaluate(expr, depth + 1)
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
        if name in self.tfvars:
            return self._once("tfvars." + name, self.tfvars[name], depth)
        var = self.variables.get(name)
        if var is None or var.default is UNKNOWN:
            return UNKNOWN
        return self._once("var." + name, var.default, depth)

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
        if name in ("lower", "upper", "trimspace", "tostring") and len(args) == 1:
            a = args[0]
            if isinstance(a, bool):
                return "true" if a else "false"
            if not isinstance(a, (str, int, float)):
                return UNKNOWN
            s = str(a)
            return (
                s.lower()
                if name == "lower"
                else s.upper()
                if name == "upper"
                else s.strip()
                if name == "trimspace"
                else s
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
            return self._built(_format(args[0], args[1:]))
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
        if not rel or "\x00" in rel:
            return None
        p = Path(rel)
        return p if p.is_absolute() else self.folder / p

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
            return "${" + value.text + "}"
        return None

    def _render_ref(self, value: Ref, depth: int) -> str:
        v = self.evaluate(value, depth + 1)
        if isinstance(v, (str, int, float)) and not isinstance(v, bool):
            return str(v)
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
        return "${" + value.dotted() + "}"

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
