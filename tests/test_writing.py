"""Files lambdalint writes (a report with -o, a baseline, the cache) are written whole, through
a new file renamed over the target: a symbolic link at the target is replaced, never followed."""

from __future__ import annotations

import json
import os
import shutil
import stat
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from lambdalint.cli import main
from lambdalint.writing import write_text

EXAMPLE = ROOT / "examples" / "hello-sam"


def _project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "repo")
    monkeypatch.chdir(tmp_path / "repo")
    return tmp_path / "repo"


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--no-cache", "--exit-zero", "--format", "sarif", "-o", "report.sarif", "."],
        ["baseline", "-o", "report.sarif", "."],
    ],
    ids=["check -o", "baseline -o"],
)
def test_a_planted_link_is_replaced_not_written_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    repo = _project(tmp_path, monkeypatch)
    victim = tmp_path / "victim.txt"  # outside the repository, e.g. ~/.bashrc
    victim.write_text("keep me\n")
    (repo / "report.sarif").symlink_to(victim)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "keep me\n"
    written = repo / "report.sarif"
    assert not written.is_symlink() and written.is_file()
    assert json.loads(written.read_text())  # the report or the baseline, whole
    assert [p.name for p in repo.iterdir() if p.name.endswith(".tmp")] == []


def test_an_existing_file_keeps_its_mode_and_a_new_one_gets_the_umask(tmp_path: Path) -> None:
    kept = tmp_path / "kept.json"
    kept.write_text("old")
    os.chmod(kept, 0o600)
    write_text(kept, "new")
    assert kept.read_text() == "new"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    fresh = tmp_path / "fresh.json"
    umask = os.umask(0o022)
    try:
        write_text(fresh, "x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644


def test_a_failed_write_leaves_no_file_behind(tmp_path: Path) -> None:
    (tmp_path / "folder.json").mkdir()  # the target cannot be replaced
    with pytest.raises(OSError):
        write_text(tmp_path / "folder.json", "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.json"]


def test_streams_are_written_to(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_text(Path(os.devnull), "nothing")  # /dev/null is not replaced by a file
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    for _ in range(200):  # the reader must be there before the writer opens
        try:
            write_text(fifo, "through the pipe")
            break
        except OSError:
            threading.Event().wait(0.01)
    reader.join(5)
    assert got == ["through the pipe"]


def test_a_pipe_nobody_reads_is_an_error_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _project(tmp_path, monkeypatch)
    os.mkfifo(repo / "report.txt")
    result = CliRunner().invoke(main, ["check", "--no-cache", "-o", "report.txt", "."])
    assert result.exit_code == 2
    assert "cannot write report.txt" in result.stderr
