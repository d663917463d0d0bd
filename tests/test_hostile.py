"""Hostile input (fixtures/hostile/): every case gives its findings or one-line notices, never a
traceback; nothing from the project is executed or imported, nothing is fetched, nothing
outside the tree is read, and no planted link redirects a write. See SECURITY.md."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT, hostile_corpus

from lambdalint.cli import main
from lambdalint.settings import ConfigError, build
from lambdalint import app
from lambdalint.engine import Result

corpus = hostile_corpus()
CASES = corpus.CASES
# cheap enough to build and lint together in one tree (the slow ones run on their own)
SHARED = [
    c
    for c in CASES
    if not c.generated
    or c.name
    in (
        "huge-file",
        "deep-yaml-50000",
        "deep-json-50000",
        "sub-bomb",
        "symlink-loops",
        "special-files",
        "terraform-and-serverless",
        "python-deep",
        "terraform-heredoc-blank-lines",
    )
]
SENTINEL = FIXTURES / "LL102-handler-function-missing" / "wrong-name"


def _lint(folder: Path, **options: Any) -> Result:
    old = Path.cwd()
    os.chdir(folder)
    try:
        return app.lint([Path(".")], build(options))
    finally:
        os.chdir(old)


def _posix(path: Path) -> str:
    return str(path).replace(os.sep, "/")


def _missing(result: Result, case: Any, prefix: str = "") -> list[str]:
    """The expectations of `case` that `result` does not meet."""
    missing = []
    for e in case.expect:
        want = prefix + e.file
        if e.kind == "notice":
            ok = any(n.startswith(want + ": ") and e.text in n for n in result.notices)
        else:
            ok = any(
                f.rule_id == e.kind
                and fnmatch.fnmatch(_posix(f.loc.path), want)
                and f.loc.pos.line == e.line
                and e.text in f.message
                for f in result.findings
            )
        if not ok:
            missing.append(f"{e.kind} {want}:{e.line} {e.text!r}")
    return missing


def _report(result: Result) -> str:
    lines = [
        f"{f.rule_id} {_posix(f.loc.path)}:{f.loc.pos.line} {f.message[:120]!r}"
        for f in result.findings
    ]
    return "\n".join(
        lines + [f"notice: {n[:160]!r}" for n in result.notices] + result.internal_errors
    )


@pytest.fixture
def built(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    case = request.param
    if not corpus.supported(case):
        pytest.skip(f"{case.name} needs {', '.join(case.needs)}")
    if case.slow and os.environ.get("LAMBDALINT_FUZZ", "").lower() != "long":
        pytest.skip(
            f"{case.name} takes seconds: LAMBDALINT_FUZZ=long (and bench/hostile_memory.py) run it"
        )
    folder = corpus.build(case, tmp_path / case.name)
    yield folder
    corpus.remove(folder)  # 20 MB files; and folders deeper than shutil.rmtree can recurse


def test_every_case_expects_a_finding_or_a_notice() -> None:
    assert len({c.name for c in CASES}) == len(CASES)
    for case in CASES:
        assert case.expect, f"{case.name}: a hostile file never passes silently"
        if not case.generated:
            assert (FIXTURES / "hostile" / case.name).is_dir()
    committed = {
        p.name for p in (FIXTURES / "hostile").iterdir() if p.is_dir() and p.name != "__pycache__"
    }
    assert committed == {c.name for c in CASES if not c.generated}


@pytest.mark.parametrize("built", CASES, ids=[c.name for c in CASES], indirect=True)
def test_case(built: Path) -> None:
    case = next(c for c in CASES if c.name == built.name)
    result = _lint(built)
    assert not result.internal_errors, _report(result)
    assert not _missing(result, case), f"missing {_missing(result, case)} in:\n{_report(result)}"
    if case.functions is not None:
        assert result.project is not None and len(result.project.functions) == case.functions
    assert all("\n" not in n for n in result.notices)


def test_unreadable_files_are_honest_about_root(tmp_path: Path) -> None:
    """`chmod 000` does not stop root: as root the files are read and linted like any other;
    otherwise each is an LL100 'Permission denied'. Either way the run completes."""
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    case = next(c for c in CASES if c.name == "unreadable")
    folder = corpus.build(case, tmp_path / "unreadable")
    try:
        result = _lint(folder)
        permission_denied = [f for f in result.findings if "Permission denied" in f.message]
        if corpus.running_as_root():
            assert not permission_denied
            assert any(f.rule_id == "LL103" for f in result.findings)  # it was read
        else:
            assert {_posix(f.loc.path) for f in permission_denied} == {"template.yaml", "fn/app.py"}
    finally:
        corpus.remove(folder)


@pytest.fixture(scope="module")
def shared_tree(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("hostile-tree")
    for case in SHARED:
        if corpus.supported(case):
            corpus.build(case, root / case.name)
    shutil.copytree(SENTINEL, root / "sentinel")
    yield root
    corpus.remove(root)


def test_one_tree_of_everything_still_lints_the_rest(shared_tree: Path) -> None:
    result = _lint(shared_tree)
    assert not result.internal_errors, _report(result)
    for case in SHARED:
        if corpus.supported(case):
            assert not _missing(result, case, prefix=f"{case.name}/"), case.name
    sentinel = {
        (f.rule_id, f.loc.pos.line)
        for f in result.findings
        if _posix(f.loc.path) == "sentinel/template.yaml"
    }
    alone = {(f.rule_id, f.loc.pos.line) for f in _lint(shared_tree / "sentinel").findings}
    assert alone and sentinel == alone


_RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def _cli(cwd: Path, *args: str) -> Any:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, ["check", "--no-cache", *args, "."])
    finally:
        os.chdir(old)


def test_text_output_never_reaches_the_terminal_raw(shared_tree: Path) -> None:
    done = _cli(shared_tree)
    assert done.exit_code == 1, done.output
    assert "Traceback" not in done.output
    assert not _RAW_CONTROL.search(done.stdout), "a control character reached the terminal"
    assert not _RAW_CONTROL.search(done.stderr)
    # a handler string with a newline cannot start a line of its own (a CI workflow command)
    assert not any(line.startswith("::") for line in done.stdout.splitlines())
    assert "\\x1b]0;owned\\x07" in done.stdout and "\\u202e" in done.stdout


def test_machine_formats_stay_valid(shared_tree: Path) -> None:
    done = _cli(shared_tree, "--format", "json")
    assert done.exit_code == 1
    report = json.loads(done.stdout)
    assert report["summary"]["total"] == sum(1 for f in report["findings"] if not f["suppressed"])
    done = _cli(shared_tree, "--format", "github")
    assert done.exit_code == 1
    for line in done.stdout.splitlines():
        assert re.match(r"^::(error|warning|notice) file=[^\n]*::", line), line
    if (ROOT / "lambdalint" / "reporters" / "sarif_format.py").exists():
        import jsonschema

        done = _cli(shared_tree, "--format", "sarif")
        assert done.exit_code == 1
        schema = json.loads(
            (ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
        )
        jsonschema.Draft4Validator(schema).validate(json.loads(done.stdout))


# ---------------------------------------------------------------- nothing runs, nothing leaks

_AUDIT: list[tuple[str, tuple[Any, ...]]] | None = None
_WATCHED = (
    "os.system",
    "os.exec",
    "os.spawn",
    "os.posix_spawn",
    "os.startfile",
    "subprocess.",
    "socket.",
    "urllib.",
    "http.",
    "ctypes.dlopen",
    "exec",
    "open",
    "os.listdir",
    "os.scandir",
)


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _AUDIT is not None and event.startswith(_WATCHED):
        _AUDIT.append((event, args))


sys.addaudithook(_audit)  # hooks cannot be removed: it records only while _AUDIT is a list


def _audited(folder: Path) -> tuple[Result, list[tuple[str, tuple[Any, ...]]]]:
    global _AUDIT
    _AUDIT = []
    try:
        result = _lint(folder)
        return result, _AUDIT
    finally:
        _AUDIT = None


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


@pytest.fixture
def trap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project that would run code if it were imported or unsafely loaded, links out of the
    tree, and handler names that climb out of the code location."""
    monkeypatch.setenv("LAMBDALINT_JOBS", "1")  # keep every event in this process
    folder = tmp_path / "trap"
    # at the root: its links lead to tmp_path/trap-outside, next to the tree
    corpus.build(next(c for c in CASES if c.name == "links-outside"), folder)
    # and a `.gitignore` linked to a file there
    corpus.build(next(c for c in CASES if c.name == "gitignore-outside"), folder)
    for name in ("python-tags", "path-traversal", "terminal-escapes"):
        corpus.build(next(c for c in CASES if c.name == name), folder / name)
    (folder / "importable").mkdir()
    (folder / "importable" / "template.yaml").write_text(
        corpus.SAM + corpus._function("Fn", "app.main"), encoding="utf-8"
    )
    (folder / "importable" / "app.py").write_text(
        "import pathlib\npathlib.Path(__file__).with_name('IMPORTED').write_text('ran')\n"
        "def handler(event, context):\n    return event\n",
        encoding="utf-8",
    )
    return folder


def test_nothing_is_executed_imported_or_fetched(trap: Path) -> None:
    result, events = _audited(trap)
    assert not result.internal_errors
    assert any(f.rule_id == "LL100" and "!!python" in f.message for f in result.findings)
    assert any(f.rule_id == "LL102" and "'main'" in f.message for f in result.findings)  # parsed
    assert not list(trap.rglob("PWNED")) and not list(trap.rglob("IMPORTED"))
    spawned = [
        e
        for e, _ in events
        if e.startswith(
            ("os.system", "os.exec", "os.spawn", "os.posix_spawn", "os.startfile", "subprocess.")
        )
    ]
    assert not spawned, spawned
    network = [e for e, _ in events if e.startswith(("socket.", "urllib.", "http."))]
    assert not network, network
    executed = [a[0].co_filename for e, a in events if e == "exec" and hasattr(a[0], "co_filename")]
    assert not [f for f in executed if _inside(Path(f).resolve(), trap.resolve())], executed
    imported = [
        m
        for m in list(sys.modules.values())
        if _inside(Path(getattr(m, "__file__", None) or "/").resolve(), trap.resolve())
    ]
    assert not imported


def _real(cwd: Path, path: str | bytes | os.PathLike[str]) -> Path:
    """Where a path the run used (relative to its working directory) leads, links followed."""
    return Path(os.path.realpath(os.path.join(cwd, os.fsdecode(path))))


def test_nothing_outside_the_tree_is_read(trap: Path) -> None:
    result, events = _audited(trap)
    assert not result.internal_errors
    tree = trap.resolve()
    allowed = [Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, ROOT)]
    allowed += [Path(p).resolve() for p in sys.path if p]
    read = set()
    for event, args in events:
        if event != "open" or not isinstance(args[0], (str, bytes, os.PathLike)):
            continue
        mode = args[1] if len(args) > 1 else "r"
        flags = args[2] if len(args) > 2 else 0
        if isinstance(mode, str) and any(c in mode for c in "wax+"):
            continue
        if isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR):
            continue
        read.add(_real(tree, args[0]))
    outside = [p for p in read if not _inside(p, tree) and not any(_inside(p, a) for a in allowed)]
    assert not outside, outside
    # nor is a folder outside it listed (links followed: a code folder linked out of the tree)
    listed = {
        _real(tree, args[0])
        for event, args in events
        if event in ("os.listdir", "os.scandir") and isinstance(args[0], (str, bytes, os.PathLike))
    }
    outside = [p for p in listed if not _inside(p, tree) and not any(_inside(p, a) for a in allowed)]
    assert not outside, outside
    assert tree / "path-traversal" / "secret" / "passwd.py" not in read
    assert not [p for p in read if _inside(p, tree.parent / "trap-outside")]
    assert Path("/etc/passwd") not in read and Path("/dev/zero") not in read


def test_a_planted_cache_link_never_redirects_a_write(tmp_path: Path) -> None:
    """`.lambdalint_cache/` sits in the (untrusted) tree: links in it are not written through."""
    if os.name != "posix":
        pytest.skip("symbolic links")
    project = tmp_path / "project"
    shutil.copytree(SENTINEL, project)
    victim = tmp_path / "victim"
    cache = project / ".lambdalint_cache"
    cache.mkdir()
    os.symlink(victim / "gitignore", cache / ".gitignore")
    os.symlink(victim / "tag", cache / "CACHEDIR.TAG")
    os.symlink("/dev/zero", cache / "sources-0.json")
    done = _cli(project)  # with the cache
    assert done.exit_code == 1
    assert not victim.exists()
    # a cache folder that is itself a link is not used at all
    shutil.rmtree(cache)
    victim.mkdir()
    os.symlink(victim, cache)
    old = Path.cwd()
    os.chdir(project)
    try:
        done = CliRunner().invoke(main, ["check", "."])
    finally:
        os.chdir(old)
    assert done.exit_code == 1
    assert list(victim.iterdir()) == []


def test_special_paths_given_directly_are_noticed(tmp_path: Path) -> None:
    if os.name != "posix" or not hasattr(os, "mkfifo"):
        pytest.skip("FIFOs and symbolic links")
    os.mkfifo(tmp_path / "fifo.yaml")
    os.symlink("/dev/zero", tmp_path / "zero.yaml")
    os.symlink("missing.yaml", tmp_path / "broken.yaml")
    os.symlink("loop.yaml", tmp_path / "loop.yaml")
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        done = CliRunner().invoke(
            main, ["check", "--no-cache", "fifo.yaml", "zero.yaml", "broken.yaml", "loop.yaml"]
        )
    finally:
        os.chdir(old)
    assert done.exit_code == 0, done.output
    assert "fifo.yaml: skipped: not a regular file or folder" in done.stderr
    assert "zero.yaml: skipped: not a regular file or folder" in done.stderr
    assert "broken.yaml: broken symbolic link or symlink loop" in done.stderr
    assert "loop.yaml: broken symbolic link or symlink loop" in done.stderr


# ---------------------------------------------------------------- configurable limits


def test_limits_are_configurable(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(
        corpus.SAM + "  X: " + "[" * 20 + "]" * 20 + "\n" + corpus._function("Fn", "app"),
        encoding="utf-8",
    )
    assert not [f for f in _lint(tmp_path).findings if f.rule_id == "LL100"]
    deep = [
        f.message for f in _lint(tmp_path, **{"max-depth": 10}).findings if f.rule_id == "LL100"
    ]
    assert deep == ["nesting deeper than 10 levels"]
    nodes = [
        f.message for f in _lint(tmp_path, **{"max-nodes": 30}).findings if f.rule_id == "LL100"
    ]
    assert nodes and "more than 30 nodes" in nodes[0]
    small = _lint(tmp_path, **{"max-file-size": "100B"})
    assert any("above the 100 bytes limit" in n for n in small.notices)
    assert any(
        "above the 200 bytes limit" in n for n in _lint(tmp_path, **{"max-file-size": 200}).notices
    )
    # and back to the defaults on the next run
    assert not [f for f in _lint(tmp_path).findings if f.rule_id == "LL100"]
    assert not _lint(tmp_path).notices


@pytest.mark.parametrize(
    "option",
    [{"max-file-size": "lots"}, {"max-file-size": 0}, {"max-depth": -1}, {"max-nodes": True}],
)
def test_bad_limits_are_configuration_errors(option: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=next(iter(option))):
        _lint(tmp_path, **option)


@pytest.mark.parametrize("parser", ["libyaml", "pure-python"])
@pytest.mark.parametrize(
    ("nesting", "column"),
    [
        # X's value starts in column 6 at depth 3 (the root and Resources hold it): the 511th
        # bracket is the 513th level
        ("[" * 513 + "]" * 513, 6 + 510),
        ("[" * 50_000 + "]" * 50_000, 6 + 510),
        ("{a: " * 600 + "1" + "}" * 600, 6 + 4 * 510),
        # brackets in quoted scalars do not nest: the outer list is level 3, its 510th inner
        # bracket (after 16 characters) the 513th
        ("['[[[', \"]\\\"[\", " + "[" * 512 + "]" * 513, 6 + 16 + 509),
    ],
)
def test_depth_bound_is_ours_whatever_the_yaml_parser(
    parser: str, nesting: str, column: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Some libyaml releases stop deep flow nesting with their own message before our bound (its
    scanner reads ahead of the events); the pure-Python parser has no bound at all. Either
    way the finding is ours: the same words at the first level past the bound."""
    import yaml

    if parser == "pure-python":
        monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    (tmp_path / "template.yaml").write_text(
        corpus.SAM + "  X: " + nesting + "\n" + corpus._function("Fn", "app"), encoding="utf-8"
    )
    found = [
        (f.message, f.loc.pos.line, f.loc.pos.column)
        for f in _lint(tmp_path).findings
        if f.rule_id == "LL100"
    ]
    assert found == [("nesting deeper than 512 levels", 4, column)]


@pytest.mark.parametrize("parser", ["libyaml", "pure-python"])
def test_depth_at_the_bound_loads(
    parser: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import yaml

    if parser == "pure-python":
        monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    # the template itself is two levels deep where X starts (Resources, X's mapping)
    nesting = "[" * 510 + "]" * 510
    (tmp_path / "template.yaml").write_text(
        corpus.SAM + "  X: " + nesting + "\n" + corpus._function("Fn", "app"), encoding="utf-8"
    )
    assert not [f for f in _lint(tmp_path).findings if f.rule_id == "LL100"]


# ---------------------------------------------------------------- untrusted text, printed

_NASTY = "\x1b]0;owned\x07\u202e\u2028::error::injected\n::add-mask::x"
_WORKFLOW_COMMAND = re.compile(r"^::", re.MULTILINE)
_SEPARATORS = re.compile("[\u2028\u2029]")


def _invoke(cwd: Path, *args: str) -> Any:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args))
    finally:
        os.chdir(old)


_ANNOTATION = re.compile(r"^::(error|warning|notice) file=[^:\n]*::", re.MULTILINE)


def _assert_clean(*texts: str) -> None:
    """No raw control character or line separator, and no line that starts a workflow command
    other than lambdalint's own annotations (`--format github`)."""
    for text in texts:
        text = _ANNOTATION.sub("", text)
        assert not _RAW_CONTROL.search(text), text
        assert not _SEPARATORS.search(text), text
        assert not _WORKFLOW_COMMAND.search(text), text


def test_configuration_keys_are_printed_escaped(tmp_path: Path) -> None:
    """A key of the configuration is echoed in the error that names it: escaped, on one line,
    and never at the start of a line where a CI runner would take it for a command."""
    shutil.copytree(SENTINEL, tmp_path / "p")
    key = json.dumps(_NASTY)  # a double-quoted YAML key holding escapes
    (tmp_path / "p" / ".lambdalint.yaml").write_text(f"{key}: 1\n", encoding="utf-8")
    done = _invoke(tmp_path / "p", "check", "--no-cache", ".")
    assert done.exit_code == 2
    assert len(done.stderr.splitlines()) == 1 and "\\x1b]0;owned\\x07" in done.stderr
    _assert_clean(done.stdout, done.stderr)


def test_custom_rule_text_is_printed_escaped(tmp_path: Path) -> None:
    """A custom rule's summary, description, references and message come with the repository:
    `rules`, `explain`, `check` (every format, --statistics) print them escaped."""
    project = tmp_path / "p"
    shutil.copytree(SENTINEL, project)
    (project / ".lambdalint.yaml").write_text("extend-rules: [rules]\n", encoding="utf-8")
    (project / "rules").mkdir()
    nasty = json.dumps(_NASTY)
    (project / "rules" / "org.yaml").write_text(
        "id: ORG001\nname: nasty\nseverity: error\n"
        f"summary: {nasty}\ndescription: {nasty}\nreferences: [{nasty}]\n"
        f"message: {json.dumps(_NASTY + ' {function}')}\n"
        "policy: {require: {required: [nonexistent]}}\n",
        encoding="utf-8",
    )
    outputs = []
    for args in (
        ("rules",),
        ("explain", "ORG001"),
        ("explain", _NASTY),
        ("check", "--no-cache", "."),
        ("check", "--no-cache", "--statistics", "."),
        ("check", "--no-cache", "--format", "github", "."),
        ("check", "--no-cache", "--format", "sarif", "."),
    ):
        done = _invoke(project, *args)
        assert done.exit_code in (0, 1, 2), done.output
        assert "Traceback" not in done.output
        outputs += [done.stdout, done.stderr]
    _assert_clean(*outputs)
    assert any("\\x1b]0;owned\\x07\\u202e\\u2028" in text for text in outputs)


def test_line_separators_are_escaped_in_github_annotations(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(
        corpus.SAM + corpus._function("Fn", json.dumps("app\u2028::error::x\u2029")),
        encoding="utf-8",
    )
    done = _cli(tmp_path, "--format", "github")
    assert done.exit_code == 1
    assert "\\u2028\\x3a:error::x\\u2029" in done.stdout or "\\u2028::error::x\\u2029" in done.stdout
    _assert_clean(done.stdout, done.stderr)
