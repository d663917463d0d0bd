"""Python handler facts (CPython's parser; libcst for newer syntax): names and positions, env
reads, boto3 clients and calls, clients per invocation, secrets."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lambdalint.analysis.python import analyze
from lambdalint.analysis.facts import HandlerSource
from lambdalint.aws.secrets import literal_reason


def facts(code: str) -> HandlerSource:
    src = analyze(Path("app.py"), textwrap.dedent(code))
    assert src.parse_error is None
    return src


def calls(src: HandlerSource) -> list[tuple[int, str, tuple[str, ...]]]:
    return sorted((c.pos.line, c.method, c.actions) for c in src.sdk_calls)


def test_clients_through_aliases_sessions_and_functions() -> None:
    src = facts(
        """\
        import boto3 as b3
        from boto3 import client as make_client
        from boto3.session import Session

        s3 = b3.client("s3")
        alias = s3
        sqs = Session(region_name="eu-west-1").client(service_name="sqs")
        lam = make_client("lambda")

        def sns():
            return b3.client("sns")

        class Store:
            def __init__(self):
                self.table = b3.resource("dynamodb").Table("t")

            def save(self, item):
                self.table.put_item(Item=item)

        def handler(event, context):
            alias.get_object(Bucket="b", Key="k")
            sqs.send_message(QueueUrl="q", MessageBody="m")
            lam.invoke(FunctionName="f")
            sns().publish(TopicArn="t", Message="m")
        """
    )
    assert calls(src) == [
        (18, "put_item", ("dynamodb:PutItem",)),
        (21, "get_object", ("s3:GetObject",)),
        (22, "send_message", ("sqs:SendMessage",)),
        (23, "invoke", ("lambda:InvokeFunction",)),
        (24, "publish", ("sns:Publish",)),
    ]
    by_line = {c.pos.line: c.in_function for c in src.sdk_calls}
    assert by_line[18] == "Store.save" and by_line[21] == "handler"


def test_resources_paginators_and_presigned_urls() -> None:
    src = facts(
        """\
        import boto3

        s3 = boto3.resource("s3")
        client = boto3.client("s3")

        def handler(event, context):
            bucket = s3.Bucket("b")
            bucket.upload_file("/tmp/f", "k")
            for obj in bucket.objects.filter(Prefix="p/"):
                s3.Object("b", obj.key).delete()
            s3.meta.client.download_file("b", "k", "/tmp/k")
            for page in client.get_paginator("list_object_versions").paginate(Bucket="b"):
                pass
            return client.generate_presigned_url("put_object", Params={"Bucket": "b", "Key": "k"})
        """
    )
    assert calls(src) == [
        (8, "upload_file", ("s3:PutObject",)),
        (9, "filter", ("s3:ListBucket",)),
        (10, "delete", ("s3:DeleteObject",)),
        (11, "download_file", ("s3:GetObject",)),
        (12, "paginate", ("s3:ListBucketVersions",)),
        (14, "generate_presigned_url", ("s3:PutObject",)),
    ]


def test_a_name_bound_to_two_things_is_not_guessed() -> None:
    src = facts(
        """\
        import boto3
        import requests

        def a():
            client = boto3.client("s3")
            return client

        def handler(event, context):
            client = requests.Session()
            client.get("https://example.com")
            other = boto3.client("s3") if event else requests.Session()
            other.put_object(Bucket="b", Key="k")
        """
    )
    assert src.sdk_calls == []


def test_clients_created_per_invocation() -> None:
    src = facts(
        """\
        import functools
        import boto3

        _cache = None

        def get():
            global _cache
            if _cache is None:
                _cache = boto3.client("s3")
            return _cache

        @functools.lru_cache
        def table(name):
            return boto3.resource("dynamodb").Table(name)

        def handler(event, context):
            kms = boto3.client("kms")
            def inner():
                return boto3.client("sqs")
            return kms, inner

        class Handler:
            def __call__(self, event, context):
                return boto3.client("sns")
        """
    )
    made = sorted((c.pos.line, c.service, c.in_function) for c in src.clients)
    assert made == [
        (9, "s3", None),
        (14, "dynamodb", None),
        (17, "kms", "handler"),
        (19, "sqs", "handler"),
        (24, "sns", "Handler.__call__"),
    ]


def test_environment_reads() -> None:
    src = facts(
        """\
        import os
        from os import environ, getenv

        env = os.environ
        A = os.environ["A"]
        B = environ["B"]
        C = env["C"]
        D = os.environ.get("D")
        E = getenv("E")
        os.environ.setdefault("F", "1")
        F = os.environ["F"]
        os.environ["G"] = "x"
        del os.environ["H"]

        def handler(event, context):
            if "I" in os.environ:
                return os.environ["I"]
            try:
                return os.environ["J"]
            except KeyError:
                return os.environ["K"]
        """
    )
    reads = {(r.name, r.pos.line): r.has_default for r in src.env_reads}
    assert reads == {
        ("A", 5): False,
        ("B", 6): False,
        ("C", 7): False,
        ("D", 8): True,
        ("E", 9): True,
        ("F", 11): True,
        ("I", 17): True,
        ("J", 19): True,
        ("K", 21): False,
    }
    assert {r.name: r.in_function for r in src.env_reads}["I"] == "handler"


def test_secrets_in_keywords_dicts_and_attributes() -> None:
    src = facts(
        """\
        import pymysql

        conn = pymysql.connect(host="db", user="app", password="Vb7#pQ2zLk9!wX4m")
        settings = {"client_secret": "Jd8Kq3Vm7Xz2Nw5Rt9Lp"}

        class Config:
            def __init__(self):
                self.api_token = "ghp_R7kLm2Qx9Vt4Np8Zs3Wd6Yh1Bc5Fg0Jk2Mn4"
                self.token_header = "Authorization"
        """
    )
    found = [s for s in src.secret_candidates if literal_reason(s.name, s.credential)]
    assert sorted((s.pos.line, s.name) for s in found) == [
        (3, "password"),
        (4, "client_secret"),
        (8, "api_token"),
    ]
    assert all("Vb7#pQ2zLk9" not in s.value_preview for s in src.secret_candidates)
    # `token_header` names no secret, but with secret-names [header] it would: the name is
    # judged by the rule, so the literal is kept as a candidate
    assert [s.name for s in src.secret_candidates if literal_reason(s.name, None, ["header"])][
        -1
    ] == "token_header"


def test_clients_with_their_own_credentials_are_not_the_role() -> None:
    src = facts(
        """\
        import boto3

        def handler(event, context):
            creds = boto3.client("sts").assume_role(RoleArn=event["role"], RoleSessionName="x")["Credentials"]
            tenant = boto3.client("dynamodb", aws_access_key_id=creds["AccessKeyId"],
                                  aws_secret_access_key=creds["SecretAccessKey"])
            tenant.put_item(TableName="t", Item={})
            session = boto3.Session(aws_access_key_id="a", aws_secret_access_key="b")
            session.client("s3").put_object(Bucket="b", Key="k")
        """
    )
    assert calls(src) == [(4, "assume_role", ("sts:AssumeRole",))]
    assert all(c.per_invocation_config for c in src.clients if c.service in ("dynamodb", "s3"))


def test_clients_configured_from_the_event_are_per_invocation() -> None:
    src = facts(
        """\
        import os
        import boto3
        from botocore.config import Config

        CONFIG = Config(retries={"max_attempts": 3})

        def handler(event, context):
            domain = event["requestContext"]["domainName"]
            api = boto3.client("apigatewaymanagementapi", endpoint_url=f"https://{domain}")
            regional = boto3.client("s3", region_name=event["region"])
            fixed = boto3.client("s3", region_name=os.environ["AWS_REGION"], config=CONFIG)
        """
    )
    flags = sorted((c.pos.line, c.per_invocation_config) for c in src.clients)
    assert flags == [(9, True), (10, True), (11, False)]


def test_clients_for_each_region_of_a_loop_are_per_invocation() -> None:
    # a session or client made with a loop's value (one per region) cannot be made once
    src = facts(
        """\
        import boto3

        def handler(event, context):
            for region in ("eu-west-1", "us-east-1"):
                session = boto3.session.Session(region_name=region)
                session.client("ec2").describe_vpcs()
                boto3.resource("ec2", region_name=region)
            boto3.session.Session().client("codebuild")
        """
    )
    flags = sorted((c.pos.line, c.per_invocation_config) for c in src.clients)
    assert flags == [(6, True), (7, True), (8, False)]
    # the calls are still the function's own (its role, not another account's)
    assert calls(src) == [(6, "describe_vpcs", ("ec2:DescribeVpcs",))]


def test_main_block_is_not_lambda_code() -> None:
    src = facts(
        """\
        import os
        import boto3

        def handler(event, context):
            return os.environ["TABLE"]

        if __name__ == "__main__":
            os.environ["LOCAL_PROFILE"]
            boto3.client("s3").put_object(Bucket="b", Key="k")
        """
    )
    assert [r.name for r in src.env_reads] == ["TABLE"]
    assert src.sdk_calls == [] and src.clients == []


def test_environment_filled_at_run_time() -> None:
    assert facts("from dotenv import load_dotenv\nload_dotenv()\n").dynamic_env
    assert facts("import os\nos.environ.update({'A': '1'})\n").dynamic_env
    assert not facts("import os\nA = os.environ['A']\n").dynamic_env


def test_positions_are_character_columns_at_the_name() -> None:
    src = facts(
        """\
        import boto3
        s3 = boto3.client("s3")

        @decorator(level=1)
        async  def handler(event, context):
            msg = "héllo wörld"; s3.put_object(Bucket="b", Key=msg)
            s3 \\
                .delete_object(Bucket="b", Key="k")

        class   Worker:
            pass
        """
    )
    handler = src.top_level["handler"]
    assert (handler.pos.line, handler.pos.column) == (5, 12)  # `async  def` (two blanks)
    assert handler.decorators == ("decorator",) and handler.kind == "async-def"
    assert (src.top_level["Worker"].pos.line, src.top_level["Worker"].pos.column) == (10, 9)
    put, delete = sorted(src.sdk_calls, key=lambda c: c.pos.line)
    # the name of the method, counted in characters after the two non-ASCII letters
    assert (put.pos.line, put.pos.column, put.pos.end_column) == (6, 29, 39)  # bytes: 31
    assert (delete.pos.line, delete.pos.column) == (8, 10)


def test_signature_counts_positional_only_defaults_and_keyword_only() -> None:
    src = facts(
        """\
        def a(event, /, context=None, *, strict): ...
        def b(*args, **kwargs): ...
        def c(self, event, context): ...
        """
    )
    a, b, c = (src.top_level[n].params for n in "abc")
    assert a is not None and (a.positional, a.required_positional, a.required_keyword_only) == (
        2,
        1,
        1,
    )
    assert b is not None and b.varargs and b.positional == 0
    assert c is not None and (c.positional, c.required_positional) == (3, 3)


def test_names_bound_in_blocks_and_namespace_tricks() -> None:
    src = facts(
        """\
        try:
            from fast import handler
        except ImportError:
            handler = None
        if FLAG:
            pass
        elif OTHER:
            other = 1
        else:
            from x import third as renamed
        with open("f") as (fh, _):
            pass
        """
    )
    assert {"handler", "other", "renamed", "fh"} <= set(src.top_level)
    assert not src.open_namespace
    assert facts("globals().update(handlers)\n").open_namespace
    assert facts('globals()["handler"] = make()\n').open_namespace
    assert facts("from handlers import *\n").open_namespace


def test_f_string_parts_are_not_string_literals() -> None:
    key = "AKIA" + "ABCDEFGHIJKLMNOP"
    assert facts(f'x = "{key}"\n').secret_candidates
    assert not facts(f'x = f"{key}{{name}}"\n').secret_candidates


def test_syntax_newer_than_this_python_still_gives_the_handler_names() -> None:
    # PEP 701 (Python 3.12): the same quotes inside an f-string. CPython 3.11 rejects it; libcst
    # reads it, and the handler rules still work on the names it finds.
    code = "import boto3\n\ndef handler(event, context):\n    return f'{event['id']}'\n"
    src = analyze(Path("app.py"), code)
    assert src.parse_error is None
    assert src.top_level["handler"].params is not None
    assert src.top_level["handler"].pos.line == 3
    if sys.version_info < (3, 12):
        assert src.notice is not None and "newer than the Python running lambdalint" in src.notice
    else:
        assert src.notice is None


@pytest.mark.parametrize(
    "code",
    [
        "type Event = dict[str, str]\n\ndef handler(event, context):\n    return 1\n",
        "def first[T](items: list[T]) -> T:\n    return items[0]\n\ndef handler(event, context):\n    return 1\n",
        "def handler(event, context):\n    return t'{event}'\n",
        "def handler(event, context):\n    try:\n        pass\n    except ValueError, TypeError:\n        pass\n",
    ],
    ids=["type-alias", "type-parameters", "t-string", "except-without-parentheses"],
)
def test_newer_syntax_is_not_a_parse_error(code: str) -> None:
    src = analyze(Path("app.py"), code)
    assert src.parse_error is None
    assert "handler" in src.top_level and src.top_level["handler"].params is not None


def test_real_syntax_error_is_named_by_cpython() -> None:
    src = analyze(Path("app.py"), "def handler(event, context):\n    return {'a': 1\n\nx = 2\n")
    assert src.parse_error is not None
    message, pos = src.parse_error
    assert message.startswith("Python syntax error:") and pos.line == 2


def test_ordinary_sources_do_not_import_libcst() -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from lambdalint.analysis.python import analyze\n"
        "src = analyze(Path('a.py'), 'import boto3\\ndef handler(e, c):\\n    return 1\\n')\n"
        "bad = analyze(Path('b.py'), 'def handler(e, c)\\n    return 1\\n')\n"  # a plain error
        "print(sorted(src.top_level), bad.parse_error[1].line, 'libcst' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["['boto3',", "'handler']", "1", "False"]


MAIN_GUARDED = """\
import json

if __name__ == "__main__":
    def handler(event, context):
        return 1
    local = 2
elif RUNTIME:
    other = 3

if __name__ != "__main__":
    on_import = 4
else:
    script_only = 5
"""


def test_names_bound_only_under_the_main_guard_do_not_exist_on_import() -> None:
    src = facts(MAIN_GUARDED)
    assert {"json", "other", "on_import"} <= set(src.top_level)
    assert not {"handler", "local", "script_only"} & set(src.top_level)
    assert src.main_only == ["handler", "local", "script_only"]


def test_a_name_defined_at_import_too_is_not_main_only() -> None:
    src = facts(
        'def handler(event, context):\n    return 1\n\nif __name__ == "__main__":\n'
        "    def handler(event, context):\n        return 2\n"
    )
    assert "handler" in src.top_level and src.main_only == []


def test_the_main_guard_with_newer_syntax() -> None:
    from lambdalint.analysis.python import newer

    src = HandlerSource(Path("app.py"), "python")
    assert newer.analyze("type T = int\n" + MAIN_GUARDED, src)
    assert {"json", "other", "on_import"} <= set(src.top_level)
    assert src.main_only == ["handler", "local", "script_only"]
