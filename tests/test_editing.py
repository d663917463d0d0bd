"""The text edits fixes are made of, format by format: a value changed in its quoting style, a
key added in the file's own layout (block or flow, its indentation, after comments that stay
with the line they are on), and the Python client moves LL107 makes, when the move keeps what
the code does."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
import yaml

from lambdalint.analysis.python import analyze
from lambdalint.editing import SourceText, apply
from lambdalint.editing import json as json_edit
from lambdalint.editing import yaml as yaml_edit
from lambdalint.editing.python import hoist_client
from lambdalint.editing.yaml import Tagged
from lambdalint.loaders.terraform import hcl_edits
from lambdalint.model import Pos

PATH = Path("t")


def _yaml(text: str) -> yaml_edit.YamlTree:
    tree = yaml_edit.parse(SourceText(PATH, text))
    assert tree is not None
    return tree


class _TagLoader(yaml.SafeLoader):
    """CloudFormation's short tags read as the text `!Ref`: enough to compare structures."""


_TagLoader.add_multi_constructor("!", lambda loader, suffix, node: f"!{suffix}")


def _load(text: str) -> object:
    return yaml.load(text, Loader=_TagLoader)


# ---------------------------------------------------------------- YAML


@pytest.mark.parametrize(
    ("written", "value", "expected"),
    [
        ("Runtime: python3.8  # old\n", "python3.13", "Runtime: python3.13  # old\n"),
        ("Runtime: 'python3.8'\n", "python3.13", "Runtime: 'python3.13'\n"),
        ('Runtime: "python3.8"\n', "python3.13", 'Runtime: "python3.13"\n'),
        ('Timeout: "60"\n', 29, 'Timeout: "29"\n'),
        ("Handler: app:handler\n", "a: b", 'Handler: "a: b"\n'),
        ("{Handler: x}\n", "a,b", '{Handler: "a,b"}\n'),
    ],
)
def test_a_value_is_replaced_in_its_own_quoting(written: str, value: object, expected: str) -> None:
    tree = _yaml(written)
    node = tree.root.pairs[0][1]
    edit = tree.replace_scalar(node, value)
    assert edit is not None
    assert apply(written, [edit]) == expected


def test_an_intrinsic_or_a_block_scalar_is_not_replaced() -> None:
    tree = _yaml("Timeout: !Ref Seconds\nCode: |\n  x\n")
    assert tree.replace_scalar(tree.path("Timeout"), 10) is None
    assert tree.replace_scalar(tree.path("Code"), "y") is None


def test_a_key_goes_after_the_last_entry_and_its_comment() -> None:
    text = (
        "Fn:\n"
        "  Properties:\n"
        "    Handler: app.handler  # the entry point\n"
        "    Events:\n"
        "      Api:\n"
        "        Type: Api\n"
        "\n"
        "    # the next resource\n"
        "Next: 1\n"
    )
    tree = _yaml(text)
    props = tree.path("Fn", "Properties")
    assert props is not None
    edit = tree.insert_entry(props, "Timeout", 30)
    assert edit is not None
    new = apply(text, [edit])
    assert new == text.replace("Type: Api\n", "Type: Api\n    Timeout: 30\n")
    assert _load(new) == {
        "Fn": {
            "Properties": {
                "Handler": "app.handler",
                "Events": {"Api": {"Type": "Api"}},
                "Timeout": 30,
            }
        },
        "Next": 1,
    }


def test_a_nested_path_is_added_in_the_files_indentation() -> None:
    text = "R:\n    Type: X\n    Properties:\n        A: 1\n"
    tree = _yaml(text)
    resource = tree.path("R")
    assert resource is not None
    edit = tree.set_in(resource, ["Properties", "LoggingConfig", "LogGroup"], Tagged("Ref", "G"))
    assert edit is not None
    assert apply(text, [edit]) == text + "        LoggingConfig:\n            LogGroup: !Ref G\n"


def test_flow_mappings_and_lists_stay_flow() -> None:
    text = "A: {B: 1}\nC: []\nD: [x]\n"
    tree = _yaml(text)
    edits = [
        tree.insert_entry(tree.path("A"), "T", 30),  # type: ignore[arg-type]
        tree.append_item(tree.path("D"), {"k": "v"}),  # type: ignore[arg-type]
    ]
    assert None not in edits
    assert apply(text, edits) == "A: {B: 1, T: 30}\nC: []\nD: [x, {k: v}]\n"  # type: ignore[arg-type]


def test_list_items_follow_the_files_dash_indentation() -> None:
    text = "P:\n- A\n- B: 1\n  C: 2\n"
    tree = _yaml(text)
    seq = tree.path("P")
    assert seq is not None
    edit = tree.append_item(seq, {"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"]}]})
    assert edit is not None
    new = apply(text, [edit])
    assert new == text + "- Statement:\n  - Effect: Allow\n    Action:\n    - s3:GetObject\n"
    assert _load(new) == {
        "P": [
            "A",
            {"B": 1, "C": 2},
            {"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"]}]},
        ]
    }


def test_a_block_scalar_that_keeps_its_blank_lines_keeps_them() -> None:
    text = "A:\n  d: |+\n    x\n\n  # c\nB: 1\n"
    tree = _yaml(text)
    edit = tree.insert_entry(tree.path("A"), "T", 30)  # type: ignore[arg-type]
    assert edit is not None
    new = apply(text, [edit])
    assert _load(new) == {"A": {"d": "x\n\n", "T": 30}, "B": 1}


def test_windows_line_endings_are_kept() -> None:
    text = "A:\r\n  B: 1\r\n"
    tree = _yaml(text)
    edit = tree.insert_entry(tree.path("A"), "T", 30)  # type: ignore[arg-type]
    assert edit is not None
    assert apply(text, [edit]) == "A:\r\n  B: 1\r\n  T: 30\r\n"


# ---------------------------------------------------------------- JSON


def _json(text: str) -> json_edit.JsonTree:
    tree = json_edit.parse(SourceText(PATH, text))
    assert tree is not None
    return tree


def test_json_members_follow_the_objects_layout() -> None:
    text = '{\n    "A": {\n        "B": 1\n    },\n    "C": {"D": "2"}, "E": {}\n}\n'
    tree = _json(text)
    edits = [
        tree.insert_entry(tree.path("A"), "T", {"Ref": "X"}),  # type: ignore[arg-type]
        tree.insert_entry(tree.path("C"), "T", 3),  # type: ignore[arg-type]
        tree.insert_entry(tree.path("E"), "T", [1]),  # type: ignore[arg-type]
        tree.replace_scalar(tree.path("C", "D"), 5),
    ]
    assert None not in edits
    new = apply(text, edits)  # type: ignore[arg-type]
    assert new == (
        '{\n    "A": {\n        "B": 1,\n        "T": {\n            "Ref": "X"\n        }\n'
        '    },\n    "C": {"D": "5", "T": 3}, "E": {"T": [1]}\n}\n'
    )


@pytest.mark.parametrize(
    "text", ['{"S": [{"E": "Allow"}, {"E": "Deny"}]}', "[[1, 2], [], {}]", '{"a": [[{"b": []}]]}']
)
def test_json_lists_of_objects_and_lists_have_a_tree(text: str) -> None:
    """Objects and lists directly inside a list (policy statements, `Fn::Join` arguments)."""
    tree = json_edit.parse(SourceText(PATH, text))
    assert tree is not None
    node = tree.root
    while node.kind != "scalar" and (node.items or node.pairs):
        node = node.items[0] if node.kind == "seq" else node.pairs[0][1]
    assert text[tree.root.start : tree.root.end] == text


_STATEMENT = {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": Tagged("Ref", "B")}


def test_a_list_item_is_replaced_by_items_or_removed_in_yaml() -> None:
    """A policy statement rewritten by LL201/LL202's fix: at the item's dash, in the file's
    layout; removed with its lines (its comment above stays); never inside a flow list."""
    text = (
        "S:\n"
        "  # first\n"
        "  - Effect: Allow\n"
        "    Action: '*'\n"
        "  - Effect: Deny  # kept\n"
        "    Action: x\n"
        "F: [{a: 1}, {b: 2}]\n"
    )
    tree = _yaml(text)
    seq = tree.path("S")
    assert seq is not None
    first, _ = seq.items
    replaced = tree.replace_item(seq, first, [_STATEMENT, {"Effect": "Allow", "Action": "y"}])
    assert replaced is not None
    assert _load(apply(text, [replaced])) == {
        "S": [
            {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "!Ref"},
            {"Effect": "Allow", "Action": "y"},
            {"Effect": "Deny", "Action": "x"},
        ],
        "F": [{"a": 1}, {"b": 2}],
    }
    removed = tree.replace_item(seq, first, [])
    assert removed is not None
    assert apply(text, [removed]) == text.replace("  - Effect: Allow\n    Action: '*'\n", "")
    flow = tree.path("F")
    assert flow is not None
    assert tree.replace_item(flow, flow.items[0], [_STATEMENT]) is None
    assert tree.replace_item(seq, flow.items[0], [_STATEMENT]) is None  # not its item


def test_a_list_item_is_replaced_by_items_or_removed_in_json() -> None:
    text = '{\n  "S": [\n    {"E": 1},\n    {"E": 2}\n  ],\n  "O": [{"E": 3}]\n}\n'
    tree = _json(text)
    seq, one = tree.path("S"), tree.path("O")
    assert seq is not None and one is not None
    replaced = tree.replace_item(seq, seq.items[0], [_STATEMENT, {"E": 4}])
    assert replaced is not None
    new = apply(text, [replaced])
    assert json.loads(new)["S"] == [
        {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": {"Ref": "B"}},
        {"E": 4},
        {"E": 2},
    ]
    assert '\n    {\n      "Effect": "Allow",' in new  # the file's indentation
    for index in (0, 1):
        removed = tree.replace_item(seq, seq.items[index], [])
        assert removed is not None
        assert json.loads(apply(text, [removed]))["S"] == [{"E": 2 - index}]
    inline = tree.replace_item(one, one.items[0], [{"E": 5}, {"E": 6}])
    assert inline is not None
    assert '"O": [{"E": 5}, {"E": 6}]' in apply(text, [inline])


def test_json_that_does_not_parse_has_no_tree() -> None:
    assert json_edit.parse(SourceText(PATH, '{"a": 1,}')) is None
    assert json_edit.parse(SourceText(PATH, '{"a": 1} x')) is not None  # the first value


# ---------------------------------------------------------------- HCL

HCL = """\
resource "aws_lambda_function" "fn" {
  function_name = "fn"   # named
  runtime       = "python3.8"
  timeout       = var.timeout
  environment {
    variables = { A = "b" }
  }
}
"""


def test_hcl_literals_change_and_expressions_do_not() -> None:
    tree = hcl_edits.parse(SourceText(PATH, HCL))
    assert tree is not None
    block = tree.blocks[0]
    runtime, timeout = block.attribute("runtime"), block.attribute("timeout")
    assert runtime is not None and timeout is not None
    assert tree.replace_literal(timeout, 29) is None
    edit = tree.replace_literal(runtime, "python3.13")
    assert edit is not None
    assert apply(HCL, [edit]) == HCL.replace("python3.8", "python3.13")


def test_hcl_attributes_are_added_aligned_and_blocks_appended() -> None:
    tree = hcl_edits.parse(SourceText(PATH, HCL))
    assert tree is not None
    block = tree.block("resource", "aws_lambda_function", "fn")
    assert block is not None
    edits = [
        tree.insert_attribute(block, "memory_size", 512),
        tree.append_block('resource "x" "y" {\n  name = "${var.z}"\n}\n'),
    ]
    assert None not in edits
    new = apply(HCL, edits)  # type: ignore[arg-type]
    assert "  timeout       = var.timeout\n  memory_size   = 512\n  environment {" in new
    assert new.endswith('}\n\nresource "x" "y" {\n  name = "${var.z}"\n}\n')
    assert hcl_edits.parse(SourceText(PATH, new)) is not None
    assert hcl_edits.value_text("${x}") == '"$${x}"'


# ---------------------------------------------------------------- Python: LL107's move


def _movable(code: str) -> list[tuple[int, bool]]:
    src = analyze(Path("app.py"), code)
    return [(c.pos.line, c.movable) for c in src.clients]


MOVABLE = """\
import os

import boto3
from botocore.config import Config

CONFIG = Config(retries={"max_attempts": 3})


# the handler
def handler(event, context):
    \"\"\"Docstring.\"\"\"
    # uploads go here
    s3 = boto3.client("s3", config=CONFIG)  # kept
    table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
    return s3, table
"""


def test_clients_made_from_constants_and_the_environment_move() -> None:
    assert _movable(MOVABLE) == [(13, True), (14, True)]
    first = hoist_client(MOVABLE, "handler", Pos(13, 10))
    assert first is not None
    second = hoist_client(first, "handler", Pos(16, 13))
    assert second == (
        "import os\n\nimport boto3\nfrom botocore.config import Config\n\n"
        'CONFIG = Config(retries={"max_attempts": 3})\n\n\n'
        "# uploads go here\n"
        's3 = boto3.client("s3", config=CONFIG)  # kept\n'
        'table = boto3.resource("dynamodb").Table(os.environ["TABLE"])\n\n\n'
        "# the handler\n"
        "def handler(event, context):\n"
        '    """Docstring."""\n'
        "    return s3, table\n"
    )
    ast.parse(second)


@pytest.mark.parametrize(
    "body",
    [
        # from the event: made per invocation on purpose
        '    s3 = boto3.client("s3", region_name=event["region"])\n    return s3\n',
        # bound twice: the second needs the first local
        '    s3 = boto3.client("s3")\n    s3 = wrap(s3)\n    return s3\n',
        # a local name in its arguments
        '    region = "eu-west-1"\n'
        '    s3 = boto3.client("s3", region_name=region)\n    return s3\n',
        # the factory imported in the handler
        '    import boto3 as b\n    s3 = b.client("s3")\n    return s3\n',
        # under a condition
        '    if event:\n        s3 = boto3.client("s3")\n        return s3\n',
        # sharing its line with another statement
        '    s3 = boto3.client("s3"); x = 1\n    return s3, x\n',
        # the only statement: the handler would be left empty
        '    s3 = boto3.client("s3")\n',
    ],
)
def test_a_client_that_could_behave_differently_does_not_move(body: str) -> None:
    code = f"import boto3\n\nsqs = None\n\n\ndef handler(event, context):\n{body}"
    assert not any(movable for _, movable in _movable(code))


def test_a_name_the_module_binds_is_not_moved_over() -> None:
    code = (
        "import boto3\n\ns3 = None\n\n\ndef handler(event, context):\n"
        '    s3 = boto3.client("s3")\n    return s3\n'
    )
    assert _movable(code) == [(7, False)]


def test_hcl_spans_hold_after_long_blank_runs_and_wide_characters() -> None:
    """The parser reads a shortened text (runs of blanks cut down) and counts bytes: the edits
    still land on the file's own text."""
    text = (
        "locals {\n  note = <<EOT\nété"
        + "\n" * 120
        + "EOT\n}\n"
        + " " * 200
        + '\nresource "aws_lambda_function" "fn" {\n  description = "café"\n'
        '  runtime     = "python3.8"  # old\n}\n'
    )
    tree = hcl_edits.parse(SourceText(PATH, text))
    assert tree is not None
    block = tree.block("resource", "aws_lambda_function", "fn")
    assert block is not None
    edit = tree.replace_literal(block.attribute("runtime"), "python3.13")
    added = tree.insert_attribute(block, "timeout", 30)
    assert edit is not None and added is not None
    new = apply(text, [edit, added])
    assert new == text.replace('"python3.8"  # old\n', '"python3.13"  # old\n  timeout     = 30\n')
