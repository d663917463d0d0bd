"""Code folders of every runtime: they must exist as spelled, whatever the file system of the
machine lambdalint runs on (Lambda's build and runtime are Linux)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lambdalint.analysis.target import resolve
from lambdalint.checks.handler import message
from lambdalint.loaders import cloudformation
from lambdalint.loaders.documents import LoadSession
from lambdalint.reading import Reader

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ./SqsEventHandler/
      Handler: {handler}
      Runtime: {runtime}
"""


@pytest.fixture(autouse=True)
def _in_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Folders are listed only inside the checked tree: here, the test's folder."""
    monkeypatch.chdir(tmp_path)


def _target(tmp_path: Path, runtime: str, handler: str) -> tuple[str, str]:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE.format(runtime=runtime, handler=handler))
    (fn,), _ = cloudformation.load_file(path, path.read_text(), LoadSession(Reader()))
    target = resolve(fn)
    return target.status, message(fn, target) or ""


def _case_insensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    """Path.is_dir as on macOS or Windows: any letter case finds the folder."""
    real_is_dir = Path.is_dir

    def is_dir(self: Path) -> bool:
        try:
            names = os.listdir(self.parent)
        except OSError:
            return real_is_dir(self)
        match = next((n for n in names if n.lower() == self.name.lower()), None)
        return real_is_dir(self.parent / match) if match else real_is_dir(self)

    monkeypatch.setattr(Path, "is_dir", is_dir)


@pytest.mark.parametrize(
    ("runtime", "handler"),
    [
        ("dotnet8", "SqsEventHandler::SqsEventHandler.Function::Handler"),
        ("java21", "example.App::handleRequest"),
        ("provided.al2023", "bootstrap"),
        ("python3.12", "app.handler"),
    ],
)
def test_a_code_folder_spelled_in_another_case_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runtime: str, handler: str
) -> None:
    (tmp_path / "SQSEventHandler").mkdir()
    (tmp_path / "SQSEventHandler" / "app.py").write_text("def handler(e, c):\n    pass\n")
    status, message = _target(tmp_path, runtime, handler)
    assert status == "missing-dir"
    assert "spelled 'SQSEventHandler'" in message
    _case_insensitive(monkeypatch)
    assert _target(tmp_path, runtime, handler) == (status, message)


def test_the_right_spelling_is_no_finding_on_any_file_system(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "SqsEventHandler").mkdir()
    assert _target(tmp_path, "dotnet8", "A::B.C::D")[0] == "skip"
    _case_insensitive(monkeypatch)
    assert _target(tmp_path, "dotnet8", "A::B.C::D")[0] == "skip"
