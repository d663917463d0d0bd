"""Every fixture case, linted with every rule, as `lambdalint check .` lints a project.

A case is a folder `fixtures/<rule-id>-<rule-name>/<case>/` holding a small project and
`expect.yaml`:

    # what the case shows
    options: {api-timeout: 60}        # rule options, as a configuration file would give them
    findings:                         # every finding of every rule, exactly
      - {rule: LL502, file: template.yaml, line: 21, message: "gives up after 60 s"}
    tolerate:                         # rules whose findings are not compared, each with why
      LL301: "kept small: the case is about LL502, not log retention"

Each case is linted once, through the command line, from the case folder:
`lambdalint check . --no-cache --no-color --output-format concise` (one line per finding),
with a configuration holding the case's options and
`runtime-deprecations.as-of` pinned to AS_OF (so the calendar does not change the output).
Everything is judged from that one run:

- the findings of every rule that is not tolerated are exactly `findings` (rule, file, line;
  `message` must be part of the message of such a finding);
- a tolerated rule fires in the case (no stale tolerance), is not the case's own rule, and is
  never a parse or handler rule (NEVER_TOLERATED): a case that does not parse, or whose
  handlers do not resolve, is a broken project and must say so in `findings`;
- every finding names a rule that `lambdalint rules` lists, and points into a file of the
  case: the line exists and the column is on it;
- a case with findings keeps the output as printed (stdout, then stderr) in `snapshot.txt`, so
  a change to a message or a column shows in review; a case without findings has none.
  `LAMBDALINT_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_fixtures.py` rewrites them.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import FIXTURES, read_expect

from lambdalint.cli import main

# the day the runtime table is judged at, for every case that does not pin its own
AS_OF = "2026-01-01"
SNAPSHOT = "snapshot.txt"
UPDATE = os.environ.get("LAMBDALINT_UPDATE_SNAPSHOTS") == "1"
# parse errors, duplicate keys, handlers that do not resolve: a case must never hide these
NEVER_TOLERATED = frozenset({"LL100", "LL101", "LL102", "LL103", "LL104", "LL105", "LL108"})
EXPECT_KEYS = frozenset({"findings", "tolerate", "options"})

# one line of the text format: `path:line:column: ID name [severity] message`
_FINDING = re.compile(
    r"^(?P<file>.+?):(?P<line>[0-9]+):(?P<column>[0-9]+): "
    r"(?P<rule>[A-Z]+[0-9]+) (?P<name>\S+) \[(?P<severity>[a-z]+)\] (?P<message>.*)$"
)
_SUMMARY = re.compile(r"^Found (?P<count>[0-9]+) findings? ")


@dataclass(frozen=True)
class Reported:
    rule: str
    name: str
    file: str
    line: int
    column: int
    message: str


@dataclass(frozen=True)
class Output:
    stdout: str
    stderr: str
    exit_code: int
    findings: list[Reported]

    @property
    def printed(self) -> str:
        return self.stdout + self.stderr


def fixture_cases() -> list[Path]:
    return sorted(p.parent for p in FIXTURES.glob("*/*/expect.yaml"))


CASES = fixture_cases()


def _rule_of(case: Path) -> str:
    m = re.match(r"^([A-Z]+[0-9]+)-", case.parent.name)
    return m.group(1) if m else ""


def _configuration(options: dict[str, Any]) -> dict[str, Any]:
    config = dict(options)
    pinned = dict(config.get("runtime-deprecations") or {})
    pinned.setdefault("as-of", AS_OF)
    config["runtime-deprecations"] = pinned
    return config


def _check(case: Path, config_file: Path, monkeypatch: pytest.MonkeyPatch) -> Output:
    monkeypatch.chdir(case)
    done = CliRunner().invoke(
        main,
        [
            "check",
            ".",
            "--no-cache",
            "--no-color",
            "--output-format",
            "concise",
            "--config",
            str(config_file),
        ],
    )
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        raise done.exception
    findings = []
    summary = None
    for line in done.stdout.splitlines():
        m = _FINDING.match(line)
        if m:
            findings.append(
                Reported(
                    m["rule"], m["name"], m["file"], int(m["line"]), int(m["column"]), m["message"]
                )
            )
        elif total := _SUMMARY.match(line):
            summary = int(total["count"])
    assert (summary or 0) == len(findings), f"unparsed output lines:\n{done.stdout}"
    return Output(done.stdout, done.stderr, done.exit_code, findings)


def _lines(path: Path) -> list[str]:
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    return re.split(r"\r\n|\r|\n", text)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_fixture(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expect = read_expect(case)
    unknown = set(expect) - EXPECT_KEYS
    assert not unknown, (
        f"expect.yaml: unknown keys {sorted(unknown)} (known: {sorted(EXPECT_KEYS)})"
    )
    own = _rule_of(case)
    tolerate = expect.get("tolerate") or {}
    assert isinstance(tolerate, dict), "tolerate: a mapping of rule id to why it is tolerated"
    for rule, why in tolerate.items():
        assert isinstance(why, str) and why.strip(), f"tolerate.{rule}: say why"
        assert rule not in NEVER_TOLERATED, f"{rule} is never tolerated: list its findings"
        assert rule != own, f"{rule} is what the case is about: list its findings"

    config_file = tmp_path / "lambdalint.yaml"
    config_file.write_text(
        yaml.safe_dump(_configuration(expect.get("options") or {})), encoding="utf-8"
    )
    out = _check(case, config_file, monkeypatch)
    assert "internal error" not in out.stderr, out.stderr
    assert out.exit_code in (0, 1), out.printed

    got = {(f.rule, f.file, f.line) for f in out.findings if f.rule not in tolerate}
    want = {(e["rule"], e["file"], e["line"]) for e in expect.get("findings") or []}
    assert got == want, (
        f"findings differ for {case.relative_to(FIXTURES)}\n"
        f"  not in expect.yaml: {sorted(got - want)}\n"
        f"  expected, not found: {sorted(want - got)}\n{out.stdout}"
    )
    for e in expect.get("findings") or []:
        if "message" in e:
            assert any(
                e["message"] in f.message
                for f in out.findings
                if (f.rule, f.file, f.line) == (e["rule"], e["file"], e["line"])
            ), f"no {e['rule']} at {e['file']}:{e['line']} says {e['message']!r}:\n{out.stdout}"
    fired = {f.rule for f in out.findings}
    stale = sorted(set(tolerate) - fired)
    assert not stale, f"tolerated but silent (remove from tolerate): {stale}"

    rules = _rules()
    for f in out.findings:
        assert rules.get(f.rule) == f.name, (
            f"{f.rule} {f.name}: not a rule `lambdalint rules` lists"
        )
        path = case / f.file
        assert path.is_file(), f"{f.rule} points at {f.file}, which is no file of the case"
        lines = _lines(path)
        assert 1 <= f.line <= len(lines), f"{f.rule} {f.file}:{f.line}: no such line"
        width = len(lines[f.line - 1])
        assert 1 <= f.column <= width + 1, f"{f.rule} {f.file}:{f.line}:{f.column}: past the line"

    _compare_snapshot(case, out)


def _compare_snapshot(case: Path, out: Output) -> None:
    snapshot = case / SNAPSHOT
    if not out.findings:
        if UPDATE:
            snapshot.unlink(missing_ok=True)
        assert not snapshot.exists(), f"{snapshot}: the case has no findings; remove it"
        return
    if UPDATE:
        snapshot.write_text(out.printed, encoding="utf-8", newline="\n")
        return
    assert snapshot.is_file(), (
        f"{snapshot} is missing: run LAMBDALINT_UPDATE_SNAPSHOTS=1 python -m pytest "
        "tests/test_fixtures.py and review it"
    )
    recorded = snapshot.read_text(encoding="utf-8")
    assert out.printed == recorded, (
        f"the output of {case.relative_to(FIXTURES)} changed (LAMBDALINT_UPDATE_SNAPSHOTS=1 "
        "rewrites the snapshot; review the difference)"
    )


@lru_cache(maxsize=1)
def _rules() -> dict[str, str]:
    """Rule id -> rule name, as `lambdalint rules` lists them."""
    done = CliRunner().invoke(main, ["rules", "--format", "json"])
    assert done.exit_code == 0, done.output
    return {r["id"]: r["name"] for r in json.loads(done.stdout)}


def test_every_rule_has_a_firing_and_a_silent_case() -> None:
    firing: set[str] = set()
    silent: set[str] = set()
    for case in CASES:
        found = {e["rule"] for e in read_expect(case).get("findings") or []}
        firing |= found
        if _rule_of(case) not in found:
            silent.add(_rule_of(case))
    missing = []
    for rule in _rules():
        if rule not in firing:
            missing.append(f"{rule}: no fixture where it fires")
        if rule not in silent:
            missing.append(f"{rule}: no fixture of its own where it stays silent")
    assert not missing, "\n".join(missing)


def test_every_rule_that_fires_explains_itself() -> None:
    """`lambdalint explain` of a rule prints more than its header and summary line."""
    firing = {e["rule"] for case in CASES for e in read_expect(case).get("findings") or []}
    for rule in sorted(firing):
        done = CliRunner().invoke(main, ["explain", rule])
        assert done.exit_code == 0, done.output
        blocks = [b for b in done.stdout.split("\n\n") if b.strip()]
        described = [b for b in blocks[2:] if not b.startswith("References:")]
        assert described, f"{rule}: `lambdalint explain` has no description"


def test_fixture_folders_are_named_after_rules() -> None:
    ids = _rules()
    for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        m = re.match(r"^([A-Z]+[0-9]+)-(.+)$", folder.name)
        if not m:
            continue
        assert m.group(1) in ids, f"{folder.name}: unknown rule id"
        assert m.group(2) == ids[m.group(1)], (
            f"{folder.name}: rule {m.group(1)} is named {ids[m.group(1)]}"
        )
