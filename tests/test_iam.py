"""IAM semantics: wildcards, access levels, escalation actions, 'every resource'."""

from __future__ import annotations

import pytest

from lambdalint.aws import iam
from lambdalint.model import Loc, Statement


def _stmt(actions: list[str], resources: list[str], **kw: object) -> Statement:
    from pathlib import Path

    return Statement("Allow", actions, resources, Loc(Path("t.yaml")), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "action, expected",
    [
        ("*", True),
        ("s3:*", True),
        ("*:Get*", True),
        ("Polly:*", True),
        ("s3:Get*", False),
        ("s3:GetObject", False),
    ],
)
def test_service_wildcards(action: str, expected: bool) -> None:
    assert iam.is_service_wildcard(action) is expected


def test_expand_keeps_a_family_and_unknown_actions() -> None:
    gets = iam.expand("s3:Get*")
    assert "s3:getobject" in gets and "s3:putobject" not in gets
    assert iam.expand("madeup:DoThing") == frozenset({"madeup:dothing"})
    assert iam.expand("S3:GetObject") == frozenset({"s3:getobject"})


def test_write_actions_leave_out_reads_and_unscoped_logging() -> None:
    found = iam.write_actions(
        ["s3:GetObject", "s3:PutObject", "logs:PutLogEvents", "xray:PutTraceSegments"]
    )
    assert found == {"s3:PutObject": ["s3:putobject"]}
    logs = iam.write_actions(["logs:*"])["logs:*"]
    assert "logs:deleteloggroup" in logs and "logs:putlogevents" not in logs
    assert iam.write_actions(["cloudwatch:PutMetricData", "ec2:CreateNetworkInterface"]) == {}


def test_escalation_actions() -> None:
    assert "iam:passrole" in iam.escalation_actions(["iam:*"])["iam:*"]
    assert iam.escalation_actions(["iam:PassRole", "s3:GetObject"]) == {
        "iam:PassRole": ["iam:PassRole"]
    }
    assert iam.escalation_actions(["iam:Get*", "iam:List*"]) == {}
    puts = iam.escalation_actions(["iam:Put*"])["iam:Put*"]
    assert "iam:putrolepolicy" in puts and "iam:putrolepermissionsboundary" not in puts


@pytest.mark.parametrize(
    "resource, expected",
    [
        ("*", True),
        ("arn:aws:iam::${AWS::AccountId}:role/*", True),
        ("arn:aws:lambda:*:*:function:*", True),
        ("arn:aws:iam::123456789012:role/app-*", False),
        ("arn:aws:s3:::uploads/*", False),
        ("arn:${AWS::Partition}:s3:::${Bucket}/*", False),
    ],
)
def test_any_resource(resource: str, expected: bool) -> None:
    assert iam.is_any_resource(resource) is expected


def test_every_resource_is_star_or_not_resource() -> None:
    assert iam.on_every_resource(_stmt(["s3:PutObject"], ["*"]))
    assert iam.on_every_resource(_stmt(["s3:PutObject"], [], not_resources=["arn:aws:s3:::x"]))
    assert not iam.on_every_resource(_stmt(["iam:PassRole"], ["arn:aws:iam::1:role/*"]))
    assert iam.on_any_resource_of_a_type(_stmt(["iam:PassRole"], ["arn:aws:iam::1:role/*"]))


def test_describe_and_spelling() -> None:
    assert iam.describe("s3:PutObject", ["s3:putobject"]) == "s3:PutObject"
    text = iam.describe(
        "s3:Put*", ["s3:putobject", "s3:putobjectacl", "s3:putbucketpolicy", "s3:putbucketacl"]
    )
    assert text.startswith("s3:Put* (including s3:PutObject, ") and "1 more" in text


def test_aws_managed_names() -> None:
    assert iam.is_aws_managed_name("AmazonS3FullAccess")
    assert iam.is_aws_managed_name("arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess")
    assert not iam.is_aws_managed_name("arn:aws:iam::123456789012:policy/TeamFullAccess")
    assert iam.policy_name("arn:aws:iam::aws:policy/service-role/AWSLambdaRole") == "AWSLambdaRole"


@pytest.mark.parametrize(
    "pattern",
    ["s3:Get*", "s3:*", "S3:*Object*", "iam:Pass*", "sqs:?endMessage", "*", "s3*:Get*", "*:Get*"],
)
def test_expanding_by_service_gives_what_matching_every_action_gives(pattern: str) -> None:
    """`s3:Get*` is matched against S3's actions only; the result is unchanged."""
    import fnmatch

    from lambdalint.aws import iam

    lowered = pattern.lower()
    expected = frozenset(fnmatch.filter(iam._universe()[0], lowered)) or frozenset({lowered})
    assert iam.expand(pattern) == expected


def test_the_shipped_action_list_is_policyuniverses() -> None:
    """data/iam_actions.json is what `python -m lambdalint.aws.iam` makes of policyuniverse's
    data (read instead of it: 0.02 s against 0.18 s); stale when they differ."""
    import json

    shipped = json.loads(iam.ACTIONS_FILE.read_text(encoding="utf-8"))["services"]
    assert shipped == iam.policyuniverse_actions()
    assert iam.access_level("s3:getobject") == "Read"
    assert iam.spelling("s3:putobject") == "s3:PutObject"
