"""`lambdalint policy`: the statements each function's code needs, in every output format.

The output of each project below is kept in `tests/data/policy/snapshots/<case>.<format>.txt`
(`<case>.txt` for the template's own dialect), so a change shows in review;
`LAMBDALINT_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_policy_command.py` rewrites them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from lambdalint.cli import main

DATA = Path(__file__).parent / "data" / "policy"
SNAPSHOTS = DATA / "snapshots"
UPDATE = os.environ.get("LAMBDALINT_UPDATE_SNAPSHOTS") == "1"
ALL_FORMATS = ("json", "sam", "cloudformation", "terraform", "serverless")

# (case name, project folder, formats beside its own dialect)
CASES = [
    # env var → !Ref, !GetAtt, !Sub; a literal; boto3 resources; silent twins
    ("sam-resources", FIXTURES / "LL205-missing-permission" / "sam-resources", ALL_FORMATS),
    # env var → Terraform references
    ("terraform-resources", FIXTURES / "LL205-missing-permission" / "terraform-resources", ("json",)),
    # Serverless variables, JS SDK v3, the DynamoDB document client
    ("serverless-resources", FIXTURES / "LL205-missing-permission" / "serverless-resources", ("json",)),
    # an AWS::IAM::Role of its own, inline Node.js source
    ("cfn-role", FIXTURES / "LL208-unused-permission" / "cfn-role", ("json",)),
    ("terraform-unused", FIXTURES / "LL208-unused-permission" / "terraform-unused", ("json",)),
    # customer managed keys, Powertools parameters and secrets, SAM policy templates
    ("encrypted", DATA / "encrypted", ("json",)),
    # polled event sources, an on-failure destination, managed policies used in part
    ("polled", DATA / "polled", ("cloudformation", "terraform")),
    # S3 keys with `${` and `%{` written literally in the code
    ("literal-dollar", DATA / "literal-dollar", ("cloudformation", "terraform")),
]
RUNS = [(name, folder, fmt) for name, folder, formats in CASES for fmt in (None, *formats)]


def _policy(folder: Path, *args: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    monkeypatch.chdir(folder)
    done = CliRunner().invoke(main, ["policy", ".", *args])
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        raise done.exception
    return done.exit_code, done.stdout, done.stderr


@pytest.mark.parametrize(
    ("name", "folder", "fmt"), RUNS, ids=[f"{n}-{f or 'own'}" for n, _, f in RUNS]
)
def test_policy_output(
    name: str, folder: Path, fmt: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = _policy(folder, *(["--format", fmt] if fmt else []), monkeypatch=monkeypatch)
    assert code == 0, out
    snapshot = SNAPSHOTS / (f"{name}.{fmt}.txt" if fmt else f"{name}.txt")
    if UPDATE:
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(out, encoding="utf-8")
    assert snapshot.is_file(), f"{snapshot} is missing: LAMBDALINT_UPDATE_SNAPSHOTS=1 writes it"
    assert out == snapshot.read_text(encoding="utf-8"), f"the output of {name} changed"


def _json(folder: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> dict[str, dict]:
    code, out, _ = _policy(folder, "--format", "json", *args, monkeypatch=monkeypatch)
    assert code == 0, out
    return {f["function"]: f for f in json.loads(out)["functions"]}


def test_json_has_the_shape_of_the_spec(monkeypatch: pytest.MonkeyPatch) -> None:
    found = _json(FIXTURES / "LL205-missing-permission" / "sam-resources", monkeypatch)
    ref = found["RefFunction"]
    assert {"function", "path", "line", "role", "needed", "missing", "unused", "unknown_calls"} <= set(ref)
    assert ref["needed"] == [
        {
            "action": "s3:PutObject",
            "resource": {"Fn::Sub": "${Uploads.Arn}/incoming/*"},
            "source": "src/ref.py:10",
        }
    ]
    assert ref["missing"] == [{**ref["needed"][0], "status": "elsewhere"}]
    assert ref["complete"] is True
    event = found["EventFunction"]
    assert event["needed"] == [] and event["complete"] is False
    assert event["unknown_calls"] == [
        {
            "call": "put_object",
            "action": "s3:PutObject",
            "source": "src/event.py:7",
            "why": "its value is computed at run time",
        }
    ]
    # the table is named by its ARN (!GetAtt) and reached through a boto3 Table resource
    assert found["GetAttFunction"]["needed"][0]["resource"] == {"Fn::GetAtt": ["Orders", "Arn"]}
    # the topic's ARN built with !Sub from its name
    assert found["SubFunction"]["needed"][0]["resource"] == {"Ref": "Alerts"}
    # a bucket named only in the code
    assert found["LiteralFunction"]["needed"][0]["resource"] == {
        "Fn::Sub": "arn:${AWS::Partition}:s3:::acme-reports-archive/daily/report.csv"
    }


def test_terraform_resources_are_terraform_expressions(monkeypatch: pytest.MonkeyPatch) -> None:
    found = _json(FIXTURES / "LL205-missing-permission" / "terraform-resources", monkeypatch)
    needed = found["aws_lambda_function.ingest"]["needed"]
    assert [n["resource"] for n in needed] == [
        "${aws_s3_bucket.uploads.arn}/*",
        "${aws_dynamodb_table.orders.arn}",
    ]


def test_literal_dollar_braces_are_escaped(monkeypatch: pytest.MonkeyPatch) -> None:
    """`${` the code writes is text: `${!` in an `Fn::Sub` string, `$${` (and `%%{`) in a
    Terraform string, else CloudFormation and Terraform read a variable there."""
    found = _json(DATA / "literal-dollar", monkeypatch)
    assert [n["resource"] for n in found["Writer"]["needed"]] == [
        {"Fn::Sub": "${Uploads.Arn}/data/${!Env}.json"},
        {"Fn::Sub": "arn:${AWS::Partition}:s3:::acme-archive/t/%{x}/${!y}.csv"},
    ]
    _, out, _ = _policy(DATA / "literal-dollar", "--format", "terraform", monkeypatch=monkeypatch)
    assert '"arn:aws:s3:::acme-archive/t/%%{x}/$${y}.csv"' in out


def test_kms_and_powertools(monkeypatch: pytest.MonkeyPatch) -> None:
    worker = _json(DATA / "encrypted", monkeypatch)["Worker"]
    needed = {(n["action"], json.dumps(n["resource"]), n.get("via", "")) for n in worker["needed"]}
    key = json.dumps({"Fn::GetAtt": ["Key", "Arn"]})
    assert ("kms:Decrypt", key, "the KMS key of Token") in needed
    assert ("kms:GenerateDataKey", key, "the KMS key of Jobs") in needed
    assert ("kms:GenerateDataKey", key, "the KMS key of Reports") in needed
    # an AWS managed key (alias/aws/sns) needs no statement
    assert not any("Notifications" in n for _, _, n in needed)
    # Powertools: get_secret by name → the secret of the template; get_parameter → its ARN
    assert ("secretsmanager:GetSecretValue", json.dumps({"Ref": "Token"}), "") in needed
    assert (
        "ssm:GetParameter",
        json.dumps(
            {
                "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}"
                ":parameter/prod/worker/endpoint"
            }
        ),
        "",
    ) in needed
    assert worker["doubts"] == []


def test_one_function_and_an_unknown_one(monkeypatch: pytest.MonkeyPatch) -> None:
    folder = FIXTURES / "LL205-missing-permission" / "sam-resources"
    assert set(_json(folder, monkeypatch, "--function", "SubFunction")) == {"SubFunction"}
    code, _, err = _policy(folder, "--function", "Nope", monkeypatch=monkeypatch)
    assert code == 2 and "no function named Nope" in err


def test_no_function_found_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = _policy(tmp_path, monkeypatch=monkeypatch)
    assert code == 2 and "no Lambda functions found" in err


def test_a_handler_that_is_not_analysed_is_said_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      Runtime: java21\n"
        "      Handler: example.App::handleRequest\n"
        "      CodeUri: .\n",
        encoding="utf-8",
    )
    code, out, _ = _policy(tmp_path, monkeypatch=monkeypatch)
    assert code == 0
    assert out.splitlines()[1] == "#   its handler source is not analysed"
