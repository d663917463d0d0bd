"""The benchmark generator on a tiny tree (never timed): lambdalint reports exactly the planted
mistakes, and neither the cache nor worker processes change a single finding."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT
from lambdalint import cache as cache_mod
from lambdalint.settings import build
from lambdalint import app
from lambdalint.engine import Result
from lambdalint.rulepack import all_rules

STACKS = 12  # enough for every kind of planted mistake in every format


def _generator() -> Any:
    if "bench_generate" in sys.modules:
        return sys.modules["bench_generate"]
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench_tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("bench")
    _generator().generate(out, STACKS, seed=7, mix="mixed")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return out / "tree", manifest


def _lint(tree: Path, select: list[str] | None = None, cache: Any = None) -> Result:
    old = Path.cwd()
    os.chdir(tree)
    try:
        return app.lint([Path(".")], build({"select": select or []}), cache=cache)
    finally:
        os.chdir(old)


def _rows(result: Result) -> list[tuple[Any, ...]]:
    return [
        (
            f.rule_id,
            os.path.normpath(f.loc.path),
            f.loc.pos.line,
            f.loc.pos.column,
            f.severity,
            f.message,
            f.suppressed,
        )
        for f in result.findings
    ]


def _supported(plant: dict[str, Any]) -> bool:
    """Plants in a format or language this build reads (others are added by later work)."""
    if (
        plant["format"] == "tf"
        and importlib.util.find_spec("lambdalint.loaders.terraform.json_syntax") is None
    ):
        return False
    if plant["language"] == "node" and importlib.util.find_spec("lambdalint.analysis.node") is None:
        return False
    return True


def test_generator_plants_every_kind_of_mistake(bench_tree: tuple[Path, dict[str, Any]]) -> None:
    tree, manifest = bench_tree
    planted = {p["rule"] for p in manifest["plants"]}
    generator = _generator()
    assert planted == {k.rule for k in generator.PLANT_KINDS}
    assert (
        manifest["templates"]["sam"]
        and manifest["templates"]["cfn"]
        and manifest["templates"]["tf"]
    )
    assert manifest["python_handlers"] and manifest["node_handlers"]
    for plant in manifest["plants"]:
        assert (tree / plant["file"]).is_file(), plant


def test_findings_are_exactly_the_planted_mistakes(bench_tree: tuple[Path, dict[str, Any]]) -> None:
    """Every rule runs: the planted mistakes are found at their lines, and the rest of the
    tree (written to be correct) gets no finding at all — one there is a false positive."""
    tree, manifest = bench_tree
    known = {r.id for r in all_rules()}
    want = {
        (p["rule"], p["file"], p["line"])
        for p in manifest["plants"]
        if p["rule"] in known and _supported(p)
    }
    result = _lint(tree)
    assert not result.internal_errors, result.internal_errors
    messages = {
        (f.rule_id, os.path.normpath(f.loc.path).replace(os.sep, "/"), f.loc.pos.line): f.message
        for f in result.findings
        if f.suppressed is None
    }
    got = set(messages)
    missed = "\n".join(f"  {r} {p}:{line}" for r, p, line in sorted(want - got))
    extra = "\n".join(
        f"  {r} {p}:{line} {messages[(r, p, line)]}" for r, p, line in sorted(got - want)
    )
    assert got == want, f"planted but not found:\n{missed}\nfound but not planted:\n{extra}"


def test_cache_and_workers_do_not_change_findings(
    bench_tree: tuple[Path, dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree, _ = bench_tree
    monkeypatch.setenv("LAMBDALINT_JOBS", "1")
    serial = _rows(_lint(tree))
    assert serial
    monkeypatch.setenv("LAMBDALINT_JOBS", "2")
    assert _rows(_lint(tree)) == serial
    cold_cache = cache_mod.SourceCache(tmp_path / "cache")
    assert _rows(_lint(tree, cache=cold_cache)) == serial
    cold_cache.save()
    assert list((tmp_path / "cache").glob("sources-*.json"))
    monkeypatch.setenv("LAMBDALINT_JOBS", "1")
    warm_cache = cache_mod.SourceCache(tmp_path / "cache")
    assert _rows(_lint(tree, cache=warm_cache)) == serial
    assert warm_cache._used, "the warm run should have used cached facts"


def test_no_run_imports_libcst_and_warm_runs_parse_no_handler(
    bench_tree: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """libcst is for syntax newer than the running Python only: the planted syntax error is
    reported without it; a warm run does not even import the Python analyser."""
    tree, _ = bench_tree
    work = tmp_path / "copy"
    shutil.copytree(tree, work)
    cmd = [
        sys.executable,
        "-X",
        "importtime",
        "-m",
        "lambdalint",
        "check",
        "--exit-zero",
        "-q",
        ".",
    ]
    env = {**os.environ, "LAMBDALINT_JOBS": "1"}
    cold = subprocess.run(cmd, cwd=work, capture_output=True, text=True, env=env)
    assert cold.returncode == 0, cold.stderr[-2000:]
    assert (work / ".lambdalint_cache").is_dir()
    warm = subprocess.run(cmd, cwd=work, capture_output=True, text=True, env=env)
    assert warm.returncode == 0, warm.stderr[-2000:]
    assert warm.stdout == cold.stdout

    def imported(run: subprocess.CompletedProcess[str]) -> set[str]:
        return {
            line.split("|")[-1].strip()
            for line in run.stderr.splitlines()
            if line.startswith("import time:")
        }

    assert "LL100" in cold.stdout  # the planted handler with a syntax error
    assert "libcst" not in imported(cold) and "lambdalint.analysis.python.facts" in imported(cold)
    assert "libcst" not in imported(warm)
    assert "lambdalint.analysis.python.facts" not in imported(warm)


def test_real_repository_benchmark_runs(
    bench_tree: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """bench/real.py on a small tree: it measures every run, reports the floor's parsed files
    and the targets' ratios, leaves the handler it edits as it was and removes its cache."""
    tree, _ = bench_tree
    work = tmp_path / "repo"
    shutil.copytree(tree, work)
    report = tmp_path / "real.json"
    cmd = [sys.executable, str(ROOT / "bench" / "real.py"), str(work), "--runs", "1"]
    cmd += ["--jobs", "1", "--one-files", "1", "--no-external", "--json", str(report)]
    sources = {p: p.read_bytes() for p in work.rglob("*.py")}
    done = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ), check=False)
    assert done.returncode == 0, done.stderr[-2000:] + done.stdout[-2000:]
    repo = json.loads(report.read_text(encoding="utf-8"))["repos"][0]
    assert repo["findings"] > 0 and repo["handlers"]["python"] > 0
    assert repo["floor_parsed"]["rules_from"] == "lambdalint.discover"
    assert {"yaml", "json", "python"} <= set(repo["floor_parsed"]["parsed"])
    for name in ("floor", "cold/1", "first/1", "warm/1", f"one/{repo['one_files'][0]}"):
        assert len(repo["runs"][name]["wall"]) == 1, name
    ratios = {row["ratio"]: row for row in repo["ratios"]}
    assert ratios["cold ÷ floor (CPU)"]["value"] > 0 and ratios["cold ÷ floor (CPU)"]["met"]
    assert {p: p.read_bytes() for p in work.rglob("*.py")} == sources
    assert not (work / ".lambdalint_cache").exists()
