"""Markdown for a terminal (`lambdalint explain` on a TTY): headings in bold (a level-two
heading underlined), fenced code blocks indented without their fences, inline code and
`**strong**` text highlighted, list bullets as `•`. The text must already be clean (escape.py):
only the escapes added here reach the terminal."""

from __future__ import annotations

import re

BOLD = "\x1b[1m"
CODE = "\x1b[36m"  # inline code and code blocks
RULE = "\x1b[2m"  # the underline of a heading, a code block's language
RESET = "\x1b[0m"

_INLINE_CODE = re.compile(r"`([^`\n]+)`")
_STRONG = re.compile(r"\*\*([^*\n]+)\*\*")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)\s*([\w+-]*)\s*$")
_BULLET = re.compile(r"^(\s*)[-*]\s+")


def _inline(line: str) -> str:
    line = _INLINE_CODE.sub(lambda m: f"{CODE}{m.group(1)}{RESET}", line)
    return _STRONG.sub(lambda m: f"{BOLD}{m.group(1)}{RESET}", line)


def render(text: str) -> str:
    out: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        m = _FENCE.match(line)
        if fence is not None:
            if m and m.group(1) == fence:
                fence = None
                continue
            out.append(f"    {CODE}{line}{RESET}" if line else "")
            continue
        if m:
            fence = m.group(1)
            if m.group(2):
                out.append(f"  {RULE}{m.group(2)}{RESET}")
            continue
        heading = _HEADING.match(line)
        if heading:
            level, title = len(heading.group(1)), heading.group(2).strip()
            out.append(f"{BOLD}{title}{RESET}")
            if level <= 2:
                out.append(f"{RULE}{'─' * len(title)}{RESET}")
            continue
        line = _BULLET.sub(lambda m: f"{m.group(1)}• ", line)
        out.append(_inline(line))
    return "\n".join(out)
