"""Language-neutral facts about one handler source file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from lambdalint.model import Pos

Language = Literal["python", "node"]
# how a top-level name is bound
NameKind = Literal["def", "async-def", "class", "assign", "import", "export"]
# what a value written in the code is, as far as its syntax shows: a string (a literal, an
# f-string or template, `json.dumps(...)`, `JSON.stringify(...)`), an object or array literal
# (a dict or list in Python), a number, a boolean, null/None, or anything else
ValueKind = Literal["string", "object", "array", "number", "boolean", "null", "other"]


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


@dataclass(frozen=True)
class ArgValue:
    """What an argument of an SDK call is, as far as the code shows it: the environment
    variable it is read from (`os.environ["BUCKET"]`, `os.getenv("BUCKET")`,
    `process.env.BUCKET`, through names bound once), its value when it is a string literal,
    or the literal start and end of a string built at run time (`f"thumbs/{key}.png"` →
    prefix "thumbs/", suffix ".png"). All None: nothing is known."""

    env: str | None = None
    literal: str | None = None
    prefix: str | None = None
    suffix: str | None = None


@dataclass(frozen=True)
class SdkCall:
    """An AWS SDK call: `service` (botocore name) and the operation (`PutObject`).

    `arguments` are the API parameters the call passes that name what it acts on (`Bucket`,
    `Key`, `QueueUrl`, `TopicArn` ...), by their API name, from keyword arguments, a command's
    input object, or the identifiers of the boto3 resource it is made on (`s3.Bucket(name)`)."""

    service: str
    operation: str
    pos: Pos
    method: str = ""  # as written (`put_object`)
    actions: tuple[str, ...] = ()  # IAM actions it needs, when known
    # False when the operation's permission is not known (then `actions` is empty); True
    # with empty `actions` means the call needs no permission (sts:GetCallerIdentity)
    actions_known: bool = True
    in_function: str | None = None  # the top-level function the call is in (None: module level)
    arguments: tuple[tuple[str, ArgValue], ...] = ()

    def argument(self, name: str) -> ArgValue | None:
        for key, value in self.arguments:
            if key == name:
                return value
        return None


@dataclass(frozen=True)
class ClientCreation:
    """An SDK client/resource created; `in_function` names the enclosing def, if any."""

    service: str
    pos: Pos
    in_function: str | None = None
    # made from the invocation's data (an endpoint or region from the event, per-request
    # credentials): it cannot simply move to module level
    per_invocation_config: bool = False


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


@dataclass(frozen=True)
class ReturnedObject:
    """An object a top-level function returns (Python `return {...}`, Node `return {...}`, an
    arrow function's object body, `callback(null, {...})`), or a name bound once to one.

    `keys` are its keys with the kind of each value; `complete` is False when keys can hide
    in it (`**extra`, `...spread`, a computed key). `via` names the helper whose result is
    returned instead of a literal (`process_partial_response`: AWS Lambda Powertools' batch
    response, which holds `batchItemFailures`). `wrapped`: the function is decorated or passed
    to a wrapper (middy, a decorator that is not known to leave the result alone), which may
    change what the caller receives."""

    pos: Pos
    in_function: str
    keys: tuple[tuple[str, ValueKind], ...] = ()
    complete: bool = True
    via: str = ""
    wrapped: bool = False

    def value_kind(self, key: str) -> ValueKind | None:
        for name, kind in self.keys:
            if name == key:
                return kind
        return None


@dataclass(frozen=True)
class ImportedModule:
    """A module the code imports (Python `import x` / `from x import y`; Node `import`,
    `require`, `import()`): `name` as written (`yaml.constructor`, `@aws-sdk/client-s3`,
    `lodash/fp`); `relative` for `from . import x` and `./x`. `optional`: inside
    `try: ... except ImportError`, under `if TYPE_CHECKING:`, or a `require` guarded by
    try/catch: code that copes with its absence."""

    name: str
    pos: Pos
    relative: bool = False
    optional: bool = False
    in_function: str | None = None


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
    # the code touches the environment wholesale (`os.environ.copy()`, `**os.environ`)
    dynamic_env: bool = False
    returns: list[ReturnedObject] = field(default_factory=list)
    imports: list[ImportedModule] = field(default_factory=list)
    # modules are loaded in ways parsing cannot follow (`importlib.import_module(name)`,
    # `__import__`, `require(variable)`)
    dynamic_imports: bool = False
    # line offset for inline sources embedded in a template (added to every position)
    line_offset: int = 0
    # why the source was only partly analysed or not at all (shown as a one-line notice)
    notice: str | None = None
