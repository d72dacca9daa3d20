"""Start-up time of the ``sim`` command: ``sim --help`` and ``sim validate``, whole commands.

Each command is started afresh ``--repeat`` times in a new interpreter (as a user types it);
the median and the best wall times are printed. The goal: both under 0.4 s.

Usage: .venv/bin/python benchmarks/startup.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
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


def timed(args: list[str]) -> float:
    """Wall seconds of one ``python -m sim ARGS``."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sim", *args], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - t0


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


if __name__ == "__main__":
    main()
