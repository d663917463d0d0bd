"""Terraform local modules (`source = "./modules/fn"`) expanded into instances, and
`templatefile()` rendered: what a configuration of several folders is made of."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from lambdalint.discover import discover
from lambdalint.loaders import load_project
from lambdalint.loaders.terraform import files as tf_files
from lambdalint.loaders.terraform import hcl, templates
from lambdalint.loaders.terraform.model import (
    MAX_INSTANCES,
    MAX_MODULE_DEPTH,
    UNKNOWN_MARK,
    FileText,
    Scope,
    _has_optional,
)
from lambdalint.model import UNKNOWN, Function, Project
from lambdalint.reading import Reader
from lambdalint.reading.positions import Pos


@pytest.fixture(autouse=True)
def _in_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def _project(folder: Path) -> Project:
    found = discover([folder])
    return load_project(folder, found.configs, Reader.for_paths(Reader().limits, [folder]))


def _by_name(project: Project) -> dict[str, Function]:
    return {fn.name: fn for fn in project.functions}


def _notices(project: Project) -> list[str]:
    return [d.message for d in project.diagnostics]


FUNCTION_MODULE = """
variable "name" {
  type = string
}

variable "handler" {
  type    = string
  default = "app.handler"
}

resource "aws_lambda_function" "this" {
  function_name = var.name
  filename      = "${path.module}/build/${var.name}.zip"
  handler       = var.handler
  runtime       = "python3.12"
  role          = aws_iam_role.this.arn
}

resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = "{}"
}

output "function_name" {
  value = aws_lambda_function.this.function_name
}

output "function_arn" {
  value = aws_lambda_function.this.arn
}
"""


def test_each_call_is_an_instance_with_its_arguments(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "main.tf": """
            module "orders" {
              source  = "./modules/fn"
              name    = "orders"
              handler = "orders.handler"
            }

            module "billing" {
              source = "./modules/fn"
              name   = "billing"
            }
            """,
            "modules/fn/main.tf": FUNCTION_MODULE,
        },
    )
    fns = _by_name(_project(tmp_path))
    assert set(fns) == {
        "module.orders.aws_lambda_function.this",
        "module.billing.aws_lambda_function.this",
    }
    orders = fns["module.orders.aws_lambda_function.this"]
    billing = fns["module.billing.aws_lambda_function.this"]
    assert orders.handler is not None and orders.handler.value == "orders.handler"
    assert billing.handler is not None and billing.handler.value == "app.handler"  # the default
    # positions are the module's lines; the instance is named
    assert orders.handler.loc.path.name == "main.tf"
    assert orders.handler.loc.path.parent.name == "fn"
    assert orders.module == "module.orders"
    # path.module is the module folder, seen from the root module
    assert orders.code is not None and orders.code.declared == "modules/fn/build/orders.zip"
    assert orders.role is not None and orders.role.name == "module.orders.aws_iam_role.this"


def test_a_module_folder_called_from_the_tree_is_not_a_configuration_of_its_own(
    tmp_path: Path,
) -> None:
    _write(
        tmp_path,
        {
            "main.tf": 'module "a" {\n  source = "./modules/fn"\n  name = "a"\n}\n',
            "modules/fn/main.tf": FUNCTION_MODULE,
            "other/main.tf": FUNCTION_MODULE,  # nobody calls it: checked on its own
        },
    )
    names = sorted(fn.name for fn in _project(tmp_path).functions)
    assert names == ["aws_lambda_function.this", "module.a.aws_lambda_function.this"]


def test_outputs_lead_the_caller_to_the_instance(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "main.tf": """
            module "fn" {
              source = "./modules/fn"
              name   = "orders"
            }

            resource "aws_lambda_permission" "api" {
              function_name = module.fn.function_name
              principal     = "apigateway.amazonaws.com"
              action        = "lambda:InvokeFunction"
            }

            resource "aws_cloudwatch_log_group" "fn" {
              name              = "/aws/lambda/${module.fn.function_name}"
              retention_in_days = 7
            }

            resource "aws_sns_topic_subscription" "s" {
              topic_arn = "arn:aws:sns:us-east-1:123456789012:t"
              protocol  = "lambda"
              endpoint  = module.fn.function_arn
            }
            """,
            "modules/fn/main.tf": FUNCTION_MODULE,
        },
    )
    (fn,) = _project(tmp_path).functions
    assert [p.principal for p in fn.permissions] == ["apigateway.amazonaws.com"]
    assert [g.retention_days for g in fn.log_groups] == [7]
    assert [e.kind for e in fn.events] == ["sns"]


def test_arguments_lead_the_instance_to_the_caller(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "main.tf": """
            resource "aws_iam_role" "shared" {
              name               = "shared"
              assume_role_policy = "{}"
            }

            resource "aws_iam_role_policy" "shared" {
              role   = aws_iam_role.shared.id
              policy = jsonencode({
                Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }]
              })
            }

            module "fn" {
              source = "./modules/fn"
              role   = aws_iam_role.shared.arn
            }
            """,
            "modules/fn/main.tf": """
            variable "role" {}

            resource "aws_lambda_function" "this" {
              function_name = "fn"
              filename      = "fn.zip"
              handler       = "app.handler"
              runtime       = "python3.12"
              role          = var.role
            }
            """,
        },
    )
    (fn,) = _project(tmp_path).functions
    assert fn.role is not None and fn.role.known and fn.role.name == "aws_iam_role.shared"
    assert [s.actions for s in fn.role.statements] == [["s3:GetObject"]]
    # relative paths are read from the root module's folder, as Terraform does
    assert fn.code is not None and fn.code.path == tmp_path / "fn.zip"


def test_nested_modules_and_the_registry_module_inside_one(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "main.tf": 'module "svc" {\n  source = "./modules/svc"\n}\n',
            "modules/svc/main.tf": """
            module "inner" {
              source = "../fn"
              name   = "inner"
            }

            module "lambda" {
              source        = "terraform-aws-modules/lambda/aws"
              function_name = "registry"
              handler       = "index.handler"
              runtime       = "nodejs20.x"
              source_path   = "${path.module}/src"
            }
            """,
            "modules/fn/main.tf": FUNCTION_MODULE,
        },
    )
    fns = _by_name(_project(tmp_path))
    assert set(fns) == {
        "module.svc.module.inner.aws_lambda_function.this",
        "module.svc.module.lambda",
    }
    registry = fns["module.svc.module.lambda"]
    assert registry.module == "module.svc"
    assert registry.code is not None and registry.code.declared == "modules/svc/src"


def test_count_zero_and_empty_for_each_create_no_instance(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "main.tf": """
            variable "enabled" {
              default = false
            }

            module "off" {
              source = "./modules/fn"
              count  = var.enabled ? 1 : 0
              name   = "off"
            }

            module "zero" {
              source = "./modules/fn"
              count  = 0
              name   = "zero"
            }

            module "none" {
              source   = "./modules/fn"
              for_each = {}
              name     = "none"
            }

            module "some" {
              source   = "./modules/fn"
              for_each = toset(["a", "b"])
              name     = each.key
            }
            """,
            "modules/fn/main.tf": FUNCTION_MODULE,
        },
    )
    fns = _by_name(_project(tmp_path))
    # `var.enabled ? 1 : 0` with enabled false: none, as Terraform counts it
    assert set(fns) == {"module.some.aws_lambda_function.this"}
    assert fns["module.some.aws_lambda_function.this"].function_name is UNKNOWN


def test_a_module_calling_itself_is_cut_with_a_notice(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "main.tf": FUNCTION_MODULE
            + '\nmodule "again" {\n  source = "./"\n  name = "again"\n}\n'
            + 'module "down" {\n  source = "./sub"\n}\n',
            "sub/main.tf": 'module "up" {\n  source = "../"\n  name = "up"\n}\n',
        },
    )
    project = _project(tmp_path)
    # the folder calls itself and a sub-folder that calls it back: nothing else calls either,
    # so each is a configuration of its own, and a call back into a module being expanded
    # is not followed
    assert sorted(fn.name for fn in project.functions) == [
        "aws_lambda_function.this",
        "module.up.aws_lambda_function.this",
    ]
    assert any("calls a module it is part of" in m for m in _notices(project))


def test_deep_nesting_is_bounded(tmp_path: Path) -> None:
    depth = MAX_MODULE_DEPTH + 3
    files = {"main.tf": 'module "m" {\n  source = "./m1"\n}\n'}
    for i in range(1, depth + 1):
        files[f"m{i}/main.tf"] = FUNCTION_MODULE.replace("var.name", f'"f{i}"') + (
            f'\nmodule "m" {{\n  source = "../m{i + 1}"\n}}\n' if i < depth else ""
        )
    _write(tmp_path, files)
    project = _project(tmp_path)
    nested = [fn for fn in project.functions if fn.module]
    assert len(nested) == MAX_MODULE_DEPTH
    assert max(fn.module.count("module.") for fn in nested) == MAX_MODULE_DEPTH
    assert any(f"more than {MAX_MODULE_DEPTH} levels" in m for m in _notices(project))


def test_instances_are_bounded(tmp_path: Path) -> None:
    calls = "".join(f'module "m{i}" {{\n  source = "./mid"\n}}\n' for i in range(20))
    inner = "".join(
        f'module "f{i}" {{\n  source = "../fn"\n  name = "f{i}"\n}}\n' for i in range(20)
    )
    _write(tmp_path, {"main.tf": calls, "mid/main.tf": inner, "fn/main.tf": FUNCTION_MODULE})
    project = _project(tmp_path)
    assert 0 < len(project.functions) < MAX_INSTANCES
    assert any(f"more than {MAX_INSTANCES} module instances" in m for m in _notices(project))


def test_a_module_called_many_times_is_parsed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = "".join(
        f'module "f{i}" {{\n  source = "./modules/fn"\n  name = "f{i}"\n}}\n' for i in range(12)
    )
    _write(tmp_path, {"main.tf": calls, "modules/fn/main.tf": FUNCTION_MODULE})
    parsed: list[Path] = []
    real = hcl.parse_file

    def counting(path: Path, text: str) -> Any:
        parsed.append(path)
        return real(path, text)

    monkeypatch.setattr(hcl, "parse_file", counting)
    project = _project(tmp_path)
    assert len(project.functions) == 12
    assert sorted(p.as_posix() for p in parsed).count("modules/fn/main.tf") <= 1
    assert len([p for p in parsed if p.parent.name == "fn"]) == 1


def test_a_module_outside_the_tree_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "outside"
    _write(outside, {"main.tf": FUNCTION_MODULE})
    inside = tmp_path / "project"
    _write(inside, {"main.tf": 'module "x" {\n  source = "../outside"\n  name = "x"\n}\n'})
    monkeypatch.chdir(inside)
    project = _project(inside)
    assert project.functions == ()


# ---------------------------------------------------------------- templatefile()


def _render(text: str, variables: dict[str, Any]) -> tuple[str, bool]:
    out, _, partial = templates.render(textwrap.dedent(text), variables, Scope(Path("."), []))
    return out, partial


def test_template_interpolations_and_directives() -> None:
    out, partial = _render(
        """\
        [
        %{ for i, name in names ~}
          "${upper(name)}"%{ if i < length(names) - 1 },%{ endif }
        %{ endfor ~}
        ]
        %{ if enabled }on%{ else }off%{ endif } $${literal} %%{literal} ${n * 2 + 1}
        """,
        {"names": ["a", "b"], "enabled": False, "n": 3},
    )
    assert not partial
    # `~` strips every blank next to it, new lines and indentation included (as HCL does)
    assert out == '[\n"A",\n"B"\n]\noff ${literal} %{literal} 7\n'


def test_template_unknown_values() -> None:
    out, partial = _render('{"Resource": "arn:${bucket}"}', {"bucket": UNKNOWN})
    assert partial and out == '{"Resource": "arn:' + UNKNOWN_MARK + '"}'
    with pytest.raises(templates._Invalid):
        _render("%{ if flag }x%{ endif }", {"flag": UNKNOWN})
    with pytest.raises(templates._Invalid):
        _render("%{ for x in items }x%{ endfor }", {})
    with pytest.raises(templates._Invalid):
        _render("%{ if true }x", {})  # no endif


def test_template_loops_and_size_are_bounded() -> None:
    with pytest.raises(templates._Invalid):
        _render(
            "%{ for a in xs }%{ for b in xs }%{ for c in xs }.%{ endfor }%{ endfor }%{ endfor }",
            {"xs": list(range(100))},
        )
    with pytest.raises(templates._TooLarge):
        _render("%{ for a in xs }${big}%{ endfor }", {"xs": list(range(100)), "big": "x" * 5000})


TEMPLATED_ROLE = """
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  filename      = "fn.zip"
  handler       = "app.handler"
  runtime       = "python3.12"
  role          = aws_iam_role.fn.arn
}

resource "aws_iam_role" "fn" {
  name               = "fn"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "fn" {
  role   = aws_iam_role.fn.id
  policy = templatefile(TEMPLATE, { bucket = var.bucket, actions = ["s3:GetObject"] })
}

variable "bucket" {}
"""


def _templated_role(tmp_path: Path, template: str, name: str = "policy.tpl") -> Any:
    _write(tmp_path, {"main.tf": TEMPLATED_ROLE.replace("TEMPLATE", f'"{name}"')})
    if not name.startswith(".."):
        _write(tmp_path, {name: template})
    (fn,) = _project(tmp_path).functions
    return fn.role


def test_templatefile_policy_with_an_unknown_value(tmp_path: Path) -> None:
    role = _templated_role(
        tmp_path,
        """
        {"Statement": [
          {"Effect": "Allow", "Action": ${jsonencode(actions)},
           "Resource": "arn:aws:s3:::${bucket}/*"}
        ]}
        """,
    )
    (stmt,) = role.statements
    assert stmt.actions == ["s3:GetObject"]
    assert stmt.resources == [] and stmt.resources_unknown
    assert stmt.loc.path.name == "policy.tpl" and stmt.loc.pos.line == 2


def test_templatefile_unknown_where_json_wants_a_value(tmp_path: Path) -> None:
    role = _templated_role(
        tmp_path, '{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": ${bucket}}]}'
    )
    (stmt,) = role.statements
    assert stmt.actions == ["s3:*"] and stmt.resources_unknown


def test_templatefile_that_cannot_be_rendered_leaves_the_role_incomplete(tmp_path: Path) -> None:
    role = _templated_role(tmp_path, '{"Statement": [%{ if nope }%{ endif }]}')
    assert role.statements == [] and role.incomplete


def test_templatefile_outside_the_tree_is_not_read(tmp_path: Path) -> None:
    (tmp_path.parent / "secret.tpl").write_text('{"Statement": []}', encoding="utf-8")
    role = _templated_role(tmp_path, "", name="../secret.tpl")
    assert role.statements == [] and role.incomplete


def test_rendered_template_is_file_text_never_a_string(tmp_path: Path) -> None:
    _write(tmp_path, {"t.tpl": "app.${x}"})
    scope = Scope(tmp_path, [])
    value = templates.render_file(scope, tmp_path / "t.tpl", {"x": "handler"})
    assert isinstance(value, FileText) and not isinstance(value, str)
    assert value.text == "app.handler"


def test_local_sources_glance() -> None:
    text = 'module "a" {\n  source = "./m"\n}\n{"source": "../n"}\nsource = "git::x"\n'
    assert tf_files.local_sources(text) == ["./m", "../n"]


def test_a_runtime_read_from_a_file_is_taken_only_when_it_names_a_runtime(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "PYTHON_VERSION": "3.12\n",
            "SECRET": "hunter2\n",
            "main.tf": """
            data "local_file" "python_version" {
              filename = "${path.module}/PYTHON_VERSION"
            }

            locals {
              runtime = format("%s%s", "python", chomp(trimspace(data.local_file.python_version.content)))
            }

            resource "aws_lambda_function" "ok" {
              function_name = "ok"
              filename      = "fn.zip"
              handler       = "app.handler"
              runtime       = local.runtime
            }

            resource "aws_lambda_function" "secret" {
              function_name = "secret"
              filename      = "fn.zip"
              handler       = trimspace(file("SECRET"))
              runtime       = "python${trimspace(file("SECRET"))}"
            }
            """,
        },
    )
    fns = _by_name(_project(tmp_path))
    ok, secret = fns["aws_lambda_function.ok"], fns["aws_lambda_function.secret"]
    assert ok.runtime is not None and ok.runtime.value == "python3.12"
    assert secret.runtime is not None and secret.runtime.value is UNKNOWN
    assert secret.handler is not None and secret.handler.value is UNKNOWN


def test_optional_attributes_of_an_object_variable_take_their_defaults(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "main.tf": """
            module "a" {
              source = "./modules/fn"
              lambda = { name = "a", timeout = null, jobs = [{ name = "j" }] }
            }

            module "b" {
              source = "./modules/fn"
              lambda = { name = "b", runtime = "nodejs22.x", timeout = 30, memory = 256 }
            }
            """,
            "modules/fn/main.tf": """
            variable "lambda" {
              type = object({
                name    = string
                runtime = optional(string, "python3.12")
                timeout = optional(number, 60)
                memory  = optional(number)
                logs    = optional(object({ days = optional(number, 14) }), {})
                jobs    = optional(list(object({ name = string, batch = optional(number, 5) })), [])
              })
            }

            resource "aws_lambda_function" "this" {
              function_name = var.lambda.name
              filename      = "fn.zip"
              handler       = "app.handler"
              runtime       = var.lambda.runtime
              timeout       = var.lambda.timeout
              memory_size   = var.lambda.memory

              environment {
                variables = {
                  DAYS  = "${var.lambda.logs.days}"
                  BATCH = "${var.lambda.jobs[0].batch}"
                }
              }
            }
            """,
        },
    )
    fns = _by_name(_project(tmp_path))
    a, b = fns["module.a.aws_lambda_function.this"], fns["module.b.aws_lambda_function.this"]
    # absent or null: the default; given: the value given
    assert a.runtime is not None and a.runtime.value == "python3.12"
    assert a.timeout is not None and a.timeout.value == 60
    assert b.runtime is not None and b.runtime.value == "nodejs22.x"
    assert b.timeout is not None and b.timeout.value == 30
    # an optional attribute without a default is null: not set
    assert a.memory is None or a.memory.value in (None, UNKNOWN)
    assert b.memory is not None and b.memory.value == 256
    # inside nested objects and lists of objects too
    assert {k: v.value for k, v in a.environment.items()} == {"DAYS": "14", "BATCH": "5"}


def test_only_types_with_optional_attributes_fill_values_in() -> None:
    assert not _has_optional(hcl.parse_expression("object({ name = string })", Pos()))
    assert _has_optional(hcl.parse_expression("map(object({ a = optional(number) }))", Pos()))


def test_conditionals_and_operators_decide_what_a_module_creates(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "main.tf": """
            module "on" {
              source     = "./modules/fn"
              name       = "on"
              create_url = true
            }

            module "off" {
              source = "./modules/fn"
              name   = "off"
            }

            module "none" {
              source = "./modules/fn"
              name   = "none"
              create = false
            }
            """,
            "modules/fn/main.tf": """
            variable "name" {
              type = string
            }
            variable "create" {
              type    = bool
              default = true
            }
            variable "create_url" {
              type    = bool
              default = false
            }
            variable "retention" {
              type    = number
              default = null
            }

            resource "aws_lambda_function" "this" {
              count         = var.create && !(var.name == "") ? 1 : 0
              function_name = var.name
              filename      = "fn.zip"
              handler       = "app.handler"
              runtime       = "python3.12"
              timeout       = var.retention != null ? var.retention : 3 * 10
              dynamic "logging_config" {
                for_each = data.aws_partition.current.partition == "aws" ? [true] : []
                content {
                  log_group = "/custom/${var.name}"
                }
              }
            }

            resource "aws_lambda_function_url" "this" {
              count              = var.create && var.create_url ? 1 : 0
              function_name      = aws_lambda_function.this[0].function_name
              authorization_type = "NONE"
            }
            """,
        },
    )
    fns = _by_name(_project(tmp_path))
    # `create = false`: no function at all
    assert set(fns) == {"module.on.aws_lambda_function.this", "module.off.aws_lambda_function.this"}
    on, off = fns["module.on.aws_lambda_function.this"], fns["module.off.aws_lambda_function.this"]
    # the URL exists only where create_url is true
    assert on.url is not None and off.url is None
    assert on.timeout is not None and on.timeout.value == 30
    # a dynamic logging_config whose for_each is not known is taken as written
    assert on.logging_config_group is not None
    assert on.logging_config_group.value == "/custom/on"
