"""A Markdown summary: the counts, a table of findings per rule, and a table of every finding
per file (line, rule, severity, message). Written for GitHub's job summary
(`$GITHUB_STEP_SUMMARY`, which shows everything the 10-per-step annotations leave out) and
for merge request comments.

Text from the files and rules is escaped for Markdown tables (`|`, backticks) and HTML (`<`,
`&`), so a finding's message cannot add a link, an image or markup to the summary; a zero-width
joiner breaks what GitHub and GitLab would turn into a mention (`@user`) or a bare link
(`https://`, `www.`) when the report is posted as a comment.
"""

from __future__ import annotations

from collections import Counter

from lambdalint.engine import Result
from lambdalint.escape import clean
from lambdalint.reporters import display_path, text
from lambdalint.settings import Settings

# the job summary holds at most 1 MiB: past this many rows the per-file table says how many more
MAX_ROWS = 500


def cell(value: object) -> str:
    """A value made safe for one cell of a Markdown table."""
    shown = clean(str(value))
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        shown = shown.replace(raw, escaped)
    for special in ("\\", "|", "`", "*", "_", "[", "]"):
        shown = shown.replace(special, "\\" + special)
    for trigger, broken in (
        ("@", "@" + _JOINER),
        ("://", ":" + _JOINER + "//"),
        ("www.", "www" + _JOINER + "."),
    ):
        shown = shown.replace(trigger, broken)
    return shown


_JOINER = "\u200d"  # zero-width joiner: invisible, but no mention or autolink spans it


def render(result: Result, settings: Settings, color: bool = False) -> str:
    active = [f for f in result.findings if f.suppressed is None]
    names = {r.id: r.name for r in result.rules}
    lines = ["## lambdalint", "", cell(text.summary(result)), ""]
    if not active:
        return "\n".join(lines)
    per_rule = Counter(f.rule_id for f in active)
    severity = {f.rule_id: f.severity for f in active}
    files_per_rule: dict[str, set[str]] = {}
    for f in active:
        files_per_rule.setdefault(f.rule_id, set()).add(display_path(f.loc.path))
    lines += ["| Rule | Name | Severity | Findings | Files |", "|---|---|---|---:|---:|"]
    for rule_id, count in sorted(per_rule.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(
            f"| {cell(rule_id)} | {cell(names.get(rule_id, ''))} | {cell(severity[rule_id])} "
            f"| {count} | {len(files_per_rule[rule_id])} |"
        )
    lines += ["", "| File | Line | Rule | Severity | Message |", "|---|---:|---|---|---|"]
    for f in active[:MAX_ROWS]:
        lines.append(
            f"| {cell(display_path(f.loc.path))} | {f.loc.pos.line} | {cell(f.rule_id)} "
            f"| {cell(f.severity)} | {cell(f.message)} |"
        )
    if len(active) > MAX_ROWS:
        lines += ["", f"… and {len(active) - MAX_ROWS} more findings (see the full report)."]
    return "\n".join(lines) + "\n"
