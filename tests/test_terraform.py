"""Terraform HCL and JSON loaders: the model they build from a module folder."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from lambdalint.loaders import load_file
from lambdalint.model import UNKNOWN, Function


@pytest.fixture(autouse=True)
def _in_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Loaders read only inside the checked tree: here, the test's folder."""
    monkeypatch.chdir(tmp_path)



def _write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def _line(text: str, needle: str, nth: int = 1) -> int:
    """The 1-based line of the nth line containing `needle` in a dedented test file."""
    lines = textwrap.dedent(text).lstrip("\n").splitlines()
    hits = [i + 1 for i, line in enumerate(lines) if needle in line]
    return hits[nth - 1]


def _load(path: Path) -> tuple[list[Function], list]:  # type: ignore[type-arg]
    return load_file(path, path.read_text(encoding="utf-8"))


def _one(folder: Path, name: str = "main.tf") -> Function:
    fns, diags = _load(folder / name)
    assert not diags, diags
    assert len(fns) == 1, fns
    return fns[0]


FUNCTION = """
resource "aws_lambda_function" "fn" {
  function_name = "orders"
  filename      = "fn.zip"
  handler       = "app.handler"
  runtime       = "python3.12"
  timeout       = var.timeout
  memory_size   = 256
  role          = aws_iam_role.fn.arn
}
"""


def test_hcl_properties_and_positions(tmp_path: Path) -> None:
    _write(tmp_path, {"main.tf": FUNCTION + 'variable "timeout" {\n  default = 40\n}\n'})
    fn = _one(tmp_path)
    assert fn.name == "aws_lambda_function.fn"
    assert fn.framework == "terraform"
    assert fn.loc.pos.line == 1
    assert fn.function_name == "orders"
    assert fn.handler is not None and fn.handler.value == "app.handler"
    assert fn.handler.loc.pos.line == 4
    assert fn.timeout is not None and fn.timeout.value == 40 and fn.timeout.loc.pos.line == 6
    assert fn.memory is not None and fn.memory.value == 256
    assert fn.code is not None and fn.code.kind == "zip" and fn.code.path == tmp_path / "fn.zip"
    # the role resource is not in the folder: an external role
    assert fn.role is not None and not fn.role.known


def test_variable_without_default_is_unknown_and_tfvars_override(tmp_path: Path) -> None:
    _write(tmp_path, {"main.tf": FUNCTION + 'variable "timeout" {}\n'})
    assert _one(tmp_path).timeout.value is UNKNOWN  # type: ignore[union-attr]
    _write(tmp_path, {"terraform.tfvars": "timeout = 12\n"})
    assert _one(tmp_path).timeout.value == 12  # type: ignore[union-attr]


def test_parse_error_is_ll100_with_position(tmp_path: Path) -> None:
    _write(tmp_path, {"main.tf": 'resource "aws_lambda_function" "fn" {\n  handler = \n}\n'})
    fns, diags = _load(tmp_path / "main.tf")
    assert fns == []
    assert [d.rule_id for d in diags] == ["LL100"]
    assert diags[0].loc.pos.line in (2, 3)


def test_json_parse_error_is_ll100(tmp_path: Path) -> None:
    _write(tmp_path, {"main.tf.json": '{"resource": {"aws_lambda_function": {"fn": {"handler": }}}}'})
    fns, diags = _load(tmp_path / "main.tf.json")
    assert fns == [] and [d.rule_id for d in diags] == ["LL100"]


def test_heredoc_closing_marker_with_trailing_blanks_parses(tmp_path: Path) -> None:
    _write(tmp_path, {"main.tf": FUNCTION + 'locals {\n  p = <<EOF\n{}\nEOF   \n}\n'})
    _one(tmp_path)


def test_environment_kinds(tmp_path: Path) -> None:
    _write(tmp_path, {
        "main.tf": """
        variable "db_password" {
          sensitive = true
        }
        variable "stage" {
          default = "prod"
        }
        locals {
          prefix = "orders"
        }
        resource "aws_lambda_function" "fn" {
          function_name = "fn"
          handler       = "app.handler"
          runtime       = "python3.12"
          filename      = "fn.zip"
          role          = "arn:aws:iam::123456789012:role/x"
          environment {
            variables = {
              LITERAL     = "plain"
              NUMBER      = 5
              FROM_LOCAL  = "${local.prefix}-table"
              DB_PASSWORD = var.db_password
              STAGE       = var.stage
              TABLE       = aws_dynamodb_table.t.name
              SECRET      = data.aws_ssm_parameter.s.value
              COND        = var.stage == "prod" ? "a" : "b"
            }
          }
        }
        """,
    })
    env = _one(tmp_path).environment
    assert (env["LITERAL"].kind, env["LITERAL"].value) == ("literal", "plain")
    assert env["LITERAL"].loc.pos.line == 18
    assert env["NUMBER"].value == "5"
    assert (env["FROM_LOCAL"].kind, env["FROM_LOCAL"].value) == ("literal", "orders-table")
    assert env["DB_PASSWORD"].kind == "parameter" and env["DB_PASSWORD"].parameter == "db_password"
    assert env["DB_PASSWORD"].parameter_no_echo and env["DB_PASSWORD"].value is UNKNOWN
    assert (env["STAGE"].kind, env["STAGE"].value) == ("parameter", "prod")
    assert env["TABLE"].kind == "reference" and env["TABLE"].value is UNKNOWN
    assert env["SECRET"].kind == "reference"
    assert env["COND"].kind == "unknown"


def test_environment_from_unknown_map_is_incomplete(tmp_path: Path) -> None:
    _write(tmp_path, {
        "main.tf": """
        resource "aws_lambda_function" "fn" {
          function_name = "fn"
          environment {
            variables = merge(var.common, { A = "1" })
          }
        }
        variable "common" {}
        """,
    })
    fn = _one(tmp_path)
    assert fn.environment == {} and not fn.environment_complete


IAM = """
resource "aws_lambda_function" "fn" {
  function_name = "orders"
  role          = aws_iam_role.fn.arn
}

resource "aws_iam_role" "fn" {
  name               = "orders-role"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "inline" {
  role = aws_iam_role.fn.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "*"
        Resource = "*"
      },
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = "${aws_s3_bucket.b.arn}/*"
      },
    ]
  })
}

resource "aws_iam_policy" "doc" {
  policy = data.aws_iam_policy_document.doc.json
}

data "aws_iam_policy_document" "doc" {
  statement {
    effect    = "Allow"
    actions   = ["sqs:*"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy_attachment" "doc" {
  role       = aws_iam_role.fn.name
  policy_arn = aws_iam_policy.doc.arn
}

resource "aws_iam_role_policy_attachment" "basic" {
  role       = "orders-role"
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_iam_role_policy" "heredoc" {
  role   = aws_iam_role.fn.name
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}
  ]
}
EOF
}
"""


def test_role_statements_from_every_policy_form(tmp_path: Path) -> None:
    _write(tmp_path, {"main.tf": IAM})
    role = _one(tmp_path).role
    assert role is not None and role.known and role.name == "aws_iam_role.fn"
    by_action = {tuple(s.actions): s for s in role.statements}
    assert set(by_action) == {("*",), ("s3:GetObject",), ("sqs:*",), ("dynamodb:*",)}
    assert by_action[("*",)].resources == ["*"]
    assert by_action[("*",)].loc.pos.line == _line(IAM, "Statement = [") + 1  # the object
    # a resource named by reference is specific: kept with a placeholder, not unknown
    assert by_action[("s3:GetObject",)].resources == ["${aws_s3_bucket.b.arn}/*"]
    assert not by_action[("s3:GetObject",)].resources_unknown
    assert by_action[("*",)].action_loc is not None
    assert by_action[("*",)].action_loc.pos.line == _line(IAM, 'Action   = "*"')
    assert by_action[("sqs:*",)].resource_loc.pos.line == _line(IAM, 'resources = ["*"]')  # type: ignore[union-attr]
    assert by_action[("dynamodb:*",)].action_loc.pos.line == _line(IAM, '"dynamodb:*"')  # type: ignore[union-attr]
    assert by_action[("sqs:*",)].loc.pos.line == _line(IAM, "statement {", 2)
    assert by_action[("dynamodb:*",)].loc.pos.line == _line(IAM, '"dynamodb:*"')  # in the heredoc
    assert [m.name for m in role.managed_policies] == [
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    ]
    assert not role.incomplete


def test_policy_from_file_points_into_that_file(tmp_path: Path) -> None:
    _write(tmp_path, {
        "main.tf": """
        resource "aws_lambda_function" "fn" {
          function_name = "fn"
          role          = aws_iam_role.fn.arn
        }
        resource "aws_iam_role" "fn" {
          inline_policy {
            name   = "all"
            policy = file("${path.module}/policy.json")
          }
        }
        """,
        "policy.json": '{\n  "Statement": [\n    {"Effect": "Allow", "Action": "*", "Resource": "*"}\n  ]\n}\n',
    })
    (stmt,) = _one(tmp_path).role.statements  # type: ignore[union-attr]
    assert stmt.actions == ["*"]
    assert stmt.loc.path == tmp_path / "./policy.json" and stmt.loc.pos.line == 3


def test_resource_from_a_variable_without_value_is_unknown(tmp_path: Path) -> None:
    _write(tmp_path, {
        "main.tf": """
        resource "aws_lambda_function" "fn" {
          function_name = "fn"
          role          = aws_iam_role.fn.arn
        }
        resource "aws_iam_role" "fn" {}
        resource "aws_iam_role_policy" "p" {
          role   = aws_iam_role.fn.id
          policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:PutObject", Resource = "${var.bucket_arn}/*" }] })
        }
        variable "bucket_arn" {}
        """,
    })
    (stmt,) = _one(tmp_path).role.statements  # type: ignore[union-attr]
    assert stmt.resources == [] and stmt.resources_unknown


def test_unknown_attachment_marks_role_incomplete(tmp_path: Path) -> None:
    _write(tmp_path, {
        "main.tf": """
        resource "aws_lambda_function" "fn" {
          function_name = "fn"
          role          = aws_iam_role.fn.arn
        }
        resource "aws_iam_role" "fn" {}
        resource "aws_iam_role_policy_attachment" "x" {
          role       = aws_iam_role.fn.name
          policy_arn = var.policy_arn
        }
        variable "policy_arn" {}
        """,
    })
    role = _one(tmp_path).role
    assert role is not None and role.known and role.incomplete


LOGS = """
resource "aws_lambda_function" "fn" {
  function_name = "${var.prefix}-orders"
}

variable "prefix" {}

resource "aws_cloudwatch_log_group" "by_reference" {
  name              = "/aws/lambda/${aws_lambda_function.fn.function_name}"
  retention_in_days = 14
}

resource "aws_cloudwatch_log_group" "same_expression" {
  name              = "/aws/lambda/${var.prefix}-orders"
  retention_in_days = 0
}

resource "aws_cloudwatch_log_group" "other" {
  name = "/aws/lambda/other"
}
"""


def test_log_groups_matched_by_reference_or_same_name(tmp_path: Path) -> None:
    _write(tmp_path, {"main.tf": LOGS})
    groups = _one(tmp_path).log_groups
    assert sorted(g.retention_days for g in groups) == [0, 14]
    zero = next(g for g in groups if g.retention_days == 0)
    assert zero.retention_loc is not None
    assert zero.retention_loc.pos.line == _line(LOGS, "retention_in_days = 0")


def test_log_group_without_retention(tmp_path: Path) -> None:
    _write(tmp_path, {
        "main.tf": """
        resource "aws_lambda_function" "fn" {
          function_name = "orders"
        }
        resource "aws_cloudwatch_log_group" "fn" {
          name = "/aws/lambda/orders"
        }
        """,
    })
    (group,) = _one(tmp_path).log_groups
    assert group.name == "/aws/lambda/orders" and group.retention_days is None


EVENTS = """
resource "aws_lambda_function" "fn" {
  function_name = "worker"
  timeout       = 60
}

resource "aws_sqs_queue" "jobs" {
  visibility_timeout_seconds = 120
}

resource "aws_sqs_queue" "default" {}

resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn = aws_sqs_queue.jobs.arn
  function_name    = aws_lambda_function.fn.arn
}

resource "aws_lambda_event_source_mapping" "default" {
  event_source_arn = aws_sqs_queue.default.arn
  function_name    = "worker"
}

resource "aws_apigatewayv2_integration" "http" {
  api_id           = aws_apigatewayv2_api.http.id
  integration_type = "AWS_PROXY"
  integration_uri  = aws_lambda_function.fn.invoke_arn
}

resource "aws_apigatewayv2_api" "http" {
  protocol_type = "HTTP"
}

resource "aws_api_gateway_integration" "rest" {
  uri = aws_lambda_function.fn.invoke_arn
}

resource "aws_cloudwatch_event_rule" "nightly" {
  schedule_expression = "rate(1 day)"
}

resource "aws_cloudwatch_event_target" "nightly" {
  rule = aws_cloudwatch_event_rule.nightly.name
  arn  = aws_lambda_function.fn.arn
}

resource "aws_lambda_permission" "public" {
  function_name = aws_lambda_function.fn.function_name
  action        = "lambda:InvokeFunction"
  principal     = "*"
}

resource "aws_lambda_permission" "s3" {
  function_name = aws_lambda_function.fn.function_name
  principal     = "s3.amazonaws.com"
  source_arn    = aws_s3_bucket.b.arn
}

resource "aws_lambda_function_url" "url" {
  function_name      = aws_lambda_function.fn.function_name
  authorization_type = "NONE"
}

resource "aws_lambda_function_event_invoke_config" "cfg" {
  function_name = aws_lambda_function.fn.function_name
  destination_config {
    on_failure {
      destination = aws_sqs_queue.default.arn
    }
  }
}
"""


def test_events_permissions_url_and_destinations(tmp_path: Path) -> None:
    _write(tmp_path, {"main.tf": EVENTS})
    fn = _one(tmp_path)
    kinds = sorted(e.kind for e in fn.events)
    assert kinds == ["api", "http-api", "schedule", "sqs", "sqs"]
    queues = {e.queue.name: e.queue for e in fn.events if e.queue is not None}
    assert queues["aws_sqs_queue.jobs"].visibility_timeout == 120
    assert queues["aws_sqs_queue.jobs"].visibility_loc.pos.line == _line(EVENTS, "visibility_timeout_seconds")  # type: ignore[union-attr]
    assert queues["aws_sqs_queue.default"].visibility_timeout == 30
    assert next(e for e in fn.events if e.kind == "schedule").is_async
    perms = {p.principal: p for p in fn.permissions}
    assert perms["*"].source_arn is None and perms["*"].loc.pos.line == _line(EVENTS, 'principal     = "*"')
    assert perms["s3.amazonaws.com"].source_arn is UNKNOWN
    assert fn.url is not None and fn.url.auth_type == "NONE"
    assert fn.on_failure is not None and fn.on_failure.value == "${aws_sqs_queue.default.arn}"


def test_only_functions_of_the_loaded_file(tmp_path: Path) -> None:
    _write(tmp_path, {
        "a.tf": 'resource "aws_lambda_function" "a" {\n  function_name = "a"\n}\n',
        "b.tf": 'resource "aws_lambda_function" "b" {\n  function_name = "b"\n  role = aws_iam_role.r.arn\n}\n',
        "iam.tf": 'resource "aws_iam_role" "r" {\n  name = "r"\n}\n',
    })
    fns, _ = _load(tmp_path / "b.tf")
    assert [f.name for f in fns] == ["aws_lambda_function.b"]
    assert fns[0].role is not None and fns[0].role.known  # linked across files
    assert _load(tmp_path / "iam.tf")[0] == []


def test_terraform_json_references_and_suppression(tmp_path: Path) -> None:
    doc = {
        "resource": {
            "aws_lambda_function": {
                "fn": {
                    "//": "lambdalint: ignore[LL301] logs are shipped elsewhere",
                    "function_name": "orders",
                    "role": "${aws_iam_role.fn.arn}",
                    "environment": {"variables": {"TABLE": "${aws_dynamodb_table.t.name}", "MODE": "fast"}},
                }
            },
            "aws_iam_role": {"fn": {"name": "fn"}},
            "aws_iam_role_policy": {
                "p": {
                    "role": "${aws_iam_role.fn.id}",
                    "policy": '${jsonencode({Statement = [{Effect = "Allow", Action = "s3:*", Resource = "*"}]})}',
                }
            },
            "aws_cloudwatch_log_group": {
                "fn": {"name": "/aws/lambda/${aws_lambda_function.fn.function_name}", "retention_in_days": 30}
            },
        }
    }
    (tmp_path / "main.tf.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
    fn = _one(tmp_path, "main.tf.json")
    assert fn.loc.pos.line == 4
    assert fn.suppressed == {"LL301": "logs are shipped elsewhere"}
    assert fn.environment["TABLE"].kind == "reference"
    assert fn.environment["MODE"].value == "fast"
    assert fn.role is not None and [s.actions for s in fn.role.statements] == [["s3:*"]]
    assert [g.retention_days for g in fn.log_groups] == [30]


def test_count_zero_is_never_created(tmp_path: Path) -> None:
    _write(tmp_path, {"main.tf": 'resource "aws_lambda_function" "fn" {\n  count = 0\n}\n'})
    assert _load(tmp_path / "main.tf") == ([], [])


def test_folder_without_functions_is_not_parsed(tmp_path: Path) -> None:
    # other infrastructure: not ours to validate, and skipping it keeps large repositories fast
    _write(tmp_path, {"network.tf": 'resource "aws_vpc" "main" {\n  cidr_block = \n}\n'})
    assert _load(tmp_path / "network.tf") == ([], [])
    # next to a function, the same file is parsed (it may hold the role) and its error reported
    _write(tmp_path, {"main.tf": FUNCTION})
    fns, diags = _load(tmp_path / "network.tf")
    assert fns == [] and [d.rule_id for d in diags] == ["LL100"]


LAMBDA_MODULE = """
module "orders" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 7.0"

  function_name = "orders"
  handler       = "app.handler"
  runtime       = "python3.12"
  timeout       = 60
  source_path   = "${path.module}/src"

  environment_variables = {
    API_TOKEN = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"
  }

  attach_policy_statements = true
  policy_statements = {
    everything = {
      effect    = "Allow"
      actions   = ["*"]
      resources = ["*"]
    }
  }

  create_lambda_function_url = true
}

resource "aws_apigatewayv2_integration" "orders" {
  api_id           = "abc"
  integration_type = "AWS_PROXY"
  integration_uri  = module.orders.lambda_function_invoke_arn
}

module "shared" {
  source      = "terraform-aws-modules/lambda/aws"
  create_role = false
  lambda_role = "arn:aws:iam::123456789012:role/shared"
  cloudwatch_logs_retention_in_days = 30
  create_package         = false
  local_existing_package = "dist/shared.zip"
}

module "vpc" {
  source = "terraform-aws-modules/vpc/aws"
}

module "deps" {
  source       = "terraform-aws-modules/lambda/aws"
  create_layer = true
  layer_name   = "deps"
  source_path  = "${path.module}/layer"
}
"""


def test_community_lambda_module(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    _write(tmp_path, {"main.tf": LAMBDA_MODULE})
    fns, diags = _load(tmp_path / "main.tf")
    assert not diags
    orders, shared = sorted(fns, key=lambda f: f.name)  # module.deps makes a layer
    assert orders.name == "module.orders" and orders.loc.pos.line == 1
    assert orders.handler is not None and orders.handler.loc.pos.line == _line(LAMBDA_MODULE, "handler")
    assert orders.timeout is not None and orders.timeout.value == 60
    assert orders.code is not None and orders.code.kind == "dir" and orders.code.path == tmp_path / "./src"
    assert orders.environment["API_TOKEN"].kind == "literal"
    assert orders.environment["API_TOKEN"].loc.pos.line == _line(LAMBDA_MODULE, "API_TOKEN")
    (stmt,) = orders.role.statements  # type: ignore[union-attr]
    assert stmt.actions == ["*"] and stmt.action_loc.pos.line == _line(LAMBDA_MODULE, 'actions   = ["*"]')  # type: ignore[union-attr]
    (group,) = orders.log_groups
    assert group.name == "/aws/lambda/orders" and group.retention_days is None
    assert orders.url is not None and orders.url.auth_type == "NONE"
    assert [e.kind for e in orders.events] == ["http-api"]
    assert shared.role is not None and not shared.role.known
    assert shared.log_groups[0].retention_days == 30
    assert shared.code is not None and shared.code.kind == "zip"


def test_log_group_names_built_the_same_way_match(tmp_path: Path) -> None:
    text = """
    resource "aws_lambda_function" "fn" {
      function_name = "${lower(var.prefix)}-invoke"
    }
    resource "aws_cloudwatch_log_group" "fn" {
      name              = "/aws/lambda/${lower(var.prefix)}-invoke"
      retention_in_days = 14
    }
    variable "prefix" {}
    """
    _write(tmp_path, {"main.tf": text})
    assert [g.retention_days for g in _one(tmp_path).log_groups] == [14]


def test_log_group_that_may_be_the_functions_keeps_silence(tmp_path: Path) -> None:
    text = """
    resource "aws_lambda_function" "fn" {
      count         = 2
      function_name = "${var.prefix}-${element(["a", "b"], count.index)}"
    }
    resource "aws_cloudwatch_log_group" "fn" {
      count             = 2
      name              = "/aws/lambda/${var.prefix}-${var.names[count.index]}"
      retention_in_days = 14
    }
    variable "prefix" {}
    variable "names" {}
    """
    _write(tmp_path, {"main.tf": text})
    (group,) = _one(tmp_path).log_groups
    assert group.retention_days is UNKNOWN


_UPLOADED = """
data "archive_file" "app" {
  type        = "zip"
  source_dir  = "src"
  output_path = "build/app.zip"
}

data "archive_file" "other" {
  type        = "zip"
  source_dir  = "other"
  output_path = "build/other.zip"
}

resource "aws_s3_object" "app" {
  bucket = "artifacts"
  key    = "app.zip"
  source = data.archive_file.app.output_path
}

resource "aws_lambda_function" "fn" {
  function_name    = "app"
  s3_bucket        = "artifacts"
  s3_key           = KEY
  source_code_hash = HASH
  handler          = "app.handler"
  runtime          = "python3.12"
  role             = "arn:aws:iam::123456789012:role/app"
}
"""


@pytest.mark.parametrize(
    "key, digest, folder",
    [
        ("aws_s3_object.app.key", "data.archive_file.app.output_base64sha256", "src"),
        ('"app.zip"', "data.archive_file.app.output_base64sha256", "src"),
        ("aws_s3_object.app.key", '"pinned"', "src"),
        # the hash names another archive: which one is deployed cannot be told
        ("aws_s3_object.app.key", "data.archive_file.other.output_base64sha256", None),
        # another key: an object this configuration does not upload
        ('"releases/app.zip"', "data.archive_file.app.output_base64sha256", None),
    ],
)
def test_code_uploaded_to_s3_from_an_archive_is_the_archive_source(
    tmp_path: Path, key: str, digest: str, folder: str | None
) -> None:
    _write(tmp_path, {"main.tf": _UPLOADED.replace("KEY", key).replace("HASH", digest)})
    code = _one(tmp_path).code
    assert code is not None
    if folder is None:
        assert code.kind == "s3"
    else:
        assert code.kind == "dir" and code.path == tmp_path / folder
