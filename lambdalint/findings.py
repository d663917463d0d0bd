"""A finding: one problem, at one place, from one rule, and the fix for it when there is one."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from lambdalint.model import Loc, Pos

Severity = Literal["info", "warning", "error"]
SEVERITIES: tuple[Severity, ...] = ("info", "warning", "error")  # lowest first
# ruff's classes: a safe fix keeps what the code or template means (`--fix`); an unsafe one
# may change it (`--fix --unsafe-fixes`)
Applicability = Literal["safe", "unsafe"]
APPLICABILITIES: tuple[Applicability, ...] = ("safe", "unsafe")


@dataclass(frozen=True)
class Edit:
    """Replace `start`..`end` (character offsets in the file's text as lambdalint read it: any
    byte order mark left out) with `text`. An insertion has `start == end`, a deletion empty
    `text`. `span` is the same range as 1-based lines and columns (end exclusive), for the
    reports."""

    path: Path
    start: int
    end: int
    text: str
    span: Pos = Pos()

    def overlaps(self, other: Edit) -> bool:
        """Whether the two change the same text (two insertions at one point count: which
        goes first would be a guess)."""
        if self.path != other.path:
            return False
        if self.start == self.end == other.start == other.end:
            return True
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Fix:
    """What to do about a finding (`title`, kept apart from the finding's message) and the
    edits that do it. `applicability` is the rule's declared fix class unless the check says
    otherwise (the engine fills it in)."""

    title: str
    edits: tuple[Edit, ...]
    applicability: Applicability | Literal[""] = ""
    # the edits were not computed: the run only reports, and computing them costs (a rewrite
    # of handler code with libcst); `--fix` and the formats that show edits compute them
    deferred: bool = False

    def files(self) -> list[Path]:
        return list(dict.fromkeys(edit.path for edit in self.edits))

    def applies(self, unsafe: bool) -> bool:
        """Whether `--fix` applies it (given `--unsafe-fixes` when `unsafe`)."""
        if not self.edits and not self.deferred:
            return False
        return self.applicability == "safe" or (unsafe and self.applicability == "unsafe")


@dataclass
class Finding:
    message: str
    loc: Loc
    rule_id: str = ""
    # set by the engine from the rule and the configuration (a check may set its own)
    severity: Severity | Literal[""] = ""
    function: str = ""
    suppressed: str | None = None  # the reason, when suppressed
    # the Terraform module instances whose (shared) lines it is on, each with the call that
    # makes it, as (instance, call) (the instance "" when the message names it): the engine
    # writes them into the message once findings are merged
    instances: list[tuple[str, str]] = field(default_factory=list)
    fix: Fix | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (str(self.loc.path), self.loc.pos.line, self.loc.pos.column, self.rule_id)
