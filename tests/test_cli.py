"""The command-line contract: exit codes, formats, selection, output files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, ROOT
from lambdalint.cli import main

BAD = FIXTURES / "LL102-handler-function-missing" / "wrong-name"
GOOD = FIXTURES / "LL102-handler-function-missing" / "bound-names"


def invoke(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    with _chdir(cwd or ROOT):
        result = runner.invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


class _chdir:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        import os

        self.old = os.getcwd()
        os.chdir(self.path)

    def __exit__(self, *exc: object) -> None:
        import os

        os.chdir(self.old)


def test_findings_exit_1_with_text_grouped_and_summary() -> None:
    code, out, _ = invoke("check", "--no-cache", "--select", "LL102", cwd=BAD)
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("template.yaml:8:16: LL102 handler 'app.handler': ")
    assert lines[-2].startswith("Found 3 findings (3 errors, 0 warnings, 0 info)")
    assert lines[-1] == "2 fixable with --fix --unsafe-fixes."
    code, out, _ = invoke("check", "--no-cache", "--select", "LL102", "--format", "concise", cwd=BAD)
    lines = out.splitlines()
    assert lines[0].startswith("template.yaml:8:16: LL102 handler-function-missing [error] ")
    assert lines[-2].startswith("Found 3 findings (3 errors, 0 warnings, 0 info)")
    # two of them have an unsafe fix (the handler's function renamed)
    assert lines[-1] == "2 fixable with --fix --unsafe-fixes."


def test_clean_exit_0() -> None:
    code, out, _ = invoke("check", "--no-cache", "--select", "LL1", cwd=GOOD)
    assert code == 0, out
    assert out.startswith("All checks passed")


def test_exit_zero_and_fail_on() -> None:
    assert invoke("check", "--no-cache", "--select", "LL102", "--exit-zero", cwd=BAD)[0] == 0
    # severity overrides are config, not CLI; fail-on error still fails on errors
    assert invoke("check", "--no-cache", "--select", "LL102", "--fail-on", "error", cwd=BAD)[0] == 1


def test_ignore_removes_rule() -> None:
    code, out, _ = invoke("check", "--no-cache", "--select", "LL1", "--ignore", "LL102,LL101", cwd=BAD)
    assert "LL102" not in out
    assert code == 0


def test_json_format_fields(tmp_path: Path) -> None:
    out_file = tmp_path / "report.json"
    code, out, _ = invoke("check", "--no-cache", "--select", "LL102", "--format", "json", "-o", str(out_file), cwd=BAD)
    assert code == 1
    assert out == ""
    doc = json.loads(out_file.read_text())
    assert doc["summary"]["error"] == 3
    f = doc["findings"][0]
    assert set(f) >= {"rule_id", "rule", "severity", "message", "path", "line", "column", "end_line", "end_column", "function", "suppressed"}
    assert f["path"] == "template.yaml" and f["rule"] == "handler-function-missing"
    assert f["function"] == "HelloWorldFunction"


def test_usage_errors_exit_2() -> None:
    assert invoke("check", "--format", "xml")[0] == 2
    assert invoke("check", "does/not/exist")[0] == 2
    assert invoke("explain", "LL999")[0] == 2
    assert invoke("nonsense")[0] == 2


def test_rules_and_explain() -> None:
    code, out, _ = invoke("rules")
    assert code == 0
    assert any(line.startswith("LL101   handler-file-missing") for line in out.splitlines())
    code, out, _ = invoke("explain", "LL101")
    assert code == 0
    assert "## Example" in out and "## Use instead" in out
    assert invoke("explain", "handler-file-missing")[0] == 0


def test_show_lists_functions() -> None:
    code, out, _ = invoke("show", ".", cwd=BAD)
    assert code == 0
    assert "HelloWorldFunction" in out and "python3.12" in out
    code, out, _ = invoke("show", ".", "--format", "json", cwd=BAD)
    data = json.loads(out)
    assert {d["name"] for d in data} == {"HelloWorldFunction", "NestedOnly", "InlineWrong"}


def test_statistics() -> None:
    code, out, _ = invoke("check", "--no-cache", "--select", "LL102", "--statistics", cwd=BAD)
    assert code == 1
    assert out.split()[:2] == ["3", "LL102"]


def test_untrusted_strings_do_not_reach_terminal_raw(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(
        'Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n'
        '    Properties:\n      Runtime: python3.12\n      Handler: "app.\\e]0;pwned\\a"\n'
    )
    code, out, _ = invoke("check", "--no-cache", cwd=tmp_path)
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b" in out


def test_no_color_when_not_a_tty() -> None:
    code, out, _ = invoke("check", "--no-cache", "--select", "LL102", cwd=BAD)
    assert "\x1b[" not in out


def test_console_script_runs_as_installed(tmp_path: Path) -> None:
    exe = shutil.which("lambdalint", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("lambdalint console script not installed next to this Python")
    proc = subprocess.run([exe, "check", "--no-cache", str(ROOT / "examples" / "hello-sam")], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 1
    assert "LL102" in proc.stdout and "LL105" in proc.stdout
    assert "Traceback" not in proc.stderr
    # the README's quick start: the example has exactly its two deliberate mistakes
    assert "Found 2 findings (2 errors, 0 warnings, 0 info)" in proc.stdout
