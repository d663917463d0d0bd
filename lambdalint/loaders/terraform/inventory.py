"""The AWS resources a Terraform module declares (buckets, tables, queues, topics, secrets ...)
→ model AwsResource: their names, the `${type.name.attr}` spellings of their identifiers, the
customer managed key that encrypts them, and whether a resource policy applies to them.
Computed once per module (scope), shared by its functions."""

from __future__ import annotations

from typing import Any

from lambdalint.aws import resources
from lambdalint.aws.resources import ResourceKind
from lambdalint.loaders.terraform.model import Resource, Scope, first_block, refs_in
from lambdalint.model import UNKNOWN, AwsResource

# resource policy resources: type → the argument naming the resource they apply to
_RESOURCE_POLICIES = {
    "aws_s3_bucket_policy": "bucket",
    "aws_sqs_queue_policy": "queue_url",
    "aws_sns_topic_policy": "arn",
    "aws_secretsmanager_secret_policy": "secret_arn",
}
_BUCKET_ENCRYPTION = "aws_s3_bucket_server_side_encryption_configuration"


def inventory(scope: Scope) -> tuple[AwsResource, ...]:
    cached = scope.declared
    if cached is not None:
        return cached
    governed = _with_resource_policy(scope)
    encryption = _bucket_encryption(scope)
    out: list[AwsResource] = []
    for (mode, rtype, _), found in scope.resources.items():
        kind = resources.kind_of_tf_type(rtype)
        if mode != "managed" or kind is None:
            continue
        for res in found:
            if res.index is not None:
                continue  # one instance of several (count / for_each): not one resource
            out.append(_resource(scope, kind, res, governed, encryption))
    scope.declared = tuple(out)
    return scope.declared


def _resource(
    scope: Scope,
    kind: ResourceKind,
    res: Resource,
    governed: set[int],
    encryption: dict[int, object],
) -> AwsResource:
    address = res.address
    name_text: str | None = None
    if kind.tf_name is not None and res.body.get(kind.tf_name) is not None:
        rendered = scope.evaluate_named(res.body[kind.tf_name])
        name_text = rendered if isinstance(rendered, str) else None
    literal = str(name_text) if name_text is not None and "${" not in name_text else None
    slash = name_text.startswith("/") if name_text is not None else None
    expressions: list[tuple[str, object]] = [("arn", f"{address}.arn")]
    name_attr = (
        kind.tf_name
        if kind.tf_name is not None and kind.tf_attribute(kind.tf_name) == "name"
        else next((a for a, form in kind.tf_attributes if form == "name"), None)
    )
    if name_attr is not None:
        expressions.append(("name", f"{address}.{name_attr}"))
    return AwsResource(
        kind=kind.kind,
        id=address,
        type=res.type,
        loc=res.loc,
        name=literal,
        placeholders=tuple(
            ("${" + f"{address}.{attr}" + "}", form) for attr, form in kind.tf_attributes
        ),
        expressions=tuple(expressions),
        name_slash=slash,
        kms_key=_kms_key(scope, kind, res, encryption),
        resource_policy=id(res) in governed or kind.kind == "kms-key",
    )


def _kms_key(
    scope: Scope, kind: ResourceKind, res: Resource, encryption: dict[int, object]
) -> object:
    body = res.body
    value: Any = None
    if kind.kind in ("sqs-queue", "sns-topic"):
        value = body.get("kms_master_key_id")
    elif kind.kind in ("secretsmanager-secret", "kinesis-stream"):
        value = body.get("kms_key_id")
    elif kind.kind == "ssm-parameter":
        if scope.evaluate(body.get("type")) != "SecureString":
            return None
        value = body.get("key_id")
    elif kind.kind == "s3-bucket":
        if id(res) in encryption:
            return encryption[id(res)]
        inline = first_block(body, "server_side_encryption_configuration")
        return _rule_key(scope, inline) if inline is not None else None
    if value is None:
        return None
    return _key_text(scope.evaluate_named(value))


def _key_text(text: Any) -> object:
    if text is None or text == "":
        return None
    if not isinstance(text, str):
        return UNKNOWN
    return None if resources.is_aws_managed_key(text) else str(text)


def _rule_key(scope: Scope, config: Any) -> object:
    """The key of a `rule { apply_server_side_encryption_by_default { ... } }` block."""
    rule = first_block(config, "rule")
    default = first_block(rule, "apply_server_side_encryption_by_default") if rule else None
    if default is None:
        return None
    algorithm = scope.evaluate(default.get("sse_algorithm"))
    if not isinstance(algorithm, str):
        return UNKNOWN
    if not algorithm.startswith("aws:kms"):
        return None
    key = default.get("kms_master_key_id")
    return None if key is None else _key_text(scope.evaluate_named(key))


def _bucket_encryption(scope: Scope) -> dict[int, object]:
    """Bucket (by id of its resource) → the key of its encryption configuration resource."""
    out: dict[int, object] = {}
    for config in scope.all(_BUCKET_ENCRYPTION):
        bucket, _ = scope.first_target(config.body.get("bucket"), ("aws_s3_bucket",))
        if bucket is not None:
            out[id(bucket)] = _rule_key(scope, config.body)
    return out


def _with_resource_policy(scope: Scope) -> set[int]:
    out: set[int] = set()
    for rtype, key in _RESOURCE_POLICIES.items():
        for policy in scope.all(rtype):
            for ref in refs_in(policy.body.get(key)):
                target, _ = scope.target(ref)
                if target is not None:
                    out.add(id(target))
    return out
