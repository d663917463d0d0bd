"""YAML merge keys (`<<: *defaults`): a key written in the mapping overrides the merged value,
before or after the merge key, and is no duplicate (LL108); a key written twice still is."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambdalint.reading.yaml_reader import parse_yaml

BASE = "base: &b {Timeout: 5, MemorySize: 128, Runtime: python3.12}\n"


def _parse(body: str) -> tuple[dict[str, object], list[str]]:
    data, diags = parse_yaml(BASE + body, Path("t.yaml"))
    return data["x"], [f"{d.rule_id}:{d.loc.pos.line}" for d in diags]


@pytest.mark.parametrize(
    "body",
    [
        "x: {<<: *b, Timeout: 10}\n",
        "x: {Timeout: 10, <<: *b}\n",
        "x:\n  <<: *b\n  Timeout: 10\n",
        "x:\n  Timeout: 10\n  <<: *b\n",
        "x:\n  <<: [*b, {Timeout: 99}]\n  Timeout: 10\n",
    ],
)
def test_an_explicit_key_overrides_a_merged_one(body: str) -> None:
    x, diags = _parse(body)
    assert diags == []
    assert x == {"Timeout": 10, "MemorySize": 128, "Runtime": "python3.12"}


def test_the_first_merged_mapping_wins_over_later_ones() -> None:
    x, diags = _parse("x:\n  <<: [{Timeout: 7}, *b]\n")
    assert diags == [] and x["Timeout"] == 7


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("x:\n  <<: *b\n  Timeout: 10\n  Timeout: 20\n", 5),
        ("x:\n  Timeout: 10\n  Timeout: 20\n  <<: *b\n", 4),
        ("x: {<<: *b, MemorySize: 1, MemorySize: 2}\n", 2),
    ],
)
def test_a_key_written_twice_next_to_a_merge_is_still_a_duplicate(body: str, line: int) -> None:
    _, diags = _parse(body)
    assert diags == [f"LL108:{line}"]
