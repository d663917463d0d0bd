"""The GitHub Action (action.yml) and its scripts (action/install.sh, action/lint.sh), run here
against fake GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and RUNNER_TEMP files: one lambdalint run
writes the SARIF report, the annotations and the job summary; lambdalint is installed into a
virtual environment of its own; every action used is pinned by commit SHA."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
LAMBDALINT = Path(sys.executable).parent / "lambdalint"

if shutil.which("bash") is None:  # pragma: no cover - bash is on every CI machine
    pytest.skip("bash is not installed", allow_module_level=True)


def _step(uses_prefix: str) -> dict[str, Any]:
    return next(s for s in STEPS if s.get("uses", "").startswith(uses_prefix))


def test_every_action_is_pinned_by_commit_sha_with_its_version() -> None:
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    uses = re.findall(r"^\s*uses:\s*(\S+)(.*)$", text, re.MULTILINE)
    assert uses
    for ref, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), ref
        assert re.fullmatch(r"\s*# v\d+\.\d+\.\d+", comment), (ref, comment)
    upload = _step("github/codeql-action/upload-sarif@")
    assert re.search(r"upload-sarif@[0-9a-f]{40} # v4\.", text)
    assert upload["continue-on-error"] is True  # private repositories without code scanning
    assert "head.repo.full_name != github.repository" in upload["if"]  # forks: read-only token


def test_the_callers_python_is_left_alone() -> None:
    setup = _step("actions/setup-python@")
    assert setup["with"]["update-environment"] is False
    cache = _step("actions/cache@")
    assert "steps.venv.outputs" in cache["with"]["path"] and cache["with"]["key"]
    for step in STEPS:
        assert "pip install" not in step.get("run", "")  # only install.sh, into its venv


def _script_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    temp = tmp_path / "runner-temp"
    temp.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "GITHUB_OUTPUT": str(tmp_path / "github-output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "step-summary.md"),
        "RUNNER_TEMP": str(temp),
        "RUNNER_OS": "Linux",
        "ACTION_PATH": str(ROOT),
    }
    env.pop("NO_COLOR", None)
    env.update(extra)
    return env


def _outputs(tmp_path: Path) -> dict[str, str]:
    lines = (tmp_path / "github-output").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines)


@pytest.fixture
def counting_lambdalint(tmp_path: Path) -> tuple[Path, Path]:
    """A lambdalint that records each run, then runs the real one."""
    log = tmp_path / "runs.log"
    wrapper = tmp_path / "bin" / "lambdalint"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/usr/bin/env bash\necho "$*" >> "{log}"\nexec "{LAMBDALINT}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    return wrapper, log


def _lint(
    tmp_path: Path, project: Path, wrapper: Path, **extra: str
) -> subprocess.CompletedProcess[str]:
    env = _script_env(tmp_path, LAMBDALINT=str(wrapper), LAMBDALINT_PATHS=".", **extra)
    return subprocess.run(
        ["bash", str(ROOT / "action" / "lint.sh")],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "project"
    shutil.copytree(ROOT / "examples" / "hello-sam", dest)
    return dest


def test_one_run_writes_sarif_annotations_and_the_job_summary(
    tmp_path: Path, project: Path, counting_lambdalint: tuple[Path, Path]
) -> None:
    wrapper, log = counting_lambdalint
    (tmp_path / "step-summary.md").write_text("earlier step\n")
    done = _lint(tmp_path, project, wrapper)
    assert done.returncode == 0, done.stderr  # the action's last step fails the job
    assert len(log.read_text().splitlines()) == 1  # one lambdalint run
    assert _outputs(tmp_path)["exit-code"] == "1"
    annotations = [line for line in done.stdout.splitlines() if line.startswith("::")]
    assert len(annotations) == 2 and all(a.startswith("::error file=") for a in annotations)
    sarif = json.loads((project / "lambdalint.sarif").read_text())
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {"LL102", "LL105"}
    summary = (tmp_path / "step-summary.md").read_text()
    assert summary.startswith("earlier step\n## lambdalint")  # appended, not replaced
    assert "| LL102 | handler-function-missing | error | 1 | 1 |" in summary
    assert "| template.yaml | 15 | LL102 | error |" in summary
    assert not list((tmp_path / "runner-temp").iterdir())  # the summary's temporary file is gone


def test_a_baseline_hides_recorded_findings(
    tmp_path: Path, project: Path, counting_lambdalint: tuple[Path, Path]
) -> None:
    wrapper, _ = counting_lambdalint
    recorded = subprocess.run(
        [str(LAMBDALINT), "baseline", "."],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert recorded.returncode == 0, recorded.stderr
    done = _lint(tmp_path, project, wrapper, LAMBDALINT_BASELINE=".lambdalint-baseline.json")
    assert done.returncode == 0, done.stderr
    assert _outputs(tmp_path)["exit-code"] == "0"
    assert not [line for line in done.stdout.splitlines() if line.startswith("::error")]


def test_without_annotations_the_log_shows_one_line_per_finding(
    tmp_path: Path, project: Path, counting_lambdalint: tuple[Path, Path]
) -> None:
    wrapper, _ = counting_lambdalint
    done = _lint(
        tmp_path, project, wrapper, LAMBDALINT_ANNOTATIONS="false", LAMBDALINT_SUMMARY="false"
    )
    assert done.returncode == 0, done.stderr
    assert "::" not in done.stdout
    assert "template.yaml:15:16: LL102 handler-function-missing [error]" in done.stdout
    assert not (tmp_path / "step-summary.md").exists()


def test_the_exit_code_and_a_configuration_error(
    tmp_path: Path, project: Path, counting_lambdalint: tuple[Path, Path]
) -> None:
    wrapper, _ = counting_lambdalint
    _lint(tmp_path, project, wrapper, LAMBDALINT_FAIL_ON="info")
    assert _outputs(tmp_path)["exit-code"] == "1"
    (tmp_path / "github-output").unlink()
    (project / ".lambdalint.yaml").write_text("fial-on: error\n")
    done = _lint(tmp_path, project, wrapper)
    assert done.returncode == 2
    assert _outputs(tmp_path)["exit-code"] == "2"
    assert "::error title=lambdalint::lambdalint failed before writing its report" in done.stdout


def _install(tmp_path: Path, mode: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = _script_env(tmp_path, **extra)
    return subprocess.run(
        ["bash", str(ROOT / "action" / "install.sh"), mode],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_cache_key_names_the_python_and_the_lambdalint_version(tmp_path: Path) -> None:
    done = _install(tmp_path, "key", PYTHON=sys.executable, LAMBDALINT_VERSION="0.2.0")
    assert done.returncode == 0, done.stderr
    out = _outputs(tmp_path)
    python = "%d.%d.%d" % sys.version_info[:3]
    assert out["key"] == f"lambdalint-venv-Linux-py{python}-pypi-0.2.0"
    assert out["venv"] == str(tmp_path / "runner-temp" / "lambdalint-venv")
    # the action's own checkout: keyed by its content, so a new commit gets a new venv
    checkout = tmp_path / "checkout"
    for name in ("pyproject.toml", "lambdalint/__init__.py", "rules/LL101.yaml"):
        (checkout / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, checkout / name)
    keys = []
    for change in ("", "# changed\n"):
        with (checkout / "lambdalint" / "__init__.py").open("a") as f:
            f.write(change)
        (tmp_path / "github-output").unlink(missing_ok=True)
        done = _install(tmp_path, "key", PYTHON=sys.executable, ACTION_PATH=str(checkout))
        assert done.returncode == 0, done.stderr
        keys.append(_outputs(tmp_path)["key"])
    assert keys[0].startswith(f"lambdalint-venv-Linux-py{python}-checkout-")
    assert keys[0] != keys[1]


FAKE_PYTHON = """#!/usr/bin/env bash
# stands in for the Python setup-python installed: `-m venv DIR` makes a venv whose python
# records what it is asked to install
echo "base $*" >> "{log}"
if [ "$1 $2" = "-m venv" ]; then
  mkdir -p "$3/bin"
  printf '#!/usr/bin/env bash\\necho "venv $*" >> "{log}"\\ntouch "%s/bin/lambdalint"; chmod +x "%s/bin/lambdalint"\\n' "$3" "$3" > "$3/bin/python"
  chmod +x "$3/bin/python"
fi
"""


def test_lambdalint_is_installed_into_its_own_venv_once(tmp_path: Path) -> None:
    log = tmp_path / "python.log"
    fake = tmp_path / "python"
    fake.write_text(FAKE_PYTHON.format(log=log))
    fake.chmod(0o755)
    venv = tmp_path / "runner-temp" / "lambdalint-venv"
    done = _install(
        tmp_path, "install", PYTHON=str(fake), VENV=str(venv), LAMBDALINT_VERSION="0.2.0"
    )
    assert done.returncode == 0, done.stderr
    calls = log.read_text().splitlines()
    assert calls[0] == f"base -m venv {venv}"
    assert calls[1].startswith("venv -m pip install") and calls[1].endswith("lambdalint==0.2.0")
    assert not any(c.startswith("base -m pip") for c in calls)  # never the caller's Python
    assert _outputs(tmp_path)["lambdalint"] == str(venv / "bin" / "lambdalint")
    # restored from the cache: nothing is installed again
    log.unlink()
    done = _install(tmp_path, "install", PYTHON=str(fake), VENV=str(venv))
    assert done.returncode == 0, done.stderr
    assert not log.exists()
    # no version: the action's own checkout
    shutil.rmtree(venv)
    done = _install(tmp_path, "install", PYTHON=str(fake), VENV=str(venv))
    assert log.read_text().splitlines()[1].endswith(str(ROOT))
