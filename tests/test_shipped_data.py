"""The IAM data lambdalint ships (SAM policy templates, AWS managed policies): what a plain
install reads, how it is regenerated, and that it agrees with its sources."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import FIXTURES, ROOT, read_expect

from lambdalint.aws import managed_policies, sam_policy_templates
from lambdalint.checks.code import ALLOWED, DENIED, MISSING, UNKNOWN_STATUS, action_status
from lambdalint.model import Loc, ManagedPolicy, Role

# ---------------------------------------------------------------- SAM policy templates


def test_sam_templates_are_shipped() -> None:
    names = sam_policy_templates.names()
    assert len(names) >= 75
    s3 = sam_policy_templates.template("S3ReadPolicy")
    assert s3 is not None and s3.parameters == {"BucketName"}
    assert "s3:GetObject" in json.dumps(s3.definition)
    assert sam_policy_templates.template("NoSuchPolicy") is None


def test_sam_templates_agree_with_the_translator_when_installed() -> None:
    pytest.importorskip("samtranslator")
    version, theirs = sam_policy_templates.translator_templates()
    ours = sam_policy_templates.names()
    assert set(ours) <= set(theirs), "templates the translator no longer has"
    for name in ours:  # a newer translator may add templates
        shipped = sam_policy_templates.template(name)
        assert shipped is not None
        assert shipped.definition == theirs[name]["definition"], (
            f"{name} differs from aws-sam-translator {version}: "
            "run `python -m lambdalint.aws.sam_policy_templates`"
        )
        assert sorted(shipped.parameters) == theirs[name]["parameters"]


# the fixture cases whose roles use SAM policy templates
SAM_TEMPLATE_CASES = [
    "LL201-iam-wildcard-action/sam-service-wildcard",
    "LL201-iam-wildcard-action/good-scoped",
    "LL203-iam-admin-policy/good-narrow-policies",
    "LL205-missing-permission/python-bad",
    "LL205-missing-permission/node-bad",
    "LL205-missing-permission/good",
]

_PLAIN_INSTALL = """
import importlib.abc, json, os, sys
from pathlib import Path

class Blocked(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("samtranslator", "boto3", "botocore"):
            raise ModuleNotFoundError(f"No module named {name!r} (blocked)")
        return None

sys.meta_path.insert(0, Blocked())
from lambdalint.settings import build
from lambdalint import app

out = {}
for case, rule in json.loads(sys.argv[1]):
    os.chdir(case)
    result = app.lint([Path(".")], build({"select": [rule]}))
    out[case] = sorted(
        [f.rule_id, os.path.normpath(f.loc.path).replace(os.sep, "/"), f.loc.pos.line]
        for f in result.findings if f.suppressed is None
    )
assert not any(m.split(".")[0] == "samtranslator" for m in sys.modules)
print(json.dumps(out))
"""


def test_a_plain_install_expands_sam_templates_without_the_translator() -> None:
    cases = [(str(FIXTURES / c), c.split("-", 1)[0]) for c in SAM_TEMPLATE_CASES]
    done = subprocess.run(
        [sys.executable, "-c", _PLAIN_INSTALL, json.dumps(cases)],
        capture_output=True,
        check=False,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    for case, rule in cases:
        want = sorted(
            [e["rule"], e["file"], e["line"]]
            for e in read_expect(Path(case)).get("findings") or []
            if e["rule"] == rule
        )
        assert got[case] == want, case


# ---------------------------------------------------------------- AWS managed policies


def test_managed_policies_are_shipped() -> None:
    names = managed_policies.names()
    assert len(names) > 1000
    basic = managed_policies.policy("AWSLambdaBasicExecutionRole")
    assert basic is not None
    (stmt,) = basic.statements
    assert stmt.effect == "Allow" and stmt.every_resource
    assert set(stmt.actions) == {
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    }
    admin = managed_policies.policy("AdministratorAccess")
    assert admin is not None and admin.statements[0].actions == ("*",)
    assert managed_policies.policy("NoSuchPolicy") is None


def test_service_linked_role_policies_are_left_out() -> None:
    # IAM attaches these to service-linked roles only, never to a function's role
    assert managed_policies.policy("AWSServiceRoleForAmazonEKSNodegroup") is None
    assert managed_policies.policy("AmazonEKSServiceRolePolicy") is None
    assert managed_policies.policy("AmazonEKSClusterPolicy") is not None


def test_lambda_and_common_service_policies_are_known() -> None:
    # the policies SAM attaches itself, and those sample projects attach most
    for name in (
        "AWSLambdaBasicExecutionRole",
        "AWSLambdaBasicDurableExecutionRolePolicy",
        "AWSLambdaVPCAccessExecutionRole",
        "AWSLambdaSQSQueueExecutionRole",
        "AWSLambdaKinesisExecutionRole",
        "AWSLambdaDynamoDBExecutionRole",
        "AWSLambdaMSKExecutionRole",
        "AWSXrayWriteOnlyAccess",
        "AWSXRayDaemonWriteAccess",
        "AWSLambdaRole",
        "AWSLambdaExecute",
        "CloudWatchLambdaInsightsExecutionRolePolicy",
        "AmazonS3ReadOnlyAccess",
        "AmazonDynamoDBReadOnlyAccess",
        "AmazonSSMReadOnlyAccess",
        "AmazonBedrockFullAccess",
        "SecretsManagerReadWrite",
    ):
        assert managed_policies.policy(name) is not None, name


def _role(*names: str) -> Role:
    loc = Loc(Path("template.yaml"))
    return Role(known=True, managed_policies=[ManagedPolicy(n, loc) for n in names])


def test_what_managed_policies_grant_decides_the_action_status() -> None:
    role = _role("arn:aws:iam::aws:policy/service-role/AWSLambdaRole", "AmazonS3ReadOnlyAccess")
    assert action_status(role, "lambda:InvokeFunction") == ALLOWED
    assert action_status(role, "s3:GetObject") == ALLOWED  # through s3:Get*
    assert action_status(role, "s3:PutObject") == MISSING
    # a Deny on every resource without a condition wins
    assert action_status(_role("AmazonS3FullAccess", "AWSDenyAll"), "s3:GetObject") == DENIED
    # a name the data does not have: the role's grants are not known
    assert action_status(_role("AWSLambdaRole", "AWSSomethingNewer"), "s3:PutObject") == (
        UNKNOWN_STATUS
    )
    assert action_status(_role("arn:aws:iam::123456789012:policy/team"), "s3:PutObject") == (
        UNKNOWN_STATUS
    )
    # the trust policy of the role assumed may grant it on its own (same account)
    assert action_status(_role("AWSLambdaBasicExecutionRole"), "sts:AssumeRole") == (
        UNKNOWN_STATUS
    )


DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "logs:PutLogEvents"], "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"},
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:*:*:q"},
        {"Effect": "Allow", "NotAction": ["iam:*"], "NotResource": "arn:aws:s3:::x"},
        {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    ],
}


def test_compact_statements_keep_what_the_checks_read(tmp_path: Path) -> None:
    compact = managed_policies.compact(DOCUMENT)
    assert compact == [
        {"Action": "logs:PutLogEvents s3:GetObject,ListBucket", "Resource": "*"},
        {"Action": "sqs:SendMessage"},
        {"NotAction": "iam:*", "NotResource": True},
        {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": True},
    ]


def _mamip(tmp_path: Path) -> Path:
    root = tmp_path / "MAMIP"
    (root / "policies").mkdir(parents=True)
    for name, path in (("ExampleAccess", "/"), ("ExampleServiceRolePolicy", "/aws-service-role/")):
        version = {"PolicyVersion": {"Document": DOCUMENT, "VersionId": "v1"}}
        (root / "policies" / name).write_text(json.dumps(version))
    (root / "policies" / "ExampleAccess.json").write_text("{}")  # a stray copy
    (root / "policies" / "LostDocument").write_text("")  # a snapshot that lost a document
    listing = [
        {"PolicyName": "ExampleAccess", "Path": "/", "UpdateDate": "2025-03-01T10:00:00+00:00"},
        {
            "PolicyName": "ExampleServiceRolePolicy",
            "Path": "/aws-service-role/",
            "UpdateDate": "2025-04-01T10:00:00+00:00",
        },
    ]
    (root / "policies-list.json").write_text(json.dumps({"Policies": listing}))
    return root


def test_regenerating_from_a_mamip_snapshot(tmp_path: Path) -> None:
    documents, date = managed_policies.read_mamip(_mamip(tmp_path))
    assert list(documents) == ["ExampleAccess"]
    assert date == "2025-04-01"


def test_regenerating_from_account_authorization_details(tmp_path: Path) -> None:
    details = {
        "Policies": [
            {
                "PolicyName": "ExampleAccess",
                "Path": "/",
                "Arn": "arn:aws:iam::aws:policy/ExampleAccess",
                "UpdateDate": "2025-05-02T00:00:00Z",
                "PolicyVersionList": [
                    {"Document": quote(json.dumps(DOCUMENT)), "IsDefaultVersion": True},
                    {"Document": {"Statement": []}, "IsDefaultVersion": False},
                ],
            },
            {
                "PolicyName": "team-policy",
                "Path": "/",
                "Arn": "arn:aws:iam::123456789012:policy/team-policy",
                "PolicyVersionList": [{"Document": DOCUMENT, "IsDefaultVersion": True}],
            },
        ]
    }
    file = tmp_path / "details.json"
    file.write_text(json.dumps(details))
    documents, date = managed_policies.read_authorization_details(file)
    assert documents == {"ExampleAccess": DOCUMENT}
    assert date == "2025-05-02"


def test_the_generator_runs_as_a_module(tmp_path: Path) -> None:
    out = tmp_path / "policies.json"
    done = subprocess.run(
        [sys.executable, "-m", "lambdalint.aws.managed_policies", str(_mamip(tmp_path)), str(out)],
        capture_output=True,
        check=False,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text())
    assert "MAMIP" in data["about"] and list(data["policies"]) == ["ExampleAccess"]


def test_the_shipped_file_is_compact() -> None:
    # one line per policy, no indentation: the package stays small
    text = managed_policies.DATA_FILE.read_text(encoding="utf-8")
    assert len(text) < 1_200_000
    assert "\n " not in text
    assert textwrap.dedent(text) == text
