"""Handler resolution: the Node.js runtime's split and module lookup, and layers of the function."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import FIXTURES, lint

from lambdalint.analysis.target import Malformed, folder_entry, resolve, split_node_handler
from lambdalint.checks.handler import message
from lambdalint.model import UNKNOWN, CodeLocation, Function, Layer, Loc, Prop


@pytest.fixture(autouse=True)
def _inside_the_checked_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files are read only inside the tree being checked: the working folder by default."""
    monkeypatch.chdir(tmp_path)


# (handler, (module root, module, property path)) as aws-lambda-nodejs-runtime-interface-client
# splits them (src/UserFunction.js: path.basename, then /^([^.]*)\.(.*)$/)
SPLITS = [
    ("index.handler", ("", "index", ("handler",))),
    ("handler.ns.run", ("", "handler", ("ns", "run"))),
    ("cjs/handler.ns.run", ("cjs/", "handler", ("ns", "run"))),
    ("a.b/c.d", ("a.b/", "c", ("d",))),
    ("./src/app.lambdaHandler", ("./src/", "app", ("lambdaHandler",))),
    ("index.my-handler", ("", "index", ("my-handler",))),
    (".handler", ("", "", ("handler",))),
]


@pytest.mark.parametrize(("handler", "parts"), SPLITS, ids=[h for h, _ in SPLITS])
def test_node_handler_split(handler: str, parts: tuple[str, str, tuple[str, ...]]) -> None:
    assert split_node_handler(handler) == parts


@pytest.mark.parametrize(
    "handler", ["../shared/index.handler", "src/..hidden/app.handler", "index..handler"]
)
def test_any_two_dots_are_rejected_as_the_runtime_does(handler: str) -> None:
    assert split_node_handler(handler) is Malformed.NODE_DOTS


@pytest.mark.parametrize("handler", ["index", "src/index", "index.", "index.ns.", "app handler.x"])
def test_handlers_without_an_export_are_malformed(handler: str) -> None:
    assert isinstance(split_node_handler(handler), Malformed)


def _node_function(folder: Path, handler: str, runtime: str = "nodejs20.x") -> Function:
    loc = Loc(folder / "template.yaml")
    fn = Function("Fn", "sam", loc)
    fn.runtime = Prop(runtime, loc)
    fn.handler = Prop(handler, loc)
    fn.code = CodeLocation("dir", loc, path=folder, declared=".")
    return fn


def test_a_file_wins_over_a_folder_of_the_same_name(tmp_path: Path) -> None:
    # require('/var/task/lib') tries lib, lib.js ... before the folder lib/
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "index.js").write_text("exports.handler = 1;\n")
    (tmp_path / "lib.js").write_text("exports.handler = 2;\n")
    assert resolve(_node_function(tmp_path, "lib.handler")).file == tmp_path / "lib.js"
    (tmp_path / "lib.js").unlink()
    assert resolve(_node_function(tmp_path, "lib.handler")).file == tmp_path / "lib" / "index.js"


def test_mjs_and_cjs_come_after_the_folder(tmp_path: Path) -> None:
    (tmp_path / "app.mjs").write_text("export const handler = 1;\n")
    (tmp_path / "app.cjs").write_text("exports.handler = 1;\n")
    assert resolve(_node_function(tmp_path, "app.handler")).file == tmp_path / "app.mjs"


def test_folder_entry_follows_package_json_main(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "dist").mkdir(parents=True)
    (pkg / "package.json").write_text('{"main": "./dist/main"}')
    (pkg / "dist" / "main.js").write_text("")
    assert folder_entry(pkg) == pkg / "dist" / "main.js"
    (pkg / "package.json").write_text('{"main": "missing.js"}')
    (pkg / "index.js").write_text("")
    assert folder_entry(pkg) == pkg / "index.js"  # Node falls back to index.js
    (pkg / "package.json").write_text("{not json")
    assert folder_entry(pkg) == pkg / "index.js"
    (pkg / "index.js").unlink()
    assert folder_entry(pkg) is None


def test_typescript_is_a_module_from_nodejs24(tmp_path: Path) -> None:
    (tmp_path / "app.ts").write_text("export const handler = async () => 1;\n")
    assert resolve(_node_function(tmp_path, "app.handler", "nodejs24.x")).status == "ok"
    assert resolve(_node_function(tmp_path, "app.handler", "nodejs22.x")).status == "missing-file"


def test_property_path_is_kept_apart_from_the_export(tmp_path: Path) -> None:
    target = resolve(_node_function(tmp_path, "x/handler.ns.run"))
    assert (target.module, target.function, target.member_path) == ("x/handler", "ns", ("run",))


def _python_function(folder: Path, handler: str, layers: list[Layer]) -> Function:
    loc = Loc(folder / "template.yaml")
    fn = Function("Fn", "sam", loc, layers=layers)
    fn.runtime = Prop("python3.12", loc)
    fn.handler = Prop(handler, loc)
    fn.code = CodeLocation("dir", loc, path=folder / "src", declared="src")
    (folder / "src").mkdir(exist_ok=True)
    return fn


def test_a_layer_that_cannot_be_opened_makes_the_module_unverified(tmp_path: Path) -> None:
    loc = Loc(tmp_path / "template.yaml")
    arn = "arn:aws:lambda:us-east-1:464622532012:layer:Datadog-Python312:98"
    fn = _python_function(tmp_path, "datadog_lambda.handler.handler", [Layer(arn, loc, arn)])
    target = resolve(fn)
    assert target.status == "unverified"
    said = message(fn, target) or ""
    assert said.startswith("cannot verify handler 'datadog_lambda.handler.handler'")
    assert arn in said
    assert resolve(_python_function(tmp_path, "other.handler", [])).status == "missing-file"


def test_a_layer_zip_is_looked_into(tmp_path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(tmp_path / "layer.zip", "w") as zf:
        zf.writestr("python/shared/__init__.py", "")
        zf.writestr("python/shared/api.py", "def handler(e, c):\n    pass\n")
    layer = Layer(UNKNOWN, Loc(tmp_path / "t.yaml"), "shared", tmp_path / "layer.zip")
    assert resolve(_python_function(tmp_path, "shared.api.handler", [layer])).status == "ok"
    fn = _python_function(tmp_path, "shared.jobs.handler", [layer])
    missing = resolve(fn)
    assert missing.status == "missing-file" and "layer shared" in (message(fn, missing) or "")


def test_the_datadog_setup_is_a_notice_not_a_finding() -> None:
    result = lint(FIXTURES / "LL101-handler-file-missing" / "layers-sam", select=["LL101"])
    assert not any("datadog" in f.message for f in result.findings)
    notices = [n for n in result.notices if "cannot verify handler" in n]
    assert len(notices) == 1
    assert notices[0].startswith(
        "template.yaml: cannot verify handler 'datadog_lambda.handler.handler' of Datadog"
    )
    assert "Datadog-Python312" in notices[0]


def test_no_notice_when_the_rule_is_not_selected() -> None:
    result = lint(FIXTURES / "LL101-handler-file-missing" / "layers-sam", select=["LL102"])
    assert not any("cannot verify handler" in n for n in result.notices)


@pytest.mark.parametrize(
    ("case", "function", "expected"),
    [
        ("layers-sam", "InLayerPython", ("SharedLayer", "layers/shared", "", False)),
        ("layers-sam", "InBuiltLayer", ("BuiltLayer", "layers/built", "python", True)),
        (
            "layers-cdk-asset",
            "ReportsHandler3D4E5F",
            ("SharedLayer0A1B2C", "asset.5e6f70", "", False),
        ),
        (
            "layers-terraform",
            "aws_lambda_function.from_layer",
            ("aws_lambda_layer_version.common", "layer", "", False),
        ),
        ("layers-serverless", "fromLayer", ("shared", "layers/shared", "", False)),
    ],
)
def test_every_loader_gives_the_layer_content(
    case: str, function: str, expected: tuple[str, str, str, bool]
) -> None:
    folder = FIXTURES / "LL101-handler-file-missing" / case
    result = lint(folder, select=["LL101"])
    assert result.project is not None
    fn = next(f for f in result.project.functions if f.name == function)
    (layer,) = fn.layers
    name, content, prefix, built = expected
    assert (layer.name, layer.prefix, layer.built) == (name, prefix, built)
    assert layer.content is not None  # relative to the folder linted, as every path is
    assert os.path.normpath(layer.content) == os.path.normpath(content)


@pytest.mark.parametrize(
    ("case", "function"),
    [
        ("layers-sam", "Datadog"),
        ("layers-terraform", "aws_lambda_function.from_arn_layer"),
        ("layers-serverless", "fromArnLayer"),
    ],
)
def test_layers_given_by_arn_have_no_content(case: str, function: str) -> None:
    result = lint(FIXTURES / "LL101-handler-file-missing" / case, select=["LL101"])
    assert result.project is not None
    fn = next(f for f in result.project.functions if f.name == function)
    (layer,) = fn.layers
    assert layer.content is None and "arn:aws:lambda:" in layer.name


def test_node_modules_of_the_code_are_the_last_resort(tmp_path: Path) -> None:
    # require.resolve(name, {paths: [code folder, module folder]})
    package = tmp_path / "node_modules" / "shared-handlers"
    package.mkdir(parents=True)
    (package / "package.json").write_text('{"main": "lib/index.js"}')
    (package / "lib").mkdir()
    (package / "lib" / "index.js").write_text("exports.handler = async () => 1;\n")
    assert resolve(_node_function(tmp_path, "shared-handlers.handler")).file == (
        package / "lib" / "index.js"
    )
    assert resolve(_node_function(tmp_path, "src/shared-handlers.handler")).status == "ok"
    assert resolve(_node_function(tmp_path, "other-handlers.handler")).status == "missing-file"
    (tmp_path / "package.json").write_text('{"dependencies": {"other-handlers": "^1.0.0"}}')
    assert resolve(_node_function(tmp_path, "other-handlers.handler")).status == "ok"


def test_a_layer_outside_the_checked_tree_is_not_opened(tmp_path: Path) -> None:
    import zipfile

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    with zipfile.ZipFile(outside / "layer.zip", "w") as zf:
        zf.writestr("python/shared/api.py", "def handler(e, c):\n    pass\n")
    checked = tmp_path / "project"
    checked.mkdir()
    os.chdir(checked)
    layer = Layer(UNKNOWN, Loc(checked / "t.yaml"), "shared", outside / "layer.zip")
    target = resolve(_python_function(checked, "shared.api.handler", [layer]))
    assert target.status == "unverified"  # neither found nor missing: it was not looked into


def test_a_single_file_code_location_names_the_files_node_would_load(tmp_path: Path) -> None:
    (tmp_path / "main.js").write_text("exports.handler = async () => 1;\n")
    fn = _node_function(tmp_path, "app.handler")
    assert fn.code is not None
    fn.code = CodeLocation("file", fn.code.loc, path=tmp_path / "main.js")
    target = resolve(fn)
    assert target.status == "missing-file"
    assert "needs app.js or app.mjs, but the code is the single file" in (message(fn, target) or "")
    fn.handler = Prop("main.handler", fn.code.loc)
    assert resolve(fn).file == tmp_path / "main.js"
