"""Runs per second of a scenario in one process, against a fixed yardstick and bare Mesa.

Three loops, interleaved over ``--passes`` (best of each):

- the scenario's runs, built and run to the horizon;
- a fixed plain-Python yardstick, carried here and never changed: a run's worth of float
  arithmetic, list and dict work and function calls of about the size of a day of the
  historical crisis (17 regions, 12 actors), 28 days. Its rate measures the machine, so that
  ``model / yardstick`` compares code, not machines; ``gain`` is that ratio over
  ``BASELINE_RATIO``, the historical scenario's at commit 08265f5 (before issue 13's work);
- a bare Mesa model with as many agents doing trivial work, 28 days: what Mesa itself costs.

No output is written.

Usage: .venv/bin/python benchmarks/runs_per_second.py [--runs N] [--passes K] [--scenario PATH]
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable

import mesa

from sim.model import CrisisModel
from sim.scenario import load_scenario

BASELINE_RATIO = 0.122
"""Historical runs/s over yardstick runs/s at 08265f5 (3 Dec 2026, quiet 2-core machine, two
measurements of 5 passes of 1,000 runs: 241 and 242 against 1,960 and 1,975 runs/s)."""
GOAL_GAIN = 1.5


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


def _utility(weights: dict[str, float], seen: dict[str, float]) -> float:
    return sum(weights[k] * seen[k] for k in weights)


def yardstick(seed: int, days: int = 28, regions: int = 17, actors: int = 12) -> float:
    """One fixed plain-Python run: a field of regions and actors weighing it each day."""
    x = [((seed * 7919 + i * 104729) % 1000) / 1000 for i in range(regions)]
    weights = {"threat": 2.4, "credibility": 5.0, "primacy": 0.35, "cost": -1.0}
    acted = 0
    for day in range(days):
        mean = sum(x) / regions
        x = [
            min(1.0, max(0.0, v + 0.3 * (mean - v) - 0.1 * v * v + 0.01 * math.sin(day + i)))
            for i, v in enumerate(x)
        ]
        worst = max(x)
        for a in range(actors):
            seen = {
                "threat": worst * (a + 1) / actors,
                "credibility": mean,
                "primacy": 0.1,
                "cost": 0.2,
            }
            if _utility(weights, seen) > 1.0 + a / actors:
                acted += 1
    return acted + sum(x)


def pass_rate(run: Callable[[int], object], runs: int) -> float:
    """Runs per second of ``run(seed)`` over ``runs`` seeds, one pass."""
    t0 = time.perf_counter()
    for seed in range(runs):
        run(seed)
    return runs / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--scenario", default="scenarios/historical.yaml")
    args = ap.parse_args()
    scenario = load_scenario(args.scenario)
    days = scenario.calendar.horizon_days
    n_agents = len(CrisisModel(scenario, rng=0).agents)
    loops = {
        "model": lambda s: CrisisModel(scenario, rng=s).run(),
        "yardstick": yardstick,
        "bare Mesa": lambda s: _Bare(n_agents, s).run_for(days),
    }
    rates = dict.fromkeys(loops, 0.0)
    for _ in range(args.passes):
        for name, run in loops.items():
            rates[name] = max(rates[name], pass_rate(run, args.runs))
    ratio = rates["model"] / rates["yardstick"]
    print(
        f"scenario {args.scenario}: {n_agents} agents, {days} days, "
        f"{args.runs} runs x {args.passes} passes"
    )
    print(f"model              : {rates['model']:8.0f} runs/s")
    print(f"yardstick          : {rates['yardstick']:8.0f} runs/s")
    print(f"bare Mesa          : {rates['bare Mesa']:8.0f} runs/s")
    print(f"model / yardstick  : {ratio:8.3f}")
    print(f"model / bare Mesa  : {rates['model'] / rates['bare Mesa']:8.3f}")
    if args.scenario == "scenarios/historical.yaml":
        gain = ratio / BASELINE_RATIO
        print(f"gain over 08265f5  : {gain:8.2f}x (goal {GOAL_GAIN}x)")


if __name__ == "__main__":
    main()
