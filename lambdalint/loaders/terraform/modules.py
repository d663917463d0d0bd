"""Lambda functions declared through the community module `terraform-aws-modules/lambda/aws`.

Its source is not in the repository, but its inputs are documented and stable, so a call
`module "x" { source = "terraform-aws-modules/lambda/aws" ... }` is translated into the
`aws_lambda_function` body it creates (positions of the module's arguments kept) plus what the
module adds around it: the role and its policies, the log group, the function URL, triggers.
Other references to `module.x.lambda_function_arn` and friends then resolve to the function.
"""

from __future__ import annotations

import re
from typing import Any

from lambdalint.loaders import iam_policy
from lambdalint.loaders.terraform import build
from lambdalint.loaders.terraform.model import Resource, Scope
from lambdalint.model import (
    UNKNOWN,
    CodeKind,
    CodeLocation,
    Framework,
    Function,
    FunctionUrl,
    Loc,
    LogGroup,
    Permission,
    Prop,
    Role,
)
from lambdalint.numeric import setting
from lambdalint.reading.positions import LList, LMap

_SOURCE = re.compile(
    r"^(terraform-aws-modules/lambda/aws|(git::)?(https://|ssh://git@|git@)?github\.com[/:]terraform-aws-modules/terraform-aws-lambda(\.git)?)"
    r"(//[^?]*)?(\?.*)?$"
)
# the function's own arguments, renamed as the module does
_SAME = (
    "function_name",
    "handler",
    "runtime",
    "timeout",
    "memory_size",
    "layers",
    "architectures",
    "tags",
    "package_type",
    "image_uri",
    "reserved_concurrent_executions",
    "description",
)
_OUTPUTS = {"lambda_function_name": "function_name"}


def is_lambda_module(source: str) -> bool:
    return bool(_SOURCE.match(source.strip()))


def register(scope: Scope) -> None:
    """Make `module.<name>` resolve to a pseudo `aws_lambda_function` for each module call."""
    for call in scope.module_calls:
        if not is_lambda_module(call.type):
            continue
        if scope.evaluate(call.body.get("create", True)) is False:
            continue
        if scope.evaluate(call.body.get("create_function", True)) is False:
            continue
        # the module makes a layer instead of a function when asked for one
        if scope.evaluate(call.body.get("create_layer", False)) is True:
            continue
        scope.module_resources[call.name] = _pseudo(call)


def _copy(body: LMap, src: LMap, key: str, as_key: str | None = None) -> None:
    if key in src:
        name = as_key or key
        body[name] = src[key]
        body.key_pos[name] = src.key_pos.get(key, src.pos)
        body.value_pos[name] = src.value_pos.get(key, src.pos)


def _nested(body: LMap, src: LMap, key: str, block: str, inner: str) -> None:
    """`tracing_mode = x` → `tracing_config { mode = x }` (same position)."""
    if src.get(key) is None:
        return
    pos = src.value_pos.get(key, src.pos)
    item = LMap(pos)
    item[inner] = src[key]
    item.key_pos[inner] = src.key_pos.get(key, pos)
    item.value_pos[inner] = pos
    lst = LList(pos)
    lst.append(item)
    lst.item_pos.append(pos)
    body[block] = lst
    body.key_pos[block] = body.value_pos[block] = pos


def _pseudo(call: Resource) -> Resource:
    src = call.body
    body = LMap(src.pos)
    for key in _SAME:
        _copy(body, src, key)
    for output, attr in _OUTPUTS.items():
        _copy(body, src, attr, output)
    _nested(body, src, "environment_variables", "environment", "variables")
    _nested(body, src, "tracing_mode", "tracing_config", "mode")
    _nested(body, src, "dead_letter_target_arn", "dead_letter_config", "target_arn")
    _nested(body, src, "logging_log_group", "logging_config", "log_group")
    res = Resource("managed", build.LAMBDA, call.name, body, call.loc)
    res.suppressed = dict(call.suppressed)
    return res


def functions(
    scope: Scope,
    framework: Framework,
    only_path: Any = None,
    links: build.Links | None = None,
) -> list[Function]:
    links = links if links is not None else build.Links(scope)
    out = []
    calls = {c.name: c for c in scope.module_calls}
    for name, res in scope.module_resources.items():
        if only_path is not None and res.path != only_path:
            continue
        call = calls[name]
        fn = build.build_function(scope, res, framework, links)
        fn.name = f"module.{name}"
        _finish(scope, call, res, fn)
        out.append(fn)
    return out


def _flag(scope: Scope, body: LMap, key: str, default: bool) -> Any:
    if key not in body:
        return default
    value = scope.evaluate(body[key])
    return value if isinstance(value, bool) else UNKNOWN


def _finish(scope: Scope, call: Resource, res: Resource, fn: Function) -> None:
    body = call.body
    fn.code = _code(scope, call)
    fn.role = _role(scope, call)
    # the module creates /aws/lambda/<name> unless told to use an existing group
    if _flag(scope, body, "use_existing_cloudwatch_log_group", False) is False:
        retention: Any = None
        retention_loc = None
        if body.get("cloudwatch_logs_retention_in_days") is not None:
            retention = setting(scope.evaluate(body["cloudwatch_logs_retention_in_days"]))
            retention_loc = call.loc_of(body, "cloudwatch_logs_retention_in_days")
        name = f"/aws/lambda/{fn.function_name}" if isinstance(fn.function_name, str) else UNKNOWN
        fn.log_groups = [LogGroup(name, retention, call.loc, retention_loc), *fn.log_groups]
    if _flag(scope, body, "create_lambda_function_url", False) is not False:
        auth = (
            scope.evaluate(body["authorization_type"]) if "authorization_type" in body else "NONE"
        )
        fn.url = FunctionUrl(
            auth if isinstance(auth, str) else UNKNOWN,
            call.loc_of(body, "create_lambda_function_url"),
            call.loc_of(body, "authorization_type"),
            framework_permissions=True,
        )
    if body.get("destination_on_failure") is not None:
        fn.on_failure = Prop(
            build.link_value(scope, body["destination_on_failure"]),
            call.loc_of(body, "destination_on_failure"),
        )
    fn.permissions.extend(_triggers(scope, call))
    fn.events.extend(_mappings(scope, call))


def _code(scope: Scope, call: Resource) -> CodeLocation:
    body = call.body
    if scope.evaluate(body.get("package_type")) == "Image" or body.get("image_uri") is not None:
        return CodeLocation("image", call.loc_of(body, "image_uri"))
    if body.get("s3_existing_package") is not None:
        return CodeLocation("s3", call.loc_of(body, "s3_existing_package"))
    create_package = _flag(scope, body, "create_package", True)
    if create_package is False:
        local = scope.evaluate(body.get("local_existing_package"))
        loc = call.loc_of(body, "local_existing_package")
        if isinstance(local, str) and local:
            return CodeLocation(
                "zip", loc, path=scope.resolve_path(str(local)), declared=str(local)
            )
        return CodeLocation("unknown", loc)
    if create_package is not True or body.get("source_path") is None:
        return CodeLocation("unknown", call.loc)
    loc = call.loc_of(body, "source_path")
    source = scope.evaluate(body["source_path"])
    if isinstance(source, list) and len(source) == 1:
        source = source[0]
    if isinstance(source, dict):
        if any(k in source for k in ("commands", "patterns", "prefix_in_zip", "npm_requirements")):
            return CodeLocation(
                "unknown", loc
            )  # a build recipe: what lands in the zip is its output
        source = source.get("path")
    if not isinstance(source, str) or not source:
        return CodeLocation("unknown", loc)
    path = scope.resolve_path(str(source))
    kind: CodeKind = "file" if path is not None and path.is_file() else "dir"
    return CodeLocation(kind, loc, path=path, declared=str(source))


def _role(scope: Scope, call: Resource) -> Role:
    body = call.body
    if (
        body.get("lambda_role") not in (None, "")
        or _flag(scope, body, "create_role", True) is not True
    ):
        loc = (
            call.loc_of(body, "lambda_role")
            if "lambda_role" in body
            else call.loc_of(body, "create_role")
        )
        value = scope.evaluate(body.get("lambda_role"))
        return Role(known=False, loc=loc, name=str(value) if isinstance(value, str) else None)
    role = Role(known=True, loc=call.loc, name=f"module.{call.name} role")
    if (
        _attach(scope, body, role, "attach_policy_statements")
        and body.get("policy_statements") is not None
    ):
        _statement_map(scope, call, role)
    if _attach(scope, body, role, "attach_policy_json") and body.get("policy_json") is not None:
        stmts, ok = build.policy_statements(
            scope, body["policy_json"], call, body, "policy_json", f"module.{call.name} policy_json"
        )
        role.statements.extend(stmts)
        role.incomplete = role.incomplete or not ok
    if _attach(scope, body, role, "attach_policy_jsons") and body.get("policy_jsons") is not None:
        items = body["policy_jsons"]
        if isinstance(items, LList):
            for item in items:
                stmts, ok = build.policy_statements(
                    scope, item, call, body, "policy_jsons", f"module.{call.name} policy_jsons"
                )
                role.statements.extend(stmts)
                role.incomplete = role.incomplete or not ok
        else:
            role.incomplete = True
    if _attach(scope, body, role, "attach_policy") and body.get("policy") is not None:
        build.attach_policy(scope, role, body["policy"], call, body, "policy")
    if _attach(scope, body, role, "attach_policies") and body.get("policies") is not None:
        build.attach_policy_list(scope, role, body["policies"], call, body, "policies")
    return role


def _attach(scope: Scope, body: LMap, role: Role, flag: str) -> bool:
    value = _flag(scope, body, flag, False)
    if value is UNKNOWN:
        role.incomplete = True
        return False
    return bool(value)


def _statement_map(scope: Scope, call: Resource, role: Role) -> None:
    """`policy_statements = { name = { effect, actions, resources, ... } }`."""
    raw = call.body["policy_statements"]
    if not isinstance(raw, LMap):
        role.incomplete = True
        return
    for key, spec in raw.items():
        if not isinstance(spec, LMap):
            role.incomplete = True
            continue
        role.statements.append(
            iam_policy.build_statement(
                effect=scope.evaluate(spec.get("effect", "Allow")),
                actions=iam_policy.strings(scope.evaluate(spec.get("actions"))),
                not_actions=iam_policy.strings(scope.evaluate(spec.get("not_actions"))),
                resources=iam_policy.strings(scope.evaluate_named(spec.get("resources"))),
                not_resources=iam_policy.strings(scope.evaluate_named(spec.get("not_resources"))),
                has_condition=spec.get("condition") is not None,
                loc=Loc(call.path, raw.value_pos.get(key, raw.pos)),
                source=f"module.{call.name} policy_statements.{key}",
                action_loc=_loc(call, spec, ("actions", "not_actions")),
                resource_loc=_loc(call, spec, ("resources", "not_resources")),
            )
        )


def _loc(call: Resource, spec: LMap, keys: tuple[str, ...]) -> Loc | None:
    for key in keys:
        if key in spec:
            return Loc(call.path, spec.value_pos.get(key, spec.pos))
    return None


def _triggers(scope: Scope, call: Resource) -> list[Permission]:
    """`allowed_triggers = { Name = { service = "apigateway", source_arn = ... } }`."""
    raw = call.body.get("allowed_triggers")
    if not isinstance(raw, LMap):
        return []
    out = []
    for key, spec in raw.items():
        if not isinstance(spec, LMap):
            continue
        principal = scope.evaluate(spec.get("principal"))
        if principal is None or principal is UNKNOWN:
            service = scope.evaluate(spec.get("service"))
            principal = f"{service}.amazonaws.com" if isinstance(service, str) else UNKNOWN
        out.append(
            Permission(
                principal=str(principal) if isinstance(principal, str) else UNKNOWN,
                loc=Loc(call.path, raw.value_pos.get(key, raw.pos)),
                source_arn=build.optional(scope, spec, "source_arn"),
                source_account=build.optional(scope, spec, "source_account"),
                action=build.optional(scope, spec, "action"),
                principal_org_id=build.optional(scope, spec, "principal_org_id"),
            )
        )
    return out


def _mappings(scope: Scope, call: Resource) -> list[Any]:
    """`event_source_mapping = { name = { event_source_arn = ... } }`."""
    raw = call.body.get("event_source_mapping")
    if not isinstance(raw, LMap):
        return []
    out = []
    for key, spec in raw.items():
        if isinstance(spec, LMap) and spec.get("event_source_arn") is not None:
            pseudo = Resource(
                "managed",
                "aws_lambda_event_source_mapping",
                f"{call.name}.{key}",
                spec,
                Loc(call.path, raw.value_pos.get(key, raw.pos)),
            )
            out.append(build.mapping_event(scope, pseudo))
    return out
