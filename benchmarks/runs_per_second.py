"""Runs per second of the historical scenario in one process, against a bare Mesa baseline.

The baseline is a Mesa model with the same number of agents and days whose agents do trivial
work: it measures what Mesa itself costs. No output is written.

Usage: .venv/bin/python benchmarks/runs_per_second.py [--runs N] [--scenario PATH]
"""

from __future__ import annotations

import argparse
import time

import mesa

from sim.model import CrisisModel
from sim.scenario import load_scenario


class _Idle(mesa.Agent):
    def step(self) -> None:
        self.work = 1


class _Bare(mesa.Model):
    def __init__(self, n_agents: int, rng: int) -> None:
        super().__init__(rng=rng)
        for _ in range(n_agents):
            _Idle(self)

    def step(self) -> None:
        self.agents.do("step")


def rate(make, runs: int, days: int) -> float:
    """Runs per second of ``make(seed).run_for(days)`` over ``runs`` seeds (best of 3)."""
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for seed in range(runs):
            make(seed).run_for(days)
        best = min(best, time.perf_counter() - t0)
    return runs / best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--scenario", default="scenarios/historical.yaml")
    args = ap.parse_args()
    scenario = load_scenario(args.scenario)
    days = scenario.calendar.horizon_days
    n_agents = len(CrisisModel(scenario, rng=0).agents)
    model_rate = rate(lambda s: CrisisModel(scenario, rng=s), args.runs, days)
    bare_rate = rate(lambda s: _Bare(n_agents, s), args.runs, days)
    print(f"scenario {args.scenario}: {n_agents} agents, {days} days, {args.runs} runs")
    print(f"historical scenario: {model_rate:8.0f} runs/s")
    print(f"bare Mesa baseline : {bare_rate:8.0f} runs/s")
    print(f"ratio              : {model_rate / bare_rate:8.2f}")


if __name__ == "__main__":
    main()
