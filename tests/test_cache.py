"""The per-file source cache (.lambdalint_cache/) and the worker-process helpers: same facts
back, any damage ignored, nothing executed or imported because a cache file says so."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lambdalint import cache as cache_mod
from lambdalint import parallel
from lambdalint.analysis import batch
from lambdalint.analysis.source import (
    ClientCreation,
    EnvRead,
    HandlerSource,
    Params,
    SdkCall,
    TopLevelName,
)
from lambdalint.model import UNKNOWN, Pos

TEXT = "def handler(event, context):\n    return 1\n"


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
    assert (folder / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
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
    shard.write_bytes(damage.replace(b"KEY", key.encode()).replace(b"FP", cache.fingerprint.encode()))
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
    value = {"u": UNKNOWN, "t": (1, (2, "x")), "s": {3, 1}, "p": Path("a/b"), "k": {(1, 2): "tuple key"}, "!": 1}
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


def test_open_cache_never_raises(tmp_path: Path) -> None:
    assert cache_mod.open_cache(tmp_path) is not None


# ------------------------------------------------------------------ worker processes


def _square(x: int) -> int:
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


def test_map_files_falls_back_when_a_result_cannot_travel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDALINT_JOBS", "2")
    # a lambda cannot be pickled to a worker: the same results come from this process
    assert parallel.map_files(lambda x: x + 1, [1, 2, 3], 1) == [2, 3, 4]


def test_batch_uses_the_cache_and_reports_analyser_crashes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDALINT_JOBS", "1")
    good = batch.SourceJob("python", "lambdalint.analysis.python", Path("a.py"), TEXT)
    missing = batch.SourceJob("node", "lambdalint.analysis.no_such_module", Path("a.js"), "x")
    cache = cache_mod.SourceCache(tmp_path / "c")
    first = batch.analyse_all([good, missing], cache)
    assert first[0].source is not None and "handler" in first[0].source.top_level
    assert first[1] == batch.Analysed(None)
    monkeypatch.setattr(batch, "analyse_one", lambda job: pytest.fail("should come from the cache"))
    again = batch.analyse_all([good], cache)
    assert again[0].source == first[0].source

