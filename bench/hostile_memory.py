"""Peak memory and time of `lambdalint check` on every hostile-input case.

Each case of fixtures/hostile/corpus.py is built into a temporary folder and checked by its
own `lambdalint` process. That process reports its own peak resident set size when it exits
(VmHWM from /proc on Linux: `ru_maxrss` would include the high-water mark inherited from
this process across fork and exec; elsewhere `ru_maxrss` it is); `os.wait4` gives its CPU
time, the wall clock the rest. A baseline run on an empty folder shows what the interpreter
and lambdalint's imports cost before any input.

    python bench/hostile_memory.py                 # every case, a table, worst last
    python bench/hostile_memory.py alias-bomb ...  # some cases
    python bench/hostile_memory.py --json          # machine-readable
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 300  # seconds: a case that takes longer is a finding in itself


@dataclass
class Measurement:
    case: str
    files: int
    seconds: float  # wall clock
    cpu_seconds: float
    peak_rss_mb: float
    exit_code: int
    stderr_tail: str = ""


def corpus() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "hostile_corpus", ROOT / "fixtures" / "hostile" / "corpus.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["hostile_corpus"] = module
    spec.loader.exec_module(module)
    return module


_PEAK = "LAMBDALINT_PEAK_KB="
# the measured process: lambdalint's CLI, reporting its peak memory (in KB) as it exits
_CHILD = f"""
import atexit, resource, sys
def _report():
    kb = None
    try:
        with open("/proc/self/status") as status:
            kb = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        kb = rss // 1024 if sys.platform == "darwin" else rss
    sys.stderr.write("\\n{_PEAK}%d\\n" % kb)
atexit.register(_report)
sys.argv[0] = "lambdalint"
from lambdalint.cli import main
main()
"""


def _peak_mb(maxrss: int) -> float:
    # ru_maxrss is in kilobytes on Linux, in bytes on macOS
    return maxrss / (1024 * 1024) if sys.platform == "darwin" else maxrss / 1024


def measure(name: str, folder: Path) -> Measurement:
    """Run `lambdalint check` on `folder` in a process of its own and measure that process."""
    command = [sys.executable, "-c", _CHILD, "check", "--no-cache", "--format", "json", "."]
    env = {**os.environ, "LAMBDALINT_JOBS": "1"}  # one process: its usage is the whole cost
    files = sum(1 for _ in _walk(folder))
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=err)
        deadline = started + TIMEOUT
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        lines = err.read().decode("utf-8", "replace").strip().splitlines()
    peaks = [int(line.split("=", 1)[1]) for line in lines if line.startswith(_PEAK)]
    tail = [line for line in lines if not line.startswith(_PEAK)][-1:]
    return Measurement(
        case=name,
        files=files,
        seconds=round(time.perf_counter() - started, 3),
        cpu_seconds=round(usage.ru_utime + usage.ru_stime, 3),
        peak_rss_mb=round(peaks[-1] / 1024 if peaks else _peak_mb(usage.ru_maxrss), 1),
        exit_code=proc.returncode,
        stderr_tail=tail[0][:120] if tail else "",
    )


def _walk(folder: Path):  # type: ignore[no-untyped-def]
    stack = [str(folder)]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    yield entry


def run(names: list[str]) -> list[Measurement]:
    hostile = corpus()
    cases = [c for c in hostile.CASES if (not names or c.name in names) and hostile.supported(c)]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "baseline"
        empty.mkdir()
        rows.append(measure("(baseline: empty folder)", empty))
        for case in cases:
            folder = hostile.build(case, Path(tmp) / case.name)
            try:
                rows.append(measure(case.name, folder))
            finally:
                hostile.remove(folder)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help="case names (default: all)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    rows = run(args.cases)
    if args.json:
        print(json.dumps([asdict(r) for r in rows], indent=2))
    else:
        print(f"{'case':<28} {'files':>5} {'wall s':>7} {'cpu s':>7} {'peak MB':>8} {'exit':>4}")
        for r in sorted(rows[1:], key=lambda r: (r.peak_rss_mb, r.seconds)):
            print(
                f"{r.case:<28} {r.files:>5} {r.seconds:>7.2f} {r.cpu_seconds:>7.2f} {r.peak_rss_mb:>8.1f} {r.exit_code:>4}"
            )
        base = rows[0]
        print(
            f"{base.case:<28} {base.files:>5} {base.seconds:>7.2f} {base.cpu_seconds:>7.2f} {base.peak_rss_mb:>8.1f} {base.exit_code:>4}"
        )
        worst_mem = max(rows[1:], key=lambda r: r.peak_rss_mb, default=None)
        worst_time = max(rows[1:], key=lambda r: r.seconds, default=None)
        if worst_mem and worst_time:
            print(
                f"worst memory: {worst_mem.case} ({worst_mem.peak_rss_mb:.1f} MB); "
                f"worst time: {worst_time.case} ({worst_time.seconds:.2f} s)"
            )
    failed = [r for r in rows if r.exit_code not in (0, 1)]
    for r in failed:
        print(f"{r.case}: exit {r.exit_code}: {r.stderr_tail}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
