"""Fn::ForEach (AWS::LanguageExtensions): loops are expanded before the template is read, so
the functions they define are checked; a loop that cannot be expanded is said to be skipped;
loops that multiply past the bounds are an LL100 finding, found before anything is copied."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import lint

from lambdalint.loaders.cloudformation import foreach
from lambdalint.loaders.documents import LoadSession, load_document
from lambdalint.reading import Reader

HEAD = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]
Parameters:
  Stages: {Type: CommaDelimitedList, Default: "dev, prod"}
  Names: {Type: CommaDelimitedList}
Resources:
"""

LOOPS = """\
  Fn::ForEach::Functions:
    - Name
    - [orders, billing-api]
    - "&{Name}Fn":
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: !Sub "${Name}.handler"
          InlineCode: "def handler(event, context): pass"
          Timeout: 30
          Environment: {Variables: {NAME: !Ref Name, TABLE: !Sub "t-${Name}"}}
      "&{Name}Logs":
        Type: AWS::Logs::LogGroup
        Properties:
          LogGroupName: !Sub "/aws/lambda/${&{Name}Fn}"
          RetentionInDays: 7
  Fn::ForEach::Stages:
    - Stage
    - !Ref Stages
    - Fn::ForEach::Sizes:
        - Size
        - [128, 64]
        - "Worker${Stage}${Size}":
            Type: AWS::Lambda::Function
            Properties:
              Runtime: python3.12
              Handler: index.handler
              Code: {ZipFile: "def handler(event, context): pass"}
              MemorySize: !Ref Size
              Timeout: 10
"""


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "template.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def _functions(tmp_path: Path) -> dict[str, object]:
    result = lint(tmp_path)
    assert result.project is not None and not result.internal_errors
    return {fn.name: fn for fn in result.project.functions}


def test_loops_are_expanded_as_the_transform_does(tmp_path: Path) -> None:
    fns = _functions(_write(tmp_path, HEAD + LOOPS))
    assert sorted(fns) == sorted(
        [
            "billingapiFn",  # &{} drops what is not alphanumeric
            "ordersFn",
            "Workerdev128",
            "Workerdev64",
            "Workerprod128",
            "Workerprod64",
        ]
    )
    orders = fns["ordersFn"]
    assert orders.handler.value == "orders.handler"  # type: ignore[attr-defined]
    assert orders.environment["NAME"].value == "orders"  # type: ignore[attr-defined]
    assert orders.environment["TABLE"].value == "t-orders"  # type: ignore[attr-defined]
    assert [g.retention_days for g in orders.log_groups] == [7]  # type: ignore[attr-defined]
    assert fns["Workerprod64"].memory.value == "64"  # items are strings  # type: ignore[attr-defined]
    assert fns["Workerprod64"].loc.pos.line == 29  # type: ignore[attr-defined]


def test_findings_inside_a_loop_point_at_the_fragment(tmp_path: Path) -> None:
    result = lint(_write(tmp_path, HEAD + LOOPS), select=["LL501", "LL505", "LL301"])
    got = {(f.rule_id, f.loc.pos.line, f.function) for f in result.findings}
    # MemorySize 64, on the fragment's line (one finding: same line, same message)
    assert {g for g in got if g[0] == "LL505"} <= {
        ("LL505", 35, "Workerdev64"),
        ("LL505", 35, "Workerprod64"),
    }
    assert len([g for g in got if g[0] == "LL505"]) == 1
    # the workers have no log group; the functions of the first loop have theirs
    assert {g for g in got if g[0] == "LL301"} == {
        ("LL301", 29, "Workerdev128"),
        ("LL301", 29, "Workerdev64"),
        ("LL301", 29, "Workerprod128"),
        ("LL301", 29, "Workerprod64"),
    }


def test_a_loop_over_an_unknown_collection_is_noticed(tmp_path: Path) -> None:
    text = HEAD + (
        "  Fn::ForEach::Hidden:\n    - X\n    - !Ref Names\n"
        "    - 'Fn${X}': {Type: AWS::Lambda::Function, Properties: {Handler: app}}\n"
        "  Fn::ForEach::Topics:\n    - X\n    - !Ref Names\n"
        "    - 'Topic${X}': {Type: AWS::SNS::Topic}\n"
    )
    result = lint(_write(tmp_path, text))
    assert not result.internal_errors
    hidden = [n for n in result.notices if "Fn::ForEach::Hidden" in n]
    assert len(hidden) == 1 and "could not be expanded" in hidden[0]
    assert not [n for n in result.notices if "Topics" in n]  # no function inside: no notice


def test_conditions_made_by_a_loop_are_known(tmp_path: Path) -> None:
    text = (
        HEAD.replace("Resources:\n", "")
        + "Conditions:\n  Fn::ForEach::C:\n    - S\n    - [Dev, Prod]\n"
        "    - 'Is${S}': !Equals [a, a]\nResources:\n"
        "  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n"
        "      Handler: index.handler\n      Runtime: python3.12\n"
        "      Code: {ZipFile: x}\n      Timeout: !If [IsDev, 2000, 10]\n"
    )
    fns = _functions(_write(tmp_path, text))
    assert fns["Fn"].timeout.value == 2000  # type: ignore[attr-defined]


def test_templates_without_loops_are_untouched(tmp_path: Path) -> None:
    text = HEAD + (
        "  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n"
        "      Handler: index.handler\n      Runtime: python3.12\n"
        "      Code: {ZipFile: x}\n      Description: '${Name} Fn::ForEach::X'\n"
    )
    fns = _functions(_write(tmp_path, text))
    assert list(fns) == ["Fn"]


def _nested(levels: int, items: int) -> str:
    collection = "[" + ",".join(f"i{i}" for i in range(items)) + "]"
    lines, indent, key = [], "  ", ""
    for level in range(levels):
        lines += [f"{indent}Fn::ForEach::L{level}:", f"{indent}  - V{level}"]
        lines += [f"{indent}  - {collection}", f"{indent}  -"]
        indent += "    "
        key += f"${{V{level}}}"
    lines += [
        f"{indent}'Fn{key}':",
        f"{indent}  Type: AWS::Lambda::Function",
        f"{indent}  Properties: {{Handler: index.handler, Runtime: python3.12}}",
    ]
    return HEAD + "\n".join(lines) + "\n"


@pytest.mark.parametrize(("levels", "items"), [(5, 100), (3, 50), (2, 1_000)])
def test_loops_that_multiply_past_the_bounds_are_a_finding(
    tmp_path: Path, levels: int, items: int
) -> None:
    start = time.perf_counter()
    result = lint(_write(tmp_path, _nested(levels, items)))
    assert time.perf_counter() - start < 10
    assert not result.internal_errors
    assert result.project is not None and result.project.functions == ()
    [finding] = [f for f in result.findings if f.rule_id == "LL100"]
    assert "Fn::ForEach::L0: Fn::ForEach loops expand to more than" in finding.message
    assert finding.loc.pos.line == 7


def test_loops_within_the_bounds_are_expanded(tmp_path: Path) -> None:
    fns = _functions(_write(tmp_path, _nested(2, 30)))
    assert len(fns) == 900


def test_a_large_plain_template_with_a_small_loop_is_expanded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bounds are on what loops make, not on the rest of the template."""
    monkeypatch.setattr(foreach, "MAX_RESOURCES", 10)
    plain = "".join(f"  Topic{i}: {{Type: AWS::SNS::Topic}}\n" for i in range(3_000))
    result = lint(_write(tmp_path, _nested(1, 5) + plain), **{"max-nodes": 20_000})
    assert result.project is not None and not result.internal_errors
    assert len(result.project.functions) == 5


def test_values_outside_loops_stay_shared(tmp_path: Path) -> None:
    """YAML aliases share a value at each place it is used (the node budget counts it there):
    expanding loops elsewhere does not copy it, so 262,144 uses stay one value."""
    lines = ["Metadata:", "  a0: &a0 [x, x, x, x]"]
    lines += [f"  a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 9)]
    plain = "  Plain: {Type: AWS::SNS::Topic, Metadata: {shared: *a8}}\n"
    text = "\n".join(lines) + "\n" + _nested(1, 3) + plain
    path = _write(tmp_path, text) / "template.yaml"
    doc = load_document(path, text, "yaml", LoadSession(Reader()))
    assert not doc.diagnostics
    shared = doc.data["Metadata"]["a8"]
    start = time.perf_counter()
    foreach.expand(doc)
    assert time.perf_counter() - start < 2
    resources = doc.data["Resources"]
    assert len([k for k in resources if k.startswith("Fn")]) == 3
    assert resources["Plain"]["Metadata"]["shared"] is shared
