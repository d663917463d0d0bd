"""Time lambdalint against the parse-only floor, cfn-lint and checkov on generated monorepos.

    python bench/run.py [--sizes 10,200,2000] [--runs 5] [--work DIR] [--mix mixed]

For every size, on the same generated tree (bench/generate.py, seeded), in one run:
- floor: a fresh interpreter that walks the tree, reads every file, composes every YAML
  template with PyYAML's C loader, `json.loads` every JSON template and `ast.parse`s every
  Python handler (Node handlers are read) — the cost of just parsing the input;
- lambdalint cold: `lambdalint check` with no `.lambdalint_cache/` (the run writes it);
- lambdalint warm: the same command again, with the cache;
- cfn-lint on the tree's SAM/CloudFormation templates, and checkov on the tree
  (`--framework cloudformation terraform_json`), when installed. They are found through
  LAMBDALINT_BENCH_CFN_LINT / LAMBDALINT_BENCH_CHECKOV (paths to the executables) or PATH,
  and skipped when absent; they run on trees up to --external-max-stacks only (cfn-lint needs
  minutes for 2,000 templates), --external-runs times.
Plus the pre-commit case: a one-function project against `python -c "import yaml, click"`.

Every time is the wall-clock time of a whole process (start-up included), the median of
--runs runs. lambdalint runs with the interpreter running this script (`-m lambdalint`), with
bytecode caching on (as after any pip install). The cold and warm runs must print the same
findings, or the benchmark fails.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (bench/generate.py, next to this file)

SKIP_DIRS = {".lambdalint_cache", ".git", "node_modules"}


# ------------------------------------------------------------------ the floor (a subprocess)

def parse_floor(tree: Path) -> dict[str, int]:
    """Read and parse every input file, as cheaply as Python can: the lower bound."""
    import yaml

    loader = yaml.CSafeLoader
    counts = {"yaml": 0, "json": 0, "python": 0, "node": 0}
    for dirpath, dirnames, filenames in os.walk(tree):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            if name.endswith((".yaml", ".yml")):
                with open(path, encoding="utf-8") as fh:
                    text = fh.read()
                try:
                    yaml.compose(text, Loader=loader)
                except yaml.YAMLError:
                    pass
                counts["yaml"] += 1
            elif name.endswith(".json"):
                with open(path, encoding="utf-8") as fh:
                    json.loads(fh.read())
                counts["json"] += 1
            elif name.endswith(".py"):
                with open(path, encoding="utf-8") as fh:
                    text = fh.read()
                try:
                    ast.parse(text)
                except SyntaxError:
                    pass
                counts["python"] += 1
            elif name.endswith((".js", ".mjs", ".cjs", ".ts")):
                with open(path, encoding="utf-8") as fh:
                    fh.read()
                counts["node"] += 1
    return counts


# ------------------------------------------------------------------ timing

@dataclass
class Timing:
    runs: list[float] = field(default_factory=list)  # wall-clock seconds
    cpu: list[float] = field(default_factory=list)  # user + system seconds, worker processes included

    @property
    def median(self) -> float | None:
        return statistics.median(self.runs) if self.runs else None

    @property
    def cpu_median(self) -> float | None:
        return statistics.median(self.cpu) if self.cpu else None

    def add(self, measured: tuple[float, float, str]) -> str:
        self.runs.append(measured[0])
        self.cpu.append(measured[1])
        return measured[2]


def run_timed(cmd: list[str], cwd: Path, env: dict[str, str], ok: tuple[int, ...]) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, stdout) of one process run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd[:4])} … exited {proc.returncode} in {cwd}:\n{proc.stderr[-3000:]}")
    return elapsed, cpu, proc.stdout


CODE: Path | None = None  # --code: run lambdalint from this source folder


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode compiled
    env.pop("LAMBDALINT_JOBS", None)
    # the warm run measures the steady state of repeated runs; in CI (`CI` set) a run that
    # finds a cache it did not start with would instead be the first to keep templates
    env.pop("CI", None)
    env["NO_COLOR"] = "1"
    if CODE is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CODE), env.get("PYTHONPATH", "")]))
    return env


def lambdalint_cmd() -> list[str]:
    return [sys.executable, "-m", "lambdalint", "check", "--exit-zero", "-q", "."]


def find_tool(name: str, env_var: str) -> str | None:
    given = os.environ.get(env_var)
    if given:
        return given if Path(given).exists() or shutil.which(given) else None
    return shutil.which(name)


def tool_version(path: str) -> str:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return (out.stdout or out.stderr).strip().splitlines()[-1] if (out.stdout or out.stderr).strip() else "?"


@dataclass
class SizeResult:
    stacks: int
    templates: dict[str, int]
    functions: int
    python_handlers: int
    node_handlers: int
    floor: Timing = field(default_factory=Timing)
    cold: Timing = field(default_factory=Timing)
    warm: Timing = field(default_factory=Timing)
    cfn_lint: Timing = field(default_factory=Timing)
    checkov: Timing = field(default_factory=Timing)
    findings: int = 0


def cfn_templates(tree: Path) -> list[str]:
    out = []
    for path in sorted(tree.rglob("*")):
        if path.name in ("template.yaml", "template.json", "broken.yaml") and ".lambdalint_cache" not in path.parts:
            out.append(str(path.relative_to(tree)))
    return out


def bench_size(stacks: int, args: argparse.Namespace, tools: dict[str, str | None]) -> SizeResult:
    out = args.work / f"{args.mix}-{stacks}"
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else None
    if manifest is None or manifest.get("stacks") != stacks or manifest.get("seed") != args.seed:
        print(f"generating {stacks} stacks in {out} …", flush=True)
        generate.generate(out, stacks, seed=args.seed, mix=args.mix)
        manifest = json.loads(manifest_path.read_text())
    tree = out / "tree"
    res = SizeResult(stacks, manifest["templates"], manifest["functions"], manifest["python_handlers"], manifest["node_handlers"])
    env = bench_env()
    floor_cmd = [sys.executable, str(Path(__file__).resolve()), "--floor", "."]
    cache = tree / ".lambdalint_cache"
    # warm-up: bytecode, the OS file cache, and a first look at the findings
    run_timed(floor_cmd, tree, env, (0,))
    shutil.rmtree(cache, ignore_errors=True)
    reference = run_timed(lambdalint_cmd(), tree, env, (0,))[2]
    res.findings = sum(1 for line in reference.splitlines() if line.strip())
    for i in range(args.runs):
        print(f"  {stacks} stacks: run {i + 1}/{args.runs}", end="\r", flush=True)
        res.floor.add(run_timed(floor_cmd, tree, env, (0,)))
        shutil.rmtree(cache, ignore_errors=True)
        cold_out = res.cold.add(run_timed(lambdalint_cmd(), tree, env, (0,)))
        warm_out = res.warm.add(run_timed(lambdalint_cmd(), tree, env, (0,)))
        if cold_out != reference or warm_out != reference:
            raise SystemExit(f"findings differ between runs on {tree} (cache or workers changed the result)")
    if stacks <= args.external_max_stacks:
        templates = cfn_templates(tree)
        for i in range(args.external_runs):
            if tools["cfn-lint"]:
                print(f"  {stacks} stacks: cfn-lint run {i + 1}/{args.external_runs}   ", end="\r", flush=True)
                # exit codes are a bit mask of the severities found
                res.cfn_lint.add(run_timed([tools["cfn-lint"], "--", *templates], tree, env, tuple(range(0, 32))))
            if tools["checkov"]:
                print(f"  {stacks} stacks: checkov run {i + 1}/{args.external_runs}    ", end="\r", flush=True)
                cmd = [tools["checkov"], "-d", ".", "--framework", "cloudformation", "terraform_json",
                       "--quiet", "--compact", "--skip-download", "-o", "json"]
                res.checkov.add(run_timed(cmd, tree, env, (0, 1)))
    print(" " * 60, end="\r")
    return res


def bench_one_function(args: argparse.Namespace) -> dict[str, Timing]:
    """The pre-commit case: one SAM function, one handler."""
    folder = args.work / "one-function"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "src").mkdir(parents=True)
    (folder / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  HelloFunction:\n"
        "    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n"
        "      Handler: app.handler\n      Runtime: python3.12\n      Timeout: 10\n",
        encoding="utf-8",
    )
    (folder / "src" / "app.py").write_text(
        'import os\n\nimport boto3\n\ns3 = boto3.client("s3")\nBUCKET = os.environ.get("BUCKET", "")\n\n\n'
        'def handler(event, context):\n    s3.put_object(Bucket=BUCKET, Key="hello", Body=b"")\n'
        '    return {"statusCode": 200}\n',
        encoding="utf-8",
    )
    env = bench_env()
    base_cmd = [sys.executable, "-c", "import yaml, click"]
    runs = max(args.runs, 7)
    base, cold, warm = Timing(), Timing(), Timing()
    run_timed(lambdalint_cmd(), folder, env, (0,))
    for _ in range(runs):
        base.add(run_timed(base_cmd, folder, env, (0,)))
        shutil.rmtree(folder / ".lambdalint_cache", ignore_errors=True)
        cold.add(run_timed(lambdalint_cmd(), folder, env, (0,)))
        warm.add(run_timed(lambdalint_cmd(), folder, env, (0,)))
    return {"import_yaml_click": base, "cold": cold, "warm": warm}


# ------------------------------------------------------------------ report

def fmt_s(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s"


def fmt_x(num: float | None, den: float | None) -> str:
    return "–" if num is None or den is None or den == 0 else f"{num / den:.1f}x"


def table(results: list[SizeResult], one: dict[str, Timing] | None, cpu: bool = False) -> str:
    """Markdown: medians of wall-clock time, or with `cpu` of CPU time (user + system)."""

    def m(t: Timing) -> float | None:
        return t.cpu_median if cpu else t.median

    head = (
        "| stacks | templates SAM/CFN/TF | handlers Py/Node | floor | lambdalint cold | cold ÷ floor "
        "| lambdalint warm | warm ÷ floor | cfn-lint | cfn-lint ÷ cold | checkov | checkov ÷ cold | cold per stack |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in results:
        t = r.templates
        cold, floor, warm = m(r.cold), m(r.floor), m(r.warm)
        if cold is None:
            continue
        lines.append(
            f"| {r.stacks:,} | {t.get('sam', 0)}/{t.get('cfn', 0)}/{t.get('tf', 0)} "
            f"| {r.python_handlers:,}/{r.node_handlers:,} | {fmt_s(floor)} | {fmt_s(cold)} "
            f"| {fmt_x(cold, floor)} | {fmt_s(warm)} | {fmt_x(warm, floor)} "
            f"| {fmt_s(m(r.cfn_lint))} | {fmt_x(m(r.cfn_lint), cold)} | {fmt_s(m(r.checkov))} "
            f"| {fmt_x(m(r.checkov), cold)} | {cold / r.stacks * 1000:.1f} ms |"
        )
    if one is not None:
        base, cold1, warm1 = m(one["import_yaml_click"]), m(one["cold"]), m(one["warm"])
        lines += [
            "",
            '| one-function project | `python -c "import yaml, click"` | lambdalint cold | ÷ | lambdalint warm | ÷ |',
            "|---|---|---|---|---|---|",
            f"| 1 SAM function | {fmt_s(base)} | {fmt_s(cold1)} | {fmt_x(cold1, base)} | {fmt_s(warm1)} | {fmt_x(warm1, base)} |",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--floor", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="10,200,2000", help="stack counts (default 10,200,2000)")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement; the median is reported")
    parser.add_argument("--work", type=Path, default=Path("/tmp/lambdalint-bench"), help="where trees are generated")
    parser.add_argument("--mix", choices=("mixed", "sam-python"), default="mixed")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--external-max-stacks", type=int, default=200)
    parser.add_argument("--external-runs", type=int, default=3)
    parser.add_argument("--no-external", action="store_true", help="skip cfn-lint and checkov")
    parser.add_argument("--no-one-function", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--code", type=Path,
        help="run lambdalint from this source folder (e.g. `git archive HEAD | tar -x -C DIR`), "
        "not the installed one: a shared working tree can change during a long run",
    )
    args = parser.parse_args()
    if args.floor is not None:
        parse_floor(args.floor)
        return
    global CODE
    CODE = args.code.resolve() if args.code is not None else None
    if CODE is not None:
        sys.path.insert(0, str(CODE))
    args.work.mkdir(parents=True, exist_ok=True)
    tools = {"cfn-lint": None, "checkov": None}
    if not args.no_external:
        tools = {
            "cfn-lint": find_tool("cfn-lint", "LAMBDALINT_BENCH_CFN_LINT"),
            "checkov": find_tool("checkov", "LAMBDALINT_BENCH_CHECKOV"),
        }
    from lambdalint import __version__

    load_before = os.getloadavg()
    print(
        f"lambdalint {__version__}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {load_before[0]:.2f}; "
        + ", ".join(f"{k} {tool_version(v) if v else 'not installed'}" for k, v in tools.items()),
        flush=True,
    )
    results = []
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        results.append(bench_size(size, args, tools))
        print(table(results[-1:], None).splitlines()[-1], flush=True)  # in case a later size fails
    one = None if args.no_one_function else bench_one_function(args)
    print("\nWall-clock time (median):\n")
    print(table(results, one))
    print("\nCPU time, user + system, worker processes included (median):\n")
    print(table(results, one, cpu=True))
    load_after = os.getloadavg()
    print(f"\nload average after: {load_after[0]:.2f} (other work on the machine inflates every number)")
    if args.json is not None:
        data = {
            "lambdalint": __version__,
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load": [load_before[0], load_after[0]],
            "tools": {k: (tool_version(v) if v else None) for k, v in tools.items()},
            "sizes": [asdict(r) for r in results],
            "one_function": {k: asdict(v) for k, v in one.items()} if one else None,
        }
        args.json.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
