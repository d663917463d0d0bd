"""SDK call → IAM action mapping, on real boto3 and AWS SDK for JavaScript calls."""

from __future__ import annotations

import pytest

from lambdalint.aws import sdk
from lambdalint.aws.sdk import (
    js_document_operation,
    js_operation,
    js_service_for_class,
    js_service_for_package,
    python_client_call,
    python_resource_call,
    python_sub_resource,
    snake_case,
)

# (boto3 service, client method, IAM actions it needs) — calls as Lambda handlers make them
CLIENT_CALLS = [
    # S3
    ("s3", "put_object", ("s3:PutObject",)),
    ("s3", "get_object", ("s3:GetObject",)),
    ("s3", "delete_object", ("s3:DeleteObject",)),
    ("s3", "delete_objects", ("s3:DeleteObject",)),
    ("s3", "head_object", ("s3:GetObject",)),
    ("s3", "list_objects_v2", ("s3:ListBucket",)),
    ("s3", "list_objects", ("s3:ListBucket",)),
    ("s3", "list_buckets", ("s3:ListAllMyBuckets",)),
    ("s3", "head_bucket", ("s3:ListBucket",)),
    ("s3", "copy_object", ("s3:GetObject", "s3:PutObject")),
    ("s3", "upload_file", ("s3:PutObject",)),
    ("s3", "upload_fileobj", ("s3:PutObject",)),
    ("s3", "download_file", ("s3:GetObject",)),
    ("s3", "download_fileobj", ("s3:GetObject",)),
    ("s3", "create_multipart_upload", ("s3:PutObject",)),
    ("s3", "get_object_tagging", ("s3:GetObjectTagging",)),
    ("s3", "put_object_tagging", ("s3:PutObjectTagging",)),
    ("s3", "list_object_versions", ("s3:ListBucketVersions",)),
    ("s3", "get_bucket_location", ("s3:GetBucketLocation",)),
    ("s3", "write_get_object_response", ("s3-object-lambda:WriteGetObjectResponse",)),
    # DynamoDB
    ("dynamodb", "put_item", ("dynamodb:PutItem",)),
    ("dynamodb", "get_item", ("dynamodb:GetItem",)),
    ("dynamodb", "update_item", ("dynamodb:UpdateItem",)),
    ("dynamodb", "delete_item", ("dynamodb:DeleteItem",)),
    ("dynamodb", "query", ("dynamodb:Query",)),
    ("dynamodb", "scan", ("dynamodb:Scan",)),
    ("dynamodb", "batch_get_item", ("dynamodb:BatchGetItem",)),
    ("dynamodb", "batch_write_item", ("dynamodb:BatchWriteItem",)),
    ("dynamodb", "describe_table", ("dynamodb:DescribeTable",)),
    ("dynamodb", "transact_get_items", ("dynamodb:GetItem",)),
    # SQS
    ("sqs", "send_message", ("sqs:SendMessage",)),
    ("sqs", "send_message_batch", ("sqs:SendMessage",)),
    ("sqs", "receive_message", ("sqs:ReceiveMessage",)),
    ("sqs", "delete_message", ("sqs:DeleteMessage",)),
    ("sqs", "delete_message_batch", ("sqs:DeleteMessage",)),
    ("sqs", "get_queue_url", ("sqs:GetQueueUrl",)),
    ("sqs", "get_queue_attributes", ("sqs:GetQueueAttributes",)),
    ("sqs", "change_message_visibility", ("sqs:ChangeMessageVisibility",)),
    # SNS
    ("sns", "publish", ("sns:Publish",)),
    ("sns", "publish_batch", ("sns:Publish",)),
    ("sns", "subscribe", ("sns:Subscribe",)),
    ("sns", "list_topics", ("sns:ListTopics",)),
    # Lambda
    ("lambda", "invoke", ("lambda:InvokeFunction",)),
    ("lambda", "invoke_with_response_stream", ("lambda:InvokeFunction",)),
    ("lambda", "get_function", ("lambda:GetFunction",)),
    ("lambda", "list_functions", ("lambda:ListFunctions",)),
    ("lambda", "update_function_code", ("lambda:UpdateFunctionCode",)),
    ("lambda", "get_function_configuration", ("lambda:GetFunctionConfiguration",)),
    # Secrets Manager
    ("secretsmanager", "get_secret_value", ("secretsmanager:GetSecretValue",)),
    ("secretsmanager", "put_secret_value", ("secretsmanager:PutSecretValue",)),
    ("secretsmanager", "describe_secret", ("secretsmanager:DescribeSecret",)),
    ("secretsmanager", "rotate_secret", ("secretsmanager:RotateSecret",)),
    ("secretsmanager", "update_secret_version_stage", ("secretsmanager:UpdateSecretVersionStage",)),
    ("secretsmanager", "get_random_password", ("secretsmanager:GetRandomPassword",)),
    # KMS
    ("kms", "encrypt", ("kms:Encrypt",)),
    ("kms", "decrypt", ("kms:Decrypt",)),
    ("kms", "generate_data_key", ("kms:GenerateDataKey",)),
    ("kms", "sign", ("kms:Sign",)),
    ("kms", "describe_key", ("kms:DescribeKey",)),
    # EventBridge
    ("events", "put_events", ("events:PutEvents",)),
    ("events", "put_rule", ("events:PutRule",)),
    ("events", "put_targets", ("events:PutTargets",)),
    # Step Functions
    ("stepfunctions", "start_execution", ("states:StartExecution",)),
    ("stepfunctions", "start_sync_execution", ("states:StartSyncExecution",)),
    ("stepfunctions", "send_task_success", ("states:SendTaskSuccess",)),
    ("stepfunctions", "send_task_failure", ("states:SendTaskFailure",)),
    ("stepfunctions", "describe_execution", ("states:DescribeExecution",)),
    # others a Lambda handler commonly calls, where the IAM prefix is not the service name
    ("ssm", "get_parameter", ("ssm:GetParameter",)),
    ("ssm", "get_parameters_by_path", ("ssm:GetParametersByPath",)),
    ("cloudwatch", "put_metric_data", ("cloudwatch:PutMetricData",)),
    ("logs", "put_log_events", ("logs:PutLogEvents",)),
    ("kinesis", "put_records", ("kinesis:PutRecords",)),
    ("firehose", "put_record_batch", ("firehose:PutRecordBatch",)),
    ("sesv2", "send_email", ("ses:SendEmail",)),
    ("ses", "send_raw_email", ("ses:SendRawEmail",)),
    ("apigatewaymanagementapi", "post_to_connection", ("execute-api:ManageConnections",)),
    ("iot-data", "publish", ("iot:Publish",)),
    ("dynamodbstreams", "get_records", ("dynamodb:GetRecords",)),
    ("sts", "assume_role", ("sts:AssumeRole",)),
    ("sts", "get_caller_identity", ()),  # needs no permission
    ("bedrock-runtime", "invoke_model", ("bedrock:InvokeModel",)),
    ("bedrock-runtime", "converse", ("bedrock:InvokeModel",)),
    ("sagemaker-runtime", "invoke_endpoint", ("sagemaker:InvokeEndpoint",)),
    ("rds-data", "execute_statement", ("rds-data:ExecuteStatement",)),
    ("athena", "start_query_execution", ("athena:StartQueryExecution",)),
    ("cognito-idp", "admin_get_user", ("cognito-idp:AdminGetUser",)),
    ("appconfigdata", "get_latest_configuration", ("appconfig:GetLatestConfiguration",)),
]


def test_at_least_fifty_calls_across_the_required_services() -> None:
    services = {s for s, _, _ in CLIENT_CALLS}
    assert len(CLIENT_CALLS) >= 50
    assert {
        "s3",
        "dynamodb",
        "sqs",
        "sns",
        "lambda",
        "secretsmanager",
        "kms",
        "events",
        "stepfunctions",
    } <= services


@pytest.mark.parametrize(
    ("service", "method", "expected"), CLIENT_CALLS, ids=[f"{s}.{m}" for s, m, _ in CLIENT_CALLS]
)
def test_client_call(service: str, method: str, expected: tuple[str, ...]) -> None:
    mapped = python_client_call(service, method)
    assert mapped is not None
    assert mapped.actions == expected


RESOURCE_CALLS = [
    ("dynamodb", "Table", "put_item", ("dynamodb:PutItem",)),
    ("dynamodb", "Table", "get_item", ("dynamodb:GetItem",)),
    ("dynamodb", "Table", "update_item", ("dynamodb:UpdateItem",)),
    ("dynamodb", "Table", "delete_item", ("dynamodb:DeleteItem",)),
    ("dynamodb", "Table", "query", ("dynamodb:Query",)),
    ("dynamodb", "Table", "scan", ("dynamodb:Scan",)),
    ("dynamodb", "Table", "batch_writer", ("dynamodb:BatchWriteItem",)),
    ("dynamodb", "", "batch_get_item", ("dynamodb:BatchGetItem",)),
    ("s3", "Bucket", "put_object", ("s3:PutObject",)),
    ("s3", "Bucket", "upload_file", ("s3:PutObject",)),
    ("s3", "Bucket", "download_file", ("s3:GetObject",)),
    ("s3", "Bucket.objects", "filter", ("s3:ListBucket",)),
    ("s3", "Object", "get", ("s3:GetObject",)),
    ("s3", "Object", "put", ("s3:PutObject",)),
    ("s3", "Object", "delete", ("s3:DeleteObject",)),
    ("s3", "Object", "copy_from", ("s3:GetObject", "s3:PutObject")),
    ("sqs", "Queue", "send_message", ("sqs:SendMessage",)),
    ("sqs", "Queue", "send_messages", ("sqs:SendMessage",)),
    ("sqs", "Queue", "receive_messages", ("sqs:ReceiveMessage",)),
    ("sqs", "", "get_queue_by_name", ("sqs:GetQueueUrl",)),
    ("sns", "Topic", "publish", ("sns:Publish",)),
]


@pytest.mark.parametrize(("service", "resource", "method", "expected"), RESOURCE_CALLS)
def test_resource_call(service: str, resource: str, method: str, expected: tuple[str, ...]) -> None:
    mapped = python_resource_call(service, resource, method)
    assert mapped is not None
    assert mapped.actions == expected


def test_sub_resources() -> None:
    assert python_sub_resource("dynamodb", "", "Table") == "Table"
    assert python_sub_resource("s3", "Bucket", "Object") == "Object"
    assert python_sub_resource("s3", "Bucket", "objects") == "Bucket.objects"
    assert python_sub_resource("dynamodb", "", "Bucket") is None


def test_unknown_or_local_calls() -> None:
    # not operations: no API call is made here
    assert python_client_call("s3", "generate_presigned_url") is None
    assert python_client_call("s3", "get_paginator") is None
    assert python_client_call("s3", "not_a_method") is None
    assert python_client_call("nosuchservice", "put_object") is None
    # operations whose permission depends on the arguments: known operation, unknown actions
    mapped = python_client_call("dynamodb", "transact_write_items")
    assert (
        mapped is not None and mapped.operation == "TransactWriteItems" and mapped.actions is None
    )
    mapped = python_client_call("dynamodb", "execute_statement")
    assert mapped is not None and mapped.actions is None
    # an unmodelled resource method is not guessed
    assert python_resource_call("dynamodb", "Table", "item_count") is None


def test_snake_case_matches_botocore_spellings() -> None:
    assert snake_case("PutObject") == "put_object"
    assert snake_case("ListObjectsV2") == "list_objects_v2"
    assert snake_case("GetBucketACL") == "get_bucket_acl"
    s3 = sdk.service("s3")
    assert s3 is not None
    # every method name boto3 uses resolves back to its operation
    assert s3.snake["list_objects_v2"] == "ListObjectsV2"
    assert s3.snake["put_bucket_cors"] == "PutBucketCors"


def test_catalogue_agrees_with_botocore_when_installed() -> None:
    botocore = pytest.importorskip("botocore.session")
    from botocore import xform_name

    session = botocore.get_session()
    loader = session.get_component("data_loader")
    for name in (
        "s3",
        "dynamodb",
        "sqs",
        "sns",
        "lambda",
        "secretsmanager",
        "kms",
        "events",
        "stepfunctions",
    ):
        svc = sdk.service(name)
        assert svc is not None
        model = loader.load_service_model(name, "service-2")
        for op in model["operations"]:
            if op.lower() in svc.operations:  # a newer botocore may add operations
                assert svc.snake[xform_name(op)] == op


JS_CALLS = [
    # (how the service is named, method or command, expected actions)
    ("@aws-sdk/client-s3", "PutObjectCommand", ("s3:PutObject",)),
    ("@aws-sdk/client-s3", "ListObjectsV2Command", ("s3:ListBucket",)),
    ("@aws-sdk/client-dynamodb", "GetItemCommand", ("dynamodb:GetItem",)),
    ("@aws-sdk/client-sqs", "SendMessageBatchCommand", ("sqs:SendMessage",)),
    ("@aws-sdk/client-sns", "PublishCommand", ("sns:Publish",)),
    ("@aws-sdk/client-lambda", "InvokeCommand", ("lambda:InvokeFunction",)),
    (
        "@aws-sdk/client-secrets-manager",
        "GetSecretValueCommand",
        ("secretsmanager:GetSecretValue",),
    ),
    ("@aws-sdk/client-kms", "DecryptCommand", ("kms:Decrypt",)),
    ("@aws-sdk/client-eventbridge", "PutEventsCommand", ("events:PutEvents",)),
    ("@aws-sdk/client-sfn", "StartExecutionCommand", ("states:StartExecution",)),
    ("@aws-sdk/client-cloudwatch-logs", "PutLogEventsCommand", ("logs:PutLogEvents",)),
    ("aws-sdk/clients/s3", "putObject", ("s3:PutObject",)),
    ("aws-sdk/clients/stepfunctions", "startExecution", ("states:StartExecution",)),
]


@pytest.mark.parametrize(("package", "name", "expected"), JS_CALLS)
def test_js_calls(package: str, name: str, expected: tuple[str, ...]) -> None:
    service = js_service_for_package(package)
    assert service is not None
    mapped = js_operation(service, name)
    assert mapped is not None
    assert mapped.actions == expected


def test_js_client_classes() -> None:
    assert js_service_for_class("S3Client") == "s3"
    assert js_service_for_class("SFNClient") == "stepfunctions"
    assert js_service_for_class("SecretsManagerClient") == "secretsmanager"
    assert js_service_for_class("DynamoDB") == "dynamodb"
    # v2 class names
    assert js_service_for_class("StepFunctions") == "stepfunctions"
    assert js_service_for_class("CloudWatchLogs") == "logs"
    assert js_service_for_class("NotAService") is None
    mapped = js_operation("s3", "upload")  # v2 managed upload
    assert mapped is not None and mapped.actions == ("s3:PutObject",)
    assert js_operation("s3", "promise") is None


def test_js_document_client() -> None:
    for name, action in [
        ("put", "PutItem"),
        ("PutCommand", "PutItem"),
        ("batchWrite", "BatchWriteItem"),
        ("QueryCommand", "Query"),
        ("get", "GetItem"),
        ("UpdateCommand", "UpdateItem"),
    ]:
        mapped = js_document_operation(name)
        assert mapped is not None and mapped.actions == (f"dynamodb:{action}",)
    assert js_document_operation("TransactWriteCommand").actions is None  # type: ignore[union-attr]
    assert js_document_operation("send") is None
