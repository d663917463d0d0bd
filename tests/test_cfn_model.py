"""The SAM/CloudFormation model stages: roles and statements, log groups, events, permissions,
URLs and failure handling, as the configuration rules read them."""

from __future__ import annotations

import json
import random
import textwrap
from pathlib import Path

from conftest import lint

from lambdalint.loaders import cloudformation
from lambdalint.loaders.documents import LoadSession
from lambdalint.reading import Reader
from lambdalint.model import UNKNOWN, Function

SAM = 'AWSTemplateFormatVersion: "2010-09-09"\nTransform: AWS::Serverless-2016-10-31\n'
CFN = 'AWSTemplateFormatVersion: "2010-09-09"\n'


def load(tmp_path: Path, text: str) -> dict[str, Function]:
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(text))
    functions, _ = cloudformation.load_file(path, path.read_text(), LoadSession(Reader()))
    return {fn.name: fn for fn in functions}


FN = """\
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.13
"""


def test_sam_policy_templates_expand_with_the_users_parameters(tmp_path: Path) -> None:
    fns = load(
        tmp_path,
        SAM
        + f"""\
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
{FN}      Policies:
        - S3CrudPolicy:
            BucketName: !Ref Bucket
        - AWSSecretsManagerGetSecretValuePolicy:
            SecretArn: "*"
  Bucket:
    Type: AWS::S3::Bucket
""",
    )
    role = fns["Fn"].role
    assert role is not None and role.known and not role.incomplete
    s3, secret = role.statements
    assert s3.source == "SAM policy template S3CrudPolicy"
    assert "s3:PutObject" in s3.actions
    assert s3.resources == [
        "arn:${AWS::Partition}:s3:::${Bucket}",
        "arn:${AWS::Partition}:s3:::${Bucket}/*",
    ]
    assert s3.loc.pos.line == 11  # the `- S3CrudPolicy:` entry
    assert secret.resources == ["*"]  # what the user passed in is what the template grants
    assert [m.name for m in role.managed_policies] == ["AWSLambdaBasicExecutionRole"]


def test_unknown_templates_make_the_role_incomplete(tmp_path: Path) -> None:
    template = (
        SAM
        + f"""\
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
{FN}      Policies:
        - SQSPollerPolicy:
            QueueName: jobs
"""
    )
    assert not load(tmp_path, template)["Fn"].role.incomplete  # type: ignore[union-attr]
    unknown = load(tmp_path, template.replace("SQSPollerPolicy", "NoSuchPolicyTemplate"))["Fn"].role
    assert unknown is not None and unknown.incomplete


def test_role_resource_with_attached_policies(tmp_path: Path) -> None:
    fns = load(
        tmp_path,
        CFN
        + """\
Parameters:
  OtherRoles:
    Type: CommaDelimitedList
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Handler: app.handler
      Runtime: python3.13
      Role: !GetAtt Role.Arn
      Code: {S3Bucket: b, S3Key: k}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
        - !Ref Managed
      Policies:
        - PolicyName: inline
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: sqs:SendMessage
                Resource: !GetAtt Queue.Arn
  Managed:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement: [{Effect: Allow, Action: s3:GetObject, Resource: "*"}]
  Attached:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: attached
      Roles: [!Ref Role]
      PolicyDocument:
        Statement: [{Effect: Allow, Action: sns:Publish, Resource: !Ref Topic}]
  Elsewhere:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: elsewhere
      Roles: !Ref OtherRoles
      PolicyDocument:
        Statement: [{Effect: Allow, Action: "*", Resource: "*"}]
  Queue: {Type: AWS::SQS::Queue}
  Topic: {Type: AWS::SNS::Topic}
""",
    )
    role = fns["Fn"].role
    assert role is not None and role.known and role.name == "Role"
    actions = sorted(a for s in role.statements for a in s.actions)
    assert actions == ["s3:GetObject", "sns:Publish", "sqs:SendMessage"]
    assert [m.name for m in role.managed_policies] == [
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    ]
    inline = next(s for s in role.statements if s.actions == ["sqs:SendMessage"])
    assert inline.resources == ["${Queue.Arn}"]
    assert inline.action_loc is not None and inline.action_loc.pos.line == 25
    # a policy whose Roles cannot be resolved may attach to this role
    assert role.incomplete


def test_external_roles_and_customer_managed_policies(tmp_path: Path) -> None:
    fns = load(
        tmp_path,
        SAM
        + f"""\
Resources:
  External:
    Type: AWS::Serverless::Function
    Properties:
{FN}      Role: arn:aws:iam::123456789012:role/shared
  Customer:
    Type: AWS::Serverless::Function
    Properties:
{FN}      Policies:
        - arn:aws:iam::123456789012:policy/team-policy
  Connected:
    Type: AWS::Serverless::Function
    Properties:
{FN}  Conn:
    Type: AWS::Serverless::Connector
    Properties:
      Source: {{Id: Connected}}
      Destination: {{Id: Table}}
      Permissions: [Read]
  Table: {{Type: AWS::Serverless::SimpleTable}}
""",
    )
    assert fns["External"].role is not None and not fns["External"].role.known
    assert fns["Customer"].role is not None and fns["Customer"].role.incomplete
    assert fns["Connected"].role is not None and fns["Connected"].role.incomplete


def test_log_groups_queues_and_integrations(tmp_path: Path) -> None:
    fns = load(
        tmp_path,
        SAM
        + f"""\
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
{FN}      Timeout: 20
      Events:
        Jobs:
          Type: SQS
          Properties: {{Queue: !GetAtt Queue.Arn}}
        Get:
          Type: Api
          Properties: {{Path: /, Method: get, TimeoutInMillis: 5000}}
        Upload:
          Type: S3
          Properties: {{Bucket: !Ref Bucket, Events: "s3:ObjectCreated:*"}}
      DeadLetterQueue: {{Type: SQS, TargetArn: !GetAtt Dlq.Arn}}
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Join ["", ["/aws/lambda/", !Ref Fn]]
      RetentionInDays: "14"
  Queue: {{Type: AWS::SQS::Queue}}
  Dlq: {{Type: AWS::SQS::Queue}}
  Bucket: {{Type: AWS::S3::Bucket}}
""",
    )
    fn = fns["Fn"]
    assert [(g.name, g.retention_days) for g in fn.log_groups] == [("/aws/lambda/${Fn}", 14)]
    jobs, get, upload = fn.events
    assert jobs.kind == "sqs" and jobs.queue is not None and jobs.queue.visibility_timeout == 30
    assert get.kind == "api" and get.integration_timeout == 5
    assert upload.kind == "s3" and upload.is_async
    assert fn.dead_letter is not None and fn.dead_letter.value == "${Dlq.Arn}"


def test_permissions_urls_and_invoke_configs(tmp_path: Path) -> None:
    fns = load(
        tmp_path,
        CFN
        + """\
Parameters:
  Target:
    Type: String
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: orders
      Handler: app.handler
      Runtime: python3.13
      Role: arn:aws:iam::123456789012:role/x
      Code: {S3Bucket: b, S3Key: k}
  Other:
    Type: AWS::Lambda::Function
    Properties:
      Handler: app.handler
      Runtime: python3.13
      Role: arn:aws:iam::123456789012:role/x
      Code: {S3Bucket: b, S3Key: k}
  Perm:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: arn:aws:lambda:eu-west-1:123456789012:function:orders:live
      Action: lambda:InvokeFunction
      Principal: !Sub "s3.${AWS::URLSuffix}"
      SourceAccount: !Ref AWS::AccountId
  Url:
    Type: AWS::Lambda::Url
    Properties:
      TargetFunctionArn: !Ref Fn
      AuthType: AWS_IAM
  Config:
    Type: AWS::Lambda::EventInvokeConfig
    Properties:
      FunctionName: !Ref Target
      Qualifier: $LATEST
""",
    )
    fn = fns["Fn"]
    (perm,) = fn.permissions
    assert perm.principal == "s3.${AWS::URLSuffix}" and perm.source_account == "${AWS::AccountId}"
    assert perm.source_arn is None and perm.loc.pos.line == 26
    assert fn.url is not None and fn.url.auth_type == "AWS_IAM"
    # an invoke config for a function that cannot be told apart may be anyone's
    assert fns["Other"].on_failure is not None and fns["Other"].on_failure.value is UNKNOWN
    assert fns["Other"].permissions == []


def test_severity_per_finding() -> None:
    root = Path(__file__).resolve().parent.parent / "fixtures"
    sqs = lint(root / "LL503-sqs-visibility-timeout" / "sam-shorter-than-timeout", select=["LL503"])
    assert sorted(f.severity for f in sqs.findings) == ["error", "warning"]
    runtime = lint(
        root / "LL506-runtime-deprecated" / "deprecated-and-blocked",
        select=["LL506"],
        **{"runtime-deprecations": {"as-of": "2026-01-01"}},
    )
    assert {f.loc.pos.line: f.severity for f in runtime.findings} == {5: "warning", 16: "error"}


_TYPES = [
    "AWS::Serverless::Function", "AWS::Lambda::Function", "AWS::IAM::Role", "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy", "AWS::Logs::LogGroup", "AWS::Lambda::Permission", "AWS::Lambda::Url",
    "AWS::Lambda::EventSourceMapping", "AWS::Lambda::EventInvokeConfig", "AWS::ApiGateway::Method",
    "AWS::ApiGatewayV2::Integration", "AWS::Serverless::Api", "AWS::S3::Bucket", "AWS::SNS::Topic",
    "AWS::Events::Rule", "AWS::SQS::Queue", "AWS::Serverless::Connector",
]  # fmt: skip
_KEYS = [
    "Role", "Policies", "Events", "Type", "Properties", "Queue", "FunctionName", "Principal",
    "Statement", "Action", "Resource", "NotAction", "ManagedPolicyArns", "Roles", "PolicyDocument",
    "LogGroupName", "RetentionInDays", "LoggingConfig", "LogGroup", "DeadLetterQueue",
    "EventInvokeConfig", "DestinationConfig", "OnFailure", "FunctionUrlConfig", "AuthType",
    "TargetFunctionArn", "EventSourceArn", "Integration", "Uri", "DefinitionBody",
    "x-amazon-apigateway-integration", "uri", "Targets", "Arn", "VisibilityTimeout", "S3CrudPolicy",
    "Ref", "Fn::GetAtt", "Fn::Sub", "Fn::If", "Fn::Join", "Environment", "Variables",
]  # fmt: skip
_LEAVES = [
    None,
    0,
    -5,
    3.5,
    True,
    "",
    "*",
    "Fn",
    "Role",
    "s3:*",
    "NONE",
    "AWS::NoValue",
    "${Fn.Arn}",
    [],
    {},
]


def _value(rng: random.Random, depth: int) -> object:
    r = rng.random()
    if depth > 4 or r < 0.3:
        return rng.choice(_LEAVES)
    if r < 0.5:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if r < 0.6:
        return {rng.choice(["Ref", "Fn::GetAtt", "Fn::Sub", "Fn::If"]): _value(rng, depth + 1)}
    return {rng.choice(_KEYS): _value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def test_malformed_templates_never_raise(tmp_path: Path) -> None:
    """Any shape where a mapping, list or string was expected: the model stages stay quiet."""
    rng = random.Random(20261122)
    path = tmp_path / "template.json"
    for _ in range(300):
        resources = {
            name: {"Type": rng.choice(_TYPES + [{"Ref": "X"}]), "Properties": _value(rng, 0)}
            for name in ("Fn", "Role", "Q", "X")
        }
        text = json.dumps({"Transform": "AWS::Serverless-2016-10-31", "Resources": resources})
        cloudformation.load_file(path, text, LoadSession(Reader()))


def _load_json(tmp_path: Path, text: str) -> tuple[list[Function], list[str]]:
    path = tmp_path / "data.json"
    path.write_text(text)
    functions, diags = cloudformation.load_file(path, text, LoadSession(Reader()))
    return functions, [d.message for d in diags]


LAMBDA_JSON = {
    "Type": "AWS::Lambda::Function",
    "Properties": {"Handler": "app.handler", "Runtime": "python3.13", "Code": {"ZipFile": "x"}},
}


def test_json_that_names_resources_but_is_no_template_is_not_loaded(tmp_path: Path) -> None:
    """An SDK's service model names `Resources` and is no template: nothing from it."""
    model = {"metadata": {"Resources": "x"}, "shapes": {"Resources": {"type": "list"}}}
    assert _load_json(tmp_path, json.dumps(model)) == ([], [])
    # a mapping named Resources whose members have no CloudFormation type
    assert _load_json(tmp_path, json.dumps({"Resources": {"a": {"Type": "x"}}})) == ([], [])


def test_json_template_marks_spelled_with_escapes_are_still_seen(tmp_path: Path) -> None:
    text = json.dumps({"Resources": {"Fn": LAMBDA_JSON}}).replace(
        '"Type": "AWS::', '"Typ\\u0065": "AWS\\u003a:'
    )
    assert "AWS::" not in text
    functions, _ = _load_json(tmp_path, text)
    assert [f.name for f in functions] == ["Fn"]


def test_broken_json_naming_resources_is_reported_as_before(tmp_path: Path) -> None:
    """json.loads decides that it is no template only when it reads the file: a file it
    cannot read (syntax, NaN) gets the position-keeping parser's error."""
    for text in ('{"Resources": {"a": 1}', '{"Resources": {"a": NaN}}', '{"Resources": }'):
        functions, messages = _load_json(tmp_path, text)
        assert functions == [] and len(messages) == 1, text


def test_json_foreach_templates_are_parsed_with_positions(tmp_path: Path) -> None:
    """`Fn::ForEach` makes resources from its loops: such a file is always parsed."""
    loop = ["N", ["A", "B"], {"Fn${N}": LAMBDA_JSON}]
    text = json.dumps({"Transform": "AWS::LanguageExtensions", "Resources": {"Fn::ForEach::F": loop}})
    functions, _ = _load_json(tmp_path, text)
    assert sorted(f.name for f in functions) == ["FnA", "FnB"]
