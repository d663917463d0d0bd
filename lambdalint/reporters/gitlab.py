"""GitLab Code Quality report (`artifacts: reports: codequality:`): a JSON array with one
issue per active finding: `description`, `check_name`, `fingerprint`, `severity`, and
`location.path` (relative to the working directory, the repository root in CI) with
`location.lines.begin`.

GitLab shows only the first issue of a fingerprint, so identical findings in one file are told
apart by their occurrence, as in SARIF; the fingerprint does not change when lines move.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

from lambdalint.engine import Result
from lambdalint.escape import json_text
from lambdalint.filters.baseline import LineCache, fingerprint, relative_path
from lambdalint.findings import Finding
from lambdalint.reporters.sarif import is_security
from lambdalint.settings import Settings

# GitLab's scale: info, minor, major, critical, blocker
SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


def issue(
    finding: Finding, root: Path, lines: LineCache, seen: Counter[str], security: set[str]
) -> dict[str, Any]:
    rel = relative_path(finding.loc.path, root).removeprefix("./")
    line_text = lines.text(finding.loc.path, finding.loc.pos.line)
    fp = fingerprint(finding, rel, line_text)
    seen[fp] += 1
    unique = hashlib.sha256(f"{fp}:{seen[fp]}".encode()).hexdigest()[:32]
    severity = SEVERITIES.get(finding.severity, "minor")
    if severity == "major" and finding.rule_id in security:
        severity = "critical"  # a leak or an over-broad grant, not only a broken deploy
    pos = finding.loc.pos
    begin = max(pos.line, 1)
    where: dict[str, Any] = {"begin": begin}
    if pos.end_line is not None and pos.end_line > begin:
        where["end"] = pos.end_line
    return {
        "type": "issue",
        "description": f"{finding.rule_id}: {finding.message}",
        "check_name": finding.rule_id,
        "fingerprint": unique,
        "severity": severity,
        "location": {"path": rel, "lines": where},
    }


def render(result: Result, settings: Settings, color: bool = False) -> str:
    root = Path.cwd()
    lines = LineCache(result.reader)
    seen: Counter[str] = Counter()
    security = {r.id for r in result.rules if is_security(r)}
    issues = [
        issue(f, root, lines, seen, security) for f in result.findings if f.suppressed is None
    ]
    return json_text(issues) + "\n"
