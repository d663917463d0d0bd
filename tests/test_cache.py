"""The per-file source cache (.lambdalint_cache/) and the worker-process helpers: same facts
back, any damage ignored, nothing executed or imported because a cache file says so."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lambdalint import cache as cache_mod
from lambdalint.loaders import documents
from lambdalint import parallel
from lambdalint.analysis import batch
from lambdalint.analysis.facts import (
    ClientCreation,
    EnvRead,
    HandlerSource,
    Params,
    SdkCall,
    TopLevelName,
)
from lambdalint.model import UNKNOWN, Pos

TEXT = "def handler(event, context):\n    return 1\n"


@pytest.fixture(autouse=True)
def _not_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests run in CI too, where a fresh cache keeps no templates (tested below)."""
    monkeypatch.delenv("CI", raising=False)


def _facts(path: Path) -> HandlerSource:
    src = HandlerSource(path=path, language="python")
    src.top_level["handler"] = TopLevelName(
        "handler", "def", Pos(1, 5, 1, 12), Params(2, 2, False), ("logger.inject_lambda_context",)
    )
    src.top_level["x"] = TopLevelName("x", "assign", Pos(3, 1))
    src.env_reads.append(EnvRead("TABLE", Pos(4, 1, 4, 20), has_default=False))
    src.sdk_calls.append(SdkCall("s3", "PutObject", Pos(5, 5), "put_object", ("s3:PutObject",)))
    src.clients.append(ClientCreation("s3", Pos(2, 6), in_function=None))
    src.parse_error = ("bad", Pos(7, 1))
    src.line_offset = 3
    return src


def test_round_trip_gives_equal_facts(tmp_path: Path) -> None:
    path = Path("src/app.py")
    cache = cache_mod.SourceCache(tmp_path / ".lambdalint_cache")
    assert cache.get("python", path, TEXT) is None
    cache.put("python", path, TEXT, _facts(path))
    cache.save()
    again = cache_mod.SourceCache(tmp_path / ".lambdalint_cache")
    got = again.get("python", path, TEXT)
    assert got == _facts(path)
    assert isinstance(got.top_level["handler"].decorators, tuple)
    assert isinstance(got.parse_error, tuple) and isinstance(got.parse_error[1], Pos)


def test_key_is_content_language_and_path(tmp_path: Path) -> None:
    path = Path("src/app.py")
    cache = cache_mod.SourceCache(tmp_path / "c")
    cache.put("python", path, TEXT, _facts(path))
    assert cache.get("python", path, TEXT + "\n") is None
    assert cache.get("node", path, TEXT) is None
    assert cache.get("python", Path("other/app.py"), TEXT) is None
    assert cache.get("python", path, TEXT) is not None


def test_folder_is_marked_and_safe_to_delete(tmp_path: Path) -> None:
    folder = tmp_path / ".lambdalint_cache"
    cache = cache_mod.SourceCache(folder)
    cache.put("python", Path("a.py"), TEXT, _facts(Path("a.py")))
    cache.save()
    assert (folder / ".gitignore").read_text().strip().endswith("*")
    assert (
        (folder / "CACHEDIR.TAG")
        .read_text()
        .startswith("Signature: 8a477f597d28d172789f06886806bc55")
    )
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()
    assert cache_mod.SourceCache(folder).get("python", Path("a.py"), TEXT) is None


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"\x00\xff garbage",
        b"{not json",
        b"[]",
        b'{"format": 1, "fingerprint": "FP", "entries": {"KEY": "{\\"!\\": \\"Nope\\", \\"v\\": []}"}}',
        b'{"format": 1, "fingerprint": "FP", "entries": {"KEY": "{\\"!\\": \\"HandlerSource\\", \\"v\\": [1]}"}}',
        b'{"format": 1, "fingerprint": "FP", "entries": {"KEY": "[[[[[[[[[[[[[[[[[["}}',
        b'{"format": 1, "fingerprint": "FP", "entries": {"KEY": 42}}',
        b'{"format": 1, "fingerprint": "FP", "entries": {"KEY": "{\\"!\\": \\"Pos\\", \\"v\\": [1, 2, 3, 4]}"}}',
    ],
)
def test_corrupt_cache_is_a_miss_and_gets_rebuilt(tmp_path: Path, damage: bytes) -> None:
    folder = tmp_path / "c"
    path = Path("app.py")
    cache = cache_mod.SourceCache(folder)
    key = cache.key("python", path, TEXT)
    folder.mkdir()
    shard = folder / f"sources-{key[0]}.json"
    shard.write_bytes(
        damage.replace(b"KEY", key.encode()).replace(b"FP", cache.fingerprint.encode())
    )
    assert cache.get("python", path, TEXT) is None
    cache.put("python", path, TEXT, _facts(path))
    cache.save()
    assert cache_mod.SourceCache(folder).get("python", path, TEXT) == _facts(path)


def test_other_version_or_code_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "c"
    path = Path("app.py")
    cache = cache_mod.SourceCache(folder)
    cache.put("python", path, TEXT, _facts(path))
    cache.save()
    monkeypatch.setattr(cache_mod, "code_fingerprint", lambda: "something-else")
    assert cache_mod.SourceCache(folder).get("python", path, TEXT) is None
    monkeypatch.undo()
    monkeypatch.setattr(cache_mod, "FORMAT", cache_mod.FORMAT + 1)
    assert cache_mod.SourceCache(folder).get("python", path, TEXT) is None


def test_a_cache_file_cannot_name_arbitrary_classes(tmp_path: Path) -> None:
    decoder = cache_mod._Decoder()
    for name in ("Popen", "os:system", "subprocess:Popen", "builtins:eval", "Path"):
        with pytest.raises(KeyError):
            json.loads(json.dumps({"!": name, "v": ["x"]}), object_hook=decoder.hook)


def test_facts_it_cannot_represent_are_not_cached(tmp_path: Path) -> None:
    path = Path("app.py")
    facts = _facts(path)
    facts.top_level["weird"] = object()  # type: ignore[assignment]
    cache = cache_mod.SourceCache(tmp_path / "c")
    cache.put("python", path, TEXT, facts)
    assert cache.get("python", path, TEXT) is None


def test_unknown_and_containers_round_trip() -> None:
    value = {
        "u": UNKNOWN,
        "t": (1, (2, "x")),
        "s": {3, 1},
        "p": Path("a/b"),
        "k": {(1, 2): "tuple key"},
        "!": 1,
    }
    decoder = cache_mod._Decoder()
    back = json.loads(json.dumps(cache_mod._encode(value)), object_hook=decoder.hook)
    assert back == value and back["u"] is UNKNOWN


def test_read_only_folder_runs_uncached(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        blocker = tmp_path / "file"
        blocker.write_text("not a folder")
        folder = blocker / ".lambdalint_cache"  # cannot be created below a file, even by root
    else:
        tmp_path.chmod(0o500)
        folder = tmp_path / ".lambdalint_cache"
    try:
        cache = cache_mod.SourceCache(folder)
        cache.put("python", Path("a.py"), TEXT, _facts(Path("a.py")))
        cache.save()  # no exception
        assert cache.get("python", Path("a.py"), TEXT) is not None  # still serves this run
    finally:
        tmp_path.chmod(0o700)


def test_a_shard_name_taken_by_a_folder_leaves_no_temporary_file(tmp_path: Path) -> None:
    """Every run used to leave a `*.tmp` behind for each shard it could not replace."""

    folder = tmp_path / ".lambdalint_cache"
    folder.mkdir()
    for c in "0123456789abcdef":
        (folder / f"sources-{c}.json").mkdir()  # every shard of handler facts
    for run in range(2):
        cache = cache_mod.SourceCache(folder)
        for i in range(40):
            path = Path(f"f{i}.py")
            cache.put("python", path, TEXT + str(run), _facts(path))
        cache.save()
    assert not list(folder.glob("*.tmp"))


def test_an_interrupted_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / ".lambdalint_cache"
    cache = cache_mod.SourceCache(folder)
    cache.put("python", Path("a.py"), TEXT, _facts(Path("a.py")))

    def interrupted(src: object, dst: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cache_mod.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cache.save()
    assert not list(folder.glob("*.tmp"))


def test_open_cache_never_raises(tmp_path: Path) -> None:
    assert cache_mod.open_cache(tmp_path) is not None


# ------------------------------------------------------------------ worker processes


def _square(_: object, x: int) -> int:
    return x * x


def test_job_count_threshold_and_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LAMBDALINT_JOBS", raising=False)
    assert parallel.job_count(3, 16) == 1  # a tiny tree stays in this process
    assert parallel.job_count(10_000, 16) >= 1
    monkeypatch.setenv("LAMBDALINT_JOBS", "1")
    assert parallel.job_count(10_000, 16) == 1
    monkeypatch.setenv("LAMBDALINT_JOBS", "3")
    assert parallel.job_count(2, 16) == 3
    monkeypatch.setenv("LAMBDALINT_JOBS", "many")
    assert parallel.job_count(2, 16) == 1


def test_map_files_keeps_order_with_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDALINT_JOBS", "2")
    assert parallel.map_files(_square, list(range(50)), 16) == [x * x for x in range(50)]


def _square_where(_: object, x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def test_map_files_does_the_first_of_each_kind_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """So that the workers, forked afterwards, inherit what it imported and built."""
    monkeypatch.setenv("LAMBDALINT_JOBS", "2")
    items = list(range(40))
    out = parallel.map_files(_square_where, items, 16, kind=lambda x: x % 3)
    assert [square for square, _ in out] == [x * x for x in items]
    here = {x for x, (_, pid) in zip(items, out) if pid == os.getpid()}
    assert here == {0, 1, 2}


def _remember(seen: dict[str, list[int]], x: int) -> tuple[int, int, int]:
    """What a process keeps in the shared argument stays for its next calls."""
    seen.setdefault("items", []).append(x)
    return x, os.getpid(), len(seen["items"])


def test_map_files_gives_each_worker_the_shared_argument(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDALINT_JOBS", "2")
    shared: dict[str, list[int]] = {"items": []}
    out = parallel.map_files(_remember, list(range(40)), 16, kind=lambda x: x % 2, shared=shared)
    assert [x for x, _, _ in out] == list(range(40))
    workers = {pid for _, pid, _ in out} - {os.getpid()}
    assert workers  # the rest ran in worker processes ...
    for pid in workers:  # ... each keeping what its earlier calls put in its copy
        counts = [n for _, p, n in out if p == pid]
        assert counts == sorted(counts) and counts[-1] > 1
    assert shared["items"] == [0, 1]  # this process's copy saw only the first of each kind


def test_map_files_falls_back_when_a_result_cannot_travel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDALINT_JOBS", "2")
    # a lambda cannot be pickled to a worker: the same results come from this process
    assert parallel.map_files(lambda _, x: x + 1, [1, 2, 3], 1) == [2, 3, 4]


def test_batch_uses_the_cache_and_reports_analyser_crashes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAMBDALINT_JOBS", "1")
    good = batch.SourceJob("python", "lambdalint.analysis.python", Path("a.py"), TEXT)
    missing = batch.SourceJob("node", "lambdalint.analysis.no_such_module", Path("a.js"), "x")
    cache = cache_mod.SourceCache(tmp_path / "c")
    first = batch.analyse_all([good, missing], cache)
    assert first[0].source is not None and "handler" in first[0].source.top_level
    assert first[1] == batch.Analysed(None)
    monkeypatch.setattr(batch, "analyse_one", lambda _, job: pytest.fail("should come from the cache"))
    again = batch.analyse_all([good], cache)
    assert again[0].source == first[0].source


# ---------------------------------------------------------------- templates are not cached

SAM_TEXT = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
      Timeout: 30
"""


def test_warm_runs_parse_templates_again_and_keep_only_handler_facts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A parsed template's tree was kept once (`documents-*.json`): rebuilding it took half
    the time of parsing, and encoding it made a first run slower than later runs got back.
    Handler facts are still cached; templates are parsed on every run."""
    from lambdalint import app
    from lambdalint.settings import Settings

    tree = tmp_path / "tree"
    for i in range(60):  # enough config files for worker processes
        stack = tree / f"s{i}"
        (stack / "src").mkdir(parents=True)
        (stack / "template.yaml").write_text(SAM_TEXT.replace("Timeout: 30", f"Timeout: {i + 1}"))
        (stack / "src" / "app.py").write_text(TEXT)
    monkeypatch.chdir(tree)
    monkeypatch.setenv("LAMBDALINT_JOBS", "1")
    parsed: list[str] = []
    real = documents.parse_yaml
    monkeypatch.setattr(
        documents, "parse_yaml", lambda text, path, limits: parsed.append(text) or real(text, path)
    )

    def lint() -> list[tuple[str, str, int]]:
        store = cache_mod.SourceCache(tmp_path / "c")
        result = app.lint([Path(".")], Settings(), cache=store)
        store.save()
        return sorted((f.rule_id, str(f.loc.path), f.loc.pos.line) for f in result.findings)

    cold = lint()
    assert len(parsed) == 60
    assert lint() == cold
    assert len(parsed) == 120
    names = {p.name.split("-")[0] for p in (tmp_path / "c").glob("*.json")}
    assert names == {"sources"}
