"""IAM and access checks (LL201–LL204, LL206, LL207, LL209): what the execution role may do,
and who may invoke the function."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from lambdalint.aws import iam
from lambdalint.checks.code import _cfn_resource
from lambdalint.engine import privileges, statements
from lambdalint.engine.context import CheckContext
from lambdalint.findings import Finding, Fix
from lambdalint.loaders import fixes
from lambdalint.model import Function, Loc, Statement

# AWS managed policies that grant (nearly) everything, or everything on a service
ADMIN_POLICIES = frozenset({"AdministratorAccess", "PowerUserAccess", "IAMFullAccess"})
_SERVICE_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".${AWS::URLSuffix}")


def _allow_statements(fn: Function) -> list[Statement]:
    if fn.role is None or not fn.role.known:
        return []
    return [s for s in fn.role.statements if iam.is_allow(s)]


def _origin(stmt: Statement) -> str:
    """` (from SAM policy template X)` for statements the user did not write out."""
    if stmt.source.startswith("SAM policy template"):
        return f" (from {stmt.source})"
    return ""


def _action_loc(stmt: Statement) -> Loc:
    return stmt.action_loc or stmt.loc


def _resource_loc(stmt: Statement) -> Loc:
    return stmt.resource_loc or stmt.loc


def wildcard_action(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    """LL201: `Action: "*"`, `service:*`, or NotAction in an Allow statement."""
    for stmt in _allow_statements(fn):
        if stmt.not_actions:
            listed = ", ".join(stmt.not_actions[:3])
            yield Finding(
                f"Allow statement{_origin(stmt)} uses NotAction ({listed}): it grants every "
                "other action of every service; list the actions the function needs instead",
                _action_loc(stmt),
            )
            continue
        wild = [a for a in stmt.actions if iam.is_service_wildcard(a)]
        if wild:
            what = (
                "every action"
                if any(a.strip() == "*" for a in wild)
                else "every action of a service"
            )
            yield Finding(
                f"Allow statement{_origin(stmt)} grants {what} ({', '.join(wild)}); "
                "list the actions the function needs instead",
                _action_loc(stmt),
                fix=_narrowing_fix(fn, ctx, stmt),
            )


def wildcard_resource(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    """LL202: write or permissions-management actions on `Resource: "*"`."""
    for stmt in _allow_statements(fn):
        if stmt.has_condition or stmt.actions_unknown or not iam.on_every_resource(stmt):
            continue
        found = iam.write_actions(stmt.actions)
        if not found:
            continue
        shown = "; ".join(
            iam.describe(entry, actions) for entry, actions in list(found.items())[:4]
        )
        target = (
            "every resource except those in NotResource"
            if stmt.not_resources
            else 'every resource ("*")'
        )
        yield Finding(
            f"Allow statement{_origin(stmt)} grants write access on {target}: {shown}; "
            "scope Resource to the ARNs the function uses",
            _resource_loc(stmt),
            fix=_narrowing_fix(fn, ctx, stmt),
        )


# ---------------------------------------------------------------------------- the fix

# what Lambda itself does with the role (not the code), and needs to go on doing after a
# wildcard statement is replaced: write the logs, traces, manage a VPC function's network
# interfaces, poll the event sources
# https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
_LOGS = ("logs:CreateLogStream", "logs:PutLogEvents")
_TRACES = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")
_NETWORK = (
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
)
_POLLING = {
    "sqs": ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
    "kinesis": (
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:DescribeStream",
        "kinesis:ListShards",
    ),
    "dynamodb": (
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:DescribeStream",
        "dynamodb:ListStreams",
    ),
}
# sources Lambda does not read with the function's role: they invoke it
_PUSHED = frozenset(
    {"api", "http-api", "s3", "sns", "eventbridge", "schedule", "alb", "cognito", "iot"}
)
# statements of policy resources (which may serve other roles too) and of SAM policy
# templates; the others are written in the function's SAM `Policies` or its role's policies
_NOT_WRITTEN_FOR_THE_ROLE = ("AWS::", "SAM policy template", "SAM DeadLetterQueue")


def _narrowing_fix(fn: Function, ctx: CheckContext, stmt: Statement) -> Fix | None:
    """LL201's and LL202's fix (one for both): the wildcard statement replaced with the
    statements the function's code needs."""
    return ctx.cached("narrowing-fix", (id(fn), id(stmt)), lambda: _narrowing(fn, ctx, stmt))


def _narrowing(fn: Function, ctx: CheckContext, stmt: Statement) -> Fix | None:
    """Only when what the function needs is certain: the role is its own, every AWS call of
    its code and every resource they act on is known (as for LL208), the statement is written
    for that role in the template, and what Lambda itself does with the role stays granted."""
    role = fn.role
    if role is None or not role.known or role.incomplete or role.other_users:
        return None
    if stmt.effect != "Allow":
        return None
    if stmt.has_condition or stmt.actions_unknown or stmt.resources_unknown:
        return None
    if len(privileges.role_users(fn, ctx)) != 1 or privileges.doubts(fn, ctx):
        return None
    found = privileges.needs_of(fn, ctx)
    if found is None or found[1] or any(n.arn is None for n in found[0]):
        return None
    # one wildcard statement of a role at a time, the others left out of what the rest of the
    # role grants: two replaced in one round would each count on the other
    wild = [s for s in role.statements if _reported(s)]
    written = [s for s in wild if not s.source.startswith(_NOT_WRITTEN_FOR_THE_ROLE)]
    if not written or written[0] is not stmt:
        return None
    kept = [s for s in role.statements if not any(s is w for w in wild)]
    rest = dataclasses.replace(role, statements=kept)
    own = _lambda_actions(fn, ctx)
    if own is None:
        return None
    for action in own:
        granted = privileges.action_status(rest, action) == privileges.ALLOWED
        if not granted and privileges._covers(stmt.actions, stmt.not_actions, action):
            return None  # Lambda would lose it
    grants = privileges.Grants(rest, fn.resources)
    wanted = [n for n in found[0] if grants.status(n.action, n.arn).status != privileges.ALLOWED]
    out: list[dict[str, Any]] = []
    for block in statements.blocks(wanted):
        values = [_resource_value(arn) for arn in block.arns]
        if any(v is None for v in values):
            return None
        resource = values[0] if len(values) == 1 else values
        out.append({"Effect": "Allow", "Action": list(block.actions), "Resource": resource})
    edits = fixes.replace_statement(ctx.texts, fn, stmt.loc, out)
    if not edits:
        return None
    if not out:
        title = "Remove the statement: the role grants the function's code what it needs"
    else:
        count = sum(len(w["Action"]) for w in out)
        title = (
            f"Replace the statement with the {count} action{'s' if count > 1 else ''} "
            "the function's code needs, on its resources"
        )
    return Fix(title, tuple(edits))


def _reported(stmt: Statement) -> bool:
    """A statement LL201 or LL202 reports."""
    if not iam.is_allow(stmt):
        return False
    if stmt.not_actions or any(iam.is_service_wildcard(a) for a in stmt.actions):
        return True
    return (
        not stmt.has_condition
        and not stmt.actions_unknown
        and iam.on_every_resource(stmt)
        and bool(iam.write_actions(stmt.actions))
    )


def _lambda_actions(fn: Function, ctx: CheckContext) -> list[str] | None:
    """The actions Lambda itself uses the role for with this function; None when they cannot
    be told (a destination for failed events, a broker or unknown event source)."""
    if fn.dead_letter is not None or fn.on_failure is not None:
        return None
    out = list(_LOGS)
    for event in fn.events:
        if event.on_failure:
            return None
        if event.kind in _POLLING:
            out += _POLLING[event.kind]
        elif event.kind not in _PUSHED:
            return None
    if fn.tracing is not None:
        mode = fn.tracing.value
        if not isinstance(mode, str):
            return None
        if mode not in ("PassThrough", "Disabled"):
            out += _TRACES
    vpc = fixes.in_vpc(ctx.texts, fn)
    if vpc is None:
        return None
    if vpc:
        out += _NETWORK
    return out


def _resource_value(arn: privileges.Arn) -> object | None:
    """The resource as the template writes it; "*" only for an action that takes no
    resource."""
    if arn == privileges.EVERYTHING:
        return "*"
    return _cfn_resource(arn)


def admin_policy(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    """LL203: an over-broad AWS managed policy is attached to the role."""
    if fn.role is None or not fn.role.known:
        return
    for policy in fn.role.managed_policies:
        if not iam.is_aws_managed_name(policy.name):
            continue
        name = iam.policy_name(policy.name)
        if name in ADMIN_POLICIES or name.startswith("AdministratorAccess") or "FullAccess" in name:
            yield Finding(
                f"the execution role attaches the AWS managed policy {name}, "
                "which grants far more than one function needs; use a policy scoped to its "
                "resources (an inline statement or a SAM policy template)",
                policy.loc,
            )


def privilege_escalation(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    """LL204: actions that let the role grant itself more on any resource."""
    for stmt in _allow_statements(fn):
        if stmt.has_condition or stmt.actions_unknown or stmt.resources_unknown:
            continue
        if not iam.on_any_resource_of_a_type(stmt):
            continue
        found = iam.escalation_actions(stmt.actions)
        if not found:
            continue
        shown = "; ".join(
            iam.describe(entry, actions) for entry, actions in list(found.items())[:4]
        )
        yield Finding(
            f"Allow statement{_origin(stmt)} lets the function escalate its privileges: {shown} "
            "on any resource; name the exact role/function ARNs (and add an "
            "iam:PassedToService condition to PassRole)",
            _resource_loc(stmt),
        )


def _is_service(principal: str) -> bool:
    return principal.endswith(_SERVICE_SUFFIXES)


def public_invoke_permission(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    """LL206: anyone (or any account's resources of a service) may invoke the function."""
    for perm in fn.permissions:
        principal = perm.principal
        if not isinstance(principal, str):
            continue
        scoped = perm.source_arn is not None or perm.source_account is not None
        if principal.strip() == "*":
            if scoped or perm.principal_org_id is not None:
                continue
            if perm.action == "lambda:InvokeFunctionUrl" and perm.function_url_auth_type == "NONE":
                continue  # the public function URL itself: LL207 reports it
            if perm.action == "lambda:InvokeFunction" and perm.invoked_via_function_url is True:
                # only through the function URL, which needs it since October 2025: LL207's
                continue
            yield Finding(
                f"invoke permission on {fn.name} has Principal '*': anyone can invoke the "
                "function; name the account or service principal (with SourceArn)",
                perm.loc,
            )
        elif _is_service(principal) and not scoped:
            yield Finding(
                f"invoke permission on {fn.name} for {principal} has no SourceArn or "
                "SourceAccount: resources of that service in any AWS account can invoke the "
                "function (confused deputy); add SourceArn (and SourceAccount)",
                perm.loc,
            )


def function_url_public(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    """LL207: a function URL without IAM authentication."""
    url = fn.url
    if url is None or url.auth_type != "NONE":
        return
    yield Finding(
        f"function URL of {fn.name} has AuthType NONE: anyone on the internet can invoke it; "
        "use AWS_IAM, or make sure the function authenticates every request itself",
        url.auth_type_loc or url.loc,
    )


# what a resource-based statement must allow for a public function URL to invoke the function
_INVOKE = frozenset({"lambda:invokefunction", "lambda:*", "*"})


def function_url_invoke_permission(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    """LL209: a public function URL whose resource policy grants lambda:InvokeFunctionUrl but
    not lambda:InvokeFunction, which function URLs created since October 2025 also need."""
    url = fn.url
    if url is None or url.auth_type != "NONE" or url.framework_permissions:
        return
    public: list[tuple[str, Loc]] = []
    for perm in fn.permissions:
        if not isinstance(perm.action, str) or not isinstance(perm.principal, str):
            return  # a statement lambdalint cannot read may be the one
        if perm.principal.strip() == "*":
            public.append((perm.action.strip().lower(), perm.loc))
    granted = [loc for action, loc in public if action == "lambda:invokefunctionurl"]
    if not granted or any(action in _INVOKE for action, _ in public):
        return
    yield Finding(
        f"the function URL of {fn.name} is public (AuthType NONE) and its resource policy "
        "grants lambda:InvokeFunctionUrl but not lambda:InvokeFunction: function URLs created "
        "since October 2025 need both, every request gets 403 Forbidden; add a permission for "
        'lambda:InvokeFunction to Principal "*" with InvokedViaFunctionUrl: true',
        granted[0],
    )
