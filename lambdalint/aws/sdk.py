"""AWS SDK calls → the IAM actions they need.

The catalogue (`data/sdk_operations.json`) is generated from botocore's service models: every
service's operations, its IAM prefix, and which `prefix:Operation` names are real IAM actions
(checked against policyuniverse's action list). Running `python -m lambdalint.aws.sdk OUT`
with botocore and policyuniverse installed regenerates it; at run time neither is imported.

Most calls need the action named after their operation (`put_object` → `s3:PutObject`).
`EXCEPTIONS` holds the ones that do not (`list_objects_v2` → `s3:ListBucket`); boto3's
injected helpers (`upload_file`) and resource methods (`Table.put_item`) have tables of their own.
An operation whose action is not known maps to no action: checks treat that as unknown.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).parent / "data" / "sdk_operations.json"

# (service, Operation) → actions, where the action is not `prefix:Operation`. An empty tuple
# means the call needs no permission at all.
EXCEPTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("s3", "ListObjectsV2"): ("s3:ListBucket",),
    ("s3", "ListObjects"): ("s3:ListBucket",),
    ("s3", "HeadBucket"): ("s3:ListBucket",),
    ("s3", "ListObjectVersions"): ("s3:ListBucketVersions",),
    ("s3", "ListMultipartUploads"): ("s3:ListBucketMultipartUploads",),
    ("s3", "ListParts"): ("s3:ListMultipartUploadParts",),
    ("s3", "ListBuckets"): ("s3:ListAllMyBuckets",),
    ("s3", "HeadObject"): ("s3:GetObject",),
    ("s3", "SelectObjectContent"): ("s3:GetObject",),
    ("s3", "DeleteObjects"): ("s3:DeleteObject",),
    ("s3", "CopyObject"): ("s3:GetObject", "s3:PutObject"),
    ("s3", "UploadPartCopy"): ("s3:GetObject", "s3:PutObject"),
    ("s3", "CreateMultipartUpload"): ("s3:PutObject",),
    ("s3", "UploadPart"): ("s3:PutObject",),
    ("s3", "CompleteMultipartUpload"): ("s3:PutObject",),
    ("s3", "PutBucketNotificationConfiguration"): ("s3:PutBucketNotification",),
    ("s3", "GetBucketNotificationConfiguration"): ("s3:GetBucketNotification",),
    ("s3", "PutBucketLifecycleConfiguration"): ("s3:PutLifecycleConfiguration",),
    ("s3", "GetBucketLifecycleConfiguration"): ("s3:GetLifecycleConfiguration",),
    ("s3", "DeleteBucketLifecycle"): ("s3:PutLifecycleConfiguration",),
    ("s3", "PutBucketEncryption"): ("s3:PutEncryptionConfiguration",),
    ("s3", "GetBucketEncryption"): ("s3:GetEncryptionConfiguration",),
    ("s3", "DeleteBucketEncryption"): ("s3:PutEncryptionConfiguration",),
    ("s3", "DeleteBucketCors"): ("s3:PutBucketCORS",),
    ("s3", "DeleteBucketTagging"): ("s3:PutBucketTagging",),
    ("s3", "WriteGetObjectResponse"): ("s3-object-lambda:WriteGetObjectResponse",),
    ("dynamodb", "TransactGetItems"): ("dynamodb:GetItem",),
    ("dynamodbstreams", "GetRecords"): ("dynamodb:GetRecords",),
    ("dynamodbstreams", "GetShardIterator"): ("dynamodb:GetShardIterator",),
    ("dynamodbstreams", "DescribeStream"): ("dynamodb:DescribeStream",),
    ("dynamodbstreams", "ListStreams"): ("dynamodb:ListStreams",),
    ("sqs", "SendMessageBatch"): ("sqs:SendMessage",),
    ("sqs", "DeleteMessageBatch"): ("sqs:DeleteMessage",),
    ("sqs", "ChangeMessageVisibilityBatch"): ("sqs:ChangeMessageVisibility",),
    ("sns", "PublishBatch"): ("sns:Publish",),
    ("lambda", "Invoke"): ("lambda:InvokeFunction",),
    ("lambda", "InvokeWithResponseStream"): ("lambda:InvokeFunction",),
    ("sts", "GetCallerIdentity"): (),  # always allowed, even under an explicit Deny
    ("apigatewaymanagementapi", "PostToConnection"): ("execute-api:ManageConnections",),
    ("apigatewaymanagementapi", "GetConnection"): ("execute-api:ManageConnections",),
    ("apigatewaymanagementapi", "DeleteConnection"): ("execute-api:ManageConnections",),
    ("bedrock-runtime", "Converse"): ("bedrock:InvokeModel",),
    ("bedrock-runtime", "ConverseStream"): ("bedrock:InvokeModelWithResponseStream",),
    ("sesv2", "SendEmail"): ("ses:SendEmail",),
}

# Operations whose permission depends on their arguments (which PartiQL statement, which items
# a transaction writes): no single action can be named, so they are unknown.
UNKNOWN_OPERATIONS: set[tuple[str, str]] = {
    ("dynamodb", "TransactWriteItems"),
    ("dynamodb", "ExecuteStatement"),
    ("dynamodb", "BatchExecuteStatement"),
    ("dynamodb", "ExecuteTransaction"),
}

# boto3 adds these methods to clients; they are not operations of the service model
PYTHON_CLIENT_HELPERS: dict[tuple[str, str], str] = {
    ("s3", "upload_file"): "PutObject",
    ("s3", "upload_fileobj"): "PutObject",
    ("s3", "download_file"): "GetObject",
    ("s3", "download_fileobj"): "GetObject",
    ("s3", "copy"): "CopyObject",
}
# client methods that call no API (or whose API is named by an argument, handled by the caller)
PYTHON_CLIENT_LOCAL = {
    "generate_presigned_url",
    "generate_presigned_post",
    "get_paginator",
    "get_waiter",
    "can_paginate",
    "close",
}

# boto3 resources: (service, resource type, method) → Operation. The service resource itself is
# the resource type "" (e.g. `boto3.resource("dynamodb").batch_write_item`).
PYTHON_RESOURCE_METHODS: dict[tuple[str, str, str], str] = {
    ("dynamodb", "Table", "put_item"): "PutItem",
    ("dynamodb", "Table", "get_item"): "GetItem",
    ("dynamodb", "Table", "update_item"): "UpdateItem",
    ("dynamodb", "Table", "delete_item"): "DeleteItem",
    ("dynamodb", "Table", "query"): "Query",
    ("dynamodb", "Table", "scan"): "Scan",
    ("dynamodb", "Table", "batch_writer"): "BatchWriteItem",
    ("dynamodb", "Table", "load"): "DescribeTable",
    ("dynamodb", "Table", "reload"): "DescribeTable",
    ("dynamodb", "Table", "wait_until_exists"): "DescribeTable",
    ("dynamodb", "Table", "delete"): "DeleteTable",
    ("dynamodb", "Table", "update"): "UpdateTable",
    ("dynamodb", "", "batch_get_item"): "BatchGetItem",
    ("dynamodb", "", "batch_write_item"): "BatchWriteItem",
    ("dynamodb", "", "create_table"): "CreateTable",
    ("s3", "Bucket", "put_object"): "PutObject",
    ("s3", "Bucket", "upload_file"): "PutObject",
    ("s3", "Bucket", "upload_fileobj"): "PutObject",
    ("s3", "Bucket", "download_file"): "GetObject",
    ("s3", "Bucket", "download_fileobj"): "GetObject",
    ("s3", "Bucket", "copy"): "CopyObject",
    ("s3", "Bucket", "delete_objects"): "DeleteObjects",
    ("s3", "Bucket", "create"): "CreateBucket",
    ("s3", "Bucket", "delete"): "DeleteBucket",
    ("s3", "Bucket", "load"): "ListBuckets",
    ("s3", "Object", "get"): "GetObject",
    ("s3", "Object", "put"): "PutObject",
    ("s3", "Object", "delete"): "DeleteObject",
    ("s3", "Object", "load"): "HeadObject",
    ("s3", "Object", "reload"): "HeadObject",
    ("s3", "Object", "upload_file"): "PutObject",
    ("s3", "Object", "upload_fileobj"): "PutObject",
    ("s3", "Object", "download_file"): "GetObject",
    ("s3", "Object", "download_fileobj"): "GetObject",
    ("s3", "Object", "copy_from"): "CopyObject",
    ("s3", "Object", "copy"): "CopyObject",
    ("s3", "Object", "restore_object"): "RestoreObject",
    ("s3", "Bucket.objects", "all"): "ListObjects",
    ("s3", "Bucket.objects", "filter"): "ListObjects",
    ("s3", "Bucket.objects", "delete"): "DeleteObjects",
    ("s3", "Bucket.object_versions", "all"): "ListObjectVersions",
    ("s3", "Bucket.object_versions", "filter"): "ListObjectVersions",
    ("s3", ".buckets", "all"): "ListBuckets",
    ("sqs", "", "get_queue_by_name"): "GetQueueUrl",
    ("sqs", "", "create_queue"): "CreateQueue",
    ("sqs", "Queue", "send_message"): "SendMessage",
    ("sqs", "Queue", "send_messages"): "SendMessageBatch",
    ("sqs", "Queue", "receive_messages"): "ReceiveMessage",
    ("sqs", "Queue", "delete_messages"): "DeleteMessageBatch",
    ("sqs", "Queue", "purge"): "PurgeQueue",
    ("sqs", "Queue", "load"): "GetQueueAttributes",
    ("sqs", "Queue", "change_message_visibility_batch"): "ChangeMessageVisibilityBatch",
    ("sns", "", "create_topic"): "CreateTopic",
    ("sns", "Topic", "publish"): "Publish",
    ("sns", "Topic", "subscribe"): "Subscribe",
    ("sns", "Topic", "load"): "GetTopicAttributes",
}
# resource constructors: (service, from type, attribute) → the new resource type
PYTHON_SUB_RESOURCES: dict[tuple[str, str, str], str] = {
    ("dynamodb", "", "Table"): "Table",
    ("s3", "", "Bucket"): "Bucket",
    ("s3", "", "Object"): "Object",
    ("s3", "Bucket", "Object"): "Object",
    ("s3", "Bucket", "objects"): "Bucket.objects",
    ("s3", "Bucket", "object_versions"): "Bucket.object_versions",
    ("s3", "", "buckets"): ".buckets",
    ("sqs", "", "Queue"): "Queue",
    ("sqs", "", "get_queue_by_name"): "Queue",
    ("sns", "", "Topic"): "Topic",
    ("sns", "", "create_topic"): "Topic",
}

# what a boto3 resource's identifiers are, in order, and the API parameter each one fills:
# (service, resource type) → ((constructor keyword, parameter), ...)
PYTHON_RESOURCE_IDENTIFIERS: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("dynamodb", "Table"): (("name", "TableName"),),
    ("s3", "Bucket"): (("name", "Bucket"),),
    ("s3", "Object"): (("bucket_name", "Bucket"), ("key", "Key")),
    ("sqs", "Queue"): (("url", "QueueUrl"),),
    ("sns", "Topic"): (("arn", "TopicArn"),),
}
# the parameters boto3's injected helpers take by position: (service, resource type ("" for
# the client), method) → parameter names in order
PYTHON_POSITIONAL: dict[tuple[str, str, str], tuple[str, ...]] = {
    ("s3", "", "upload_file"): ("Filename", "Bucket", "Key"),
    ("s3", "", "upload_fileobj"): ("Fileobj", "Bucket", "Key"),
    ("s3", "", "download_file"): ("Bucket", "Key", "Filename"),
    ("s3", "", "download_fileobj"): ("Bucket", "Key", "Fileobj"),
    ("s3", "", "copy"): ("CopySource", "Bucket", "Key"),
    ("s3", "Bucket", "upload_file"): ("Filename", "Key"),
    ("s3", "Bucket", "upload_fileobj"): ("Fileobj", "Key"),
    ("s3", "Bucket", "download_file"): ("Key", "Filename"),
    ("s3", "Bucket", "download_fileobj"): ("Key", "Fileobj"),
    ("s3", "Bucket", "copy"): ("CopySource", "Key"),
    ("s3", "Object", "upload_file"): ("Filename",),
    ("s3", "Object", "copy_from"): ("CopySource",),
    ("s3", "Object", "copy"): ("CopySource",),
}
# method names too common outside the SDK to suspect an SDK call behind them
COMMON_METHODS = frozenset(
    {
        "get",
        "put",
        "delete",
        "update",
        "copy",
        "close",
        "load",
        "reload",
        "all",
        "filter",
        "create",
        "send",
        "list",
        "wait",
        "append",
        "pop",
        "keys",
        "items",
        "values",
        "format",
        "join",
        "split",
        "read",
        "write",
        "then",
        "catch",
        "promise",
    }
)

# AWS SDK for JavaScript: v2 class names that are not the service id without spaces
JS_V2_CLASSES: dict[str, str] = {
    "StepFunctions": "stepfunctions",
    "CloudWatchLogs": "logs",
    "CloudWatchEvents": "events",
    "CognitoIdentityServiceProvider": "cognito-idp",
    "IotData": "iot-data",
    "ELBv2": "elbv2",
    "SESV2": "sesv2",
    "RDSDataService": "rds-data",
    "ES": "es",
}
# DynamoDB document clients (v2 `DocumentClient` methods, v3 `lib-dynamodb` commands)
JS_DOCUMENT_OPERATIONS: dict[str, str] = {
    "put": "PutItem",
    "get": "GetItem",
    "update": "UpdateItem",
    "delete": "DeleteItem",
    "query": "Query",
    "scan": "Scan",
    "batchget": "BatchGetItem",
    "batchwrite": "BatchWriteItem",
    "transactget": "TransactGetItems",
    "transactwrite": "TransactWriteItems",
    "executestatement": "ExecuteStatement",
    "batchexecutestatement": "BatchExecuteStatement",
    "executetransaction": "ExecuteTransaction",
}
# v2 helpers that are not operations: managed upload, and calls that make no request
JS_V2_HELPERS: dict[tuple[str, str], str] = {("s3", "upload"): "PutObject"}


@dataclass(frozen=True)
class Service:
    """One SDK service: its botocore name, service id, IAM prefix and operations."""

    name: str
    sdk_id: str
    prefix: str
    operations: dict[str, str]  # lower-case operation name → Operation
    snake: dict[str, str]  # snake_case method → Operation
    unmatched: frozenset[str]  # operations with no IAM action of their own name


@dataclass(frozen=True)
class Mapped:
    """What one SDK call does: its operation and the IAM actions it needs (() = none needed,
    None = not known)."""

    service: str
    operation: str
    actions: tuple[str, ...] | None


def snake_case(name: str) -> str:
    """`PutObject` → `put_object`, `ListObjectsV2` → `list_objects_v2` (the few names where
    botocore differs are stored in the catalogue)."""
    first = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", first).lower()


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, Any]:
    try:
        data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    services = data.get("services")
    return services if isinstance(services, dict) else {}


@cache
def service(name: str) -> Service | None:
    """A service by its botocore name (`boto3.client("s3")`)."""
    raw = _catalogue().get(name)
    if not isinstance(raw, dict):
        return None
    unmatched = raw.get("other", "").split()
    ops = raw.get("operations", "").split() + unmatched
    snake = {snake_case(op): op for op in ops}
    for op, method in raw.get("snake", {}).items():
        snake[method] = op
    return Service(
        name=name,
        sdk_id=raw.get("sdk_id", name),
        prefix=raw.get("prefix", name),
        operations={op.lower(): op for op in ops},
        snake=snake,
        unmatched=frozenset(unmatched),
    )


def actions(service_name: str, operation: str) -> tuple[str, ...] | None:
    """The IAM actions an operation needs; None when not known."""
    key = (service_name, operation)
    if key in EXCEPTIONS:
        return EXCEPTIONS[key]
    if key in UNKNOWN_OPERATIONS:
        return None
    svc = service(service_name)
    if svc is None or operation not in svc.operations.values() or operation in svc.unmatched:
        return None
    return (f"{svc.prefix}:{operation}",)


def _mapped(service_name: str, operation: str) -> Mapped:
    return Mapped(service_name, operation, actions(service_name, operation))


def python_client_call(service_name: str, method: str) -> Mapped | None:
    """`boto3.client(service_name).<method>(...)`; None when the method calls no API."""
    helper = PYTHON_CLIENT_HELPERS.get((service_name, method))
    if helper is not None:
        return _mapped(service_name, helper)
    if method in PYTHON_CLIENT_LOCAL:
        return None
    svc = service(service_name)
    if svc is None:
        return None
    operation = svc.snake.get(method)
    return _mapped(service_name, operation) if operation is not None else None


def python_resource_call(service_name: str, resource: str, method: str) -> Mapped | None:
    """A method of a boto3 resource (`Table.put_item`, `Bucket.upload_file`)."""
    operation = PYTHON_RESOURCE_METHODS.get((service_name, resource, method))
    if operation is None and resource == "":
        # the service resource forwards to nothing else; its client is `.meta.client`
        return None
    return _mapped(service_name, operation) if operation is not None else None


def python_sub_resource(service_name: str, resource: str, attr: str) -> str | None:
    return PYTHON_SUB_RESOURCES.get((service_name, resource, attr))


@lru_cache(maxsize=1)
def _js_indexes() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(v3 package suffix → service, class name → service, lower-case class name → service)."""
    packages: dict[str, str] = {}
    classes: dict[str, str] = {}
    for name, raw in _catalogue().items():
        sdk_id = raw.get("sdk_id", "") if isinstance(raw, dict) else ""
        if not sdk_id:
            continue
        packages.setdefault(sdk_id.lower().replace(" ", "-"), name)
        classes.setdefault(sdk_id.replace(" ", ""), name)
    classes.update(JS_V2_CLASSES)
    lower = {k.lower(): v for k, v in classes.items()}
    return packages, classes, lower


def js_service_for_package(package: str) -> str | None:
    """`@aws-sdk/client-s3` (v3) or `aws-sdk/clients/s3` (v2) → `s3`."""
    packages, _, lower = _js_indexes()
    if package.startswith("@aws-sdk/client-"):
        return packages.get(package[len("@aws-sdk/client-") :])
    if package.startswith("aws-sdk/clients/"):
        return lower.get(package[len("aws-sdk/clients/") :].lower())
    return None


def js_service_for_class(name: str) -> str | None:
    """`S3Client`/`S3` (v3) or `AWS.S3`/`AWS.StepFunctions` (v2) → the botocore service. A v2
    class spelled in another case than the service id (`AWS.Iot` for IoT) is found too."""
    _, classes, lower = _js_indexes()
    if name.endswith("Client") and name[: -len("Client")] in classes:
        return classes[name[: -len("Client")]]
    return classes.get(name) or lower.get(name.lower())


def js_operation(service_name: str, method_or_command: str) -> Mapped | None:
    """`putObject` (a client method) or `PutObjectCommand` (a v3 command class)."""
    name = method_or_command
    name = name.removesuffix("Command")
    helper = JS_V2_HELPERS.get((service_name, name))
    if helper is not None:
        return _mapped(service_name, helper)
    svc = service(service_name)
    if svc is None:
        return None
    operation = svc.operations.get(name.lower())
    return _mapped(service_name, operation) if operation is not None else None


def js_document_operation(method_or_command: str) -> Mapped | None:
    """A DynamoDB document client call: `put`, `PutCommand`, `batchWrite` …"""
    name = method_or_command
    name = name.removesuffix("Command")
    operation = JS_DOCUMENT_OPERATIONS.get(name.lower())
    return _mapped("dynamodb", operation) if operation is not None else None


# --- generating the catalogue (development only: needs botocore and policyuniverse) ---------

# services whose IAM prefix is none of botocore's signing name, endpoint prefix or own name
_PREFIX_OVERRIDES = {"iot-data": "iot", "cloudwatch": "cloudwatch", "sesv2": "ses"}


def generate(out: Path) -> dict[str, int]:  # pragma: no cover - run by hand
    import botocore
    import botocore.session
    from botocore import xform_name
    from policyuniverse import all_permissions

    session = botocore.session.get_session()
    loader = session.get_component("data_loader")
    prefixes = {a.split(":", 1)[0] for a in all_permissions}
    services: dict[str, Any] = {}
    stats = {"services": 0, "operations": 0, "unmatched": 0}
    for name in sorted(session.get_available_services()):
        model = loader.load_service_model(name, "service-2")
        meta = model.get("metadata", {})
        candidates = [
            _PREFIX_OVERRIDES.get(name),
            meta.get("signingName"),
            meta.get("endpointPrefix"),
            name,
        ]
        prefix = next((c for c in candidates if c and c in prefixes), None)
        ops = sorted(model.get("operations", {}))
        if prefix is None:
            unmatched = ops
            prefix = meta.get("signingName") or name
        else:
            unmatched = [op for op in ops if f"{prefix}:{op}".lower() not in all_permissions]
        # "operations" are those whose IAM action is `prefix:Operation`; "other" the rest
        entry: dict[str, Any] = {
            "sdk_id": meta.get("serviceId", name),
            "prefix": prefix,
            "operations": " ".join(op for op in ops if op not in unmatched),
        }
        if unmatched:
            entry["other"] = " ".join(unmatched)
        snake = {op: xform_name(op) for op in ops if xform_name(op) != snake_case(op)}
        if snake:
            entry["snake"] = snake
        services[name] = entry
        stats["services"] += 1
        stats["operations"] += len(ops)
        stats["unmatched"] += len(unmatched)
    about = (
        f"generated by lambdalint.aws.sdk from botocore {botocore.__version__} service models; "
        "IAM actions checked against policyuniverse"
    )
    lines = [
        "{",
        f'"about": {json.dumps(about)},',
        '"services": {',
    ]
    items = [f"{json.dumps(k)}: {json.dumps(v, sort_keys=True)}" for k, v in services.items()]
    lines.append(",\n".join(items))
    lines.append("}}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return stats


if __name__ == "__main__":  # pragma: no cover
    import sys

    print(generate(Path(sys.argv[1]) if len(sys.argv) > 1 else DATA_FILE))
