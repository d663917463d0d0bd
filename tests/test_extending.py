"""What adding a rule or an output format takes: a rule is its YAML file (with its options) and
one check function, found by name; a format is one module of lambdalint/reporters/, found by
listing. Nothing else is registered or edited (docs/rules.md is regenerated from the rule files).
Both are added here from a temporary folder."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from conftest import ROOT

import lambdalint.checks
import lambdalint.reporters
from lambdalint import app, rulepack
from lambdalint.engine import reference
from lambdalint.reporters import formats, render
from lambdalint.settings import build

RULE = """\
id: LL699
name: timeout-is-the-demo-value
severity: info
category: limits
check: demo.timeout_is
summary: The function's timeout is the value of the demo option
description: |
  ## What it does
  A rule added for a test: it reports a Timeout equal to `demo-timeout`.
options:
  demo-timeout:
    type: integer
    minimum: 1
    default: 10
    description: "LL699: the timeout to report (default 10)."
"""

CHECK = '''\
"""A check added for a test."""

from collections.abc import Iterator

from lambdalint.engine.context import CheckContext
from lambdalint.findings import Finding
from lambdalint.model import Function


def timeout_is(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    value = ctx.options.integer("demo-timeout")  # typed, defaulted from the rule file
    if fn.timeout is not None and fn.timeout.value == value:
        yield Finding(f"{fn.name} times out after {value} s", fn.timeout.loc)
'''

FORMAT = '''\
"""One line per finding: rule,path,line (a format added for a test)."""

from lambdalint.engine import Result
from lambdalint.reporters import display_path
from lambdalint.settings import Settings


def render(result: Result, settings: Settings, color: bool = False) -> str:
    return "".join(
        f"{f.rule_id},{display_path(f.loc.path)},{f.loc.pos.line}\\n" for f in result.findings
    )
'''


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "examples" / "hello-sam", tmp_path / "project")
    monkeypatch.chdir(tmp_path / "project")
    return tmp_path


def test_a_rule_is_its_yaml_file_and_one_check_function(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = example / "rules"
    shutil.copytree(rulepack.builtin_dir(), rules)
    (rules / "LL699.yaml").write_text(RULE, encoding="utf-8")
    checks = example / "checks"
    checks.mkdir()
    (checks / "demo.py").write_text(CHECK, encoding="utf-8")
    monkeypatch.setattr(rulepack, "builtin_dir", lambda: rules)
    monkeypatch.setattr(lambdalint.checks, "__path__", [*lambdalint.checks.__path__, str(checks)])
    monkeypatch.delitem(sys.modules, "lambdalint.checks.demo", raising=False)
    rulepack.builtin_rules.cache_clear()
    try:
        result = app.lint([Path(".")], build({"select": ["LL699"]}))
        found = [(f.rule_id, f.loc.path.name, f.loc.pos.line) for f in result.findings]
        assert found == [("LL699", "template.yaml", 8)] * 2  # Globals' Timeout, both functions
        assert app.lint([Path(".")], build({"select": ["LL699"], "demo-timeout": 3})).findings == []
        rule = next(r for r in rulepack.builtin_rules() if r.id == "LL699")
        assert "| `demo-timeout` | integer | `10` |" in reference.section(rule)
    finally:
        rulepack.builtin_rules.cache_clear()


def test_an_output_format_is_one_reporter_module(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = example / "reporters"
    folder.mkdir()
    (folder / "csv.py").write_text(FORMAT, encoding="utf-8")
    monkeypatch.setattr(
        lambdalint.reporters, "__path__", [*lambdalint.reporters.__path__, str(folder)]
    )
    monkeypatch.delitem(sys.modules, "lambdalint.reporters.csv", raising=False)
    assert "csv" in formats()
    settings = build({"select": ["LL102", "LL105"]})
    text = render("csv", app.lint([Path(".")], settings), settings)
    assert text == "LL105,hello_world/worker.py,4\nLL102,template.yaml,15\n"
    assert "\\" not in text  # paths are relative, "/"-separated
