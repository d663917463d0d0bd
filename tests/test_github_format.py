"""GitHub workflow-command annotations and the composite action (action.yml)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import FIXTURES, ROOT

from lambdalint.cli import main
from lambdalint.findings import Finding
from lambdalint.model import Loc, Pos
from lambdalint.reporters.github import annotation, escape_data, escape_property

BAD = FIXTURES / "LL102-handler-function-missing" / "wrong-name"
GOOD = FIXTURES / "LL102-handler-function-missing" / "bound-names"


def _github(cwd: Path, *args: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(
        main, ["check", "--no-cache", "--format", "github", *args], catch_exceptions=False
    )
    return result.exit_code, result.stdout


def test_annotations_for_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = _github(BAD, "--select", "LL102", monkeypatch=monkeypatch)
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 3
    assert lines[0] == (
        "::error file=template.yaml,line=8,col=16,title=LL102::"
        "handler 'app.handler': hello_world/app.py defines no top-level callable 'handler' (it defines: lambda_handler)"
    )


def test_clean_run_prints_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = _github(GOOD, "--select", "LL1", monkeypatch=monkeypatch)
    assert code == 0 and out == ""


def test_levels_and_suppressed_findings() -> None:
    p = Path("a.yaml")
    assert annotation(
        Finding("m", Loc(p, Pos(3, 2)), rule_id="LL301", severity="warning")
    ).startswith("::warning ")
    assert annotation(Finding("m", Loc(p, Pos(3, 2)), rule_id="LL107", severity="info")).startswith(
        "::notice "
    )
    assert annotation(Finding("m", Loc(p, Pos(3, 2, 3, 9)), rule_id="LL1", severity="error")) == (
        "::error file=a.yaml,line=3,endLine=3,col=2,endColumn=9,title=LL1::m"
    )


def test_escaping_follows_the_workflow_command_rules() -> None:
    assert escape_data("100% done\r\nnext::error x") == "100%25 done%0D%0Anext::error x"
    assert escape_property("dir,with:odd%name") == "dir%2Cwith%3Aodd%25name"
    assert escape_data("\x1b[31mred") == "\\x1b[31mred"
    f = Finding(
        "line one\n::error file=evil::injected",
        Loc(Path("we,ird:name.yaml"), Pos(1, 1)),
        rule_id="LL100",
        severity="error",
    )
    text = annotation(f)
    assert "\n" not in text
    assert (
        text
        == "::error file=we%2Cird%3Aname.yaml,line=1,col=1,title=LL100::line one%0A::error file=evil::injected"
    )


# --- the composite action ---------------------------------------------------------------------

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


def _step(name: str) -> dict[str, object]:
    for step in ACTION["runs"]["steps"]:
        if step.get("name") == name:
            return step  # type: ignore[no-any-return]
    raise AssertionError(f"no step {name!r}")


def test_action_is_a_composite_that_installs_runs_and_uploads() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert {"paths", "fail-on", "version"} <= set(ACTION["inputs"])
    uses = [s.get("uses", "") for s in ACTION["runs"]["steps"]]
    assert any(u.startswith("actions/setup-python@") for u in uses)
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    install = _step("Install lambdalint")
    assert "github.action_path" in str(install["env"])
    run = _step("Run lambdalint")
    assert "action/lint.sh" in str(run["run"])  # one run: SARIF, annotations, job summary
    assert run["env"]["LAMBDALINT_SARIF"] == "${{ inputs.sarif-file }}"  # type: ignore[index]
    upload = _step("Upload SARIF to code scanning")
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"  # type: ignore[index]
    for step in ACTION["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"
            # inputs reach scripts through env, never pasted into the script (injection)
            assert "${{" not in step["run"], step["name"]


def _run_step(name: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("lambdalint", path=str(Path(sys.executable).parent)) or shutil.which(
        "lambdalint"
    )
    if exe is None:
        pytest.skip("the lambdalint console script is not installed")
    full_env = {
        **os.environ,
        "ACTION_PATH": str(ROOT),
        "LAMBDALINT": exe,
        "LAMBDALINT_SUMMARY": "false",
        **env,
        "PATH": f"{Path(exe).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    script = str(_step(name)["run"])
    return subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_action_run_step_writes_sarif_annotations_and_exit_code(tmp_path: Path) -> None:
    proj = tmp_path / "repo"
    shutil.copytree(BAD, proj / "svc")
    (proj / ".lambdalint.yaml").write_text("select: [LL102]\n")
    output = tmp_path / "github_output"
    output.write_text("")
    env = {
        "LAMBDALINT_PATHS": "svc",
        "LAMBDALINT_FAIL_ON": "warning",
        "LAMBDALINT_CONFIG": "",
        "LAMBDALINT_SARIF": "lambdalint.sarif",
        "LAMBDALINT_ANNOTATIONS": "true",
        "GITHUB_OUTPUT": str(output),
    }
    done = _run_step("Run lambdalint", env, proj)
    assert done.returncode == 0, done.stderr  # the gate is a later step, after the upload
    assert output.read_text() == "exit-code=1\n"
    sarif = json.loads((proj / "lambdalint.sarif").read_text())
    assert len(sarif["runs"][0]["results"]) == 3
    assert done.stdout.count("::error file=svc/template.yaml,") == 3

    gate = _run_step("Fail on findings", {"CODE": "1"}, proj)
    assert gate.returncode == 1
    assert _run_step("Fail on findings", {"CODE": "0"}, proj).returncode == 0


def test_action_run_step_with_a_bad_config_fails(tmp_path: Path) -> None:
    (tmp_path / "lambdalint.yaml").write_text("nope: 1\n")
    output = tmp_path / "out"
    output.write_text("")
    env = {
        "LAMBDALINT_PATHS": ".",
        "LAMBDALINT_FAIL_ON": "error",
        "LAMBDALINT_CONFIG": "lambdalint.yaml",
        "LAMBDALINT_SARIF": "report.sarif",
        "LAMBDALINT_ANNOTATIONS": "true",
        "GITHUB_OUTPUT": str(output),
    }
    done = _run_step("Run lambdalint", env, tmp_path)
    assert done.returncode == 2
    assert output.read_text() == "exit-code=2\n"
    assert "unknown key 'nope'" in done.stderr
