"""Every fixture case: the findings of its rule(s) must be exactly those in expect.yaml."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import FIXTURES, fixture_cases, lint, read_expect, triples
from lambdalint.rulepack import all_rules

CASES = fixture_cases()


def _rule_of(case: Path) -> str:
    m = re.match(r"^([A-Z]+[0-9]+)-", case.parent.name)
    return m.group(1) if m else ""


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_fixture(case: Path) -> None:
    expect = read_expect(case)
    select = expect.get("select") or [_rule_of(case)]
    result = lint(case, select=select, **(expect.get("options") or {}))
    assert not result.internal_errors, result.internal_errors
    got = triples(result)
    want = {(e["rule"], e["file"], e["line"]) for e in expect.get("findings") or []}
    messages = "\n".join(f"{f.rule_id} {f.loc.path}:{f.loc.pos.line} {f.message}" for f in result.findings)
    assert got == want, f"findings differ for {case}:\n{messages}"
    for e in expect.get("findings") or []:
        if "message" in e:
            assert any(e["message"] in f.message for f in result.findings if f.rule_id == e["rule"]), messages


def test_every_rule_has_a_firing_and_a_silent_case() -> None:
    firing: set[str] = set()
    silent: set[str] = set()
    for case in CASES:
        expect = read_expect(case)
        rules = set(expect.get("select") or [_rule_of(case)])
        found = {e["rule"] for e in expect.get("findings") or []}
        firing |= found
        silent |= {r for r in rules if r not in found}
    missing = []
    for rule in all_rules():
        if rule.id not in firing:
            missing.append(f"{rule.id}: no fixture where it fires")
        if rule.id not in silent:
            missing.append(f"{rule.id}: no fixture where it stays silent")
    assert not missing, "\n".join(missing)


def test_fixture_folders_are_named_after_rules() -> None:
    ids = {r.id: r.name for r in all_rules()}
    for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        m = re.match(r"^([A-Z]+[0-9]+)-(.+)$", folder.name)
        if not m:
            continue
        assert m.group(1) in ids, f"{folder.name}: unknown rule id"
        assert m.group(2) == ids[m.group(1)], f"{folder.name}: rule {m.group(1)} is named {ids[m.group(1)]}"
