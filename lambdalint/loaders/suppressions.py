"""Suppressions written in the files lambdalint loads: the `lambdalint: ignore[LL301] reason`
directive, and a Terraform JSON block's `"//"` key, which the loaders read into
`Function.suppressed` like CloudFormation's `Metadata` (filters/suppress.py applies them)."""

from __future__ import annotations

import re
from typing import Any

_DIRECTIVE = re.compile(
    r"lambdalint:\s*ignore(?:\[(?P<ids>[A-Za-z0-9_,\s]*)\])?(?P<reason>(?:[\s:\-].*)?)$"
)

METADATA_REASON = "template metadata"


def parse_directive(text: str) -> tuple[set[str] | None, str] | None:
    """`lambdalint: ignore[LL1,LL2] reason` → ({LL1, LL2}, reason); ids None means every rule."""
    m = _DIRECTIVE.search(text.strip())
    if not m:
        return None
    raw = m.group("ids")
    ids = None if raw is None else {i.strip() for i in raw.split(",") if i.strip()}
    reason = m.group("reason").strip().lstrip(":-").strip()
    return ids, reason


def json_comment_ignores(value: Any) -> dict[str, str]:
    """Rule ids (→ reason) ignored by a Terraform JSON `"//"` value; {} when it says nothing."""
    out: dict[str, str] = {}
    if isinstance(value, str):
        parsed = parse_directive(value)
        if parsed is not None and parsed[0]:  # a bare "ignore" without ids says nothing here
            ids, text = parsed
            out.update({rid: text or METADATA_REASON for rid in ids or ()})
    elif isinstance(value, list):
        for item in value:
            out.update(json_comment_ignores(item))
    elif isinstance(value, dict):
        block = value.get("lambdalint")
        if isinstance(block, dict):
            ignore = block.get("ignore")
            given = block.get("reason")
            reason = given if isinstance(given, str) and given else METADATA_REASON
            for rid in ignore if isinstance(ignore, list) else [ignore]:
                if isinstance(rid, str):
                    out[rid] = reason
    return out
