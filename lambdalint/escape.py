"""How lambdalint prints what it did not write: every string from a file, a path, a
configuration or a rule goes through `clean` (or `clean_lines`, or `json_text`) before it
reaches a terminal, a CI log or a report."""

from __future__ import annotations

import json
import re

# control characters (a newline too: every use is one line, and a line an attacker starts
# could be read as a CI workflow command), Unicode line and paragraph separators (a new line to
# some readers of GitHub's logs), bidirectional overrides, isolates and marks, lone surrogates
_CONTROL = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
    "\u2066-\u2069\ud800-\udfff]"
)


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group(0))
    return f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}"


def clean(text: str) -> str:
    """Make an untrusted string safe to print on one line of a terminal or a CI log: control
    and invisible formatting characters become escapes, and a leading `::` (which would make
    the line a GitHub Actions workflow command, such as `::error::` or `::add-mask::`) has its
    first colon escaped. Everything lambdalint prints from a file, a path, a configuration or
    a rule goes through here (or `clean_lines`)."""
    text = _CONTROL.sub(_escape, text)
    return "\\x3a" + text[1:] if text.startswith("::") else text


def clean_lines(text: str) -> str:
    """`clean` for text whose line breaks are meant (a rule's description): each line on its
    own."""
    return "\n".join(clean(line) for line in text.split("\n"))


_INVISIBLE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_text(value: object, indent: int | None = 2) -> str:
    """JSON that keeps non-ASCII text readable (ensure_ascii=False), with the characters `clean`
    escapes written as JSON escapes: the same value, never a raw line separator or a
    bidirectional override in the output."""
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
