"""What a function's code needs from IAM: the arguments that name each call's resource (Python
and Node facts), their resolution through the environment to the project's resources, ARN
matching that says "maybe" when it cannot be sure, what the role grants and never uses, and
when the facts are complete."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambdalint.analysis import node
from lambdalint.analysis.facts import Argument, SdkCall, ValuePart
from lambdalint.analysis.python import analyze
from lambdalint.aws import arns, resources
from lambdalint.aws.arns import Match
from lambdalint.engine import privileges, statements
from lambdalint.engine.context import CheckContext
from lambdalint.app import load
from lambdalint.model import AwsResource, Loc, Pos
from lambdalint.reading import Reader
from lambdalint.settings import Settings


def _args(call: SdkCall, every: bool = False) -> dict[str, list[tuple[tuple[str, str], ...]]]:
    """The arguments that name the call's resource (`every`: the others too)."""
    names = resources.argument_names(call.service)
    out: dict[str, list[tuple[tuple[str, str], ...]]] = {}
    for arg in call.arguments:
        if every or arg.path in names:
            out.setdefault(arg.path, []).append(tuple((p.kind, p.text) for p in arg.parts))
    return out


def _python(text: str) -> list[SdkCall]:
    return analyze(Path("app.py"), text).sdk_calls


# ---------------------------------------------------------------------------- Python facts


def test_python_arguments_follow_constants_environment_and_fstrings() -> None:
    calls = _python(
        "import os, boto3\n"
        "s3 = boto3.client('s3')\n"
        "BUCKET = os.environ['BUCKET']\n"
        "PREFIX = 'exports'\n"
        "QUEUE = os.getenv('QUEUE_URL', 'http://localhost')\n"
        "def handler(event, context):\n"
        "    s3.put_object(Bucket=BUCKET, Key=f'{PREFIX}/{event[\"id\"]}.json', Body=b'')\n"
        "    s3.get_object(Bucket='lit-' + os.environ.get('STAGE'), Key='k')\n"
        "    boto3.client('sqs').send_message(QueueUrl=QUEUE, MessageBody='x')\n"
    )
    put, get, send = calls
    assert _args(put) == {
        "Bucket": [(("env", "BUCKET"),)],
        "Key": [(("text", "exports/"), ("unknown", ""), ("text", ".json"))],
    }
    assert _args(get)["Bucket"] == [(("text", "lit-"), ("env", "STAGE"))]
    assert _args(send) == {"QueueUrl": [(("env", "QUEUE_URL"),)]}


def test_python_structured_arguments_and_spread_mappings() -> None:
    calls = _python(
        "import boto3\n"
        "ssm = boto3.client('ssm')\n"
        "ddb = boto3.client('dynamodb')\n"
        "events = boto3.client('events')\n"
        "s3 = boto3.client('s3')\n"
        "PARAMS = {'Bucket': 'b', 'Key': 'k'}\n"
        "def handler(event, context):\n"
        "    ssm.get_parameters(Names=['/a', '/b'])\n"
        "    ddb.batch_get_item(RequestItems={'orders': {}, 'users': {}})\n"
        "    events.put_events(Entries=[{'EventBusName': 'bus'}, {'Source': 'x'}])\n"
        "    s3.get_object(**PARAMS)\n"
        "    s3.get_object(**event)\n"
        "    s3.copy_object(Bucket='b', Key='k', CopySource={'Bucket': 'src', 'Key': 'a'})\n"
        "    s3.upload_file('/tmp/x', 'up', 'k/x')\n"
    )
    names, batch, put_events, params, spread, copy, upload = calls
    assert _args(names) == {"Names[]": [(("text", "/a"),), (("text", "/b"),)]}
    assert _args(batch) == {"RequestItems{}": [(("text", "orders"),), (("text", "users"),)]}
    assert _args(put_events) == {"Entries[].EventBusName": [(("text", "bus"),), ()]}
    assert _args(params) == {"Bucket": [(("text", "b"),)], "Key": [(("text", "k"),)]}
    assert spread.spread and not params.spread
    assert _args(copy)["CopySource.Bucket"] == [(("text", "src"),)]
    assert _args(upload) == {"Bucket": [(("text", "up"),)], "Key": [(("text", "k/x"),)]}


def test_python_resources_carry_their_identifiers() -> None:
    calls = _python(
        "import os, boto3\n"
        "table = boto3.resource('dynamodb').Table(os.environ['TABLE'])\n"
        "bucket = boto3.resource('s3').Bucket('photos')\n"
        "def handler(event, context):\n"
        "    table.put_item(Item={})\n"
        "    bucket.Object('a/b.jpg').get()\n"
        "    boto3.resource('s3').Object('docs', 'x.pdf').delete()\n"
        "    boto3.resource('sqs').Queue(os.environ['Q']).send_message(MessageBody='x')\n"
    )
    assert [_args(c) for c in calls] == [
        {"TableName": [(("env", "TABLE"),)]},
        {"Bucket": [(("text", "photos"),)], "Key": [(("text", "a/b.jpg"),)]},
        {"Bucket": [(("text", "docs"),)], "Key": [(("text", "x.pdf"),)]},
        {"QueueUrl": [(("env", "Q"),)]},
    ]


def test_python_powertools_parameters_are_calls() -> None:
    calls = _python(
        "from aws_lambda_powertools.utilities import parameters\n"
        "from aws_lambda_powertools.utilities.parameters import get_secret\n"
        "def handler(event, context):\n"
        "    parameters.get_parameter('/app/url')\n"
        "    parameters.get_parameters('/app')\n"
        "    get_secret('token')\n"
    )
    assert [(c.operation, c.actions, _args(c)) for c in calls] == [
        ("GetParameter", ("ssm:GetParameter",), {"Name": [(("text", "/app/url"),)]}),
        ("GetParametersByPath", ("ssm:GetParametersByPath",), {"Path": [(("text", "/app"),)]}),
        (
            "GetSecretValue",
            ("secretsmanager:GetSecretValue",),
            {"SecretId": [(("text", "token"),)]},
        ),
    ]


def test_python_doubts_and_imports() -> None:
    src = analyze(
        Path("app.py"),
        "import boto3, json\n"
        "from . import repo\n"
        "from aws_lambda_powertools import Logger\n"
        "table = boto3.resource('dynamodb').Table('t')\n"
        "def save(t):\n"
        "    t.put_item(Item={})\n"
        "def handler(event, context):\n"
        "    c = boto3.client(event['service'])\n"
        "    getattr(table, 'scan')()\n"
        "    save(table)\n",
    )
    assert {(i.name, i.local, i.names) for i in src.imports} == {
        ("boto3", False, ()),
        ("json", False, ()),
        ("", True, ("repo",)),
        ("aws_lambda_powertools", False, ("Logger",)),
    }
    whys = sorted(d.why for d in src.sdk_doubts)
    assert whys == [
        "an SDK client for a service named at run time",
        "an SDK operation chosen by name at run time",
        "put_item may be an SDK call on a value that is not followed",
    ]


# ---------------------------------------------------------------------------- Node facts


def _node(text: str) -> list[SdkCall]:
    pytest.importorskip("tree_sitter_javascript")
    return node.analyze(Path("index.mjs"), text).sdk_calls


def test_node_command_inputs() -> None:
    calls = _node(
        'import { S3Client, PutObjectCommand } from "@aws-sdk/client-s3";\n'
        'import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";\n'
        'import { DynamoDBClient } from "@aws-sdk/client-dynamodb";\n'
        "const s3 = new S3Client({});\n"
        "const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));\n"
        "const { TABLE } = process.env;\n"
        'const Bucket = process.env.BUCKET ?? "local";\n'
        "export const handler = async (event) => {\n"
        "  await s3.send(new PutObjectCommand({ Bucket, Key: `in/${event.id}` }));\n"
        "  await ddb.send(new PutCommand({ TableName: TABLE, Item: {} }));\n"
        "  const input = { Bucket: 'b', ...event };\n"
        "  await s3.send(new PutObjectCommand(input));\n"
        "};\n"
    )
    put, doc, spread = calls
    assert _args(put) == {
        "Bucket": [(("env", "BUCKET"),)],
        "Key": [(("text", "in/"), ("unknown", ""))],
    }
    assert _args(doc) == {"TableName": [(("env", "TABLE"),)]}
    assert spread.spread and _args(spread) == {"Bucket": [(("text", "b"),)]}


def test_node_v2_calls_and_imports() -> None:
    pytest.importorskip("tree_sitter_javascript")
    src = node.analyze(
        Path("index.js"),
        'const AWS = require("aws-sdk");\n'
        'const helper = require("./helper");\n'
        "const sns = new AWS.SNS();\n"
        "exports.handler = async () => {\n"
        '  await sns.publish({ TopicArn: process.env.TOPIC, Message: "x" }).promise();\n'
        "};\n",
    )
    assert _args(src.sdk_calls[0]) == {"TopicArn": [(("env", "TOPIC"),)]}
    assert [(i.name, i.local) for i in src.imports] == [("aws-sdk", False), ("./helper", True)]


def test_node_v2_classes_in_another_case_and_unknown_ones() -> None:
    pytest.importorskip("tree_sitter_javascript")
    src = node.analyze(
        Path("index.js"),
        'const aws = require("aws-sdk");\n'
        'const endpoint = new aws.Endpoint("https://example.com");\n'
        "const cur = new aws.CUR();\n"
        "exports.handler = (event, context) => {\n"
        "  const iot = new aws.Iot();\n"
        "  iot.describeEndpoint({}, (err, data) => context.done());\n"
        "};\n",
    )
    assert [(c.service, c.operation) for c in src.sdk_calls] == [("iot", "DescribeEndpoint")]
    # AWS.CUR is a service client lambdalint has no name for; AWS.Endpoint is not a client
    assert [(d.pos.line, d.why) for d in src.sdk_doubts] == [
        (3, "a client of AWS.CUR, a class lambdalint does not know")
    ]


# ---------------------------------------------------------------------------- ARNs


def _resource(logical: str, name: str | None = None, kind: str = "s3-bucket") -> AwsResource:
    return AwsResource(
        kind,
        logical,
        "AWS::S3::Bucket",
        Loc(Path("t.yaml")),
        name=name,
        placeholders=(("${" + logical + "}", "name"), ("${" + logical + ".Arn}", "arn")),
    )


DECLARED = arns.Resources(
    [_resource("Uploads"), _resource("Logs"), _resource("Named", "acme-named")]
)
OBJECTS = arns.form_tokens(DECLARED.all[0], "arn") + ("/", arns.ANY)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("*", Match.YES),
        ("${Uploads.Arn}/*", Match.YES),
        ("arn:${AWS::Partition}:s3:::${Uploads}/*", Match.YES),
        ("arn:aws:s3:::*", Match.YES),
        ("${Logs.Arn}/*", Match.NO),  # another bucket of the project
        ("${Uploads.Arn}", Match.NO),  # the bucket, not its objects
        ("arn:aws:s3:::acme-other/*", Match.MAYBE),  # Uploads' name is generated
        ("${Uploads.Arn}/in/*", Match.MAYBE),  # some of its objects
        ("arn:aws:dynamodb:*:*:table/x", Match.NO),
    ],
)
def test_covers(pattern: str, expected: Match) -> None:
    assert arns.covers(arns.tokens(pattern, DECLARED, pattern=True), OBJECTS) == expected


def test_literal_names_and_regions() -> None:
    named = arns.form_tokens(DECLARED.all[2], "arn") + ("/", arns.ANY)
    assert arns.covers(arns.tokens("arn:aws:s3:::acme-named/*", DECLARED, True), named) == Match.YES
    assert arns.covers(arns.tokens("arn:aws:s3:::acme-other/*", DECLARED, True), named) == Match.NO
    table = arns.format_tokens(
        "arn:{partition}:dynamodb:{region}:{account}:table/{name}", tuple("orders")
    )
    in_region = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"
    assert arns.covers(arns.tokens(in_region, DECLARED, True), table) == Match.MAYBE
    pseudo = "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/orders"
    assert arns.covers(arns.tokens(pseudo, DECLARED, True), table) == Match.YES


# ---------------------------------------------------------------------------- resolution


def _project(tmp_path: Path, template: str, sources: dict[str, str]) -> CheckContext:
    (tmp_path / "template.yaml").write_text(template, encoding="utf-8")
    for name, text in sources.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    settings = Settings()
    reader = Reader.for_paths(settings.limits, [tmp_path])
    project, _ = load([tmp_path], settings, reader)
    return CheckContext(project, settings, reader)


SAM = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      KmsMasterKeyId: alias/team-key
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: .
      Environment:
        Variables:
          TABLE: !Ref Orders
          QUEUE: !Ref Jobs
          PREFIX: !Sub "${Orders}-archive"
      Policies:
        - Statement:
            - Effect: Allow
              Action: [dynamodb:GetItem, dynamodb:Query, dynamodb:DeleteItem, logs:*]
              Resource: "*"
"""


def test_needs_of_a_function(tmp_path: Path) -> None:
    ctx = _project(
        tmp_path,
        SAM,
        {
            "app.py": "import os, boto3\n"
            "ddb = boto3.client('dynamodb')\n"
            "sqs = boto3.client('sqs')\n"
            "def handler(event, context):\n"
            "    ddb.query(TableName=os.environ['TABLE'], IndexName='by-date')\n"
            "    ddb.get_item(TableName=os.environ['PREFIX'], Key={})\n"
            "    sqs.send_message(QueueUrl=os.environ['QUEUE'], MessageBody='x')\n"
            "    ddb.list_tables()\n"
        },
    )
    fn = ctx.project.functions[0]
    found = privileges.privileges(fn, ctx)
    labels = [(n.action, n.arn.label() if n.arn else None, n.via) for n in found.needs]
    assert labels == [
        ("dynamodb:Query", "Orders/index/by-date", ""),
        ("dynamodb:GetItem", None, ""),  # a name built from the table's: not the table
        ("sqs:SendMessage", "Jobs", ""),
        # a customer key named by its alias: KMS is needed, on a key lambdalint cannot name
        ("kms:GenerateDataKey", None, "the KMS key of Jobs"),
        ("kms:Decrypt", None, "the KMS key of Jobs"),
        ("dynamodb:ListTables", "*", ""),
    ]
    assert found.facts_complete and not found.complete
    # DeleteItem is granted and never needed; logs:* is used in part, by Lambda itself
    assert [(g.entry, g.used) for g in found.unused] == [
        ("dynamodb:DeleteItem", ()),
        (
            "logs:*",
            (
                "logs:createloggroup",
                "logs:createlogstream",
                "logs:putlogevents",
                "logs:tagresource",
            ),
        ),
    ]
    assert found.granted is not None and "dynamodb:deleteitem" in found.granted


def test_sam_policy_templates_that_fit(tmp_path: Path) -> None:
    ctx = _project(
        tmp_path,
        SAM,
        {
            "app.py": "import os, boto3\n"
            "table = boto3.resource('dynamodb').Table(os.environ['TABLE'])\n"
            "def handler(event, context):\n"
            "    table.get_item(Key={})\n"
            "    boto3.client('cloudwatch').put_metric_data(Namespace='x', MetricData=[])\n"
        },
    )
    text = statements.needed_statements(ctx.project.functions[0], ctx, "sam")
    assert text == (
        "Policies:\n"
        "  - DynamoDBReadPolicy:\n"
        "      TableName: !Ref Orders\n"
        "  - CloudWatchPutMetricPolicy: {}\n"
    )


def test_no_template_grants_more_writes_than_needed(tmp_path: Path) -> None:
    ctx = _project(
        tmp_path,
        SAM,
        {
            "app.py": "import os, boto3\n"
            "table = boto3.resource('dynamodb').Table(os.environ['TABLE'])\n"
            "def handler(event, context):\n"
            "    table.put_item(Item={})\n"
            "    table.get_item(Key={})\n"
        },
    )
    text = statements.needed_statements(ctx.project.functions[0], ctx, "sam")
    assert "Policy:" not in text and "DynamoDB" not in text
    assert "- dynamodb:GetItem\n          - dynamodb:PutItem\n" in text


def test_values_that_cannot_be_followed_say_why() -> None:
    fn = _project_fn()
    values = privileges._Values(fn)
    arg = Argument("Bucket", (ValuePart("env", "MISSING"),), Pos())
    assert values.target("s3-bucket", ("name",), arg) == (
        None,
        "the environment variable MISSING is not set on the function",
    )
    arg = Argument("Bucket", (ValuePart("text", "b-"), ValuePart("unknown")), Pos())
    assert values.target("s3-bucket", ("name",), arg) == (None, "its value is computed at run time")
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders"
    arg = Argument("QueueUrl", (ValuePart("text", url),), Pos())
    arn, _ = values.target("sqs-queue", ("url",), arg)
    assert arn is not None and arn.text == "arn:{partition}:sqs:{region}:{account}:orders"


def _project_fn():  # type: ignore[no-untyped-def]
    from lambdalint.model import Function

    return Function("Fn", "sam", Loc(Path("t.yaml")))


def test_passed_roles_need_pass_role(tmp_path: Path) -> None:
    ctx = _project(
        tmp_path,
        SAM,
        {
            "app.py": "import os, boto3\n"
            "def handler(event, context):\n"
            "    boto3.client('lambda').create_function(\n"
            "        FunctionName='f', Role='arn:aws:iam::123456789012:role/exec', Code={})\n"
            "    boto3.client('scheduler').create_schedule(\n"
            "        Name='s', Target={'Arn': 'x', 'RoleArn': os.environ['ROLE']})\n"
            "    boto3.client('sts').assume_role(\n"
            "        RoleArn='arn:aws:iam::123456789012:role/other', RoleSessionName='s')\n"
        },
    )
    found = privileges.privileges(ctx.project.functions[0], ctx)
    passes = [
        (n.arn.text if n.arn else None, n.why) for n in found.needs if n.action == "iam:PassRole"
    ]
    # the role sts takes on is assumed, not passed
    assert passes == [
        ("arn:{partition}:iam::123456789012:role/exec", ""),
        (None, "the environment variable ROLE is not set on the function"),
    ]


def test_doubts_from_layers_and_services_that_use_the_callers_permissions(
    tmp_path: Path,
) -> None:
    template = SAM.replace(
        "      Policies:",
        "      Layers:\n"
        "        - arn:aws:lambda:eu-west-1:123456789012:layer:agent:3\n"
        "        - arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3:7\n"
        "        - !Sub arn:aws:lambda:${AWS::Region}:580247275435:layer:LambdaInsightsExtension:14\n"
        "        - arn:aws:lambda:eu-west-1:901920570463:layer:aws-otel-python-amd64-ver-1-25-0:1\n"
        "      Policies:",
    )
    ctx = _project(
        tmp_path,
        template,
        {
            "app.py": "import boto3\n"
            "def handler(event, context):\n"
            "    boto3.client('textract').detect_document_text(Document={})\n"
        },
    )
    assert privileges.doubts(ctx.project.functions[0], ctx) == [
        "its layer arn:aws:lambda:eu-west-1:123456789012:layer:agent:3 may run an extension "
        "that uses its role",
        "line 3: textract acts on other resources with the caller's permissions",
    ]


def test_broker_event_sources_use_the_role(tmp_path: Path) -> None:
    template = SAM.replace(
        "      Policies:",
        "      Events:\n"
        "        Broker:\n"
        "          Type: MQ\n"
        "          Properties:\n"
        "            Broker: arn:aws:mq:eu-west-1:123456789012:broker:b:b-1\n"
        "            Queues: [q]\n"
        "            SourceAccessConfigurations:\n"
        "              - Type: BASIC_AUTH\n"
        "                URI: arn:aws:secretsmanager:eu-west-1:123456789012:secret:mq\n"
        "      Policies:",
    ).replace("dynamodb:DeleteItem, logs:*", "secretsmanager:GetSecretValue, mq:DescribeBroker")
    ctx = _project(
        tmp_path,
        template,
        {"app.py": "def handler(event, context):\n    return event\n"},
    )
    fn = ctx.project.functions[0]
    assert [e.kind for e in fn.events] == ["mq"]
    found = privileges.privileges(fn, ctx)
    assert [g.entry for g in found.unused] == ["dynamodb:GetItem", "dynamodb:Query"]


def test_stream_on_failure_destinations_use_the_role(tmp_path: Path) -> None:
    events = (
        "      Events:\n"
        "        Stream:\n"
        "          Type: DynamoDB\n"
        "          Properties:\n"
        "            Stream: !GetAtt Orders.StreamArn\n"
        "            StartingPosition: LATEST\n"
        "%s"
        "      Policies:"
    )
    failure = (
        "            DestinationConfig:\n"
        "              OnFailure:\n"
        "                Destination: !GetAtt Jobs.Arn\n"
    )
    unused = []
    for extra in (failure, ""):
        template = SAM.replace("      Policies:", events % extra).replace(
            "dynamodb:DeleteItem, logs:*", "sqs:SendMessage"
        )
        ctx = _project(tmp_path, template, {"app.py": "def handler(event, context):\n    pass\n"})
        found = privileges.privileges(ctx.project.functions[0], ctx)
        unused.append([g.entry for g in found.unused])
    # Lambda sends the failed batches to the queue with the function's role
    assert unused == [
        ["dynamodb:GetItem", "dynamodb:Query"],
        ["dynamodb:GetItem", "dynamodb:Query", "sqs:SendMessage"],
    ]


def test_terraform_and_serverless_mappings_with_an_on_failure_destination(tmp_path: Path) -> None:
    tf = tmp_path / "tf"
    tf.mkdir()
    (tf / "main.tf").write_text(
        'resource "aws_lambda_function" "f" {\n'
        '  function_name = "f"\n  handler = "app.handler"\n  runtime = "python3.12"\n'
        '  role = "arn:aws:iam::123456789012:role/r"\n  filename = "f.zip"\n}\n'
        'resource "aws_kinesis_stream" "s" {\n  name = "s"\n}\n'
        'resource "aws_lambda_event_source_mapping" "m" {\n'
        "  event_source_arn = aws_kinesis_stream.s.arn\n"
        "  function_name = aws_lambda_function.f.arn\n"
        "  destination_config {\n    on_failure {\n"
        '      destination_arn = "arn:aws:sqs:eu-west-1:123456789012:dlq"\n    }\n  }\n}\n',
        encoding="utf-8",
    )
    sls = tmp_path / "sls"
    sls.mkdir()
    (sls / "serverless.yml").write_text(
        "service: s\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n"
        "  f:\n    handler: app.handler\n    events:\n"
        "      - stream:\n          arn: arn:aws:kinesis:eu-west-1:123456789012:stream/s\n"
        "          destinations:\n            onFailure: arn:aws:sqs:eu-west-1:123456789012:dlq\n"
        "      - stream:\n          arn: arn:aws:kinesis:eu-west-1:123456789012:stream/t\n",
        encoding="utf-8",
    )
    settings = Settings()
    found = []
    for path in (tf, sls):
        project, _ = load([path], settings, Reader.for_paths(settings.limits, [path]))
        found.append([(e.kind, e.on_failure) for e in project.functions[0].events])
    assert found == [[("kinesis", True)], [("kinesis", True), ("kinesis", False)]]


def test_python_batch_writer_writes_are_its_batch_write_item() -> None:
    src = analyze(
        Path("app.py"),
        "import os, boto3\n"
        "table = boto3.resource('dynamodb').Table(os.environ['TABLE'])\n"
        "def handler(event, context, repo):\n"
        "    with table.batch_writer() as batch:\n"
        "        batch.put_item(Item={})\n"
        "    writer = table.batch_writer()\n"
        "    writer.delete_item(Key={})\n"
        "    with repo.batch_writer() as other:\n"
        "        other.put_item(Item={})\n",
    )
    assert [(c.operation, c.pos.line) for c in src.sdk_calls] == [
        ("BatchWriteItem", 4),
        ("BatchWriteItem", 6),
    ]
    # a writer of something that is not a followed Table stays in doubt
    assert [(d.pos.line, d.why) for d in src.sdk_doubts] == [
        (8, "batch_writer may be an SDK call on a value that is not followed"),
        (9, "put_item may be an SDK call on a value that is not followed"),
    ]


def test_own_modules_that_make_no_aws_call_are_followed(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    ctx = _project(
        tmp_path,
        SAM,
        {
            "app.py": "import os, boto3\n"
            "import schemas\n"
            "import lib.shapes\n"
            "import store\n"
            "import client_maker\n"
            "import unseen\n"
            "table = boto3.resource('dynamodb').Table(os.environ['TABLE'])\n"
            "def handler(event, context):\n"
            "    store.save(table, schemas.ORDER)\n",
            # plain data, and a module that imports only plain data
            "schemas.py": "import json\nORDER = {'type': 'object'}\n",
            "lib/shapes.py": "from schemas import ORDER\nSHAPES = [ORDER]\n",
            # writes with the table the handler passes it
            "store.py": "def save(table, item):\n    table.put_item(Item=item)\n",
            # makes a client of its own
            "client_maker.py": "import boto3\nsqs = boto3.client('sqs')\n",
        },
    )
    doubts = privileges.doubts(ctx.project.functions[0], ctx)
    assert doubts == [
        "it imports store, whose AWS calls (if any) are not seen",
        "it imports client_maker, whose AWS calls (if any) are not seen",
        "it imports unseen, whose AWS calls (if any) are not seen",
    ]


def test_node_modules_of_the_function_that_make_no_aws_call(tmp_path: Path) -> None:
    pytest.importorskip("tree_sitter_javascript")
    template = SAM.replace("python3.12", "nodejs20.x").replace("app.handler", "index.handler")
    ctx = _project(
        tmp_path,
        template,
        {
            "index.js": "const { S3Client } = require('@aws-sdk/client-s3');\n"
            "const format = require('./format');\n"
            "const db = require('./db');\n"
            "const s3 = new S3Client({});\n"
            "exports.handler = async (event) => format.pretty(await db.load(event.id));\n",
            "format.js": "exports.pretty = (x) => JSON.stringify(x, null, 2);\n",
            "db.js": "const { GetItemCommand } = require('@aws-sdk/client-dynamodb');\n"
            "exports.load = (client, id) => client.send(new GetItemCommand({Key: {id}}));\n",
        },
    )
    assert privileges.doubts(ctx.project.functions[0], ctx) == [
        "it imports ./db, whose AWS calls (if any) are not seen"
    ]


# ---------------------------------------------------------------------------- one argument fact


def test_other_parameters_are_recorded_when_something_of_them_is_known() -> None:
    put, send = _python(
        "import os, boto3\n"
        "s3 = boto3.client('s3')\n"
        "def handler(event, context):\n"
        "    s3.put_object(Bucket='b', Key=event['k'], Body=event['b'], ContentType='text/csv')\n"
        "    boto3.client('sqs').send_message(QueueUrl=os.environ['Q'], MessageBody=f'{event}!')\n"
    )
    # a parameter that names the resource is there whatever its value; another one when
    # something of its value is known
    assert _args(put, every=True) == {
        "Bucket": [(("text", "b"),)],
        "Key": [(("unknown", ""),)],
        "ContentType": [(("text", "text/csv"),)],
    }
    assert _args(send, every=True) == {
        "QueueUrl": [(("env", "Q"),)],
        "MessageBody": [(("unknown", ""), ("text", "!"))],
    }
    (publish,) = _node(
        'import { SNSClient, PublishCommand } from "@aws-sdk/client-sns";\n'
        "const sns = new SNSClient({});\n"
        "export const handler = async (event) => {\n"
        "  await sns.send(new PublishCommand({ TopicArn: process.env.T, Message: `id ${event.id}`,"
        " Subject: event.s }));\n"
        "};\n"
    )
    assert _args(publish, every=True) == {
        "TopicArn": [(("env", "T"),)],
        "Message": [(("text", "id "), ("unknown", ""))],
    }


def test_argument_environment_prefix_and_suffix() -> None:
    def arg(*parts: tuple[str, str]) -> Argument:
        return Argument("Key", tuple(ValuePart(k, t) for k, t in parts), Pos())  # type: ignore[arg-type]

    env = arg(("env", "BUCKET"))
    assert (env.env, env.literal, env.prefix, env.suffix) == ("BUCKET", None, "", "")
    built = arg(("text", "thumbs/"), ("unknown", ""), ("text", ".png"))
    assert (built.env, built.literal, built.prefix, built.suffix) == (
        None,
        None,
        "thumbs/",
        ".png",
    )
    whole = arg(("text", "a/b.png"))
    assert (whole.env, whole.literal, whole.prefix, whole.suffix) == (
        None,
        "a/b.png",
        "a/b.png",
        "a/b.png",
    )
    # an environment variable inside a longer value is not the value
    assert arg(("env", "STAGE"), ("text", "-uploads")).env is None


def test_a_resource_bound_twice_with_other_identifiers_is_still_followed() -> None:
    (put,) = _python(
        "import os, boto3\n"
        "s3 = boto3.resource('s3')\n"
        "if os.environ.get('STAGE') == 'prod':\n"
        "    bucket = s3.Bucket('prod-uploads')\n"
        "else:\n"
        "    bucket = s3.Bucket('uploads')\n"
        "def handler(event, context):\n"
        "    bucket.put_object(Key='x', Body=b'')\n"
    )
    assert (put.operation, _args(put)) == (
        "PutObject",
        {"Bucket": [(("unknown", ""),)], "Key": [(("text", "x"),)]},
    )


def test_imports_that_do_not_load_when_lambda_runs_the_code() -> None:
    src = analyze(
        Path("app.py"),
        "import json\n"
        "try:\n"
        "    import ujson\n"
        "except ImportError:\n"
        "    ujson = None\n"
        "if __name__ == '__main__':\n"
        "    import local_runner\n",
    )
    assert [(i.name, i.optional, i.main_only) for i in src.imports] == [
        ("json", False, False),
        ("ujson", True, False),
        ("local_runner", True, True),
    ]
    pytest.importorskip("tree_sitter_typescript")
    ts = node.analyze(
        Path("index.ts"),
        'import type { Context } from "aws-lambda";\nimport { z } from "zod";\n',
    )
    assert [(i.name, i.optional) for i in ts.imports] == [("aws-lambda", True), ("zod", False)]


def test_an_import_under_the_main_guard_leaves_no_doubt(tmp_path: Path) -> None:
    ctx = _project(
        tmp_path,
        SAM,
        {
            "app.py": "import os, boto3\n"
            "table = boto3.resource('dynamodb').Table(os.environ['TABLE'])\n"
            "def handler(event, context):\n"
            "    table.put_item(Item={})\n"
            "if __name__ == '__main__':\n"
            "    import local_runner\n"
            "    local_runner.run(handler)\n",
        },
    )
    assert privileges.doubts(ctx.project.functions[0], ctx) == []


def test_text_patterns_match_as_the_general_matcher_does() -> None:
    """The regular-expression path for text against `*`/`?` patterns agrees with the general
    matcher on every pattern and value of a small alphabet."""
    import itertools
    import random

    from lambdalint.aws import arns

    rng = random.Random(7)
    alphabet = ["a", "b", "/", arns.GLOB, arns.ONE]
    patterns = [tuple(p) for n in range(1, 5) for p in itertools.product(alphabet, repeat=n)]
    for pattern in rng.sample(patterns, 300):
        for n in range(0, 5):
            for value in itertools.product("ab/", repeat=n):
                assert arns.covers(pattern, value) == arns._covers(pattern, tuple(value)), (
                    pattern,
                    value,
                )


def test_a_pattern_equal_to_the_value_matches_as_the_general_matcher_says() -> None:
    from lambdalint.aws import arns

    uploads = arns.Token("resource", "Uploads")
    region = arns.Token("pseudo", "region")
    for parts in (
        (*"arn:aws:s3:::", uploads, *"/*"),
        (*"arn:aws:sqs:", region, *":1:q"),
        (*"arn:aws:s3:::b/", arns.GLOB),
    ):
        assert arns.covers(parts, parts) == arns._covers(tuple(parts), tuple(parts))
