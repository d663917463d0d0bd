"""One line per finding, `path:line:col: ID name [severity] message`, grouped by file, then the
summary line: for logs and scripts that read one finding per line (`--output-format concise`)."""

from __future__ import annotations

from lambdalint.engine import Result
from lambdalint.escape import clean
from lambdalint.findings import Finding
from lambdalint.reporters import text
from lambdalint.settings import Settings


def line(f: Finding, names: dict[str, str], color: bool, settings: Settings | None = None) -> str:
    name = names.get(f.rule_id, "")
    return (
        f"{text.location(f, color)} {text.rule_code(f, color, settings)} {name} [{f.severity}] "
        f"{clean(f.message)}"
    )


def render(result: Result, settings: Settings, color: bool = False) -> str:
    names = text.rule_names(result)
    blocks: list[list[str]] = []
    current = None
    for f in result.findings:
        if f.suppressed is not None:
            continue
        if f.loc.path != current:
            current = f.loc.path
            blocks.append([])
        blocks[-1].append(line(f, names, color, settings))
    return text.join(blocks, text.closing(result, settings))
