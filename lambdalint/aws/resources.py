"""AWS resources as IAM names them: which SDK parameter names the resource of a call, how each
kind of resource's ARN is formed, how CloudFormation and Terraform spell its identifiers, and
the KMS actions an encrypted resource adds.

Facts about AWS, kept as data: the ARN formats are those of the Service Authorization Reference
(https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html),
the attribute tables those of the CloudFormation resource reference (`Ref`/`Fn::GetAtt` return
values) and the Terraform AWS provider (attribute reference).

An ARN format is written with `{partition}`, `{region}`, `{account}` and `{name}` (the
identifier IAM puts in the ARN: a bucket's name, a queue's name, a key's id); `{suffix}` stands
for the six random characters Secrets Manager appends to a secret's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

# what an identifier of a resource is: its name, its ARN, its URL (SQS), or something else the
# service returns that IAM does not use (`other`)
Form = Literal["name", "arn", "url", "other"]


@dataclass(frozen=True)
class ResourceKind:
    """One kind of AWS resource that calls are scoped to."""

    kind: str  # "s3-bucket"
    label: str  # how a message names one: "bucket"
    arn: str  # the ARN format
    url: str | None = None  # the URL format (SQS)
    cfn_types: tuple[str, ...] = ()
    cfn_name: str | None = None  # the property that sets the name
    # what `Ref` and each `Fn::GetAtt` attribute return
    cfn_ref: Form = "name"
    cfn_attributes: tuple[tuple[str, Form], ...] = ()
    tf_types: tuple[str, ...] = ()
    tf_name: str | None = None  # the argument that sets the name
    tf_attributes: tuple[tuple[str, Form], ...] = ()

    def cfn_attribute(self, attribute: str) -> Form | None:
        return dict(self.cfn_attributes).get(attribute)

    def tf_attribute(self, attribute: str) -> Form | None:
        return dict(self.tf_attributes).get(attribute)


KINDS: tuple[ResourceKind, ...] = (
    ResourceKind(
        "s3-bucket",
        "bucket",
        "arn:{partition}:s3:::{name}",
        cfn_types=("AWS::S3::Bucket",),
        cfn_name="BucketName",
        cfn_attributes=(("Arn", "arn"),),
        tf_types=("aws_s3_bucket",),
        tf_name="bucket",
        tf_attributes=(("id", "name"), ("bucket", "name"), ("arn", "arn")),
    ),
    ResourceKind(
        "dynamodb-table",
        "table",
        "arn:{partition}:dynamodb:{region}:{account}:table/{name}",
        cfn_types=(
            "AWS::DynamoDB::Table",
            "AWS::DynamoDB::GlobalTable",
            "AWS::Serverless::SimpleTable",
        ),
        cfn_name="TableName",
        cfn_attributes=(("Arn", "arn"),),
        tf_types=("aws_dynamodb_table",),
        tf_name="name",
        tf_attributes=(("id", "name"), ("name", "name"), ("arn", "arn")),
    ),
    ResourceKind(
        "sqs-queue",
        "queue",
        "arn:{partition}:sqs:{region}:{account}:{name}",
        url="https://sqs.{region}.amazonaws.com/{account}/{name}",
        cfn_types=("AWS::SQS::Queue",),
        cfn_name="QueueName",
        cfn_ref="url",
        cfn_attributes=(("Arn", "arn"), ("QueueUrl", "url"), ("QueueName", "name")),
        tf_types=("aws_sqs_queue",),
        tf_name="name",
        tf_attributes=(("id", "url"), ("url", "url"), ("arn", "arn"), ("name", "name")),
    ),
    ResourceKind(
        "sns-topic",
        "topic",
        "arn:{partition}:sns:{region}:{account}:{name}",
        cfn_types=("AWS::SNS::Topic",),
        cfn_name="TopicName",
        cfn_ref="arn",
        cfn_attributes=(("TopicArn", "arn"), ("TopicName", "name")),
        tf_types=("aws_sns_topic",),
        tf_name="name",
        tf_attributes=(("id", "arn"), ("arn", "arn"), ("name", "name")),
    ),
    ResourceKind(
        "lambda-function",
        "function",
        "arn:{partition}:lambda:{region}:{account}:function:{name}",
        cfn_types=("AWS::Lambda::Function", "AWS::Serverless::Function"),
        cfn_name="FunctionName",
        cfn_attributes=(("Arn", "arn"),),
        tf_types=("aws_lambda_function",),
        tf_name="function_name",
        tf_attributes=(("id", "name"), ("function_name", "name"), ("arn", "arn")),
    ),
    ResourceKind(
        "secretsmanager-secret",
        "secret",
        "arn:{partition}:secretsmanager:{region}:{account}:secret:{name}-{suffix}",
        cfn_types=("AWS::SecretsManager::Secret",),
        cfn_name="Name",
        cfn_ref="arn",
        cfn_attributes=(("Id", "arn"),),
        tf_types=("aws_secretsmanager_secret",),
        tf_name="name",
        tf_attributes=(("id", "arn"), ("arn", "arn"), ("name", "name")),
    ),
    ResourceKind(
        "ssm-parameter",
        "parameter",
        # a name that starts with "/" is written without a second slash (parameter/a/b)
        "arn:{partition}:ssm:{region}:{account}:parameter/{name}",
        cfn_types=("AWS::SSM::Parameter",),
        cfn_name="Name",
        cfn_attributes=(("Type", "other"), ("Value", "other")),
        tf_types=("aws_ssm_parameter",),
        tf_name="name",
        tf_attributes=(("id", "name"), ("name", "name"), ("arn", "arn")),
    ),
    ResourceKind(
        "states-state-machine",
        "state machine",
        "arn:{partition}:states:{region}:{account}:stateMachine:{name}",
        cfn_types=("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine"),
        cfn_name="StateMachineName",
        cfn_ref="arn",
        cfn_attributes=(("Arn", "arn"), ("Name", "name")),
        tf_types=("aws_sfn_state_machine",),
        tf_name="name",
        tf_attributes=(("id", "arn"), ("arn", "arn"), ("name", "name")),
    ),
    ResourceKind(
        "events-event-bus",
        "event bus",
        "arn:{partition}:events:{region}:{account}:event-bus/{name}",
        cfn_types=("AWS::Events::EventBus",),
        cfn_name="Name",
        cfn_attributes=(("Arn", "arn"), ("Name", "name")),
        tf_types=("aws_cloudwatch_event_bus",),
        tf_name="name",
        tf_attributes=(("id", "name"), ("arn", "arn"), ("name", "name")),
    ),
    ResourceKind(
        "kinesis-stream",
        "stream",
        "arn:{partition}:kinesis:{region}:{account}:stream/{name}",
        cfn_types=("AWS::Kinesis::Stream",),
        cfn_name="Name",
        cfn_attributes=(("Arn", "arn"),),
        tf_types=("aws_kinesis_stream",),
        tf_name="name",
        tf_attributes=(("id", "arn"), ("arn", "arn"), ("name", "name")),
    ),
    ResourceKind(
        "firehose-delivery-stream",
        "delivery stream",
        "arn:{partition}:firehose:{region}:{account}:deliverystream/{name}",
        cfn_types=("AWS::KinesisFirehose::DeliveryStream",),
        cfn_name="DeliveryStreamName",
        cfn_attributes=(("Arn", "arn"),),
        tf_types=("aws_kinesis_firehose_delivery_stream",),
        tf_name="name",
        tf_attributes=(("id", "arn"), ("arn", "arn"), ("name", "name")),
    ),
    ResourceKind(
        "kms-key",
        "key",
        "arn:{partition}:kms:{region}:{account}:key/{name}",
        cfn_types=("AWS::KMS::Key",),
        cfn_attributes=(("Arn", "arn"), ("KeyId", "name")),
        tf_types=("aws_kms_key",),
        tf_attributes=(("id", "name"), ("key_id", "name"), ("arn", "arn")),
    ),
    # not declared in templates: named by the model id a call passes
    ResourceKind(
        "bedrock-foundation-model",
        "model",
        "arn:{partition}:bedrock:{region}::foundation-model/{name}",
    ),
)

_BY_KIND = {k.kind: k for k in KINDS}
_BY_CFN_TYPE = {t: k for k in KINDS for t in k.cfn_types}
_BY_TF_TYPE = {t: k for k in KINDS for t in k.tf_types}


def kind(name: str) -> ResourceKind | None:
    return _BY_KIND.get(name)


def kind_of_cfn_type(rtype: object) -> ResourceKind | None:
    return _BY_CFN_TYPE.get(rtype) if isinstance(rtype, str) else None


def kind_of_tf_type(rtype: object) -> ResourceKind | None:
    return _BY_TF_TYPE.get(rtype) if isinstance(rtype, str) else None


# ---------------------------------------------------------------- SDK parameters


@dataclass(frozen=True)
class Parameter:
    """An SDK parameter that names the resource a call acts on, and what it holds."""

    kind: str
    forms: tuple[Form, ...]


# (botocore service, parameter) → the resource it names. The same names serve the JavaScript
# SDK (its inputs are spelled like the API's). Paths into structures: `Names[]` is each item
# of a list, `RequestItems{}` each key of a mapping, `Entries[].EventBusName` a field of each
# item, `CopySource.Bucket` a field of a mapping.
PARAMETERS: dict[tuple[str, str], Parameter] = {
    ("s3", "Bucket"): Parameter("s3-bucket", ("name",)),
    ("dynamodb", "TableName"): Parameter("dynamodb-table", ("name", "arn")),
    ("dynamodb", "RequestItems{}"): Parameter("dynamodb-table", ("name", "arn")),
    ("sqs", "QueueUrl"): Parameter("sqs-queue", ("url",)),
    ("sqs", "QueueName"): Parameter("sqs-queue", ("name",)),
    ("sns", "TopicArn"): Parameter("sns-topic", ("arn",)),
    ("sns", "TargetArn"): Parameter("sns-topic", ("arn",)),
    ("lambda", "FunctionName"): Parameter("lambda-function", ("name", "arn")),
    ("secretsmanager", "SecretId"): Parameter("secretsmanager-secret", ("name", "arn")),
    ("ssm", "Name"): Parameter("ssm-parameter", ("name", "arn")),
    ("ssm", "Names[]"): Parameter("ssm-parameter", ("name", "arn")),
    ("stepfunctions", "stateMachineArn"): Parameter("states-state-machine", ("arn",)),
    ("events", "Entries[].EventBusName"): Parameter("events-event-bus", ("name", "arn")),
    ("kinesis", "StreamName"): Parameter("kinesis-stream", ("name",)),
    ("kinesis", "StreamARN"): Parameter("kinesis-stream", ("arn",)),
    ("firehose", "DeliveryStreamName"): Parameter("firehose-delivery-stream", ("name",)),
    ("kms", "KeyId"): Parameter("kms-key", ("name", "arn")),
    ("bedrock-runtime", "modelId"): Parameter("bedrock-foundation-model", ("name", "arn")),
}
# parameters that refine the resource rather than name it
EXTRA_PARAMETERS: dict[str, tuple[str, ...]] = {
    "s3": ("Key", "CopySource", "CopySource.Bucket", "CopySource.Key", "Prefix"),
    "dynamodb": ("IndexName",),
    "ssm": ("Path",),
    "sns": ("PhoneNumber",),
}


# Arguments that pass an IAM role to the service (a schedule's target role, a state machine's
# role, a function's execution role): the caller needs iam:PassRole on it.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
ROLE_PARAMETERS = frozenset(
    {
        "RoleArn",
        "roleArn",
        "ExecutionRoleArn",
        "executionRoleArn",
        "ServiceRoleArn",
        "serviceRoleArn",
        "TaskRoleArn",
        "DataAccessRoleArn",
        "Target.RoleArn",
        "Targets[].RoleArn",
    }
)
# services whose RoleArn is the role the caller takes on, not one it passes
ROLE_TAKERS = frozenset({"sts"})
# lambda:CreateFunction and UpdateFunctionConfiguration take the execution role as `Role`
_LAMBDA_ROLE = "Role"


def argument_names(service: str) -> frozenset[str]:
    """The (paths of) arguments of `service`'s calls that the analysis records."""
    names = {p for (s, p) in PARAMETERS if s == service}
    names.update(EXTRA_PARAMETERS.get(service, ()))
    if service not in ROLE_TAKERS:
        names.update(ROLE_PARAMETERS)
    if service == "lambda":
        names.add(_LAMBDA_ROLE)
    return frozenset(names)


def passes_role(service: str, path: str) -> bool:
    """The argument passes a role to the service (iam:PassRole)."""
    if service in ROLE_TAKERS:
        return False
    return path in ROLE_PARAMETERS or (service == "lambda" and path == _LAMBDA_ROLE)


# Services that act on other resources with the caller's own permissions (forward access
# sessions): Transcribe reads the media and writes the transcript to S3, Textract and
# Rekognition read S3 objects, Athena reads S3 and the Glue catalog, the RDS and Redshift Data
# APIs read a Secrets Manager secret. Which resources is not read from the call, so the
# statements lambdalint derives for them may be incomplete.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/access_forward_access_sessions.html
FORWARDS_CALLER_PERMISSIONS = frozenset(
    {
        "transcribe",
        "textract",
        "rekognition",
        "polly",
        "athena",
        "comprehend",
        "rds-data",
        "redshift-data",
        "glue",
        "kendra",
    }
)


def parameters(service: str) -> dict[str, Parameter]:
    return {p: v for (s, p), v in PARAMETERS.items() if s == service}


# S3 operations on objects: their resource is `<bucket ARN>/<key>`
S3_OBJECT_OPERATIONS = frozenset(
    {
        "GetObject",
        "PutObject",
        "DeleteObject",
        "DeleteObjects",
        "HeadObject",
        "CopyObject",
        "RestoreObject",
        "SelectObjectContent",
        "GetObjectTagging",
        "PutObjectTagging",
        "DeleteObjectTagging",
        "GetObjectAcl",
        "PutObjectAcl",
        "GetObjectAttributes",
        "GetObjectRetention",
        "PutObjectRetention",
        "GetObjectLegalHold",
        "PutObjectLegalHold",
        "CreateMultipartUpload",
        "UploadPart",
        "UploadPartCopy",
        "CompleteMultipartUpload",
        "AbortMultipartUpload",
        "ListParts",
    }
)
# operations that take no resource: IAM allows them only on "*"
UNSCOPED_OPERATIONS: frozenset[tuple[str, str]] = frozenset(
    {
        ("s3", "ListBuckets"),
        ("dynamodb", "ListTables"),
        ("dynamodb", "DescribeLimits"),
        ("sqs", "ListQueues"),
        ("sns", "ListTopics"),
        ("sns", "ListSubscriptions"),
        ("lambda", "ListFunctions"),
        ("lambda", "GetAccountSettings"),
        ("secretsmanager", "ListSecrets"),
        ("secretsmanager", "GetRandomPassword"),
        ("ssm", "DescribeParameters"),
        ("stepfunctions", "ListStateMachines"),
        ("kinesis", "ListStreams"),
        ("kms", "GenerateRandom"),
        ("kms", "ListKeys"),
        ("kms", "ListAliases"),
        ("cloudwatch", "PutMetricData"),
        ("cloudwatch", "GetMetricData"),
        ("cloudwatch", "GetMetricStatistics"),
        ("cloudwatch", "ListMetrics"),
        ("xray", "PutTraceSegments"),
        ("xray", "PutTelemetryRecords"),
        ("events", "ListEventBuses"),
        ("translate", "TranslateText"),
        ("comprehend", "DetectSentiment"),
        ("comprehend", "DetectEntities"),
        ("comprehend", "DetectKeyPhrases"),
        ("comprehend", "DetectDominantLanguage"),
        ("comprehend", "DetectPiiEntities"),
        ("comprehend", "DetectSyntax"),
        ("comprehend", "BatchDetectSentiment"),
        ("comprehend", "BatchDetectEntities"),
        ("comprehend", "BatchDetectDominantLanguage"),
        ("rekognition", "DetectLabels"),
        ("rekognition", "DetectFaces"),
        ("rekognition", "DetectText"),
        ("rekognition", "DetectModerationLabels"),
        ("rekognition", "RecognizeCelebrities"),
        ("rekognition", "CompareFaces"),
        ("textract", "DetectDocumentText"),
        ("textract", "AnalyzeDocument"),
        ("textract", "AnalyzeExpense"),
        ("textract", "AnalyzeID"),
        ("textract", "StartDocumentTextDetection"),
        ("textract", "GetDocumentTextDetection"),
        ("textract", "StartDocumentAnalysis"),
        ("textract", "GetDocumentAnalysis"),
        ("polly", "SynthesizeSpeech"),
        ("polly", "DescribeVoices"),
        ("ec2", "DescribeInstances"),
        ("ec2", "DescribeRegions"),
        ("ec2", "DescribeVpcs"),
        ("ec2", "DescribeSubnets"),
        ("ec2", "DescribeSecurityGroups"),
        ("ec2", "DescribeImages"),
        ("ec2", "DescribeSnapshots"),
        ("ec2", "DescribeVolumes"),
    }
)
# operations that act on the default event bus when no bus is named
DEFAULT_EVENT_BUS = "default"


# ---------------------------------------------------------------- KMS


@dataclass(frozen=True)
class KmsUse:
    """The KMS actions an action on an encrypted resource also needs (customer keys only:
    an AWS managed key's policy lets every principal of the account use it through the
    service)."""

    kind: str
    action: str  # lower-case IAM action on the resource
    kms_actions: tuple[str, ...]


KMS_USES: tuple[KmsUse, ...] = (
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
    KmsUse("sqs-queue", "sqs:sendmessage", ("kms:GenerateDataKey", "kms:Decrypt")),
    KmsUse("sqs-queue", "sqs:receivemessage", ("kms:Decrypt",)),
    # https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
    KmsUse("sns-topic", "sns:publish", ("kms:GenerateDataKey", "kms:Decrypt")),
    # https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
    KmsUse("s3-bucket", "s3:putobject", ("kms:GenerateDataKey", "kms:Decrypt")),
    KmsUse("s3-bucket", "s3:getobject", ("kms:Decrypt",)),
    # https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
    KmsUse("secretsmanager-secret", "secretsmanager:getsecretvalue", ("kms:Decrypt",)),
    KmsUse(
        "secretsmanager-secret",
        "secretsmanager:putsecretvalue",
        ("kms:GenerateDataKey", "kms:Decrypt"),
    ),
    # https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html
    KmsUse("kinesis-stream", "kinesis:putrecord", ("kms:GenerateDataKey",)),
    KmsUse("kinesis-stream", "kinesis:putrecords", ("kms:GenerateDataKey",)),
    KmsUse("kinesis-stream", "kinesis:getrecords", ("kms:Decrypt",)),
    # https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-access.html
    KmsUse("ssm-parameter", "ssm:getparameter", ("kms:Decrypt",)),
    KmsUse("ssm-parameter", "ssm:getparameters", ("kms:Decrypt",)),
)


# services whose data a customer managed KMS key may encrypt, so that a call reading or writing
# it also needs kms:Decrypt / kms:GenerateDataKey on that key
# https://docs.aws.amazon.com/kms/latest/developerguide/service-integration.html
KMS_SERVICES = frozenset(
    {
        "s3",
        "sqs",
        "sns",
        "secretsmanager",
        "ssm",
        "kinesis",
        "dynamodb",
        "firehose",
        "states",
        "kafka",
        "athena",
        "glue",
        "ses",
        "events",
        "sagemaker",
        "bedrock",
        "appconfig",
        "appconfigdata",
        "rds-data",
    }
)
# the kinds whose key the inventory reads from the template (AwsResource.kms_key)
KMS_KEY_KINDS = frozenset(use.kind for use in KMS_USES)


def kms_actions(resource_kind: str, action: str) -> tuple[str, ...]:
    low = action.lower()
    for use in KMS_USES:
        if use.kind == resource_kind and use.action == low:
            return use.kms_actions
    return ()


def is_aws_managed_key(value: str) -> bool:
    """`alias/aws/sqs`, `arn:aws:kms:…:alias/aws/sns`: a key AWS manages for the service."""
    return bool(re.search(r"(^|:)alias/aws/", value))


# ---------------------------------------------------------------- placeholders

# `${...}` spellings of the partition, region and account in each dialect
PSEUDO_PLACEHOLDERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "partition",
        re.compile(r"^(AWS::Partition|aws:partition|data\.aws_partition\.[\w-]+\.partition)$"),
    ),
    (
        "region",
        re.compile(r"^(AWS::Region|aws:region|data\.aws_region\.[\w-]+\.(name|region|id))$"),
    ),
    (
        "account",
        re.compile(
            r"^(AWS::AccountId|aws:accountId|data\.aws_caller_identity\.[\w-]+\.account_id)$"
        ),
    ),
    ("urlsuffix", re.compile(r"^(AWS::URLSuffix|data\.aws_partition\.[\w-]+\.dns_suffix)$")),
)


def pseudo(inner: str) -> str | None:
    """`AWS::Region` (CloudFormation), `aws:region` (Serverless), `data.aws_region.x.name`
    (Terraform) → "region"; None for anything else."""
    for name, pattern in PSEUDO_PLACEHOLDERS:
        if pattern.match(inner.strip()):
            return name
    return None


# ---------------------------------------------------------------- Powertools

# Powertools for AWS Lambda parameter utilities: function → (service, Operation, the argument
# that names the resource: an index of a positional argument or a keyword)
POWERTOOLS_FUNCTIONS: dict[str, tuple[str, str, str]] = {
    "get_parameter": ("ssm", "GetParameter", "Name"),
    "get_parameters": ("ssm", "GetParametersByPath", "Path"),
    "get_parameters_by_name": ("ssm", "GetParameters", "Names[]"),
    "get_secret": ("secretsmanager", "GetSecretValue", "SecretId"),
    "get_app_config": ("appconfigdata", "GetLatestConfiguration", ""),
    # Node.js (`@aws-lambda-powertools/parameters/ssm`, `/secrets`, `/appconfig`)
    "getParameter": ("ssm", "GetParameter", "Name"),
    "getParameters": ("ssm", "GetParametersByPath", "Path"),
    "getParametersByName": ("ssm", "GetParameters", "Names[]"),
    "getSecret": ("secretsmanager", "GetSecretValue", "SecretId"),
    "getAppConfig": ("appconfigdata", "GetLatestConfiguration", ""),
}
# the IAM actions each utility needs (AppConfig: a session, then the configuration)
POWERTOOLS_ACTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("ssm", "GetParameter"): ("ssm:GetParameter",),
    ("ssm", "GetParametersByPath"): ("ssm:GetParametersByPath",),
    ("ssm", "GetParameters"): ("ssm:GetParameters",),
    ("secretsmanager", "GetSecretValue"): ("secretsmanager:GetSecretValue",),
    ("appconfigdata", "GetLatestConfiguration"): (
        "appconfig:StartConfigurationSession",
        "appconfig:GetLatestConfiguration",
    ),
}


# ---------------------------------------------------------------- modules that call no AWS API

# Handler code may import these without making a call lambdalint cannot see: the AWS SDKs
# themselves (their calls are what the analysis reads), and libraries that make no AWS call
# with the function's credentials. Any other import (a module of the project, a third-party
# package) may call AWS APIs out of sight.
PYTHON_QUIET_MODULES = frozenset(
    {
        "boto3",
        "botocore",
        "requests",
        "urllib3",
        "pydantic",
        "jsonschema",
        "simplejson",
        "dateutil",
        "pytz",
        "yaml",
        "jwt",
        "typing_extensions",
        "aws_xray_sdk",
    }
)
# Powertools utilities that make no AWS call of their own (parameters are read as calls)
PYTHON_QUIET_PREFIXES = (
    "aws_lambda_powertools.Logger",
    "aws_lambda_powertools.Tracer",
    "aws_lambda_powertools.Metrics",
    "aws_lambda_powertools.single_metric",
    "aws_lambda_powertools.logging",
    "aws_lambda_powertools.tracing",
    "aws_lambda_powertools.metrics",
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.utilities.typing",
    "aws_lambda_powertools.utilities.data_classes",
    "aws_lambda_powertools.utilities.parser",
    "aws_lambda_powertools.utilities.validation",
    "aws_lambda_powertools.utilities.batch",
    "aws_lambda_powertools.utilities.parameters",
)
NODE_QUIET_PACKAGES = frozenset(
    {
        "aws-sdk",
        "axios",
        "node-fetch",
        "uuid",
        "zod",
        "@middy/core",
        "@middy/http-json-body-parser",
        "@middy/http-error-handler",
        "@middy/http-cors",
        "@aws-lambda-powertools/logger",
        "@aws-lambda-powertools/tracer",
        "@aws-lambda-powertools/metrics",
        "@aws-lambda-powertools/parameters",
        "@aws-lambda-powertools/batch",
        "@types/aws-lambda",
        "aws-lambda",
    }
)
NODE_QUIET_PREFIXES = ("@aws-sdk/", "aws-sdk/", "@aws-lambda-powertools/parameters/")
NODE_BUILTINS = frozenset(
    {
        "assert",
        "buffer",
        "crypto",
        "dns",
        "events",
        "fs",
        "fs/promises",
        "http",
        "https",
        "net",
        "os",
        "path",
        "process",
        "querystring",
        "readline",
        "stream",
        "stream/promises",
        "string_decoder",
        "timers",
        "timers/promises",
        "tls",
        "url",
        "util",
        "zlib",
    }
)
# modules that start other programs: what those do with the function's credentials is unseen
RUNS_PROGRAMS = frozenset({"subprocess", "child_process", "node:child_process"})
