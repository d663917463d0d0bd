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


# a piece of a value the code builds: text written in the code, the value of an environment
# variable (`text` is its name), or something that cannot be followed (a parameter, the event)
PartKind = Literal["text", "env", "unknown"]


@dataclass(frozen=True)
class ValuePart:
    kind: PartKind
    text: str = ""


def merge_parts(parts: list[ValuePart]) -> tuple[ValuePart, ...]:
    """A value's parts with adjacent text joined; one unknown part stands for any run of them."""
    out: list[ValuePart] = []
    for part in parts:
        if part.kind == "text" and not part.text:
            continue
        if out and part.kind == "text" and out[-1].kind == "text":
            out[-1] = ValuePart("text", out[-1].text + part.text)
        elif out and part.kind == "unknown" and out[-1].kind == "unknown":
            continue
        else:
            out.append(part)
    return tuple(out) or (ValuePart("text", ""),)


@dataclass(frozen=True)
class Argument:
    """A value the code passes to an SDK call, by the API parameter it fills. Every parameter
    that names or refines the resource the call acts on is recorded (see aws/resources.py:
    `Bucket`, `Key`, `Names[]` for each item of a list, `RequestItems{}` for each key of a
    mapping, `Entries[].EventBusName`), however little is known of its value; any other
    top-level parameter (`MessageBody`, `ContentType`) when something of its value is known.

    `parts` is the value as far as the analysis follows it: literals, constants and
    environment variables (`os.environ["BUCKET"]`, `process.env.BUCKET`), through names bound
    once, f-strings, template literals and `+`. No parts: the parameter is not given (its
    default applies)."""

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

    @property
    def env(self) -> str | None:
        """The environment variable the whole value is (`os.environ["BUCKET"]`), else None."""
        if len(self.parts) == 1 and self.parts[0].kind == "env":
            return self.parts[0].text
        return None

    @property
    def prefix(self) -> str:
        """The text the value is known to start with: what is written before its first part
        that is not text (`f"thumbs/{key}.png"` → "thumbs/"); the whole value when it is all
        text."""
        out = []
        for part in self.parts:
            if part.kind != "text":
                break
            out.append(part.text)
        return "".join(out)

    @property
    def suffix(self) -> str:
        """The text the value is known to end with (`f"thumbs/{key}.png"` → ".png")."""
        out = []
        for part in reversed(self.parts):
            if part.kind != "text":
                break
            out.append(part.text)
        return "".join(reversed(out))


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
    # the arguments it passes (those that name the call's resource, Bucket, TableName …, and
    # the other top-level ones whose value is partly known), from keyword arguments, a
    # command's input object, or the identifiers of the boto3 resource it is made on
    # (`s3.Bucket(name)`); `spread`: arguments also come from `**kwargs` / `...params` whose
    # keys cannot be seen
    arguments: tuple[Argument, ...] = ()
    spread: bool = False

    def argument(self, path: str) -> list[Argument]:
        return [a for a in self.arguments if a.path == path]


@dataclass(frozen=True)
class ModuleImport:
    """A module the source imports (Python `import x` / `from x import y`; Node `import`,
    `require`, `import()`): `name` as written (`boto3`, `lib.repo`, `yaml.constructor`,
    `@aws-sdk/client-s3`, `lodash/fp`), `local` for a relative import (`from . import x`,
    `require("./x")`)."""

    name: str
    pos: Pos
    local: bool = False
    # the names taken from it (`from x import a, b`; Node: `import { a } from "x"`)
    names: tuple[str, ...] = ()
    # Python: the dots of a relative import (`from ..x import a`: 2)
    level: int = 0
    # code that copes with its absence: inside `try: ... except ImportError`, under `if
    # TYPE_CHECKING:` or a test of the Python version or platform, under `if __name__ ==
    # "__main__":`, a `require` guarded by try/catch, a TypeScript `import type` (erased)
    optional: bool = False
    # Python: under `if __name__ == "__main__":`, not imported when Lambda loads the module
    main_only: bool = False
    in_function: str | None = None  # the top-level function it is in (None: module level)


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
    returns: list[ReturnedObject] = field(default_factory=list)
    # modules are loaded in ways parsing cannot follow (`importlib.import_module(name)`,
    # `__import__`, `require(variable)`)
    dynamic_imports: bool = False
    # the literal texts the code tests strings against, as ("prefix" | "suffix" | "contains",
    # text): `key.startswith("out/")`, `key.endsWith(".png")`, `"/thumb/" in key`, a regular
    # expression `^out/` (LL703: a handler that skips what it writes itself)
    string_tests: tuple[tuple[str, str], ...] = ()
    # line offset for inline sources embedded in a template (added to every position)
    line_offset: int = 0
    # why the source was only partly analysed or not at all (shown as a one-line notice)
    notice: str | None = None


_REGEX_SPECIAL = frozenset(".^$*+?{}[]\\|()")


def regex_tests(pattern: str, anchored: bool = False) -> set[tuple[str, str]]:
    """The literal prefix (`^out/`, or any start when `anchored`: Python's `re.match`) and
    suffix (`\\.png$`) a regular expression tests for, as in HandlerSource.string_tests; an
    escaped character counts as itself."""
    out: set[tuple[str, str]] = set()
    if "|" in pattern:
        return out  # alternatives: no one literal is required
    body = pattern[1:] if pattern.startswith("^") else pattern
    if pattern.startswith("^") or anchored:
        text, i = "", 0
        while i < len(body):
            c = body[i]
            if c == "\\" and i + 1 < len(body) and not body[i + 1].isalnum():
                text, i = text + body[i + 1], i + 2
                continue
            if c in _REGEX_SPECIAL:
                # a quantifier applies to the character before it: that one is not required
                if c in "*?{" and text:
                    text = text[:-1]
                break
            text, i = text + c, i + 1
        if text:
            out.add(("prefix", text))
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        tail, j = "", len(pattern) - 2
        while j >= 0:
            c = pattern[j]
            if j >= 1 and pattern[j - 1] == "\\":
                if c.isalnum():
                    break
                tail, j = c + tail, j - 2
                continue
            if c in _REGEX_SPECIAL:
                break
            tail, j = c + tail, j - 1
        if tail:
            out.add(("suffix", tail))
    return out
