"""`check --fix`, `--unsafe-fixes` and `--diff`: which fixes apply, what is written and what is
never written (a link, a file outside the tree, a file changed meanwhile, a fix that would break
a file), and how the text, JSON and SARIF reports show fixes."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from lambdalint import writing
from lambdalint.checks import limits
from lambdalint.checks.code import writes_to_any_log_group
from lambdalint.cli import main
from lambdalint.findings import Edit, Finding, Fix
from lambdalint.model import Loc, Pos, Role, Statement

SCHEMA_FILE = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"

# LL503 (safe: the queue's visibility timeout) and LL504 (unsafe: a timeout for Worker)
TEMPLATE = """\
# orders service
Transform: AWS::Serverless-2016-10-31
Resources:
  Consumer:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "def handler(event, context): pass"
      Handler: index.handler
      Runtime: python3.12
      Timeout: 10   # seconds
      Events:
        Jobs: {Type: SQS, Properties: {Queue: !GetAtt Jobs.Arn}}
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 30  # too short
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "def handler(event, context): pass"
      Handler: index.handler
      Runtime: python3.12
  Logs:
    Type: AWS::Logs::LogGroup
    Properties: {LogGroupName: !Sub "/aws/lambda/${Consumer}", RetentionInDays: 7}
  WorkerLogs:
    Type: AWS::Logs::LogGroup
    Properties: {LogGroupName: !Sub "/aws/lambda/${Worker}", RetentionInDays: 7}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    monkeypatch.chdir(repo)
    return repo


def check(*args: str) -> tuple[int, str, str]:
    done = CliRunner().invoke(main, ["check", "--no-cache", "--no-color", *args])
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        raise done.exception
    return done.exit_code, done.stdout, done.stderr


def test_text_marks_what_fix_would_fix_and_counts_the_rest(project: Path) -> None:
    code, out, _ = check(".")
    assert code == 1
    assert "template.yaml:16:26: LL503 [*] queue Jobs" in out
    assert "template.yaml:17:3: LL504 " in out  # unsafe: not marked
    assert "LL504 [*]" not in out
    assert out.splitlines()[-1] == "[*] 1 fixable with --fix (1 more with --unsafe-fixes)."
    _, out, _ = check(".", "--unsafe-fixes")
    assert "template.yaml:17:3: LL504 [*] " in out
    assert out.splitlines()[-1] == "[*] 2 fixable with --fix."
    _, quiet, _ = check(".", "-q")
    assert "fixable" not in quiet and "Found" not in quiet
    assert sum(line.startswith("template.yaml:") for line in quiet.splitlines()) == 2


def test_fix_applies_safe_fixes_only_and_reports_what_is_left(project: Path) -> None:
    code, out, _ = check(".", "--fix")
    text = (project / "template.yaml").read_text(encoding="utf-8")
    assert "VisibilityTimeout: 60  # too short" in text  # 6 × 10 s, the comment kept
    assert text == TEMPLATE.replace("VisibilityTimeout: 30", "VisibilityTimeout: 60")
    assert "Fixed 1 finding (1 LL503)." in out
    assert "LL504" in out and "LL503" not in out.split("Found")[0]
    assert code == 0  # LL504 is info, under the default fail-on


def test_exit_non_zero_on_fix_fails_when_a_file_changed(project: Path) -> None:
    code, out, _ = check(".", "--fix", "--exit-non-zero-on-fix", "--select", "LL503")
    assert "Fixed 1 finding (1 LL503)." in out and "All checks passed" in out
    assert code == 1  # nothing left, but a file changed
    assert check(".", "--fix", "--exit-non-zero-on-fix", "--select", "LL503")[0] == 0


def test_unsafe_fixes_apply_with_the_flag(project: Path) -> None:
    code, out, _ = check(".", "--fix", "--unsafe-fixes")
    text = (project / "template.yaml").read_text(encoding="utf-8")
    assert "      Runtime: python3.12\n      Timeout: 30\n  Logs:" in text
    assert "Fixed 2 findings (1 LL503, 1 LL504)." in out
    assert "All checks passed" in out
    assert code == 0
    # nothing left: a second run changes nothing
    before = (project / "template.yaml").read_bytes()
    assert check(".", "--fix", "--unsafe-fixes")[0] == 0
    assert (project / "template.yaml").read_bytes() == before


def test_diff_prints_what_would_change_and_changes_nothing(project: Path) -> None:
    code, out, err = check(".", "--diff", "--unsafe-fixes")
    assert code == 1
    assert (project / "template.yaml").read_text(encoding="utf-8") == TEMPLATE
    assert out.startswith("--- template.yaml\n+++ template.yaml\n@@ ")
    assert (
        "-      VisibilityTimeout: 30  # too short\n+      VisibilityTimeout: 60  # too short\n"
        in out
    )
    assert "+      Timeout: 30\n" in out
    assert "would fix 2 findings" in err
    check(".", "--fix", "--unsafe-fixes")
    code, out, err = check(".", "--diff", "--unsafe-fixes")
    assert (code, out) == (0, "")
    assert "nothing to fix" in err


def test_a_symbolic_link_is_never_written_through(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(TEMPLATE, encoding="utf-8")
    (project / "template.yaml").unlink()
    (project / "template.yaml").symlink_to(outside)
    check(".", "--fix", "--unsafe-fixes")
    assert outside.read_text(encoding="utf-8") == TEMPLATE
    assert (project / "template.yaml").is_symlink()


def test_a_link_inside_the_tree_is_not_fixed_either(project: Path) -> None:
    (project / "real").mkdir()
    (project / "template.yaml").rename(project / "real" / "template.yaml")
    (project / "template.yaml").symlink_to(project / "real" / "template.yaml")
    _, _, err = check("template.yaml", "--fix", "--unsafe-fixes")
    assert "template.yaml: not fixed: not a regular file (a symbolic link?)" in err
    assert (project / "real" / "template.yaml").read_text(encoding="utf-8") == TEMPLATE


def test_a_file_changed_between_lint_and_write_is_left_alone(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = writing.replace_file

    def edited_meanwhile(path: Path, data: bytes, expected: bytes) -> None:
        path.write_text("# edited in an editor meanwhile\n" + TEMPLATE, encoding="utf-8")
        real(path, data, expected)

    monkeypatch.setattr(writing, "replace_file", edited_meanwhile)
    _, out, err = check(".", "--fix")
    assert "template.yaml: not fixed: it changed since it was read" in err
    assert (project / "template.yaml").read_text(encoding="utf-8").startswith("# edited")
    assert "Fixed" in out  # counted by the rounds, and what is left is linted from disk
    assert "LL503" in out.split("Found")[0]


def test_the_file_keeps_its_mode_its_byte_order_mark_and_line_endings(project: Path) -> None:
    path = project / "template.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + TEMPLATE.replace("\n", "\r\n").encode("utf-8"))
    os.chmod(path, 0o640)
    check(".", "--fix", "--unsafe-fixes")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert b"      Timeout: 30\r\n" in raw and b"VisibilityTimeout: 60  # too short\r\n" in raw
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in project.iterdir()] == ["template.yaml"]  # no temporary file left


def test_a_utf16_file_is_not_fixed(project: Path) -> None:
    path = project / "template.yaml"
    path.write_bytes(TEMPLATE.encode("utf-16"))
    _, _, err = check(".", "--fix", "--unsafe-fixes")
    assert "not fixed: not UTF-8 text" in err
    assert path.read_bytes() == TEMPLATE.encode("utf-16")


@pytest.fixture
def breaking_fix(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """LL504's fix replaced by one that leaves a tab where YAML forbids it."""
    real = limits.timeout_not_set

    def broken(fn: Any, ctx: Any) -> Iterator[Finding]:
        for finding in real(fn, ctx):
            if finding.fix is not None:
                edit = finding.fix.edits[0]
                bad = Edit(edit.path, edit.start, edit.end, "\n\t- broken: [", edit.span)
                finding.fix = Fix(finding.fix.title, (bad,))
            yield finding

    monkeypatch.setattr(limits, "timeout_not_set", broken)
    yield


@pytest.mark.usefixtures("breaking_fix")
def test_a_fix_that_would_break_the_file_is_not_applied(project: Path) -> None:
    _code, out, err = check(".", "--fix", "--unsafe-fixes")
    text = (project / "template.yaml").read_text(encoding="utf-8")
    assert "broken" not in text
    assert "VisibilityTimeout: 60" in text  # the other fix of the file still applies
    assert "the fix for LL504 was not applied: the file would no longer parse" in err
    assert "Fixed 1 finding (1 LL503)." in out


def test_json_carries_the_fix(project: Path) -> None:
    _, out, _ = check(".", "--format", "json")
    doc = json.loads(out)
    fixes = {f["rule_id"]: f["fix"] for f in doc["findings"]}
    assert fixes["LL503"] == {
        "title": "Raise the queue's VisibilityTimeout to 60 seconds",
        "applicability": "safe",
        "edits": [
            {
                "path": "template.yaml",
                "line": 16,
                "column": 26,
                "end_line": 16,
                "end_column": 28,
                "content": "60",
            }
        ],
    }
    assert fixes["LL504"]["applicability"] == "unsafe"
    assert doc["summary"]["fixable"] == 1 and doc["summary"]["fixable_unsafe"] == 1


def test_sarif_fixes_are_valid_replacements(project: Path) -> None:
    _, out, _ = check(".", "--format", "sarif")
    doc = json.loads(out)
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft4Validator(schema).iter_errors(doc))
    assert not errors, errors[0].message
    results = {r["ruleId"]: r for r in doc["runs"][0]["results"]}
    fix = results["LL503"]["fixes"][0]
    assert fix["description"]["text"] == "Raise the queue's VisibilityTimeout to 60 seconds"
    change = fix["artifactChanges"][0]
    assert change["artifactLocation"] == {"uri": "template.yaml", "uriBaseId": "%SRCROOT%"}
    assert change["replacements"] == [
        {
            "deletedRegion": {"startLine": 16, "startColumn": 26, "endLine": 16, "endColumn": 28},
            "insertedContent": {"text": "60"},
        }
    ]
    insertion = results["LL504"]["fixes"][0]["artifactChanges"][0]["replacements"][0]
    region = insertion["deletedRegion"]
    assert (region["startLine"], region["startColumn"]) == (region["endLine"], region["endColumn"])


def test_code_fixes_are_announced_without_libcst_and_computed_when_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A text report marks LL107's fix without rewriting the code (libcst is not needed to
    say the fix exists); JSON shows its edit; --fix applies it."""
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "app.py").write_text(
        'import boto3\n\n\ndef handler(event, context):\n    s3 = boto3.client("s3")\n'
        "    return s3.list_buckets()\n",
        encoding="utf-8",
    )
    (repo / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n"
        "    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n"
        "      Handler: app.handler\n      Runtime: python3.12\n      Timeout: 10\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(repo)
    _, out, _ = check(".", "--select", "LL107")
    assert "src/app.py:5:10: LL107 [*] " in out
    _, out, _ = check(".", "--select", "LL107", "--format", "json")
    (finding,) = json.loads(out)["findings"]
    assert finding["fix"]["edits"][0]["content"].startswith('s3 = boto3.client("s3")\n\n\ndef')
    check(".", "--select", "LL107", "--fix")
    assert (repo / "src" / "app.py").read_text(encoding="utf-8") == (
        'import boto3\n\n\ns3 = boto3.client("s3")\n\n\ndef handler(event, context):\n'
        "    return s3.list_buckets()\n"
    )


def test_replace_file_refuses_links_and_changed_files(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"a: 1\n")
    with pytest.raises(writing.ChangedOnDisk):
        writing.replace_file(path, b"a: 2\n", b"a: 0\n")
    assert path.read_bytes() == b"a: 1\n"
    link = tmp_path / "link.yaml"
    link.symlink_to(path)
    with pytest.raises(OSError):
        writing.replace_file(link, b"a: 2\n", b"a: 1\n")
    assert path.read_bytes() == b"a: 1\n" and link.is_symlink()
    writing.replace_file(path, b"a: 2\n", b"a: 1\n")
    assert path.read_bytes() == b"a: 2\n"


def _role(*statements: tuple[str, list[str], list[str]], condition: bool = False) -> Role:
    where = Loc(Path("template.yaml"), Pos(1, 1))
    return Role(
        known=True,
        statements=[
            Statement(effect, actions, resources, where, has_condition=condition)
            for effect, actions, resources in statements
        ],
    )


WRITE = ["logs:CreateLogStream", "logs:PutLogEvents"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (_role(("Allow", WRITE, ["*"])), True),
        (_role(("Allow", ["logs:*"], ["arn:aws:logs:*:*:*"])), True),
        (
            _role(("Allow", WRITE, ["arn:${AWS::Partition}:logs:${AWS::Region}:1:log-group:*"])),
            True,
        ),
        (_role(("Allow", WRITE, ["arn:aws:logs:*:*:log-group:/aws/lambda/orders:*"])), False),
        (_role(("Allow", ["logs:PutLogEvents"], ["*"])), False),  # no CreateLogStream
        (_role(("Allow", WRITE, ["*"]), condition=True), False),
        (_role(("Allow", WRITE, ["*"]), ("Deny", ["logs:PutLogEvents"], ["*"])), False),
        (Role(known=False), False),
    ],
)
def test_logs_move_to_a_new_group_only_when_the_role_writes_to_any(
    role: Role, expected: bool
) -> None:
    """LL301's SAM and CloudFormation fix sends the logs to a new group: only for a role that
    surely lets the function write there."""
    assert writes_to_any_log_group(role) is expected


# LL201/LL202's fix: the role's "*" replaced with what the code needs, only while what Lambda
# itself does with the role stays granted by the rest of the role
WILDCARD_ROLE = """\
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.13
      Handler: app.handler
      Code: src/
      Role: !GetAtt FnRole.Arn
      Environment: {Variables: {BUCKET: !Ref Exports}}
EXTRA
  FnRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
MANAGED
      Policies:
        - PolicyName: all
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: "*"
                Resource: "*"
GRANTS
  Exports:
    Type: AWS::S3::Bucket
  Jobs:
    Type: AWS::SQS::Queue
  Dlq:
    Type: AWS::SQS::Queue
"""
_MANAGED = "        - arn:aws:iam::aws:policy/"
_MAPPING = """\
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties: {FunctionName: !Ref Fn, EventSourceArn: !GetAtt Jobs.Arn}"""
_POLL = """\
              - Effect: Allow
                Action: [sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes]
                Resource: !GetAtt Jobs.Arn"""
_VPC = "      VpcConfig: {SubnetIds: [subnet-1], SecurityGroupIds: [sg-1]}"
_TRACING = "      TracingConfig: {Mode: Active}"


@pytest.mark.parametrize(
    ("extra", "managed", "grants", "fixed"),
    [
        ("", "", "", True),
        (_VPC, "", "", False),  # the network interfaces Lambda makes for the function
        (_VPC, "service-role/AWSLambdaVPCAccessExecutionRole", "", True),
        (_TRACING, "", "", False),  # the traces Lambda sends
        (_TRACING, "AWSXRayDaemonWriteAccess", "", True),
        (_MAPPING, "", "", False),  # the queue Lambda polls
        (_MAPPING, "", _POLL, True),
        ("      DeadLetterConfig: {TargetArn: !GetAtt Dlq.Arn}", "", "", False),
    ],
)
def test_a_wildcard_is_replaced_only_while_lambda_keeps_what_it_uses(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    extra: str,
    managed: str,
    grants: str,
    fixed: bool,
) -> None:
    text = (
        WILDCARD_ROLE.replace("EXTRA\n", extra + "\n" if extra and "Mapping" not in extra else "")
        .replace("MANAGED\n", _MANAGED + managed + "\n" if managed else "")
        .replace("GRANTS\n", grants + "\n" if grants else "")
    )
    if "Mapping" in extra:
        text += extra + "\n"
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(
        "import os\nimport boto3\n\ns3 = boto3.client('s3')\n\n\n"
        "def handler(event, context):\n"
        "    s3.put_object(Bucket=os.environ['BUCKET'], Key='k', Body=b'')\n",
        encoding="utf-8",
    )
    (tmp_path / "template.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    _, out, err = check(".", "--select", "LL201", "--unsafe-fixes", "--diff")
    assert ("+                  - s3:PutObject" in out) is fixed, out + err
    assert ('Resource: !Sub "${Exports.Arn}/k"' in out) is fixed
