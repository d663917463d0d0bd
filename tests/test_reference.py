"""The rule reference: docs/rules.md is generated from rules/*.yaml (and stale is a failure),
`explain` prints a rule's section of it, SARIF's helpUri points at that section."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from lambdalint.cli import main
from lambdalint.engine import reference
from lambdalint.rulepack import builtin_rules

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DOCS = ROOT / "docs" / "rules.md"


def test_docs_rules_md_is_generated_from_the_rule_files() -> None:
    assert DOCS.read_text(encoding="utf-8") == reference.document(builtin_rules()), (
        "docs/rules.md is stale: run `python -m lambdalint.engine.reference docs/rules.md`"
    )


def test_every_rule_has_its_section_and_its_options() -> None:
    text = DOCS.read_text(encoding="utf-8")
    headings = re.findall(r"^## (\S+) (\S+)$", text, re.MULTILINE)
    assert [f"{i} {n}" for i, n in headings] == [f"{r.id} {r.name}" for r in builtin_rules()]
    ll502 = text[text.index("## LL502") : text.index("## LL503")]
    assert "| `api-timeout` | integer |" in ll502  # declared once, in rules/LL502.yaml


def test_the_documentation_url_is_the_one_pyproject_publishes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["urls"]["Documentation"] == reference.DOCS_URL


def test_sarif_help_uri_points_at_the_rule_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(ROOT / "examples" / "hello-sam", tmp_path / "p")
    monkeypatch.chdir(tmp_path / "p")
    done = CliRunner().invoke(main, ["check", "--no-cache", "--format", "sarif", "."])
    rules = json.loads(done.stdout)["runs"][0]["tool"]["driver"]["rules"]
    ll101 = next(r for r in rules if r["id"] == "LL101")
    assert ll101["helpUri"] == f"{reference.DOCS_URL}#ll101-handler-file-missing"
    assert ll101["help"]["markdown"].startswith("## LL101 handler-file-missing")


def test_explain_prints_the_section_plain_when_piped() -> None:
    rule = next(r for r in builtin_rules() if r.id == "LL502")
    done = CliRunner().invoke(main, ["explain", "LL502"])
    assert done.exit_code == 0
    assert done.stdout == reference.section(rule)
    assert "\x1b[" not in done.stdout


def test_a_custom_rule_without_references_has_no_help_uri(tmp_path: Path) -> None:
    from lambdalint.rulepack import load_rule_folder

    (tmp_path / "org.yaml").write_text(
        "id: ORG001\nname: owner-tag\nseverity: error\nsummary: tag it\n"
        "policy: {require: {required: [tags]}}\n",
        encoding="utf-8",
    )
    [rule] = load_rule_folder(tmp_path)
    assert reference.help_uri(rule) is None
    assert reference.section(rule).startswith("## ORG001 owner-tag\n\ntag it\n")
