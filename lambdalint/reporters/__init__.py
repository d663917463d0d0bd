"""Output formats. Each module exposes `render(result, config) -> str`."""

from __future__ import annotations

import importlib
# not `import json`: importing the json format module sets `json` in this package's namespace
import json as jsonlib
import os
import re

from lambdalint.settings import Config
from lambdalint.engine import Result

FORMATS = ("text", "json", "sarif", "github")

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
    text = jsonlib.dumps(value, indent=indent, ensure_ascii=False)
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def display_path(path: os.PathLike[str] | str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        rel = str(path)
    return rel.replace(os.sep, "/")


def render(fmt: str, result: Result, config: Config, color: bool = False) -> str:
    module = importlib.import_module(f"lambdalint.reporters.{fmt}")
    return module.render(result, config, color=color)  # type: ignore[no-any-return]
