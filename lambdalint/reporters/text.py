"""Human output, ruff-like: for each finding `path:line:col: ID message`, then the line it
points at with a caret under the span (the template line for a configuration finding, the
source line for a code finding), grouped by file; then a summary line.

The one-line form (`--output-format concise`) is concise.py; both share the summary here.
"""

from __future__ import annotations

import textwrap
import unicodedata
from collections import Counter
from collections.abc import Sequence

from lambdalint.engine import Result
from lambdalint.escape import clean
from lambdalint.filters.baseline import LineCache
from lambdalint.findings import Finding
from lambdalint.reporters import display_path
from lambdalint.settings import Settings

COLORS = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m"}
BOLD = "\x1b[1m"
GUTTER = "\x1b[34m"  # line numbers and bars
RESET = "\x1b[0m"

TAB_WIDTH = 4
# a source line longer than this is shown as a window around the span (minified code)
MAX_SHOWN = 160
CONTINUATION = "    "  # the indent of a wrapped message's further lines


def paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{RESET}" if color and text else text


def location(f: Finding, color: bool) -> str:
    """`path:line:col:`, the path in bold on a terminal."""
    path = clean(display_path(f.loc.path))
    return f"{paint(path, BOLD, color)}:{f.loc.pos.line}:{f.loc.pos.column}:"


def rule_code(f: Finding, color: bool, settings: Settings | None = None) -> str:
    """The rule id, in the colour of the finding's severity on a terminal, followed by `[*]`
    when `--fix` would fix it (with the run's `--unsafe-fixes`)."""
    code = paint(clean(f.rule_id), COLORS.get(f.severity, "") + BOLD, color)
    return code + " [*]" if fixable(f, settings) else code


def fixable(f: Finding, settings: Settings | None) -> bool:
    return settings is not None and f.fix is not None and f.fix.applies(settings.unsafe_fixes)


def header(
    f: Finding, color: bool, width: int | None, settings: Settings | None = None
) -> list[str]:
    """`path:line:col: ID message` (`ID [*]` when fixable), the message wrapped at `width`
    (None: one line)."""
    plain_prefix = f"{clean(display_path(f.loc.path))}:{f.loc.pos.line}:{f.loc.pos.column}: "
    plain_prefix += f"{clean(f.rule_id)}{' [*]' if fixable(f, settings) else ''} "
    prefix = f"{location(f, color)} {rule_code(f, color, settings)} "
    message = clean(f.message)
    if width is None or len(plain_prefix) + len(message) <= width:
        return [prefix + message]
    lines = textwrap.wrap(
        message,
        width=max(width, len(plain_prefix) + 20),
        initial_indent=" " * len(plain_prefix),
        subsequent_indent=CONTINUATION,
        break_long_words=False,
        break_on_hyphens=False,
    )
    if not lines:
        return [prefix + message]
    return [prefix + lines[0][len(plain_prefix) :], *lines[1:]]


def _cells(text: str) -> int:
    """Terminal cells `text` takes: wide (East Asian) characters take two, combining marks
    none."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _shown(text: str) -> str:
    return clean(text).expandtabs(TAB_WIDTH)


def snippet(f: Finding, lines: LineCache, label: str, color: bool) -> list[str]:
    """The line the finding points at with a caret under its span followed by `label`; []
    when there is no such line (a file that cannot be read as text, a finding about a whole
    file)."""
    pos = f.loc.pos
    source = lines.text(f.loc.path, pos.line) if pos.line > 0 else ""
    if not source.strip():
        return []
    start = min(max(pos.column, 1), len(source) + 1) - 1
    if pos.end_line == pos.line and pos.end_column is not None and pos.end_column > pos.column:
        end = min(pos.end_column - 1, len(source))
    elif pos.end_line is not None and pos.end_line > pos.line:
        end = len(source.rstrip())  # a span over several lines: to the end of the first
    else:
        # no end known (a YAML scalar): the word at the column, up to a space or a comment
        end = start + 1
        while end < len(source) and not source[end].isspace():
            end += 1
    end = max(end, start + 1)
    before, inside, after = source[:start], source[start:end], source[end:]
    if len(source) > MAX_SHOWN:
        keep = MAX_SHOWN // 4
        if len(before) > keep:
            before = "…" + before[-keep:]
        inside = inside[: MAX_SHOWN // 2] + ("…" if len(inside) > MAX_SHOWN // 2 else "")
        after = after[:keep] + ("…" if len(after) > keep else "")
    offset = _cells(_shown(before))
    carets = "^" * max(1, _cells(_shown(inside)))
    number = str(pos.line)
    bar = paint(" " * len(number) + " |", GUTTER, color)
    marker = paint(f"{carets} {clean(label)}", COLORS.get(f.severity, ""), color)
    return [
        bar,
        f"{paint(number + ' |', GUTTER, color)} {_shown(before + inside + after).rstrip()}",
        f"{bar} {' ' * offset}{marker}",
        bar,
    ]


def caret_label(f: Finding, names: dict[str, str]) -> str:
    """What the caret says: `error: handler-function-missing`."""
    name = names.get(f.rule_id)
    return f"{f.severity}: {name}" if name else f.severity


def finding_lines(
    f: Finding,
    lines: LineCache,
    names: dict[str, str],
    color: bool,
    width: int | None,
    settings: Settings | None = None,
) -> list[str]:
    return [*header(f, color, width, settings), *snippet(f, lines, caret_label(f, names), color)]


def summary(result: Result) -> str:
    """`Found 2 findings (2 errors, 0 warnings, 0 info) in 2 functions.`, or what passed."""
    active = [f for f in result.findings if f.suppressed is None]
    counts = Counter(f.severity for f in active)
    suppressed = len(result.findings) - len(active)
    total = len(active)
    functions = len(result.project.functions) if result.project else 0
    checked = f"{functions} function{'s' if functions != 1 else ''}"
    if total == 0 and functions == 0:
        return "No Lambda functions found: nothing was checked."
    if total == 0:
        if suppressed:
            return f"All checks passed; {suppressed} suppressed in {checked}."
        return f"All checks passed ({checked} checked)."
    parts = ", ".join(
        f"{counts.get(s, 0)} {s}{'s' if counts.get(s, 0) != 1 and s != 'info' else ''}"
        for s in ("error", "warning", "info")
    )
    line = f"Found {total} finding{'s' if total != 1 else ''} ({parts})"
    if suppressed:
        line += f"; {suppressed} suppressed"
    return f"{line} in {checked}."


def rule_names(result: Result) -> dict[str, str]:
    return {r.id: clean(r.name) for r in result.rules}  # a custom rule's name is untrusted


def join(blocks: Sequence[list[str]], closing: Sequence[str]) -> str:
    """Blocks separated by a blank line, then the closing lines."""
    lines: list[str] = []
    for block in blocks:
        lines += [*block, ""]
    lines += closing
    return "\n".join(lines) + "\n"


def render(
    result: Result, settings: Settings, color: bool = False, width: int | None = None
) -> str:
    names = rule_names(result)
    lines = LineCache(result.reader)
    blocks = [
        finding_lines(f, lines, names, color, width, settings)
        for f in result.findings
        if f.suppressed is None
    ]
    return join(blocks, closing(result, settings))


def closing(result: Result, settings: Settings) -> list[str]:
    """The lines after the findings: the summary, then what `--fix` fixed and could fix."""
    return [summary(result), *fix_lines(result, settings)]


def fix_lines(result: Result, settings: Settings) -> list[str]:
    """How many findings `--fix` fixed (after `--fix`), and how many it would fix (and how many
    more with `--unsafe-fixes`)."""
    active = [f for f in result.findings if f.suppressed is None]
    lines = []
    if result.fixed:
        total = sum(result.fixed.values())
        per_rule = ", ".join(f"{n} {clean(rule)}" for rule, n in sorted(result.fixed.items()))
        lines.append(f"Fixed {total} finding{'s' if total != 1 else ''} ({per_rule}).")
    count = sum(1 for f in active if fixable(f, settings))
    hidden = 0
    if not settings.unsafe_fixes:
        hidden = sum(
            1
            for f in active
            if f.fix is not None and f.fix.applies(True) and not fixable(f, settings)
        )
    if count:
        more = f" ({hidden} more with --unsafe-fixes)" if hidden else ""
        lines.append(f"[*] {count} fixable with --fix{more}.")
    elif hidden:
        lines.append(f"{hidden} fixable with --fix --unsafe-fixes.")
    return lines
