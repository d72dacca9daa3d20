"""Start-up times: the ``sim`` command (``sim --help``, ``sim validate``) and a pool's worker.

Each command is started afresh ``--repeat`` times in a new interpreter (as a user types it);
the median and the best wall times are printed. The goal: under 0.4 s. The worker's figure is
the time, in a new interpreter, from starting the local executor's fork server to the first
answer of a worker forked from it (the server imports the worker's modules first); the goal:
under 0.5 s.

Usage: .venv/bin/python benchmarks/startup.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {
    "sim --help": ["--help"],
    "sim validate (scenario)": ["validate", "scenarios/historical.yaml"],
    "sim validate (sweep)": ["validate", "scenarios/sweeps/who_to_ask.yaml"],
    "sim schema": ["schema"],
}
GOAL = 0.4
WORKER_GOAL = 0.5
WORKER_START = """
import multiprocessing as mp, sys, time
from concurrent.futures import ProcessPoolExecutor
if __name__ == "__main__":
    t0 = time.perf_counter()
    from sim.experiments import pool_server
    pool_server.start()
    with ProcessPoolExecutor(1, mp_context=mp.get_context("forkserver")) as pool:
        pool.submit(int).result()
        print(time.perf_counter() - t0)
"""


def timed(args: list[str]) -> float:
    """Wall seconds of one ``python -m sim ARGS``."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sim", *args], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - t0


def worker_start(script: Path) -> float:
    """Seconds from starting the fork server to a worker's first answer, in a new interpreter."""
    out = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return float(out.stdout.split()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    print(f"{'command':<26} {'median s':>9} {'best s':>8}  goal < {GOAL} s")
    for name, argv in COMMANDS.items():
        times = [timed(argv) for _ in range(args.repeat)]
        median = statistics.median(times)
        verdict = "met" if median < GOAL else "NOT met"
        print(f"{name:<26} {median:9.3f} {min(times):8.3f}  {verdict}")
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "worker_start.py"  # a file: forkserver re-imports the main module
        script.write_text(WORKER_START)
        times = [worker_start(script) for _ in range(args.repeat)]
    median = statistics.median(times)
    verdict = "met" if median < WORKER_GOAL else "NOT met"
    goal = f"(goal < {WORKER_GOAL} s)"
    print(f"{'worker start':<26} {median:9.3f} {min(times):8.3f}  {verdict} {goal}")


if __name__ == "__main__":
    main()
