"""numeric.whole_number: every template value read as a whole number or said why not, never an
exception (`int("²")`, `int("--5")` and 5,000 digits raise in Python)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from lambdalint.cli import main
from lambdalint.model import UNKNOWN
from lambdalint.numeric import literal, setting, whole_number


@pytest.mark.parametrize(
    ("value", "number"),
    [
        (30, 30),
        ("30", 30),
        (" 030 ", 30),
        ("-5", -5),
        ("+7", 7),
        (30.0, 30),
        ("30.0", 30),
        ("1e3", 1000),
        (1e999, math.inf),
        (-math.inf, -math.inf),
        ("9" * 5_000, math.inf),
        ("-" + "9" * 5_000, -math.inf),
        (10**200, 10**200),
    ],
)
def test_whole_numbers(value: object, number: float) -> None:
    read = whole_number(value)
    assert read is not None and read.value == number and read.problem == ""
    assert len(read.shown) <= 50


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("²", "not a number"),
        ("٣", "not a number"),  # a digit to int(), not to CloudFormation
        ("--5", "not a number"),
        ("abc", "not a number"),
        ("", "not a number"),
        (True, "not a number"),
        ([30], "not a number"),
        (math.nan, "not a number"),
        (0.5, "not a whole number"),
        ("0.5", "not a whole number"),
    ],
)
def test_values_that_are_no_whole_number(value: object, problem: str) -> None:
    read = whole_number(value)
    assert read is not None and read.value is None and read.problem == problem
    assert len(read.shown) <= 50


@pytest.mark.parametrize(
    "value",
    [None, UNKNOWN, {"Ref": "Timeout"}, "${opt:timeout}", "{{resolve:ssm:/t}}", "${var.t}"],
)
def test_unknown_values_say_nothing(value: object) -> None:
    assert whole_number(value) is None
    assert setting(value) is UNKNOWN


def test_what_loaders_keep() -> None:
    assert setting("30") == 30
    assert setting("²") == "²"  # as written: the check says why it is no number
    assert setting("9" * 5_000) == "9" * 5_000


def test_literals_never_raise() -> None:
    assert literal("30") == 30
    assert literal("9" * 5_000) == math.inf
    assert literal("-" + "9" * 400) == -math.inf
    assert literal("1.5") == 1.5
    assert isinstance(literal("9" * 70), int)


@given(st.one_of(st.text(max_size=60), st.floats(), st.integers(), st.booleans()))
def test_any_scalar_is_read_without_an_error(value: object) -> None:
    read = whole_number(value)
    if read is not None:
        assert (read.value is None) == bool(read.problem)
        assert len(read.shown) <= 60


def test_a_config_number_too_long_to_read_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for text in (f"max-nodes: {'9' * 5_000}\n", f"max-file-size: '{'9' * 400}MB'\n"):
        (tmp_path / ".lambdalint.yaml").write_text(text)
        done = CliRunner().invoke(main, ["check", "--no-cache", "."])
        assert done.exit_code == 2
        assert "internal error" not in done.output and "Traceback" not in done.output


def test_show_json_stays_strict_json_with_infinite_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    (tmp_path / "template.yaml").write_text(
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n"
        "    Properties: {Handler: index.h, Runtime: python3.12, Code: {ZipFile: x}, "
        "Timeout: 1e999, MemorySize: .inf}\n"
    )
    monkeypatch.chdir(tmp_path)
    done = CliRunner().invoke(main, ["show", "--format", "json", "."])
    assert done.exit_code == 0, done.output

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} is not JSON")

    [fn] = json.loads(done.stdout, parse_constant=refuse)
    assert fn["timeout"] == "inf" and fn["memory"] == "inf"
