"""Python handler facts (libcst): env reads, boto3 clients and calls, clients per invocation,
secrets."""

from __future__ import annotations

import textwrap
from pathlib import Path

from lambdalint.analysis.python import analyze
from lambdalint.analysis.source import HandlerSource


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
    assert sorted((s.pos.line, s.name) for s in src.secrets) == [
        (3, "password"),
        (4, "client_secret"),
        (8, "api_token"),
    ]
    assert all("Vb7#pQ2zLk9" not in s.value_preview for s in src.secrets)


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
