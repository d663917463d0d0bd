"""What a config file's load reads (`ReadLog`, `read_and_load_recorded`): the language server
loads a config file again when one of the files its load read changes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lambdalint.discover import discover
from lambdalint.engine import merge, word
from lambdalint.findings import Finding
from lambdalint.loaders import load_all_recorded, read_and_load_recorded
from lambdalint.loaders.documents import LoadSession
from lambdalint.model import Loc, Pos
from lambdalint.reading import Reader, tree_roots

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_reads_are_noted_in_every_open_recording_only(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text("a: 1\n")
    reader = Reader(roots=(str(tmp_path),))
    reader.read_text(tmp_path / "a.yml")  # no recording open: nothing kept
    with reader.log.recording() as outer:
        reader.read_text(tmp_path / "a.yml")
        with reader.log.recording() as inner:
            reader.read_text(tmp_path / "missing.yml")  # asked for, though absent
        with reader.log.recording() as empty:
            pass
        reader.read_lines(tmp_path / "b.py")
        with reader.log.hidden():
            reader.read_text(tmp_path / "hidden.yml")  # noted by recordings opened inside only
            with reader.log.recording() as inside:
                reader.read_text(tmp_path / "inside.yml")
    assert inner.paths == {os.path.realpath(tmp_path / "missing.yml")}
    assert empty.paths == set()
    assert inside.paths == {os.path.realpath(tmp_path / "inside.yml")}
    names = ("a.yml", "missing.yml", "b.py")
    assert outer.paths == {os.path.realpath(tmp_path / n) for n in names}
    with reader.log.recording() as later:
        pass
    assert later.paths == set()


def _reads(case: Path, name: str) -> set[str]:
    """What loading `name` of the fixture case read, relative to the case."""
    os.chdir(case)
    configs = discover([Path(".")]).configs
    session = LoadSession(Reader(roots=tree_roots([Path(".")])), files=tuple(configs))
    _, _, _, reads = read_and_load_recorded(Path(name), session)
    root = os.path.realpath(".")
    return {os.path.relpath(r, root).replace(os.sep, "/") for r in reads.paths}


@pytest.mark.parametrize(
    ("case", "config", "read"),
    [
        # a `${file(../../serverless.common.yml):custom}` of serverless.yml
        (
            "LL102-handler-function-missing/serverless-file-variable",
            "services/orders/serverless.yml",
            {"services/orders/serverless.yml", "serverless.common.yml"},
        ),
        # the files serverless.ts imports (through a tsconfig path alias) and the tsconfig
        (
            "LL102-handler-function-missing/serverless-ts-template",
            "serverless.ts",
            {
                "serverless.ts",
                "src/functions/hello/index.ts",
                "src/libs/handler-resolver.ts",
                "tsconfig.json",
                "tsconfig.paths.json",
            },
        ),
        # a templatefile() template
        (
            "LL201-iam-wildcard-action/terraform-templatefile-bad",
            "main.tf",
            {"main.tf", "policies/services.json.tpl"},
        ),
        # the module's files, its policy document read with file(), and the module folder's
        # .tf files listed (a file added to it changes the module)
        (
            "LL202-iam-wildcard-resource/terraform-module-two-examples",
            "examples/eu/main.tf",
            {
                "examples/eu/main.tf",
                "modules/sweeper/*.tf",
                "modules/sweeper/main.tf",
                "modules/sweeper/policies/sweep.json",
            },
        ),
    ],
)
def test_a_load_records_the_files_it_read(
    case: str, config: str, read: set[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(FIXTURES / case)
    assert read <= _reads(FIXTURES / case, config)


def test_an_answer_kept_for_the_load_is_recorded_for_every_file_using_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two Terraform configurations calling one module, loaded in one session (the module
    folder parsed and glanced at once): both record the module's files."""
    case = FIXTURES / "LL202-iam-wildcard-resource/terraform-module-two-examples"
    monkeypatch.chdir(case)
    configs = list(discover([Path(".")]).configs)
    session = LoadSession(Reader(roots=tree_roots([Path(".")])), files=tuple(configs))
    module = os.path.realpath("modules/sweeper/main.tf")
    loaded = dict(zip(configs, load_all_recorded(configs, session), strict=True))
    callers = [p for p in configs if p.parts[0] == "examples"]
    assert len(callers) == 2
    for path in callers:
        assert module in loaded[path][3].paths, path
    # the module folder's own file is no configuration (both examples call it): whether it is
    # depends on every Terraform file of the load
    own = loaded[next(p for p in configs if p.parts[0] == "modules")]
    assert own[1] == []
    assert {os.path.realpath(p) for p in callers} <= set(own[3].paths) | {
        p for p, _ in own[3].parts
    }


def _finding(where: str) -> Finding:
    f = Finding("the same problem", Loc(Path("modules/m/main.tf"), Pos(3, 1)), "LL202")
    f.instances.append(("module.a", where))
    return f


def test_merging_findings_of_several_runs_leaves_them_unchanged() -> None:
    """The language server keeps each function's findings and merges them after every edit:
    `merge` and `word` return new findings, those given are left as they were."""
    one, two = _finding("a/main.tf:1"), _finding("b/main.tf:1")
    (merged,) = word(merge([one, two]))
    assert merged.message == "the same problem (in module.a, called at a/main.tf:1 and b/main.tf:1)"
    assert one.message == two.message == "the same problem"
    assert one.instances == [("module.a", "a/main.tf:1")]
    (again,) = word(merge([one, two]))
    assert again.message == merged.message
