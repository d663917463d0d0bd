"""Machine-readable findings: {"version", "findings": [...], "summary": {...}}."""

from __future__ import annotations

import json
from collections import Counter

from lambdalint import __version__
from lambdalint.engine import Result
from lambdalint.findings import Finding, Fix
from lambdalint.reporters import display_path
from lambdalint.settings import Settings

# fixes are written out with their edits
SHOWS_EDITS = True


def fix_dict(fix: Fix | None) -> dict[str, object] | None:
    """A fix as JSON: what to do, its class, and its edits (1-based lines and columns, the end
    exclusive, and the text put there)."""
    if fix is None:
        return None
    return {
        "title": fix.title,
        "applicability": fix.applicability,
        "edits": [
            {
                "path": display_path(edit.path),
                "line": edit.span.line,
                "column": edit.span.column,
                "end_line": edit.span.end_line or edit.span.line,
                "end_column": edit.span.end_column or edit.span.column,
                "content": edit.text,
            }
            for edit in fix.edits
        ],
    }


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
        "fix": fix_dict(f.fix),
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
            # findings `--fix` would fix, and those only `--unsafe-fixes` adds
            "fixable": sum(
                1 for f in active if f.fix is not None and f.fix.applies(settings.unsafe_fixes)
            ),
            "fixable_unsafe": sum(
                1
                for f in active
                if f.fix is not None and f.fix.applies(True) and not f.fix.applies(False)
            ),
            "fixed": dict(sorted(result.fixed.items())),
        },
        "notices": result.notices,
    }
    return json.dumps(doc, indent=2) + "\n"
