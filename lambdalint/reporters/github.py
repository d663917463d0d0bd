"""GitHub Actions workflow commands: one `::error file=…,line=…,col=…,title=LL101::message`
annotation per active finding (warning → `::warning`, info → `::notice`).

Values are escaped by the workflow-command rules (`%`, CR and LF everywhere; `:` and `,` also
in properties), then stripped of other control characters, so a finding's text can never end
the command early or inject another one.
"""

from __future__ import annotations

from lambdalint.engine import Result
from lambdalint.escape import clean
from lambdalint.findings import Finding
from lambdalint.reporters import display_path
from lambdalint.settings import Settings

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return clean(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    pos = finding.loc.pos
    props = [
        f"file={escape_property(display_path(finding.loc.path))}",
        f"line={max(pos.line, 1)}",
    ]
    if pos.end_line is not None and pos.end_line >= pos.line:
        props.append(f"endLine={pos.end_line}")
    props.append(f"col={max(pos.column, 1)}")
    if pos.end_column is not None and pos.end_line == pos.line and pos.end_column > pos.column:
        props.append(f"endColumn={pos.end_column}")
    props.append(f"title={escape_property(finding.rule_id)}")
    command = COMMANDS.get(finding.severity, "warning")
    return f"::{command} {','.join(props)}::{escape_data(finding.message)}"


def render(result: Result, settings: Settings, color: bool = False) -> str:
    lines = [annotation(f) for f in result.findings if f.suppressed is None]
    return "".join(line + "\n" for line in lines)
