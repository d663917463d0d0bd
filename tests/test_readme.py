"""The README's snippets work when copied as written: configuration, policies, suppressions,
baseline commands, the pre-commit snippet and both GitHub workflows."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT

from lambdalint import __version__
from lambdalint.filters import suppress
from lambdalint.cli import main

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = [
    (m.group(1), m.group(2))
    for m in re.finditer(r"^```(\w*)\n(.*?)^```", README, re.MULTILINE | re.DOTALL)
]
HOMEPAGE = re.search(
    r'^Homepage = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.MULTILINE
).group(1)  # type: ignore[union-attr]
REPO_SLUG = HOMEPAGE.removeprefix("https://github.com/")


def blocks(lang: str, contains: str) -> list[str]:
    return [text for kind, text in BLOCKS if kind == lang and contains in text]


def one(lang: str, contains: str) -> str:
    found = blocks(lang, contains)
    assert len(found) == 1, (
        f"expected one ```{lang} block containing {contains!r}, found {len(found)}"
    )
    return found[0]


POLICIES = blocks("yaml", "policy:")
TOML_CONFIG = one("toml", "[tool.lambdalint]")
YAML_CONFIG = one("yaml", "extend-rules: [policies]")

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Compliant:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Architectures: [arm64]
      Tags: {owner: payments}
  NoOwner:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Architectures: [arm64]
  OldPython:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.9
      Architectures: [arm64]
      Tags: {owner: search}
  OnX86:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.13
      Tags: {owner: search}
  NodeOnX86:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: index.handler
      Runtime: nodejs20.x
      Tags: {owner: web}
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 30
Globals:
  Function:
    Timeout: 10
    LoggingConfig: {LogGroup: !Ref Logs}
"""

EXPECTED = {
    ("ORG001", "NoOwner", 11, "NoOwner has no 'owner' tag"),
    (
        "ORG002",
        "OldPython",
        23,
        "OldPython: runtime is python3.9; use python3.11 or later on arm64",
    ),
    ("ORG002", "OnX86", 26, "OnX86: architectures is []; use python3.11 or later on arm64"),
    (
        "LL506",
        "OldPython",
        23,
        "runtime python3.9 is deprecated since 2025-12-15 (no more security patches); "
        "updates will be blocked from 2027-03-03; upgrade to python3.14",
    ),
}


def _project(root: Path) -> Path:
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text("def handler(event, context):\n    return event\n")
    (root / "src" / "index.js").write_text("exports.handler = async (event) => event;\n")
    (root / "template.yaml").write_text(TEMPLATE)
    (root / "policies").mkdir()
    for text in POLICIES:
        rule_id = yaml.safe_load(text)["id"]
        (root / "policies" / f"{rule_id}.yaml").write_text(text)
    return root


def _findings(
    root: Path, monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, set[tuple[str, str, int, str]]]:
    monkeypatch.chdir(root)
    result = CliRunner().invoke(
        main, ["check", "--no-cache", "--format", "json", *args], catch_exceptions=False
    )
    assert result.stdout, result.stderr
    doc = json.loads(result.stdout)
    return result.exit_code, {
        (f["rule_id"], f["function"], f["line"], f["message"]) for f in doc["findings"]
    }


def test_readme_has_two_policies_and_both_config_formats() -> None:
    assert {yaml.safe_load(p)["id"] for p in POLICIES} == {"ORG001", "ORG002"}
    assert TOML_CONFIG and YAML_CONFIG


def test_policies_with_the_toml_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path)
    (root / "pyproject.toml").write_text(TOML_CONFIG)
    code, found = _findings(root, monkeypatch)
    assert found == EXPECTED
    assert code == 1
    rules = CliRunner().invoke(main, ["rules"]).stdout
    assert "ORG001  require-owner-tag" in rules and "ORG002  python-runtime-policy" in rules


def test_policies_with_the_yaml_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path)
    (root / ".lambdalint.yaml").write_text(YAML_CONFIG)
    code, found = _findings(root, monkeypatch)
    assert found == EXPECTED and code == 1


def test_per_file_ignores_of_the_config_snippet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path)
    (root / "pyproject.toml").write_text(TOML_CONFIG)
    (root / "legacy").mkdir()
    (root / "legacy" / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Old:\n    Type: AWS::Serverless::Function\n"
        "    Properties:\n      CodeUri: ../src/\n      Handler: app.nothing\n      Runtime: python3.12\n"
        "      Architectures: [arm64]\n      Tags: {owner: legacy}\n      Timeout: 10\n"
        "      LoggingConfig: {LogGroup: /platform/lambda-logs}\n"
    )
    _, found = _findings(root, monkeypatch)
    assert found == EXPECTED  # the LL102 in legacy/ is ignored by per-file-ignores


def test_python_suppression_snippet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    line = next(
        t for t in blocks("python", "lambdalint: ignore") if t.startswith("async def handler")
    )
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(line + "    return 1\n")
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n"
        "    Properties:\n      CodeUri: src/\n      Handler: app.handler\n      Runtime: python3.12\n"
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main, ["check", "--no-cache", "--select", "LL105", "--format", "json"]
    )
    [finding] = json.loads(result.stdout)["findings"]
    assert (
        finding["suppressed"] and finding["suppression_reason"] == "run by our own asyncio wrapper"
    )
    assert result.exit_code == 0


def test_yaml_suppression_snippet() -> None:
    lines = one("yaml", "lambdalint: ignore[LL401]").splitlines()
    reported = next(
        i for i, text in enumerate(lines, start=1) if text.strip().startswith("API_KEY:")
    )
    assert (
        suppress.inline_reason(lines, reported, "LL401", ("#",))
        == "throwaway key for the sandbox account"
    )


def _bin_path() -> str:
    return f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"


def test_baseline_commands(tmp_path: Path) -> None:
    commands = [
        line
        for line in one("sh", "lambdalint baseline").splitlines()
        if line.startswith("lambdalint")
    ]
    assert len(commands) == 2
    root = _project(tmp_path)
    (root / ".lambdalint.yaml").write_text(YAML_CONFIG)
    env = {**os.environ, "PATH": _bin_path()}
    first = subprocess.run(
        ["bash", "-c", commands[0]], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    assert first.returncode == 0, first.stderr
    assert (root / ".lambdalint-baseline.json").is_file()
    second = subprocess.run(
        ["bash", "-c", commands[1]], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    assert second.returncode == 0, second.stdout + second.stderr


def test_pre_commit_snippet(tmp_path: Path) -> None:
    snippet = one("yaml", "repos:")
    config = yaml.safe_load(snippet)
    [repo] = config["repos"]
    assert repo["repo"] == HOMEPAGE
    assert repo["rev"] == f"v{__version__}"
    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in repo["hooks"]] == [manifest[0]["id"]]
    clientlib = pytest.importorskip("pre_commit.clientlib")
    (tmp_path / ".pre-commit-config.yaml").write_text(snippet)
    clientlib.load_config(str(tmp_path / ".pre-commit-config.yaml"))  # pre-commit's own validation


def _workflows() -> list[dict[str, Any]]:
    found = [yaml.safe_load(text) for text in blocks("yaml", "jobs:")]
    assert len(found) == 2
    return found


def test_workflow_with_the_action() -> None:
    workflow = next(
        w
        for w in _workflows()
        if any(f"{REPO_SLUG}@" in s.get("uses", "") for j in w["jobs"].values() for s in j["steps"])
    )
    assert workflow["permissions"]["security-events"] == "write"
    [job] = workflow["jobs"].values()
    step = next(s for s in job["steps"] if s.get("uses", "").startswith(f"{REPO_SLUG}@"))
    assert step["uses"] == f"{REPO_SLUG}@v{__version__}"
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert set(step.get("with", {})) <= set(action["inputs"])
    assert job["steps"][0]["uses"].startswith("actions/checkout@")
    # every input the README names exists
    names = re.search(r"^Inputs: (.*?)\.$", README, re.MULTILINE | re.DOTALL).group(1)  # type: ignore[union-attr]
    assert set(re.findall(r"`([a-z-]+)`", names)) == set(action["inputs"])


def test_plain_workflow_commands_run(tmp_path: Path) -> None:
    workflow = next(
        w
        for w in _workflows()
        if not any(
            f"{REPO_SLUG}@" in s.get("uses", "") for j in w["jobs"].values() for s in j["steps"]
        )
    )
    assert workflow["permissions"]["security-events"] == "write"
    [job] = workflow["jobs"].values()
    runs = [s["run"] for s in job["steps"] if "run" in s]
    install = next(r for r in runs if r.startswith("pip install"))
    assert f"git+{HOMEPAGE}@v{__version__}" in install
    upload = next(
        s
        for s in job["steps"]
        if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")
    )
    assert upload["if"] == "always()"  # upload even when the check step fails the job
    root = _project(tmp_path)
    (root / ".lambdalint.yaml").write_text(YAML_CONFIG)
    env = {**os.environ, "PATH": _bin_path()}
    [check] = [r for r in runs if r.startswith("lambdalint check")]
    done = subprocess.run(
        ["bash", "-e", "-c", check], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1, done.stderr  # findings fail the step
    sarif = json.loads((root / upload["with"]["sarif_file"]).read_text())
    assert sarif["version"] == "2.1.0" and len(sarif["runs"][0]["results"]) == 4
