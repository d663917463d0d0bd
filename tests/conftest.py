"""Shared test helpers: run lambdalint on a folder, read a fixture case's expect.yaml."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from lambdalint.settings import build
from lambdalint import app
from lambdalint.engine import Result

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def lint(folder: Path, select: list[str] | None = None, **options: Any) -> Result:
    """Run the engine with `folder` as the working directory (paths in findings are relative)."""
    old = Path.cwd()
    os.chdir(folder)
    try:
        return app.lint([Path(".")], build({"select": select or [], **options}))
    finally:
        os.chdir(old)


def read_expect(case: Path) -> dict[str, Any]:
    data = yaml.safe_load((case / "expect.yaml").read_text(encoding="utf-8")) or {}
    assert isinstance(data, dict), f"{case}/expect.yaml must be a mapping"
    return data


@pytest.fixture
def chdir_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def hostile_corpus() -> ModuleType:
    """fixtures/hostile/corpus.py, loaded once (it is a fixture file, not a package module)."""
    if "hostile_corpus" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "hostile_corpus", FIXTURES / "hostile" / "corpus.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["hostile_corpus"] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules["hostile_corpus"]
