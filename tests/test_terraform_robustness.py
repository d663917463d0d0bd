"""Damaged Terraform, plan and serverless files: LL100 or a partial model, never an exception."""

from __future__ import annotations

import json
from pathlib import Path

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


# ---------------------------------------------------------------- heredocs stay linear


def _heredoc_seconds(blank_lines: int, closed: bool) -> float:
    import time

    from lambdalint.loaders.terraform.hcl import HclError, parse_tree

    text = "locals {\n  x = <<EOT\n" + "\n" * blank_lines + ("x\nEOT\n}\n" if closed else "")
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        try:
            parse_tree(text)
        except HclError:
            pass
        best = min(best, time.perf_counter() - started)
    return best


def test_heredoc_terminals_are_the_linear_ones() -> None:
    from lambdalint.loaders.terraform.hcl import heredocs_are_linear

    assert heredocs_are_linear()


def test_blank_lines_in_a_heredoc_take_linear_time() -> None:
    """python-hcl2's heredoc pattern rescanned a run of blank lines from each of its lines:
    80,000 of them took 33 seconds. Doubling the input now at most about doubles the time."""
    _heredoc_seconds(10, True)  # the grammar is loaded once
    for closed in (True, False):
        small, large = _heredoc_seconds(40_000, closed), _heredoc_seconds(80_000, closed)
        assert large < 0.5, (closed, large)
        assert large < 3 * small + 0.02, (closed, small, large)


_WS_PIECES = st.sampled_from(["\n", "\r\n", " ", "\t", "\x0b", "\r", "\u2028", "x", "EOT", "E"])


@settings(max_examples=300, deadline=None)
@given(body=st.lists(_WS_PIECES, max_size=30).map("".join), trim=st.booleans())
def test_linear_heredoc_pattern_matches_what_the_original_matched(body: str, trim: bool) -> None:
    """The rewritten terminal stops where python-hcl2's own pattern stops, on any text."""
    import re

    from lambdalint.loaders.terraform import hcl

    name = "HEREDOC_TEMPLATE_TRIM" if trim else "HEREDOC_TEMPLATE"
    linear = hcl._parser().get_terminal(name).pattern.value
    original = linear.replace(hcl._WITHIN_LINE, hcl._CROSSES_LINES)
    assert original != linear
    text = ("<<-EOT\n" if trim else "<<EOT\n") + body + "\nEOT\n"
    old, new = re.match(original, text), re.match(linear, text)
    assert (old and old.span()) == (new and new.span())


def test_expression_text_is_cut_from_the_text_that_was_parsed() -> None:
    """Trailing blanks are removed before parsing (for heredoc markers): the source text of an
    expression kept unevaluated must come from that same text, not be shifted by them."""
    from lambdalint.loaders.terraform.hcl import parse_file
    from lambdalint.loaders.terraform.model import Opaque

    tf = parse_file(Path("main.tf"), 'locals {   \n   \n  a = "x"    \n  b = f(c) ? 1 : 2\n}\n')
    value, _ = tf.locals["b"]
    assert isinstance(value, Opaque) and value.text == "f(c) ? 1 : 2"
