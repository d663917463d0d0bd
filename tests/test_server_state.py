"""The language server's lint state (server/state.py): the findings of `check` on every fixture
case, kept right edit after edit while only the affected functions are linted again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lambdalint import app
from lambdalint.findings import Finding
from lambdalint.server.state import Workspace, real
from lambdalint.settings import files

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CASES = sorted(p.parent for p in FIXTURES.rglob("expect.yaml"))
SUFFIXES = (".py", ".js", ".mjs", ".ts", ".yaml", ".yml", ".tf", ".json")


def _key(f: Finding) -> tuple[Any, ...]:
    title = f.fix.title if f.fix is not None else None
    pos = f.loc.pos
    return (
        f.rule_id,
        real(f.loc.path),
        pos.line,
        pos.column,
        f.message,
        f.severity,
        f.suppressed,
        title,
    )


# judged on the whole project once every rule has run (`check`), not by the editor's partial runs
WHOLE_PROJECT_ONLY = {"LL001", "LL002"}


def _check(overlay: dict[str, str]) -> set[tuple[Any, ...]]:
    """What `check .` finds, the overlay's texts standing for their files."""
    settings = files.load([Path(".")])
    found = app.lint([Path(".")], settings, None, overlay=dict(overlay), code_fixes=True).findings
    return {_key(f) for f in found if f.rule_id not in WHOLE_PROJECT_ONLY}


def _state(ws: Workspace) -> set[tuple[Any, ...]]:
    return {_key(f) for f in ws.all_findings()}


def _edits(text: str) -> list[str]:
    """A handler name spelled differently, else a file that no longer parses."""
    if "handler" in text:
        return [text.replace("handler", "handlr", 1)]
    return [text + "\n  - : [ {\n"]


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_same_findings_as_check_before_and_after_each_edit(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(case)
    ws = Workspace(Path("."))
    ws.lint_all()
    assert _state(ws) == _check({})
    for path in sorted(Path(".").rglob("*")):
        if not path.is_file() or not path.name.endswith(SUFFIXES) or path.name == "expect.yaml":
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for edited in _edits(text):
            ws.overlay[real(path)] = edited
            ws.changed(path)
            assert _state(ws) == _check(ws.overlay), f"after editing {path}"
        del ws.overlay[real(path)]
        ws.changed(path)
        assert _state(ws) == _check({}), f"after closing {path}"


STACK = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  One:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: one/
      Handler: app.handler
      Runtime: python3.12
  Two:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: two/
      Handler: app.handler
      Runtime: python3.12
"""


def _tree(root: Path, stacks: int) -> None:
    for i in range(stacks):
        stack = root / f"s{i}"
        for name in ("one", "two"):
            (stack / name).mkdir(parents=True)
            (stack / name / "app.py").write_text("def handler(event, context):\n    return 1\n")
        (stack / "template.yaml").write_text(STACK)


def test_a_handler_edit_lints_only_its_function(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tree(tmp_path, 3)
    monkeypatch.chdir(tmp_path)
    ws = Workspace(tmp_path)
    assert ws.lint_all().linted == 6
    handler = tmp_path / "s1" / "two" / "app.py"
    ws.overlay[real(handler)] = "def main(event, context):\n    return 1\n"
    update = ws.changed(handler)
    assert update.linted == 1
    assert real(tmp_path / "s1" / "template.yaml") in update.files
    assert "LL102" in {f.rule_id for f in ws.findings_for(tmp_path / "s1" / "template.yaml")}
    assert "LL102" not in {f.rule_id for f in ws.findings_for(tmp_path / "s0" / "template.yaml")}
    assert _state(ws) == _check(ws.overlay)
    # a template edit loads that template again and lints its functions only
    template = tmp_path / "s2" / "template.yaml"
    ws.overlay[real(template)] = STACK.replace("one/", "gone/")
    update = ws.changed(template)
    assert update.linted == 2
    assert "LL101" in {f.rule_id for f in ws.findings_for(template)}
    assert _state(ws) == _check(ws.overlay)
    # a file that feeds no function: nothing to lint
    (tmp_path / "README.md").write_text("notes\n")
    assert ws.changed(tmp_path / "README.md").linted == 0


def test_a_new_template_saved_is_discovered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tree(tmp_path, 1)
    monkeypatch.chdir(tmp_path)
    ws = Workspace(tmp_path)
    ws.lint_all()
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "template.yaml").write_text(STACK.replace("one/", "gone/"))
    assert ws.changed(tmp_path / "more" / "template.yaml").linted == 0  # typing: no discovery
    ws.changed(tmp_path / "more" / "template.yaml", discover=True)
    assert "LL101" in {f.rule_id for f in ws.findings_for(tmp_path / "more" / "template.yaml")}


def test_a_saved_yaml_file_no_loader_claims_is_no_new_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tree(tmp_path, 1)
    monkeypatch.chdir(tmp_path)
    ws = Workspace(tmp_path)
    ws.lint_all()
    workflow = tmp_path / ".github" / "workflows" / "ci.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text("on: push\njobs: {}\n")
    assert ws.changed(workflow, discover=True).linted == 0
    hidden = tmp_path / "node_modules" / "pkg" / "template.yaml"
    hidden.parent.mkdir(parents=True)
    hidden.write_text(STACK)
    assert ws.changed(hidden, discover=True).linted == 0


MODULE_CALL = """\
module "api" {
  source  = "./modules/fn"
  name    = "api"
  handler = "app.handler"
  src     = "${path.module}/src"
}
"""

MODULE = """\
variable "name" {}
variable "handler" {}
variable "src" {}

data "archive_file" "zip" {
  type        = "zip"
  source_dir  = var.src
  output_path = "${path.module}/app.zip"
}

resource "aws_lambda_function" "this" {
  function_name = var.name
  role          = "arn:aws:iam::123456789012:role/api"
  runtime       = "python3.12"
  handler       = var.handler
  timeout       = 10
  filename      = data.archive_file.zip.output_path
}
"""


def test_terraform_module_edits_load_its_callers_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "modules" / "fn").mkdir(parents=True)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def main(event, context):\n    return 1\n")
    (tmp_path / "main.tf").write_text(MODULE_CALL)
    (tmp_path / "modules" / "fn" / "main.tf").write_text(MODULE)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "main.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    monkeypatch.chdir(tmp_path)
    ws = Workspace(tmp_path)
    ws.lint_all()
    assert _state(ws) == _check({})
    module, root = tmp_path / "modules" / "fn" / "main.tf", tmp_path / "main.tf"
    # the module's caller is loaded again with it; a folder that does not call it is not
    assert set(ws._units_of(real(module))) >= {real(module), real(root)}
    assert real(tmp_path / "other" / "main.tf") not in ws._units_of(real(module))
    # an edit elsewhere that calls no module changes no other configuration; one that adds a
    # module call may make a module folder part of another configuration
    other = tmp_path / "other" / "main.tf"
    ws.overlay[real(other)] = 'resource "aws_s3_bucket" "c" {}\n'
    assert ws._units_of(real(other)) == [real(other)]
    ws.overlay[real(other)] = 'module "m" {\n  source = "../modules/fn"\n}\n'
    assert real(module) in ws._units_of(real(other))
    del ws.overlay[real(other)]
    edits = [
        (module, MODULE.replace("  timeout       = 10\n", "")),
        (module, MODULE.replace('"python3.12"', '"python3.7"')),
        (root, MODULE_CALL.replace("app.handler", "app.main")),
        (module, MODULE + "resource {\n"),
    ]
    for path, text in edits:
        ws.overlay[real(path)] = text
        ws.changed(path)
        assert _state(ws) == _check(ws.overlay), f"after editing {path}"


SERVICE = """\
service: orders
provider:
  name: aws
  runtime: ${file(./common.yml):runtime}
  logRetentionInDays: 30
functions:
  create:
    handler: handler.create_order
"""


def test_a_file_a_service_reads_created_later_loads_the_service_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`${file(./common.yml)}` names a file not there yet: the runtime is unknown, the handler
    not checked; once saved, the service is loaded again and its handler checked."""
    (tmp_path / "serverless.yml").write_text(SERVICE)
    (tmp_path / "handler.py").write_text("def create(event, context):\n    return 1\n")
    monkeypatch.chdir(tmp_path)
    ws = Workspace(tmp_path)
    ws.lint_all()
    assert _state(ws) == _check({})
    assert "LL102" not in {f.rule_id for f in ws.all_findings()}
    (tmp_path / "common.yml").write_text("runtime: python3.12\n")
    update = ws.changed(tmp_path / "common.yml", discover=True)
    assert update.linted == 1
    assert "LL102" in {f.rule_id for f in ws.findings_for(tmp_path / "serverless.yml")}
    assert _state(ws) == _check({})


def test_a_terraform_file_added_to_a_module_loads_its_callers_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "modules" / "fn").mkdir(parents=True)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (tmp_path / "main.tf").write_text(MODULE_CALL)
    (tmp_path / "modules" / "fn" / "main.tf").write_text(
        MODULE.replace("  timeout       = 10\n", "")
    )
    monkeypatch.chdir(tmp_path)
    ws = Workspace(tmp_path)
    ws.lint_all()
    assert _state(ws) == _check({})
    # the module's variables move to a file of their own
    variables = 'variable "name" {}\nvariable "handler" {}\nvariable "src" {}\n'
    (tmp_path / "modules" / "fn" / "variables.tf").write_text(variables)
    (tmp_path / "modules" / "fn" / "main.tf").write_text(
        MODULE.replace(variables, "").replace('"python3.12"', '"python3.7"')
    )
    ws.changed(tmp_path / "modules" / "fn" / "main.tf", discover=True)
    assert _state(ws) == _check({})
    # its caller listed the module folder: a file added to it loads the caller again
    added = real(tmp_path / "modules" / "fn" / "variables.tf")
    assert real(tmp_path / "main.tf") in ws._units_of(added)
    ws.changed(tmp_path / "modules" / "fn" / "variables.tf", discover=True)
    assert _state(ws) == _check({})
