"""Human output, ruff-like: `path:line:col: ID name message`, grouped by file, then a summary."""

from __future__ import annotations

from collections import Counter

from lambdalint.engine import Result
from lambdalint.escape import clean
from lambdalint.findings import Finding
from lambdalint.reporters import display_path
from lambdalint.settings import Settings

_COLORS = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m"}
_BOLD = "\x1b[1m"
_RESET = "\x1b[0m"


def render(result: Result, settings: Settings, color: bool = False) -> str:
    names = {r.id: clean(r.name) for r in result.rules}  # a custom rule's name is untrusted
    lines: list[str] = []
    current = None
    active = [f for f in result.findings if f.suppressed is None]
    for f in active:
        path = clean(display_path(f.loc.path))
        if path != current:
            if current is not None:
                lines.append("")
            current = path
        rid = clean(f.rule_id)
        name = names.get(f.rule_id, "")
        sev = f.severity
        if color:
            rid = f"{_COLORS.get(sev, '')}{_BOLD}{rid}{_RESET}"
            loc = f"{_BOLD}{path}{_RESET}:{f.loc.pos.line}:{f.loc.pos.column}:"
        else:
            loc = f"{path}:{f.loc.pos.line}:{f.loc.pos.column}:"
        mark = " [*]" if f.fix is not None and f.fix.applies(settings.unsafe_fixes) else ""
        lines.append(f"{loc} {rid}{mark} {name} [{sev}] {clean(f.message)}")
    counts = Counter(f.severity for f in active)
    suppressed = sum(1 for f in result.findings if f.suppressed is not None)
    if lines:
        lines.append("")
    total = len(active)
    parts = [
        f"{counts.get(s, 0)} {s}{'s' if counts.get(s, 0) != 1 and s != 'info' else ''}"
        for s in ("error", "warning", "info")
    ]
    summary = f"Found {total} finding{'s' if total != 1 else ''} ({', '.join(parts)})"
    if suppressed:
        summary += f"; {suppressed} suppressed"
    nfn = len(result.project.functions) if result.project else 0
    summary += f" in {nfn} function{'s' if nfn != 1 else ''}."
    if total == 0 and nfn == 0:
        summary = "No Lambda functions found: nothing was checked."
    elif total == 0:
        summary = (
            "All checks passed" + summary[summary.index(";") :]
            if suppressed
            else f"All checks passed ({nfn} function{'s' if nfn != 1 else ''} checked)."
        )
    lines.append(summary)
    lines += _fix_lines(result, active, settings)
    return "\n".join(lines) + "\n"


def _fix_lines(result: Result, active: list[Finding], settings: Settings) -> list[str]:
    """How many findings `--fix` would fix (and how many more with `--unsafe-fixes`), and, after
    `--fix`, how many it fixed."""
    lines = []
    if result.fixed:
        total = sum(result.fixed.values())
        per_rule = ", ".join(f"{n} {clean(rule)}" for rule, n in sorted(result.fixed.items()))
        lines.append(f"Fixed {total} finding{'s' if total != 1 else ''} ({per_rule}).")
    fixable = sum(1 for f in active if f.fix is not None and f.fix.applies(settings.unsafe_fixes))
    hidden = sum(
        1 for f in active if f.fix is not None and f.fix.applies(True) and not f.fix.applies(False)
    )
    hidden = 0 if settings.unsafe_fixes else hidden
    if fixable or hidden:
        more = f" ({hidden} more with --unsafe-fixes)" if hidden else ""
        lines.append(f"[*] {fixable} fixable with --fix{more}.")
    return lines
