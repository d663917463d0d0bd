"""Which rules run: decided as ruff and flake8 do, by the more specific selector."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Selection:
    """The configuration file's `select` / `ignore` (rule ids or prefixes; an empty select
    means every rule) and the command line's `--select` / `--ignore` (None: no --select)."""

    select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    cli_select: Sequence[str] | None = None
    cli_ignore: Sequence[str] = ()

    def enabled(self, rule_id: str) -> bool:
        """Whether a rule runs. The basis is the select with the highest priority, the command
        line's over the file's (none: every rule), with the ignores given alongside it: the
        more specific selector wins, an ignore on a tie (`select [LL4]` + `ignore [LL401]` drops
        LL401; `select [LL401]` + `ignore [LL4]` keeps it). `--select` on the command line sets
        the file's selection aside altogether; an `--ignore` there drops its rules whatever the
        file selects."""
        select: Sequence[str]
        ignore: Sequence[str]
        later: Sequence[str]
        if self.cli_select is not None:
            select, ignore, later = self.cli_select, self.cli_ignore, ()
        else:
            select, ignore, later = self.select, self.ignore, self.cli_ignore
        chosen = _longest_match(rule_id, select) if select else 0
        if chosen is None:
            return False
        dropped = _longest_match(rule_id, ignore)
        if dropped is not None and dropped >= chosen:
            return False
        return _longest_match(rule_id, later) is None


def _longest_match(rule_id: str, selectors: Iterable[str]) -> int | None:
    """The length of the most specific selector that matches the rule id, None if none does."""
    lengths = [len(s) for s in selectors if rule_id.startswith(s)]
    return max(lengths) if lengths else None


def unknown_selector(selectors: Iterable[str], rule_ids: Iterable[str]) -> str | None:
    """The first selector that selects no rule (a rule id or the start of one, like ruff's)."""
    ids = list(rule_ids)
    for selector in selectors:
        if not any(rule_id.startswith(selector) for rule_id in ids):
            return selector
    return None
