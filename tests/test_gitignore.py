"""`.gitignore` support (lambdalint/gitignore.py): git's pattern language, only the ignore files
inside the checked tree read (through the run's Reader), committed files kept, and a notice for
the configuration files skipped."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from lambdalint import app, gitignore
from lambdalint.discover import discover
from lambdalint.reading import Reader
from lambdalint.settings import build

SAM = (
    "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n"
    "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
    "      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: .\n"
)
GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="git is not installed")


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _git(repo: Path, *args: str, stdin: str | None = None) -> str:
    assert GIT is not None
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_SYSTEM": os.devnull,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    done = subprocess.run(
        [GIT, *args], cwd=repo, env=env, input=stdin, capture_output=True, text=True, check=False
    )
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


def _ignored(patterns: str, path: str, is_dir: bool = False) -> bool:
    rules = gitignore.Rules(gitignore.Ignores(Reader()), Path("/r"))
    rules.layers.append((Path("/r"), gitignore.parse(patterns)))
    return rules.ignored(Path("/r") / path, is_dir)


def _discover(folder: Path, paths: list[Path] | None = None) -> Any:
    old = Path.cwd()
    os.chdir(folder)
    try:
        return discover(paths or [Path(".")], respect_gitignore=True)
    finally:
        os.chdir(old)


# ---------------------------------------------------------------------------- the pattern language

CLASSES = [
    "[[]x",
    "[a&&b]",
    "[a||b]",
    "[a~~b]",
    "[a--b]",
    "[!]a]",
    "[]a]",
    "[^a-c]x",
    "[\\]]",
    "[\\\\]",
    "[[:digit:]]",
    "[[:alpha:][:digit:]]y",
    "[z-a]",
    "[a-]",
    "[-a]",
    "[a-c-e]",
    "[[:nope:]]",
    "[abc",
    "[[:digit:]",
    "x[&~|^]",
]
NAMES = [
    "[x", "x", "a", "b", "&", "|", "~", "-", "]", "\\", "c", "d", "e", "5", "y", "5y", "ay",
    "ax", "dx", "^", "x&", "x~", "x|", "x^", "[abc", "z", "[",
]  # fmt: skip


def test_a_class_never_makes_re_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for pattern in CLASSES:
            gitignore.parse_line(pattern)
            gitignore.parse_line("!" + pattern + "/")


def test_classes_match_what_they_say() -> None:
    assert _ignored("[[]x", "[x") and not _ignored("[[]x", "x")
    assert _ignored("[a&&b]", "&") and _ignored("[a&&b]", "b") and not _ignored("[a&&b]", "c")
    assert _ignored("[!]a]", "b") and not _ignored("[!]a]", "]") and not _ignored("[!]a]", "a")
    assert _ignored("[\\]]", "]") and _ignored("[\\\\]", "\\")
    assert _ignored("[[:digit:]]", "5") and not _ignored("[[:digit:]]", "a")
    assert _ignored("[z-a]", "z") and not _ignored("[z-a]", "y")  # a reversed range is empty
    assert not _ignored("[abc", "[abc")  # unclosed: git never matches it
    assert not _ignored("a[/]b", "a/b")  # a class never matches `/`


@needs_git
def test_classes_match_as_git_matches(tmp_path: Path) -> None:
    """Each pattern against each name, compared with `git check-ignore`."""
    _git(tmp_path, "init", "-q", ".")
    for pattern in CLASSES:
        _write(tmp_path / ".gitignore", pattern + "\n")
        out = _git(
            tmp_path, "check-ignore", "-z", "--stdin", "--no-index", stdin="\0".join(NAMES)
        )
        by_git = set(out.split("\0")) - {""}
        ours = {name for name in NAMES if _ignored(pattern, name)}
        assert ours == by_git, pattern


# ---------------------------------------------------------------------------- the git index


@needs_git
@pytest.mark.parametrize("version", ["2", "3", "4"])
def test_the_index_is_parsed(tmp_path: Path, version: str) -> None:
    names = ["a.yaml", "deep/er/b.tf", "deep/c.yaml", "é/ü.yaml", "long/" + "n" * 200 + ".yml"]
    for name in names:
        _write(tmp_path / name, "x\n")
    _git(tmp_path, "init", "-q", ".")
    _git(tmp_path, "add", ".")
    # version 3: an entry with extended flags (intent to add)
    _write(tmp_path / "new.yaml", "x\n")
    _git(tmp_path, "add", "-N", "new.yaml")
    _git(tmp_path, "update-index", "--index-version", version)
    paths = gitignore.parse_index((tmp_path / ".git" / "index").read_bytes())
    assert paths is not None and sorted(paths) == sorted([*names, "new.yaml"])


def test_a_broken_index_is_none() -> None:
    assert gitignore.parse_index(b"") is None
    assert gitignore.parse_index(b"DIRC\x00\x00\x00\x02\xff\xff\xff\xff") is None
    assert gitignore.parse_index(b"DIRC\x00\x00\x00\x02\x00\x00\x00\x01" + b"\x00" * 70) is None
