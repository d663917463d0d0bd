"""Terraform plan JSON loader: planned values, references from the configuration, positions
mapped back to the .tf source when it is found."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from lambdalint.loaders import load_file
from lambdalint.loaders.terraform import plan
from lambdalint.model import UNKNOWN, Function

MAIN_TF = """
resource "aws_lambda_function" "orders" {
  function_name = "orders"
  filename      = "orders.zip"
  handler       = "app.handler"
  runtime       = "python3.12"
  role          = aws_iam_role.orders.arn
  environment {
    variables = {
      MODE        = "fast"
      DB_PASSWORD = var.db_password
      QUEUE_URL   = aws_sqs_queue.jobs.url
    }
  }
}

variable "db_password" {
  sensitive = true
}

resource "aws_iam_role" "orders" {
  name = "orders"
}

resource "aws_iam_role_policy" "orders" {
  role   = aws_iam_role.orders.id
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
}
"""

POLICY_JSON = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


@pytest.fixture(autouse=True)
def _in_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Loaders read only inside the checked tree: here, the test's folder."""
    monkeypatch.chdir(tmp_path)



def _res(address: str, values: dict[str, Any], mode: str = "managed") -> dict[str, Any]:
    rtype, name = address.split(".")[-2:]
    return {"address": address, "mode": mode, "type": rtype, "name": name, "values": values}


def _plan(module_resources: list[dict[str, Any]], children: list[dict[str, Any]] | None = None,
          changes: list[dict[str, Any]] | None = None, config: dict[str, Any] | None = None) -> dict[str, Any]:
    root: dict[str, Any] = {"resources": module_resources}
    if children:
        root["child_modules"] = children
    return {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "planned_values": {"root_module": root},
        "resource_changes": changes or [],
        "configuration": {"root_module": config or {}},
    }


LAMBDA_VALUES = {
    "function_name": "orders",
    "filename": "orders.zip",
    "handler": "app.handler",
    "runtime": "python3.12",
    "image_uri": None,
    "s3_bucket": None,
    "timeout": 3,
    "environment": [{"variables": {"MODE": "fast", "DB_PASSWORD": "hunter2-hunter2"}}],
}

CHANGES = [
    {
        "address": "aws_lambda_function.orders",
        "change": {
            "after_unknown": {"arn": True, "role": True, "environment": [{"variables": {"QUEUE_URL": True}}]},
        },
    }
]

RESOURCES = [
    _res("aws_lambda_function.orders", LAMBDA_VALUES),
    _res("aws_iam_role.orders", {"name": "orders"}),
    _res("aws_iam_role_policy.orders", {"policy": POLICY_JSON}),
]

CONFIG = {
    "resources": [
        {
            "address": "aws_lambda_function.orders",
            "expressions": {
                "role": {"references": ["aws_iam_role.orders.arn", "aws_iam_role.orders"]},
                "environment": [{"variables": {"references": ["var.db_password", "aws_sqs_queue.jobs.url"]}}],
            },
        },
        {
            "address": "aws_iam_role_policy.orders",
            "expressions": {"role": {"references": ["aws_iam_role.orders.id", "aws_iam_role.orders"]}},
        },
    ]
}


def _write_plan(folder: Path, plan: dict[str, Any], name: str = "plan.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(plan, indent=2), encoding="utf-8")
    return path


def _load(path: Path) -> Function:
    fns, diags = load_file(path, path.read_text(encoding="utf-8"))
    assert not diags, diags
    assert len(fns) == 1, fns
    return fns[0]


def _line(text: str, needle: str) -> int:
    for i, line in enumerate(textwrap.dedent(text).lstrip("\n").splitlines()):
        if needle in line:
            return i + 1
    raise AssertionError(needle)


def test_claims_only_plans(tmp_path: Path) -> None:
    text = json.dumps(_plan(RESOURCES))
    assert plan.claims(tmp_path / "plan.json", text)
    assert not plan.claims(tmp_path / "main.tf.json", text)
    assert not plan.claims(tmp_path / "package.json", '{"name": "x"}')


def test_plan_alone_positions_in_plan_and_links_from_configuration(tmp_path: Path) -> None:
    path = _write_plan(tmp_path, _plan(RESOURCES, changes=CHANGES, config=CONFIG))
    fn = _load(path)
    text = path.read_text()
    assert fn.framework == "terraform-plan"
    assert fn.loc.path == path
    assert fn.handler is not None and fn.handler.loc.pos.line == _line(text, '"handler"')
    # the role ARN is unknown until apply: linked through the configuration's references
    assert fn.role is not None and fn.role.known and fn.role.name == "aws_iam_role.orders"
    assert [s.actions for s in fn.role.statements] == [["*"]]
    env = fn.environment
    # which entries the map's references fill is not recorded: none is taken for a literal
    assert env["DB_PASSWORD"].kind != "literal"
    assert env["QUEUE_URL"].value is UNKNOWN
    assert fn.code is not None and fn.code.kind == "zip"


def test_plan_next_to_its_source_points_at_tf_lines(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(textwrap.dedent(MAIN_TF).lstrip("\n"), encoding="utf-8")
    path = _write_plan(tmp_path, _plan(RESOURCES, changes=CHANGES, config=CONFIG))
    fn = _load(path)
    assert fn.loc.path == tmp_path / "main.tf" and fn.loc.pos.line == 1
    assert fn.handler is not None
    assert (fn.handler.loc.path.name, fn.handler.loc.pos.line) == ("main.tf", _line(MAIN_TF, "handler"))
    # the planned value, classified by the expression that wrote it
    password = fn.environment["DB_PASSWORD"]
    assert password.kind == "parameter" and password.parameter == "db_password"
    assert password.parameter_no_echo
    assert password.loc.pos.line == _line(MAIN_TF, "DB_PASSWORD")
    assert fn.environment["MODE"].kind == "literal"
    assert fn.environment["QUEUE_URL"].kind in ("reference", "unknown")
    (stmt,) = fn.role.statements  # type: ignore[union-attr]
    assert (stmt.loc.path.name, stmt.loc.pos.line) == ("main.tf", _line(MAIN_TF, "policy = jsonencode"))
    # attributes the source does not spell out point at the resource block
    assert fn.timeout is not None and fn.timeout.loc.pos.line == 1


def test_child_module_maps_to_its_local_source(tmp_path: Path) -> None:
    module = tmp_path / "modules" / "fn"
    module.mkdir(parents=True)
    (module / "main.tf").write_text(textwrap.dedent(MAIN_TF).lstrip("\n"), encoding="utf-8")
    child = {
        "address": "module.orders",
        "resources": [
            _res("module.orders.aws_lambda_function.orders", LAMBDA_VALUES),
            _res("module.orders.aws_iam_role.orders", {"name": "orders"}),
        ],
    }
    config = {"module_calls": {"orders": {"source": "./modules/fn", "module": CONFIG}}}
    path = _write_plan(tmp_path, _plan([], children=[child], config=config))
    fn = _load(path)
    assert fn.name == "aws_lambda_function.orders"
    assert fn.loc.path == tmp_path / "modules" / "fn" / "main.tf"
    assert fn.role is not None and fn.role.known


def test_code_path_from_another_machine_is_unknown(tmp_path: Path) -> None:
    values = dict(LAMBDA_VALUES, filename="/home/runner/work/app/build/orders.zip")
    archive = {"source_dir": "/home/runner/work/app/src", "output_path": "/home/runner/work/app/build/orders.zip"}
    resources = [
        _res("aws_lambda_function.orders", values),
        _res("data.archive_file.orders", archive, mode="data"),
    ]
    config = {"resources": [{"address": "aws_lambda_function.orders",
                             "expressions": {"filename": {"references": ["data.archive_file.orders.output_path"]}}}]}
    fn = _load(_write_plan(tmp_path, _plan(resources, config=config)))
    assert fn.code is not None and fn.code.kind == "unknown"


def test_bad_plan_json_is_ll100(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{"format_version": "1.2", "planned_values": {', encoding="utf-8")
    fns, diags = load_file(path, path.read_text())
    assert fns == [] and [d.rule_id for d in diags] == ["LL100"]


def test_plan_saved_in_a_subfolder_finds_the_configuration_above(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(textwrap.dedent(MAIN_TF).lstrip("\n"), encoding="utf-8")
    (tmp_path / "plans").mkdir()
    fn = _load(_write_plan(tmp_path / "plans", _plan(RESOURCES, changes=CHANGES, config=CONFIG)))
    assert fn.loc.path == tmp_path / "main.tf"
