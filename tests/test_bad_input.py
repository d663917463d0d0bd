"""Bad input (issue 2): malformed YAML/JSON/Python, empty, binary and non-UTF-8 files, an alias
bomb, 50,000-deep nesting, a 20 MB file and a symlink loop each give an LL100 finding at a
sensible position or a one-line notice; the rest of the tree is still linted; no traceback;
exit 2 only for usage and internal errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, lint

from lambdalint.cli import main

SAM = "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n"
GOOD = FIXTURES / "LL102-handler-function-missing" / "wrong-name"


def _bad_tree(root: Path) -> Path:
    """One folder per bad input, next to a real project whose findings must survive."""
    files: dict[str, str | bytes] = {
        "yaml/template.yaml": SAM
        + "  Fn:\n    Type: AWS::Serverless::Function\n    Properties: [unclosed\n",
        "json/template.json": '{"Resources": {"Fn": {"Type": "AWS::Lambda::Function",\n  "Properties": {"Handler": }}}}',
        "empty/template.yaml": "",
        "binary/template.yaml": b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00Resources:\n",
        "latin1/template.yaml": SAM.encode()
        + b"  Fn: # caf\xe9\n    Type: AWS::Serverless::Function\n",
        "deep/template.json": '{"Resources": {"X": ' + "[" * 50_000 + "]" * 50_000 + "}}",
        "deep/template.yaml": SAM + "  X: " + "{a: " * 50_000 + "1" + "}" * 50_000 + "\n",
        "python/template.yaml": SAM
        + "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      Runtime: python3.12\n      Handler: app.handler\n",
        "python/app.py": "import os\n\ndef handler(event, context):\n    return {'a': 1\n\nx = 2\n",
    }
    bomb = [
        SAM.rstrip("\n").replace("Resources:", "Metadata:"),
        '  a: &a ["x","x","x","x","x","x","x","x","x","x"]',
    ]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        bomb.append(f"  {name}: &{name} [{', '.join('*' + prev for _ in range(10))}]")
    files["bomb/template.yaml"] = (
        "\n".join(bomb)
        + "\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {Handler: *i}\n"
    )
    files["huge/template.yaml"] = SAM + ("#" + "x" * 98 + "\n") * (20 * 1024 * 1024 // 100)
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    if hasattr(os, "symlink"):
        (root / "loop").mkdir()
        os.symlink("template.yaml", root / "loop" / "template.yaml")
    shutil.copytree(GOOD, root / "good")
    return root


@pytest.fixture(scope="module")
def bad_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _bad_tree(tmp_path_factory.mktemp("bad-input"))


def _findings(result: object) -> set[tuple[str, str, int, int]]:
    return {
        (f.rule_id, str(f.loc.path).replace(os.sep, "/"), f.loc.pos.line, f.loc.pos.column)
        for f in result.findings  # type: ignore[attr-defined]
    }


def test_each_bad_input_is_reported_where_it_goes_wrong(bad_tree: Path) -> None:
    result = lint(bad_tree, select=["LL100", "LL102"])
    assert not result.internal_errors
    found = {(rule, path, line) for rule, path, line, _ in _findings(result)}
    # the parser's own position: the line where the flow sequence is never closed, the
    # missing value, the byte that is not UTF-8, the first level beyond the depth limit
    assert ("LL100", "yaml/template.yaml", 7) in found
    assert ("LL100", "json/template.json", 2) in found
    assert ("LL100", "latin1/template.yaml", 4) in found
    assert ("LL100", "deep/template.json", 1) in found
    assert ("LL100", "deep/template.yaml", 4) in found
    assert ("LL100", "bomb/template.yaml", 9) in found  # where the expansion passes 1,000,000
    assert ("LL100", "python/app.py", 4) in found  # CPython names the line of the open brace
    messages = {f.loc.path.as_posix(): f.message for f in result.findings if f.rule_id == "LL100"}
    assert messages["latin1/template.yaml"] == "not valid UTF-8 (byte 0xe9)"
    assert "alias bomb" in messages["bomb/template.yaml"]
    assert "nesting deeper than 512 levels" in messages["deep/template.json"]
    assert messages["python/app.py"].startswith("Python syntax error: '{' was never closed")


def test_skipped_files_get_one_line_notices(bad_tree: Path) -> None:
    result = lint(bad_tree, select=["LL100"])
    notices = "\n".join(result.notices)
    assert "empty/template.yaml: skipped: empty file" in notices
    assert "binary/template.yaml: skipped: binary file (NUL bytes)" in notices
    assert "huge/template.yaml: skipped: file is 20.0 MB, above the 5.0 MB limit" in notices
    if hasattr(os, "symlink"):
        assert "loop/template.yaml: cannot resolve path (symlink loop?)" in notices
    assert all("\n" not in n for n in result.notices)
    # skipped files are notices, never findings
    assert not any(
        f.loc.path.parts[0] in ("empty", "binary", "huge", "loop") for f in result.findings
    )


def test_the_rest_of_the_tree_is_still_linted(bad_tree: Path) -> None:
    alone = {
        (r, p.removeprefix("good/"), line)
        for r, p, line, _ in _findings(lint(bad_tree / "good", select=["LL102"]))
    }
    together = {(r, p, line) for r, p, line, _ in _findings(lint(bad_tree, select=["LL102"]))}
    assert alone and {(r, "good/" + p, line) for r, p, line in alone} <= together


def test_cli_exits_1_with_findings_and_never_a_traceback(bad_tree: Path) -> None:
    """The installed console script, as a user runs it (in a subprocess, so that nothing of
    the test process hides a traceback or a crash)."""
    exe = shutil.which("lambdalint", path=str(Path(sys.executable).parent))
    command = [exe] if exe else [sys.executable, "-m", "lambdalint"]
    done = subprocess.run(
        [*command, "check", "--no-cache", "--format", "json", "."],
        capture_output=True,
        text=True,
        cwd=bad_tree,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    report = json.loads(done.stdout)
    assert {"yaml/template.yaml", "good/template.yaml"} <= {f["path"] for f in report["findings"]}
    assert any("skipped: file is 20.0 MB" in n for n in report["notices"])


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--format", "yaml"],
        ["check", "no/such/folder"],
        ["check", "--fail-on", "fatal"],
        ["explain", "LL9999"],
        ["no-such-command"],
    ],
)
def test_usage_errors_exit_2(args: list[str], tmp_path: Path) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_a_crashing_loader_is_an_internal_error_for_that_file_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in a loader must not hide the rest of the tree, nor print a traceback: the file
    is named in one line and the run exits 2."""
    from lambdalint.loaders import cloudformation

    real = cloudformation.load_file

    def explode(path: Path, text: str, session: object):  # type: ignore[no-untyped-def]
        if "explode" in text:
            raise TypeError("boom")
        return real(path, text, session)

    monkeypatch.setattr(cloudformation, "load_file", explode)
    shutil.copytree(GOOD, tmp_path / "good")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "template.yaml").write_text(SAM + "  explode: {Type: AWS::SNS::Topic}\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--no-cache", "--select", "LL102", "."])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "lambdalint: internal error: loading bad/template.yaml: TypeError: boom" in result.stderr
    assert "good/template.yaml" in result.stdout  # the rest was linted and reported


# ---------------------------------------------------------------- code archives


def _archive(path: Path, names: list[str], prepend: bytes = b"", zip64: bool = False) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w", allowZip64=True) as archive:
        archive.comment = b"built by a test"
        for name in names:
            info = zipfile.ZipInfo(name)
            info.comment = b"entry comment"
            if zip64:
                with archive.open(info, "w", force_zip64=True) as f:
                    f.write(b"x")
            else:
                archive.writestr(info, b"x", compress_type=zipfile.ZIP_DEFLATED)
    if prepend:
        path.write_bytes(prepend + path.read_bytes())
    return path


@pytest.mark.parametrize("kind", ["plain", "utf8-names", "prepended", "zip64", "empty", "many"])
def test_archive_names_are_those_zipfile_lists(kind: str, tmp_path: Path) -> None:
    """The central directory is read entry by entry (never whole): same names as zipfile."""
    import zipfile

    from lambdalint.analysis.target import _zip_names

    names = {
        "plain": ["app.py", "pkg/__init__.py", "pkg/mod.py", "dir/"],
        "utf8-names": ["ünïcödé/app.py", "日本/handler.py"],
        "prepended": ["app.py", "lib/x.py"],
        "zip64": ["app.py", "b.py"],
        "empty": [],
        "many": [f"f{i}/m{i}.py" for i in range(3_000)],
    }[kind]
    path = _archive(
        tmp_path / "code.zip",
        names,
        prepend=b"#!/bin/sh\nexit 0\n" if kind == "prepended" else b"",
        zip64=kind == "zip64",
    )
    assert list(_zip_names(path)) == zipfile.ZipFile(path).namelist() == names


def test_archive_whose_directory_outgrows_its_count_is_not_listed(tmp_path: Path) -> None:
    import struct

    from lambdalint.analysis import target

    entry = struct.pack(
        "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 0, 0, 1, *[0] * 6
    )
    count = target.MAX_ZIP_ENTRIES + 1
    directory = (entry + b"a") * count
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(directory), 0, 0)
    (tmp_path / "code.zip").write_bytes(directory + end)
    with pytest.raises(target.ZipTooLarge):
        list(target._zip_names(tmp_path / "code.zip"))
    # the end record counting 1 and the directory holding 2: damaged, not listed
    (tmp_path / "two.zip").write_bytes(
        (entry + b"a") * 2 + end[:12] + struct.pack("<II", 94, 0) + b"\0\0"
    )
    with pytest.raises(ValueError):
        list(target._zip_names(tmp_path / "two.zip"))


# ---------------------------------------------------------------- files that configure the run

_HOSTILE_SETTINGS = {
    "fifo": None,  # made with os.mkfifo
    "zero": None,  # a link to /dev/zero
    "deep": "[" * 100_000 + "]" * 100_000,
    "huge": "# " + "x" * 6 * 1024 * 1024 + "\n",
    "bomb": "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi")),
}


def _plant(path: Path, how: str, wrap: str = "{}") -> None:
    if how == "fifo":
        os.mkfifo(path)
    elif how == "zero":
        path.symlink_to("/dev/zero")
    else:
        path.write_text(wrap.format(_HOSTILE_SETTINGS[how]), encoding="utf-8")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and /dev/zero")
@pytest.mark.parametrize("how", ["fifo", "zero", "deep", "huge", "bomb"])
@pytest.mark.parametrize("what", ["baseline", "config", "rule"])
def test_a_hostile_baseline_config_or_rule_file_is_a_one_line_error(
    what: str, how: str, tmp_path: Path
) -> None:
    """A FIFO blocked, /dev/zero exhausted memory, a 100,000-deep baseline was an internal
    RecursionError: each is now a usage or configuration error (exit 2) in one line."""
    shutil.copytree(FIXTURES / "LL102-handler-function-missing" / "wrong-name", tmp_path / "p")
    project = tmp_path / "p"
    args = ["check", "--no-cache", "."]
    if what == "baseline":
        _plant(project / "base.json", how, '{{"version": 1, "findings": {}}}')
        args += ["--baseline", "base.json"]
    elif what == "config":
        _plant(project / "lint.yaml", how, "select: {}\n")
        args += ["--config", "lint.yaml"]
    else:
        (project / ".lambdalint.yaml").write_text("extend-rules: [rules]\n", encoding="utf-8")
        (project / "rules").mkdir()
        _plant(project / "rules" / "custom.yaml", how)
    done = subprocess.run(
        [sys.executable, "-m", "lambdalint", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lambdalint: error: "), done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr


def test_a_rule_file_linked_out_of_its_folder_is_not_read(tmp_path: Path) -> None:
    """A rule file's text is printed (in `rules`, in validation errors): one that links to a
    file elsewhere (credentials, say) would publish it."""
    secret = tmp_path / "credentials"
    secret.write_text("token-Zq8VtP2-not-to-be-printed\n", encoding="utf-8")
    project = tmp_path / "p"
    (project / "rules").mkdir(parents=True)
    (project / ".lambdalint.yaml").write_text("extend-rules: [rules]\n", encoding="utf-8")
    (project / "rules" / "org.yaml").symlink_to(secret)
    old = Path.cwd()
    os.chdir(project)
    try:
        done = CliRunner().invoke(main, ["rules"])
    finally:
        os.chdir(old)
    assert done.exit_code == 2
    assert "symbolic link out of the extend-rules folder" in done.stderr
    assert "Zq8VtP2" not in done.output
