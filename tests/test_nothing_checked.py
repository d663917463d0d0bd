"""Checking nothing is never reported as success: no functions under a folder, a CDK app not
synthesized, and rule selectors that select no rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from lambdalint.cli import main

SAM_FUNCTION = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Timeout: 10
"""


def _check(cwd: Path, *args: str) -> tuple[int, str, str]:
    import os

    old = Path.cwd()
    os.chdir(cwd)
    try:
        done = CliRunner().invoke(main, ["check", "--no-cache", *args], catch_exceptions=False)
    finally:
        os.chdir(old)
    return done.exit_code, done.stdout, done.stderr


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- no functions


def test_an_empty_folder_is_not_a_success(tmp_path: Path) -> None:
    code, out, err = _check(tmp_path)
    assert code == 2
    assert "All checks passed" not in out
    assert out.strip() == "No Lambda functions found: nothing was checked."
    assert "error: no Lambda functions found under ." in err


def test_a_folder_without_functions_is_not_a_success(tmp_path: Path) -> None:
    _write(
        tmp_path / "infra" / "template.yaml",
        "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n",
    )
    _write(tmp_path / "docs" / "mkdocs.yml", "site_name: x\n")
    code, out, err = _check(tmp_path, "infra", "docs")
    assert code == 2, out
    assert "no Lambda functions found under infra, docs" in err
    # in every format, and whatever --exit-zero says about findings
    for args in (("--format", "json"), ("--format", "sarif"), ("--exit-zero",), ("-q",)):
        code, out, err = _check(tmp_path, "infra", *args)
        assert code == 2, args
        assert "All checks passed" not in out
        assert "no Lambda functions found under infra" in err


def test_findings_without_functions_still_fail_with_exit_1(tmp_path: Path) -> None:
    _write(tmp_path / "template.yaml", "Resources:\n  Fn: [unclosed\n")
    code, out, err = _check(tmp_path)
    assert code == 1
    assert "LL100" in out
    assert "no Lambda functions found" in err


def test_files_given_one_by_one_that_concern_no_function(tmp_path: Path) -> None:
    # pre-commit passes the changed files: a test file or a manifest is nothing to check
    _write(tmp_path / "template.yaml", SAM_FUNCTION)
    _write(tmp_path / "src" / "app.py", "def handler(event, context):\n    return 1\n")
    _write(tmp_path / "tests" / "test_app.py", "def test_x():\n    pass\n")
    _write(tmp_path / "package.json", "{}")
    code, out, err = _check(tmp_path, "tests/test_app.py", "package.json")
    assert code == 0
    assert "All checks passed" not in out
    assert "nothing checked: no Lambda function is defined in the given files" in err
    # and a changed handler is checked as before
    code, out, _ = _check(tmp_path, "src/app.py", "--select", "LL1")
    assert code == 0 and out.startswith("All checks passed (1 function checked)")


def test_a_run_with_functions_still_passes(tmp_path: Path) -> None:
    _write(tmp_path / "template.yaml", SAM_FUNCTION)
    _write(tmp_path / "src" / "app.py", "def handler(event, context):\n    return 1\n")
    code, out, _ = _check(tmp_path, "--select", "LL1")
    assert code == 0 and out.startswith("All checks passed (1 function checked)")


# ---------------------------------------------------------------- CDK


def test_a_cdk_app_without_cdk_out_says_run_cdk_synth(tmp_path: Path) -> None:
    _write(tmp_path / "cdk.json", json.dumps({"app": "npx ts-node bin/app.ts"}))
    _write(tmp_path / "lib" / "stack.ts", "export class Stack {}\n")
    code, out, err = _check(tmp_path)
    assert code == 2
    assert "All checks passed" not in out
    assert "cdk.json: a CDK app without synthesized templates: run `cdk synth`" in err
    assert "no Lambda functions found under . (a CDK app: run `cdk synth` first" in err
    code, _, err = _check(tmp_path, "-q")
    assert code == 2 and "run `cdk synth` first" in err


CDK_TEMPLATE = {
    "Resources": {
        "Fn9270CBC0": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Code": {"S3Bucket": "cdk-assets", "S3Key": "abc.zip"},
                "Handler": "index.handler",
                "Runtime": "python3.12",
                "Timeout": 1000,
            },
            "Metadata": {"aws:cdk:path": "App/Fn/Resource", "aws:asset:path": "asset.abc"},
        }
    }
}


def test_cdk_out_next_to_cdk_json_is_linted(tmp_path: Path) -> None:
    _write(tmp_path / "cdk.json", json.dumps({"app": "python3 app.py"}))
    _write(tmp_path / "cdk.out" / "App.template.json", json.dumps(CDK_TEMPLATE))
    _write(tmp_path / "cdk.out" / "asset.abc" / "index.py", "def handler(e, c):\n    return 1\n")
    # an asset folder is a copy of project files: never linted as templates
    _write(tmp_path / "cdk.out" / "asset.abc" / "template.yaml", SAM_FUNCTION)
    code, out, err = _check(tmp_path, "--select", "LL501,LL102")
    assert code == 1, err
    assert "cdk.out/App.template.json:" in out and "LL501" in out
    assert "asset.abc/template.yaml" not in out
    assert "cdk synth" not in err


# ---------------------------------------------------------------- rule selectors


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("--select", "LL9999"), "'LL9999' for --select"),
        (("--select", "LL101,XX9"), "'XX9' for --select"),
        (("--ignore", "ll101"), "'ll101' for --ignore"),
    ],
)
def test_unknown_selectors_on_the_command_line_are_usage_errors(
    args: tuple[str, ...], named: str
) -> None:
    code, out, err = _check(FIXTURES / "LL102-handler-function-missing" / "wrong-name", *args)
    assert code == 2
    assert out == ""
    assert named in err and "unknown rule selector" in err


@pytest.mark.parametrize(
    ("table", "named"),
    [
        ('select = ["XX9"]', "select: unknown rule selector 'XX9'"),
        ('ignore = ["LL4", "LL9"]', "ignore: unknown rule selector 'LL9'"),
        ('severity = {LL999 = "error"}', "severity: unknown rule 'LL999'"),
        (
            '[tool.lambdalint.per-file-ignores]\n"src/*" = ["LL1", "LL77"]',
            "per-file-ignores.src/*: unknown rule selector 'LL77'",
        ),
    ],
)
def test_unknown_selectors_in_the_configuration_are_usage_errors(
    tmp_path: Path, table: str, named: str
) -> None:
    _write(tmp_path / "template.yaml", SAM_FUNCTION)
    _write(tmp_path / "src" / "app.py", "def handler(event, context):\n    return 1\n")
    _write(tmp_path / "pyproject.toml", f"[tool.lambdalint]\n{table}\n")
    code, out, err = _check(tmp_path)
    assert code == 2
    assert out == ""
    assert f"pyproject.toml [tool.lambdalint]: {named}" in err


def test_selectors_of_custom_rules_are_known(tmp_path: Path) -> None:
    _write(tmp_path / "template.yaml", SAM_FUNCTION)
    _write(tmp_path / "src" / "app.py", "def handler(event, context):\n    return 1\n")
    _write(
        tmp_path / "org-rules" / "ORG001.yaml",
        "id: ORG001\nname: require-owner-tag\nseverity: error\ncategory: custom\n"
        "summary: Functions must carry an owner tag\n"
        "policy:\n  require: {required: [tags], properties: {tags: {required: [owner]}}}\n",
    )
    _write(tmp_path / ".lambdalint.yaml", "extend-rules: [org-rules]\nselect: [ORG]\n")
    code, out, err = _check(tmp_path)
    assert code == 1, err
    assert "ORG001" in out
    code, out, err = _check(tmp_path, "--select", "ORG001")
    assert code == 1, err
