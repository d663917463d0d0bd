"""Time lambdalint on real repositories: against the parse-only floor, its own cache states,
the pre-commit case, cfn-lint and checkov, side by side in one run.

    python bench/real.py REPO[@COMMIT] [REPO[@COMMIT] ...] [--runs 3] [--json FILE]

REPO is a folder holding a checked-out repository (fetched by whoever runs this; nothing of it
belongs in this project). COMMIT only labels the report; without it `git rev-parse HEAD` is
tried in REPO. Every measurement is one whole process, started in REPO:

- floor: a fresh interpreter (this file, `--floor`) that walks REPO skipping the folders
  lambdalint's discovery skips (its DEFAULT_EXCLUDES, virtualenvs, installed packages, `{{ }}`
  folders; imported from `lambdalint.discover`), and reads and parses with C parsers the files
  lambdalint itself read in a reference run: config files (`is_config_name`) by kind — YAML with
  PyYAML's C composer (`yaml.compose_all`, nodes with marks), JSON with `json.loads` (no
  positions), `.tf` with tree-sitter's HCL grammar when `tree_sitter_hcl` is installed, else only
  read — handler sources (`ast.parse` for Python, tree-sitter for JavaScript/TypeScript), and any
  other file (package.json, tsconfig.json, archives...: read, and `json.loads` for JSON). So cold
  ÷ floor measures what lambdalint adds to parsing its own inputs; what it chooses to read shows
  in the absolute times. The files lambdalint read come from an audit hook (`open` events) in an
  untimed reference run (`--no-cache`, `LAMBDALINT_JOBS=1`), whose findings are the reference for
  every timed run. `--floor-tf` chooses the .tf parser. The floor prints what it parsed; the
  report shows it.
- cold: `lambdalint check --no-cache .`;
- first: `lambdalint check .` with no `.lambdalint_cache/` (the run writes it);
- warm: `lambdalint check .` again (the cache is present);
  each of these three with `LAMBDALINT_JOBS=1` (one process) and with the default (workers);
- one file: `lambdalint check path/to/handler` (the pre-commit case), with the warm cache, for
  up to --one-files handler files lambdalint read (spread over the sorted list), each edited
  first (a comment appended, different every run, so the cache misses it) and restored after;
- cfn-lint on the repository's SAM/CloudFormation templates (the config files whose top level
  has a `Resources` mapping and `AWSTemplateFormatVersion`, the SAM transform or an `AWS::`
  resource type), and checkov on REPO (`--framework cloudformation terraform serverless`), when
  installed (LAMBDALINT_BENCH_CFN_LINT / LAMBDALINT_BENCH_CHECKOV, else PATH; see run.py).

For each: wall-clock time, CPU time (user + system, worker processes included), the peak RSS
of the largest process (`wait4`), and on Linux the peak proportional set size of the whole
process tree (parent + workers, sampled every 50 ms). Medians of --runs runs; the floor and the
lambdalint runs are interleaved run by run. cold, first and warm, in both job settings, must
print the same findings as the reference run, or the benchmark fails.

Then the ratios of issue 15's targets and whether each is met:
cold ÷ floor ≤ 2 (CPU), cold peak RSS ≤ 100 MB, first ÷ cold ≤ 1.1, warm ÷ cold ≤ 0.4,
one changed handler ≤ 0.3 s (wall), cfn-lint ÷ cold ≥ 20 (wall).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # bench/run.py: environment, tool lookup, formatting

CACHE_DIR = ".lambdalint_cache"
SOURCE_SUFFIXES = (".py", ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts")
CHECKOV_FRAMEWORKS = ("cloudformation", "terraform", "serverless")
TARGETS = {
    "cold_floor_cpu": 2.0,
    "cold_rss_mb": 100.0,
    "first_cold": 1.1,
    "warm_cold": 0.4,
    "one_file_wall": 0.3,
    "cfn_lint_cold": 20.0,
}


# ------------------------------------------------------------------ the floor (a subprocess)


def _no_installed(folder: str, dirnames: list[str], boundary: Path) -> set[str]:
    return set()


def _floor_rules() -> tuple[tuple[str, ...], Any, Any, frozenset[str], Any, str]:
    """Discovery's folder exclusions and config-file test, from lambdalint when importable."""
    try:
        from lambdalint import discover as d

        return (
            tuple(d.DEFAULT_EXCLUDES),
            d.is_config_name,
            d.is_virtualenv,
            frozenset(d.VENV_NAMES),
            getattr(d, "installed_packages", _no_installed),
            "lambdalint.discover",
        )
    except (ImportError, AttributeError):
        excludes = (
            ".git", ".hg", ".svn", "node_modules", ".aws-sam", ".terraform", ".serverless",
            ".tox", ".nox", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache",
            CACHE_DIR, "cdk.out", "site-packages", ".idea", ".vscode",
        )  # fmt: skip

        def is_config(name: str) -> bool:
            low = name.lower()
            return low.endswith((".yaml", ".yml", ".json", ".template", ".tf"))

        def is_venv(folder: Path) -> bool:
            return (folder / "pyvenv.cfg").is_file()

        venvs = frozenset({".venv", "venv", ".env", "env"})
        return excludes, is_config, is_venv, venvs, _no_installed, "copy"


def _ts_parser(module: str, attr: str = "language") -> Any:
    try:
        import importlib

        from tree_sitter import Language, Parser

        mod = importlib.import_module(module)
        return Parser(Language(getattr(mod, attr)()))
    except (ImportError, AttributeError, ValueError, TypeError):
        return None


def parse_floor(plan_path: Path) -> dict[str, Any]:
    """Walk, read and C-parse what lambdalint reads: the lower bound of a run (see the module
    docstring). Returns counts and bytes per kind of file parsed."""
    import yaml

    plan = json.loads(plan_path.read_text(encoding="utf-8"))
    excludes, _, is_venv, venv_names, installed, rules_from = _floor_rules()
    excluded = set(excludes)
    tf_mode = plan.get("tf", "auto")
    tf_parser = _ts_parser("tree_sitter_hcl") if tf_mode in ("auto", "tree-sitter") else None
    if tf_mode == "tree-sitter" and tf_parser is None:
        raise SystemExit("--floor-tf tree-sitter: tree_sitter_hcl is not installed")
    parsers: dict[str, Any] = {}
    loader = yaml.CSafeLoader
    counts: dict[str, list[int]] = {}

    def count(kind: str, size: int) -> None:
        c = counts.setdefault(kind, [0, 0])
        c[0] += 1
        c[1] += size

    def node_parser(name: str) -> Any:
        if name.endswith((".ts", ".mts", ".cts")):
            key, mod, attr = "ts", "tree_sitter_typescript", "language_typescript"
        else:
            key, mod, attr = "js", "tree_sitter_javascript", "language"
        if key not in parsers:
            parsers[key] = _ts_parser(mod, attr)
        return parsers[key]

    def parse_config(path: str, name: str) -> None:
        low = name.lower()
        try:
            with open(path, "rb") as fh:
                raw = fh.read()
        except OSError:
            return
        if low.endswith(".tf"):
            if tf_parser is not None:
                tf_parser.parse(raw)
                count("tf (tree-sitter)", len(raw))
            else:
                count("tf (read only)", len(raw))
            return
        text = raw.decode("utf-8", "replace")
        as_json = low.endswith(".json") or (
            low.endswith(".template") and text.lstrip()[:1] in ("{", "[")
        )
        if as_json:
            try:
                json.loads(text)
            except ValueError:
                pass
            count("json", len(raw))
        else:
            try:
                for _ in yaml.compose_all(text, Loader=loader):
                    pass
            except yaml.YAMLError:
                pass
            count("yaml", len(raw))

    def parse_source(path: str, name: str) -> None:
        try:
            with open(path, "rb") as fh:
                raw = fh.read()
        except OSError:
            return
        if name.endswith(".py"):
            try:
                ast.parse(raw.decode("utf-8", "replace"))
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                pass
            count("python", len(raw))
            return
        parser = node_parser(name)
        if parser is not None:
            parser.parse(raw)
            count("node (tree-sitter)", len(raw))
        else:
            count("node (read only)", len(raw))

    def read_other(path: str, name: str) -> None:
        try:
            with open(path, "rb") as fh:
                raw = fh.read()
        except OSError:
            return
        if name.lower().endswith(".json"):
            try:
                json.loads(raw)
            except ValueError:
                pass
        count("other read", len(raw))

    configs = set(plan["configs"])
    sources = set(plan["sources"])
    others = set(plan["others"])
    done: set[str] = set()
    walked = 0
    top = "."
    boundary = Path(top).resolve()
    for dirpath, dirnames, filenames in os.walk(top):
        kept = []
        vendored = installed(dirpath, dirnames, boundary)
        for d in sorted(dirnames):
            if d in excluded or d in vendored or "{{" in d or "{%" in d:
                continue
            if d in venv_names and is_venv(Path(dirpath, d)):
                continue
            kept.append(d)
        dirnames[:] = kept
        if "pyvenv.cfg" in filenames and dirpath != top:
            dirnames[:] = []
            continue
        for name in sorted(filenames):
            walked += 1
            rel = os.path.normpath(os.path.join(dirpath, name))
            if rel in sources:
                parse_source(rel, name)
            elif rel in configs:
                parse_config(rel, name)
            elif rel in others:
                read_other(rel, name)
            else:
                continue
            done.add(rel)
    # what lambdalint read outside the walk (a CDK app's cdk.out, node_modules resolution)
    for rel in sorted((configs | sources | others) - done):
        name = os.path.basename(rel)
        parse = parse_config if rel in configs else parse_source if rel in sources else read_other
        parse(rel, name)
    return {"walked_files": walked, "rules_from": rules_from, "parsed": counts}


# ------------------------------------------------------------------ measuring one process


@dataclass
class Measured:
    wall: float
    cpu: float
    rss_mb: float  # peak RSS of the largest process of the tree
    pss_mb: float | None  # peak PSS of the whole process tree, sampled
    stdout: str


class TreeSampler(threading.Thread):
    """Peak proportional set size of a process and its descendants (Linux /proc)."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_kb: int | None = None
        self._halt = threading.Event()

    @staticmethod
    def available() -> bool:
        me = os.getpid()
        return os.path.exists(f"/proc/{me}/task/{me}/children") and os.path.exists(
            f"/proc/{me}/smaps_rollup"
        )

    def _tree(self) -> list[int]:
        out, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            out.append(pid)
            try:
                with open(f"/proc/{pid}/task/{pid}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
            except (OSError, ValueError):
                pass
        return out

    def run(self) -> None:
        while not self._halt.is_set():
            total = 0
            for pid in self._tree():
                try:
                    with open(f"/proc/{pid}/smaps_rollup") as fh:
                        for line in fh:
                            if line.startswith("Pss:"):
                                total += int(line.split()[1])
                                break
                except (OSError, ValueError):
                    pass
            if total and (self.peak_kb is None or total > self.peak_kb):
                self.peak_kb = total
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def measure(
    cmd: list[str],
    cwd: Path,
    env: dict[str, str],
    ok: tuple[int, ...] = (0,),
    timeout: float | None = None,
) -> Measured | None:
    """Run one process; None when it ran past `timeout` (then it is killed)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)
        sampler = TreeSampler(proc.pid) if TreeSampler.available() else None
        if sampler is not None:
            sampler.start()
        timer = None
        timed_out = threading.Event()
        if timeout is not None:

            def kill() -> None:
                timed_out.set()
                proc.kill()

            timer = threading.Timer(timeout, kill)
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if timer is not None:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if sampler is not None:
            sampler.stop()
        if timed_out.is_set():
            return None
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        if proc.returncode not in ok:
            stderr = err.read().decode("utf-8", "replace")
            raise SystemExit(
                f"{' '.join(cmd[:6])} … exited {proc.returncode} in {cwd}:\n{stderr[-3000:]}"
            )
    # ru_maxrss: kilobytes on Linux, bytes on macOS
    rss = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    pss = sampler.peak_kb / 1024 if sampler is not None and sampler.peak_kb else None
    return Measured(wall, usage.ru_utime + usage.ru_stime, rss, pss, stdout)


@dataclass
class Series:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    pss_mb: list[float] = field(default_factory=list)
    timeouts: int = 0

    def add(self, m: Measured | None) -> str | None:
        if m is None:
            self.timeouts += 1
            return None
        self.wall.append(m.wall)
        self.cpu.append(m.cpu)
        self.rss_mb.append(m.rss_mb)
        if m.pss_mb is not None:
            self.pss_mb.append(m.pss_mb)
        return m.stdout

    def med(self, what: str) -> float | None:
        values = getattr(self, what)
        return statistics.median(values) if values else None


# ------------------------------------------------------------------ one repository

# the lambdalint run whose opened files define the floor's sources (and whose findings are
# the reference): an audit hook records every file opened inside the working directory
_REFERENCE = r"""
import atexit, json, os, runpy, sys
root = os.path.realpath(os.getcwd())
out_path = sys.argv.pop(1)
opened = set()
def hook(event, args):
    if event != "open" or not args or not isinstance(args[0], (str, bytes, os.PathLike)):
        return
    path = os.fsdecode(args[0])
    real = os.path.realpath(path)
    if real.startswith(root + os.sep):
        opened.add(os.path.relpath(os.path.abspath(path), root))
def save():
    with open(out_path, "w", encoding="utf-8") as fh:
        json.dump(sorted(opened), fh)
atexit.register(save)
sys.addaudithook(hook)
sys.argv[0] = "lambdalint"
runpy.run_module("lambdalint", run_name="__main__", alter_sys=True)
"""


@dataclass
class RepoResult:
    path: str
    commit: str | None
    files: int = 0
    handlers: dict[str, int] = field(default_factory=dict)
    functions: int | None = None
    findings: int = 0
    cfn_templates: int = 0
    floor_parsed: dict[str, Any] = field(default_factory=dict)
    one_files: list[str] = field(default_factory=list)
    runs: dict[str, Series] = field(default_factory=dict)

    def series(self, name: str) -> Series:
        return self.runs.setdefault(name, Series())


def git_commit(path: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(path), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def split_repo_arg(arg: str) -> tuple[Path, str | None]:
    path, sep, commit = arg.rpartition("@")
    if sep and re.fullmatch(r"[0-9a-fA-F]{7,40}", commit) and Path(path).is_dir():
        return Path(path), commit
    return Path(arg), None


def is_cfn_template(path: Path) -> bool:
    """A SAM/CloudFormation template, by its top level (what cfn-lint is given)."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if "Resources" not in text:
        return False
    if text.lstrip()[:1] in ("{", "["):
        try:
            data = json.loads(text)
        except ValueError:
            return False
        if not isinstance(data, dict):
            return False
        keys = {k: data[k] for k in data if isinstance(k, str)}
        resources = keys.get("Resources")
        if not isinstance(resources, dict):
            return False
        types = [r.get("Type") for r in resources.values() if isinstance(r, dict)]
        transform = keys.get("Transform")
    else:
        try:
            node = yaml.compose(text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            return False
        if not isinstance(node, yaml.MappingNode):
            return False
        keys = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        res = keys.get("Resources")
        if not isinstance(res, yaml.MappingNode):
            return False
        types = []
        for _, body in res.value:
            if isinstance(body, yaml.MappingNode):
                types += [
                    v.value
                    for k, v in body.value
                    if isinstance(k, yaml.ScalarNode)
                    and k.value == "Type"
                    and isinstance(v, yaml.ScalarNode)
                ]
        t = keys.get("Transform")
        transform = (
            t.value
            if isinstance(t, yaml.ScalarNode)
            else (
                [v.value for v in t.value if isinstance(v, yaml.ScalarNode)]
                if isinstance(t, yaml.SequenceNode)
                else None
            )
        )
    transforms = transform if isinstance(transform, list) else [transform]
    if "AWSTemplateFormatVersion" in keys or "AWS::Serverless-2016-10-31" in transforms:
        return True
    return any(isinstance(t, str) and t.startswith(("AWS::", "Custom::")) for t in types)


def bench_repo(
    repo: Path, commit: str | None, args: argparse.Namespace, tools: dict[str, str | None]
) -> RepoResult:
    repo = repo.resolve()
    res = RepoResult(str(repo), commit or git_commit(repo))
    env = run.bench_env()
    env1 = dict(env, LAMBDALINT_JOBS="1")
    cache = repo / CACHE_DIR
    ll = [sys.executable, "-m", "lambdalint", "check", "--exit-zero", "-q"]
    print(f"{repo.name}: reference run …", flush=True)

    # the reference: findings, and the files lambdalint reads (untimed)
    shutil.rmtree(cache, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        opened_path = Path(tmp, "opened.json")
        ref_cmd = [sys.executable, "-c", _REFERENCE, str(opened_path), "check"]
        ref_cmd += ["--exit-zero", "-q", "--no-cache", "."]
        reference = measure(ref_cmd, repo, env1)
        assert reference is not None
        opened = json.loads(opened_path.read_text(encoding="utf-8"))
        res.findings = sum(1 for line in reference.stdout.splitlines() if line.strip())
        is_config = _floor_rules()[1]
        configs = [p for p in opened if is_config(os.path.basename(p))]
        sources = [p for p in opened if p.lower().endswith(SOURCE_SUFFIXES)]
        others = sorted(set(opened) - set(configs) - set(sources))
        plan = {"configs": configs, "sources": sources, "others": others, "tf": args.floor_tf}
        plan_path = Path(tmp, "plan.json")
        plan_path.write_text(json.dumps(plan), encoding="utf-8")
        res.handlers = {
            "python": sum(1 for p in sources if p.endswith(".py")),
            "node": sum(1 for p in sources if not p.endswith(".py")),
        }
        shown = subprocess.run(
            [sys.executable, "-m", "lambdalint", "show", "--format", "json", "."],
            cwd=repo,
            env=env1,
            capture_output=True,
            text=True,
            check=False,
        )
        try:
            res.functions = len(json.loads(shown.stdout))
        except ValueError:
            res.functions = None

        floor_cmd = [sys.executable, str(Path(__file__).resolve()), "--floor", str(plan_path)]
        first_floor = measure(floor_cmd, repo, env)  # also the warm-up (bytecode, file cache)
        assert first_floor is not None
        res.floor_parsed = json.loads(first_floor.stdout)
        res.files = res.floor_parsed["walked_files"]

        # the pre-commit case: handler files spread over the sorted list
        candidates = sorted(sources)
        if args.one_file:
            res.one_files = list(args.one_file)
        elif candidates:
            n = min(args.one_files, len(candidates))
            res.one_files = sorted({candidates[(i * len(candidates)) // n] for i in range(n)})

        variants = (
            (("1", env1), ("default", env))
            if args.jobs == "both"
            else ((("1", env1),) if args.jobs == "1" else (("default", env),))
        )
        edit = 0
        for i in range(args.runs):
            print(f"  {repo.name}: run {i + 1}/{args.runs}", flush=True)
            res.series("floor").add(measure(floor_cmd, repo, env))
            for label, e in variants:
                shutil.rmtree(cache, ignore_errors=True)
                outs = {
                    "cold": res.series(f"cold/{label}").add(
                        measure(ll + ["--no-cache", "."], repo, e)
                    ),
                    "first": res.series(f"first/{label}").add(measure(ll + ["."], repo, e)),
                    "warm": res.series(f"warm/{label}").add(measure(ll + ["."], repo, e)),
                }
                for name, out in outs.items():
                    if out != reference.stdout:
                        _report_difference(
                            repo, f"{name} (LAMBDALINT_JOBS={label})", reference.stdout, out
                        )
            # the cache is warm here (the last variant's warm run)
            for rel in res.one_files:
                edit += 1
                res.series(f"one/{rel}").add(_one_file(repo, rel, ll, env, edit))
        shutil.rmtree(cache, ignore_errors=True)

    templates = _cfn_templates(repo, opened)
    res.cfn_templates = len(templates)
    for i in range(args.external_runs):
        if tools.get("cfn-lint") and templates:
            what = f"cfn-lint run {i + 1}/{args.external_runs} ({len(templates)} templates)"
            print(f"  {repo.name}: {what}", flush=True)
            cmd = [str(tools["cfn-lint"]), "--", *templates]
            # exit codes are a bit mask of the severities found
            res.series("cfn-lint").add(
                measure(cmd, repo, env, tuple(range(32)), args.external_timeout)
            )
        if tools.get("checkov"):
            print(f"  {repo.name}: checkov run {i + 1}/{args.external_runs}", flush=True)
            cmd = [str(tools["checkov"]), "-d", ".", "--framework", *CHECKOV_FRAMEWORKS]
            cmd += ["--quiet", "--compact", "--skip-download", "-o", "json"]
            res.series("checkov").add(measure(cmd, repo, env, (0, 1), args.external_timeout))
    return res


def _cfn_templates(repo: Path, opened: list[str]) -> list[str]:
    """The SAM/CloudFormation templates among the config files lambdalint read."""
    out = []
    for rel in opened:
        low = rel.lower()
        is_yaml_or_json = low.endswith((".yaml", ".yml", ".json", ".template"))
        if is_yaml_or_json and not low.endswith(".tf.json") and is_cfn_template(repo / rel):
            out.append(rel)
    return sorted(out)


def _one_file(
    repo: Path, rel: str, ll: list[str], env: dict[str, str], edit: int
) -> Measured | None:
    """`lambdalint check REL` after a change to REL that no cache entry matches."""
    path = repo / rel
    original = path.read_bytes()
    stat = path.stat()
    marker = b"#" if rel.endswith(".py") else b"//"
    comment = marker + b" lambdalint bench edit %d %d\n" % (edit, time.time_ns())
    try:
        path.write_bytes(original + (b"" if original.endswith(b"\n") else b"\n") + comment)
        return measure(ll + [rel], repo, env, (0, 2))
    finally:
        path.write_bytes(original)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def _report_difference(repo: Path, which: str, expected: str, got: str | None) -> None:
    import difflib

    diff = "\n".join(
        list(
            difflib.unified_diff(
                expected.splitlines(),
                (got or "").splitlines(),
                "reference",
                which,
                lineterm="",
                n=0,
            )
        )[:40]
    )
    raise SystemExit(f"{repo}: findings of the {which} run differ from the reference run:\n{diff}")


# ------------------------------------------------------------------ report


def fmt_mb(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} MB"


def _ratio(num: float | None, den: float | None) -> float | None:
    return None if num is None or den is None or den == 0 else num / den


def _verdict(value: float | None, target: float, at_least: bool = False) -> str:
    if value is None:
        return "–"
    met = value >= target if at_least else value <= target
    return "met" if met else "NOT met"


def ratios(r: RepoResult) -> list[dict[str, Any]]:
    """The measures of issue 15's targets, per job setting, each with its target and verdict."""
    out: list[dict[str, Any]] = []

    def add(jobs: str, name: str, value: float | None, unit: str, key: str | None) -> None:
        target = TARGETS.get(key) if key else None
        at_least = key == "cfn_lint_cold"
        out.append(
            {
                "jobs": jobs,
                "ratio": name,
                "value": value,
                "unit": unit,
                "target": None
                if target is None
                else f"{'≥' if at_least else '≤'} {target:g}{unit}",
                "met": None if target is None else _verdict(value, target, at_least),
            }
        )

    floor = r.runs.get("floor", Series())
    cfn = r.runs.get("cfn-lint")
    for label in ("1", "default"):
        cold, first, warm = (r.runs.get(f"{k}/{label}") for k in ("cold", "first", "warm"))
        if cold is None or first is None or warm is None:
            continue
        jobs = "LAMBDALINT_JOBS=1" if label == "1" else "default jobs"
        pairs = (
            ("cold ÷ floor", cold, floor, "cold_floor_cpu"),
            ("first ÷ cold", first, cold, "first_cold"),
        )
        pairs += (("warm ÷ cold", warm, cold, "warm_cold"),)
        for name, num, den, key in pairs:
            add(jobs, f"{name} (CPU)", _ratio(num.med("cpu"), den.med("cpu")), "x", key)
            add(jobs, f"{name} (wall)", _ratio(num.med("wall"), den.med("wall")), "x", None)
            if name.startswith("cold"):
                add(
                    jobs, "cold peak RSS, largest process", cold.med("rss_mb"), " MB", "cold_rss_mb"
                )
        if cfn is not None and cfn.wall:
            add(
                jobs,
                "cfn-lint ÷ cold (wall)",
                _ratio(cfn.med("wall"), cold.med("wall")),
                "x",
                "cfn_lint_cold",
            )
            add(jobs, "cfn-lint ÷ cold (CPU)", _ratio(cfn.med("cpu"), cold.med("cpu")), "x", None)
    ones = [
        v for k, s in r.runs.items() if k.startswith("one/") and (v := s.med("wall")) is not None
    ]
    if ones:
        name = f"one changed handler, wall (worst of {len(ones)} files)"
        add("default jobs", name, max(ones), " s", "one_file_wall")
    return out


def report(r: RepoResult) -> str:
    name = Path(r.path).name
    functions = r.functions if r.functions is not None else "?"
    lines = [
        f"### {name}" + (f" @ {r.commit[:8]}" if r.commit else ""),
        "",
        (
            f"{r.files:,} files walked; functions {functions}; "
            f"handler files lambdalint read: {r.handlers.get('python', 0)} Python, "
            f"{r.handlers.get('node', 0)} Node; findings {r.findings:,}; "
            f"SAM/CloudFormation templates (cfn-lint's input) {r.cfn_templates:,}."
        ),
        "Floor parsed ("
        + ", ".join(
            f"{kind} {n:,} files / {size / 1e6:.1f} MB"
            for kind, (n, size) in sorted(r.floor_parsed.get("parsed", {}).items())
        )
        + f"; walk rules from {r.floor_parsed.get('rules_from')}).",
        "",
        "| run | jobs | wall | CPU | peak RSS (largest process) | peak PSS (all processes) |",
        "|---|---|---|---|---|---|",
    ]
    order = ["floor"] + [f"{k}/{j}" for k in ("cold", "first", "warm") for j in ("1", "default")]
    order += sorted(k for k in r.runs if k.startswith("one/")) + ["cfn-lint", "checkov"]
    for key in order:
        s = r.runs.get(key)
        if s is None or (not s.wall and not s.timeouts):
            continue
        what, _, jobs = key.partition("/")
        if what == "one":
            what, jobs = f"one file `{jobs}`", "default"
        elif what in ("cfn-lint", "checkov", "floor"):
            jobs = "1"
        if s.timeouts and not s.wall:
            lines.append(f"| {what} | {jobs} | timed out ({s.timeouts}x) | | | |")
            continue
        lines.append(
            f"| {what} | {jobs} | {run.fmt_s(s.med('wall'))} | {run.fmt_s(s.med('cpu'))} "
            f"| {fmt_mb(s.med('rss_mb'))} | {fmt_mb(s.med('pss_mb'))} |"
        )
    lines += ["", "| jobs | ratio | value | target | |", "|---|---|---|---|---|"]
    for row in ratios(r):
        v = row["value"]
        shown = (
            "–"
            if v is None
            else (f"{v:.2f}{row['unit']}" if row["unit"] != " MB" else f"{v:.0f} MB")
        )
        lines.append(
            f"| {row['jobs']} | {row['ratio']} | {shown} | {row['target'] or ''} | {row['met'] or ''} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("repos", nargs="*", help="REPO folder, optionally @COMMIT (a label)")
    parser.add_argument("--floor", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--jobs", choices=("both", "1", "default"), default="both")
    parser.add_argument(
        "--one-files", type=int, default=5, help="handler files for the pre-commit case"
    )
    parser.add_argument(
        "--one-file", action="append", help="this handler file (relative to REPO) instead"
    )
    parser.add_argument(
        "--floor-tf",
        choices=("auto", "read", "tree-sitter"),
        default="auto",
        help=".tf files in the floor: parsed with tree-sitter's HCL grammar when installed "
        "(auto), only read, or parsed with it (an error when it is missing)",
    )
    parser.add_argument("--external-runs", type=int, default=1)
    parser.add_argument("--external-timeout", type=float, default=1800.0, help="seconds, per run")
    parser.add_argument("--no-external", action="store_true", help="skip cfn-lint and checkov")
    parser.add_argument("--no-checkov", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--code", type=Path,
        help="run lambdalint from this source folder (e.g. `git archive HEAD | tar -x -C DIR`)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.floor is not None:
        print(json.dumps(parse_floor(args.floor)))
        return
    if not args.repos:
        parser.error("give at least one repository folder")
    run.CODE = args.code.resolve() if args.code is not None else None
    if run.CODE is not None:
        sys.path.insert(0, str(run.CODE))
    tools: dict[str, str | None] = {"cfn-lint": None, "checkov": None}
    if not args.no_external:
        tools["cfn-lint"] = run.find_tool("cfn-lint", "LAMBDALINT_BENCH_CFN_LINT")
        if not args.no_checkov:
            tools["checkov"] = run.find_tool("checkov", "LAMBDALINT_BENCH_CHECKOV")
    from lambdalint import __version__

    versions = {k: (run.tool_version(v) if v else None) for k, v in tools.items()}
    load_before = os.getloadavg()[0]
    print(
        f"lambdalint {__version__}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {load_before:.2f}; "
        + ", ".join(f"{k} {v or 'not run'}" for k, v in versions.items()),
        flush=True,
    )
    results = []
    for arg in args.repos:
        path, commit = split_repo_arg(arg)
        if not path.is_dir():
            raise SystemExit(f"{path}: not a folder")
        results.append(bench_repo(path, commit, args, tools))
        print("\n" + report(results[-1]) + "\n", flush=True)
    load_after = os.getloadavg()[0]
    print(f"load average after: {load_after:.2f} (other work on the machine inflates every number)")
    if args.json is not None:
        data = {
            "lambdalint": __version__,
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load": [load_before, load_after],
            "tools": versions,
            "targets": TARGETS,
            "repos": [dict(asdict(r), ratios=ratios(r)) for r in results],
        }
        args.json.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
