"""`.gitignore` support (lambdalint/gitignore.py): git's pattern language, only the ignore files
inside the checked tree read (through the run's Reader), committed files kept, and a notice for
the configuration files skipped."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
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
    "*[ab]*[!c]*",
    "[a]*[b]*?",
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


MANY_RUNS = ["*a*b*c", "a/**/b/**/*.yaml", "**/x*/**", "*[ab]?*/*.tf", "**/**/**/c", "a/**"]
RUN_NAMES = [
    "abc", "xaybzc", "a/b/c.yaml", "a/x/b/y/z.yaml", "a/b.yaml", "x1/y", "x", "q/xx/r/s",
    "ab/c.tf", "b?/d.tf", "b/d.tf", "c", "d/e/c", "a/", "a/q", "ac", "cab",
]  # fmt: skip


def test_patterns_of_many_runs_match_as_their_regex() -> None:
    for text in MANY_RUNS:
        for anchored in (text, "/" + text):
            pattern = gitignore.parse_line(anchored)
            assert pattern is not None
            assert pattern.steps is not None or anchored.count("*") <= 2
            for name in RUN_NAMES:
                assert pattern.matches(name) == bool(pattern.regex.match(name)), (anchored, name)


def test_a_pattern_of_many_stars_takes_linear_time() -> None:
    """`*a*a*a*a*a*a*a*a*b` against a long name: a backtracking regex takes seconds (and
    doubles with each character); matched step by step it takes microseconds."""
    rules = gitignore.Rules(gitignore.Ignores(Reader()), Path("/r"))
    rules.layers.append((Path("/r"), gitignore.parse("*a" * 8 + "*b\n" + "**/" * 30 + "c\n")))
    started = time.perf_counter()
    assert not rules.ignored(Path("/r") / ("a" * 36), False)
    assert not rules.ignored(Path("/r/" + "a/" * 500 + "d"), False)
    assert time.perf_counter() - started < 0.5


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


# ---------------------------------------------------------------------------- only inside the tree

_OPENED: list[str] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _OPENED is not None and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        _OPENED.append(os.path.realpath(os.fsdecode(args[0])))


sys.addaudithook(_audit)  # hooks cannot be removed: it records only while _OPENED is a list


def _opened_while(folder: Path) -> tuple[Any, list[str]]:
    global _OPENED
    _OPENED = []
    try:
        return _discover(folder), _OPENED
    finally:
        _OPENED = None


def test_ignore_files_above_the_checked_tree_are_not_read(tmp_path: Path) -> None:
    """Checking a sub-folder of a repository: its `.gitignore` files apply, not those of the
    repository above it, nor its `.git/info/exclude` (the checked tree is the sub-folder)."""
    repo = tmp_path / "repo"
    exclude = _write(repo / ".git" / "info" / "exclude", "*.yaml\n")
    above = _write(repo / ".gitignore", "*.yml\nproject/\n")
    project = repo / "project"
    _write(project / "template.yaml", SAM)
    _write(project / "serverless.yml", "service: s\n")
    _write(project / ".gitignore", "local.json\n")
    _write(project / "local.json", "{}")
    found, opened = _opened_while(project)
    assert sorted(found.configs) == [Path("serverless.yml"), Path("template.yaml")]
    assert str(exclude.resolve()) not in opened and str(above.resolve()) not in opened
    assert not [p for p in opened if not p.startswith(str(project.resolve()))], opened
    # from the repository's root, all of them apply
    assert _discover(repo, [Path("project")]).configs == []


def test_a_gitignore_linked_out_of_the_tree_is_noticed_not_read(tmp_path: Path) -> None:
    if os.name != "posix":
        pytest.skip("symbolic links")
    outside = _write(tmp_path / "outside" / "secret", "*.yaml\n")
    tree = tmp_path / "tree"
    (tree / ".git").mkdir(parents=True)
    _write(tree / "sub" / "template.yaml", SAM)
    os.symlink(outside, tree / "sub" / ".gitignore")
    os.symlink("/dev/zero", tree / ".gitignore")
    found, opened = _opened_while(tree)
    assert found.configs == [Path("sub/template.yaml")]
    assert str(outside.resolve()) not in opened and "/dev/zero" not in opened
    noticed = {os.path.relpath(tree / path, tree): message for path, message in found.notices}
    assert "outside the checked tree" in noticed["sub/.gitignore"]
    assert "outside the checked tree" in noticed[".gitignore"]


def test_a_huge_gitignore_is_not_read(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    _write(tmp_path / "template.yaml", SAM)
    _write(tmp_path / ".gitignore", "*.yaml\n" + "#" * 2000 + "\n")
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        found = discover(
            [Path(".")],
            respect_gitignore=True,
            reader=Reader.for_paths(build({"max-file-size": 1000}).limits, [Path(".")]),
        )
    finally:
        os.chdir(old)
    assert found.configs == [Path("template.yaml")]
    assert any(p.name == ".gitignore" and "limit" in m for p, m in found.notices)


# ---------------------------------------------------------------------------- what git tracks


@needs_git
def test_committed_files_are_linted_though_ignored(tmp_path: Path) -> None:
    """Git ignores only what it does not track: `git add -f` files are linted, inside an
    ignored folder too; the untracked ones are skipped, and a notice names them."""
    _git(tmp_path, "init", "-q", ".")
    _write(tmp_path / ".gitignore", "*.yaml\nbuild/\n")
    for name in ("template.yaml", "other.yaml", "build/t.yaml", "build/u.yaml", "build/x/v.tf"):
        _write(tmp_path / name, SAM)
    _git(tmp_path, "add", "-f", "template.yaml", "build/t.yaml")
    found = _discover(tmp_path)
    assert found.configs == [Path("template.yaml"), Path("build/t.yaml")]
    assert found.gitignored == [Path("other.yaml"), Path("build/u.yaml")]
    assert found.notices == [
        (
            Path("."),
            "2 configuration files not read: .gitignore ignores them (other.yaml, build/u.yaml);"
            " --no-respect-gitignore reads them",
        )
    ]
    # named on the command line with --force-exclude: the same answer
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        forced = discover(
            [Path("template.yaml"), Path("other.yaml"), Path("build/t.yaml")],
            respect_gitignore=True,
            force_exclude=True,
        )
    finally:
        os.chdir(old)
    assert forced.configs == [Path("template.yaml"), Path("build/t.yaml")]


def test_a_skipped_template_is_named_when_nothing_is_found(tmp_path: Path) -> None:
    """`*.yaml` in .gitignore and no index: the run says why it found nothing."""
    (tmp_path / ".git").mkdir()
    _write(tmp_path / ".gitignore", "*.yaml\n")
    _write(tmp_path / "template.yaml", SAM)
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = app.lint([Path(".")], build({}))
        everything = app.lint([Path(".")], build({"respect-gitignore": False}))
    finally:
        os.chdir(old)
    assert result.project is not None and not result.project.functions
    assert result.notices == [
        "template.yaml: not read: .gitignore ignores it (--no-respect-gitignore reads it)"
    ]
    assert everything.project is not None and len(everything.project.functions) == 1
