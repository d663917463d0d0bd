"""SARIF 2.1.0 for code scanning (GitHub, Azure DevOps, IDE viewers).

One run; `tool.driver.rules` lists every rule that ran; each result points at a path relative to
`%SRCROOT%` (the working directory) with a 1-based region, carries a `partialFingerprints`
entry that does not depend on line numbers (see baseline.fingerprint), and, when suppressed,
a `suppressions` entry with the reason.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

from lambdalint import __version__
from lambdalint.engine import Result, reference
from lambdalint.escape import json_text
from lambdalint.filters.baseline import LineCache, fingerprint, relative_path
from lambdalint.findings import Finding, Fix
from lambdalint.rulepack import Rule
from lambdalint.settings import Settings

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/lambdalint/lambdalint"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "lambdalint/v1"

LEVELS = {"error": "error", "warning": "warning", "info": "note"}
SECURITY_CATEGORIES = frozenset({"iam", "secrets", "security"})
# GitHub maps security-severity to critical (>= 9), high (>= 7), medium (>= 4) and low
SECURITY_SEVERITY = {"error": 8.0, "warning": 5.0, "info": 2.0}

_SECTION = re.compile(r"^##\s+What it does\s*$(?P<body>.*?)(?=^##\s|\Z)", re.MULTILINE | re.DOTALL)


# fixes are written out with their edits
SHOWS_EDITS = True


def _full_description(rule: Rule) -> str:
    m = _SECTION.search(rule.description or "")
    if m:
        text = " ".join(m.group("body").split())
        if text:
            return text
    return rule.summary


def is_security(rule: Rule) -> bool:
    return rule.category in SECURITY_CATEGORIES or "security" in rule.tags


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    tags = [t for t in (rule.category, *rule.tags) if t]
    properties: dict[str, Any] = {}
    if is_security(rule):
        if "security" not in tags:
            tags.append("security")
        score = (
            rule.security_severity
            if rule.security_severity is not None
            else SECURITY_SEVERITY[rule.severity]
        )
        properties["security-severity"] = f"{score:.1f}"
    properties["tags"] = list(dict.fromkeys(tags))
    properties["precision"] = "high"
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _full_description(rule)},
        "help": {"text": rule.description or rule.summary, "markdown": reference.section(rule)},
    }
    uri = reference.help_uri(rule)
    if uri is not None:
        descriptor["helpUri"] = uri
    descriptor["defaultConfiguration"] = {"level": LEVELS.get(rule.severity, "warning")}
    descriptor["properties"] = properties
    return descriptor


def _artifact_location(path: Path, root: Path) -> dict[str, Any]:
    rel = relative_path(path, root)
    if rel.startswith("../") or Path(rel).is_absolute():
        absolute = path if path.is_absolute() else root / path
        return {"uri": absolute.resolve().as_uri()}
    return {"uri": quote(rel, safe="/"), "uriBaseId": SRCROOT}


def _region(finding: Finding) -> dict[str, Any]:
    pos = finding.loc.pos
    line = max(pos.line, 1)
    region: dict[str, Any] = {"startLine": line, "startColumn": max(pos.column, 1)}
    if pos.end_line is not None and pos.end_line >= line:
        region["endLine"] = pos.end_line
        if pos.end_column is not None and (
            pos.end_line > line or pos.end_column > region["startColumn"]
        ):
            region["endColumn"] = pos.end_column
    return region


def _result(
    finding: Finding, index: dict[str, int], root: Path, lines: LineCache, seen: Counter[str]
) -> dict[str, Any]:
    location = _artifact_location(finding.loc.path, root)
    rel = relative_path(finding.loc.path, root)
    fp = fingerprint(finding, rel, lines.text(finding.loc.path, finding.loc.pos.line))
    seen[fp] += 1
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index[finding.rule_id],
        "level": LEVELS.get(finding.severity, "warning"),
        "message": {"text": finding.message},
        "locations": [
            {"physicalLocation": {"artifactLocation": location, "region": _region(finding)}}
        ],
        # identical findings in one file are told apart by their occurrence, as GitHub does
        "partialFingerprints": {FINGERPRINT_KEY: f"{fp}:{seen[fp]}"},
    }
    if finding.function:
        result["properties"] = {"function": finding.function}
    if finding.fix is not None:
        result["fixes"] = [_fix(finding.fix, root)]
    if finding.suppressed is not None:
        result["suppressions"] = [
            {"kind": "inSource", "status": "accepted", "justification": finding.suppressed}
        ]
    return result


def _fix(fix: Fix, root: Path) -> dict[str, Any]:
    """A SARIF fix: for each file, the regions replaced (an empty region is a point where text
    is inserted) and the text put there."""
    changes = []
    for path in fix.files():
        replacements = []
        for edit in fix.edits:
            if edit.path != path:
                continue
            span = edit.span
            region = {
                "startLine": span.line,
                "startColumn": span.column,
                "endLine": span.end_line or span.line,
                "endColumn": span.end_column or span.column,
            }
            replacements.append({"deletedRegion": region, "insertedContent": {"text": edit.text}})
        changes.append(
            {"artifactLocation": _artifact_location(path, root), "replacements": replacements}
        )
    return {
        "description": {"text": fix.title},
        "artifactChanges": changes,
        "properties": {"applicability": fix.applicability},
    }


def _notifications(result: Result) -> list[dict[str, Any]]:
    notes = [{"level": "error", "message": {"text": text}} for text in result.internal_errors]
    notes += [{"level": "note", "message": {"text": text}} for text in result.notices]
    return notes


def document(result: Result, settings: Settings) -> dict[str, Any]:
    root = Path.cwd()
    rules = list(result.rules)
    index = {r.id: i for i, r in enumerate(rules)}
    for f in result.findings:
        if f.rule_id not in index:  # a finding from a rule the result does not list: describe it
            index[f.rule_id] = len(rules)
            rules.append(
                Rule(
                    id=f.rule_id,
                    name=f.rule_id.lower(),
                    severity=f.severity or "warning",
                    summary=f.rule_id,
                )
            )
    lines = LineCache(result.reader)
    seen: Counter[str] = Counter()
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "lambdalint",
                "fullName": f"lambdalint {__version__}",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [rule_descriptor(r) for r in rules],
            }
        },
        "invocations": [
            {
                "executionSuccessful": not result.internal_errors,
                "toolExecutionNotifications": _notifications(result),
            }
        ],
        "originalUriBaseIds": {SRCROOT: {"uri": root.resolve().as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index, root, lines, seen) for f in result.findings],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(result: Result, settings: Settings, color: bool = False) -> str:
    return json_text(document(result, settings)) + "\n"
