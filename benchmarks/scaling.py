"""Cost of a run as a crisis grows: regions, days and actors, one at a time.

The historical scenario is scaled along one dimension at a time, the others kept:

- regions x1, x4, x16, x64 (17 to 1,088): copies of the 17 regions, each copy's regions
  neighbours as in the original, the copies chained through their first regions; the shock hits
  the first copy's origin only;
- days: horizons of 28, 56, 112, 224 and 364 days (the format allows at most 365);
- actors x1, x4, x16, x64 (11 to 704 outside actors and blocs): copies of every outside state,
  with its traits and force, in no bloc and bound by no treaty.

Each size runs ``--runs`` seeds (best of ``--passes``); the table gives the wall and CPU time
of a run (CPU time counts BLAS's threads too), the wall time's ratio to the smallest size's and
the size's ratio: growth no faster than linear shows as a cost ratio at or under the size
ratio. Above ``sim.agents.unrest.DENSE_UP_TO`` regions the neighbour matrix is sparse, and BLAS
is not used inside a run.

Usage: .venv/bin/python benchmarks/scaling.py [--runs N] [--passes K] [--only regions,days,actors]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from sim.model import CrisisModel
from sim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]
FACTORS = (1, 4, 16, 64)
DAYS = (28, 56, 112, 224, 364)


def with_regions(base: Scenario, k: int) -> Scenario:
    """``base`` with ``k`` copies of its regions."""
    data = base.model_dump()
    regions = {}
    first = next(iter(base.regions))
    for c in range(k):
        for rid, r in data["regions"].items():
            copy = dict(r, neighbours=[f"{n}_{c}" for n in r["neighbours"]])
            if rid == first and c + 1 < k:
                copy["neighbours"].append(f"{first}_{c + 1}")
            regions[f"{rid}_{c}"] = copy
    data["regions"] = regions
    data["shock"]["origin"] = [f"{o}_0" for o in data["shock"]["origin"]]
    for w in data["shock"]["waves"]:
        w["origin"] = [f"{o}_0" for o in w["origin"]]
    return Scenario.model_validate(data)


def with_days(base: Scenario, days: int) -> Scenario:
    """``base`` run to a horizon of ``days``."""
    data = base.model_dump()
    data["calendar"]["horizon_days"] = days
    return Scenario.model_validate(data)


def with_actors(base: Scenario, k: int) -> Scenario:
    """``base`` with ``k`` copies of each outside state (the original being the first)."""
    data = base.model_dump()
    actors = dict(data["actors"])
    for key, a in data["actors"].items():
        if a["role"] != "state":
            continue
        for c in range(1, k):
            actors[f"{key}_{c}"] = dict(a, name=f"{a['name']} ({c})")
    data["actors"] = actors
    return Scenario.model_validate(data)


def outside(sc: Scenario) -> int:
    """Outside actors and blocs: every provider."""
    return len(sc.provider_ids)


def cost_ms(sc: Scenario, runs: int, passes: int) -> tuple[float, float]:
    """Wall and CPU milliseconds a run of ``sc`` takes, built and run to its horizon.

    The pass with the least wall time of ``passes``; CPU time counts every thread (BLAS's too).
    """
    best = (float("inf"), 0.0)
    for _ in range(passes):
        t0, c0 = time.perf_counter(), time.process_time()
        for seed in range(runs):
            CrisisModel(sc, rng=seed).run()
        best = min(best, ((time.perf_counter() - t0) / runs, (time.process_time() - c0) / runs))
    return 1e3 * best[0], 1e3 * best[1]


def table(
    name: str, sizes: list[tuple[int, Scenario]], runs: Callable[[int], int], passes: int
) -> None:
    """Print the cost of a run per size, against the smallest."""
    print(f"\n{name:>8}  wall/run ms  cpu/run ms  cost ratio  size ratio")
    base_size = base_cost = None
    for size, sc in sizes:
        ms, cpu = cost_ms(sc, runs(size), passes)
        base_size, base_cost = base_size or size, base_cost or ms
        ratio = f"{ms / base_cost:10.2f}  {size / base_size:10.2f}"
        print(f"{size:>8}  {ms:11.2f}  {cpu:10.2f}  {ratio}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200, help="runs of the smallest size")
    ap.add_argument("--passes", type=int, default=2)
    ap.add_argument("--only", default="regions,days,actors")
    args = ap.parse_args()
    base = load_scenario(ROOT / "scenarios" / "historical.yaml")
    only = args.only.split(",")
    if "regions" in only:
        sizes = [(len(base.regions) * k, with_regions(base, k)) for k in FACTORS]
        table("regions", sizes, lambda n: max(2, args.runs * 17 // n), args.passes)
    if "days" in only:
        sizes = [(d, with_days(base, d)) for d in DAYS]
        table("days", sizes, lambda d: max(2, args.runs * 28 // d), args.passes)
    if "actors" in only:
        scaled = [with_actors(base, k) for k in FACTORS]
        sizes = [(outside(sc), sc) for sc in scaled]
        table("actors", sizes, lambda n: max(2, args.runs * 11 // n), args.passes)


if __name__ == "__main__":
    main()
