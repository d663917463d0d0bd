"""Damaged Terraform, plan and serverless files: LL100 or a partial model, never an exception."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdalint.loaders import load_file

HCL = """
variable "t" { default = 30 }
locals { n = "orders-${var.t}" }
data "archive_file" "a" {
  type = "zip"
  source_dir = "${path.module}/src"
  output_path = "a.zip"
}
resource "aws_lambda_function" "f" {
  function_name = local.n
  filename = data.archive_file.a.output_path
  handler = "app.handler"
  runtime = "python3.12"
  timeout = var.t
  role = aws_iam_role.r.arn
  environment { variables = { A = "1", B = aws_sqs_queue.q.url } }
}
resource "aws_iam_role" "r" {}
resource "aws_iam_role_policy" "p" {
  role = aws_iam_role.r.id
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = ["s3:*"], Resource = "*" }] })
}
resource "aws_cloudwatch_log_group" "g" {
  name = "/aws/lambda/${aws_lambda_function.f.function_name}"
  retention_in_days = 7
}
"""

SERVERLESS = """
service: s
provider:
  name: aws
  runtime: python3.12
  environment: {A: "${self:custom.a}", B: "${ssm:/x}"}
  iam:
    role:
      statements:
        - {Effect: Allow, Action: "*", Resource: !GetAtt T.Arn}
custom: {a: "1"}
functions:
  f:
    handler: app.handler
    events: [{http: GET /}, {sqs: {arn: !GetAtt Q.Arn}}]
"""

PLAN = json.dumps({
    "format_version": "1.2",
    "planned_values": {"root_module": {"resources": [
        {"address": "aws_lambda_function.f", "mode": "managed", "type": "aws_lambda_function", "name": "f",
         "values": {"function_name": "f", "handler": "app.handler", "runtime": "python3.12",
                    "environment": [{"variables": {"A": "1"}}]}},
    ]}},
    "resource_changes": [{"address": "aws_lambda_function.f", "change": {"after_unknown": {"role": True}}}],
    "configuration": {"root_module": {"resources": [
        {"address": "aws_lambda_function.f", "expressions": {"role": {"references": ["aws_iam_role.r.arn"]}}},
    ]}},
}, indent=1)

TF_JSON = json.dumps({
    "resource": {"aws_lambda_function": {"f": {"function_name": "f", "role": "${aws_iam_role.r.arn}",
                                               "environment": {"variables": {"A": "${var.a}"}}}}},
    "variable": {"a": {"default": "x"}},
}, indent=1)

_edits = st.lists(
    st.tuples(st.integers(min_value=0, max_value=5000), st.integers(min_value=0, max_value=6),
              st.text(alphabet='{}[]()"$=:,.\n #-*!<>\\', max_size=4)),
    min_size=1, max_size=6,
)


def _damage(text: str, edits: list[tuple[int, int, str]]) -> str:
    for at, cut, insert in edits:
        i = at % (len(text) + 1)
        text = text[:i] + insert + text[i + cut:]
    return text


def _check(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    fns, diags = load_file(path, text)
    assert isinstance(fns, list) and isinstance(diags, list)
    for d in diags:
        assert d.loc.pos.line >= 1 and d.loc.pos.column >= 1


_settings = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_settings
@given(edits=_edits)
def test_damaged_hcl(tmp_path: Path, edits: list[tuple[int, int, str]]) -> None:
    _check(tmp_path, "main.tf", _damage(HCL, edits))


@_settings
@given(edits=_edits)
def test_damaged_serverless(tmp_path: Path, edits: list[tuple[int, int, str]]) -> None:
    _check(tmp_path, "serverless.yml", _damage(SERVERLESS, edits))


@_settings
@given(edits=_edits)
def test_damaged_plan(tmp_path: Path, edits: list[tuple[int, int, str]]) -> None:
    _check(tmp_path, "plan.json", _damage(PLAN, edits))


@_settings
@given(edits=_edits)
def test_damaged_terraform_json(tmp_path: Path, edits: list[tuple[int, int, str]]) -> None:
    _check(tmp_path, "main.tf.json", _damage(TF_JSON, edits))


def test_deeply_nested_hcl_is_reported_not_crashed(tmp_path: Path) -> None:
    text = 'locals {\n  x = ' + "[" * 3000 + "]" * 3000 + "\n}\n"
    _check(tmp_path, "main.tf", text)


def test_self_referencing_locals_and_variables(tmp_path: Path) -> None:
    text = """
locals {
  a = local.b
  b = "${local.a}-x"
}
resource "aws_lambda_function" "f" {
  function_name = local.a
  timeout       = local.b
}
resource "aws_cloudwatch_log_group" "g" {
  name = "/aws/lambda/${aws_lambda_function.f.function_name}"
}
"""
    _check(tmp_path, "main.tf", text)


def test_serverless_variable_cycles(tmp_path: Path) -> None:
    text = "service: s\nprovider:\n  name: aws\n  timeout: ${self:custom.t}\ncustom:\n  t: ${self:provider.timeout}\nfunctions:\n  f:\n    handler: a.b\n"
    _check(tmp_path, "serverless.yml", text)


def _walk(value: object, seen: set[int]) -> list[object]:
    """Every object reachable from a model value (dataclass fields, containers)."""
    if id(value) in seen:
        return []
    seen.add(id(value))
    out = [value]
    children: list[object] = []
    if hasattr(value, "__dataclass_fields__"):
        children = [getattr(value, f) for f in value.__dataclass_fields__]  # type: ignore[attr-defined]
    elif isinstance(value, dict):
        children = list(value.keys()) + list(value.values())
    elif isinstance(value, (list, tuple)):
        children = list(value)
    for child in children:
        out.extend(_walk(child, seen))
    return out


def test_models_are_plain_and_picklable(tmp_path: Path) -> None:
    """Worker processes send functions back pickled: no loader-internal types may leak."""
    import pickle

    from lambdalint.loaders.terraform.model import (
        Call,
        Opaque,
        Ref,
        Resolved,
        SourceText,
        Template,
    )

    internal = (SourceText, Ref, Template, Call, Opaque, Resolved)
    for name, text in (("main.tf", HCL), ("serverless.yml", SERVERLESS), ("plan.json", PLAN), ("main.tf.json", TF_JSON)):
        folder = tmp_path / name.replace(".", "_")
        folder.mkdir()
        path = folder / name
        path.write_text(text, encoding="utf-8")
        fns, _ = load_file(path, text)
        assert fns, name
        for fn in fns:
            leaked = [v for v in _walk(fn, set()) if isinstance(v, internal)]
            assert not leaked, (name, leaked[:3])
            assert pickle.loads(pickle.dumps(fn)).name == fn.name


# ---------------------------------------------------------------- parsing stays linear


def _parse_seconds(text: str) -> float:
    import time

    from lambdalint.loaders.terraform.hcl import HclError, parse_tree

    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        try:
            parse_tree(text)
        except HclError:
            pass
        best = min(best, time.perf_counter() - started)
    return best


# broken files whose error recovery rescanned a run of blanks from every place it retried
# (80,000 blank lines after an unclosed heredoc: 37 seconds), and closed ones for reference
_BLANK_RUNS = {
    "unclosed heredoc": lambda n: "locals {\n  x = <<EOT\n" + "\n" * n,
    "closed heredoc": lambda n: "locals {\n  x = <<EOT\n" + "\n" * n + "x\nEOT\n}\n",
    "unclosed heredoc, blank lines with spaces": lambda n: "locals {\n  x = <<EOT\n" + " \n" * n,
    "unclosed brace": lambda n: "locals {\n  a = {" + "\n" * n,
    "unclosed comment": lambda n: "locals {\n  /* x" + "\n" * n,
    "unclosed string": lambda n: 'locals {\n  a = "x' + "\n" * n,
    "unclosed interpolation": lambda n: 'locals {\n  a = "${x' + "\n" * n,
    "spaces after an unclosed brace": lambda n: "locals {\n  a = {" + " " * n,
    "spaces inside a line": lambda n: "locals {\n  a = {" + " " * n + "x",
    "tabs and carriage returns": lambda n: "locals {\n  a = {" + "\t\r\n" * n,
}


@pytest.mark.parametrize("shape", sorted(_BLANK_RUNS))
def test_long_runs_of_blanks_take_linear_time(shape: str) -> None:
    """Doubling the input at most about doubles the time, and 80,000 lines stay well under
    a second."""
    build = _BLANK_RUNS[shape]
    _parse_seconds(build(10))  # the grammar is loaded once
    small, large = _parse_seconds(build(40_000)), _parse_seconds(build(80_000))
    assert large < 0.5, (shape, large)
    assert large < 3 * small + 0.02, (shape, small, large)


def test_an_unclosed_heredoc_is_reported_where_it_opens() -> None:
    from lambdalint.loaders.terraform.hcl import HclError, parse_tree

    for blank_lines in (3, 80_000):
        text = 'resource "x" "y" {\n  a = 1\n}\n\nlocals {\n  x = <<EOT\n' + "\n" * blank_lines
        with pytest.raises(HclError) as caught:
            parse_tree(text)
        assert (caught.value.pos.line, caught.value.pos.column) == (6, 7)


def test_values_after_long_runs_of_blanks_keep_their_text_and_positions() -> None:
    """Runs of blanks are cut down before parsing; what is read back comes from the file."""
    from lambdalint.loaders.terraform.hcl import parse_file
    from lambdalint.loaders.terraform.model import Opaque

    heredoc_body = "a\n" + "\n" * 100 + " " * 90 + "b\n"
    text = (
        "locals {\n  h = <<EOT\n" + heredoc_body + "EOT\n" + "\n" * 200
        + '  s = "x' + " " * 100 + 'y"\n  c = f(a) ?' + " " * 70 + "1 : 2\n}\n"
    )
    tf = parse_file(Path("main.tf"), text)
    assert tf.locals["h"][0] == heredoc_body
    assert tf.locals["s"][0] == "x" + " " * 100 + "y"
    value, loc = tf.locals["c"]
    assert isinstance(value, Opaque) and value.text == "f(a) ?" + " " * 70 + "1 : 2"
    lines = text.splitlines()
    assert lines[loc.pos.line - 1][loc.pos.column - 1 :].startswith("f(a) ?")


def test_expression_text_is_cut_from_the_text_that_was_parsed() -> None:
    """Trailing blanks are removed before parsing (for heredoc markers): the source text of an
    expression kept unevaluated must come from that same text, not be shifted by them."""
    from lambdalint.loaders.terraform.hcl import parse_file
    from lambdalint.loaders.terraform.model import Opaque

    tf = parse_file(Path("main.tf"), 'locals {   \n   \n  a = "x"    \n  b = f(c) ? 1 : 2\n}\n')
    value, _ = tf.locals["b"]
    assert isinstance(value, Opaque) and value.text == "f(c) ? 1 : 2"
