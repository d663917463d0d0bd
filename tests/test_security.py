"""What a hostile pull request must not achieve through lambdalint: read files outside the
checked tree, print what it read, reach the network, or make a run take exponential time.
SECURITY.md states these promises; each test here holds one of them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from lambdalint.cli import main

SECRET = "lambdalint-test-secret-Zq8VtP2"

FUNCTION_TF = """\
resource "aws_lambda_function" "fn" {{
  function_name = "fn"
  filename      = "fn.zip"
  runtime       = "python3.12"
  handler       = {handler}
  role          = aws_iam_role.fn.arn
}}

resource "aws_iam_role" "fn" {{
  name               = "fn"
  assume_role_policy = "{{}}"
}}

resource "aws_iam_role_policy" "fn" {{
  role   = aws_iam_role.fn.id
  policy = {policy}
}}
"""


def _check(folder: Path, *args: str) -> tuple[int, str]:
    old = Path.cwd()
    os.chdir(folder)
    try:
        done = CliRunner().invoke(main, ["check", ".", "--no-cache", *args])
    finally:
        os.chdir(old)
    return done.exit_code, done.stdout + done.stderr if "json" not in args else done.stdout


def _every_format(folder: Path) -> str:
    out = []
    for fmt in ("text", "json", "sarif", "github"):
        code, text = _check(folder, "--format", fmt)
        assert code in (0, 1), text
        out.append(text)
    return "\n".join(out)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file outside the tree that is linted, holding a secret (a CI job's environment)."""
    secret = tmp_path / "outside" / "environ"
    secret.parent.mkdir()
    secret.write_text(f"GITHUB_TOKEN={SECRET}\n", encoding="utf-8")
    (tmp_path / "repo").mkdir()
    return secret


@pytest.mark.parametrize(
    "handler",
    [
        'file("{abs}")',
        'file("../outside/environ")',
        'trimspace(file("{abs}"))',
        '"${{file("{abs}")}}"',
        'file("link")',  # a symbolic link in the tree that points out of it
        'file("inside.txt")',  # inside the tree: read, but never echoed
    ],
)
def test_terraform_file_never_reads_out_of_the_tree_or_echoes(
    handler: str, outside: Path, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    (repo / "link").symlink_to(outside)
    (repo / "inside.txt").write_text(f"{SECRET} is not a handler\n", encoding="utf-8")
    tf = FUNCTION_TF.format(handler=handler.format(abs=outside), policy='file("link")')
    (repo / "main.tf").write_text(tf, encoding="utf-8")
    assert SECRET not in _every_format(repo)


def test_terraform_file_in_json_never_reads_out_of_the_tree(outside: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    doc = {
        "resource": {
            "aws_lambda_function": {
                "fn": {
                    "function_name": "fn",
                    "filename": "fn.zip",
                    "runtime": "python3.12",
                    "handler": f'${{file("{outside}")}}',
                    "environment": {"variables": {"X": f'${{file("{outside}")}}'}},
                }
            }
        }
    }
    (repo / "main.tf.json").write_text(json.dumps(doc), encoding="utf-8")
    assert SECRET not in _every_format(repo)


def test_terraform_file_policy_inside_the_tree_is_still_read(tmp_path: Path) -> None:
    """The legitimate use: a policy document kept next to the module, reported on its lines."""
    repo = tmp_path / "repo"
    repo.mkdir()
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    (repo / "policy.json").write_text(json.dumps(policy, indent=2), encoding="utf-8")
    tf = FUNCTION_TF.format(handler='"app.handler"', policy='file("${path.module}/policy.json")')
    (repo / "main.tf").write_text(tf, encoding="utf-8")
    code, out = _check(repo, "--select", "LL201", "--format", "json")
    findings = json.loads(out)["findings"]
    assert [(f["rule_id"], f["path"]) for f in findings] == [("LL201", "policy.json")]


def test_policy_file_linked_out_of_the_tree_is_not_read(outside: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    outside.write_text(json.dumps(policy), encoding="utf-8")
    (repo / "policy.json").symlink_to(outside)
    tf = FUNCTION_TF.format(handler='"app.handler"', policy='file("policy.json")')
    (repo / "main.tf").write_text(tf, encoding="utf-8")
    code, out = _check(repo, "--select", "LL201", "--format", "json")
    assert json.loads(out)["findings"] == []


# ---------------------------------------------------------------- links out of the tree

SAM_FN = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: {handler}
      CodeUri: {code_uri}
"""


def _cli_in(folder: Path, *args: str) -> tuple[int, str, str]:
    old = Path.cwd()
    os.chdir(folder)
    try:
        done = CliRunner().invoke(main, ["check", "--no-cache", *args])
    finally:
        os.chdir(old)
    return done.exit_code, done.stdout, done.stderr


def test_precommit_path_does_not_offer_templates_linked_out_of_the_tree(tmp_path: Path) -> None:
    """`lambdalint check src/app.py` looks for templates next to the file: a link among them
    that leads out of the tree (to /etc/passwd, to a template elsewhere) is not offered."""
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    (repo / "src").mkdir(parents=True)
    outside.mkdir()
    (outside / "template.yaml").write_text(
        SAM_FN.format(handler="outside", code_uri="."), encoding="utf-8"
    )
    (repo / "src" / "app.py").write_text("def handler(e, c):\n    return e\n", encoding="utf-8")
    (repo / "src" / "elsewhere.yaml").symlink_to(outside / "template.yaml")
    (repo / "src" / "passwd.yaml").symlink_to("/etc/passwd")
    code, out, err = _cli_in(repo, "src/app.py")
    assert code == 0, out + err
    assert "src/elsewhere.yaml: not followed: symbolic link out of the tree" in err
    assert "src/passwd.yaml: not followed: symbolic link out of the tree" in err
    assert "outside" not in out


def test_a_file_given_by_name_that_links_out_of_the_tree_is_not_read(tmp_path: Path) -> None:
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    repo.mkdir()
    outside.mkdir()
    (outside / "template.yaml").write_text(
        SAM_FN.format(handler="outside", code_uri="."), encoding="utf-8"
    )
    (repo / "changed.yaml").symlink_to(outside / "template.yaml")
    code, out, err = _cli_in(repo, "changed.yaml")
    assert code == 0, out + err
    assert "changed.yaml: not followed: symbolic link out of the tree" in err
    assert "'outside'" not in out


@pytest.mark.parametrize("linked", ["file", "folder", "deeper", "zip"])
def test_code_reached_through_a_link_out_of_the_tree_is_not_looked_into(
    linked: str, tmp_path: Path
) -> None:
    """A handler file, a code folder or an archive linked out of the tree: no finding is made
    from what lies there (it could be anything), and a notice says why."""
    import zipfile

    repo, outside = tmp_path / "repo", tmp_path / "outside"
    (repo / "src").mkdir(parents=True)
    (outside / "code" / "deeper").mkdir(parents=True)
    (outside / "app.py").write_text("def other(e, c):\n    return e\n", encoding="utf-8")
    (outside / "code" / "deeper" / "app.py").write_text(SECRET, encoding="utf-8")
    with zipfile.ZipFile(outside / "code.zip", "w") as archive:
        archive.writestr("deeper/app.py", SECRET)
    code_uri = {"file": "src/", "folder": "code/", "deeper": "src/", "zip": "code.zip"}[linked]
    (repo / "template.yaml").write_text(
        SAM_FN.format(handler="app.handler", code_uri=code_uri), encoding="utf-8"
    )
    if linked == "file":
        (repo / "src" / "app.py").symlink_to(outside / "app.py")
    elif linked == "folder":
        (repo / "code").symlink_to(outside / "code")
    elif linked == "deeper":
        (repo / "src" / "deeper").symlink_to(outside / "code" / "deeper")
    else:
        (repo / "code.zip").symlink_to(outside / "code.zip")
    code, out, err = _cli_in(repo, "--select", "LL101,LL102", ".")
    if linked == "deeper":  # missing: said without what lies behind the link
        assert code == 1 and "LL101" in out and "deeper" not in out, out
    else:
        assert code == 0, out + err
        assert "not followed: symbolic link out of the tree" in err
    assert SECRET not in out + err
