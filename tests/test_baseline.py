"""Baselines: `lambdalint baseline` records today's findings, `check --baseline` reports new ones,
and recorded findings keep matching when lines move."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from lambdalint.filters import baseline
from lambdalint.cli import main
from lambdalint.findings import Finding
from lambdalint.model import Loc, Pos

BAD = FIXTURES / "LL102-handler-function-missing" / "wrong-name"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(BAD, tmp_path / "proj")
    monkeypatch.chdir(tmp_path / "proj")
    return tmp_path / "proj"


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _check_json(*extra: str) -> tuple[int, list[dict[str, Any]]]:
    code, out, _ = _cli("check", "--no-cache", "--select", "LL102", "--format", "json", *extra)
    return code, json.loads(out)["findings"]


def test_baseline_then_check_reports_nothing(project: Path) -> None:
    code, _, err = _cli("baseline", ".")
    assert code == 0
    assert "recorded" in err
    doc = json.loads((project / ".lambdalint-baseline.json").read_text())
    assert doc["version"] == 1
    assert {r["rule_id"] for r in doc["findings"]} >= {"LL102"}
    code, findings = _check_json("--baseline", ".lambdalint-baseline.json")
    assert code == 0 and findings == []


def test_findings_keep_matching_when_lines_move(project: Path) -> None:
    _cli("baseline", "-o", "base.json")
    template = project / "template.yaml"
    text = template.read_text()
    # four unrelated lines above every finding: only the line numbers change
    text = text.replace(
        "Resources:\n", "Description: moved around\nMetadata:\n  a: 1\n  b: 2\nResources:\n", 1
    )
    template.write_text(text)
    code, findings = _check_json("--baseline", "base.json")
    assert findings == [] and code == 0
    code, all_findings = _check_json()
    assert code == 1 and sorted(f["line"] for f in all_findings) == [12, 20, 26]  # 8, 16, 22 before


def test_a_new_finding_is_reported(project: Path) -> None:
    _cli("baseline", "-o", "base.json")
    template = project / "template.yaml"
    template.write_text(
        template.read_text()
        + (
            "  Another:\n"
            "    Type: AWS::Serverless::Function\n"
            "    Properties:\n"
            "      CodeUri: hello_world/\n"
            "      Handler: app.nope\n"
            "      Runtime: python3.12\n"
        )
    )
    code, findings = _check_json("--baseline", "base.json")
    assert code == 1
    assert [(f["rule_id"], f["function"]) for f in findings] == [("LL102", "Another")]


def test_changed_offending_line_is_new(project: Path) -> None:
    _cli("baseline", "-o", "base.json")
    template = project / "template.yaml"
    template.write_text(
        template.read_text().replace("Handler: app.handler", "Handler: app.handler2")
    )
    _, findings = _check_json("--baseline", "base.json")
    assert [f["function"] for f in findings] == ["HelloWorldFunction"]


def test_counts_identical_findings(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("a: 1\nx: '*'\nx: '*'\n")
    f1 = Finding("wildcard", Loc(path, Pos(2, 1)), rule_id="LL201", function="F")
    f2 = Finding("wildcard", Loc(path, Pos(3, 1)), rule_id="LL201", function="F")
    base = tmp_path / "base.json"
    assert baseline.write([f1], base) == 1
    assert baseline.filter_new([f1, f2], base) == [f2]
    assert baseline.write([f1, f2], base) == 2
    assert baseline.filter_new([f1, f2], base) == []


def test_paths_are_relative_to_the_baseline_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "svc").mkdir()
    src = tmp_path / "svc" / "template.yaml"
    src.write_text("Handler: x\n")
    monkeypatch.chdir(tmp_path)
    finding = Finding("m 12", Loc(Path("svc/template.yaml"), Pos(1, 1)), rule_id="LL102")
    baseline.write([finding], Path("base.json"))
    assert (
        json.loads((tmp_path / "base.json").read_text())["findings"][0]["path"]
        == "svc/template.yaml"
    )
    # the same finding seen from another working directory still matches
    monkeypatch.chdir(tmp_path / "svc")
    moved = Finding("m 13", Loc(Path("template.yaml"), Pos(1, 1)), rule_id="LL102")
    assert baseline.filter_new([moved], Path("../base.json")) == []


def test_suppressed_findings_are_not_recorded_and_pass_through(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("x\n")
    f = Finding("m", Loc(path, Pos(1, 1)), rule_id="LL401", suppressed="test key")
    base = tmp_path / "base.json"
    assert baseline.write([f], base) == 0
    assert baseline.filter_new([f], base) == [f]


def test_bad_baseline_file_is_exit_2(project: Path) -> None:
    (project / "base.json").write_text("[1, 2]")
    code, _, err = _cli("check", "--no-cache", "--baseline", "base.json")
    assert code == 2 and "not a lambdalint baseline" in err
    code, _, err = _cli("check", "--no-cache", "--baseline", "missing.json")
    assert code == 2 and "cannot read baseline" in err


def test_baseline_file_is_not_linted_as_a_template(project: Path) -> None:
    _cli("baseline")
    code, out, _ = _cli("check", "--no-cache", "--select", "LL100,LL108")
    assert code == 0, out


def _tree(root: Path) -> Path:
    """A repository with its service one folder down: LL101 (a missing module, a missing code
    folder) and LL102 (a missing function) messages all name paths."""
    svc = root / "repo" / "svc"
    (svc / "src").mkdir(parents=True)
    (svc / "src" / "app.py").write_text("def handler(event, context):\n    return event\n")
    fns = "".join(
        f"  {name}:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        f"      Runtime: python3.12\n      CodeUri: {code}\n      Handler: {handler}\n"
        for name, code, handler in (
            ("NoModule", "src/", "missing.handler"),
            ("NoFunction", "src/", "app.nothere"),
            ("NoFolder", "gone/", "app.handler"),
        )
    )
    (svc / "template.yaml").write_text("Transform: AWS::Serverless-2016-10-31\nResources:\n" + fns)
    return svc.parent


def _messages(cwd: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> list[str]:
    monkeypatch.chdir(cwd)
    _, out, _ = _cli("check", "--no-cache", "--select", "LL1", "--format", "json", *args)
    return sorted(f["message"] for f in json.loads(out)["findings"])


def test_messages_do_not_depend_on_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _tree(tmp_path)
    from_root = _messages(repo, monkeypatch, "svc")
    from_service = _messages(repo / "svc", monkeypatch, ".")
    assert len(from_root) == 3 and from_root == from_service
    # paths as the template writes them: relative to its folder
    assert any("under src/ (looked for src/missing.py" in m for m in from_root)
    assert any("src/app.py defines no top-level callable 'nothere'" in m for m in from_root)


@pytest.mark.parametrize("made_in, checked_in", [("", "svc"), ("svc", "")])
def test_a_baseline_matches_from_any_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, made_in: str, checked_in: str
) -> None:
    repo = _tree(tmp_path)
    base = repo / "baseline.json"
    monkeypatch.chdir(repo / made_in)
    code, _, _ = _cli("baseline", "-o", str(base), str(repo / "svc"))
    recorded = json.loads(base.read_text())["findings"]
    assert code == 0 and [r["rule_id"] for r in recorded].count("LL101") == 2
    monkeypatch.chdir(repo / checked_in)
    target = "." if checked_in == "svc" else "svc"
    code, out, _ = _cli("check", "--no-cache", "--format", "json", "--baseline", str(base), target)
    assert json.loads(out)["findings"] == []
