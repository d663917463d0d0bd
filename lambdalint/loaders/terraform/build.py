"""Terraform `aws_lambda_function` resources → Function: shared by the source files (HCL and JSON
syntax, files.py) and plans (plan.py).

A function is an `aws_lambda_function`; the resources around it are found by following the
references between them (`role = aws_iam_role.fn.arn`, a log group named
`/aws/lambda/${aws_lambda_function.fn.function_name}`, an event source mapping whose
`function_name` points back at the function ...). Links are made only through references or
equal names, never by guessing from proximity.
"""

from __future__ import annotations

from typing import Any

from lambdalint.loaders import iam_policy
from lambdalint.loaders.terraform.model import (
    Call,
    FileText,
    Opaque,
    Ref,
    Resolved,
    Resource,
    Scope,
    SourceText,
    Template,
    blocks,
    first_block,
    refs_in,
)
from lambdalint.model import (
    UNKNOWN,
    CodeKind,
    CodeLocation,
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
    Permission,
    Pos,
    Prop,
    Queue,
    Role,
    Statement,
    as_flag,
)
from lambdalint.numeric import setting
from lambdalint.reading.positions import LList, LMap

LAMBDA = "aws_lambda_function"

# AWS managed policy ARNs start like this; any other ARN is a policy lambdalint cannot read
AWS_MANAGED_PREFIX = "arn:aws:iam::aws:policy/"


# ---------------------------------------------------------------- functions


def build_function(scope: Scope, res: Resource, framework: Framework, links: Links) -> Function:
    body = res.body
    fn = Function(name=res.address, framework=framework, loc=res.loc)
    if body.get("function_name") is not None:
        fn.function_name = _string_or_unknown(scope.evaluate(body["function_name"]))
        fn.function_name_loc = res.loc_of(body, "function_name")
    fn.runtime = _prop(scope, res, body, "runtime")
    fn.handler = _prop(scope, res, body, "handler")
    fn.timeout = _prop(scope, res, body, "timeout")
    fn.memory = _prop(scope, res, body, "memory_size")
    if first_block(body, "capacity_provider_config") is not None:
        fn.managed_instances = True
    elif "dynamic:capacity_provider_config" in body:
        fn.managed_instances = UNKNOWN
    concurrency = _prop(scope, res, body, "reserved_concurrent_executions")
    fn.reserved_concurrency = (
        None if concurrency is not None and concurrency.value == -1 else concurrency
    )
    package = scope.evaluate(body.get("package_type"))
    fn.package_type = "Image" if package == "Image" else "Zip"
    tracing = first_block(body, "tracing_config")
    if tracing is not None:
        fn.tracing = _prop(scope, res, tracing, "mode")
    dlq = first_block(body, "dead_letter_config")
    if dlq is not None and dlq.get("target_arn") is not None:
        fn.dead_letter = Prop(link_value(scope, dlq["target_arn"]), res.loc_of(dlq, "target_arn"))
    logging = first_block(body, "logging_config")
    if logging is not None and logging.get("log_group") is not None:
        fn.logging_config_group = Prop(
            link_value(scope, logging["log_group"]), res.loc_of(logging, "log_group")
        )
    fn.layers = layers(scope, res)
    fn.architectures = _list_values(scope, body.get("architectures"))
    tags = scope.evaluate(body.get("tags"))
    if isinstance(tags, dict):
        fn.tags = {str(k): _plain(v) for k, v in tags.items() if isinstance(k, str)}
    fn.code = code_location(scope, res, links)
    fn.environment, fn.environment_complete = environment(scope, res)
    fn.role = links.role(res)
    fn.log_groups = log_groups(scope, res, links)
    fn.events = events(scope, res, links)
    fn.permissions = permissions(scope, res, links)
    fn.url = function_url(scope, res, links)
    fn.on_failure = on_failure(scope, res, links)
    fn.suppressed = dict(res.suppressed)
    return fn


def _string_or_unknown(value: Any) -> Any:
    return str(value) if isinstance(value, str) else UNKNOWN


def _plain(value: Any) -> Any:
    """Model values are plain: a SourceText (str with a position) becomes a str."""
    return str(value) if isinstance(value, str) else value


def _prop(scope: Scope, res: Resource, body: LMap, key: str) -> Prop[Any] | None:
    if key not in body or body[key] is None:
        return None
    value = scope.evaluate(body[key])
    if value is None:
        return None
    return Prop(_plain(value), res.loc_of(body, key))


def link_value(scope: Scope, expr: Any) -> Any:
    """A value whose presence matters more than its text (a DLQ ARN, a log group name):
    the evaluated string, else its symbolic form (`${aws_sqs_queue.dlq.arn}`)."""
    value = scope.evaluate(expr)
    if isinstance(value, str):
        return str(value)
    rendered = scope.render(expr)
    return rendered if rendered else UNKNOWN


def _list_values(scope: Scope, expr: Any) -> list[Any]:
    value = scope.evaluate(expr)
    if isinstance(value, list):
        return [str(v) if isinstance(v, str) else UNKNOWN for v in value]
    return []


# ---------------------------------------------------------------- links, indexed once


# resources that upload a file to S3 (the second is the name before AWS provider 4)
_S3_OBJECTS = ("aws_s3_object", "aws_s3_bucket_object")
# how many name patterns (`/aws/lambda/${var.prefix}-x`) one function's name is compared with;
# resources that name a role without assuming it themselves
_ROLE_NAMERS = frozenset(
    {
        LAMBDA,
        "aws_iam_role_policy",
        "aws_iam_role_policy_attachment",
        "aws_iam_policy_attachment",
        "aws_iam_role_policy_attachments_exclusive",
        "aws_iam_policy",
        "aws_lambda_permission",
    }
)
# past that, a group is assumed to be possibly the function's (its logs unknown, no finding)
MAX_PATTERN_CHECKS = 256
# `...:function:<name>` suffixes indexed per name (a name is an ARN with one, rarely two)
_MAX_SUFFIXES = 4


class Links:
    """Which resources of a module point at which function, role or log group: every
    reference and name is read once, so N functions with N log groups, N roles and N
    permissions cost N lookups, not N × N comparisons."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self._pointing: dict[tuple[str, str, str], dict[int, list[tuple[Resource, Any]]]] = {}
        self._naming: dict[str, _NameIndex] = {}
        self._roles: dict[int, Role] = {}
        self._role_links: dict[str, _NameIndex] | None = None
        self._role_users: set[int] | None = None
        self._groups: _GroupIndex | None = None
        self._uploads: dict[str, list[Resource]] | None = None  # S3 objects by rendered key

    def pointing(
        self, rtype: str, key: str, target: Resource, block: str = ""
    ) -> list[tuple[Resource, Any]]:
        """(resource, its body or `block`) of type `rtype` whose `key` (inside each `block`)
        refers to `target`, in declaration order."""
        index = self._pointing.get((rtype, block, key))
        if index is None:
            index = {}
            for res in self.scope.all(rtype):
                bodies = blocks(res.body, block) if block else [res.body]
                for body in bodies:
                    seen: set[int] = set()
                    for ref in refs_in(body.get(key)):
                        found, _ = self.scope.target(ref)
                        if found is not None and id(found) not in seen:
                            seen.add(id(found))
                            index.setdefault(id(found), []).append((res, body))
            self._pointing[(rtype, block, key)] = index
        return index.get(id(target), [])

    def naming(self, rtype: str, fn_res: Resource, key: str = "function_name") -> list[Resource]:
        """Resources of type `rtype` whose `key` designates the function: by reference, by the
        same literal (or same symbolic) function name, or by an ARN ending `:function:<name>`."""
        index = self._naming.get(rtype)
        if index is None:
            index = _NameIndex(self.scope, self.scope.all(rtype), key, suffixes=True)
            self._naming[rtype] = index
        mine = self.scope.render(fn_res.body.get("function_name"))
        return index.find(fn_res, mine, suffixes=True)

    def role(self, res: Resource) -> Role | None:
        """The function's role; one model for every function of the module that assumes it."""
        raw = res.body.get("role")
        if raw is None:
            return None
        loc = res.loc_of(res.body, "role")
        role_res, _ = self.scope.first_target(raw, ("aws_iam_role",))
        if role_res is None:
            return Role(known=False, loc=loc, name=self.scope.render(raw))
        if id(role_res) not in self._roles:
            self._roles[id(role_res)] = build_role(self.scope, role_res, self)
        return self._roles[id(role_res)]

    def assumed_elsewhere(self, role_res: Resource) -> bool:
        """Something other than a function or a policy attachment refers to the role (a state
        machine, an ECS task, an instance profile)."""
        if self._role_users is None:
            found: set[int] = set()
            for (mode, rtype, _), resources in self.scope.resources.items():
                if mode != "managed" or rtype in _ROLE_NAMERS:
                    continue
                for res in resources:
                    for ref in refs_in(res.body):
                        target, _ = self.scope.target(ref)
                        if target is not None and target.type == "aws_iam_role":
                            found.add(id(target))
            self._role_users = found
        return id(role_res) in self._role_users

    def attached(self, rtype: str, key: str, role_res: Resource) -> list[Resource]:
        """Resources of type `rtype` whose `key` names the role (by reference or name)."""
        if self._role_links is None:
            self._role_links = {}
        index = self._role_links.get(rtype)
        if index is None:
            index = _NameIndex(self.scope, self.scope.all(rtype), key, suffixes=False)
            self._role_links[rtype] = index
        name = self.scope.evaluate(role_res.body.get("name"))
        return index.find(role_res, str(name) if isinstance(name, str) and name else None)

    def uploaded_archive(self, fn_res: Resource) -> Resource | None:
        """The archive_file whose output an `aws_s3_object` uploads to the function's `s3_key`
        (by reference, or the same key in the same bucket), when `source_code_hash` names no
        other archive: the code is that archive's source."""
        body = fn_res.body
        key = body.get("s3_key")
        if key is None:
            return None
        upload, rest = self.scope.first_target(key, _S3_OBJECTS)
        if upload is None or rest not in ((), ("key",), ("id",)):
            upload = self._upload_by_key(body)
        if upload is None:
            return None
        archive, rest = _archive_of(self.scope, upload.body.get("source"))
        if archive is None or (rest and rest[0] != "output_path"):
            return None
        hashed, _ = _archive_of(self.scope, body.get("source_code_hash"))
        return archive if hashed is None or hashed is archive else None

    def _upload_by_key(self, body: LMap) -> Resource | None:
        """The S3 object written to the same bucket and key as the function's code, if one."""
        if self._uploads is None:
            self._uploads = {}
            for obj in (r for rtype in _S3_OBJECTS for r in self.scope.all(rtype)):
                name = self.scope.render(obj.body.get("key"))
                if name:
                    self._uploads.setdefault(name, []).append(obj)
        name = self.scope.render(body.get("s3_key"))
        bucket = self.scope.render(body.get("s3_bucket"))
        found = [
            obj
            for obj in self._uploads.get(name or "", ())
            if bucket is None or self.scope.render(obj.body.get("bucket")) in (bucket, None)
        ]
        return found[0] if len(found) == 1 else None

    def groups(self) -> _GroupIndex:
        if self._groups is None:
            self._groups = _GroupIndex(self.scope, self)
        return self._groups


class _NameIndex:
    """Resources by what one attribute designates: the resources it refers to, its value (a
    name, or each name of a list) and, for function names, the `<name>` of `...:function:<name>`."""

    def __init__(self, scope: Scope, resources: list[Resource], key: str, suffixes: bool) -> None:
        self.order = {id(res): i for i, res in enumerate(resources)}
        self.by_target: dict[int, list[Resource]] = {}
        self.by_name: dict[str, list[Resource]] = {}
        self.by_suffix: dict[str, list[Resource]] = {}
        for res in resources:
            expr = res.body.get(key)
            if expr is None:
                continue
            seen: set[int] = set()
            for ref in refs_in(expr):
                found, _ = scope.target(ref)
                if found is not None and id(found) not in seen:
                    seen.add(id(found))
                    self.by_target.setdefault(id(found), []).append(res)
            names: set[str] = set()
            if suffixes:  # a function name or ARN, rendered (symbolic parts kept)
                theirs = scope.render(expr)
                if theirs:
                    names.add(theirs)
                    start = 0
                    for _ in range(_MAX_SUFFIXES):
                        at = theirs.find(":function:", start)
                        if at < 0:
                            break
                        self.by_suffix.setdefault(theirs[at + len(":function:") :], []).append(res)
                        start = at + 1
            else:  # a role name, or a list of them
                value = scope.evaluate(expr)
                if isinstance(value, str):
                    names.add(str(value))
                elif isinstance(value, list):
                    names.update(str(v) for v in value if isinstance(v, str))
            for name in names:
                self.by_name.setdefault(name, []).append(res)

    def find(self, target: Resource, name: str | None, suffixes: bool = False) -> list[Resource]:
        found = list(self.by_target.get(id(target), ()))
        if name:
            found.extend(self.by_name.get(name, ()))
            if suffixes:
                found.extend(self.by_suffix.get(name, ()))
        unique = {id(res): res for res in found}
        return sorted(unique.values(), key=lambda res: self.order[id(res)])


class _GroupIndex:
    """The module's log groups: by rendered name, the ones whose name is only partly known
    (with a retention: they may be any function's), and the ones API stages log access to."""

    def __init__(self, scope: Scope, links: Links) -> None:
        self.scope = scope
        self.groups = scope.all("aws_cloudwatch_log_group")
        self.order = {id(lg): i for i, lg in enumerate(self.groups)}
        self.by_name: dict[str, list[Resource]] = {}
        self.partial: list[tuple[Resource, str]] = []
        access = _access_log_groups(scope)
        for lg in self.groups:
            name = scope.render(lg.body.get("name"))
            if name is None:
                continue
            self.by_name.setdefault(name, []).append(lg)
            if (
                "${" in name
                and lg.body.get("retention_in_days") is not None
                and id(lg) not in access
            ):
                self.partial.append((lg, name))

    def of_function(self, names: list[str], custom: Any) -> tuple[list[Resource], Resource | None]:
        """The groups named `names` or referred to by `custom`, and the first group whose
        partly known name may be one of `names` (None if none may)."""
        found: dict[int, Resource] = {}
        for name in names:
            for lg in self.by_name.get(name, ()):
                found[id(lg)] = lg
        if custom is not None:
            for ref in refs_in(custom):
                target, _ = self.scope.target(ref)
                if target is not None and id(target) in self.order:
                    found[id(target)] = target
        matched = sorted(found.values(), key=lambda lg: self.order[id(lg)])
        checks = 0
        for lg, pattern in self.partial:
            if id(lg) in found:
                continue
            checks += 1
            if checks > MAX_PATTERN_CHECKS or any(self.scope.may_equal(pattern, n) for n in names):
                return matched, lg
        return matched, None

    def order_of(self, lg: Resource) -> int:
        return self.order[id(lg)]


def _access_log_groups(scope: Scope) -> set[int]:
    """Log groups API Gateway stages write access logs to: never a function's group."""
    out: set[int] = set()
    for rtype in ("aws_api_gateway_stage", "aws_apigatewayv2_stage"):
        for stage in scope.all(rtype):
            for block in blocks(stage.body, "access_log_settings"):
                for ref in refs_in(block.get("destination_arn")):
                    lg, _ = scope.target(ref)
                    if lg is not None and lg.type == "aws_cloudwatch_log_group":
                        out.add(id(lg))
    return out


# ---------------------------------------------------------------- layers


def layers(scope: Scope, res: Resource) -> list[Layer]:
    body = res.body
    raw = body.get("layers")
    if raw is None:
        return []
    if not isinstance(raw, LList):
        value = scope.evaluate(raw)  # concat(...), a variable: the list may still be known
        if isinstance(value, list):
            return [_layer_value(scope, v, res.loc_of(body, "layers")) for v in value]
        return [Layer(UNKNOWN, res.loc_of(body, "layers"), "given by an expression")]
    out = []
    for i, item in enumerate(raw):
        loc = Loc(res.path, raw.item_pos[i] if i < len(raw.item_pos) else raw.pos)
        layer, _ = scope.first_target(item, ("aws_lambda_layer_version",))
        if layer is not None:
            out.append(_layer_resource(scope, layer, loc))
        else:
            out.append(_layer_value(scope, item, loc))
    return out


def _layer_value(scope: Scope, expr: Any, loc: Loc) -> Layer:
    value = scope.evaluate(expr)
    if isinstance(value, str):
        return Layer(str(value), loc, str(value))
    return Layer(UNKNOWN, loc, scope.render(expr) or "given by an expression")


def _layer_resource(scope: Scope, layer: Resource, loc: Loc) -> Layer:
    """An `aws_lambda_layer_version` of the module: its content when `filename` is a local zip
    or an `archive_file` of a local folder or file."""
    code = _filename_code(scope, layer, layer.body)
    content = code.path if code.kind in ("dir", "zip") and code.path is not None else None
    try:
        if content is not None and not content.exists():
            content = None  # produced by a build step, or not there at all: cannot be opened
    except (OSError, ValueError):
        content = None
    return Layer(UNKNOWN, loc, layer.address, content)


# ---------------------------------------------------------------- code location


def code_location(scope: Scope, res: Resource, links: Links) -> CodeLocation:
    body = res.body
    if scope.evaluate(body.get("package_type")) == "Image" or body.get("image_uri") is not None:
        return CodeLocation("image", res.loc_of(body, "image_uri"))
    if body.get("s3_bucket") is not None:
        uploaded = links.uploaded_archive(res)
        if uploaded is not None:
            return _archive_code(scope, uploaded, res.loc_of(body, "s3_key"))
        return CodeLocation("s3", res.loc_of(body, "s3_bucket"))
    return _filename_code(scope, res, body)


def _filename_code(scope: Scope, res: Resource, body: LMap) -> CodeLocation:
    """The code named by `filename`: a local zip, or the source of an `archive_file`."""
    raw = body.get("filename")
    if raw is None:
        return CodeLocation("unknown", res.loc)
    loc = res.loc_of(body, "filename")
    archive, rest = _archive_of(scope, raw)
    if archive is not None:
        if rest and rest[0] not in ("output_path",):
            return CodeLocation("unknown", loc)
        return _archive_code(scope, archive, loc)
    value = scope.evaluate(raw)
    if not isinstance(value, str) or not value:
        return CodeLocation("unknown", loc)
    path = scope.resolve_path(str(value))
    lower = value.lower()
    kind: CodeKind = "jar" if lower.endswith((".jar", ".war")) else "zip"
    return CodeLocation(kind, loc, path=path, declared=str(value), direct_upload=True)


def _archive_of(scope: Scope, expr: Any) -> tuple[Resource | None, tuple[str | int, ...]]:
    """The archive_file (data source, or the older resource) an expression refers to."""
    archive, rest = scope.first_target(expr, ("archive_file",), mode="data")
    if archive is None:
        archive, rest = scope.first_target(expr, ("archive_file",))
    return archive, rest


def _archive_code(scope: Scope, archive: Resource, fallback: Loc) -> CodeLocation:
    body = archive.body
    sources: tuple[tuple[str, CodeKind], ...] = (("source_dir", "dir"), ("source_file", "file"))
    for key, kind in sources:
        if body.get(key) is None:
            continue
        loc = archive.loc_of(body, key)
        value = scope.evaluate(body[key])
        if not isinstance(value, str) or not value:
            return CodeLocation("unknown", loc)
        return CodeLocation(kind, loc, path=scope.resolve_path(str(value)), declared=str(value))
    return CodeLocation("unknown", fallback)  # `source { content = ... }` blocks


# ---------------------------------------------------------------- environment


def environment(scope: Scope, res: Resource) -> tuple[dict[str, Any], bool]:
    body = res.body
    if "dynamic:environment" in body:
        return {}, False
    env = first_block(body, "environment")
    if env is None:
        return {}, True
    if "variables" not in env or env["variables"] is None:
        return {}, True
    raw = env["variables"]
    complete = True
    if not isinstance(raw, LMap):
        raw = scope.evaluate(raw)  # merge({...}, {...}) of known maps
        if not isinstance(raw, LMap):
            return {}, False
    out: dict[str, EnvVar] = {}
    for name, expr in raw.items():
        if not isinstance(name, str):
            complete = False
            continue
        loc = Loc(res.path, raw.value_pos.get(name, raw.pos))
        variable = out[name] = classify_env(scope, name, expr, loc)
        variable.text = _env_rendered(scope, expr)
    return out, complete


def _env_rendered(scope: Scope, expr: Any) -> str | None:
    """The value with references to other resources as `${type.name.attr}` placeholders."""
    if isinstance(expr, Resolved):
        # a planned value: known, or a single reference whose value is known after apply
        if isinstance(expr.value, str):
            return str(expr.value)
        refs = list(expr.refs)
        return "${" + refs[0].dotted() + "}" if expr.value is None and len(refs) == 1 else None
    if isinstance(expr, Opaque):
        return None
    text = scope.evaluate_named(expr)
    return str(text) if isinstance(text, str) else None


def classify_env(scope: Scope, name: str, expr: Any, loc: Loc) -> EnvVar:
    """literal (written in the configuration), parameter (from an input variable), reference
    (from another resource or data source), or unknown."""
    if isinstance(expr, Opaque):
        return EnvVar(name, UNKNOWN, loc, kind="unknown")
    text = _env_text(scope.evaluate(expr))
    refs = list(refs_in(expr))
    if not refs and not isinstance(expr, Call):
        return (
            EnvVar(name, text, loc)
            if text is not UNKNOWN
            else EnvVar(name, UNKNOWN, loc, kind="unknown")
        )
    heads = {r.parts[0] for r in refs if r.parts}
    if heads <= {"local", "path"} and text is not UNKNOWN:
        return EnvVar(name, text, loc)
    variables = [str(r.parts[1]) for r in refs if len(r.parts) > 1 and r.parts[0] == "var"]
    if variables and heads <= {"var", "local", "path"}:
        sensitive = any(v in scope.variables and scope.variables[v].sensitive for v in variables)
        return EnvVar(
            name, text, loc, kind="parameter", parameter=variables[0], parameter_no_echo=sensitive
        )
    if refs:
        if isinstance(expr, Resolved):
            # a planned value read from another resource or data source (a secret's
            # secret_string, a generated password): not something written in the configuration
            text = UNKNOWN
        return EnvVar(name, text, loc, kind="reference", resource=_named_resource(scope, expr))
    return EnvVar(name, UNKNOWN, loc, kind="unknown")


def _named_resource(scope: Scope, expr: Any) -> str | None:
    """The address of the managed resource an expression is an attribute of, when it is
    nothing else (`aws_s3_bucket.uploads.id`, `"${aws_sqs_queue.jobs.url}"`)."""
    if isinstance(expr, Template) and len(expr.parts) == 1:
        expr = expr.parts[0]
    if isinstance(expr, Resolved):
        # a plan lists the resource beside its attribute (`aws_s3_bucket.b.id`, `aws_s3_bucket.b`)
        found = {_named_resource(scope, ref) for ref in expr.refs}
        return found.pop() if len(found) == 1 else None
    if not isinstance(expr, Ref):
        return None
    res, rest = scope.target(expr)
    if res is None or res.mode != "managed" or len(rest) > 1:
        return None
    return res.address


def _env_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if value is None:
        return ""
    return UNKNOWN


# ---------------------------------------------------------------- IAM


def build_role(scope: Scope, role_res: Resource, links: Links) -> Role:
    """An aws_iam_role with its inline policies and the policies attached to it."""
    out = Role(known=True, loc=role_res.loc, name=role_res.address)
    out.other_users = links.assumed_elsewhere(role_res)
    body = role_res.body
    if "dynamic:inline_policy" in body:
        out.incomplete = True
    for block in blocks(body, "inline_policy"):
        if block.get("policy") not in (None, ""):
            _add_policy(
                scope,
                out,
                block["policy"],
                role_res,
                block,
                "policy",
                f"{role_res.address} inline_policy",
            )
    if body.get("managed_policy_arns") is not None:
        attach_policy_list(
            scope, out, body["managed_policy_arns"], role_res, body, "managed_policy_arns"
        )
    for rp in links.attached("aws_iam_role_policy", "role", role_res):
        if rp.body.get("policy") is None:
            out.incomplete = True
            continue
        _add_policy(scope, out, rp.body["policy"], rp, rp.body, "policy", rp.address)
    for att in links.attached("aws_iam_role_policy_attachment", "role", role_res):
        attach_policy(scope, out, att.body.get("policy_arn"), att, att.body, "policy_arn")
    for att in links.attached("aws_iam_policy_attachment", "roles", role_res):
        attach_policy(scope, out, att.body.get("policy_arn"), att, att.body, "policy_arn")
    for att in links.attached("aws_iam_role_policy_attachments_exclusive", "role_name", role_res):
        attach_policy_list(scope, out, att.body.get("policy_arns"), att, att.body, "policy_arns")
    return out


def attach_policy_list(
    scope: Scope, out: Role, expr: Any, owner: Resource, body: LMap, key: str
) -> None:
    if isinstance(expr, LList):
        for i, item in enumerate(expr):
            pos = expr.item_pos[i] if i < len(expr.item_pos) else expr.pos
            attach_policy(scope, out, item, owner, body, key, Loc(owner.path, pos))
        return
    value = scope.evaluate(expr)
    if isinstance(value, list):
        for item in value:
            attach_policy(scope, out, item, owner, body, key)
    elif expr is not None:
        out.incomplete = True


def attach_policy(
    scope: Scope,
    out: Role,
    expr: Any,
    owner: Resource,
    body: LMap,
    key: str,
    loc: Loc | None = None,
) -> None:
    """A policy attached by ARN: an aws_iam_policy in the configuration, or a managed policy."""
    loc = loc or owner.loc_of(body, key)
    if expr is None:
        out.incomplete = True
        return
    policy_res, _ = scope.first_target(expr, ("aws_iam_policy",))
    if policy_res is not None:
        if policy_res.body.get("policy") is None:
            out.incomplete = True
            return
        _add_policy(
            scope,
            out,
            policy_res.body["policy"],
            policy_res,
            policy_res.body,
            "policy",
            policy_res.address,
        )
        return
    data_policy, _ = scope.first_target(expr, ("aws_iam_policy",), mode="data")
    if data_policy is not None:
        expr = data_policy.body.get("arn") or data_policy.body.get("name")
    value = scope.evaluate(expr)
    if not isinstance(value, str) or not value:
        out.incomplete = True
        return
    out.managed_policies.append(ManagedPolicy(str(value), loc))
    if not str(value).startswith(AWS_MANAGED_PREFIX):
        out.incomplete = True  # a customer managed policy defined elsewhere


def _add_policy(
    scope: Scope, out: Role, expr: Any, owner: Resource, body: LMap, key: str, source: str
) -> None:
    stmts, complete = policy_statements(scope, expr, owner, body, key, source)
    out.statements.extend(stmts)
    if not complete:
        out.incomplete = True


def policy_statements(
    scope: Scope, expr: Any, owner: Resource, body: LMap, key: str, source: str, depth: int = 0
) -> tuple[list[Statement], bool]:
    """The statements of a `policy` attribute: jsonencode({...}), a JSON string or heredoc,
    file("policy.json"), or data.aws_iam_policy_document.x.json."""
    fallback = owner.loc_of(body, key)
    if depth > 8:
        return [], False
    doc_res, rest = scope.first_target(expr, ("aws_iam_policy_document",), mode="data")
    if doc_res is not None and (not rest or rest[0] in ("json", "minified_json")):
        return document_statements(scope, doc_res, depth + 1)
    if isinstance(expr, Call) and expr.name == "jsonencode" and len(expr.args) == 1:
        doc = scope.evaluate_named(expr.args[0])
        if isinstance(doc, LMap) and fallback.path == owner.path:
            return iam_policy.statements(doc, owner.path, fallback.pos, source)
        return iam_policy.statements(
            doc, owner.path, fallback.pos, source, pos_map=lambda _: fallback.pos
        )
    value = scope.evaluate(expr)
    if isinstance(value, FileText):  # file("policy.json"), directly or through a local
        data, shift = iam_policy.parse_text(value.text, value.path, Pos(1, 1), scope.reader.limits)
        return iam_policy.statements(data, value.path, Pos(1, 1), source, pos_map=shift)
    if not isinstance(value, str):
        return [], False
    start = value.start if isinstance(value, SourceText) and value.verbatim else None
    data, shift = iam_policy.parse_text(str(value), owner.path, start, scope.reader.limits)
    if start is None:

        def shift(_: Pos) -> Pos:
            return fallback.pos

    return iam_policy.statements(data, owner.path, fallback.pos, source, pos_map=shift)


def document_statements(
    scope: Scope, doc_res: Resource, depth: int = 0
) -> tuple[list[Statement], bool]:
    """An aws_iam_policy_document data source: its statement blocks, plus the documents it
    merges (source_policy_documents / override_policy_documents)."""
    body = doc_res.body
    source = doc_res.address
    complete = "dynamic:statement" not in body
    out: list[Statement] = []
    for key in ("source_policy_documents", "override_policy_documents"):
        items = body.get(key)
        if items is None:
            continue
        if not isinstance(items, LList):
            complete = False
            continue
        for item in items:
            stmts, ok = policy_statements(scope, item, doc_res, body, key, source, depth + 1)
            out.extend(stmts)
            complete = complete and ok
    for key in ("source_json", "override_json"):
        if body.get(key) is not None:
            stmts, ok = policy_statements(scope, body[key], doc_res, body, key, source, depth + 1)
            out.extend(stmts)
            complete = complete and ok
    for block in blocks(body, "statement"):
        effect = scope.evaluate(block.get("effect", "Allow"))
        actions = iam_policy.strings(scope.evaluate(block.get("actions")))
        if any(str(k).startswith("dynamic:") for k in block):
            # a dynamic block inside the statement may add actions lambdalint cannot see
            actions = iam_policy.Strings(actions.values, unknown=True)
        out.append(
            iam_policy.build_statement(
                effect=effect,
                actions=actions,
                not_actions=iam_policy.strings(scope.evaluate(block.get("not_actions"))),
                resources=iam_policy.strings(scope.evaluate_named(block.get("resources"))),
                not_resources=iam_policy.strings(scope.evaluate_named(block.get("not_resources"))),
                has_condition=bool(blocks(block, "condition")) or "dynamic:condition" in block,
                loc=Loc(doc_res.path, block.pos),
                source=source,
                action_loc=_block_loc(doc_res, block, ("actions", "not_actions")),
                resource_loc=_block_loc(doc_res, block, ("resources", "not_resources")),
            )
        )
    return out, complete


def _block_loc(res: Resource, block: LMap, keys: tuple[str, ...]) -> Loc | None:
    for key in keys:
        if block.get(key) is not None:
            return res.loc_of(block, key)
    return None


# ---------------------------------------------------------------- logs


def log_groups(scope: Scope, res: Resource, links: Links) -> list[LogGroup]:
    """Log groups that receive this function's logs: `/aws/lambda/<function_name>` (literal or
    built from the function's own name) or the group named by logging_config.log_group."""
    name = scope.render(res.body.get("function_name"))
    expected = "/aws/lambda/" + name if name else None
    logging = first_block(res.body, "logging_config")
    custom = logging.get("log_group") if logging is not None else None
    custom_name = scope.render(custom) if custom is not None else None
    names = [n for n in (expected, custom_name) if n]
    matched, maybe = links.groups().of_function(names, custom)
    out = []
    for lg in sorted(matched + ([maybe] if maybe is not None else []), key=links.groups().order_of):
        retention: Any = None
        retention_loc = None
        if lg.body.get("retention_in_days") is not None:
            retention = setting(scope.evaluate(lg.body["retention_in_days"]))
            retention_loc = lg.loc_of(lg.body, "retention_in_days")
        if lg is maybe:
            # a group whose name is only partly known and may be this function's, with a
            # retention: it may well be the one, so nothing can be said
            out.append(LogGroup(UNKNOWN, UNKNOWN, lg.loc, retention_loc))
            continue
        group_name = scope.evaluate(lg.body.get("name"))
        out.append(LogGroup(_string_or_unknown(group_name), retention, lg.loc, retention_loc))
    return out


# ---------------------------------------------------------------- events and access

_STREAM_KINDS: dict[str, EventKind] = {
    "aws_sqs_queue": "sqs",
    "aws_kinesis_stream": "kinesis",
    "aws_dynamodb_table": "dynamodb",
    "aws_msk_cluster": "msk",
    "aws_mq_broker": "mq",
}
_ARN_KINDS: dict[str, EventKind] = {
    "sqs": "sqs",
    "kinesis": "kinesis",
    "dynamodb": "dynamodb",
    "kafka": "msk",
    "mq": "mq",
}


def events(scope: Scope, fn_res: Resource, links: Links) -> list[Event]:
    out: list[Event] = []
    for esm in links.naming("aws_lambda_event_source_mapping", fn_res):
        out.append(mapping_event(scope, esm))
    for integ, _ in links.pointing("aws_apigatewayv2_integration", "integration_uri", fn_res):
        api, _ = scope.first_target(integ.body.get("api_id"), ("aws_apigatewayv2_api",))
        protocol = scope.evaluate(api.body.get("protocol_type")) if api is not None else "HTTP"
        kind: EventKind = "api" if protocol == "WEBSOCKET" else "http-api"
        event = Event(kind, integ.loc, name=integ.address)
        if kind == "http-api":
            # the provider's default payload_format_version is "1.0"
            version = optional(scope, integ.body, "payload_format_version")
            event.proxy_format = _payload_format("1.0" if version is None else version)
            if version is not None:
                event.locs["proxy_format"] = integ.loc_of(integ.body, "payload_format_version")
        out.append(event)
    for api, _ in links.pointing("aws_apigatewayv2_api", "target", fn_res):
        # quick create: a payload 2.0 Lambda proxy (WebSocket APIs have no quick create)
        out.append(Event("http-api", api.loc, name=api.address, proxy_format="2.0"))
    for integ, _ in links.pointing("aws_api_gateway_integration", "uri", fn_res):
        kind_value = scope.evaluate(integ.body.get("type"))
        proxy: Any = UNKNOWN
        if isinstance(kind_value, str):
            proxy = {"AWS_PROXY": "1.0", "AWS": None}.get(kind_value.upper(), UNKNOWN)
        out.append(Event("api", integ.loc, name=integ.address, proxy_format=proxy))
    for note, block in links.pointing(
        "aws_s3_bucket_notification", "lambda_function_arn", fn_res, block="lambda_function"
    ):
        out.append(_s3_event(scope, note, block))
    for sub, _ in links.pointing("aws_sns_topic_subscription", "endpoint", fn_res):
        event = Event("sns", sub.loc, name=sub.address, is_async=True)
        topic, _ = scope.first_target(sub.body.get("topic_arn"), ("aws_sns_topic",))
        event.source = topic.address if topic is not None else None
        event.filtered = _present(scope, sub.body, "filter_policy")
        out.append(event)
    for target, _ in links.pointing("aws_cloudwatch_event_target", "arn", fn_res):
        rule, _ = scope.first_target(target.body.get("rule"), ("aws_cloudwatch_event_rule",))
        scheduled = rule is not None and rule.body.get("schedule_expression") is not None
        out.append(
            Event(
                "schedule" if scheduled else "eventbridge",
                target.loc,
                name=target.address,
                is_async=True,
            )
        )
    for sched, _ in links.pointing("aws_scheduler_schedule", "arn", fn_res, block="target"):
        out.append(Event("schedule", sched.loc, name=sched.address, is_async=True))
    for sub, _ in links.pointing(
        "aws_cloudwatch_log_subscription_filter", "destination_arn", fn_res
    ):
        out.append(Event("cloudwatch-logs", sub.loc, name=sub.address))
    for att, _ in links.pointing("aws_lb_target_group_attachment", "target_id", fn_res):
        out.append(Event("alb", att.loc, name=att.address))
    return out


def _payload_format(value: Any) -> Any:
    text = str(value).strip() if isinstance(value, (str, int, float)) else ""
    return {"1.0": "1.0", "2.0": "2.0"}.get(text, UNKNOWN)


def _present(scope: Scope, body: LMap, key: str) -> Any:
    """Whether an optional attribute (or block) is set: True, False, or UNKNOWN when it is
    set by an expression that may evaluate to null."""
    if "dynamic:" + key in body:
        return UNKNOWN
    if body.get(key) is None:
        return False
    if isinstance(body[key], (LMap, LList)):
        return True
    value = scope.evaluate(body[key])
    if value is UNKNOWN:
        return UNKNOWN
    return value not in (None, "", [])


def _s3_event(scope: Scope, note: Resource, block: LMap) -> Event:
    """A `lambda_function` block of an `aws_s3_bucket_notification`: its bucket, event types
    and key filters."""
    event = Event("s3", Loc(note.path, block.pos), name=note.address, is_async=True)
    bucket, _ = scope.first_target(note.body.get("bucket"), ("aws_s3_bucket",))
    if bucket is not None:
        event.source = bucket.address
        name = scope.evaluate(bucket.body.get("bucket"))
        event.source_name = str(name) if isinstance(name, str) else None
    types = scope.evaluate(block.get("events"))
    if isinstance(types, list) and all(isinstance(t, str) for t in types):
        event.s3_events = [str(t) for t in types]
    for key, attr in (("filter_prefix", "key_prefix"), ("filter_suffix", "key_suffix")):
        if block.get(key) is not None:
            value = scope.evaluate(block[key])
            if value not in (None, ""):  # the provider plans "" for no filter
                setattr(event, attr, str(value) if isinstance(value, str) else UNKNOWN)
    return event


# an event source mapping's attributes, by the setting they hold
_ESM_SETTINGS: tuple[tuple[EventSetting, str], ...] = (
    ("batch_size", "batch_size"),
    ("batching_window", "maximum_batching_window_in_seconds"),
    ("max_retry_attempts", "maximum_retry_attempts"),
    ("max_record_age", "maximum_record_age_in_seconds"),
)


def mapping_event(scope: Scope, esm: Resource) -> Event:
    event = _mapping_source(scope, esm)
    body = esm.body
    event.on_failure = body.get("destination_config") is not None
    for name, key in _ESM_SETTINGS:
        if body.get(key) is not None:
            setattr(event, name, setting(scope.evaluate(body[key])))
            event.locs[name] = esm.loc_of(body, key)
    if body.get("bisect_batch_on_function_error") is not None:
        event.bisect_on_error = as_flag(scope.evaluate(body["bisect_batch_on_function_error"]))
        event.locs["bisect_on_error"] = esm.loc_of(body, "bisect_batch_on_function_error")
    if body.get("function_response_types") is not None:
        types = scope.evaluate(body["function_response_types"])
        event.response_types = (
            [str(t) for t in types]
            if isinstance(types, list) and all(isinstance(t, str) for t in types)
            else UNKNOWN
        )
        event.locs["response_types"] = esm.loc_of(body, "function_response_types")
    event.filtered = _present(scope, body, "filter_criteria")
    if event.filtered is not False:
        event.locs["filter"] = esm.loc_of(body, "filter_criteria")
    return event


def _mapping_source(scope: Scope, esm: Resource) -> Event:
    arn = esm.body.get("event_source_arn")
    for rtype, kind in _STREAM_KINDS.items():
        source, _ = scope.first_target(arn, (rtype,))
        if source is None:
            continue
        if kind != "sqs":
            return Event(kind, esm.loc, name=esm.address, source=source.address)
        visibility: Any = 30
        visibility_loc = None
        if source.body.get("visibility_timeout_seconds") is not None:
            visibility = setting(scope.evaluate(source.body["visibility_timeout_seconds"]))
            visibility_loc = source.loc_of(source.body, "visibility_timeout_seconds")
        queue = Queue(source.address, visibility, source.loc, visibility_loc)
        queue.fifo = _fifo(scope, source.body)
        return Event("sqs", esm.loc, name=esm.address, queue=queue, source=source.address)
    value = scope.evaluate(arn)
    text = value if isinstance(value, str) else ""
    if not text:
        data_queue, _ = scope.first_target(arn, ("aws_sqs_queue",), mode="data")
        if data_queue is not None:
            text = "arn:aws:sqs:"
    parts = text.split(":")
    kind = _ARN_KINDS.get(parts[2], "other") if len(parts) > 2 and parts[0] == "arn" else "other"
    if kind == "sqs":
        queue = Queue(
            parts[5] if len(parts) > 5 else text, UNKNOWN, esm.loc_of(esm.body, "event_source_arn")
        )
        queue.fifo = text.endswith(".fifo") if len(parts) > 5 else UNKNOWN
        return Event("sqs", esm.loc, name=esm.address, queue=queue)
    return Event(kind, esm.loc, name=esm.address)


def _fifo(scope: Scope, body: LMap) -> Any:
    """Whether an aws_sqs_queue is FIFO: `fifo_queue = true` (its name then ends `.fifo`)."""
    if body.get("fifo_queue") is None:
        name = scope.evaluate(body.get("name"))
        return isinstance(name, str) and name.endswith(".fifo")
    flag = as_flag(scope.evaluate(body["fifo_queue"]))
    return UNKNOWN if flag is UNKNOWN else flag is True


def permissions(scope: Scope, fn_res: Resource, links: Links) -> list[Permission]:
    out = []
    for perm in links.naming("aws_lambda_permission", fn_res):
        body = perm.body
        out.append(
            Permission(
                principal=optional(scope, body, "principal")
                if body.get("principal") is not None
                else UNKNOWN,
                loc=perm.loc_of(body, "principal"),
                source_arn=optional(scope, body, "source_arn"),
                source_account=optional(scope, body, "source_account"),
                action=optional(scope, body, "action"),
                function_url_auth_type=optional(scope, body, "function_url_auth_type"),
                principal_org_id=optional(scope, body, "principal_org_id"),
                invoked_via_function_url=as_flag(optional(scope, body, "invoked_via_function_url")),
            )
        )
    return out


def optional(scope: Scope, body: LMap, key: str) -> Any:
    """None when the attribute is absent, its value (or UNKNOWN) when set."""
    if body.get(key) is None:
        return None
    value = scope.evaluate(body[key])
    return UNKNOWN if value is None else _plain(value)


def function_url(scope: Scope, fn_res: Resource, links: Links) -> FunctionUrl | None:
    for url in links.naming("aws_lambda_function_url", fn_res)[:1]:
        auth = optional(scope, url.body, "authorization_type")
        return FunctionUrl(
            auth_type=UNKNOWN if auth is None else auth,
            loc=url.loc,
            auth_type_loc=url.loc_of(url.body, "authorization_type"),
        )
    return None


def on_failure(scope: Scope, fn_res: Resource, links: Links) -> Prop[Any] | None:
    for cfg in links.naming("aws_lambda_function_event_invoke_config", fn_res):
        dest = first_block(cfg.body, "destination_config")
        failure = first_block(dest, "on_failure") if dest is not None else None
        if failure is not None and failure.get("destination") is not None:
            return Prop(
                link_value(scope, failure["destination"]), cfg.loc_of(failure, "destination")
            )
    return None
