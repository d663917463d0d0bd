"""`lambdalint show`: the AWS actions each handler's code calls and whether the role allows them."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner
from conftest import FIXTURES

from lambdalint.cli import main


def _show(folder: Path, *args: str) -> str:
    old = Path.cwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(main, ["show", ".", *args])
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    return result.output


def test_json_view_lists_code_actions_with_status() -> None:
    out = _show(FIXTURES / "LL205-missing-permission" / "python-bad", "--format", "json")
    views = {v["name"]: v for v in json.loads(out)}
    actions = {
        (a["action"], a["status"], a["line"]) for a in views["ExportFunction"]["code_actions"]
    }
    assert actions == {
        ("dynamodb:Query", "allowed", 12),
        ("s3:ListBucket", "allowed", 13),
        ("s3:PutObject", "missing", 14),
        ("dynamodb:UpdateItem", "missing", 15),
    }
    assert {a["path"] for a in views["NotifyFunction"]["code_actions"]} == {"src/notify.py"}


def test_unknown_role_makes_every_action_unknown() -> None:
    out = _show(FIXTURES / "LL205-missing-permission" / "good", "--format", "json")
    views = {v["name"]: v for v in json.loads(out)}
    assert {a["status"] for a in views["ExternalRoleFunction"]["code_actions"]} == {"unknown"}
    granted = {a["action"]: a["status"] for a in views["GrantedFunction"]["code_actions"]}
    assert granted["s3:PutObject"] == "allowed"
    assert granted["dynamodb:TransactWriteItems"] == "unknown"


def test_table_has_an_actions_column_and_details() -> None:
    out = _show(FIXTURES / "LL205-missing-permission" / "node-bad")
    assert "api actions" in out.splitlines()[0]
    assert "AWS actions called by handler code:" in out
    assert any(
        "missing" in line and "events:PutEvents" in line and "src/ingest.mjs:18" in line
        for line in out.splitlines()
    )
