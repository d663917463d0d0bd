"""What a function's code needs from IAM, next to what its role grants.

The join of the handler facts (each SDK call, with the arguments that name its resource) and
the model (the function's environment, the resources declared next to it, its role): a call's
resource is followed through its environment variables to a resource of the project, or to an
identifier the code writes in full, giving the statements the code needs (`Need`). Compared
with the role's statements, each need is allowed, missing, granted only on other resources,
denied or unknown; what the role grants and no call needs is `unused`.

Facts only: the rules (LL205, LL208) judge and word, `lambdalint policy` renders
(statements.py). `needs_of` is the reusable part: every call with the resource it acts on.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lambdalint.analysis.facts import Argument, HandlerSource, ModuleImport, SdkCall, ValuePart
from lambdalint.aws import arns, iam, managed_policies, resources, sdk
from lambdalint.aws.arns import ANY, Match, Token, Tokens
from lambdalint.aws.managed_policies import AwsManagedPolicy
from lambdalint.engine.context import CheckContext, code_key
from lambdalint.model import AwsResource, Function, Layer, Loc, ManagedPolicy, Role, Statement

ALLOWED, MISSING, DENIED, UNKNOWN_STATUS = "allowed", "missing", "denied", "unknown"
# the role grants the action, but only on resources that are certainly not the one the call
# acts on
ELSEWHERE = "elsewhere"

# Actions a role may use without any statement of its own granting them: in the same account a
# role's trust policy that names the caller lets it assume the role (only a permissions
# boundary could still stop it), so whether the call fails depends on the role assumed.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html
GRANTED_BY_THE_TARGET = frozenset({"sts:assumerole"})

# What Lambda itself does with the execution role, not the code: write logs and traces, manage
# a VPC function's network interfaces, poll event sources, send failed events to a DLQ or
# destination. The role must keep these; they are never "unused".
# https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
PLATFORM_ACTIONS = iam.UNSCOPED_ACTIONS | frozenset(
    {
        "sqs:receivemessage",
        "sqs:deletemessage",
        "sqs:getqueueattributes",
        "sqs:changemessagevisibility",
        "kinesis:getrecords",
        "kinesis:getsharditerator",
        "kinesis:describestream",
        "kinesis:describestreamsummary",
        "kinesis:liststreams",
        "kinesis:listshards",
        "kinesis:subscribetoshard",
        "dynamodb:getrecords",
        "dynamodb:getsharditerator",
        "dynamodb:describestream",
        "dynamodb:liststreams",
        "logs:tagresource",
    }
)
# sent to by Lambda when a function has a dead-letter queue or an on-failure destination (its own,
# or a stream or Kafka event source mapping's)
# https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
DESTINATION_ACTIONS = frozenset(
    {"sqs:sendmessage", "sns:publish", "lambda:invokefunction", "events:putevents"}
)
PLATFORM_MANAGED_POLICIES = frozenset(
    {
        "AWSLambdaBasicExecutionRole",
        "AWSLambdaVPCAccessExecutionRole",
        "AWSLambdaENIManagementAccess",
        "AWSXRayDaemonWriteAccess",
        "AWSXrayWriteOnlyAccess",
        "AWSLambdaSQSQueueExecutionRole",
        "AWSLambdaKinesisExecutionRole",
        "AWSLambdaDynamoDBExecutionRole",
        "AWSLambdaMSKExecutionRole",
        "CloudWatchLambdaInsightsExecutionRolePolicy",
        "CloudWatchLambdaApplicationSignalsExecutionRolePolicy",
    }
)
# statements a framework adds to the role it generates for Lambda's own use
_PLATFORM_SOURCES = ("SAM DeadLetterQueue", "Serverless Framework default role")


# ---------------------------------------------------------------------------- the handler


def handler_names(fn: Function, ctx: CheckContext, src: HandlerSource) -> set[str]:
    """The names the handler's code may be found under in facts' `in_function`."""
    target = ctx.handler_target(fn)
    names = {target.function}
    exported = src.top_level.get(target.function)
    if exported is not None and exported.target:
        names.add(exported.target)
    return names


def sole_user(fn: Function, ctx: CheckContext) -> bool:
    """No other function of the project runs another handler of this function's file."""
    target = ctx.handler_target(fn)
    return ctx.handlers_by_file().get(code_key(target), set()) <= {target.function}


def relevant(in_function: str | None, names: set[str], sole: bool) -> bool:
    return in_function is None or in_function in names or sole


def analysed(fn: Function, ctx: CheckContext) -> HandlerSource | None:
    src = ctx.source(fn)
    if src is None or src.parse_error is not None:
        return None
    return src


def handler_calls(fn: Function, ctx: CheckContext) -> list[SdkCall] | None:
    """The SDK calls attributed to the function's handler (None: source not analysed)."""
    src = analysed(fn, ctx)
    if src is None:
        return None
    names = handler_names(fn, ctx, src)
    sole = sole_user(fn, ctx)
    return [c for c in src.sdk_calls if relevant(c.in_function, names, sole)]


# ---------------------------------------------------------------------------- resources


@dataclass(frozen=True)
class Arn:
    """A resource a statement names: the ARN of a project resource followed by `suffix`
    (`/*`: every object of a bucket), or `text`, an ARN written in full in which `{partition}`,
    `{region}` and `{account}` stand for the deployment's and `*` for any text ("*" alone:
    every resource)."""

    resource: AwsResource | None = None
    suffix: str = ""
    text: str = ""
    kind: str = ""

    def label(self) -> str:
        """How a message names it: `Uploads/*`, or the ARN."""
        if self.resource is not None:
            return self.resource.id + self.suffix
        return self.text.replace("{partition}", "aws")

    def tokens(self) -> Tokens:
        if self.resource is not None:
            return arns.form_tokens(self.resource, "arn") + _suffix_tokens(self.suffix)
        return _suffix_tokens(self.text)


EVERYTHING = Arn(text="*")


def _suffix_tokens(text: str) -> Tokens:
    out: list[str | Token] = []
    i = 0
    while i < len(text):
        for marker in ("partition", "region", "account"):
            tag = "{" + marker + "}"
            if text.startswith(tag, i):
                if marker == "partition":
                    out.extend("aws")
                else:
                    out.append(Token("pseudo", marker))
                i += len(tag)
                break
        else:
            out.append(ANY if text[i] == "*" else text[i])
            i += 1
    return tuple(out)


@dataclass(frozen=True)
class Need:
    """One IAM action on one resource that a call of the handler needs. `arn` is None when the
    resource cannot be told (`why` says why). `via` says why a call needs an action beside its
    own (`the KMS key of Uploads`)."""

    action: str
    arn: Arn | None
    call: SdkCall
    loc: Loc
    via: str = ""
    why: str = ""


class _Values:
    """Follows an argument's value to a resource: environment variables to their rendered
    values in the template, those to the project's resources."""

    def __init__(self, fn: Function) -> None:
        self.fn = fn
        self.declared = arns.Resources(fn.resources)

    def tokens(self, arg: Argument) -> tuple[Tokens | None, str]:
        """The value as tokens (ANY for what the code builds at run time), or None and why."""
        out: list[str | Token] = []
        for part in arg.parts:
            if part.kind == "text":
                out.extend(part.text)
            elif part.kind == "unknown":
                out.append(ANY)
            else:
                env = self.fn.environment.get(part.text)
                if env is None:
                    return None, f"the environment variable {part.text} is not set on the function"
                if env.text is None:
                    return None, f"the value of {part.text} cannot be followed"
                out.extend(arns.tokens(env.text, self.declared))
        return tuple(out), ""

    def direct(self, arg: Argument) -> AwsResource | None:
        """The resource when the value is one environment variable holding one reference."""
        if len(arg.parts) != 1 or arg.parts[0].kind != "env":
            return None
        env = self.fn.environment.get(arg.parts[0].text)
        if env is None or env.text is None:
            return None
        found = self.declared.by_placeholder.get(env.text.strip())
        return found[0] if found is not None else None

    def target(self, kind_name: str, forms: Sequence[str], arg: Argument) -> tuple[Arn | None, str]:
        """The ARN of the resource the argument names, or None and why."""
        kind = resources.kind(kind_name)
        if kind is None:
            return None, "lambdalint does not know this kind of resource"
        direct = self.direct(arg)
        if direct is not None:
            if direct.kind == kind_name:
                return Arn(direct, kind=kind_name), ""
            return None, f"it names {direct.id}, which is no {kind.label}"
        value, why = self.tokens(arg)
        if value is None:
            return None, why
        if ANY in value:
            return None, "its value is computed at run time"
        for res in self.declared.of_kind(kind_name):
            for form in ("name", "arn", "url"):
                if arns.form_tokens(res, form) == value:
                    return Arn(res, kind=kind_name), ""
        if not arns.is_literal(value):
            return None, "its value cannot be followed to a resource"
        text = arns.text_of(value)
        if text.startswith("arn:"):
            return Arn(text=_templated(text), kind=kind_name), ""
        if "url" in forms and kind.url is not None:
            name = _name_from_url(text)
            if name is None:
                return None, f"{text} is not a {kind.label} URL"
            return Arn(text=kind.arn.replace("{name}", name), kind=kind_name), ""
        if "name" in forms or "arn" in forms:
            name = text.lstrip("/") if kind_name == "ssm-parameter" else text
            fmt = kind.arn.replace("{suffix}", "??????")
            return Arn(text=fmt.replace("{name}", name), kind=kind_name), ""
        return None, "its value cannot be followed to a resource"


def _templated(arn: str) -> str:
    """An ARN written in full, with its partition as `{partition}`."""
    parts = arn.split(":", 2)
    if len(parts) == 3 and parts[1] == "aws":
        return f"arn:{{partition}}:{parts[2]}"
    return arn


def _name_from_url(url: str) -> str | None:
    """`https://sqs.us-east-1.amazonaws.com/123456789012/orders` → `orders` (region and account
    are then the deployment's, as IAM requires them to be)."""
    parts = url.rstrip("/").split("/")
    return parts[-1] if url.startswith("https://") and len(parts) >= 5 and parts[-1] else None


# ---------------------------------------------------------------------------- needs


@dataclass(frozen=True)
class UnknownCall:
    """A call whose permission is not known at all."""

    call: SdkCall
    loc: Loc
    why: str


def needs_of(fn: Function, ctx: CheckContext) -> tuple[list[Need], list[UnknownCall]] | None:
    """Every IAM action on every resource the handler's calls need (KMS included), and the
    calls whose permission is not known; None when the source is not analysed."""
    calls = handler_calls(fn, ctx)
    if calls is None:
        return None
    src = ctx.source(fn)
    values = _Values(fn)
    needs: list[Need] = []
    unknown: list[UnknownCall] = []
    for call in calls:
        loc = ctx.source_loc(src, call.pos)
        if not call.actions_known:
            unknown.append(
                UnknownCall(
                    call, loc, f"the permission {call.service} {call.operation} needs is not known"
                )
            )
            continue
        for need in _call_needs(call, loc, values):
            needs.append(need)
            needs.extend(_kms_needs(need, values))
    return needs, unknown


def _call_needs(call: SdkCall, loc: Loc, values: _Values) -> list[Need]:
    if not call.actions:
        return []
    return _own_needs(call, loc, values) + _passed_roles(call, loc, values)


def _passed_roles(call: SdkCall, loc: Loc, values: _Values) -> list[Need]:
    """iam:PassRole on each role the call hands to the service."""
    out: list[Need] = []
    for arg in call.arguments:
        if not resources.passes_role(call.service, arg.path):
            continue
        value, why = values.tokens(arg)
        arn: Arn | None = None
        if value is not None and arns.is_literal(value) and ANY not in value:
            text = arns.text_of(value)
            if text.startswith("arn:") and ":role/" in text:
                arn = Arn(text=_templated(text), kind="iam-role")
        out.append(
            Need(
                "iam:PassRole",
                arn,
                call,
                loc,
                via="the role it passes",
                why=why
                or ("" if arn is not None else "the role it passes cannot be followed to its ARN"),
            )
        )
    return out


def _own_needs(call: SdkCall, loc: Loc, values: _Values) -> list[Need]:
    key = (call.service, call.operation)
    if key in resources.UNSCOPED_OPERATIONS:
        return [Need(a, EVERYTHING, call, loc) for a in call.actions]
    special = _SERVICES.get(call.service)
    if special is not None:
        return special(call, loc, values)
    return _generic(call, loc, values)


def _unresolved(
    call: SdkCall, loc: Loc, why: str, actions: Iterable[str] | None = None
) -> list[Need]:
    return [Need(a, None, call, loc, why=why) for a in (actions or call.actions)]


def _generic(call: SdkCall, loc: Loc, values: _Values) -> list[Need]:
    params = resources.parameters(call.service)
    for path, param in params.items():
        args = call.argument(path)
        if not args:
            continue
        out: list[Need] = []
        for arg in args:
            if not arg.parts and path == "Entries[].EventBusName":
                arn: Arn | None = Arn(
                    text=_default_bus(), kind="events-event-bus"
                )  # no bus named: the default one
                why = ""
            else:
                arn, why = values.target(param.kind, param.forms, arg)
            out.extend(Need(a, arn, call, loc, why=why) for a in call.actions)
        return out
    if call.spread:
        return _unresolved(
            call, loc, "its arguments are passed as a mapping lambdalint does not see"
        )
    if call.service == "sns" and call.argument("PhoneNumber"):
        return [Need(a, EVERYTHING, call, loc) for a in call.actions]  # SMS: no topic
    if call.service not in {s for s, _ in resources.PARAMETERS}:
        return _unresolved(
            call, loc, f"lambdalint does not know which resource {call.service} calls act on"
        )
    return _unresolved(call, loc, "the call names no resource lambdalint can follow")


def _default_bus() -> str:
    return "arn:{partition}:events:{region}:{account}:event-bus/default"


def _s3(call: SdkCall, loc: Loc, values: _Values) -> list[Need]:
    op = call.operation
    out: list[Need] = []
    for action in call.actions:
        if op in ("CopyObject", "UploadPartCopy") and action == "s3:GetObject":
            out.append(_copy_source(call, loc, values, action))
            continue
        objects = op in resources.S3_OBJECT_OPERATIONS
        out.append(_s3_object_or_bucket(call, loc, values, action, objects))
    return out


def _s3_object_or_bucket(
    call: SdkCall, loc: Loc, values: _Values, action: str, objects: bool
) -> Need:
    buckets = call.argument("Bucket")
    if not buckets:
        why = (
            "its arguments are passed as a mapping lambdalint does not see"
            if call.spread
            else "the call names no bucket"
        )
        return Need(action, None, call, loc, why=why)
    bucket, why = values.target("s3-bucket", ("name",), buckets[0])
    if bucket is None:
        return Need(action, None, call, loc, why=why)
    if not objects:
        return Need(action, bucket, call, loc)
    suffix = "/*"
    keys = call.argument("Key")
    if keys and call.operation != "DeleteObjects":
        suffix = "/" + _key_pattern(keys[0], values)
    return Need(action, _with_suffix(bucket, suffix), call, loc)


def _key_pattern(arg: Argument, values: _Values) -> str:
    """A literal key as it is, a key built from a literal prefix `prefix*`, else `*`."""
    value, _ = values.tokens(arg)
    if value is None:
        return "*"
    out: list[str] = []
    for t in value:
        if isinstance(t, str) and t not in "*?":
            out.append(t)
        else:
            out.append("*")
            break
    text = "".join(out)
    return text if text else "*"


def _with_suffix(arn: Arn, suffix: str) -> Arn:
    if arn.resource is not None:
        return Arn(arn.resource, arn.suffix + suffix, kind=arn.kind)
    return Arn(text=arn.text + suffix, kind=arn.kind)


def _copy_source(call: SdkCall, loc: Loc, values: _Values, action: str) -> Need:
    buckets = call.argument("CopySource.Bucket")
    if buckets:
        bucket, why = values.target("s3-bucket", ("name",), buckets[0])
        if bucket is None:
            return Need(action, None, call, loc, why=why)
        keys = call.argument("CopySource.Key")
        key = _key_pattern(keys[0], values) if keys else "*"
        return Need(action, _with_suffix(bucket, "/" + key), call, loc)
    sources = call.argument("CopySource")
    if sources:
        value, why = values.tokens(sources[0])
        if value is not None and arns.is_literal(value):
            text = arns.text_of(value).lstrip("/")
            name, _, key = text.partition("/")
            if name and key:
                bucket_arg = Argument("Bucket", (ValuePart("text", name),), sources[0].pos)
                bucket, why = values.target("s3-bucket", ("name",), bucket_arg)
                if bucket is not None:
                    return Need(action, _with_suffix(bucket, "/" + key), call, loc)
        return Need(action, None, call, loc, why=why or "the copy source is built at run time")
    return Need(action, None, call, loc, why="the call names no copy source")


def _dynamodb(call: SdkCall, loc: Loc, values: _Values) -> list[Need]:
    needs = _generic(call, loc, values)
    indexes = call.argument("IndexName")
    if not indexes:
        return needs
    index, _ = values.tokens(indexes[0])
    name = arns.text_of(index) if index is not None and arns.is_literal(index) else "*"
    return [
        Need(n.action, _with_suffix(n.arn, f"/index/{name}"), n.call, n.loc, n.via, n.why)
        if n.arn is not None
        else n
        for n in needs
    ]


def _ssm(call: SdkCall, loc: Loc, values: _Values) -> list[Need]:
    if call.operation != "GetParametersByPath":
        return _generic(call, loc, values)
    paths = call.argument("Path")
    if not paths:
        return _unresolved(call, loc, "the call names no path")
    value, why = values.tokens(paths[0])
    if value is None or not arns.is_literal(value) or ANY in value:
        return _unresolved(call, loc, why or "its path is built at run time")
    path = arns.text_of(value).strip("/")
    base = "arn:{partition}:ssm:{region}:{account}:parameter/" + path
    out: list[Need] = []
    for action in call.actions:
        out.append(Need(action, Arn(text=base, kind="ssm-parameter"), call, loc))
        out.append(Need(action, Arn(text=base + "/*", kind="ssm-parameter"), call, loc))
    return out


def _appconfig(call: SdkCall, loc: Loc, values: _Values) -> list[Need]:
    # the ARN names the application, environment and profile by id; the code gives names
    return _unresolved(call, loc, "AppConfig ARNs name ids, not the names the code gives")


_SERVICES: dict[str, Callable[[SdkCall, Loc, _Values], list[Need]]] = {
    "s3": _s3,
    "dynamodb": _dynamodb,
    "ssm": _ssm,
    "appconfigdata": _appconfig,
}


def _kms_needs(need: Need, values: _Values) -> list[Need]:
    """KMS actions the key of an encrypted resource of the project adds."""
    res = need.arn.resource if need.arn is not None else None
    if res is None or res.kms_key is None or not isinstance(res.kms_key, str):
        return []
    actions = resources.kms_actions(res.kind, need.action)
    if not actions:
        return []
    arn: Arn | None
    why = ""
    found = values.declared.by_placeholder.get(res.kms_key.strip())
    if found is not None and found[0].kind == "kms-key":
        arn = Arn(found[0], kind="kms-key")
    elif res.kms_key.startswith("arn:") and ":key/" in res.kms_key:
        arn = Arn(text=_templated(res.kms_key), kind="kms-key")
    else:
        arn, why = None, f"the key of {res.id} is not named by its ARN"
    via = f"the KMS key of {res.id}"
    return [Need(a, arn, need.call, need.loc, via=via, why=why) for a in actions]


def kms_unknown(needs: Iterable[Need]) -> bool:
    """Whether a call acts, through a service that can encrypt with a customer managed KMS
    key, on a resource whose key lambdalint does not know (not declared in the project, a kind
    whose key it does not read, or a key it cannot tell): the role may need kms:* for it."""
    for need in needs:
        if need.via:
            continue
        service = need.action.split(":", 1)[0].lower()
        if service not in resources.KMS_SERVICES:
            continue
        res = need.arn.resource if need.arn is not None else None
        if res is None or res.kind not in resources.KMS_KEY_KINDS:
            return True
        if res.kms_key is not None and not isinstance(res.kms_key, str):
            return True
    return False


# ---------------------------------------------------------------------------- grants


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


def _covers(actions: Sequence[str], not_actions: Sequence[str], action: str) -> bool:
    if not_actions:
        return not any(iam.matches(p, action) for p in not_actions)
    return any(iam.matches(p, action) for p in actions)


def action_status(role: Role | None, action: str) -> str:
    """allowed | missing | denied | unknown: does the role let the function call `action`,
    on some resource?

    Any Allow statement that names the action counts, whatever its resources or conditions;
    the statements of the role's AWS managed policies count like its own. An explicit Deny
    counts only when it applies to every resource without conditions."""
    return Grants(role, ()).status(action, None).status


@dataclass(frozen=True)
class Status:
    """Whether the role allows a need: `status`, and for ELSEWHERE the resources it does
    allow the action on (as written)."""

    status: str
    elsewhere: tuple[str, ...] = ()


class Grants:
    """What a role grants, ready to be asked about needs."""

    def __init__(self, role: Role | None, declared: Iterable[AwsResource]) -> None:
        self.role = role
        self.declared = arns.Resources(declared)
        self.known = role is not None and role.known and not role.incomplete
        self.managed = _managed(role) if self.known and role is not None else None
        self._patterns: dict[int, list[Tokens]] = {}

    def _resources(self, stmt: Statement) -> list[Tokens]:
        key = id(stmt)
        if key not in self._patterns:
            self._patterns[key] = [
                arns.tokens(r, self.declared, pattern=True) for r in stmt.resources
            ]
        return self._patterns[key]

    def _match(self, stmt: Statement, arn: Arn | None) -> Match:
        if arn is None:
            return Match.YES  # which resource is not known: the action counts anywhere
        if stmt.has_condition or stmt.resources_unknown or stmt.not_resources:
            return Match.MAYBE
        value = arn.tokens()
        return max((arns.covers(p, value) for p in self._resources(stmt)), default=Match.NO)

    def status(self, action: str, arn: Arn | None) -> Status:
        role = self.role
        if role is None or not self.known or self.managed is None:
            return Status(UNKNOWN_STATUS)
        best = Match.NO
        named = False  # some Allow statement names the action
        unknown = False
        elsewhere: list[str] = []
        for stmt in role.statements:
            if stmt.effect == "Deny":
                if stmt.actions_unknown or stmt.has_condition:
                    continue
                if not _covers(stmt.actions, stmt.not_actions, action):
                    continue
                if iam.on_every_resource(stmt) and not stmt.not_resources:
                    return Status(DENIED)
                if (
                    arn is not None
                    and not stmt.not_resources
                    and self._match(stmt, arn) == Match.YES
                ):
                    return Status(DENIED)
                continue
            if stmt.effect != "Allow":
                unknown = True
                continue
            if stmt.actions_unknown:
                unknown = True
                continue
            if not _covers(stmt.actions, stmt.not_actions, action):
                continue
            named = True
            match = self._match(stmt, arn)
            best = max(best, match)
            if match == Match.NO:
                elsewhere.extend(stmt.resources)
        for policy in self.managed:
            for item in policy.statements:
                if not _covers(item.actions, item.not_actions, action):
                    continue
                if item.effect == "Allow":
                    named = True
                    every = item.every_resource and not item.has_condition
                    best = max(best, Match.YES if every or arn is None else Match.MAYBE)
                elif item.every_resource and not item.has_condition:
                    return Status(DENIED)
        if best == Match.YES:
            return Status(ALLOWED)
        if best == Match.MAYBE or unknown or action.lower() in GRANTED_BY_THE_TARGET:
            return Status(UNKNOWN_STATUS)
        if named:
            res = arn.resource if arn is not None else None
            if res is not None and res.resource_policy:
                return Status(UNKNOWN_STATUS)  # its own policy may let the role in
            return Status(ELSEWHERE, tuple(dict.fromkeys(elsewhere)))
        return Status(MISSING)


def describe(resource: str, declared: arns.Resources) -> str:
    """A Resource entry as a message names it: `LogsBucket/*` for the objects of a bucket of
    the project, else as written."""
    pattern = arns.tokens(resource, declared, pattern=True)
    for res in declared.all:
        head = arns.form_tokens(res, "arn")
        if len(pattern) >= len(head) and tuple(pattern[: len(head)]) == head:
            return res.id + arns.text_of(pattern[len(head) :])
    return resource


# ---------------------------------------------------------------------------- unused


@dataclass(frozen=True)
class Grant:
    """An Action entry of the role that the code may not need: `entry` as written, where
    (`loc`), the statement or managed policy it is in, how many actions it grants (`count`,
    wildcards expanded) and which of the needed ones it covers (`used`)."""

    entry: str
    loc: Loc
    count: int
    used: tuple[str, ...]
    statement: Statement | None = None
    policy: ManagedPolicy | None = None
    resources: tuple[str, ...] = ()


# what an event source mapping of Amazon MQ, MSK, self-managed Kafka or DocumentDB reads with
# the function's role: the broker or cluster, the secret that authenticates it, the VPC
# https://docs.aws.amazon.com/lambda/latest/dg/with-mq.html
# https://docs.aws.amazon.com/lambda/latest/dg/with-msk-permissions.html
BROKER_ACTIONS = frozenset(
    {
        "secretsmanager:getsecretvalue",
        "kms:decrypt",
        "mq:describebroker",
        "kafka:describecluster",
        "kafka:describeclusterv2",
        "kafka:getbootstrapbrokers",
        "kafka-cluster:connect",
        "kafka-cluster:describegroup",
        "kafka-cluster:altergroup",
        "kafka-cluster:describetopic",
        "kafka-cluster:readdata",
        "kafka-cluster:describeclusterdynamicconfiguration",
        "rds:describedbclusters",
        "rds:describedbclusterparameters",
        "rds:describedbsubnetgroups",
        "ec2:describevpcs",
        "ec2:describesubnets",
        "ec2:describesecuritygroups",
    }
)


def _platform(fn: Function) -> frozenset[str]:
    """The actions Lambda uses the role for itself (see PLATFORM_ACTIONS)."""
    out = PLATFORM_ACTIONS
    if (
        fn.dead_letter is not None
        or fn.on_failure is not None
        or any(e.on_failure for e in fn.events)
    ):
        out = out | DESTINATION_ACTIONS
    if any(e.kind in ("mq", "msk", "other") for e in fn.events):
        out = out | BROKER_ACTIONS
    return out


def platform_actions(fn: Function) -> frozenset[str]:
    """The actions (lower case) Lambda itself uses the function's role for."""
    return _platform(fn)


def _expanded(entries: Iterable[str], not_actions: Sequence[str] = ()) -> frozenset[str]:
    if not_actions:
        every = _every_action()
        return frozenset(a for a in every if not any(iam.matches(p, a) for p in not_actions))
    out: set[str] = set()
    for entry in entries:
        out.update(iam.expand(entry))
    return frozenset(out)


@lru_cache(maxsize=1)
def _every_action() -> frozenset[str]:
    return iam.expand("*")


def granted_actions(fn: Function, needed: Iterable[str] = ()) -> frozenset[str] | None:
    """Every action (lower case, wildcards expanded) the role's Allow statements and AWS
    managed policies grant, Lambda's own use left out unless the code needs it too (`needed`,
    lower case); None when that is not known."""
    role = fn.role
    if role is None or not role.known or role.incomplete:
        return None
    managed = _managed(role)
    if managed is None:
        return None
    out: set[str] = set()
    for stmt in role.statements:
        if stmt.effect != "Allow" or stmt.source.startswith(_PLATFORM_SOURCES):
            continue
        if stmt.actions_unknown:
            return None
        out |= _expanded(stmt.actions, stmt.not_actions)
    for policy in managed:
        if policy.name in PLATFORM_MANAGED_POLICIES:
            continue
        for item in policy.statements:
            if item.effect == "Allow":
                out |= _expanded(item.actions, item.not_actions)
    return frozenset(out) - (_platform(fn) - frozenset(needed))


def unused_grants(fn: Function, needed: Iterable[str]) -> list[Grant]:
    """The Action entries of the role (its own statements and AWS managed policies) that
    grant actions neither the code nor Lambda itself needs (`used`: those they do need)."""
    role = fn.role
    if role is None or not role.known:
        return []
    wanted = {a.lower() for a in needed}
    platform = _platform(fn)
    out: list[Grant] = []
    for stmt in role.statements:
        if stmt.effect != "Allow" or stmt.actions_unknown or stmt.not_actions:
            continue
        if stmt.source.startswith(_PLATFORM_SOURCES):
            continue
        for entry in stmt.actions:
            grant = _entry(entry, wanted, platform, stmt.action_loc or stmt.loc)
            if grant is not None:
                out.append(
                    Grant(
                        grant.entry,
                        grant.loc,
                        grant.count,
                        grant.used,
                        statement=stmt,
                        resources=tuple(stmt.resources),
                    )
                )
    for attached in role.managed_policies:
        if not iam.is_aws_managed_name(attached.name):
            continue
        name = iam.policy_name(attached.name)
        known = managed_policies.policy(name)
        if known is None or name in PLATFORM_MANAGED_POLICIES:
            continue
        actions = _expanded([a for s in known.statements if s.effect == "Allow" for a in s.actions])
        used = tuple(sorted(actions & (wanted | platform)))
        if len(used) < len(actions):
            out.append(Grant(name, attached.loc, len(actions), used, policy=attached))
    return out


def _entry(entry: str, wanted: set[str], platform: frozenset[str], loc: Loc) -> Grant | None:
    """The entry when it grants an action that neither the code nor Lambda needs; `used`
    the ones they do need."""
    actions = iam.expand(entry)
    used = tuple(sorted(a for a in actions if a in wanted or a in platform))
    if len(used) >= len(actions):
        return None
    return Grant(entry.strip(), loc, len(actions), used)


# ---------------------------------------------------------------------------- completeness


def doubts(fn: Function, ctx: CheckContext) -> list[str]:
    """Why the handler's calls may not be all the AWS calls the function makes ([] when they
    are: every call's permission known, no SDK use the analysis cannot follow, no import of a
    module whose calls it does not see)."""
    src = analysed(fn, ctx)
    if src is None:
        return ["its handler source is not analysed"]
    out: list[str] = []
    if src.notice:
        out.append(src.notice)
    for doubt in src.sdk_doubts:
        out.append(f"line {ctx.source_loc(src, doubt.pos).pos.line}: {doubt.why}")
    root = _code_root(fn, ctx)
    methods = _sdk_methods(src)
    for imported in src.imports:
        if imported.main_only:
            continue  # not imported when Lambda loads the module
        if not _quiet(imported, src.language) and not _aws_free(
            imported, src, root, ctx, methods, set()
        ):
            shown = imported.name or "." + ",".join(imported.names)
            out.append(f"it imports {shown}, whose AWS calls (if any) are not seen")
    for layer in fn.layers:
        if layer.content is None and not _quiet_layer(layer):
            out.append(
                f"its layer {layer.name or layer.ref} may run an extension that uses its role"
            )
        elif layer.content is not None and _has_extensions(layer.content):
            out.append(f"its layer {layer.name} holds extensions, which may use its role")
    names = handler_names(fn, ctx, src)
    for call in src.sdk_calls:
        if call.service in resources.FORWARDS_CALLER_PERMISSIONS and relevant(
            call.in_function, names, sole_user(fn, ctx)
        ):
            out.append(
                f"line {ctx.source_loc(src, call.pos).pos.line}: {call.service} acts on other "
                "resources with the caller's permissions"
            )
    if not sole_user(fn, ctx) and any(
        c.in_function is not None and c.in_function not in names for c in src.sdk_calls
    ):
        out.append("its file serves other handlers, and not every call belongs to one")
    for call in src.sdk_calls:
        if not call.actions_known and relevant(call.in_function, names, sole_user(fn, ctx)):
            out.append(
                f"line {ctx.source_loc(src, call.pos).pos.line}: the permission "
                f"{call.service} {call.operation} needs is not known"
            )
    return list(dict.fromkeys(out))


# AWS-published layers whose use of the role is Lambda's own (logs and traces, see
# PLATFORM_ACTIONS) or none: Powertools (a library, its calls are the code's), the Lambda
# Insights extension (CloudWatchLambdaInsightsExecutionRolePolicy: logs only), the AWS Distro for
# OpenTelemetry layers (traces to X-Ray). Matched on the layer name of the ARN.
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Lambda-Insights-extension-versions.html
# https://aws-otel.github.io/docs/getting-started/lambda
_QUIET_LAYERS = ("lambdainsightsextension", "aws-otel-")


def _quiet_layer(layer: Layer) -> bool:
    """A layer (an ARN, literal or with `${AWS::Region}`-style parts, or a reference to a
    Powertools layer) whose extension, if any, uses the role only as Lambda itself does."""
    text = f"{layer.ref} {layer.name}".lower()
    if "powertools" in text:
        return True
    return ":layer:" in text and text.split(":layer:", 1)[1].startswith(_QUIET_LAYERS)


def _has_extensions(content: Path) -> bool:
    """A local layer with an `extensions/` folder (a zip is not opened: no doubt from it)."""
    try:
        return (content / "extensions").is_dir()
    except OSError:
        return False


def _quiet(imported: ModuleImport, language: str) -> bool:
    """A module whose own AWS calls (if it made any) would not be seen: not quiet."""
    if imported.local:
        return False
    name = imported.name
    if language == "python":
        top = name.split(".", 1)[0]
        if top in resources.RUNS_PROGRAMS:
            return False
        if top in sys.stdlib_module_names or _python_quiet(name):
            return True
        return bool(imported.names) and all(_python_quiet(f"{name}.{n}") for n in imported.names)
    bare = name.removeprefix("node:")
    if name in resources.RUNS_PROGRAMS or bare in resources.RUNS_PROGRAMS:
        return False
    return (
        bare in resources.NODE_BUILTINS
        or name in resources.NODE_QUIET_PACKAGES
        or name.startswith(resources.NODE_QUIET_PREFIXES)
    )


# how far lambdalint follows a handler's own modules to see that they make no AWS call
_MAX_MODULE_DEPTH = 4
_MAX_MODULES = 40
_NODE_EXTENSIONS = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts")


def _code_root(fn: Function, ctx: CheckContext) -> Path | None:
    """The folder Lambda puts on the module path (/var/task): the function's code folder."""
    target = ctx.handler_target(fn)
    where = target.where
    return where if where is not None and where.is_dir() else None


def _aws_free(
    imported: ModuleImport,
    src: HandlerSource,
    root: Path | None,
    ctx: CheckContext,
    sdk_methods: frozenset[str],
    seen: set[Path],
    depth: int = 0,
) -> bool:
    """The imported module is a file of the function's own code that makes no AWS call, nor
    do the modules it imports in turn (followed a few levels deep). Not when it is not found
    there (a package, a layer's module), makes or may make an SDK call, or calls a method
    named like an operation of the services the handler makes clients of (`table.put_item`
    on a table the handler passes it): `sdk_methods`, lower case."""
    if depth > _MAX_MODULE_DEPTH or len(seen) > _MAX_MODULES:
        return False
    files = _module_files(imported, src, root)
    if not files:
        return False
    for file in files:
        if file in seen:
            continue
        seen.add(file)
        module = ctx.module_source(src.language, file)
        if (
            module is None
            or module.parse_error is not None
            or module.notice
            or module.sdk_calls
            or module.clients
            or module.sdk_doubts
            or any(m.lower() in sdk_methods for m in module.method_names)
            or (module.language != "python" and any(_node_sdk(i.name) for i in module.imports))
        ):
            return False
        for inner in module.imports:
            if inner.main_only:
                continue
            if not _quiet(inner, module.language) and not _aws_free(
                inner, module, root, ctx, sdk_methods, seen, depth + 1
            ):
                return False
    return True


def _node_sdk(package: str) -> bool:
    return package == "aws-sdk" or package.startswith(("aws-sdk/", "@aws-sdk/"))


def _sdk_methods(src: HandlerSource) -> frozenset[str]:
    """The method names (lower case) of the operations, and Python resource methods, of the
    services the source makes clients of; the generic ones (`get`) left out."""
    out: set[str] = set()
    for service in {c.service for c in src.clients}:
        svc = sdk.service(service)
        if svc is not None:
            out.update(m.lower() for m in svc.snake)
            out.update(m.lower() for m in svc.operations)
        out.update(m.lower() for (s, _, m) in sdk.PYTHON_RESOURCE_METHODS if s == service)
    return frozenset(out - {m.lower() for m in sdk.COMMON_METHODS})


def _module_files(imported: ModuleImport, src: HandlerSource, root: Path | None) -> list[Path]:
    """The files of the function's code the import loads ([] when one is not found)."""
    if src.language == "python":
        if imported.level:
            base = src.path.parent
            for _ in range(imported.level - 1):
                base = base.parent
        elif root is not None:
            base = root
        else:
            return []
        parts = [p for p in imported.name.split(".") if p]
        module = _python_module(base, parts)
        if module is None:
            return []
        files = [module]
        if module.name == "__init__.py":  # `from pkg import sub`: sub may be a module
            for name in imported.names:
                sub = _python_module(module.parent, [name])
                if sub is not None:
                    files.append(sub)
        return files
    if not imported.local or not imported.name.startswith("."):
        return []
    path = src.path.parent / imported.name
    stem = path.with_suffix("") if path.suffix in _NODE_EXTENSIONS else path
    candidates = [path, *(stem.with_suffix(e) for e in _NODE_EXTENSIONS)]
    candidates += [path / f"index{e}" for e in _NODE_EXTENSIONS]
    for candidate in candidates:
        if candidate.is_file():
            return [candidate]
    return []


def _python_module(base: Path, parts: list[str]) -> Path | None:
    """`a.b` under `base`: a/b.py, or the package a/b/__init__.py (`from . import x`: base's)."""
    folder = base.joinpath(*parts) if parts else base
    if parts and folder.with_suffix(".py").is_file():
        return folder.with_suffix(".py")
    if (folder / "__init__.py").is_file():
        return folder / "__init__.py"
    return None


def _python_quiet(name: str) -> bool:
    top = name.split(".", 1)[0]
    return top in resources.PYTHON_QUIET_MODULES or any(
        name == p or name.startswith(p + ".") for p in resources.PYTHON_QUIET_PREFIXES
    )


# ---------------------------------------------------------------------------- all of it


def role_key(role: Role) -> object:
    """What identifies a role across the functions of a project."""
    return (str(role.loc.path), role.name) if role.name and role.loc is not None else id(role)


def role_users(fn: Function, ctx: CheckContext) -> list[Function]:
    """The functions of the project that assume the same role (the function included)."""
    if fn.role is None or not fn.role.known:
        return [fn]
    return ctx.cached("role-users", None, lambda: _users_by_role(ctx))[role_key(fn.role)]


def _users_by_role(ctx: CheckContext) -> dict[object, list[Function]]:
    users: dict[object, list[Function]] = {}
    for other in ctx.project.functions:
        if other.role is not None and other.role.known:
            users.setdefault(role_key(other.role), []).append(other)
    return users


@dataclass
class Privileges:
    """What one function's code needs and what its role grants (see the module docstring)."""

    fn: Function
    analysed: bool
    needs: list[Need] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)  # one per need
    unknown_calls: list[UnknownCall] = field(default_factory=list)
    unused: list[Grant] = field(default_factory=list)
    # lower-case actions: what the role grants (Lambda's own use left out; None: not known)
    # and what the code needs
    granted: frozenset[str] | None = None
    needed: frozenset[str] = frozenset()
    doubts: list[str] = field(default_factory=list)  # why the needs may be incomplete
    shared_with: list[str] = field(default_factory=list)  # other functions with the role

    @property
    def facts_complete(self) -> bool:
        return self.analysed and not self.doubts

    @property
    def complete(self) -> bool:
        """Every AWS call of the function is known, and every resource it acts on."""
        return self.facts_complete and all(n.arn is not None for n in self.needs)


def privileges(fn: Function, ctx: CheckContext) -> Privileges:
    found = needs_of(fn, ctx)
    reasons = doubts(fn, ctx)
    if found is None:
        return Privileges(fn, analysed=False, doubts=reasons, granted=granted_actions(fn))
    needs, unknown = found
    grants = Grants(fn.role, fn.resources)
    users = role_users(fn, ctx)
    needed = {n.action.lower() for n in needs}
    # a role shared by several functions serves all their needs
    wanted = set(needed)
    for other in users:
        if other is fn:
            continue
        theirs = needs_of(other, ctx)
        if theirs is not None:
            wanted |= {n.action.lower() for n in theirs[0]}
    return Privileges(
        fn,
        analysed=True,
        needs=needs,
        statuses=[grants.status(n.action, n.arn) for n in needs],
        unknown_calls=unknown,
        unused=[
            g
            for g in unused_grants(fn, wanted)
            if not (g.entry.lower().startswith("kms:") and kms_unknown(needs))
        ],
        granted=granted_actions(fn, needed),
        needed=frozenset(needed),
        doubts=reasons,
        shared_with=[u.name for u in users if u is not fn],
    )
