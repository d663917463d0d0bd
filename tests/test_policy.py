"""Custom declarative policies: `extend-rules` folders of rule files with `policy: {when, require}`,
findings placed at the property the validation error names."""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lambdalint.engine import declarative
from lambdalint.cli import main
from lambdalint.model import UNKNOWN, EnvVar, Function, Loc, Pos, Prop
from lambdalint import rulepack
from lambdalint.rulepack import Rule, RuleError, compile_policy

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  RuntimeParam:
    Type: String
Resources:
  Tagged:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Architectures: [arm64]
      Timeout: 30
      Tags:
        owner: team-a
      Environment:
        Variables:
          LOG_LEVEL: DEBUG
  Untagged:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.9
  FromParameter:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: !Ref RuntimeParam
      Tags:
        owner: team-b
  NodeFn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: index.handler
      Runtime: nodejs20.x
      Tags:
        owner: team-c
"""

OWNER = """\
id: ORG001
name: require-owner-tag
severity: error
summary: Functions must carry an owner tag
message: "{function} has no 'owner' tag"
policy:
  require: {properties: {tags: {required: [owner]}}, required: [tags]}
"""

PYTHON = """\
id: ORG002
name: python-runtime-policy
severity: warning
summary: Python functions run on Python 3.11+ and arm64
message: "{function}: {property} is {value}"
policy:
  when:
    properties: {runtime: {type: string, pattern: "^python"}}
  require:
    properties:
      runtime: {enum: [python3.11, python3.12, python3.13]}
      architectures: {const: [arm64]}
"""

ENV = """\
id: ORG003
name: log-level-and-timeout
severity: info
summary: Production log level and short timeouts
policy:
  require:
    properties:
      environment: {properties: {LOG_LEVEL: {enum: [INFO, WARN, ERROR]}}}
      timeout: {maximum: 15}
"""


def _project(tmp_path: Path, *rules: str) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return event\n")
    (tmp_path / "src" / "index.js").write_text("exports.handler = async () => 1;\n")
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    (tmp_path / "policies").mkdir()
    for i, text in enumerate(rules):
        (tmp_path / "policies" / f"rule{i}.yaml").write_text(text)
    (tmp_path / ".lambdalint.yaml").write_text("extend-rules: [policies]\nselect: [ORG]\n")
    return tmp_path


def _check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, list[dict[str, Any]], str]:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main, ["check", "--no-cache", "--format", "json", *args], catch_exceptions=False
    )
    findings = json.loads(result.stdout)["findings"] if result.stdout else []
    return result.exit_code, findings, result.stderr


def _triples(findings: list[dict[str, Any]]) -> set[tuple[str, str, int, str]]:
    return {(f["rule_id"], f["function"], f["line"], f["message"]) for f in findings}


def test_required_tag_reported_on_the_function_resource(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, findings, _ = _check(_project(tmp_path, OWNER), monkeypatch)
    assert code == 1
    assert _triples(findings) == {("ORG001", "Untagged", 19, "Untagged has no 'owner' tag")}


def test_when_selects_functions_and_errors_point_at_the_property(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, findings, _ = _check(_project(tmp_path, PYTHON), monkeypatch)
    # NodeFn is not Python (when), FromParameter's runtime is unknown (never reported),
    # Untagged has an old runtime (its Runtime line) and no arm64 (no position: the resource)
    assert _triples(findings) == {
        ("ORG002", "Untagged", 24, "Untagged: runtime is python3.9"),
        ("ORG002", "Untagged", 19, "Untagged: architectures is []"),
    }
    assert code == 1
    runtime = next(f for f in findings if f["line"] == 24)
    assert runtime["column"] == 16 and runtime["severity"] == "warning"


def test_environment_variable_and_timeout_positions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, findings, _ = _check(_project(tmp_path, ENV), monkeypatch)
    by_line = {f["line"]: f for f in findings}
    assert set(by_line) == {13, 18}  # Timeout: 30 and LOG_LEVEL: DEBUG of Tagged
    assert by_line[18]["message"].startswith(
        "Production log level and short timeouts: environment.LOG_LEVEL: 'DEBUG' is not one of"
    )
    assert "timeout: 30 is greater than the maximum of 15" in by_line[13]["message"]
    assert code == 0  # info is below the default fail-on


def test_show_json_prints_the_view_policies_match(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path)
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(main, ["show", "--format", "json", "."])
    views = {v["name"]: v for v in json.loads(out.stdout)}
    assert views["Tagged"]["tags"] == {"owner": "team-a"}
    assert views["Tagged"]["architectures"] == ["arm64"]
    assert views["Tagged"]["environment"] == {"LOG_LEVEL": "DEBUG"}
    assert views["FromParameter"]["runtime"] is None  # unknown shows as null


def test_invalid_policy_schema_is_exit_2_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = OWNER.replace("required: [owner]", "required: owner")
    code, _, err = _check(_project(tmp_path, bad), monkeypatch)
    assert code == 2
    assert "rule0.yaml: policy.require is not a valid JSON Schema" in err
    assert err.count("not a valid JSON Schema") == 1


def test_invalid_rule_file_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = _check(_project(tmp_path, OWNER.replace("policy:", "polcy:")), monkeypatch)
    assert code == 2 and "rule0.yaml" in err


def test_policy_findings_can_be_suppressed_inline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path, OWNER)
    template = tmp_path / "template.yaml"
    template.write_text(
        template.read_text().replace(
            "  Untagged:\n", "  Untagged:  # lambdalint: ignore[ORG001] sandbox\n"
        )
    )
    code, findings, _ = _check(tmp_path, monkeypatch)
    assert [(f["rule_id"], f["suppressed"], f["suppression_reason"]) for f in findings] == [
        ("ORG001", True, "sandbox")
    ]
    assert code == 0


# --- unit level: placeholders and unknowns ----------------------------------------------------


def _fn(**kw: Any) -> Function:
    path = Path("t.yaml")
    fn = Function(name="Fn", framework="sam", loc=Loc(path, Pos(5, 3)))
    for k, v in kw.items():
        setattr(fn, k, v)
    return fn


def _rule(
    require: dict[str, Any], message: str | None = None, when: dict[str, Any] | None = None
) -> Rule:
    pol: dict[str, Any] = {"require": require}
    if when is not None:
        pol["when"] = when
    return Rule(
        id="T100",
        name="t",
        severity="error",
        summary="S",
        policy=pol,
        message=message,
        path=Path("t.yaml"),
    )


def test_braces_in_values_are_not_interpreted() -> None:
    fn = _fn(handler=Prop("{function}.x", Loc(Path("t.yaml"), Pos(7, 16))))
    rule = _rule(
        {"properties": {"handler": {"const": "app.handler"}}},
        message="{function}: bad handler {value} {nope}",
    )
    [finding] = list(declarative.evaluate(rule, fn))
    assert finding.message == "Fn: bad handler {function}.x {nope}"
    assert finding.loc.pos.line == 7


def test_unknown_values_never_reported() -> None:
    loc = Loc(Path("t.yaml"), Pos(9, 1))
    fn = _fn(
        timeout=Prop(UNKNOWN, loc),
        environment={"STAGE": EnvVar("STAGE", UNKNOWN, loc, kind="parameter")},
        tags={"owner": UNKNOWN},
        architectures=[UNKNOWN],
    )
    rule = _rule(
        {
            "properties": {
                "timeout": {"type": "integer", "maximum": 10},
                "environment": {"properties": {"STAGE": {"enum": ["prod"]}}},
                "tags": {"properties": {"owner": {"type": "string"}}},
                "architectures": {"const": ["arm64"]},
            }
        }
    )
    assert list(declarative.evaluate(rule, fn)) == []


def test_incomplete_environment_does_not_report_a_missing_variable() -> None:
    rule = _rule(
        {"properties": {"environment": {"required": ["STAGE"]}}}, message="{value} missing"
    )
    assert [f.message for f in declarative.evaluate(rule, _fn())] == ["STAGE missing"]
    assert list(declarative.evaluate(rule, _fn(environment_complete=False))) == []


def test_schema_error_is_a_rule_error() -> None:
    rule = _rule({"type": 12})
    with pytest.raises(RuleError, match="policy.require is not a valid JSON Schema at type"):
        compile_policy(rule)
    with pytest.raises(RuleError):
        list(declarative.evaluate(rule, _fn()))


def test_policy_findings_can_be_suppressed_by_template_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path, OWNER)
    template = tmp_path / "template.yaml"
    meta = (
        "  Untagged:\n    Metadata:\n      lambdalint: {ignore: [ORG001], reason: internal tool}\n"
    )
    template.write_text(template.read_text().replace("  Untagged:\n", meta))
    code, findings, _ = _check(tmp_path, monkeypatch)
    assert [(f["function"], f["suppression_reason"]) for f in findings] == [
        ("Untagged", "internal tool")
    ]
    assert code == 0


# --- references: nothing is fetched -----------------------------------------------------------

_OPENED: list[str] | None = None


def _record_opens(event: str, args: tuple[Any, ...]) -> None:
    if _OPENED is not None and event == "open" and isinstance(args[0], (str, bytes)):
        _OPENED.append(os.fsdecode(args[0]))


sys.addaudithook(_record_opens)  # records only while _OPENED is a list


@pytest.fixture
def listener() -> Iterator[tuple[str, list[object]]]:
    """A server on 127.0.0.1 that records every connection (and closes it at once, so that a
    regression fails rather than hangs)."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.1)
    connections: list[object] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, peer = server.accept()
            except OSError:
                continue
            connections.append(peer)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", connections
    stop.set()
    thread.join()
    server.close()


def _ref_rule(ref: str) -> str:
    return OWNER.replace(
        "require: {properties: {tags: {required: [owner]}}, required: [tags]}",
        f"require: {{properties: {{tags: {{$ref: '{ref}'}}}}}}",
    )


def test_a_remote_or_file_reference_is_a_rule_error_and_nothing_is_fetched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, listener: tuple[str, list[object]]
) -> None:
    global _OPENED
    url, connections = listener
    secret = tmp_path / "secret.json"
    secret.write_text('{"required": ["owner"]}')
    for ref in (f"{url}/schema.json", secret.as_uri(), "other.json#/x", "//127.0.0.1:9/x"):
        project = tmp_path / f"p{abs(hash(ref))}"
        project.mkdir()
        _OPENED = []
        try:
            code, _, err = _check(_project(project, _ref_rule(ref)), monkeypatch)
        finally:
            opened, _OPENED = _OPENED, None
        assert code == 2, err
        assert "rule0.yaml: policy.require: $ref" in err and ref[:70] in err  # long: shortened
        assert "points outside the rule" in err
        assert str(secret) not in opened
    assert connections == []


def test_the_registry_itself_retrieves_nothing(listener: tuple[str, list[object]]) -> None:
    """Behind the check at load: a reference that reaches evaluation is refused, not fetched."""
    from jsonschema import Draft202012Validator
    from referencing.exceptions import Unresolvable

    url, connections = listener
    validator = Draft202012Validator({"$ref": f"{url}/x"}, registry=rulepack._local_only_registry())
    with pytest.raises(Unresolvable):
        validator.is_valid({})
    assert connections == []


def test_a_reference_that_does_not_resolve_is_a_rule_error() -> None:
    rule = _rule({"$id": "urn:org:p", "properties": {"tags": {"$ref": "urn:org:p#/$defs/none"}}})
    compile_policy(rule)  # it names the schema itself: accepted at load
    with pytest.raises(RuleError, match="does not resolve inside the rule"):
        list(declarative.evaluate(rule, _fn()))


@pytest.mark.parametrize(
    "require",
    [
        {
            "properties": {"tags": {"$ref": "#/$defs/owned"}},
            "$defs": {"owned": {"required": ["owner"]}},
        },
        {
            "$id": "urn:org:policy",
            "properties": {"tags": {"$ref": "urn:org:policy#/$defs/owned"}},
            "$defs": {"owned": {"required": ["owner"]}},
        },
        # a property called "$ref" or "const", and a "$ref" key inside data, are no references
        {
            "properties": {
                "tags": {"properties": {"$ref": {"type": "string"}}, "required": ["owner"]}
            },
            "not": {"const": {"$ref": "http://127.0.0.1:9/data"}},
        },
    ],
)
def test_references_inside_the_schema_still_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, require: dict[str, Any]
) -> None:
    text = OWNER.replace(
        "require: {properties: {tags: {required: [owner]}}, required: [tags]}",
        "require: " + json.dumps(require),
    )
    code, findings, err = _check(_project(tmp_path, text), monkeypatch)
    assert code == 1, err
    assert {f["function"] for f in findings} == {"Untagged"}
