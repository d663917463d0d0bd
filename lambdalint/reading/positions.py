"""Parsed YAML and JSON that remember where everything came from: `LMap` and `LList` keep the
1-based position of themselves, of each key and of each value, so a finding can point at the
exact line of a property. Shared by the parsers and every loader."""

from __future__ import annotations

from typing import Any

from lambdalint.model import Diagnostic, Loc, Pos


class LMap(dict):  # type: ignore[type-arg]
    """A mapping that remembers where it, each key and each value start."""

    __slots__ = ("key_pos", "pos", "value_pos")

    def __init__(self, pos: Pos = Pos()) -> None:
        super().__init__()
        self.pos = pos
        self.key_pos: dict[Any, Pos] = {}
        self.value_pos: dict[Any, Pos] = {}


class LList(list):  # type: ignore[type-arg]
    """A sequence that remembers where it and each item start."""

    __slots__ = ("item_pos", "pos")

    def __init__(self, pos: Pos = Pos()) -> None:
        super().__init__()
        self.pos = pos
        self.item_pos: list[Pos] = []


def pos_of(container: Any, key: Any, default: Pos | None = None) -> Pos:
    """The position of `container[key]` (falling back to the container's own position)."""
    if isinstance(container, LMap):
        p = container.value_pos.get(key)
        if p is not None:
            return p
        return default or container.pos
    if isinstance(container, LList):
        if isinstance(key, int) and 0 <= key < len(container.item_pos):
            return container.item_pos[key]
        return default or container.pos
    return default or Pos()


def key_pos_of(container: Any, key: Any) -> Pos:
    if isinstance(container, LMap):
        return container.key_pos.get(key, container.pos)
    return pos_of(container, key)


def node_pos(value: Any, default: Pos = Pos()) -> Pos:
    if isinstance(value, (LMap, LList)):
        return value.pos
    return default


def node_count(value: Any, limit: int) -> int:
    """How many values `value` holds, counting a shared (aliased) one at each place it is
    used; counting stops just past `limit`."""
    count = 0
    stack = [value]
    while stack and count <= limit:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


class LoadError(Exception):
    """A file that cannot be parsed: the parser's one-line message and where it stopped."""

    def __init__(self, message: str, pos: Pos) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


MAX_DUPLICATE_REPORTS = 100


def report_duplicate(diags: list[Diagnostic], count: int, key: Any, m: LMap, loc: Loc) -> int:
    """Report a repeated key; a file gets the first 100 reported (400,000 of them were 12
    seconds and half a gigabyte of findings). Returns how many were seen so far."""
    if count < MAX_DUPLICATE_REPORTS:
        shown = str(key) if len(str(key)) <= 80 else str(key)[:77] + "..."
        diags.append(
            Diagnostic(
                "LL108",
                f"duplicate key '{shown}': only the last value counts "
                f"(first set on line {m.key_pos[key].line})",
                loc,
            )
        )
    return count + 1


def report_more_duplicates(diags: list[Diagnostic], count: int) -> None:
    if count > MAX_DUPLICATE_REPORTS:
        last = next(d for d in reversed(diags) if d.rule_id == "LL108")
        diags.append(
            Diagnostic(
                "LL108",
                f"{count - MAX_DUPLICATE_REPORTS:,} more duplicate keys in this file "
                f"(only the first {MAX_DUPLICATE_REPORTS} are reported)",
                last.loc,
            )
        )
