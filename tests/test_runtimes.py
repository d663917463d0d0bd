"""The dated runtime table (LL506) and the option that pins or extends it."""

from __future__ import annotations

import datetime as dt

from lambdalint.aws import runtimes
from lambdalint.engine.reference import section
from lambdalint.rulepack import builtin_rules

D = dt.date


def test_the_shipped_table_names_its_source_and_date() -> None:
    table = runtimes.load()
    assert table.source == "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html"
    assert isinstance(table.updated, dt.date)
    assert not table.pinned and table.as_of == dt.date.today()
    for row in table.rows.values():
        assert row.deprecated is not None, row.runtime
        if row.block_update is not None and row.block_create is not None:
            assert row.block_create <= row.block_update, row.runtime


def test_deprecated_then_blocked() -> None:
    assert runtimes.status(runtimes.load(today=D(2025, 12, 1)), "python3.9") is None
    assert runtimes.status(runtimes.load(today=D(2025, 12, 15)), "python3.9") == "deprecated"
    assert runtimes.status(runtimes.load(today=D(2027, 2, 1)), "python3.9") == "blocked"
    assert runtimes.status(runtimes.load(today=D(2026, 1, 1)), "nodejs14.x") == "blocked"
    assert runtimes.status(runtimes.load(), "python3.99") is None


def test_as_of_pins_the_date_whatever_today_is() -> None:
    table = runtimes.load({"as-of": "2025-01-01"}, today=D(2030, 1, 1))
    assert table.pinned and table.as_of == D(2025, 1, 1)
    assert runtimes.status(table, "python3.9") is None
    # YAML and TOML give dates, not strings
    assert runtimes.load({"as-of": D(2025, 1, 1)}).as_of == D(2025, 1, 1)
    # an unreadable date does not pin
    assert not runtimes.load({"as-of": "soon"}).pinned


def test_rows_can_be_added_and_overridden() -> None:
    option = {
        "as-of": D(2026, 1, 1),
        "runtimes": {
            "python3.12": {"deprecated": "2025-10-01"},
            "custom-runtime": {"deprecated": D(2025, 1, 1), "block-create": D(2025, 6, 1)},
        },
    }
    table = runtimes.load(option)
    assert runtimes.status(table, "python3.12") == "deprecated"
    assert table.rows["python3.12"].block_update == D(2029, 1, 10)  # the shipped dates stay
    assert runtimes.status(table, "custom-runtime") == "blocked"
    assert set(table.extended) == {"python3.12", "custom-runtime"}


def test_successor_is_a_supported_runtime_of_the_same_family() -> None:
    table = runtimes.load(today=D(2026, 1, 1))
    assert runtimes.successor(table, "python3.8") == "python3.14"
    assert runtimes.successor(table, "nodejs14.x") == "nodejs24.x"
    assert runtimes.successor(table, "dotnetcore3.1") == "dotnet10"
    assert runtimes.family("provided.al2") == "provided"


def test_explain_prints_the_dated_table() -> None:
    rules = {rule.id: rule for rule in builtin_rules()}
    text = section(rules["LL506"], live=True)
    assert "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html" in text
    assert str(runtimes.load().updated) in text
    assert "python3.9" in text and "block create" in text
    assert "(today; pin a date with runtime-deprecations.as-of)" in text
    pinned = section(rules["LL506"], {"runtime-deprecations": {"as-of": "2026-01-01"}}, live=True)
    assert "judged as of 2026-01-01 (pinned by runtime-deprecations.as-of)" in pinned
    assert "Runtime table" not in section(rules["LL101"], live=True)
