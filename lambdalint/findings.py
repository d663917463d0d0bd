"""A finding: one problem, at one place, from one rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from lambdalint.model import Loc

Severity = Literal["info", "warning", "error"]
SEVERITIES: tuple[Severity, ...] = ("info", "warning", "error")  # lowest first


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

    def sort_key(self) -> tuple[str, int, int, str]:
        return (str(self.loc.path), self.loc.pos.line, self.loc.pos.column, self.rule_id)
