"""End to end with the real pre-commit: this checkout installed as a hook into a temporary git
repository. A bad template fails, the fixed one passes, and changing only the handler file still
catches the handler mismatch in the template that references it. The hook agrees with
`lambdalint check .`: an excluded folder is excluded for it too, and a commit that deletes or
moves away a handler module fails, though pre-commit passes no deleted file."""

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
    """Run one hook of this checkout on `files` (none: on what is staged, as a commit does)."""
    args = [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), hook]
    if files:
        args += ["--files", *files]
    return _run(args, project, env)


def check_dot(project: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "lambdalint"
    return subprocess.run(
        [str(exe), "check", ".", "--no-cache"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_bad_template_fails_and_fixed_template_passes(
    project: Path, hook_repo: Path, env: dict[str, str]
) -> None:
    (project / "template.yaml").write_text(TEMPLATE.format(handler="app.handler"))
    _git(project, env, "add", "template.yaml")
    bad = try_repo(project, hook_repo, env, "template.yaml")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert "template.yaml:8:16: LL102 handler 'app.handler'" in bad.stdout
    assert "error: handler-function-missing" in bad.stdout

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
    assert "template.yaml:8:16: LL102 handler 'app.lambda_handler'" in done.stdout
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


def test_an_excluded_folder_is_excluded_for_the_hook_too(
    project: Path, hook_repo: Path, env: dict[str, str]
) -> None:
    (project / ".lambdalint.yaml").write_text("exclude: [legacy]\n")
    (project / "legacy" / "hello_world").mkdir(parents=True)
    (project / "legacy" / "template.yaml").write_text(TEMPLATE.format(handler="app.gone"))
    (project / "legacy" / "hello_world" / "app.py").write_text(APP.format(name="main"))
    _git(project, env, "add", "-A")
    assert check_dot(project).returncode == 0  # `check .` skips legacy/
    done = try_repo(project, hook_repo, env, "legacy/template.yaml", "legacy/hello_world/app.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "LL102" not in done.stdout


def test_a_commit_that_only_deletes_the_handler_module_fails(
    project: Path, hook_repo: Path, env: dict[str, str]
) -> None:
    _git(project, env, "rm", "-q", "hello_world/app.py")
    assert check_dot(project).returncode == 1
    done = try_repo(project, hook_repo, env)  # what is staged: pre-commit names no file
    assert done.returncode == 1, done.stdout + done.stderr
    assert "LL101" in done.stdout and "template.yaml" in done.stdout


def test_moving_the_handler_module_out_of_its_folder_fails(
    project: Path, hook_repo: Path, env: dict[str, str]
) -> None:
    (project / "src").mkdir()
    _git(project, env, "mv", "hello_world/app.py", "src/app.py")
    done = try_repo(project, hook_repo, env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "LL101" in done.stdout


def test_a_commit_that_touches_no_lambda_file_passes(
    project: Path, hook_repo: Path, env: dict[str, str]
) -> None:
    (project / "README.md").write_text("# hello\n")
    _git(project, env, "add", "README.md")
    done = try_repo(project, hook_repo, env)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_project_hook_checks_the_whole_project(
    project: Path, hook_repo: Path, env: dict[str, str]
) -> None:
    # a broken template committed without the hook; then a commit that touches only a README
    (project / "template.yaml").write_text(TEMPLATE.format(handler="app.handler"))
    _git(project, env, "commit", "-qam", "broken, without the hook")
    (project / "README.md").write_text("# hello\n")
    _git(project, env, "add", "README.md")
    assert try_repo(project, hook_repo, env).returncode == 0  # no changed Lambda file
    done = try_repo(project, hook_repo, env, hook="lambdalint-project")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "LL102" in done.stdout
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
    hook = hooks["lambdalint"]
    assert hook["language"] == "python"
    assert hook["entry"].split()[:2] == ["lambdalint", "check"]
    assert {"--force-exclude", "--git-deleted"} <= set(hook["entry"].split())
    assert hook["always_run"]  # a commit that only deletes files still runs it
    project = hooks["lambdalint-project"]
    assert project["entry"] == "lambdalint check" and project["pass_filenames"] is False
    fix = hooks["lambdalint-fix"]
    assert fix["entry"].split()[:2] == ["lambdalint", "check"]
    assert {"--fix", "--exit-non-zero-on-fix", "--force-exclude"} <= set(fix["entry"].split())
    assert fix["files"] == hook["files"] and fix["language"] == "python"
    assert set(hooks) == {"lambdalint", "lambdalint-project", "lambdalint-fix"}
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
