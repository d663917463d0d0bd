"""Suppressions: template `Metadata: {lambdalint: {ignore: [...]}}` and inline comments
(`# lambdalint: ignore[LL401] reason`) on the reported line or the line above."""

from __future__ import annotations

import re
from pathlib import Path

from lambdalint.config import Config
from lambdalint.findings import Finding
from lambdalint.model import Project

_INLINE = re.compile(r"(?:#|//)\s*lambdalint:\s*ignore(?:\[(?P<ids>[A-Za-z0-9_,\s]+)\])?(?P<reason>[^\n]*)")


def _lines(path: Path, cache: dict[Path, list[str]]) -> list[str]:
    if path not in cache:
        try:
            cache[path] = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            cache[path] = []
    return cache[path]


def inline_reason(lines: list[str], line: int, rule_id: str) -> str | None:
    for idx in (line - 1, line - 2):
        if 0 <= idx < len(lines):
            text = lines[idx]
            if "lambdalint" not in text:
                continue
            m = _INLINE.search(text)
            if not m:
                continue
            ids = m.group("ids")
            if ids is None or rule_id in {i.strip() for i in ids.split(",")}:
                return m.group("reason").strip() or "inline suppression"
    return None


def apply(findings: list[Finding], project: Project, config: Config) -> list[Finding]:
    cache: dict[Path, list[str]] = {}
    for f in findings:
        if f.suppressed is not None:
            continue
        reason = inline_reason(_lines(f.loc.path, cache), f.loc.pos.line, f.rule_id)
        if reason is not None:
            f.suppressed = reason
    return findings
