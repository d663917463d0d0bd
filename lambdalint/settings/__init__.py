"""Run configuration: what to check and how strictly. Built from config files and CLI flags."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """A configuration problem the user can fix; the message names the key."""


@dataclass
class Config:
    # the configuration file's selection: rule ids or prefixes; an empty select means all
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    # the command line's (`--select`, `--ignore`); None: no --select given
    cli_select: list[str] | None = None
    cli_ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)  # per-rule overrides
    fail_on: str = "warning"
    exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    extend_rules: list[Path] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)  # rule options (api-timeout, ...)
    source: Path | None = None  # the file this came from

    def rule_enabled(self, rule_id: str) -> bool:
        """Whether a rule runs, decided as ruff and flake8 do. The basis is the select with the
        highest priority, the command line's over the file's (none: every rule), with the
        ignores given alongside it: the more specific selector wins, an ignore on a tie
        (`select [LL4]` + `ignore [LL401]` drops LL401; `select [LL401]` + `ignore [LL4]` keeps
        it). `--select` on the command line sets the file's selection aside altogether; an
        `--ignore` there drops its rules whatever the file selects."""
        if self.cli_select is not None:
            select, ignore, later = self.cli_select, self.cli_ignore, []
        else:
            select, ignore, later = self.select, self.ignore, self.cli_ignore
        chosen = _longest_match(rule_id, select) if select else 0
        if chosen is None:
            return False
        dropped = _longest_match(rule_id, ignore)
        if dropped is not None and dropped >= chosen:
            return False
        return _longest_match(rule_id, later) is None


def _longest_match(rule_id: str, selectors: list[str]) -> int | None:
    """The length of the most specific selector that matches the rule id, None if none does."""
    lengths = [len(s) for s in selectors if rule_id.startswith(s)]
    return max(lengths) if lengths else None
