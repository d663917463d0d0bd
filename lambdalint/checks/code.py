"""Checks that join handler code and function config (LL106, LL107, LL205, LL208, LL402):
environment variables the code reads, SDK clients it creates, AWS APIs it calls and the
resources they act on, secrets it holds.

A handler file can serve several functions with different configs. Facts inside another
top-level function of the file are then not attributed to this one: only module-level facts and
those inside the handler count (all facts count when the file serves a single function).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lambdalint.analysis.facts import ClientCreation, HandlerSource, SdkCall
from lambdalint.aws import arns, iam, secrets
from lambdalint.checks.secrets import extra_secret_names
from lambdalint.engine import privileges
from lambdalint.engine.context import CheckContext
from lambdalint.engine.privileges import (
    ALLOWED,
    DENIED,
    GRANTED_BY_THE_TARGET,
    MISSING,
    UNKNOWN_STATUS,
    action_status,
)
from lambdalint.findings import Finding, Fix
from lambdalint.loaders import fixes
from lambdalint.model import Function, Role, Statement

# the action statuses, as other modules have imported them from here
__all__ = [
    "ALLOWED",
    "DENIED",
    "GRANTED_BY_THE_TARGET",
    "MISSING",
    "UNKNOWN_STATUS",
    "action_status",
    "code_actions",
]

# Variables the Lambda runtime sets itself
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
RESERVED_ENV = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
        "TZ",
        "LANG",
        "PATH",
        "LD_LIBRARY_PATH",
        "NODE_PATH",
        "PYTHONPATH",
        "HOME",
    }
)
RESERVED_PREFIXES = ("AWS_LAMBDA_", "AWS_XRAY_", "_AWS_XRAY_", "_X_AMZN_", "_LAMBDA_")

_LANGUAGE_READ = {
    "python": "os.environ['{name}'] raises KeyError when it is unset",
    "node": "process.env.{name} is undefined when it is unset",
}


# ---------------------------------------------------------------------------- shared

_handler_names = privileges.handler_names
_sole_user = privileges.sole_user
_relevant = privileges.relevant
_analysed = privileges.analysed


# ---------------------------------------------------------------------------- LL106


def is_reserved_env(name: str) -> bool:
    return name in RESERVED_ENV or name.startswith(RESERVED_PREFIXES)


def env_var_undefined(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    if not fn.environment_complete:
        return
    src = _analysed(fn, ctx)
    if src is None or src.dynamic_env:
        return
    names = _handler_names(fn, ctx, src)
    sole = _sole_user(fn, ctx)
    defined = set(fn.environment)
    seen: set[tuple[str, int]] = set()
    for read in src.env_reads:
        if read.has_default or read.name in defined or is_reserved_env(read.name):
            continue
        if not _relevant(read.in_function, names, sole) or (read.name, read.pos.line) in seen:
            continue
        seen.add((read.name, read.pos.line))
        how = _LANGUAGE_READ.get(src.language, "").format(name=read.name)
        yield Finding(
            f"'{read.name}' is read without a default, but function {fn.name} does not set it "
            f"({how}): add it to the function's environment variables or read it with a default",
            ctx.source_loc(src, read.pos),
        )


# ---------------------------------------------------------------------------- LL107


def sdk_client_in_handler(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    src = _analysed(fn, ctx)
    if src is None:
        return
    names = _handler_names(fn, ctx, src)
    for client in src.clients:
        if client.in_function is None or client.in_function not in names:
            continue
        if client.per_invocation_config:
            continue  # an endpoint, region or credentials from the event: made per call on purpose
        what = f"'{client.service}' client" if client.service not in ("", "?") else "SDK client"
        yield Finding(
            f"a {what} is created inside handler '{client.in_function}' on every invocation: "
            f"create it once at module level and reuse it across invocations",
            ctx.source_loc(src, client.pos),
            fix=_hoist_fix(src, client, ctx),
        )


def _hoist_fix(src: HandlerSource, client: ClientCreation, ctx: CheckContext) -> Fix | None:
    """LL107: the statement that creates the client, moved to module level (libcst)."""
    if not client.movable or src.line_offset or client.in_function is None:
        return None  # inline code in a template is not rewritten
    title = "Create the client once, at module level"
    if not ctx.code_fixes:
        return Fix(title, (), deferred=True)
    source = ctx.texts.get(src.path)
    if source is None:
        return None
    from lambdalint.editing.python import hoist_client

    new = hoist_client(source.text, client.in_function, client.pos)
    edit = source.rewrite(new) if new is not None else None
    return Fix(title, (edit,)) if edit is not None else None


# ---------------------------------------------------------------------------- LL205


@dataclass(frozen=True)
class CodeAction:
    """One IAM action the handler's code needs, where, and whether the role grants it."""

    action: str
    call: SdkCall
    status: str


def code_actions(fn: Function, ctx: CheckContext) -> list[CodeAction] | None:
    """The IAM actions the handler calls (None when the source cannot be analysed), each with
    whether the role grants it on some resource."""
    calls = privileges.handler_calls(fn, ctx)
    if calls is None:
        return None
    out: list[CodeAction] = []
    for call in calls:
        if not call.actions_known:
            out.append(CodeAction(f"{call.service}:{call.operation}", call, UNKNOWN_STATUS))
            continue
        for action in call.actions:
            out.append(CodeAction(action, call, action_status(fn.role, action)))
    return out


def missing_permission(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    role = fn.role
    if role is None or not role.known or role.incomplete:
        return
    found = privileges.needs_of(fn, ctx)
    if not found:
        return
    needs, _ = found
    grants = privileges.Grants(role, fn.resources)
    declared = arns.Resources(fn.resources)
    role_name = f" {role.name}" if role.name else ""
    statuses = []
    for need in needs:
        target = need.arn.resource if need.arn is not None else None
        if target is not None and target.resource_policy:
            continue  # a bucket policy, a key policy … may let the role in
        statuses.append((need, grants.status(need.action, need.arn)))
    fix, fixed = _grant_fix(
        fn, ctx, [need for need, status in statuses if status.status == MISSING]
    )
    for need, status in statuses:
        call = need.call
        what = f"{call.method or call.operation} ({call.service} {call.operation})"
        via = f" for {need.via}" if need.via else ""
        if status.status in (MISSING, DENIED):
            how = "explicitly denies" if status.status == DENIED else "does not grant"
            yield Finding(
                f"{what} needs {need.action}{via}, which the role{role_name} of function "
                f"{fn.name} {how}",
                need.loc,
                fix=fix if status.status == MISSING and need.action in fixed else None,
            )
        elif status.status == privileges.ELSEWHERE and need.arn is not None:
            allowed = ", ".join(privileges.describe(r, declared) for r in status.elsewhere[:3])
            yield Finding(
                f"{what} needs {need.action} on {need.arn.label()}{via}, but the role{role_name}"
                f" of function {fn.name} allows it only on {allowed}",
                need.loc,
            )


def _grant_fix(
    fn: Function, ctx: CheckContext, needs: list[privileges.Need]
) -> tuple[Fix | None, set[str]]:
    """LL205's fix: one statement that allows the missing actions on the resources the calls
    name; and the actions it allows. A call whose resource cannot be told gets no fix: allowing
    its action on every resource would trade this finding for a wildcard grant (LL202)."""
    values: list[object] = []
    actions: set[str] = set()
    for need in needs:
        value = _cfn_resource(need.arn)
        if value is None:
            continue
        actions.add(need.action)
        if value not in values:
            values.append(value)
    if not actions:
        return None, set()
    ordered = sorted(actions, key=str.lower)
    edits = fixes.add_statement(ctx.texts, fn, ordered, values)
    if not edits:
        return None, set()
    return Fix(f"Allow {', '.join(ordered)} to the role", tuple(edits)), actions


def _cfn_resource(arn: privileges.Arn | None) -> object | None:
    """The resource as a template writes it (`!GetAtt Jobs.Arn`, `!Sub ...`, an ARN), or None
    when it is every resource or cannot be written in full."""
    from lambdalint.editing.yaml import Tagged
    from lambdalint.engine.statements import cfn_value

    if arn is None or arn.text == "*":
        return None
    value = cfn_value(arn)
    if isinstance(value, dict) and len(value) == 1:
        [(name, arg)] = value.items()
        if name in ("Ref", "Fn::GetAtt", "Fn::Sub"):
            value = Tagged(name, arg)
            arg_text = str(arg)
        else:
            return None
    elif isinstance(value, str):
        arg_text = value
    else:
        return None
    if "<" in arg_text or "??????" in arg_text or arg_text.strip() == "*":
        return None
    return value


# every log group: `arn:aws:logs:*:*:*`, `arn:${AWS::Partition}:logs:${AWS::Region}:...:log-group:*`
_ANY_LOG_GROUP = re.compile(r"^arn:[^:]*:logs:[^:]*:[^:]*:(\*|log-group:\*(:.*)?)$")
_PSEUDO = re.compile(r"\$\{AWS::(Partition|Region|AccountId|URLSuffix)\}")
LOG_WRITING = ("logs:CreateLogStream", "logs:PutLogEvents")


def writes_to_any_log_group(role: Role | None) -> bool:
    """Whether the role surely lets the function write its logs to a log group of any name
    (Allow statements without conditions on every resource or every log group, no Deny of
    them): a function whose role allows only `/aws/lambda/<name>` would lose its logs if sent
    to another group."""
    if role is None or not role.known or role.incomplete:
        return False
    managed = privileges._managed(role)
    if managed is None:
        return False
    for action in LOG_WRITING:
        allowed = False
        for stmt in role.statements:
            if stmt.actions_unknown or stmt.effect not in ("Allow", "Deny"):
                return False
            if not privileges._covers(stmt.actions, stmt.not_actions, action):
                continue
            if stmt.effect == "Deny":
                return False
            if stmt.has_condition or stmt.resources_unknown:
                continue
            groups = [_PSEUDO.sub("x", r.strip()) for r in stmt.resources]
            if not stmt.not_resources and any(g == "*" or _ANY_LOG_GROUP.match(g) for g in groups):
                allowed = True
        for policy in managed:
            for item in policy.statements:
                if not privileges._covers(item.actions, item.not_actions, action):
                    continue
                if item.effect != "Allow":
                    return False
                if item.every_resource and not item.has_condition and not item.not_resource:
                    allowed = True
        if not allowed:
            return False
    return True


# ---------------------------------------------------------------------------- LL208


def unused_permission(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    """LL208: the role serves only this function, whose every AWS call is known, and grants
    actions that none of them needs."""
    role = fn.role
    if role is None or not role.known or role.other_users:
        return
    if len(privileges.role_users(fn, ctx)) > 1 or privileges.doubts(fn, ctx):
        return
    found = privileges.needs_of(fn, ctx)
    if found is None or found[1]:
        return
    needed = sorted({n.action for n in found[0]}, key=str.lower)
    wanted = {a.lower() for a in needed}
    groups: dict[object, list[privileges.Grant]] = {}
    kms_unknown = privileges.kms_unknown(found[0])
    for grant in privileges.unused_grants(fn, needed):
        if grant.used:
            continue  # a wildcard the code uses in part: LL201's
        if kms_unknown and grant.entry.lower().startswith("kms:"):
            continue  # cannot verify: a resource the code uses may be encrypted with the key
        stmt = grant.statement
        owner: object = id(grant.policy)
        if stmt is not None:
            owner = id(stmt)
            if _from_sam_template(stmt):
                owner = (stmt.source, stmt.loc)
        groups.setdefault(owner, []).append(grant)
    role_name = f" {role.name}" if role.name else ""
    calls = ", ".join(needed[:4]) + (f", … {len(needed) - 4} more" if len(needed) > 4 else "")
    uses = f"its code calls only {calls}" if needed else "its code makes no AWS call"
    for grants in groups.values():
        first = grants[0]
        stmt = first.statement
        if (
            stmt is not None
            and _from_sam_template(stmt)
            and _template_used(role, stmt, wanted | privileges.platform_actions(fn))
        ):
            continue  # a SAM policy template is taken whole: used in part, it stays
        entries = list(dict.fromkeys(g.entry for g in grants))
        shown = ", ".join(entries[:4]) + (
            f", … {len(entries) - 4} more" if len(entries) > 4 else ""
        )
        if first.policy is not None:
            where = f"the AWS managed policy {first.entry} attached to the role{role_name}"
            shown = f"{first.count} actions"
        elif stmt is not None and _from_sam_template(stmt):
            where = f"the {stmt.source} on the role{role_name}"
        else:
            where = f"the role{role_name}"
        if first.policy is not None:
            message = (
                f"{where} grants {shown}, none of which function {fn.name} uses ({uses}): detach it"
            )
        else:
            them = "it" if len(entries) == 1 else "them"
            message = (
                f"{where} grants {shown}, which function {fn.name} never uses ({uses}): "
                f"remove {them}"
            )
        yield Finding(
            f"{message}; `lambdalint policy` prints the statements the code needs",
            first.loc,
        )


def _from_sam_template(stmt: Statement) -> bool:
    return stmt.source.startswith("SAM policy template")


def _template_used(role: Role, stmt: Statement, wanted: set[str]) -> bool:
    """Some statement the same SAM policy template expands to grants a needed action (of the
    code, or Lambda's own)."""
    return any(
        other.source == stmt.source
        and other.loc == stmt.loc
        and any(iam.matches(entry, action) for entry in other.actions for action in wanted)
        for other in role.statements
    )


# ---------------------------------------------------------------------------- LL402


def secret_in_source(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    src = ctx.source(fn)
    if src is None:
        return
    extra = extra_secret_names(ctx)
    for literal in src.secret_candidates:
        reason = secrets.literal_reason(literal.name, literal.credential, extra)
        if reason is None:
            continue
        where = f"'{literal.name}'" if literal.name else "a string literal"
        yield Finding(
            f"{where} holds a secret in source ({reason}: {literal.value_preview}): read it "
            f"at run time from Secrets Manager or SSM Parameter Store instead",
            ctx.source_loc(src, literal.pos),
        )
