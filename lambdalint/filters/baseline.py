"""Baselines: record today's findings (`lambdalint baseline`) and report only new ones
(`lambdalint check --baseline FILE`).

A finding is matched by a fingerprint that survives lines moving: its rule id, its file (relative
to the baseline file's folder), its function, the whitespace-normalised text of the offending
line and its message with numbers masked. The line number itself is not part of it. Matching
counts: two identical findings in the baseline excuse two today, a third one is new.
The same fingerprint feeds SARIF `partialFingerprints`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

from lambdalint import __version__
from lambdalint.findings import Finding
from lambdalint.reading import Reader, Unreadable, read_settings
from lambdalint.reading.json_reader import parse_json
from lambdalint.reading.positions import LoadError
from lambdalint.writing import write_text

DEFAULT_FILE = ".lambdalint-baseline.json"
FORMAT_VERSION = 1

_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"\d+")


class LineCache:
    """The lines of each file a finding points at, read once."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self._lines: dict[Path, list[str]] = {}

    def text(self, path: Path, line: int) -> str:
        if path not in self._lines:
            self._lines[path] = self.reader.read_lines(path)
        lines = self._lines[path]
        return lines[line - 1] if 0 < line <= len(lines) else ""


def relative_path(path: Path, base: Path) -> str:
    """`path` relative to `base`, `/`-separated (absolute when on another drive)."""
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        rel = os.path.relpath(absolute, base)
    except ValueError:
        return absolute.as_posix()
    return rel.replace(os.sep, "/")


def normalise_line(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def normalise_message(message: str) -> str:
    # numbers in messages are often positions or counts that change when unrelated code moves
    return _NUMBER.sub("#", normalise_line(message))


def fingerprint(finding: Finding, rel_path: str, line_text: str) -> str:
    parts = (
        finding.rule_id,
        rel_path,
        finding.function or "",
        normalise_line(line_text),
        normalise_message(finding.message),
    )
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _entries(
    findings: list[Finding], base: Path, cache: LineCache
) -> list[tuple[str, Finding, str]]:
    out = []
    for f in findings:
        rel = relative_path(f.loc.path, base)
        out.append((fingerprint(f, rel, cache.text(f.loc.path, f.loc.pos.line)), f, rel))
    return out


def _base_of(path: Path) -> Path:
    return (path if path.is_absolute() else Path.cwd() / path).parent


def document(findings: list[Finding], path: Path, reader: Reader) -> dict[str, Any]:
    """The baseline file's content for these findings (suppressed ones are not recorded)."""
    base = _base_of(path)
    active = [f for f in findings if f.suppressed is None]
    rows = [
        {
            "fingerprint": fp,
            "rule_id": f.rule_id,
            "path": rel,
            "function": f.function or None,
            "line": f.loc.pos.line,  # for people reading the file; not used for matching
            "message": f.message,
        }
        for fp, f, rel in _entries(active, base, LineCache(reader))
    ]
    rows.sort(key=lambda r: (r["path"], r["line"], r["rule_id"], r["fingerprint"]))
    return {"version": FORMAT_VERSION, "generator": f"lambdalint {__version__}", "findings": rows}


def write(findings: list[Finding], path: Path, reader: Reader | None = None) -> int:
    """Write the baseline file (atomically; a link at `path` is replaced, not followed);
    returns the number of findings recorded."""
    doc = document(findings, path, reader or Reader())
    write_text(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return len(doc["findings"])


def read(path: Path, reader: Reader) -> Counter[str]:
    """The fingerprints recorded in a baseline file (ValueError, one line, when it cannot be
    read or is not one). It comes with the repository: it is read with the limits of project
    files (a regular file of at most `max-file-size` bytes, nesting at most `max-depth`)."""
    try:
        data, _ = parse_json(read_settings(path, reader.limits), path, reader.limits)
    except Unreadable as exc:
        raise ValueError(exc.message) from None
    except LoadError as exc:
        raise ValueError(f"line {exc.pos.line}: {exc.message}") from None
    rows = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(rows, list) or data.get("version") != FORMAT_VERSION:
        raise ValueError(
            'not a lambdalint baseline file (expected {"version": 1, "findings": [...]})'
        )
    counts: Counter[str] = Counter()
    for row in rows:
        if isinstance(row, dict) and isinstance(row.get("fingerprint"), str):
            counts[row["fingerprint"]] += 1
    return counts


def filter_new(findings: list[Finding], path: Path, reader: Reader | None = None) -> list[Finding]:
    """The findings not recorded in the baseline at `path` (suppressed ones are kept as they
    are)."""
    reader = reader or Reader()
    known = read(path, reader)
    base = _base_of(path)
    cache = LineCache(reader)
    out = []
    for f in findings:
        if f.suppressed is None:
            rel = relative_path(f.loc.path, base)
            fp = fingerprint(f, rel, cache.text(f.loc.path, f.loc.pos.line))
            if known[fp] > 0:
                known[fp] -= 1
                continue
        out.append(f)
    return out
