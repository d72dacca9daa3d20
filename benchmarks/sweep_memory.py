"""Peak memory of the engine's parent process for sweeps of different sizes.

Each size runs in a fresh subprocess (this script with ``--one N``), so one size's peak
cannot carry over into the next. The child runs ``run_experiment`` (executor local, 2 workers
by default) on a replication-only spec of the historical scenario into a temp dir, and
reports the parent's peak resident set size, ``getrusage(RUSAGE_SELF).ru_maxrss``: the
parent only, not the worker processes (they are children of the forkserver, not of it).
Progress lines (runs stored so far, current RSS) are printed while a size runs.

Goal: the peak for the largest size within 10% of the peak for the smallest.

Usage: .venv/bin/python benchmarks/sweep_memory.py [--runs 10000 100000] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HISTORICAL = ROOT / "scenarios" / "historical.yaml"
MASTER_SEED = 1
PROGRESS_EVERY = 20.0  # seconds
RESULT = "RESULT "


def rss_now_mb() -> float:
    """This process's current resident set size, in MB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    """This process's peak resident set size so far, in MB (ru_maxrss is in KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one(runs: int, workers: int, scenario: str) -> None:
    """Run one sweep of ``runs`` runs in this process; print progress, then a RESULT line."""
    from sim.experiments.engine import auto_chunk, run_experiment
    from sim.experiments.spec import SweepSpec
    from sim.scenario import load_scenario

    base = load_scenario(scenario)
    spec = SweepSpec(base=scenario, replications=runs, seed=MASTER_SEED)
    text = Path(scenario).read_text()
    chunk = auto_chunk(runs, workers)
    before_peak, before_rss = peak_mb(), rss_now_mb()
    print(f"[{runs}] after imports: RSS {before_rss:.1f} MB, peak {before_peak:.1f} MB", flush=True)

    with tempfile.TemporaryDirectory(prefix="sweep_memory_") as tmp:
        out = Path(tmp) / "out"
        stop = threading.Event()
        t0 = time.perf_counter()

        def report() -> None:
            while not stop.wait(PROGRESS_EVERY):
                parts = len(list((out / "runs").glob("part-*.parquet")))
                done = min(runs, parts * chunk)
                elapsed = time.perf_counter() - t0
                print(
                    f"[{runs}] {elapsed:6.0f} s  ~{done:>7} runs stored "
                    f"({done / max(elapsed, 1e-9):.0f} runs/s)  RSS {rss_now_mb():.1f} MB  "
                    f"peak {peak_mb():.1f} MB",
                    flush=True,
                )

        thread = threading.Thread(target=report, daemon=True)
        thread.start()
        try:
            summary = run_experiment(
                spec,
                base,
                out,
                source=scenario,
                text=text,
                executor="local",
                workers=workers,
                progress=False,
            )
        finally:
            stop.set()
            thread.join()
        result = {
            "runs": runs,
            "ran": summary.ran,
            "failed": summary.failed,
            "seconds": summary.seconds,
            "peak_mb": peak_mb(),
            "rss_end_mb": rss_now_mb(),
            "before_peak_mb": before_peak,
            "before_rss_mb": before_rss,
            "chunk": chunk,
        }
    print(RESULT + json.dumps(result), flush=True)


def measure(runs: int, workers: int, scenario: str) -> dict:
    """Run ``--one runs`` in a fresh interpreter, echo its lines, return its result."""
    cmd = [sys.executable, __file__, "--one", str(runs), "--workers", str(workers)]
    cmd += ["--scenario", scenario]
    result: dict = {}
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT) as proc:
        for line in proc.stdout or ():
            if line.startswith(RESULT):
                result = json.loads(line[len(RESULT) :])
            else:
                print("  " + line.rstrip(), flush=True)
    if proc.returncode or not result:
        raise SystemExit(f"size {runs}: child exited with {proc.returncode}")
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--scenario", default=str(HISTORICAL))
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: one size, here
    args = ap.parse_args()
    scenario = str(Path(args.scenario).resolve())
    if args.one:
        one(args.one, args.workers, scenario)
        return

    print(f"engine executor=local, workers={args.workers}, {os.cpu_count()} cores")
    results = []
    for runs in args.runs:
        print(f"size {runs}: starting a fresh process", flush=True)
        results.append(measure(runs, args.workers, scenario))

    print()
    print(
        f"{'runs':>8} {'seconds':>8} {'runs/s':>7} {'peak MB':>8} {'after imports':>14} "
        f"{'growth MB':>10} {'failed':>6}"
    )
    for r in results:
        print(
            f"{r['runs']:>8} {r['seconds']:8.1f} {r['ran'] / r['seconds']:7.1f} "
            f"{r['peak_mb']:8.1f} {r['before_peak_mb']:14.1f} "
            f"{r['peak_mb'] - r['before_peak_mb']:10.1f} {r['failed']:>6}"
        )
    if len(results) >= 2:
        small, large = results[0], results[-1]
        ratio = large["peak_mb"] / small["peak_mb"]
        verdict = "met" if ratio <= 1.10 else "NOT met"
        print()
        print(
            f"peak({large['runs']}) / peak({small['runs']}) = {ratio:.3f}   goal <= 1.10  {verdict}"
        )


if __name__ == "__main__":
    main()
