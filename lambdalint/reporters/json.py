"""Machine-readable findings: {"version", "findings": [...], "summary": {...}}."""

from __future__ import annotations

import json
from collections import Counter

from lambdalint import __version__
from lambdalint.engine import Result
from lambdalint.findings import Finding
from lambdalint.reporters import display_path
from lambdalint.settings import Settings


def finding_dict(f: Finding, names: dict[str, str]) -> dict[str, object]:
    pos = f.loc.pos
    return {
        "rule_id": f.rule_id,
        "rule": names.get(f.rule_id, ""),
        "severity": f.severity,
        "message": f.message,
        "path": display_path(f.loc.path),
        "line": pos.line,
        "column": pos.column,
        "end_line": pos.end_line or pos.line,
        "end_column": pos.end_column or pos.column,
        "function": f.function or None,
        "suppressed": f.suppressed is not None,
        "suppression_reason": f.suppressed,
    }


def render(result: Result, settings: Settings, color: bool = False) -> str:
    names = {r.id: r.name for r in result.rules}
    active = [f for f in result.findings if f.suppressed is None]
    counts = Counter(f.severity for f in active)
    doc = {
        "version": __version__,
        "findings": [finding_dict(f, names) for f in result.findings],
        "summary": {
            "total": len(active),
            "error": counts.get("error", 0),
            "warning": counts.get("warning", 0),
            "info": counts.get("info", 0),
            "suppressed": len(result.findings) - len(active),
            "functions": len(result.project.functions) if result.project else 0,
            "files": len(result.project.files) if result.project else 0,
        },
        "notices": result.notices,
    }
    return json.dumps(doc, indent=2) + "\n"
