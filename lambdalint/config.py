"""Run configuration: what to check and how strictly. Built from config files and CLI flags."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """A configuration problem the user can fix; the message names the key."""


@dataclass
class Config:
    select: list[str] = field(default_factory=list)  # rule ids or prefixes; empty = all
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)  # per-rule overrides
    fail_on: str = "warning"
    exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    extend_rules: list[Path] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)  # rule options (api-timeout, ...)
    source: Path | None = None  # the file this came from

    def rule_enabled(self, rule_id: str) -> bool:
        if self.select and not any(rule_id.startswith(s) for s in self.select):
            return False
        return not any(rule_id.startswith(i) for i in self.ignore)
