"""Output formats. Each module exposes `render(result, config) -> str`."""

from __future__ import annotations

import importlib
import os
import re

from lambdalint.config import Config
from lambdalint.engine import Result

FORMATS = ("text", "json", "sarif", "github")

# control characters (a newline too: every use is one line, and a line an attacker starts
# could be read as a CI workflow command), bidirectional overrides, lone surrogates
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def clean(text: str) -> str:
    """Make an untrusted string safe for a terminal: control characters become escapes."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 256 else f"\\u{ord(m.group(0)):04x}", text)


def display_path(path: os.PathLike[str] | str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        rel = str(path)
    return rel.replace(os.sep, "/")


def render(fmt: str, result: Result, config: Config, color: bool = False) -> str:
    module = importlib.import_module(f"lambdalint.reporters.{fmt}_format")
    return module.render(result, config, color=color)  # type: ignore[no-any-return]
