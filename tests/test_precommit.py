"""End to end with the real pre-commit: this checkout installed as a hook into a temporary git
repository. A bad template fails, the fixed one passes, and changing only the handler file still
catches the handler mismatch in the template that references it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

pytest.importorskip("pre_commit")
if shutil.which("git") is None:  # pragma: no cover - git is part of every dev and CI machine
    pytest.skip("git is not installed", allow_module_level=True)

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello_world/
      Handler: {handler}
      Runtime: python3.12
      Timeout: 10
  HelloLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub /aws/lambda/${{HelloFunction}}
      RetentionInDays: 30
"""

APP = "def {name}(event, context):\n    return {{'statusCode': 200}}\n"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "lambdalint tests",
    "GIT_AUTHOR_EMAIL": "tests@lambdalint.invalid",
    "GIT_COMMITTER_NAME": "lambdalint tests",
    "GIT_COMMITTER_EMAIL": "tests@lambdalint.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
}


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def _git(cwd: Path, env: dict[str, str], *args: str) -> str:
    done = _run(["git", *args], cwd, env)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    # an isolated git configuration; HOME stays, so pip's and virtualenv's caches are reused
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n")
    return {
        **os.environ,
        **GIT_ENV,
        "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
        "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")),
    }


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Path:
    """A committed snapshot of this working tree (try-repo installs a repository's HEAD)."""
    listed = _run(["git", "ls-files", "-co", "--exclude-standard", "-z"], ROOT, env)
    if listed.returncode != 0:
        pytest.skip("this checkout is not a git work tree")
    repo = tmp_path_factory.mktemp("hook-repo")
    for name in filter(None, listed.stdout.split("\0")):
        src = ROOT / name
        if src.is_file() and not src.is_symlink():
            dest = repo / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)
    _git(repo, env, "init", "-q")
    _git(repo, env, "add", "-A")
    _git(repo, env, "commit", "-q", "-m", "snapshot")
    return repo


@pytest.fixture
def project(tmp_path: Path, env: dict[str, str]) -> Path:
    (tmp_path / "hello_world").mkdir()
    (tmp_path / "template.yaml").write_text(TEMPLATE.format(handler="app.lambda_handler"))
    (tmp_path / "hello_world" / "app.py").write_text(APP.format(name="lambda_handler"))
    _git(tmp_path, env, "init", "-q")
    _git(tmp_path, env, "add", "-A")
    _git(tmp_path, env, "commit", "-q", "-m", "working function")
    return tmp_path


def try_repo(
    project: Path, hook_repo: Path, env: dict[str, str], *files: str, hook: str = "lambdalint"
) -> subprocess.CompletedProcess[str]:
    args = [
        sys.executable,
        "-m",
        "pre_commit",
        "try-repo",
        str(hook_repo),
        hook,
        "--files",
        *files,
    ]
    return _run(args, project, env)


def test_bad_template_fails_and_fixed_template_passes(
    project: Path, hook_repo: Path, env: dict[str, str]
) -> None:
    (project / "template.yaml").write_text(TEMPLATE.format(handler="app.handler"))
    _git(project, env, "add", "template.yaml")
    bad = try_repo(project, hook_repo, env, "template.yaml")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert "template.yaml:8:16: LL102 handler-function-missing" in bad.stdout

    (project / "template.yaml").write_text(TEMPLATE.format(handler="app.lambda_handler"))
    _git(project, env, "add", "template.yaml")
    good = try_repo(project, hook_repo, env, "template.yaml")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout


def test_changing_only_the_handler_file_checks_its_template(
    project: Path, hook_repo: Path, env: dict[str, str]
) -> None:
    (project / "hello_world" / "app.py").write_text(APP.format(name="handler"))
    _git(project, env, "add", "hello_world/app.py")
    done = try_repo(project, hook_repo, env, "hello_world/app.py")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "template.yaml:8:16: LL102 handler-function-missing" in done.stdout
    assert "defines no top-level callable 'lambda_handler' (it defines: handler)" in done.stdout


def test_installed_hook_blocks_the_commit(
    project: Path, hook_repo: Path, env: dict[str, str]
) -> None:
    rev = _git(hook_repo, env, "rev-parse", "HEAD").strip()
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo.as_posix()}\n    rev: {rev}\n    hooks:\n      - id: lambdalint\n"
    )
    installed = _run([sys.executable, "-m", "pre_commit", "install"], project, env)
    assert installed.returncode == 0, installed.stderr
    head = _git(project, env, "rev-parse", "HEAD")
    (project / "hello_world" / "app.py").write_text(APP.format(name="main"))
    _git(project, env, "add", "-A")
    commit = _run(["git", "commit", "-m", "rename the handler"], project, env)
    assert commit.returncode != 0
    assert "LL102" in commit.stdout + commit.stderr
    assert _git(project, env, "rev-parse", "HEAD") == head  # nothing was committed


QUEUE = """\
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 30  # seconds
"""


def test_fix_hook_fixes_fails_then_passes(
    project: Path, hook_repo: Path, env: dict[str, str]
) -> None:
    """`lambdalint-fix` applies the safe fixes and fails, so the change is reviewed; once
    staged, the hook passes."""
    events = (
        "      Events:\n"
        "        Jobs: {Type: SQS, Properties: {Queue: !GetAtt Jobs.Arn}}\n"
    )
    template = TEMPLATE.format(handler="app.lambda_handler").replace(
        "      Timeout: 10\n", "      Timeout: 10\n" + events
    )
    (project / "template.yaml").write_text(template + QUEUE)
    _git(project, env, "add", "template.yaml")
    fixed = try_repo(project, hook_repo, env, "template.yaml", hook="lambdalint-fix")
    assert fixed.returncode == 1, fixed.stdout + fixed.stderr
    assert "Failed" in fixed.stdout
    assert "Fixed 1 finding (1 LL503)." in fixed.stdout
    assert (project / "template.yaml").read_text() == template + QUEUE.replace("30", "60")
    _git(project, env, "add", "template.yaml")
    again = try_repo(project, hook_repo, env, "template.yaml", hook="lambdalint-fix")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Passed" in again.stdout


def test_hook_manifest_is_valid_and_matches_the_right_files() -> None:
    import re

    from pre_commit.clientlib import load_manifest

    hooks = {h["id"]: h for h in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    assert set(hooks) == {"lambdalint", "lambdalint-fix"}
    hook = hooks["lambdalint"]
    assert hook["language"] == "python" and hook["entry"] == "lambdalint check"
    fix = hooks["lambdalint-fix"]
    assert fix["entry"] == "lambdalint check --fix --exit-non-zero-on-fix"
    assert fix["files"] == hook["files"] and fix["language"] == "python"
    files = re.compile(hook["files"])
    for name in (
        "template.yaml",
        "infra/stack.yml",
        "cdk.out/App.template.json",
        "x.template",
        "main.tf",
        "main.tf.json",
        "serverless.yml",
        "src/app.py",
        "index.js",
        "h.mjs",
        "h.cjs",
        "handler.ts",
    ):
        assert files.search(name), name
    for name in ("README.md", "Dockerfile", "requirements.txt", "app.pyc", "Makefile"):
        assert not files.search(name), name
