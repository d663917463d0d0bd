"""SARIF output: valid against the official SARIF 2.1.0 schema (offline), every field SPEC
section 7 lists, fingerprints that survive unrelated lines moving, suppressions."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from lambdalint import __version__
from lambdalint.cli import main
from lambdalint.reporters.sarif import rule_descriptor
from lambdalint.rulepack import Rule

SCHEMA_FILE = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"  # the OASIS file

BAD = FIXTURES / "LL102-handler-function-missing" / "wrong-name"
GOOD = FIXTURES / "LL102-handler-function-missing" / "bound-names"
PARSE_ERRORS = FIXTURES / "LL100-parse-error"


def _validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def sarif(cwd: Path, *args: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, dict[str, Any]]:
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(
        main, ["check", "--no-cache", "--format", "sarif", *args], catch_exceptions=False
    )
    doc = json.loads(result.stdout)
    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    return result.exit_code, doc


def test_the_schema_is_the_unmodified_oasis_file() -> None:
    assert hashlib.sha256(SCHEMA_FILE.read_bytes()).hexdigest() == SCHEMA_SHA256
    assert (SCHEMA_FILE.parent / "sarif-schema-2.1.0.NOTICE.md").is_file()


def test_the_validator_rejects_invalid_sarif() -> None:
    bad = {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "x"}},
                "results": [{"level": "fatal", "message": {"text": "m"}}],
            }
        ],
    }
    assert list(_validator().iter_errors(bad))


def test_clean_run(monkeypatch: pytest.MonkeyPatch) -> None:
    code, doc = sarif(GOOD, "--select", "LL1", monkeypatch=monkeypatch)
    assert code == 0
    run = doc["runs"][0]
    assert doc["version"] == "2.1.0"
    assert run["results"] == []
    assert run["invocations"][0]["executionSuccessful"] is True
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} >= {"LL101", "LL102", "LL105"}


def test_driver_and_rule_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
    _, doc = sarif(BAD, "--select", "LL102,LL105", monkeypatch=monkeypatch)
    driver = doc["runs"][0]["tool"]["driver"]
    assert driver["name"] == "lambdalint"
    assert driver["version"] == __version__
    assert driver["informationUri"].startswith("https://")
    rules = {r["id"]: r for r in driver["rules"]}
    assert set(rules) == {"LL102", "LL105"}
    ll102 = rules["LL102"]
    assert ll102["name"] == "handler-function-missing"
    assert ll102["shortDescription"]["text"]
    assert ll102["fullDescription"]["text"] and "##" not in ll102["fullDescription"]["text"]
    assert "## Example" in ll102["help"]["markdown"]
    assert ll102["helpUri"].startswith("https://")
    assert ll102["defaultConfiguration"]["level"] == "error"
    assert "handler" in ll102["properties"]["tags"]
    assert "security-severity" not in ll102["properties"]  # not a security rule


def test_results_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    code, doc = sarif(BAD, "--select", "LL102", monkeypatch=monkeypatch)
    assert code == 1
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == 3
    first = run["results"][0]
    assert first["ruleId"] == "LL102"
    assert rules[first["ruleIndex"]]["id"] == "LL102"
    assert first["level"] == "error"
    assert "defines no top-level callable 'handler'" in first["message"]["text"]
    loc = first["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "template.yaml", "uriBaseId": "%SRCROOT%"}
    assert loc["region"]["startLine"] == 8 and loc["region"]["startColumn"] == 16
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file:///")
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")
    assert first["partialFingerprints"]["lambdalint/v1"]
    assert first["properties"]["function"] == "HelloWorldFunction"
    assert "suppressions" not in first


def test_severity_override_changes_result_level_not_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proj = tmp_path / "p"
    shutil.copytree(BAD, proj)
    (proj / ".lambdalint.yaml").write_text("severity: {LL102: info}\n")
    _, doc = sarif(proj, "--select", "LL102", monkeypatch=monkeypatch)
    run = doc["runs"][0]
    assert {r["level"] for r in run["results"]} == {"note"}
    assert run["tool"]["driver"]["rules"][0]["defaultConfiguration"]["level"] == "error"


def test_paths_in_subfolders_are_relative_and_slash_separated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, doc = sarif(
        FIXTURES / "LL105-python-async-handler", "--select", "LL105", "bad", monkeypatch=monkeypatch
    )
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in doc["runs"][0]["results"]
    }
    assert uris == {"bad/fetcher/app.py"}


def test_fingerprints_stable_when_unrelated_lines_are_inserted_above(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proj = tmp_path / "p"
    shutil.copytree(BAD, proj)
    _, before = sarif(proj, "--select", "LL102", monkeypatch=monkeypatch)
    template = proj / "template.yaml"
    template.write_text("# a comment\nDescription: unrelated\n" + template.read_text())
    app = proj / "hello_world" / "app.py"
    app.write_text('"""Docstring added above."""\n\n' + app.read_text())
    _, after = sarif(proj, "--select", "LL102", monkeypatch=monkeypatch)

    def prints(doc: dict[str, Any]) -> dict[str, int]:
        return {
            r["partialFingerprints"]["lambdalint/v1"]: r["locations"][0]["physicalLocation"][
                "region"
            ]["startLine"]
            for r in doc["runs"][0]["results"]
        }

    b, a = prints(before), prints(after)
    assert set(b) == set(a) and len(b) == 3
    assert all(a[k] == b[k] + 2 for k in b)


def test_suppressed_findings_carry_suppressions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proj = tmp_path / "p"
    shutil.copytree(BAD, proj)
    template = proj / "template.yaml"
    template.write_text(
        template.read_text().replace(
            "Handler: app.handler\n",
            "Handler: app.handler  # lambdalint: ignore[LL102] renamed in next release\n",
        )
    )
    code, doc = sarif(proj, "--select", "LL102", monkeypatch=monkeypatch)
    results = doc["runs"][0]["results"]
    suppressed = [r for r in results if "suppressions" in r]
    assert len(results) == 3 and len(suppressed) == 1
    assert suppressed[0]["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "renamed in next release"}
    ]
    assert code == 1  # the other two still fail


@pytest.mark.parametrize("case", ["bad-yaml", "bad-json", "bad-python"])
def test_parse_errors(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    code, doc = sarif(PARSE_ERRORS / case, "--select", "LL100", monkeypatch=monkeypatch)
    results = doc["runs"][0]["results"]
    assert code == 1 and results
    assert {r["ruleId"] for r in results} == {"LL100"}
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for r in results)


def test_skipped_files_become_tool_notifications(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "blob.yaml").write_bytes(b"Resources:\x00\x01\x02")
    code, doc = sarif(tmp_path, monkeypatch=monkeypatch)
    invocation = doc["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    notes = invocation["toolExecutionNotifications"]
    assert [n["level"] for n in notes] == ["note"]
    assert "blob.yaml" in notes[0]["message"]["text"] and "binary" in notes[0]["message"]["text"]
    # nothing but the skipped file: nothing was checked, which fails the job (exit 2)
    assert doc["runs"][0]["results"] == [] and code == 2


def test_security_rules_get_security_severity() -> None:
    iam = rule_descriptor(
        Rule(id="LL201", name="iam-wildcard-action", severity="error", summary="s", category="iam")
    )
    assert "security" in iam["properties"]["tags"]
    assert iam["properties"]["security-severity"] == "8.0"
    secret = rule_descriptor(
        Rule(
            id="LL403",
            name="x",
            severity="warning",
            summary="s",
            category="secrets",
            security_severity=6.5,
        )
    )
    assert secret["properties"]["security-severity"] == "6.5"
    logs = rule_descriptor(
        Rule(id="LL301", name="x", severity="warning", summary="s", category="logging")
    )
    assert "security-severity" not in logs["properties"] and logs["properties"]["tags"] == [
        "logging"
    ]
    assert logs["defaultConfiguration"] == {"level": "warning"}
    info = rule_descriptor(Rule(id="LL107", name="x", severity="info", summary="s"))
    assert info["defaultConfiguration"] == {"level": "note"}


def test_output_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BAD)
    out = tmp_path / "lambdalint.sarif"
    result = CliRunner().invoke(
        main, ["check", "--no-cache", "--select", "LL102", "--format", "sarif", "-o", str(out)]
    )
    assert result.exit_code == 1 and result.stdout == ""
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert not list(_validator().iter_errors(doc))
    assert len(doc["runs"][0]["results"]) == 3
