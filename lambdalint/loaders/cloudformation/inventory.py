"""The AWS resources a CloudFormation/SAM template declares (buckets, tables, queues, topics,
secrets ...) → model AwsResource: their names, how `Ref`/`Fn::GetAtt` spell their identifiers,
the customer managed key that encrypts them, and whether a resource policy applies to them.

Also used for the `resources.Resources` section of a Serverless service, whose values may hold
Serverless variables: `text` renders a value there.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from lambdalint.aws import resources
from lambdalint.aws.resources import ResourceKind
from lambdalint.loaders.cloudformation.template import NO_VALUE, Template, as_list, intrinsic_name
from lambdalint.model import UNKNOWN, AwsResource, Loc
from lambdalint.reading.positions import key_pos_of

Render = Callable[[Any], Any]

# resource policy resources: type → the property naming the resources they apply to
_RESOURCE_POLICIES = {
    "AWS::S3::BucketPolicy": "Bucket",
    "AWS::SQS::QueuePolicy": "Queues",
    "AWS::SNS::TopicPolicy": "Topics",
    "AWS::SecretsManager::ResourcePolicy": "SecretId",
}


def inventory(path: Path, tpl: Template, render: Render | None = None) -> tuple[AwsResource, ...]:
    """Every resource of a kind lambdalint scopes calls to, in declaration order."""
    text = render or tpl.text
    governed = _with_resource_policy(tpl, text)
    out: list[AwsResource] = []
    for logical_id, res in tpl.resources.items():
        if not isinstance(res, dict) or not isinstance(logical_id, str):
            continue
        kind = resources.kind_of_cfn_type(res.get("Type"))
        if kind is None:
            continue
        props = tpl.properties(logical_id)
        name_text = _text(text, props.get(kind.cfn_name)) if kind.cfn_name else None
        literal = name_text if name_text is not None and "${" not in name_text else None
        slash = name_text.startswith("/") if name_text is not None else None
        if kind.kind == "ssm-parameter" and kind.cfn_name not in props:
            slash = False  # a generated name: `CFN-<id>-…`
        out.append(
            AwsResource(
                kind=kind.kind,
                id=logical_id,
                type=str(res["Type"]),
                loc=Loc(path, key_pos_of(tpl.resources, logical_id)),
                name=literal,
                placeholders=_placeholders(kind, logical_id),
                expressions=_expressions(kind, logical_id, slash),
                name_slash=slash,
                kms_key=_kms_key(kind, props, text),
                resource_policy=logical_id in governed
                or (literal is not None and literal in governed)
                or kind.kind == "kms-key",
            )
        )
    return tuple(out)


def _text(render: Render, value: Any) -> str | None:
    if value is None:
        return None
    out = render(value)
    return out if isinstance(out, str) else None


def _placeholders(kind: ResourceKind, logical_id: str) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = [("${" + logical_id + "}", kind.cfn_ref)]
    out.extend(("${" + f"{logical_id}.{attr}" + "}", form) for attr, form in kind.cfn_attributes)
    return tuple(out)


def _expressions(
    kind: ResourceKind, logical_id: str, slash: bool | None
) -> tuple[tuple[str, object], ...]:
    """How the template writes the resource's ARN and name."""
    out: list[tuple[str, object]] = []
    arn: object
    if kind.cfn_ref == "arn":
        arn = {"Ref": logical_id}
    elif kind.cfn_attribute("Arn") == "arn":
        arn = {"Fn::GetAtt": [logical_id, "Arn"]}
    elif kind.cfn_ref == "name":
        fmt = kind.arn
        if kind.kind == "ssm-parameter" and slash:
            fmt = fmt.replace("parameter/{name}", "parameter{name}")
        arn = {"Fn::Sub": _sub(fmt, "${" + logical_id + "}")}
    else:
        arn = None
    if arn is not None:
        out.append(("arn", arn))
    if kind.cfn_ref == "name":
        out.append(("name", {"Ref": logical_id}))
    else:
        attr = next((a for a, form in kind.cfn_attributes if form == "name"), None)
        if attr is not None:
            out.append(("name", {"Fn::GetAtt": [logical_id, attr]}))
    return tuple(out)


def _sub(fmt: str, name: str) -> str:
    return (
        fmt.replace("{partition}", "${AWS::Partition}")
        .replace("{region}", "${AWS::Region}")
        .replace("{account}", "${AWS::AccountId}")
        .replace("{name}", name)
    )


def _kms_key(kind: ResourceKind, props: dict[str, Any], render: Render) -> object:
    """The customer managed key that encrypts the resource (see AwsResource.kms_key)."""
    value: Any = None
    if kind.kind in ("sqs-queue", "sns-topic"):
        value = props.get("KmsMasterKeyId")
    elif kind.kind == "secretsmanager-secret":
        value = props.get("KmsKeyId")
    elif kind.kind == "kinesis-stream":
        enc = props.get("StreamEncryption")
        if isinstance(enc, dict) and not intrinsic_name(enc):
            value = enc.get("KeyId")
        elif enc is not None:
            return UNKNOWN
    elif kind.kind == "s3-bucket":
        return _bucket_key(props, render)
    if value is None:
        return None
    return _key_text(render(value))


def _key_text(text: Any) -> object:
    if text is NO_VALUE or text is None:
        return None
    if not isinstance(text, str):
        return UNKNOWN
    return None if resources.is_aws_managed_key(text) else text


def _bucket_key(props: dict[str, Any], render: Render) -> object:
    enc = props.get("BucketEncryption")
    if enc is None:
        return None
    if not isinstance(enc, dict) or intrinsic_name(enc):
        return UNKNOWN
    rules = enc.get("ServerSideEncryptionConfiguration")
    if not isinstance(rules, list):
        return UNKNOWN if rules is not None else None
    for rule in rules:
        default = rule.get("ServerSideEncryptionByDefault") if isinstance(rule, dict) else None
        if not isinstance(default, dict):
            continue
        algorithm = render(default.get("SSEAlgorithm"))
        if not isinstance(algorithm, str):
            return UNKNOWN
        if not algorithm.startswith("aws:kms"):
            continue
        key = default.get("KMSMasterKeyID")
        if key is None:
            return None  # the AWS managed key aws/s3
        return _key_text(render(key))
    return None


def _with_resource_policy(tpl: Template, render: Render) -> set[str]:
    """Logical ids (and literal names) that a resource policy of the template applies to."""
    out: set[str] = set()
    for res in tpl.resources.values():
        if not isinstance(res, dict):
            continue
        rtype = res.get("Type")
        key = _RESOURCE_POLICIES.get(rtype) if isinstance(rtype, str) else None
        if key is None:
            continue
        props = res.get("Properties")
        if not isinstance(props, dict):
            continue
        for value in as_list(props.get(key)):
            out.update(tpl.referenced_ids(value))
            named = render(value)
            if isinstance(named, str):
                out.add(named)
    return out
