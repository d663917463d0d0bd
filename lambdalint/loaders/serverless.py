"""Serverless Framework (`serverless.yml`) → Function[].

Every function under `functions:` with the `provider` defaults applied (runtime, timeout,
memory, environment, IAM role statements, log retention, tags, layers) and the framework's own
defaults (its Node.js runtime when none is set). Variables `${self:...}` resolve when they lead
to a literal in the same file, `${file(x.yml):key}` when x.yml is a YAML or JSON file of the
checked tree; `${opt:...}` and `${env:...}` take their fallback (`${opt:stage, 'dev'}`) when
they have one; `${ssm:...}`, `${param:...}`, `${cf:...}` depend on the deploy and stay unknown.
Non-AWS providers are skipped. `serverless.ts` and `serverless.js` come through
serverless_code.py, which reads their configuration object into the same form.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from lambdalint.loaders import iam_policy
from lambdalint.loaders.cloudformation.inventory import inventory
from lambdalint.loaders.cloudformation.template import Template
from lambdalint.loaders.documents import Document, LoadSession, expansion_notice, load_document
from lambdalint.loaders.iam_policy import Strings, grant
from lambdalint.model import (
    UNKNOWN,
    CodeKind,
    CodeLocation,
    Diagnostic,
    EnvVar,
    Event,
    EventKind,
    EventSetting,
    Framework,
    Function,
    FunctionUrl,
    Layer,
    Loc,
    LogGroup,
    ManagedPolicy,
    Prop,
    Queue,
    Role,
    Unknown,
    as_flag,
)
from lambdalint.numeric import setting
from lambdalint.reading import Reader
from lambdalint.reading.json_reader import parse_json
from lambdalint.reading.positions import LList, LMap, LoadError, key_pos_of, pos_of
from lambdalint.reading.yaml_reader import parse_yaml

FRAMEWORK: Framework = "serverless"
# what the framework deploys when a function and its provider say nothing
DEFAULT_TIMEOUT = 6
DEFAULT_MEMORY = 1024
# the runtime it deploys a function with when neither the function nor the provider names one,
# by framework version (its source: `getRuntime` in lib/plugins/aws/provider.js since 1.61,
# `compileFunction` in lib/plugins/aws/package/compile/functions before): (first version,
# runtime). Always Node.js; which version depends on the framework installed.
DEFAULT_RUNTIMES: tuple[tuple[tuple[int, int, int], str], ...] = (
    ((1, 0, 0), "nodejs4.3"),
    ((1, 43, 0), "nodejs10.x"),
    ((1, 58, 0), "nodejs12.x"),
    ((2, 72, 4), "nodejs16.x"),
    ((3, 0, 0), "nodejs14.x"),
    ((3, 39, 0), "nodejs16.x"),
    ((4, 0, 0), "nodejs20.x"),
)
# the default runtime when `frameworkVersion` does not tell which of them applies (absent, or
# a range across versions with different defaults): Node.js of an unknown version, so that the
# handler is checked as Node.js and no rule judges the version (not a runtime name Lambda
# knows: `nodejs` alone is the Node.js 0.10 runtime of 2014)
NODE_UNKNOWN_VERSION = "nodejs (framework default)"

# the names the framework itself loads (serverless.js/.ts are code: never read). A copy such as
# `serverless-fragment.yml` or `resolved-serverless.yml` that a script moves into place is not a
# service rooted where it lies.
_NAME = re.compile(r"^serverless\.(ya?ml|json)$", re.IGNORECASE)
_VARIABLE = re.compile(r"\$\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}")
_QUOTED = re.compile(r"""^\s*(['"])(.*)\1\s*$""", re.DOTALL)
MAX_DEPTH = 20
_INDEX = re.compile(r"[0-9]{1,9}")  # a list index in `${self:a.0.b}` (ASCII: int() reads it)
# the longest text one value resolves to (an IAM policy is at most 10,240 characters, a
# function's environment 4 KB), and all the text one file's values may resolve to
MAX_TEXT = 256 * 1024
MAX_RESOLVED_TEXT = 64 * 1024 * 1024
# variable sources whose fallback applies when the deploy does not give them (`${opt:stage,
# 'dev'}`): the value a deploy without that option or variable gets
_DEFAULTED_INPUTS = ("opt:", "env:")
# `${file(../common.yml):provider.runtime}`: a YAML or JSON file (a .js file is code: not run)
_FILE = re.compile(r"^file\((?P<path>[^()]+)\)(?::(?P<address>.+))?$", re.DOTALL)
_FILE_SUFFIXES = (".yml", ".yaml", ".json")
_MAX_FILES = 64  # files one service's variables may read
# `${AWS::Region}`, `${Bucket}`, `${Table.Arn}` inside `!Sub`: CloudFormation's, not Serverless's
_CFN_PLACEHOLDER = re.compile(r"^(AWS::[A-Za-z]+|[A-Za-z0-9]+(\.[A-Za-z0-9.]+)?)$")

# plugins that compile TypeScript entry points (handler `src/app.main` → src/app.ts)
_TS_PLUGINS = ("serverless-esbuild", "serverless-plugin-typescript", "serverless-plugin-esbuild")
# plugins whose bundle is the deployed code: the handler path is theirs, not the tree's
_BUNDLERS = {"serverless-webpack", "serverless-bundle", "serverless-plugin-ncc"}
# variable sources filled at deploy time from outside the file (plaintext in the function)
_DEPLOY_INPUTS = ("opt:", "env:", "ssm:", "param:", "secretsManager:", "sls:instanceId")
# deploy-time values that name something specific (pseudo parameters), never "anything"
_PSEUDO = ("aws:", "sls:stage")

_ASYNC_EVENTS: dict[str, EventKind] = {
    "s3": "s3",
    "sns": "sns",
    "eventBridge": "eventbridge",
    "schedule": "schedule",
    "cloudwatchEvent": "eventbridge",
}
_EVENT_KINDS: dict[str, EventKind] = {
    "http": "api",
    "websocket": "api",
    "httpApi": "http-api",
    "alb": "alb",
    "cognitoUserPool": "cognito",
    "iot": "iot",
    "iotFleetProvisioning": "iot",
    "cloudwatchLog": "cloudwatch-logs",
    "msk": "msk",
    "kafka": "msk",
    "activemq": "mq",
    "rabbitmq": "mq",
    "sqs": "sqs",
    "stream": "other",
}


def claims(path: Path, text: str) -> bool:
    return bool(_NAME.match(path.name))


def load_file(
    path: Path, text: str, session: LoadSession
) -> tuple[list[Function], list[Diagnostic]]:
    kind = "json" if path.suffix.lower() == ".json" else "yaml"
    doc = load_document(path, text, kind, session)
    data = doc.data
    if not isinstance(data, LMap):
        return [], doc.diagnostics
    return load_service(doc, session.reader)


def load_service(doc: Document, reader: Reader) -> tuple[list[Function], list[Diagnostic]]:
    """The functions of a service whose configuration `doc.data` holds (from serverless.yml,
    or from the object serverless.ts exports)."""
    data = doc.data
    if not isinstance(data, LMap):
        return [], doc.diagnostics
    provider = data.get("provider")
    provider = provider if isinstance(provider, LMap) else LMap()
    if "service" not in data and "functions" not in data:
        return [], []  # a YAML file named serverless.* that is not a service
    if str(provider.get("name", "")).lower() != "aws":
        return [], []  # another cloud: not ours
    service = _Service(doc, data, provider, reader)
    functions = service.functions()
    if service.vars.over_budget:
        doc.diagnostics.append(expansion_notice(doc.path, MAX_TEXT))
    return functions, doc.diagnostics


# ---------------------------------------------------------------- variables


class _Unresolved(Exception):
    """A variable that cannot be resolved statically; `source` says what kind."""

    def __init__(self, source: str) -> None:
        super().__init__(source)
        self.source = source


class Variables:
    """`${...}` resolution within one serverless.yml.

    Each `${self:...}` path is resolved once (values that use it many times, at many levels, cost
    no more), and text longer than `MAX_TEXT`, or past the file's `MAX_RESOLVED_TEXT`, is left
    unresolved: six levels of ten references must not build a million copies.
    """

    def __init__(
        self,
        data: LMap,
        folder: Path | None = None,
        reader: Reader | None = None,
        defaults: bool = True,
    ) -> None:
        self.data = data
        # `${file(...)}` reads YAML and JSON files of the checked tree, relative to `folder`
        self.folder = folder
        self.reader = reader
        # whether `${opt:x, fallback}` and `${env:x, fallback}` take their fallback
        self.defaults = defaults
        self._paths: dict[str, Any] = {}  # `self:` path → its resolved value, or _Unresolved
        self._files: dict[str, Any] = {}  # a file's real path → its parsed data, or None
        self.text_left = MAX_RESOLVED_TEXT
        self.over_budget = False  # some value was left unresolved for its size

    def resolve(self, value: Any, depth: int = 0) -> Any:
        """The value with every variable resolved, or UNKNOWN."""
        try:
            return self._resolve(value, depth)
        except _Unresolved:
            return UNKNOWN

    def origin(self, value: Any) -> str | None:
        """The first variable source that stops resolution (`opt:`, `ssm:`, `self:` ...)."""
        try:
            self._resolve(value, 0)
        except _Unresolved as exc:
            return exc.source
        return None

    def interpolate(self, value: str, keep: Any = None) -> str:
        """`value` with each variable replaced by its value; `keep(inner)` True leaves that
        one as written. Raises _Unresolved."""
        return self._interpolate(value, 0, keep)

    def _resolve(self, value: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise _Unresolved("depth")
        if not isinstance(value, str) or "${" not in value:
            return value
        whole = _VARIABLE.fullmatch(value.strip())
        if whole:
            return self._variable(whole.group(1), depth + 1)
        return self._interpolate(value, depth, None)

    def _interpolate(self, value: str, depth: int, keep: Any) -> str:
        pieces = []
        size = 0
        last = 0
        for m in _VARIABLE.finditer(value):
            inner = m.group(1).strip()
            if keep is not None and keep(inner):
                piece = "${" + inner + "}"
            else:
                v = self._variable(m.group(1), depth + 1)
                if isinstance(v, bool):
                    v = "true" if v else "false"
                if not isinstance(v, (str, int, float)):
                    raise _Unresolved("non-string")
                piece = str(v)
            size += m.start() - last + len(piece)
            if size > MAX_TEXT or size > self.text_left:
                self.over_budget = True
                raise _Unresolved("size")
            pieces.append(value[last : m.start()])
            pieces.append(piece)
            last = m.end()
        pieces.append(value[last:])
        out = "".join(pieces)
        self.text_left -= len(out)
        return out

    def _variable(self, expr: str, depth: int) -> Any:
        options = _split_fallbacks(expr)
        last_error = _Unresolved(expr)
        for i, option in enumerate(options):
            option = option.strip()
            quoted = _QUOTED.match(option)
            if quoted:
                return quoted.group(
                    2
                )  # a literal fallback, reached only if earlier ones are absent
            if re.fullmatch(r"-?[0-9]{1,30}", option):
                return int(option)
            if "${" in option:  # `self:custom.${self:provider.stage}.x`: the inner one first
                option = self._interpolate(option, depth + 1, None).strip()
            if option.startswith("self:"):
                found, value = self._self(option[5:], depth)
                if found:
                    return value
                continue  # absent: the fallback applies
            if option.startswith("file("):
                found, value = self._file(option, depth)
                if found:
                    return value
                continue
            if option.startswith(_DEFAULTED_INPUTS) and self.defaults and i < len(options) - 1:
                continue  # not given at deploy time: the fallback applies
            if option.startswith(_PSEUDO):
                raise _Unresolved(option)
            # opt:/env:/ssm:/file()/cf: ... depend on the deploy, whatever the fallback says
            raise _Unresolved(option.split("(")[0].split(":")[0] + (":" if ":" in option else ""))
        raise last_error

    def _self(self, dotted: str, depth: int) -> tuple[bool, Any]:
        """(found, resolved value) of a `self:` path; raises _Unresolved. Remembered, except a
        failure from the depth bound (the same path may resolve when reached less deeply)."""
        known = self._paths.get(dotted)
        if isinstance(known, _Unresolved):
            raise _Unresolved(known.source)
        if known is not None:
            return True, known[0]
        found, value = self._path(dotted)
        if not found:
            return False, None
        try:
            resolved = self._resolve(value, depth + 1)
        except _Unresolved as exc:
            if exc.source != "depth":
                self._paths[dotted] = exc
            raise
        self._paths[dotted] = (resolved,)
        return True, resolved

    def _path(self, dotted: str, node: Any = None, depth: int = 0) -> tuple[bool, Any]:
        """The value at a dotted path of the service (or of `node`); a section given by a
        variable (`custom: ${file(common.yml):custom}`) is walked through once resolved."""
        node = self.data if node is None else node
        for part in [p for p in dotted.split(".") if p]:
            if isinstance(node, str) and _VARIABLE.fullmatch(node.strip()):
                node = self._resolve(node, depth + 1)
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and _INDEX.fullmatch(part) and int(part) < len(node):
                node = node[int(part)]
            else:
                return False, None
        return True, node

    def _file(self, option: str, depth: int) -> tuple[bool, Any]:
        """(found, resolved value) of `file(path)` or `file(path):address`: a YAML or JSON file
        of the checked tree, relative to the service's folder; not found when it does not
        exist (the fallback applies). Variables inside it are the service's (`self:`)."""
        m = _FILE.match(option)
        if m is None or self.folder is None or self.reader is None:
            raise _Unresolved("file")
        rel = m.group("path").strip().strip("'\"")
        if not rel.lower().endswith(_FILE_SUFFIXES) or "\x00" in rel:
            raise _Unresolved("file")  # a .js file is code: it would have to run
        data = self._load(self.folder / rel)
        if data is None:
            return False, None
        address = m.group("address")
        found, value = (True, data) if not address else self._path(address.strip(), data, depth)
        if not found:
            return False, None
        return True, self._resolve(value, depth + 1)

    def _load(self, path: Path) -> Any:
        """The parsed content of a YAML or JSON file (None when missing or unreadable)."""
        key = os.path.realpath(path) if os.path.exists(path) else str(path)
        if key in self._files:
            return self._files[key]
        assert self.reader is not None
        data: Any = None
        self.reader.log.note(path)  # (a file created later changes the value)
        if len(self._files) < _MAX_FILES and os.path.isfile(path):
            text, _ = self.reader.read_text(path)
            if text is not None:
                try:
                    if path.suffix.lower() == ".json":
                        data, _ = parse_json(text, path, self.reader.limits)
                    else:
                        data, _ = parse_yaml(text, path, self.reader.limits)
                except LoadError:
                    data = None
        self._files[key] = data
        return data


def _split_fallbacks(expr: str) -> list[str]:
    """`opt:stage, self:provider.stage, 'dev'` → its options (commas inside quotes, inner
    variables and parentheses kept: `file(./c.${opt:stage, 'dev'}.yml)` is one option)."""
    out, buf, quote, nesting = [], [], "", 0
    for c in expr:
        if quote:
            buf.append(c)
            if c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
            buf.append(c)
        elif c in "{(":
            nesting += 1
            buf.append(c)
        elif c in "})":
            nesting = max(nesting - 1, 0)
            buf.append(c)
        elif c == "," and nesting == 0:
            out.append("".join(buf))
            buf = []
        else:
            buf.append(c)
    out.append("".join(buf))
    return out


def _intrinsic(value: Any) -> str | None:
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        if isinstance(key, str) and (key == "Ref" or key.startswith("Fn::")):
            return key
    return None


# ---------------------------------------------------------------- the service


class _Service:
    def __init__(self, doc: Document, data: LMap, provider: LMap, reader: Reader) -> None:
        self.doc = doc
        self.path = doc.path
        self.folder = doc.path.parent
        self.data = data
        self.provider = provider
        self.reader = reader
        self.vars = Variables(data, self.folder, reader)
        # environment values are judged as written: a deploy input with a fallback is still
        # a deploy input (`${env:DB_PASSWORD, 'changeme'}` is not a literal password)
        self.env_vars = Variables(data, self.folder, reader, defaults=False)
        resources = data.get("resources")
        cfn = resources.get("Resources") if isinstance(resources, LMap) else None
        self.resources: LMap = cfn if isinstance(cfn, LMap) else LMap()
        self.plugins = self._plugins()
        custom = data.get("custom")
        if isinstance(custom, str):  # `custom: ${file(../common.yml):custom}`
            custom = self.vars.resolve(custom)
        self.custom: LMap = custom if isinstance(custom, LMap) else LMap()
        # the event kinds of all functions, for the role they share (computed on first use)
        self._service_event_kinds: set[str] | None = None

    def loc(self, container: Any, key: Any) -> Loc:
        return Loc(self.path, pos_of(container, key))

    def key_loc(self, container: Any, key: Any) -> Loc:
        return Loc(self.path, key_pos_of(container, key))

    def _plugins(self) -> set[str]:
        plugins = self.data.get("plugins")
        if isinstance(plugins, LMap):
            plugins = plugins.get("modules")
        if not isinstance(plugins, list):
            return set()
        return {p.strip() for p in plugins if isinstance(p, str)}

    def resolved(self, container: Any, key: str) -> Any:
        return self.vars.resolve(container.get(key)) if isinstance(container, dict) else None

    # ------------------------------------------------------------ functions

    def functions(self) -> list[Function]:
        raw = self.data.get("functions")
        entries: list[tuple[LMap, str, LMap]] = []
        if isinstance(raw, LMap):
            entries = [
                (raw, k, v) for k, v in raw.items() if isinstance(k, str) and isinstance(v, LMap)
            ]
        elif isinstance(raw, list):  # a list of maps (often from ${file(...)} includes)
            for item in raw:
                if isinstance(item, LMap):
                    entries.extend(
                        (item, k, v)
                        for k, v in item.items()
                        if isinstance(k, str) and isinstance(v, LMap)
                    )
        if self._provider_too_large(len(entries)):
            return []
        functions = [self.function(container, key, body) for container, key, body in entries]
        if functions and self.resources:
            data = LMap(self.resources.pos)
            data["Resources"] = self.resources
            declared = inventory(self.path, Template(data), self._policy_value)
            for fn in functions:
                fn.resources = declared
        return functions

    def _provider_too_large(self, count: int) -> bool:
        """Provider settings are copied into every function: thousands of provider variables
        times thousands of functions is held to the node budget, as SAM Globals are."""
        env = self.provider.get("environment")
        if count < 2 or not isinstance(env, LMap):
            return False
        budget = self.doc.limits.max_nodes
        if len(env) * count <= budget:
            return False
        self.doc.diagnostics.append(
            Diagnostic(
                "LL100",
                f"provider.environment ({len(env):,} variables) applied to {count:,} functions "
                f"expands past the {budget:,}-value limit (max-nodes): functions not checked",
                self.loc(self.provider, "environment"),
            )
        )
        return True

    def function(self, container: LMap, key: str, body: LMap) -> Function:
        fn = Function(name=key, framework=FRAMEWORK, loc=self.key_loc(container, key))
        name = self.resolved(body, "name")
        if isinstance(name, str):
            fn.function_name = name
        else:
            fn.function_name = UNKNOWN if "name" in body else self._default_name(key)
        fn.function_name_loc = self.loc(body, "name") if "name" in body else fn.loc
        fn.runtime = self._setting(body, "runtime")
        if fn.runtime is None and body.get("image") is None:
            fn.runtime = Prop(self._default_runtime(), fn.loc)
        fn.handler = self._prop(body, "handler")
        fn.timeout = self._setting(body, "timeout") or Prop(DEFAULT_TIMEOUT, fn.loc)
        fn.memory = self._setting(body, "memorySize") or Prop(DEFAULT_MEMORY, fn.loc)
        fn.reserved_concurrency = self._prop(body, "reservedConcurrency")
        fn.tracing = self._tracing(body)
        arch = self._setting(body, "architecture")
        fn.architectures = [arch.value] if arch is not None else []
        fn.layers = self._layers(body)
        fn.tags = self._tags(body)
        if body.get("image") is not None:
            fn.package_type = "Image"
        fn.code = self._code(body, fn)
        fn.environment, fn.environment_complete = self._environment(body)
        fn.role = self._role(body, fn)
        fn.log_groups = self._log_groups(key, body, fn)
        fn.events = self._events(body)
        fn.url = self._url(body)
        if body.get("onError") is not None:
            fn.dead_letter = Prop(self._arn(body["onError"]), self.loc(body, "onError"))
        destinations = body.get("destinations")
        if isinstance(destinations, LMap) and destinations.get("onFailure") is not None:
            fn.on_failure = Prop(
                self._arn(destinations["onFailure"]), self.loc(destinations, "onFailure")
            )
        return fn

    def _layers(self, body: LMap) -> list[Layer]:
        owner = body if "layers" in body else self.provider
        raw = owner.get("layers")
        if raw is None:
            return []
        if not isinstance(raw, list):
            return [Layer(UNKNOWN, self.loc(owner, "layers"), "given by an expression")]
        out = []
        for i, item in enumerate(raw):
            loc = Loc(self.path, pos_of(raw, i))
            target = _logical_target(item) if _intrinsic(item) else None
            if target is not None:
                out.append(self._layer_definition(target, loc))
                continue
            value = self.vars.resolve(item) if not _intrinsic(item) else UNKNOWN
            text = value if isinstance(value, str) else _text(item) or "given by a variable"
            out.append(Layer(value if isinstance(value, str) else UNKNOWN, loc, text))
        return out

    def _layer_definition(self, logical_id: str, loc: Loc) -> Layer:
        """`{Ref: <Name>LambdaLayer}`: a layer of the service's `layers:` section, whose
        `path` folder (or `package.artifact` zip) is the layer's content."""
        section = self.data.get("layers")
        if isinstance(section, LMap):
            for key, spec in section.items():
                if not isinstance(key, str) or _logical_id(key) + "LambdaLayer" != logical_id:
                    continue
                if not isinstance(spec, LMap):
                    break
                package = spec.get("package")
                artifact = self.resolved(package, "artifact") if isinstance(package, LMap) else None
                folder = artifact if artifact is not None else self.resolved(spec, "path")
                remote = isinstance(folder, str) and folder.startswith(("s3://", "https://"))
                if not isinstance(folder, str) or not folder or remote:
                    break
                content = self.folder / folder
                try:
                    exists = content.exists()
                except (OSError, ValueError):
                    exists = False
                return Layer(UNKNOWN, loc, key, content if exists else None)
        return Layer(UNKNOWN, loc, logical_id)

    def _default_runtime(self) -> str:
        """The framework's own default runtime, for the versions `frameworkVersion` allows."""
        version = self.vars.resolve(self.data.get("frameworkVersion"))
        return default_runtime(version if isinstance(version, (str, int, float)) else None)

    def _default_name(self, key: str) -> Any:
        service = self.data.get("service")
        if isinstance(service, LMap):
            service = service.get("name")
        service = self.vars.resolve(service)
        stage = (
            self.vars.resolve(self.provider.get("stage")) if "stage" in self.provider else UNKNOWN
        )
        if isinstance(service, str) and isinstance(stage, str):
            return f"{service}-{stage}-{key}"
        return UNKNOWN  # the stage comes from the command line

    def _prop(self, body: LMap, key: str) -> Prop[Any] | None:
        if body.get(key) is None:
            return None
        return Prop(self._plain(self.vars.resolve(body[key])), self.loc(body, key))

    def _setting(self, body: LMap, key: str) -> Prop[Any] | None:
        """A function setting, falling back to the provider's."""
        return self._prop(body, key) or self._prop(self.provider, key)

    @staticmethod
    def _plain(value: Any) -> Any:
        if isinstance(value, (LMap, LList)) or _intrinsic(value):
            return UNKNOWN
        return value

    def _tracing(self, body: LMap) -> Prop[Any] | None:
        if body.get("tracing") is not None:
            value = self.vars.resolve(body["tracing"])
            mode = "Active" if value is True else "PassThrough" if value is False else value
            return Prop(mode, self.loc(body, "tracing"))
        tracing = self.provider.get("tracing")
        if isinstance(tracing, LMap) and tracing.get("lambda") is not None:
            value = self.vars.resolve(tracing["lambda"])
            mode = "Active" if value is True else "PassThrough" if value is False else value
            return Prop(mode, self.loc(tracing, "lambda"))
        return None

    def _tags(self, body: LMap) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for source in (self.provider.get("tags"), body.get("tags")):
            if isinstance(source, LMap):
                for k, v in source.items():
                    if isinstance(k, str):
                        out[k] = self._plain(self.vars.resolve(v))
        return out

    def _arn(self, value: Any) -> Any:
        resolved = self.vars.resolve(value)
        if isinstance(resolved, str):
            return resolved
        if _intrinsic(value):
            return "${" + _describe_intrinsic(value) + "}"
        return UNKNOWN

    # ------------------------------------------------------------ code

    def _code(self, body: LMap, fn: Function) -> CodeLocation:
        loc = fn.handler.loc if fn.handler is not None else fn.loc
        if body.get("image") is not None:
            return CodeLocation("image", self.loc(body, "image"))
        for package in (body.get("package"), self.data.get("package")):
            if isinstance(package, LMap) and package.get("artifact") is not None:
                artifact = self.vars.resolve(package["artifact"])
                aloc = self.loc(package, "artifact")
                if not isinstance(artifact, str):
                    return CodeLocation("unknown", aloc)
                if artifact.startswith(("s3://", "https://")):
                    return CodeLocation("s3", aloc)
                lower = artifact.lower()
                kind: CodeKind = "jar" if lower.endswith((".jar", ".war")) else "zip"
                return CodeLocation(kind, aloc, path=self.folder / artifact, declared=artifact)
        base = self.folder
        declared = "."
        module = self.vars.resolve(body.get("module"))
        if isinstance(module, str) and module and module != ".":
            # serverless-python-requirements: the handler is relative to the module folder
            base = self.folder / module
            declared = module
        handler = fn.handler.value if fn.handler is not None else None
        runtime = fn.runtime.value if fn.runtime is not None else None
        built, method = False, None
        if (
            isinstance(handler, str)
            and handler.startswith("wsgi_handler.")
            and "serverless-wsgi" in self.plugins
        ):
            built, method = (
                True,
                "serverless-wsgi",
            )  # the plugin writes wsgi_handler.py when packaging
        elif self.plugins & _BUNDLERS:
            built, method = True, min(self.plugins & _BUNDLERS)
        elif isinstance(handler, str) and _build_output(base, handler):
            built, method = True, "build-output"  # compiled by a step before packaging
        elif isinstance(runtime, str) and runtime.startswith("nodejs") and self._typescript(base):
            built, method = True, "esbuild"
        # `serverless package` leaves devDependencies out, and the Python plugins install what
        # requirements.txt lists; bundlers take whatever they import
        return CodeLocation(
            "dir",
            loc,
            path=base,
            built=built,
            build_method=method,
            declared=declared,
            production_dependencies_only=not built,
        )

    def _typescript(self, base: Path) -> bool:
        """TypeScript entry points are compiled: by a plugin, v4's built-in esbuild, a
        `build:` section, or `tsc` (a tsconfig.json next to the service)."""
        if any(p.endswith(_TS_PLUGINS) for p in self.plugins) or "build" in self.data:
            return True
        self.reader.log.note(self.folder / "tsconfig.json", base / "tsconfig.json")
        if (self.folder / "tsconfig.json").is_file() or (base / "tsconfig.json").is_file():
            return True
        version = self.data.get("frameworkVersion")
        return version is None or str(version).lstrip("^~>=").startswith("4")

    # ------------------------------------------------------------ environment

    def _environment(self, body: LMap) -> tuple[dict[str, EnvVar], bool]:
        out: dict[str, EnvVar] = {}
        complete = True
        for source in (self.provider.get("environment"), body.get("environment")):
            if source is None:
                continue
            if not isinstance(source, LMap):
                complete = False  # `${file(env.yml)}` or an intrinsic: not readable here
                continue
            for name, raw in source.items():
                if isinstance(name, str):
                    env = out[name] = self._env_var(name, raw, self.loc(source, name))
                    text = self._policy_value(raw)
                    env.text = text if isinstance(text, str) else None
                else:
                    complete = False
        return out, complete

    def _env_var(self, name: str, raw: Any, loc: Loc) -> EnvVar:
        if raw is None:
            return EnvVar(name, "", loc)
        if isinstance(raw, bool):
            return EnvVar(name, "true" if raw else "false", loc)
        if isinstance(raw, (int, float)):
            return EnvVar(name, str(raw), loc)
        if _intrinsic(raw):
            # a resource of the file, or one the framework makes (`S3Bucket<Name>`)
            resource = _logical_target(raw)
            return EnvVar(name, UNKNOWN, loc, kind="reference", resource=resource)
        if not isinstance(raw, str):
            return EnvVar(name, UNKNOWN, loc, kind="unknown")
        if "${" not in raw:
            return EnvVar(name, raw, loc)
        value = self.env_vars.resolve(raw)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return EnvVar(name, str(value), loc)  # `${self:custom.x}`: written in this file
        origin = self.env_vars.origin(raw) or ""
        if origin.startswith(_DEPLOY_INPUTS):
            # resolved at deploy time and stored in the function's configuration as plaintext
            return EnvVar(name, UNKNOWN, loc, kind="parameter", parameter=_first_variable(raw))
        if origin.startswith(("cf", "s3", "aws:", "construct:", "sls:")) or _intrinsic(value):
            return EnvVar(name, UNKNOWN, loc, kind="reference")
        return EnvVar(name, UNKNOWN, loc, kind="unknown")

    # ------------------------------------------------------------ IAM

    def _role(self, body: LMap, fn: Function) -> Role | None:
        if body.get("role") is not None:
            return Role(
                known=False, loc=self.loc(body, "role"), name=_text(self.vars.resolve(body["role"]))
            )
        iam = self.provider.get("iam")
        iam_role = iam.get("role") if isinstance(iam, LMap) else None
        if iam_role is not None and not isinstance(iam_role, LMap):
            return Role(
                known=False, loc=self.loc(iam, "role"), name=_text(self.vars.resolve(iam_role))
            )
        if self.provider.get("role") is not None:
            return Role(
                known=False,
                loc=self.loc(self.provider, "role"),
                name=_text(self.vars.resolve(self.provider["role"])),
            )
        role = Role(known=True, name="IamRoleLambdaExecution", loc=fn.loc, generated=True)
        own = body.get("iamRoleStatements")
        if own is not None and "serverless-iam-roles-per-function" in self.plugins:
            # a role of its own; the provider's statements only when inherited
            role.name = f"{fn.name}IamRoleLambdaExecution"
            role.loc = self.loc(body, "iamRoleStatements")
            self._statements(own, role, "function iamRoleStatements")
            inherit = self.vars.resolve(body.get("iamRoleStatementsInherit"))
            if inherit is not True:
                custom = self.custom.get("serverless-iam-roles-per-function")
                inherit = (
                    isinstance(custom, LMap)
                    and self.vars.resolve(custom.get("defaultInherit")) is True
                )
            if not inherit:
                self._framework_statements(role, fn, own_body=body)
                return role
        if isinstance(iam_role, LMap):
            role.loc = self.loc(iam, "role")
            if iam_role.get("statements") is not None:
                self._statements(iam_role["statements"], role, "provider.iam.role.statements")
            if iam_role.get("managedPolicies") is not None:
                self._managed(iam_role["managedPolicies"], iam_role, "managedPolicies", role)
        if self.provider.get("iamRoleStatements") is not None:
            self._statements(self.provider["iamRoleStatements"], role, "provider.iamRoleStatements")
        if self.provider.get("iamManagedPolicies") is not None:
            self._managed(
                self.provider["iamManagedPolicies"], self.provider, "iamManagedPolicies", role
            )
        self._framework_statements(role, fn)
        return role

    def _all_function_bodies(self) -> list[LMap]:
        raw = self.data.get("functions")
        if isinstance(raw, LMap):
            return [v for v in raw.values() if isinstance(v, LMap)]
        if isinstance(raw, list):
            return [
                v
                for item in raw
                if isinstance(item, LMap)
                for v in item.values()
                if isinstance(v, LMap)
            ]
        return []

    def _event_kinds(self, bodies: list[LMap], where: Loc) -> set[str]:
        kinds: set[str] = set()
        for body in bodies:
            events = body.get("events")
            for item in events if isinstance(events, list) else []:
                if isinstance(item, LMap) and len(item) == 1:
                    etype, spec = next(iter(item.items()))
                    kinds.add(
                        self._event("stream", spec, where).kind if etype == "stream" else str(etype)
                    )
        return kinds

    def _framework_statements(self, role: Role, fn: Function, own_body: LMap | None = None) -> None:
        """What the framework adds to the role it generates: writing the functions' logs,
        reading their queues and streams, answering WebSocket clients, X-Ray; plugins that
        add their own permissions (serverless-lift constructs) make the role incomplete.
        `own_body`: the function's own role (per-function plugin) covers its events only; the
        shared role covers every function's."""
        source = "Serverless Framework default role"
        where = role.loc or fn.loc

        def add(actions: list[str], resource: str) -> None:
            role.statements.append(grant(actions, Strings([resource]), where, source))

        add(
            [
                "logs:CreateLogStream",
                "logs:CreateLogGroup",
                "logs:TagResource",
                "logs:PutLogEvents",
            ],
            "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/*:*",
        )
        if own_body is not None:
            kinds = self._event_kinds([own_body], where)
        else:
            # computed once per service, not per function (3,000 functions took seconds when
            # each walked all the others)
            if self._service_event_kinds is None:
                self._service_event_kinds = self._event_kinds(self._all_function_bodies(), where)
            kinds = self._service_event_kinds
        if "sqs" in kinds:
            add(
                ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                "${EventSourceQueue.Arn}",
            )
        for stream in ("dynamodb", "kinesis"):
            if stream in kinds:
                actions = ["GetRecords", "GetShardIterator", "DescribeStream", "ListStreams"]
                add([f"{stream}:{action}" for action in actions], "${EventSourceStream.Arn}")
        if "websocket" in kinds:
            add(
                ["execute-api:ManageConnections"],
                "arn:${AWS::Partition}:execute-api:*:*:*/@connections/*",
            )
        tracing = self.provider.get("tracing")
        if isinstance(tracing, LMap) and self.vars.resolve(tracing.get("lambda")) not in (
            None,
            False,
        ):
            add(["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*")
        if "serverless-lift" in self.plugins and self.data.get("constructs") is not None:
            role.incomplete = True

    def _statements(self, raw: Any, role: Role, source: str) -> None:
        if not isinstance(raw, LList):
            role.incomplete = True
            return
        doc = LMap(raw.pos)
        doc["Statement"] = raw
        stmts, complete = iam_policy.statements(
            doc, self.path, raw.pos, source, resolve=self._policy_value
        )
        role.statements.extend(stmts)
        role.incomplete = role.incomplete or not complete

    def _policy_value(self, value: Any) -> Any:
        """Values inside a statement: variables resolved, intrinsics that name a resource kept
        as `${...}` placeholders (specific), deploy-time inputs unknown."""
        if isinstance(value, (LMap, dict)) and not _intrinsic(value):
            return value
        if isinstance(value, list):
            return value
        if _intrinsic(value):
            return self._cfn_text(value, 0)
        if not isinstance(value, str) or "${" not in value:
            return value
        resolved = self.vars.resolve(value)
        if resolved is not UNKNOWN:
            return resolved
        origin = self.vars.origin(value) or ""
        if origin.startswith(_PSEUDO):
            return _keep_pseudo(value, self.vars)
        return UNKNOWN

    def _cfn_text(self, value: Any, depth: int) -> Any:
        """An intrinsic inside a statement as text: `!GetAtt T.Arn` → `${T.Arn}`, `!Sub` keeps
        its `${...}`, `!Join` joins; anything else is UNKNOWN."""
        if depth > MAX_DEPTH:
            return UNKNOWN
        name = _intrinsic(value)
        if name is None:
            resolved = self._policy_value(value) if isinstance(value, str) else value
            return (
                resolved
                if isinstance(resolved, (str, int)) and not isinstance(resolved, bool)
                else UNKNOWN
            )
        arg = value[name]
        if name in ("Fn::GetAtt", "Ref"):
            described = _describe_intrinsic(value)
            return "${" + described + "}" if described else UNKNOWN
        if name == "Fn::Sub":
            text = arg[0] if isinstance(arg, list) and arg else arg
            return _keep_pseudo(text, self.vars) if isinstance(text, str) else UNKNOWN
        if name == "Fn::ImportValue":
            return "${ImportValue}"  # an exported name: something specific
        if (
            name == "Fn::Join"
            and isinstance(arg, list)
            and len(arg) == 2
            and isinstance(arg[1], list)
        ):
            parts = [self._cfn_text(p, depth + 1) for p in arg[1]]
            if isinstance(arg[0], str) and all(isinstance(p, (str, int)) for p in parts):
                return arg[0].join(str(p) for p in parts)
        return UNKNOWN

    def _managed(self, raw: Any, container: LMap, key: str, role: Role) -> None:
        if not isinstance(raw, LList):
            role.incomplete = True
            return
        for i, item in enumerate(raw):
            value = self.vars.resolve(item)
            if isinstance(value, str):
                role.managed_policies.append(ManagedPolicy(value, Loc(self.path, pos_of(raw, i))))
                if value.startswith("arn:") and ":iam::aws:policy/" not in value:
                    role.incomplete = True  # a customer managed policy: its content is elsewhere
            else:
                role.incomplete = True

    # ------------------------------------------------------------ logs

    def _log_groups(self, key: str, body: LMap, fn: Function) -> list[LogGroup]:
        """Serverless creates `/aws/lambda/<name>` for every function; its retention comes
        from the function, the provider, a CloudFormation override or the log-retention plugin."""
        name = (
            f"/aws/lambda/{fn.function_name}"
            if isinstance(fn.function_name, str)
            else self._group_name(key)
        )
        if self.vars.resolve(body.get("disableLogs")) is True:
            return [LogGroup(name, UNKNOWN, fn.loc)]
        override = self.resources.get(_logical_id(key) + "LogGroup")
        if isinstance(override, LMap) and isinstance(override.get("Properties"), LMap):
            props = override["Properties"]
            if props.get("RetentionInDays") is not None:
                return [self._group(name, props, "RetentionInDays", fn)]
        if body.get("logRetentionInDays") is not None:
            return [self._group(name, body, "logRetentionInDays", fn)]
        if self.provider.get("logRetentionInDays") is not None:
            return [self._group(name, self.provider, "logRetentionInDays", fn)]
        if (
            "serverless-plugin-log-retention" in self.plugins
            and self.custom.get("logRetentionInDays") is not None
        ):
            return [self._group(name, self.custom, "logRetentionInDays", fn)]
        return [LogGroup(name, None, fn.loc)]

    def _group_name(self, key: str) -> Any:
        """`/aws/lambda/<service>-${sls:stage}-<function>` when only the stage is open."""
        service = self.data.get("service")
        if isinstance(service, LMap):
            service = service.get("name")
        service = self.vars.resolve(service)
        return (
            f"/aws/lambda/{service}-${{sls:stage}}-{key}" if isinstance(service, str) else UNKNOWN
        )

    def _group(self, name: Any, container: LMap, key: str, fn: Function) -> LogGroup:
        retention = setting(self.vars.resolve(container[key]))
        return LogGroup(name, retention, fn.loc, self.loc(container, key))

    # ------------------------------------------------------------ events

    def _events(self, body: LMap) -> list[Event]:
        raw = body.get("events")
        if not isinstance(raw, list):
            return []
        out = []
        for i, item in enumerate(raw):
            if not isinstance(item, LMap) or len(item) != 1:
                continue
            etype, spec = next(iter(item.items()))
            if not isinstance(etype, str):
                continue
            loc = Loc(self.path, pos_of(raw, i))
            event = self._event(etype, spec, loc)
            event.name = self._event_name(etype, spec)
            # a stream's `destinations.onFailure`: Lambda sends failed batches with the role
            event.on_failure = isinstance(spec, LMap) and spec.get("destinations") is not None
            out.append(event)
        return out

    def _event_name(self, etype: str, spec: Any) -> str:
        """A short label for messages: `POST orders`, the bucket, the schedule expression."""
        if isinstance(spec, str):
            text = self.vars.resolve(spec)
            return text if isinstance(text, str) and len(text) <= 80 else etype
        if not isinstance(spec, LMap):
            return etype
        if etype in ("http", "httpApi"):
            method = self.vars.resolve(spec.get("method"))
            path = self.vars.resolve(spec.get("path"))
            if isinstance(method, str) and isinstance(path, str):
                return f"{method.upper()} {path}"
        for key in ("bucket", "rate", "topicName", "queueName", "name"):
            value = self.vars.resolve(spec.get(key))
            if isinstance(value, str):
                return value
            if isinstance(value, list) and value and isinstance(value[0], str):
                return value[0]
        if etype in ("sqs", "stream"):
            logical = _logical_target(spec.get("arn"))
            if logical:
                return logical
        return etype

    def _event(self, etype: str, spec: Any, loc: Loc) -> Event:
        if etype in _ASYNC_EVENTS:
            kind = _ASYNC_EVENTS[etype]
            if (
                etype == "eventBridge"
                and isinstance(spec, LMap)
                and spec.get("schedule") is not None
            ):
                kind = "schedule"
            event = Event(kind, loc, name=etype, is_async=True)
            if etype == "s3":
                self._s3_event(event, spec)
            elif etype == "sns":
                self._sns_event(event, spec)
            return event
        if etype == "sqs":
            arn = spec.get("arn") if isinstance(spec, LMap) else spec
            event = Event("sqs", loc, name=etype, queue=self._queue(arn, loc))
            event.source = self._resource_target(arn)
            if isinstance(spec, LMap):
                self._mapping_settings(event, spec, "maximumBatchingWindow")
            return event
        if etype == "stream":
            event = self._stream(spec, loc)
            if isinstance(spec, LMap):
                self._mapping_settings(event, spec, "batchWindow")
            return event
        event = Event(_EVENT_KINDS.get(etype, "other"), loc, name=etype)
        if etype == "http":
            integration = self.resolved(spec, "integration") if isinstance(spec, LMap) else None
            if integration is None or integration in ("lambda-proxy", "aws-proxy", "aws_proxy"):
                event.proxy_format = "1.0"
            elif integration not in ("lambda", "aws"):
                event.proxy_format = UNKNOWN
        elif etype == "httpApi":
            event.proxy_format = self._http_api_payload()
        return event

    def _stream(self, spec: Any, loc: Loc) -> Event:
        etype = "stream"
        arn = spec.get("arn") if isinstance(spec, LMap) else spec
        stype = self.vars.resolve(spec.get("type")) if isinstance(spec, LMap) else None
        text = self.vars.resolve(arn)
        source = self._resource_target(arn)
        kind: EventKind = "other"
        if stype == "dynamodb" or stype == "kinesis":
            kind = stype
        elif isinstance(text, str) and ":dynamodb:" in text:
            kind = "dynamodb"
        elif isinstance(text, str) and ":kinesis:" in text:
            kind = "kinesis"
        elif self._target_type(arn) == "AWS::DynamoDB::Table":
            kind = "dynamodb"
        elif self._target_type(arn) == "AWS::Kinesis::Stream":
            kind = "kinesis"
        return Event(kind, loc, name=etype, source=source)

    def _mapping_settings(self, event: Event, spec: LMap, window_key: str) -> None:
        """An `sqs` or `stream` event's event source mapping settings."""
        keys: tuple[tuple[EventSetting, str], ...] = (
            ("batch_size", "batchSize"),
            ("batching_window", window_key),
            ("max_retry_attempts", "maximumRetryAttempts"),
            ("max_record_age", "maximumRecordAgeInSeconds"),
        )
        for name, key in keys:
            if spec.get(key) is not None:
                setattr(event, name, setting(self._plain(self.vars.resolve(spec[key]))))
                event.locs[name] = self.loc(spec, key)
        if spec.get("bisectBatchOnFunctionError") is not None:
            event.bisect_on_error = as_flag(self.vars.resolve(spec["bisectBatchOnFunctionError"]))
            event.locs["bisect_on_error"] = self.loc(spec, "bisectBatchOnFunctionError")
        if spec.get("functionResponseType") is not None:
            value = self.vars.resolve(spec["functionResponseType"])
            event.response_types = [value] if isinstance(value, str) else UNKNOWN
            event.locs["response_types"] = self.loc(spec, "functionResponseType")
        if spec.get("filterPatterns") is not None:
            event.filtered = True
            event.locs["filter"] = self.loc(spec, "filterPatterns")

    def _s3_event(self, event: Event, spec: Any) -> None:
        """`s3: photos` or `s3: {bucket, event, rules: [{prefix: ...}, {suffix: ...}],
        existing}`: Serverless creates the bucket (`S3Bucket<Name>`) unless it exists."""
        bucket = self.vars.resolve(spec.get("bucket") if isinstance(spec, LMap) else spec)
        if isinstance(bucket, str):
            event.source_name = bucket
            existing = isinstance(spec, LMap) and self.vars.resolve(spec.get("existing")) is True
            if not existing:
                event.source = "S3Bucket" + _alphanumeric(bucket)
        elif _intrinsic(bucket):
            event.source = self._resource_target(bucket)
        if not isinstance(spec, LMap):
            event.s3_events = ["s3:ObjectCreated:*"]  # the framework's default
            return
        types = self.vars.resolve(spec.get("event", "s3:ObjectCreated:*"))
        if isinstance(types, str):
            event.s3_events = [types]
        rules = self.vars.resolve(spec.get("rules"))
        if rules is None:
            return
        if not isinstance(rules, list):
            event.key_prefix = UNKNOWN
            return
        for rule in rules:
            if not isinstance(rule, dict):
                event.key_prefix = UNKNOWN
                continue
            for key, value in rule.items():
                value = self.vars.resolve(value)
                if key == "prefix":
                    event.key_prefix = value if isinstance(value, str) else UNKNOWN
                elif key == "suffix":
                    event.key_suffix = value if isinstance(value, str) else UNKNOWN

    def _sns_event(self, event: Event, spec: Any) -> None:
        """`sns: topic` or `sns: {arn, topicName, filterPolicy}`."""
        if isinstance(spec, LMap):
            event.source = self._resource_target(spec.get("arn"))
            name = self.vars.resolve(spec.get("topicName"))
            event.source_name = name if isinstance(name, str) else None
            if spec.get("filterPolicy") is not None:
                event.filtered = True
                event.locs["filter"] = self.loc(spec, "filterPolicy")
        else:
            name = self.vars.resolve(spec)
            if isinstance(name, str) and not name.startswith("arn:"):
                event.source_name = name

    def _resource_target(self, value: Any) -> str | None:
        """The logical id of a resource of `resources.Resources` an intrinsic names."""
        logical = _logical_target(value)
        return logical if logical is not None and logical in self.resources else None

    def _http_api_payload(self) -> Any:
        """The payload format of the service's HTTP API: `provider.httpApi.payload`, else the
        framework's default, "2.0" since v3 (v2 defaulted to "1.0")."""
        http_api = self.provider.get("httpApi")
        if isinstance(http_api, LMap) and http_api.get("payload") is not None:
            value = self.vars.resolve(http_api["payload"])
            text = str(value).strip() if isinstance(value, (str, int, float)) else ""
            return {"1.0": "1.0", "2.0": "2.0", "1": "1.0", "2": "2.0"}.get(text, UNKNOWN)
        version = self.data.get("frameworkVersion")
        major = re.match(r"[^0-9]*([0-9]+)", str(version)) if version is not None else None
        return "2.0" if major is not None and int(major.group(1)) >= 3 else UNKNOWN

    def _target_type(self, value: Any) -> str | None:
        logical = _logical_target(value)
        res = self.resources.get(logical) if logical else None
        rtype = res.get("Type") if isinstance(res, LMap) else None
        return rtype if isinstance(rtype, str) else None

    def _queue(self, arn: Any, loc: Loc) -> Queue:
        logical = _logical_target(arn)
        res = self.resources.get(logical) if logical else None
        if isinstance(res, LMap) and res.get("Type") == "AWS::SQS::Queue":
            props = res.get("Properties")
            qloc = self.key_loc(self.resources, logical)
            fifo: bool | Unknown = False
            if isinstance(props, LMap):
                flag = as_flag(self.vars.resolve(props.get("FifoQueue")))
                name = self.vars.resolve(props.get("QueueName"))
                fifo = (
                    flag if flag is not None else isinstance(name, str) and name.endswith(".fifo")
                )
            if isinstance(props, LMap) and props.get("VisibilityTimeout") is not None:
                visibility = setting(self.vars.resolve(props["VisibilityTimeout"]))
                return Queue(
                    str(logical), visibility, qloc, self.loc(props, "VisibilityTimeout"), fifo
                )
            return Queue(str(logical), 30, qloc, fifo=fifo)
        text = self.vars.resolve(arn)
        name = text.rsplit(":", 1)[-1] if isinstance(text, str) else str(logical or "queue")
        queue = Queue(name, UNKNOWN, loc)  # a queue defined elsewhere
        queue.fifo = text.endswith(".fifo") if isinstance(text, str) else UNKNOWN
        return queue

    def _url(self, body: LMap) -> FunctionUrl | None:
        raw = body.get("url")
        if raw is None or raw is False:
            return None
        loc = self.loc(body, "url")
        if raw is True:
            return FunctionUrl("NONE", loc, loc, framework_permissions=True)
        if isinstance(raw, LMap):
            auth = self.vars.resolve(raw.get("authorizer"))
            if auth is None:
                return FunctionUrl("NONE", loc, loc, framework_permissions=True)
            auth_loc = self.loc(raw, "authorizer")
            if isinstance(auth, str) and auth.lower() == "aws_iam":
                return FunctionUrl("AWS_IAM", loc, auth_loc, framework_permissions=True)
            return FunctionUrl(UNKNOWN, loc, auth_loc, framework_permissions=True)
        return FunctionUrl(UNKNOWN, loc, loc, framework_permissions=True)


# ---------------------------------------------------------------- framework versions

Version = tuple[int, int, int]
_NEWEST: Version = (10_000, 0, 0)
_CONSTRAINT = re.compile(
    r"^(?P<op>>=|<=|>|<|=|\^|~)?v?(?P<major>[0-9]{1,6})"
    r"(?:\.(?P<minor>[0-9]{1,6}|[xX*]))?(?:\.(?P<patch>[0-9]{1,6}|[xX*]))?(?:[-+][\w.]*)?$"
)


def default_runtime(framework_version: str | int | float | None) -> str:
    """The runtime the framework deploys a function with when none is set, for the framework
    versions `frameworkVersion` (a semver range: `3`, `^3.38.0`, `>=2.0.0 <3.0.0`) allows:
    NODE_UNKNOWN_VERSION when they differ in it or the range cannot be read."""
    if framework_version is None or isinstance(framework_version, bool):
        return NODE_UNKNOWN_VERSION
    if isinstance(framework_version, float) and framework_version.is_integer():
        framework_version = int(framework_version)  # YAML `3.0` is the number 3, as in JS
    allowed = _version_range(str(framework_version))
    if allowed is None:
        return NODE_UNKNOWN_VERSION
    low, high = allowed
    found = set()
    for i, (first, runtime) in enumerate(DEFAULT_RUNTIMES):
        last = DEFAULT_RUNTIMES[i + 1][0] if i + 1 < len(DEFAULT_RUNTIMES) else _NEWEST
        if first < high and low < last:  # [first, last) meets [low, high)
            found.add(runtime)
    return found.pop() if len(found) == 1 else NODE_UNKNOWN_VERSION


def _version_range(constraint: str) -> tuple[Version, Version] | None:
    """The versions a semver range allows, as [low, high); None when it cannot be read."""
    text = re.sub(r"(>=|<=|>|<|=|\^|~)\s+", r"\1", constraint.strip())
    if not text or "||" in text or len(text) > 100:
        return None
    low: Version = (0, 0, 0)
    high: Version = _NEWEST
    for token in text.split():
        m = _CONSTRAINT.match(token)
        if m is None:
            return None
        major = int(m.group("major"))
        minor_text, patch_text = m.group("minor"), m.group("patch")
        minor = int(minor_text) if minor_text and minor_text.isdigit() else None
        patch = int(patch_text) if patch_text and patch_text.isdigit() else None
        start: Version = (major, minor or 0, patch or 0)
        # the next version past what the token names (`3` → 4.0.0, `3.1` → 3.2.0)
        if minor is None:
            after: Version = (major + 1, 0, 0)
        elif patch is None:
            after = (major, minor + 1, 0)
        else:
            after = (major, minor, patch + 1)
        op = m.group("op") or "="
        if op == "=":
            bounds = (start, after)
        elif op == "^":
            bounds = (start, (major + 1, 0, 0) if major > 0 else after)
        elif op == "~":
            bounds = (start, (major, minor + 1, 0) if minor is not None else (major + 1, 0, 0))
        elif op == ">=":
            bounds = (start, _NEWEST)
        elif op == ">":
            bounds = (after, _NEWEST)
        elif op == "<":
            bounds = ((0, 0, 0), start)
        else:  # <=
            bounds = ((0, 0, 0), after)
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return (low, high) if low < high else None


# ---------------------------------------------------------------- small helpers


_BUILD_OUTPUTS = {
    "build",
    "dist",
    "out",
    "target",
    ".build",
    "bin",
    "lib",
    "publish",
    ".webpack",
    ".esbuild",
}


def _build_output(base: Path, handler: str) -> bool:
    """A handler under a build output folder that does not exist yet (`build/main.handler`)."""
    first = handler.split("/", 1)[0] if "/" in handler else ""
    return first.lower() in _BUILD_OUTPUTS and not (base / first).exists()


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _first_variable(raw: str) -> str | None:
    m = _VARIABLE.search(raw)
    return m.group(1).split(",")[0].strip() if m else None


def _alphanumeric(name: str) -> str:
    """A name as the framework puts it in a logical id: letters and digits, the first upper."""
    kept = re.sub(r"[^0-9A-Za-z]", "", name)
    return kept[:1].upper() + kept[1:]


def _logical_id(key: str) -> str:
    """Serverless's normalized function name: first letter upper, `-` → `Dash`,
    `_` → `Underscore`."""
    normalized = key.replace("-", "Dash").replace("_", "Underscore")
    return normalized[:1].upper() + normalized[1:]


def _logical_target(value: Any) -> str | None:
    """The logical id in `!GetAtt Q.Arn`, `{Fn::GetAtt: [Q, Arn]}` or `!Ref Q`."""
    name = _intrinsic(value)
    if name == "Fn::GetAtt":
        arg = value[name]
        if isinstance(arg, list) and arg and isinstance(arg[0], str):
            return arg[0]
        if isinstance(arg, str):
            return arg.split(".", 1)[0]
    if name == "Ref" and isinstance(value[name], str):
        return str(value[name])
    return None


def _describe_intrinsic(value: Any) -> str:
    """A placeholder text for an intrinsic that names a resource (`Queue.Arn`), else ''."""
    name = _intrinsic(value)
    arg = value[name] if name else None
    if name == "Fn::GetAtt":
        if isinstance(arg, list) and all(isinstance(a, str) for a in arg):
            return ".".join(arg)
        return str(arg) if isinstance(arg, str) else ""
    if name == "Ref" and isinstance(arg, str):
        return arg
    return ""


def _keep_pseudo(value: str, variables: Variables) -> Any:
    """Resolve what can be, keep pseudo values (`${aws:region}`, `${AWS::AccountId}`) and
    CloudFormation resource names as placeholders; UNKNOWN if anything else is unresolvable."""
    try:
        return variables.interpolate(
            value,
            keep=lambda inner: inner.startswith(_PSEUDO) or bool(_CFN_PLACEHOLDER.match(inner)),
        )
    except _Unresolved:
        return UNKNOWN
