"""The statements a function's code needs, grouped per resource and written in each dialect:
JSON data (`lambdalint policy --format json`), a SAM `Policies` list (a SAM policy template where
one fits), a CloudFormation role policy, a Terraform `aws_iam_policy_document`, Serverless
`provider.iam.role.statements`.

`needed_statements(fn, ctx, dialect)` is what `lambdalint policy` prints for one function, and
what a fix that replaces a wildcard statement writes: the same text.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from lambdalint.aws import arns, iam, resources, sam_policy_templates
from lambdalint.aws.arns import Match
from lambdalint.engine.context import CheckContext
from lambdalint.engine.privileges import EVERYTHING, Arn, Need, Privileges, privileges
from lambdalint.loaders.cloudformation.template import Template
from lambdalint.model import AwsResource, Function
from lambdalint.reading.positions import LMap

Dialect = Literal["json", "sam", "cloudformation", "terraform", "serverless"]
DIALECTS: tuple[Dialect, ...] = ("json", "sam", "cloudformation", "terraform", "serverless")
_WRITE_LEVELS = frozenset({"Write", "Permissions management", "Permissions", "Tagging"})
_BASIC_EXECUTION = "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
# what Lambda needs to poll an event source with the function's role: SAM and the Serverless
# Framework add it to the role themselves, a CloudFormation or Terraform role must carry it
# https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
_POLLER_POLICIES = {
    "sqs": "AWSLambdaSQSQueueExecutionRole",
    "kinesis": "AWSLambdaKinesisExecutionRole",
    "dynamodb": "AWSLambdaDynamoDBExecutionRole",
    "msk": "AWSLambdaMSKExecutionRole",
}


def _pollers(fn: Function) -> list[str]:
    """The AWS managed policies that let Lambda poll the function's event sources."""
    kinds = [e.kind for e in fn.events]
    return [policy for kind, policy in _POLLER_POLICIES.items() if kind in kinds]


def _destinations_note(fn: Function) -> list[str]:
    """A comment when Lambda sends failed events with the role (a dead-letter queue, an
    on-failure destination): those statements are the template's, not the code's."""
    if (
        fn.dead_letter is None
        and fn.on_failure is None
        and not any(e.on_failure for e in fn.events)
    ):
        return []
    return ["# keep the statements that let Lambda send failed events to their destination"]


def dialect_of(fn: Function) -> Dialect:
    """The dialect of the file that declares the function's role: SAM `Policies` and
    Serverless statements only for the role the framework makes."""
    generated = fn.role is not None and fn.role.generated
    if fn.framework in ("sam", "cloudformation"):
        return "sam" if fn.framework == "sam" and generated else "cloudformation"
    if fn.framework == "serverless":
        return "serverless" if generated or fn.role is None else "cloudformation"
    return "terraform"


# ---------------------------------------------------------------------------- grouping


@dataclass(frozen=True)
class Block:
    """One statement to write: actions (as AWS spells them) on resources."""

    actions: tuple[str, ...]
    arns: tuple[Arn, ...]


def _arn_key(arn: Arn) -> tuple[str, str]:
    return (arn.resource.key if arn.resource is not None else "", arn.suffix or arn.text)


def blocks(needs: list[Need]) -> list[Block]:
    """The needs with a known resource as statements: the actions each resource needs, then
    resources that need the same actions together."""
    per_arn: dict[tuple[str, str], tuple[Arn, set[str]]] = {}
    for need in needs:
        if need.arn is None:
            continue
        key = _arn_key(need.arn)
        per_arn.setdefault(key, (need.arn, set()))[1].add(need.action)
    merged: dict[tuple[str, ...], list[Arn]] = {}
    for arn, actions in per_arn.values():
        merged.setdefault(tuple(sorted(actions, key=str.lower)), []).append(arn)
    return [Block(actions, tuple(found)) for actions, found in merged.items()]


# ---------------------------------------------------------------------------- resources


def _spelled_in_cfn(res: AwsResource) -> bool:
    """The resource is declared in CloudFormation (its expressions are intrinsics)."""
    return isinstance(res.expression("arn"), dict)


def _foreign(arn: Arn) -> Arn:
    """A resource of another dialect as an ARN written in full: its literal name, or `<Id>`
    to fill in."""
    res = arn.resource
    assert res is not None
    kind = resources.kind(res.kind)
    if kind is None:
        return Arn(text="*", kind=arn.kind)
    name = res.name.lstrip("/") if res.name and res.kind == "ssm-parameter" else res.name
    text = kind.arn.replace("{name}", name or f"<{res.id}>").replace("{suffix}", "??????")
    return Arn(text=text + arn.suffix, kind=arn.kind)


def _sub_literal(text: str) -> str:
    """Literal text inside an `Fn::Sub` string: `${` written `${!` (else CloudFormation reads a
    variable, as in an S3 key `data/${Env}.json` the code writes)."""
    return text.replace("${", "${!")


def _terraform_literal(text: str) -> str:
    """Literal text inside a Terraform string: `$${` and `%%{` (else a template sequence)."""
    return text.replace("${", "$${").replace("%{", "%%{")


def cfn_value(arn: Arn) -> object:
    """The ARN as a CloudFormation value (an intrinsic, or a string)."""
    if arn.resource is not None and not _spelled_in_cfn(arn.resource):
        arn = _foreign(arn)
    if arn.resource is not None:
        expr = arn.resource.expression("arn")
        if not arn.suffix:
            return expr
        suffix = _sub_literal(arn.suffix)
        if isinstance(expr, dict) and "Fn::GetAtt" in expr:
            logical, attr = expr["Fn::GetAtt"]
            return {"Fn::Sub": "${" + f"{logical}.{attr}" + "}" + suffix}
        if isinstance(expr, dict) and "Ref" in expr:
            return {"Fn::Sub": "${" + str(expr["Ref"]) + "}" + suffix}
        if isinstance(expr, dict) and isinstance(expr.get("Fn::Sub"), str):
            return {"Fn::Sub": expr["Fn::Sub"] + suffix}
        return None
    text = arn.text
    if not any(p in text for p in ("{partition}", "{region}", "{account}")):
        return text
    return {
        "Fn::Sub": _sub_literal(text)
        .replace("{partition}", "${AWS::Partition}")
        .replace("{region}", "${AWS::Region}")
        .replace("{account}", "${AWS::AccountId}")
    }


def terraform_value(arn: Arn) -> str:
    """The ARN as a Terraform expression."""
    if arn.resource is not None and _spelled_in_cfn(arn.resource):
        arn = _foreign(arn)
    if arn.resource is not None:
        expr = str(arn.resource.expression("arn"))
        if not arn.suffix:
            return expr
        return json.dumps("${" + expr + "}" + _terraform_literal(arn.suffix))
    text = _terraform_literal(arn.text).replace("{partition}", "aws").replace("{region}", "*")
    return json.dumps(text.replace("{account}", "*"))


def json_value(arn: Arn, dialect: Dialect) -> object:
    """The ARN in the JSON output: a Terraform function's as the string Terraform would
    interpolate, the others' as CloudFormation data."""
    if dialect == "terraform":
        if arn.resource is not None and not _spelled_in_cfn(arn.resource):
            expr = str(arn.resource.expression("arn"))
            return "${" + expr + "}" + _terraform_literal(arn.suffix)
        return json.loads(terraform_value(arn))
    return cfn_value(arn)


# ---------------------------------------------------------------------------- SAM templates


@dataclass(frozen=True)
class SamTemplate:
    """A SAM policy template bound to a resource: `S3ReadPolicy: {BucketName: !Ref Uploads}`."""

    name: str
    parameter: str | None
    value: object  # the bound value (an intrinsic)
    count: int  # how many actions it grants


def _substitute(definition: Any, name: str, value: object) -> Any:
    if isinstance(definition, dict):
        if definition == {"Ref": name}:
            return value
        return {k: _substitute(v, name, value) for k, v in definition.items()}
    if isinstance(definition, list):
        return [_substitute(v, name, value) for v in definition]
    return definition


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _template_grants(
    definition: dict[str, Any], tpl: Template, declared: arns.Resources
) -> list[tuple[frozenset[str], list[arns.Tokens]]] | None:
    out: list[tuple[frozenset[str], list[arns.Tokens]]] = []
    statements = _as_list(definition.get("Statement"))
    for stmt in statements:
        if not isinstance(stmt, dict) or stmt.get("Effect", "Allow") != "Allow":
            return None
        if stmt.get("Condition") or "NotAction" in stmt or "NotResource" in stmt:
            return None
        actions: set[str] = set()
        for entry in _as_list(stmt.get("Action")):
            if not isinstance(entry, str):
                return None
            actions |= iam.expand(entry)
        patterns: list[arns.Tokens] = []
        for raw in _as_list(stmt.get("Resource")):
            text = tpl.text(raw)
            if not isinstance(text, str):
                return None
            patterns.append(arns.tokens(text, declared, pattern=True))
        out.append((frozenset(actions), patterns))
    return out


def _candidates(res: AwsResource) -> list[object]:
    """The values a SAM template parameter could be bound to for the resource."""
    out: list[object] = [value for _, value in res.expressions if isinstance(value, dict)]
    return out


def sam_template(needs: list[Need], declared: arns.Resources) -> SamTemplate | None:
    """The SAM policy template that grants what `needs` (all on one resource, or all on "*")
    need, with nothing more than extra read access to the same resource; the one granting the
    fewest actions when several do."""
    targets = {n.arn.resource.key if n.arn and n.arn.resource else "" for n in needs}
    if len(targets) != 1 or any(n.arn is None for n in needs):
        return None
    res = needs[0].arn.resource if needs[0].arn is not None else None
    if res is None and any(n.arn != EVERYTHING for n in needs):
        return None
    wanted = {n.action.lower() for n in needs}
    found: list[SamTemplate] = []
    for name in sam_policy_templates.names():
        template = sam_policy_templates.template(name)
        if template is None or len(template.parameters) > 1:
            continue
        parameter = next(iter(template.parameters), None)
        if (parameter is None) != (res is None):
            continue
        for value in _candidates(res) if res is not None else [None]:
            bound = (
                _substitute(template.definition, parameter, value)
                if parameter is not None
                else template.definition
            )
            data = LMap()
            data["Resources"] = (
                {res.id: {"Type": res.type}} if res is not None else {}  # for its placeholders
            )
            grants = _template_grants(bound, Template(data), declared)
            if grants is None or not _fits(grants, needs, wanted, res):
                continue
            count = len(set().union(*(actions for actions, _ in grants)))
            found.append(SamTemplate(name, parameter, value, count))
            break
    return min(found, key=lambda t: (t.count, t.name)) if found else None


def _fits(
    grants: list[tuple[frozenset[str], list[arns.Tokens]]],
    needs: list[Need],
    wanted: set[str],
    res: AwsResource | None,
) -> bool:
    for need in needs:
        assert need.arn is not None
        value = need.arn.tokens()
        if not any(
            need.action.lower() in actions
            and any(arns.covers(p, value) == Match.YES for p in patterns)
            for actions, patterns in grants
        ):
            return False
    own = (*arns.form_tokens(res, "arn"), "/", arns.ANY) if res is not None else (arns.ANY,)
    bare = arns.form_tokens(res, "arn") if res is not None else (arns.ANY,)
    for actions, patterns in grants:
        for pattern in patterns:
            if res is not None and pattern == (arns.GLOB,):
                return False  # something on every resource
            if res is not None and not any(
                arns.covers(pattern, v) != Match.NO for v in (own, bare)
            ):
                return False  # some other resource
        for action in actions - wanted:
            level = iam.access_level(action)
            if level is None or level in _WRITE_LEVELS:
                return False  # more than read access the code does not need
    return True


# ---------------------------------------------------------------------------- YAML


def _yaml_scalar(value: object) -> str:
    if isinstance(value, dict) and len(value) == 1:
        ((key, arg),) = value.items()
        if key == "Ref":
            return f"!Ref {arg}"
        if key == "Fn::GetAtt" and isinstance(arg, list):
            return "!GetAtt " + ".".join(str(a) for a in arg)
        if key == "Fn::Sub" and isinstance(arg, str):
            return f"!Sub {json.dumps(arg)}"
    text = str(value)
    plain = (
        bool(text) and all(c.isalnum() or c in "-_:/.${}" for c in text) and text[0] not in "!&*{"
    )
    return text if plain else json.dumps(text)


def _yaml_statement(block: Block, dialect: Dialect, indent: str) -> list[str]:
    lines = [f"{indent}- Effect: Allow", f"{indent}  Action:"]
    lines += [f"{indent}    - {a}" for a in block.actions]
    values = [cfn_value(a) for a in block.arns]
    if len(values) == 1:
        lines.append(f"{indent}  Resource: {_yaml_scalar(values[0])}")
    else:
        lines.append(f"{indent}  Resource:")
        lines += [f"{indent}    - {_yaml_scalar(v)}" for v in values]
    return lines


# ---------------------------------------------------------------------------- rendering


def needed_statements(
    fn: Function, ctx: CheckContext, dialect: Dialect | None = None, found: Privileges | None = None
) -> str:
    """What the function's code needs, as text to paste into its template (`dialect` None: the
    template's own). The JSON dialect gives one object per function (see `as_json`)."""
    found = found or privileges(fn, ctx)
    dialect = dialect or dialect_of(fn)
    if dialect == "json":
        return json.dumps(as_json(found, ctx), indent=2) + "\n"
    known = [n for n in found.needs if n.arn is not None]
    if dialect == "sam":
        return "\n".join(_sam(known, fn)) + "\n"
    if dialect == "terraform":
        return "\n".join(_terraform(known, fn)) + "\n"
    if dialect == "serverless":
        lines = ["provider:", "  iam:", "    role:", "      statements:"]
        for block in blocks(known):
            lines += _yaml_statement(block, dialect, "        ")
        if not known:
            lines[-1] += " []"
        return "\n".join(lines) + "\n"
    lines = [
        "Policies:",
        f"  - PolicyName: {fn.name}-code",
        "    PolicyDocument:",
        '      Version: "2012-10-17"',
        "      Statement:",
    ]
    for block in blocks(known):
        lines += _yaml_statement(block, dialect, "        ")
    if not known:
        lines = []
    lines += ["ManagedPolicyArns:", f"  - !Sub {json.dumps(_BASIC_EXECUTION)}"]
    for policy in _pollers(fn):
        arn = f"arn:${{AWS::Partition}}:iam::aws:policy/service-role/{policy}"
        lines.append(f"  - !Sub {json.dumps(arn)}")
    return "\n".join(lines + _destinations_note(fn)) + "\n"


def _sam(needs: list[Need], fn: Function) -> list[str]:
    declared = arns.Resources(fn.resources)
    per_resource: dict[str, list[Need]] = {}
    for need in needs:
        assert need.arn is not None
        key = need.arn.resource.key if need.arn.resource is not None else need.arn.text
        per_resource.setdefault(key, []).append(need)
    lines = ["Policies:"]
    rest: list[Need] = []
    for group in per_resource.values():
        template = sam_template(group, declared)
        if template is None:
            rest.extend(group)
        elif template.parameter is None:
            lines.append(f"  - {template.name}: {{}}")
        else:
            lines.append(f"  - {template.name}:")
            lines.append(f"      {template.parameter}: {_yaml_scalar(template.value)}")
    if rest:
        lines.append("  - Statement:")
        for block in blocks(rest):
            lines += _yaml_statement(block, "sam", "      ")
    if len(lines) == 1:
        lines[0] += " []"
    return lines


def _terraform(needs: list[Need], fn: Function) -> list[str]:
    name = fn.name.rsplit(".", 1)[-1].replace("-", "_") if "." in fn.name else fn.name
    lines = [f'data "aws_iam_policy_document" "{name}" {{']
    for block in blocks(needs):
        actions = ", ".join(json.dumps(a) for a in block.actions)
        values = ", ".join(terraform_value(a) for a in block.arns)
        lines += [
            "  statement {",
            f"    actions   = [{actions}]",
            f"    resources = [{values}]",
            "  }",
        ]
    group = _log_group_arn(fn)
    lines += [
        "  # the Lambda runtime writes the function's logs",
        "  statement {",
        '    actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]',
        f"    resources = [{json.dumps(group)}]",
        "  }",
        "}",
    ]
    for policy in _pollers(fn):
        lines.append(
            f"# Lambda polls the event source with the role: attach {policy} "
            f'("arn:aws:iam::aws:policy/service-role/{policy}") as well'
        )
    return lines + _destinations_note(fn)


def _log_group_arn(fn: Function) -> str:
    if isinstance(fn.function_name, str):
        name = _terraform_literal(fn.function_name)
    elif fn.name.startswith(("aws_lambda_function.", "module.")):
        attr = "function_name" if fn.name.startswith("aws_") else "lambda_function_name"
        name = "${" + f"{fn.name}.{attr}" + "}"
    else:
        name = "*"
    return f"arn:aws:logs:*:*:log-group:/aws/lambda/{name}:*"


# ---------------------------------------------------------------------------- JSON


def display_path(path: Path) -> str:
    """Relative to the working directory, `/`-separated (as reports show paths)."""
    try:
        return os.path.relpath(path).replace(os.sep, "/")
    except ValueError:
        return str(path)


def as_json(found: Privileges, ctx: CheckContext) -> dict[str, Any]:
    """One function of `lambdalint policy --format json` (SPEC section 7)."""
    fn = found.fn
    dialect = dialect_of(fn)

    def source(need: Need) -> str:
        return f"{display_path(need.loc.path)}:{need.loc.pos.line}"

    def item(need: Need) -> dict[str, Any]:
        out: dict[str, Any] = {
            "action": need.action,
            "resource": json_value(need.arn, dialect) if need.arn is not None else None,
            "source": source(need),
        }
        if need.via:
            out["via"] = need.via
        return out

    needed: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    unknown: list[dict[str, Any]] = []
    for need, status in zip(found.needs, found.statuses, strict=True):
        if need.arn is None:
            unknown.append(
                {
                    "call": need.call.method or need.call.operation,
                    "action": need.action,
                    "source": source(need),
                    "why": need.why,
                }
            )
            continue
        entry = item(need)
        if entry not in needed:
            needed.append(entry)
        if status.status in ("missing", "denied", "elsewhere"):
            missing.append({**entry, "status": status.status})
    for call in found.unknown_calls:
        unknown.append(
            {
                "call": call.call.method or call.call.operation,
                "action": None,
                "source": f"{display_path(call.loc.path)}:{call.loc.pos.line}",
                "why": call.why,
            }
        )
    role = fn.role
    return {
        "function": fn.name,
        "path": display_path(fn.loc.path),
        "line": fn.loc.pos.line,
        "role": role.name if role is not None else None,
        "complete": found.complete,
        "needed": needed,
        "missing": missing,
        "unused": [
            {
                "action": g.entry,
                "resource": list(g.resources),
                "source": f"{display_path(g.loc.path)}:{g.loc.pos.line}",
                "grants": g.count,
                "used": list(g.used),
            }
            for g in found.unused
        ],
        "unknown_calls": unknown,
        "doubts": found.doubts,
        "shared_with": found.shared_with,
        "role_used_elsewhere": bool(role is not None and role.other_users),
        "counts": {
            "needed": len(found.needed),
            "granted": None if found.granted is None else len(found.granted),
            "unused": None if found.granted is None else len(found.granted - found.needed),
        },
    }
