"""Checks that join handler code and function config (LL106, LL107, LL205, LL402): environment
variables the code reads, SDK clients it creates, AWS APIs it calls, secrets it holds.

A handler file can serve several functions with different configs. Facts inside another
top-level function of the file are then not attributed to this one: only module-level facts and
those inside the handler count (all facts count when the file serves a single function).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from lambdalint.analysis.facts import ClientCreation, HandlerSource, SdkCall
from lambdalint.aws import iam, managed_policies, secrets
from lambdalint.aws.managed_policies import AwsManagedPolicy
from lambdalint.checks.secrets import extra_secret_names
from lambdalint.engine.context import CheckContext, code_key
from lambdalint.findings import Finding, Fix
from lambdalint.loaders import fixes
from lambdalint.model import Function, Role

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


ALLOWED, MISSING, DENIED, UNKNOWN_STATUS = "allowed", "missing", "denied", "unknown"

# Actions a role may use without any statement of its own granting them: in the same account a
# role's trust policy that names the caller lets it assume the role (only a permissions
# boundary could still stop it), so whether the call fails depends on the role assumed.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html
GRANTED_BY_THE_TARGET = frozenset({"sts:assumerole"})


# ---------------------------------------------------------------------------- shared


def _handler_names(fn: Function, ctx: CheckContext, src: HandlerSource) -> set[str]:
    """The names the handler's code may be found under in facts' `in_function`."""
    target = ctx.handler_target(fn)
    names = {target.function}
    exported = src.top_level.get(target.function)
    if exported is not None and exported.target:
        names.add(exported.target)
    return names


def _sole_user(fn: Function, ctx: CheckContext) -> bool:
    """No other function of the project runs another handler of this function's file."""
    target = ctx.handler_target(fn)
    return ctx.handlers_by_file().get(code_key(target), set()) <= {target.function}


def _relevant(in_function: str | None, names: set[str], sole: bool) -> bool:
    return in_function is None or in_function in names or sole


def _analysed(fn: Function, ctx: CheckContext) -> HandlerSource | None:
    src = ctx.source(fn)
    if src is None or src.parse_error is not None:
        return None
    return src


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


def _managed(role: Role) -> list[AwsManagedPolicy] | None:
    """The role's AWS managed policies, or None when one of them is not known (a customer
    managed policy, or a name missing from the shipped data)."""
    out = []
    for attached in role.managed_policies:
        if not iam.is_aws_managed_name(attached.name):
            return None
        known = managed_policies.policy(iam.policy_name(attached.name))
        if known is None:
            return None
        out.append(known)
    return out


def action_status(role: Role | None, action: str) -> str:
    """allowed | missing | denied | unknown: does the role let the function call `action`?

    Any Allow statement that names the action counts, whatever its resources or conditions
    (which resource a call touches is not known); the statements of the role's AWS managed
    policies count like its own. An explicit Deny counts only when it applies to every
    resource without conditions."""
    if role is None or not role.known or role.incomplete:
        return UNKNOWN_STATUS
    managed = _managed(role)
    if managed is None:
        return UNKNOWN_STATUS
    allowed = False
    unknown = False
    for stmt in role.statements:
        if stmt.effect == "Deny":
            if (
                not stmt.actions_unknown
                and not stmt.has_condition
                and iam.on_every_resource(stmt)
                and not stmt.not_resources
                and _covers(stmt.actions, stmt.not_actions, action)
            ):
                return DENIED
            continue
        if stmt.effect != "Allow":
            unknown = True
            continue
        if stmt.actions_unknown:
            unknown = True
        elif _covers(stmt.actions, stmt.not_actions, action):
            allowed = True
    for policy in managed:
        for item in policy.statements:
            if not _covers(item.actions, item.not_actions, action):
                continue
            if item.effect == "Allow":
                allowed = True
            elif item.every_resource and not item.has_condition:
                return DENIED
    if allowed:
        return ALLOWED
    if unknown or action.lower() in GRANTED_BY_THE_TARGET:
        return UNKNOWN_STATUS
    return MISSING


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
    managed = _managed(role)
    if managed is None:
        return False
    for action in LOG_WRITING:
        allowed = False
        for stmt in role.statements:
            if stmt.actions_unknown or stmt.effect not in ("Allow", "Deny"):
                return False
            if not _covers(stmt.actions, stmt.not_actions, action):
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
                if not _covers(item.actions, item.not_actions, action):
                    continue
                if item.effect != "Allow":
                    return False
                if item.every_resource and not item.has_condition and not item.not_resource:
                    allowed = True
        if not allowed:
            return False
    return True


def _covers(actions: Sequence[str], not_actions: Sequence[str], action: str) -> bool:
    if not_actions:
        return not any(iam.matches(p, action) for p in not_actions)
    return any(iam.matches(p, action) for p in actions)


@dataclass(frozen=True)
class CodeAction:
    """One IAM action the handler's code needs, where, and whether the role grants it."""

    action: str
    call: SdkCall
    status: str


def code_actions(fn: Function, ctx: CheckContext) -> list[CodeAction] | None:
    """The IAM actions the handler calls (None when the source cannot be analysed)."""
    src = _analysed(fn, ctx)
    if src is None:
        return None
    names = _handler_names(fn, ctx, src)
    sole = _sole_user(fn, ctx)
    out: list[CodeAction] = []
    for call in src.sdk_calls:
        if not _relevant(call.in_function, names, sole):
            continue
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
    actions = code_actions(fn, ctx)
    src = ctx.source(fn)
    if not actions or src is None:
        return
    role_name = f" {role.name}" if role.name else ""
    fix: Fix | None = None
    missing = sorted({item.action for item in actions if item.status == MISSING})
    if missing:
        edits = fixes.add_statement(ctx.texts, fn, missing)
        if edits:
            fix = Fix(f"Allow {', '.join(missing)} to the role", tuple(edits))
    for item in actions:
        if item.status not in (MISSING, DENIED):
            continue
        call = item.call
        how = "explicitly denies" if item.status == DENIED else "does not grant"
        yield Finding(
            f"{call.method or call.operation} ({call.service} {call.operation}) needs "
            f"{item.action}, which the role{role_name} of function {fn.name} {how}",
            ctx.source_loc(src, call.pos),
            fix=fix if item.status == MISSING else None,
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
