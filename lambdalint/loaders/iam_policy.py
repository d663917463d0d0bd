"""IAM policy statements for every framework: `build_statement` is the one place a model
Statement is made (CloudFormation and SAM roles, Terraform policy documents and modules,
Serverless roles), and policy documents (`{"Version", "Statement": [...]}`) are read here.

The document may come from JSON text (a Terraform heredoc or `jsonencode`, a plan's rendered
policy) or from YAML/HCL objects that keep their positions. Values a loader cannot resolve are
passed through `resolve` and, when still not plain strings, mark the statement's actions or
resources as unknown rather than guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lambdalint.model import UNKNOWN, Loc, Pos, Statement
from lambdalint.reading import ReadLimits
from lambdalint.reading.json_reader import parse_json
from lambdalint.reading.positions import LList, LMap, LoadError, pos_of

PosMap = Callable[[Pos], Pos]
Resolver = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _same(pos: Pos) -> Pos:
    return pos


def parse_text(text: str, path: Path, start: Pos | None, limits: ReadLimits) -> tuple[Any, PosMap]:
    """Parse a JSON policy held in a string. `start` is where the string's first line sits
    in `path` when its lines map one to one onto the file (a heredoc); otherwise every position
    is the string's own (`start` None → positions are left to the caller's fallback)."""
    try:
        data, _ = parse_json(text.strip(), path, limits)
    except LoadError:
        return None, _same
    if start is None:
        return data, _same
    lead = len(text) - len(text.lstrip())
    skipped_lines = text[:lead].count("\n")

    def shift(p: Pos) -> Pos:
        line = start.line + skipped_lines + p.line - 1
        return Pos(line, p.column)

    return data, shift


def statements(
    doc: Any,
    path: Path,
    fallback: Pos,
    source: str,
    resolve: Resolver = _identity,
    pos_map: PosMap | None = None,
) -> tuple[list[Statement], bool]:
    """The statements of a policy document and whether the document was fully understood."""
    doc = resolve(doc)
    if not isinstance(doc, dict):
        return [], False
    raw = resolve(doc.get("Statement"))
    if raw is None:
        return [], True
    items: list[tuple[Any, Pos]] = []
    if isinstance(raw, dict):
        items.append((raw, _pos(raw, fallback)))
    elif isinstance(raw, list):
        for i, item in enumerate(raw):
            items.append(
                (resolve(item), pos_of(raw, i, fallback) if isinstance(raw, LList) else fallback)
            )
    else:
        return [], False
    out: list[Statement] = []
    complete = True
    for item, ipos in items:
        if not isinstance(item, dict):
            complete = False
            continue
        mapper = (
            pos_map
            if pos_map is not None
            else (_same if isinstance(item, LMap) else lambda _: fallback)
        )
        out.append(statement(item, Loc(path, mapper(ipos)), source, resolve, mapper))
    return out, complete


def _pos(value: Any, default: Pos) -> Pos:
    return value.pos if isinstance(value, (LMap, LList)) else default


def _field_loc(
    item: dict[str, Any], keys: tuple[str, ...], loc: Loc, pos_map: PosMap
) -> Loc | None:
    for key in keys:
        if key in item:
            if isinstance(item, LMap) and key in item.value_pos:
                return Loc(loc.path, pos_map(item.value_pos[key]))
            return loc
    return None


def statement(
    item: dict[str, Any],
    loc: Loc,
    source: str,
    resolve: Resolver = _identity,
    pos_map: PosMap = _same,
) -> Statement:
    """The Statement of one policy document statement (`{"Effect", "Action", ...}`)."""
    return build_statement(
        effect=resolve(item.get("Effect", "Allow")),
        actions=strings(item.get("Action"), resolve),
        not_actions=strings(item.get("NotAction"), resolve),
        resources=strings(item.get("Resource"), resolve),
        not_resources=strings(item.get("NotResource"), resolve),
        has_condition=bool(item.get("Condition")),
        loc=loc,
        source=source,
        action_loc=_field_loc(item, ("Action", "NotAction"), loc, pos_map),
        resource_loc=_field_loc(item, ("Resource", "NotResource"), loc, pos_map),
    )


@dataclass(frozen=True)
class Strings:
    """An IAM field (`Action`, `Resource` ...) as the loader could resolve it: its plain
    strings, and whether some part of it could not be resolved."""

    values: list[str] = field(default_factory=list)
    unknown: bool = False


def strings(value: Any, resolve: Resolver = _identity) -> Strings:
    """A string-or-list IAM field → its plain strings, and whether any part was unresolvable."""
    value = resolve(value)
    if value is None:
        return Strings()
    if value is UNKNOWN:
        return Strings(unknown=True)
    # list items are resolved one by one; a resolved scalar is not resolved twice
    items = [resolve(item) for item in value] if isinstance(value, list) else [value]
    out: list[str] = []
    unknown = False
    for item in items:
        if isinstance(item, str):
            out.append(str(item))
        else:
            unknown = True
    return Strings(out, unknown)


def build_statement(
    *,
    effect: object,
    actions: Strings,
    resources: Strings,
    loc: Loc,
    source: str,
    not_actions: Strings = Strings(),
    not_resources: Strings = Strings(),
    has_condition: bool = False,
    action_loc: Loc | None = None,
    resource_loc: Loc | None = None,
) -> Statement:
    """The one place a loader makes a model Statement, whatever the framework: an effect that
    is not a plain string reads as Allow with actions unknown (so no rule assumes what it
    grants), and a field with an unresolvable part makes its side unknown."""
    return Statement(
        effect=effect if isinstance(effect, str) else "Allow",
        actions=actions.values,
        resources=resources.values,
        loc=loc,
        not_actions=not_actions.values,
        not_resources=not_resources.values,
        has_condition=has_condition,
        actions_unknown=actions.unknown or not_actions.unknown or not isinstance(effect, str),
        resources_unknown=resources.unknown or not_resources.unknown,
        source=source,
        action_loc=action_loc,
        resource_loc=resource_loc,
    )


def grant(actions: list[str], resources: Strings, loc: Loc, source: str) -> Statement:
    """A statement a framework adds to a role by itself (Serverless's default role, SAM's
    DeadLetterQueue): Allow, without a condition."""
    return build_statement(
        effect="Allow", actions=Strings(actions), resources=resources, loc=loc, source=source
    )
