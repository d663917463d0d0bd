"""Language-neutral facts about one handler source file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from lambdalint.model import Pos

Language = Literal["python", "node"]
# how a top-level name is bound
NameKind = Literal["def", "async-def", "class", "assign", "import", "export"]


@dataclass(frozen=True)
class Params:
    """How a callable can be called."""

    positional: int  # positional parameters (incl. positional-only), excluding *args
    required_positional: int  # of those, without a default
    varargs: bool  # *args
    required_keyword_only: int = 0


CALLABLE = "callable"


@dataclass(frozen=True)
class ObjectShape:
    """An object literal whose properties can all be seen, each with the shape of its value:
    an ObjectShape for a nested object literal, CALLABLE for a function or class, None when
    it cannot be told."""

    properties: tuple[tuple[str, ObjectShape | str | None], ...]

    def names(self) -> list[str]:
        return [name for name, _ in self.properties]

    def get(self, name: str) -> tuple[bool, ObjectShape | str | None]:
        """Whether the object has the property, and the shape of its value (the last one
        written wins, as in an object literal)."""
        for key, shape in reversed(self.properties):
            if key == name:
                return True, shape
        return False, None


@dataclass(frozen=True)
class TopLevelName:
    """A name bound at module level: def, async def, class, assignment, import or export."""

    name: str
    kind: NameKind
    pos: Pos
    params: Params | None = None
    # decorator names (dotted, as written) on a def
    decorators: tuple[str, ...] = ()
    # Node: the module-level name an export refers to (`exports.main = handler` → "handler")
    target: str | None = None
    # Node: what the export's value is, when it can be seen: an ObjectShape for an object
    # literal (`exports.ns = { run() {} }`), CALLABLE for a function or class, else None
    shape: ObjectShape | str | None = None


@dataclass(frozen=True)
class EnvRead:
    """The code reads an environment variable."""

    name: str
    pos: Pos
    has_default: bool  # `.get`, `getenv`, `??`, `||`, `in os.environ` guard
    # the top-level function the read is in (None: module level, runs at import)
    in_function: str | None = None


# a piece of a value the code builds: text written in the code, the value of an environment
# variable (`text` is its name), or something that cannot be followed (a parameter, the event)
PartKind = Literal["text", "env", "unknown"]


@dataclass(frozen=True)
class ValuePart:
    kind: PartKind
    text: str = ""


@dataclass(frozen=True)
class Argument:
    """A value the code passes to an SDK call for a parameter that names or refines the
    resource the call acts on (see aws/resources.py: `Bucket`, `Key`, `Names[]` for each item
    of a list, `RequestItems{}` for each key of a mapping, `Entries[].EventBusName`).

    `parts` is the value as far as the analysis follows it: literals, constants and
    environment variables (`os.environ["BUCKET"]`, `process.env.BUCKET`), through names bound
    once, f-strings, template literals and `+`."""

    path: str
    parts: tuple[ValuePart, ...]
    pos: Pos

    @property
    def known(self) -> bool:
        return all(p.kind != "unknown" for p in self.parts)

    @property
    def literal(self) -> str | None:
        """The value when the code writes it in full, else None."""
        if all(p.kind == "text" for p in self.parts):
            return "".join(p.text for p in self.parts)
        return None


@dataclass(frozen=True)
class SdkCall:
    """An AWS SDK call: `service` (botocore name) and the operation (`PutObject`)."""

    service: str
    operation: str
    pos: Pos
    method: str = ""  # as written (`put_object`)
    actions: tuple[str, ...] = ()  # IAM actions it needs, when known
    # False when the operation's permission is not known (then `actions` is empty); True
    # with empty `actions` means the call needs no permission (sts:GetCallerIdentity)
    actions_known: bool = True
    in_function: str | None = None  # the top-level function the call is in (None: module level)
    # the arguments that name the call's resource (Bucket, TableName …), as far as they are
    # written in the code; `spread`: arguments also come from `**kwargs` / `...params` whose
    # keys cannot be seen
    arguments: tuple[Argument, ...] = ()
    spread: bool = False

    def argument(self, path: str) -> list[Argument]:
        return [a for a in self.arguments if a.path == path]


@dataclass(frozen=True)
class ModuleImport:
    """A module the source imports: `name` as written (`boto3`, `lib.repo`, `@aws-sdk/client-s3`),
    `local` for a relative import (`from . import x`, `require("./x")`)."""

    name: str
    pos: Pos
    local: bool = False
    # the names taken from it (`from x import a, b`; Node: `import { a } from "x"`)
    names: tuple[str, ...] = ()
    # Python: the dots of a relative import (`from ..x import a`: 2)
    level: int = 0


@dataclass(frozen=True)
class SdkDoubt:
    """SDK use the analysis cannot follow to a call: a client made for a service named at run
    time, a method that looks like an operation called on a value it cannot resolve, an
    operation named by a string (`getattr(client, name)`). Its calls are not in `sdk_calls`."""

    pos: Pos
    why: str


@dataclass(frozen=True)
class ClientCreation:
    """An SDK client/resource created; `in_function` names the enclosing def, if any."""

    service: str
    pos: Pos
    in_function: str | None = None
    # made from the invocation's data (an endpoint or region from the event, per-request
    # credentials): it cannot simply move to module level
    per_invocation_config: bool = False
    # its statement could be moved to module level with the same result (Python: see
    # analysis/python/movable.py)
    movable: bool = False


@dataclass(frozen=True)
class SecretCandidate:
    """A string literal that may be a secret: one in a known credential format (`credential`
    names it), or one given to a name (`name`) with a value that could be a secret (not empty,
    not a reference, a placeholder or a low-entropy value). Whether the name makes it one is
    the rule's judgement (LL402, with the `secret-names` option). The value is kept only as
    a redacted preview."""

    name: str | None  # the variable, key or argument it is given to; None for a bare literal
    value_preview: str
    pos: Pos
    credential: str | None = None


@dataclass
class HandlerSource:
    path: Path
    language: Language
    top_level: dict[str, TopLevelName] = field(default_factory=dict)
    # names may be bound in ways parsing cannot see (`from x import *`,
    # `module.exports = require(...)`)
    open_namespace: bool = False
    # Python: names bound only under `if __name__ == "__main__":` (not when Lambda imports)
    main_only: list[str] = field(default_factory=list)
    parse_error: tuple[str, Pos] | None = None
    env_reads: list[EnvRead] = field(default_factory=list)
    sdk_calls: list[SdkCall] = field(default_factory=list)
    clients: list[ClientCreation] = field(default_factory=list)
    secret_candidates: list[SecretCandidate] = field(default_factory=list)
    imports: list[ModuleImport] = field(default_factory=list)
    # the names of the methods the source calls (`x.put_item(…)`: put_item), whatever `x` is:
    # a module of the handler may call SDK methods on a client the handler passes it
    method_names: tuple[str, ...] = ()
    sdk_doubts: list[SdkDoubt] = field(default_factory=list)
    # the code touches the environment wholesale (`os.environ.copy()`, `**os.environ`)
    dynamic_env: bool = False
    # line offset for inline sources embedded in a template (added to every position)
    line_offset: int = 0
    # why the source was only partly analysed or not at all (shown as a one-line notice)
    notice: str | None = None
