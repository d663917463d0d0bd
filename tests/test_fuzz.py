"""Property-based fuzzing: random and mutated SAM/CloudFormation templates (YAML with long and
short-form tags, JSON), Terraform JSON, serverless.yml, and Python and JavaScript handler
sources. Whatever the input: no exception escapes and no internal error is reported, every
output format stays valid (JSON; SARIF against the official schema), the exit code is 0 or 1.

CI runs a bounded number of examples with a fixed seed (the `lambdalint-ci` profile, about
half a minute). `LAMBDALINT_FUZZ=long` runs many more with a random seed; hypothesis prints
the seed and the smallest failing input it finds.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdalint.cli import main
from lambdalint.settings import Settings
from lambdalint import app
from lambdalint.engine import Result
from lambdalint import reading
from lambdalint.reading.json_reader import parse_json
from lambdalint.reading.positions import LoadError
from lambdalint.reading.yaml_reader import parse_yaml
from lambdalint.reporters import render

LONG = os.environ.get("LAMBDALINT_FUZZ", "").lower() == "long"
_COMMON = {
    "deadline": None,
    "database": None,
    "print_blob": True,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
}
settings.register_profile("lambdalint-ci", max_examples=50, derandomize=True, **_COMMON)
settings.register_profile("lambdalint-long", max_examples=1500, **_COMMON)
FUZZ = settings.get_profile("lambdalint-long" if LONG else "lambdalint-ci")
# the parsers alone are cheap: more examples for the same time
FUZZ_PARSERS = settings(FUZZ, max_examples=FUZZ.max_examples * 8)

SARIF = (ROOT / "lambdalint" / "reporters" / "sarif_format.py").exists()

# ---------------------------------------------------------------- values

NAMES = [
    "Fn",
    "Fn2",
    "Role",
    "Queue",
    "Logs",
    "Perm",
    "Url",
    "Topic",
    "Policy",
    "Param",
    "Cond",
    "Map",
]
STRINGS = [
    "app.handler",
    "index.handler",
    "app.lambda_handler",
    "pkg.mod.fn",
    "hello_world/app.handler",
    "app",
    "",
    " ",
    "../x.handler",
    "/etc/passwd.handler",
    "app.\x1b[31m",
    "a.b\n::error::x",
    "python3.12",
    "python3.8",
    "nodejs20.x",
    "nodejs22.x",
    "provided.al2",
    "java21",
    "src/",
    ".",
    "code.zip",
    "s3://bucket/key.zip",
    "Image",
    "Zip",
    "*",
    "s3:*",
    "iam:PassRole",
    "logs:*",
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "AmazonS3FullAccess",
    "AWSLambdaBasicExecutionRole",
    "arn:aws:sqs:us-east-1:123456789012:q",
    "arn:aws:s3:::b/*",
    "lambda.amazonaws.com",
    "NONE",
    "AWS_IAM",
    "${AWS::Region}",
    "${Fn}",
    "${Fn.Arn}",
    "${!Literal}",
    "${Param}",
    "/aws/lambda/${Fn}",
    "${",
    "{{resolve:secretsmanager:s}}",
    "{{resolve:ssm:/p}}",
    "AKIAIOSFODNN7EXAMPLE",
    "ghp_0123456789abcdefghijABCDEFGHIJ012345",
    "hunter2",
    "0",
    "-1",
    "900",
    "1e400",
    "0x10",
    "yes",
    "~",
    "null",
    "true",
    "Active",
    "PassThrough",
    "Api",
    "HttpApi",
    "SQS",
    "S3",
    "SNS",
    "Schedule",
    "EventBridgeRule",
    "Kinesis",
    "DynamoDB",
    "esbuild",
    "makefile",
    "\u202eevil",
    "日本語",
    "🙂",
]
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(STRINGS),
    _TEXT,
)
INTRINSICS = [
    "Ref",
    "Fn::Sub",
    "Fn::GetAtt",
    "Fn::Join",
    "Fn::If",
    "Fn::Select",
    "Fn::FindInMap",
    "Fn::ImportValue",
    "Fn::Base64",
    "Fn::Split",
    "Condition",
    "Fn::Equals",
    "Fn::Not",
    "Fn::And",
    "Fn::Or",
    "Fn::GetAZs",
    "Fn::Cidr",
    "Fn::Transform",
    "Fn::Length",
]


def _intrinsic(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    name = st.one_of(st.sampled_from(NAMES), st.sampled_from(STRINGS))
    return st.one_of(
        st.builds(lambda n: {"Ref": n}, name),
        st.builds(lambda t: {"Fn::Sub": t}, st.sampled_from(STRINGS)),
        st.builds(
            lambda t, v: {"Fn::Sub": [t, v]},
            st.sampled_from(STRINGS),
            st.dictionaries(name, children, max_size=2),
        ),
        st.builds(
            lambda n, a: {"Fn::GetAtt": [n, a]}, name, st.sampled_from(["Arn", "QueueName", "x"])
        ),
        st.builds(lambda n: {"Fn::GetAtt": n}, st.sampled_from(["Fn.Arn", "Role.Arn", "x", ""])),
        st.builds(
            lambda d, p: {"Fn::Join": [d, p]},
            st.sampled_from(["", ":", "/"]),
            st.lists(children, max_size=4),
        ),
        st.builds(lambda c, a, b: {"Fn::If": [c, a, b]}, name, children, children),
        st.builds(lambda i, s: {"Fn::Select": [i, s]}, children, st.lists(children, max_size=3)),
        st.builds(lambda k: {"Fn::FindInMap": k}, st.lists(children, max_size=4)),
        st.builds(lambda n, v: {n: v}, st.sampled_from(INTRINSICS), children),
    )


VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(
                st.sampled_from(NAMES + ["Variables", "Statement", "Type", "Properties"]), _TEXT
            ),
            children,
            max_size=4,
        ),
        _intrinsic(children),
    ),
    max_leaves=12,
)


def _props(known: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Any subset of the known properties, each most often plausible, sometimes arbitrary."""
    return st.fixed_dictionaries(
        {}, optional={k: st.one_of(v, v, v, VALUES) for k, v in known.items()}
    )


def _s(*options: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from(options)


STATEMENT = _props(
    {
        "Effect": _s("Allow", "Deny", "allow"),
        "Action": st.one_of(
            st.sampled_from(STRINGS), st.lists(st.sampled_from(STRINGS), max_size=4)
        ),
        "NotAction": st.sampled_from(STRINGS),
        "Resource": st.one_of(st.sampled_from(STRINGS), st.lists(VALUES, max_size=3)),
        "Principal": st.one_of(
            _s("*"), st.builds(lambda s: {"Service": s}, st.sampled_from(STRINGS))
        ),
        "Condition": VALUES,
    }
)
POLICY_DOCUMENT = _props(
    {
        "Version": _s("2012-10-17"),
        "Statement": st.one_of(STATEMENT, st.lists(STATEMENT, max_size=3)),
    }
)
EVENT = _props(
    {
        "Type": st.sampled_from(STRINGS),
        "Properties": _props(
            {
                "Queue": VALUES,
                "Path": _s("/x"),
                "Method": _s("get"),
                "Schedule": _s("rate(1 minute)"),
                "Bucket": VALUES,
                "Topic": VALUES,
                "Stream": VALUES,
                "Events": VALUES,
            }
        ),
    }
)
FUNCTION_PROPS = {
    "Runtime": st.sampled_from(STRINGS),
    "Handler": st.sampled_from(STRINGS),
    "CodeUri": st.one_of(st.sampled_from(STRINGS), _props({"Bucket": _s("b"), "Key": _s("k")})),
    "InlineCode": _s(
        "def handler(event, context):\n    return 1\n",
        "exports.handler = async () => 1;",
        "x = (",
        "",
    ),
    "Code": st.one_of(
        st.sampled_from(STRINGS),
        _props(
            {
                "ZipFile": _s("def handler(e, c): pass", "x = ("),
                "S3Bucket": _s("b"),
                "ImageUri": _s("i"),
            }
        ),
    ),
    "Timeout": st.one_of(st.integers(-5, 1000), st.sampled_from(["30", "x", "1e400"])),
    "MemorySize": st.one_of(st.integers(0, 20000), st.sampled_from(["128", "lots"])),
    "Environment": _props(
        {
            "Variables": st.dictionaries(
                st.one_of(_s("PASSWORD", "API_KEY", "TABLE", "SECRET_ARN", "X"), _TEXT),
                VALUES,
                max_size=4,
            )
        }
    ),
    "Role": VALUES,
    "Policies": st.one_of(
        st.sampled_from(STRINGS),
        st.lists(
            st.one_of(
                st.sampled_from(STRINGS),
                POLICY_DOCUMENT,
                st.builds(lambda v: {"SQSPollerPolicy": v}, VALUES),
            ),
            max_size=3,
        ),
    ),
    "Events": st.dictionaries(st.sampled_from(NAMES), EVENT, max_size=3),
    "FunctionUrlConfig": _props({"AuthType": _s("NONE", "AWS_IAM")}),
    "LoggingConfig": _props({"LogGroup": VALUES}),
    "Layers": st.lists(VALUES, max_size=2),
    "Architectures": st.lists(_s("arm64", "x86_64"), max_size=2),
    "Tags": st.one_of(
        st.dictionaries(_TEXT, VALUES, max_size=3),
        st.lists(_props({"Key": _TEXT, "Value": VALUES}), max_size=2),
    ),
    "PackageType": _s("Zip", "Image"),
    "ReservedConcurrentExecutions": st.integers(-1, 1000),
    "Tracing": _s("Active", "PassThrough"),
    "DeadLetterQueue": _props({"Type": _s("SQS"), "TargetArn": VALUES}),
    "FunctionName": VALUES,
}
RESOURCE_PROPS = {
    "AWS::Serverless::Function": FUNCTION_PROPS,
    "AWS::Lambda::Function": FUNCTION_PROPS,
    "AWS::IAM::Role": {
        "AssumeRolePolicyDocument": POLICY_DOCUMENT,
        "ManagedPolicyArns": st.lists(VALUES, max_size=2),
        "Policies": st.lists(
            _props({"PolicyName": _s("p"), "PolicyDocument": POLICY_DOCUMENT}), max_size=2
        ),
    },
    "AWS::IAM::Policy": {"PolicyDocument": POLICY_DOCUMENT, "Roles": st.lists(VALUES, max_size=2)},
    "AWS::IAM::ManagedPolicy": {
        "PolicyDocument": POLICY_DOCUMENT,
        "Roles": st.lists(VALUES, max_size=2),
    },
    "AWS::Logs::LogGroup": {
        "LogGroupName": VALUES,
        "RetentionInDays": st.one_of(st.integers(-1, 4000), VALUES),
    },
    "AWS::Lambda::Permission": {
        "FunctionName": VALUES,
        "Principal": VALUES,
        "SourceArn": VALUES,
        "Action": VALUES,
        "FunctionUrlAuthType": _s("NONE"),
    },
    "AWS::Lambda::Url": {"TargetFunctionArn": VALUES, "AuthType": _s("NONE", "AWS_IAM")},
    "AWS::Lambda::EventSourceMapping": {"EventSourceArn": VALUES, "FunctionName": VALUES},
    "AWS::SQS::Queue": {
        "VisibilityTimeout": st.one_of(st.integers(-1, 50000), VALUES),
        "QueueName": VALUES,
    },
    "AWS::SNS::Topic": {},
    "AWS::Serverless::Api": {"StageName": VALUES},
}
METADATA = _props(
    {
        "BuildMethod": _s("esbuild", "makefile"),
        "lambdalint": _props({"ignore": st.lists(_s("LL101", "LL301"), max_size=2)}),
    }
)


def _resource(rtype: str) -> st.SearchStrategy[dict[str, Any]]:
    return _props(
        {
            "Properties": _props(RESOURCE_PROPS[rtype]),
            "Metadata": METADATA,
            "Condition": st.sampled_from(NAMES),
            "DependsOn": VALUES,
        }
    ).map(lambda r: {"Type": rtype, **r})


# a function always, with the properties a real one has (and then any of the others)
FUNCTION = st.sampled_from(["AWS::Serverless::Function", "AWS::Lambda::Function"]).flatmap(
    lambda rtype: st.tuples(
        st.fixed_dictionaries(
            {
                "Runtime": st.one_of(_s("python3.12", "nodejs20.x"), st.sampled_from(STRINGS)),
                "Handler": st.one_of(
                    _s("app.handler", "app.main", "index.handler"), st.sampled_from(STRINGS), VALUES
                ),
                "CodeUri" if rtype.startswith("AWS::Serverless") else "Code": st.one_of(
                    _s("src/", "src", "missing/"), VALUES
                ),
            }
        ),
        _props(FUNCTION_PROPS),
        METADATA,
    ).map(lambda t: {"Type": rtype, "Properties": {**t[0], **t[1]}, "Metadata": t[2]})
)
RESOURCE = st.one_of(FUNCTION, st.sampled_from(sorted(RESOURCE_PROPS)).flatmap(_resource))
TEMPLATES = st.fixed_dictionaries(
    {
        "Transform": st.one_of(
            _s("AWS::Serverless-2016-10-31"), _s("AWS::Serverless-2016-10-31"), VALUES
        )
    },
    optional={
        "AWSTemplateFormatVersion": _s("2010-09-09"),
        "Globals": _props({"Function": _props(FUNCTION_PROPS)}),
        "Parameters": st.dictionaries(
            st.sampled_from(NAMES),
            _props({"Type": _s("String", "Number"), "Default": VALUES, "NoEcho": st.booleans()}),
            max_size=3,
        ),
        "Conditions": st.dictionaries(st.sampled_from(NAMES), VALUES, max_size=3),
        "Mappings": st.dictionaries(
            st.sampled_from(NAMES),
            st.dictionaries(_TEXT, st.dictionaries(_TEXT, VALUES, max_size=2), max_size=2),
            max_size=2,
        ),
    },
).flatmap(
    lambda top: st.tuples(
        FUNCTION, st.dictionaries(st.one_of(st.sampled_from(NAMES), _TEXT), RESOURCE, max_size=4)
    ).map(lambda fr: {**top, "Resources": {"Fn": fr[0], **fr[1]}})
)


# ---------------------------------------------------------------- serialisation


class _ShortFormDumper(yaml.SafeDumper):
    """Writes one-key intrinsic mappings as CloudFormation short-form tags (`!Ref x`)."""


def _represent_dict(dumper: yaml.SafeDumper, data: dict[Any, Any]) -> Any:
    if len(data) == 1:
        key, value = next(iter(data.items()))
        if isinstance(key, str) and (key == "Ref" or key.startswith("Fn::")):
            tag = "!" + key.removeprefix("Fn::")
            if isinstance(value, (list, tuple)):
                return dumper.represent_sequence(tag, value)
            if isinstance(value, dict):
                return dumper.represent_mapping(tag, value)
            return dumper.represent_scalar(tag, "" if value is None else str(value))
    return dumper.represent_dict(data)


_ShortFormDumper.add_representer(dict, _represent_dict)


def _yaml(template: dict[str, Any], short: bool) -> str:
    return yaml.dump(
        template,
        Dumper=_ShortFormDumper if short else yaml.SafeDumper,
        allow_unicode=True,
        sort_keys=False,
    )


def _json(template: dict[str, Any], ascii_only: bool) -> str:
    return json.dumps(template, ensure_ascii=ascii_only, indent=1)


NOISE = st.one_of(
    st.sampled_from(
        [
            ":",
            "-",
            " ",
            "\n",
            "\t",
            "{",
            "}",
            "[",
            "]",
            ",",
            '"',
            "'",
            "&a ",
            "*a",
            "!Ref ",
            "!!python/name:os.system ",
            "<<: ",
            "? ",
            "|",
            ">",
            "#",
            "%YAML 1.1\n",
            "---\n",
            "\x00",
            "\x1b",
            "\ufeff",
            "\\u0000",
            "\\ud800",
            "${",
            "}}",
        ]
    ),
    st.text(max_size=8),
)


@st.composite
def mutated(draw: st.DrawFn, texts: st.SearchStrategy[str]) -> str:
    """A text with a few random edits: slices deleted, noise inserted, lines duplicated."""
    text = draw(texts)
    for _ in range(draw(st.integers(1, 5))):
        if not text:
            text = draw(NOISE)
            continue
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "delete", "duplicate", "truncate"]))
        if edit == "insert":
            text = text[:at] + draw(NOISE) + text[at:]
        elif edit == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)) :]
        elif edit == "duplicate":
            lines = text.splitlines(keepends=True)
            i = draw(st.integers(0, max(0, len(lines) - 1)))
            text = "".join(lines[: i + 1] + lines[i:])
        else:
            text = text[:at]
    return text


TEMPLATE_TEXTS = st.one_of(
    st.builds(_yaml, TEMPLATES, st.booleans()).map(lambda t: ("template.yaml", t)),
    st.builds(_json, TEMPLATES, st.booleans()).map(lambda t: ("template.json", t)),
)

# ---------------------------------------------------------------- handler sources

PYTHON_SNIPPETS = [
    "import os\n",
    "import boto3\n",
    "from x import *\n",
    "from pkg import handler\n",
    "s3 = boto3.client('s3')\n",
    "table = boto3.resource('dynamodb').Table(os.environ['TABLE'])\n",
    "def handler(event, context):\n    return os.environ['X'] + os.getenv('Y', '')\n",
    "async def handler(event, context):\n    await x\n",
    "def handler(event):\n    boto3.client('sqs').send_message(QueueUrl=u, MessageBody='')\n",
    "def lambda_handler(*args, **kwargs):\n    pass\n",
    "handler = Mangum(app)\n",
    "@logger.inject_lambda_context\ndef main(event, context, extra):\n    return 1\n",
    "class Handler:\n    def __call__(self, event, context):\n        return 1\n",
    "if True:\n    def handler(e, c): pass\nelse:\n    handler = None\n",
    "try:\n    import fast\nexcept ImportError:\n    fast = None\n",
    "globals()['handler'] = lambda e, c: 1\n",
    "API_KEY = 'AKIAIOSFODNN7EXAMPLE'\n",
    'PASSWORD = "hunter2hunter2hunter2"\n',
    "x = f'{a!r:>{w}}'\n",
    "x = (((((1)))))\n",
    "match x:\n    case {'a': 1}:\n        pass\n",
    "type X = int\n",
    "x = lambda: (yield)\n",
    "def f[T](x: T) -> T:\n    return x\n",
    "\x0c\n",
    "# -*- coding: latin-1 -*-\n",
    "x = '\\N{BULLET}'\n",
]
JS_SNIPPETS = [
    "exports.handler = async (event) => event;\n",
    "module.exports = { handler };\n",
    "module.exports.handler = function (e, c, cb) { cb(null, 1); };\n",
    "export const handler = async () => ({ statusCode: 200 });\n",
    "export default function () {}\n",
    "export { main as handler } from './main.js';\n",
    "module.exports = require('./impl');\n",
    "const { S3Client, PutObjectCommand } = require('@aws-sdk/client-s3');\n",
    "const s3 = new S3Client({});\nawait s3.send(new PutObjectCommand({ Bucket: process.env.BUCKET }));\n",
    "const AWS = require('aws-sdk');\nnew AWS.DynamoDB.DocumentClient().put({}).promise();\n",
    "const t = process.env.TABLE ?? 'x';\n",
    "const k = `${process.env.KEY}`;\n",
    "const r = /[/]+/g;\n",
    "const TOKEN = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';\n",
    "class A { #p = 1; static { } }\n",
    "const el = <div>{x}</div>;\n",
    "let x = a?.b?.[c]?.(d);\n",
    "import x from 'y' with { type: 'json' };\n",
]


def _source(snippets: list[str]) -> st.SearchStrategy[str]:
    joined = st.lists(st.sampled_from(snippets), max_size=8).map("".join)
    return st.one_of(joined, mutated(joined), st.text(max_size=200))


SAM_FOR = (
    "Transform: AWS::Serverless-2016-10-31\nResources:\n"
    "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
    "      Runtime: {runtime}\n      CodeUri: src/\n      Handler: {handler}\n"
    "  Inline:\n    Type: AWS::Lambda::Function\n    Properties:\n"
    "      Runtime: {runtime}\n      Handler: index.handler\n      Code:\n        ZipFile: |\n{inline}"
)

# ---------------------------------------------------------------- other formats

TF_VALUES = st.one_of(
    VALUES,
    st.sampled_from(
        [
            "${aws_iam_role.r.arn}",
            "${var.x}",
            "${local.y}",
            "${aws_lambda_function.f.function_name}",
            "/aws/lambda/${aws_lambda_function.f.function_name}",
            "${jsonencode({})}",
            "${",
            "${data.archive_file.z.output_path}",
        ]
    ),
)
TERRAFORM = st.fixed_dictionaries(
    {},
    optional={
        "resource": _props(
            {
                "aws_lambda_function": st.dictionaries(
                    _s("f", "g"),
                    _props(
                        {
                            "handler": st.sampled_from(STRINGS),
                            "runtime": st.sampled_from(STRINGS),
                            "filename": TF_VALUES,
                            "role": TF_VALUES,
                            "timeout": TF_VALUES,
                            "memory_size": TF_VALUES,
                            "function_name": TF_VALUES,
                            "environment": st.one_of(
                                _props(
                                    {"variables": st.dictionaries(_TEXT, TF_VALUES, max_size=3)}
                                ),
                                st.lists(VALUES, max_size=2),
                            ),
                        }
                    ),
                    max_size=2,
                ),
                "aws_iam_role": st.dictionaries(
                    _s("r"),
                    _props({"assume_role_policy": TF_VALUES, "managed_policy_arns": TF_VALUES}),
                    max_size=1,
                ),
                "aws_iam_role_policy": st.dictionaries(
                    _s("p"),
                    _props(
                        {
                            "role": TF_VALUES,
                            "policy": st.one_of(TF_VALUES, POLICY_DOCUMENT.map(json.dumps)),
                        }
                    ),
                    max_size=1,
                ),
                "aws_cloudwatch_log_group": st.dictionaries(
                    _s("l"), _props({"name": TF_VALUES, "retention_in_days": TF_VALUES}), max_size=1
                ),
                "aws_lambda_permission": st.dictionaries(
                    _s("p"),
                    _props({"principal": TF_VALUES, "function_name": TF_VALUES}),
                    max_size=1,
                ),
                "aws_sqs_queue": st.dictionaries(
                    _s("q"), _props({"visibility_timeout_seconds": TF_VALUES}), max_size=1
                ),
            }
        ),
        "data": _props(
            {
                "archive_file": st.dictionaries(
                    _s("z"), _props({"source_dir": TF_VALUES, "output_path": TF_VALUES}), max_size=1
                ),
                "aws_iam_policy_document": st.dictionaries(_s("d"), VALUES, max_size=1),
            }
        ),
        "locals": st.dictionaries(_TEXT, TF_VALUES, max_size=3),
        "variable": st.dictionaries(_s("x"), _props({"default": VALUES}), max_size=1),
        "module": st.dictionaries(
            _s("m"),
            _props(
                {"source": _s("./mod", "terraform-aws-modules/lambda/aws"), "handler": TF_VALUES}
            ),
            max_size=1,
        ),
        "//": VALUES,
    },
)
SLS_VALUES = st.one_of(
    VALUES,
    st.sampled_from(
        [
            "${self:service}",
            "${opt:stage, 'dev'}",
            "${self:custom.x}",
            "${env:HOME}",
            "${file(./x.yml)}",
            "${ssm:/p}",
            "${self:provider.stage}-x",
            "${self:",
            "${cf:stack.out}",
        ]
    ),
)
SERVERLESS = st.fixed_dictionaries(
    {
        "service": SLS_VALUES,
        "provider": _props(
            {
                "name": _s("aws", "azure"),
                "runtime": st.sampled_from(STRINGS),
                "timeout": SLS_VALUES,
                "stage": SLS_VALUES,
                "environment": st.dictionaries(_TEXT, SLS_VALUES, max_size=3),
                "logRetentionInDays": SLS_VALUES,
                "iam": _props(
                    {
                        "role": st.one_of(
                            SLS_VALUES, _props({"statements": st.lists(STATEMENT, max_size=2)})
                        )
                    }
                ),
                "tracing": _props({"lambda": st.booleans()}),
            }
        ),
        "functions": st.one_of(
            st.dictionaries(
                _s("f", "g"),
                _props(
                    {
                        "handler": st.sampled_from(STRINGS),
                        "runtime": st.sampled_from(STRINGS),
                        "timeout": SLS_VALUES,
                        "environment": st.dictionaries(_TEXT, SLS_VALUES, max_size=2),
                        "role": SLS_VALUES,
                        "events": st.lists(
                            st.dictionaries(
                                _s("http", "sqs", "s3", "schedule", "stream", "sns", "httpApi"),
                                SLS_VALUES,
                                min_size=1,
                                max_size=1,
                            ),
                            max_size=3,
                        ),
                        "url": st.one_of(st.booleans(), _props({"authorizer": _s("aws_iam")})),
                    }
                ),
                max_size=2,
            ),
            VALUES,
        ),
    },
    optional={
        "custom": VALUES,
        "plugins": st.lists(_s("serverless-esbuild", "serverless-python-requirements"), max_size=2),
    },
)


# ---------------------------------------------------------------- the properties

_RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_GITHUB_LINE = re.compile(r"^::(error|warning|notice) file=[^\n]*::")
_COUNTER = itertools.count()
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@lru_cache(maxsize=1)
def _sarif_validator() -> Any:
    import jsonschema

    schema = json.loads(
        (ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
    )
    return jsonschema.Draft4Validator(schema)


class _Project:
    """Files written into a fresh folder for one example, removed afterwards."""

    def __init__(self, workspace: Path, files: dict[str, str | bytes]) -> None:
        self.folder = workspace / f"case{next(_COUNTER)}"
        for rel, data in files.items():
            path = self.folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                path.write_bytes(data)
            else:
                path.write_text(data, encoding="utf-8", errors="surrogatepass")

    def __enter__(self) -> Path:
        self.old = Path.cwd()
        os.chdir(self.folder)
        return self.folder

    def __exit__(self, *exc: object) -> None:
        os.chdir(self.old)
        shutil.rmtree(self.folder, ignore_errors=True)


def _lint_and_render() -> Result:
    """Lint the current folder through the engine and render every format: the properties
    every input must keep."""
    config = Settings()
    result = app.lint([Path(".")], config)
    assert not result.internal_errors, result.internal_errors
    report = json.loads(render("json", result, config))
    assert len(report["findings"]) == len(result.findings)
    text = render("text", result, config)
    assert not _RAW_CONTROL.search(text), text
    for line in render("github", result, config).splitlines():
        assert _GITHUB_LINE.match(line), line
    if SARIF:
        _sarif_validator().validate(json.loads(render("sarif", result, config)))
    return result


def _check_cli() -> None:
    done = CliRunner().invoke(main, ["check", "--no-cache", "--format", "json", "."])
    # 2 only when no function was found (nothing checked is no success), never on an error
    nothing = done.exit_code == 2 and "no Lambda functions found" in done.stderr
    assert done.exit_code in (0, 1) or nothing, done.output
    assert "internal error" not in done.stderr, done.stderr
    json.loads(done.stdout)


@FUZZ
@given(
    st.one_of(
        TEMPLATE_TEXTS,
        TEMPLATE_TEXTS.flatmap(lambda nt: mutated(st.just(nt[1])).map(lambda t: (nt[0], t))),
    )
)
def test_templates(workspace: Path, named: tuple[str, str]) -> None:
    name, text = named
    with _Project(
        workspace, {name: text, "src/app.py": "def handler(event, context):\n    return 1\n"}
    ):
        _lint_and_render()
        _check_cli()


@FUZZ
@given(
    st.sampled_from(["python3.12", "python3.9"]).flatmap(
        lambda r: st.tuples(st.just(r), _source(PYTHON_SNIPPETS))
    )
    | st.sampled_from(["nodejs20.x", "nodejs22.x"]).flatmap(
        lambda r: st.tuples(st.just(r), _source(JS_SNIPPETS))
    ),
    st.sampled_from(["app.handler", "app.main", "app.lambda_handler", "index.handler"]),
)
def test_handler_sources(workspace: Path, source: tuple[str, str], handler: str) -> None:
    runtime, code = source
    ext = "py" if runtime.startswith("python") else "js"
    inline = "".join("          " + line + "\n" for line in code.splitlines()) or "          x\n"
    files = {
        "template.yaml": SAM_FOR.format(runtime=runtime, handler=handler, inline=inline),
        f"src/app.{ext}": code,
        f"src/index.{ext}": code,
    }
    with _Project(workspace, files):
        _lint_and_render()


@FUZZ
@given(
    st.one_of(TERRAFORM.map(json.dumps), mutated(TERRAFORM.map(lambda t: json.dumps(t, indent=1))))
)
def test_terraform_json(workspace: Path, text: str) -> None:
    with _Project(workspace, {"main.tf.json": text, "app.py": "def h(e, c): pass\n"}):
        _lint_and_render()


@FUZZ
@given(
    st.one_of(
        SERVERLESS.map(lambda d: _yaml(d, short=False)),
        mutated(SERVERLESS.map(lambda d: _yaml(d, short=False))),
    )
)
def test_serverless(workspace: Path, text: str) -> None:
    with _Project(workspace, {"serverless.yml": text, "app.py": "def h(e, c): pass\n"}):
        _lint_and_render()


# ---------------------------------------------------------------- the layers below, directly


@FUZZ_PARSERS
@given(
    st.one_of(
        TEMPLATE_TEXTS.map(lambda nt: nt[1]),
        mutated(TEMPLATE_TEXTS.map(lambda nt: nt[1])),
        st.text(max_size=300),
    )
)
def test_parsers_raise_only_load_errors(text: str) -> None:
    """Any text: a value, or a LoadError whose position lies inside the text."""
    lines = len(_LINE_BREAK.findall(text)) + 1  # as YAML counts them: \r alone is one too
    for parse in (parse_yaml, parse_json):
        try:
            _, diagnostics = parse(text, Path("t"))
        except LoadError as exc:
            assert 1 <= exc.pos.line <= lines + 1 and exc.pos.column >= 1, (exc.message, exc.pos)
            continue
        for diag in diagnostics:
            assert diag.rule_id in ("LL100", "LL108") and diag.loc.pos.line <= lines + 1


@FUZZ_PARSERS
@given(st.binary(max_size=300) | st.text(max_size=100).map(lambda t: t.encode("utf-16")))
def test_decoding_any_bytes(raw: bytes) -> None:
    text, diag = reading.decode(raw, Path("t"))
    assert (text is None) == (diag is not None)
    if diag is not None:
        assert diag.rule_id == "LL100"


@FUZZ_PARSERS
@given(_source(PYTHON_SNIPPETS))
def test_python_analysis_never_raises(code: str) -> None:
    from lambdalint.analysis import python

    src = python.analyze(Path("app.py"), code)
    if src.parse_error is not None:
        message, pos = src.parse_error
        assert message and pos.line >= 1


@FUZZ_PARSERS
@given(_source(JS_SNIPPETS))
def test_node_analysis_never_raises(code: str) -> None:
    node = pytest.importorskip("lambdalint.analysis.node")
    src = node.analyze(Path("app.js"), code)
    assert src.language == "node"


def test_the_profile_is_bounded_and_seeded_in_ci() -> None:
    if LONG:
        pytest.skip("LAMBDALINT_FUZZ=long")
    assert FUZZ.derandomize and FUZZ.max_examples <= 50 and FUZZ.database is None
