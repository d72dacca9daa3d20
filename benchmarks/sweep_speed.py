"""Wall time of N replications of a scenario: plain loop, engine (local, dask), mesa.batch_run.

All four methods run the same N runs with the same seeds (``run_seed(1, r)``, as the engine
derives them from a spec with ``seed: 1``) and collect every run's outcome record:

a. plain loop   one process, ``outcomes(CrisisModel(base, rng=seed).run())``, kept in a list
b. local        ``run_experiment(executor="local")`` into a temp dir (startup, pool, Parquet)
c. batch_run    ``mesa.batch_run`` with ``number_processes=workers`` on a thin model subclass
d. dask         ``run_experiment(executor="dask")`` with a LocalCluster started inside it

Each timed figure covers the whole call, start-up and teardown included. After each timing
the outcomes of b, c and d are compared with those of the plain loop (not timed).

Optional reference (``--only ...,pair``): the plain loop split over W independent processes
started beforehand, timing only their loops (no start-up, no output). It is the most any
W-process method can get from this machine, so ``pair`` / ``plain`` shows how well the
machine's cores scale, and ``local`` / ``pair`` what the engine itself costs.

With ``--repeat K`` the methods run K times in turn and the median time of each is reported
(the machine's speed drifts; a single pass can be off by 10-20%).

Usage: .venv/bin/python benchmarks/sweep_speed.py [--runs N] [--workers W] [--quick]
       [--repeat K] [--scenario PATH] [--only plain,local,batch_run,dask,pair]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import mesa

from sim.experiments.engine import auto_chunk, run_experiment
from sim.experiments.plan import run_seed
from sim.experiments.spec import SweepSpec
from sim.experiments.store import load
from sim.model import CrisisModel
from sim.outcomes import outcomes
from sim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
HISTORICAL = ROOT / "scenarios" / "historical.yaml"
MASTER_SEED = 1
METHODS = ("plain", "local", "batch_run", "dask")
OPTIONAL = ("pair",)
GOALS = {
    # what the ratio says: (numerator seconds, denominator seconds, goal, higher is better)
    "local speed-up over plain loop": ("plain", "local", 1.6, True),
    "local speed-up over batch_run": ("batch_run", "local", 3.0, True),
    "dask time / local time": ("dask", "local", 1.5, False),
}

_SCENARIOS: dict[str, Scenario] = {}


def scenario_at(path: str) -> Scenario:
    """The scenario at ``path``, loaded once per process."""
    if path not in _SCENARIOS:
        _SCENARIOS[path] = load_scenario(path)
    return _SCENARIOS[path]


class BatchCrisis(CrisisModel):
    """CrisisModel in the shape ``mesa.batch_run`` (Mesa 3.5) expects.

    What batch_run needs, read from ``mesa/batchrunner.py``:

    * keyword arguments only: the parameters dict plus the seed. batch_run passes the seed as
      ``seed=`` when the class signature has a ``seed`` parameter, else as ``rng=``; here it is
      ``seed`` and becomes CrisisModel's ``rng`` (the same generator the engine makes).
    * ``running`` and ``steps``: batch_run calls ``model.step()`` while ``model.running and
      model.steps < max_steps``. In Mesa 3.5 ``model.step()`` is the wrapped step that
      advances time by one day and fires the fractional-time events (council delays, airlift)
      on the way, exactly as ``run_for`` does, so ``max_steps=horizon_days`` runs the same
      horizon as ``CrisisModel.run()``.
    * a ``datacollector``: with ``data_collection_period=-1`` batch_run returns the model
      reporters at the last collection. One reporter returns the whole outcome record, so
      each run does the same outcome work as the engine (plus DataCollector's deepcopy), and
      the result rows carry every outcome. It is collected after the last day's events, the
      same point at which the engine computes outcomes.

    The scenario is loaded once per worker process (module-level cache), not once per run, so
    batch_run is not charged for YAML parsing the engine does not repeat either.
    """

    def __init__(self, scenario_path: str = str(HISTORICAL), seed: int | None = None) -> None:
        scenario = scenario_at(scenario_path)
        super().__init__(scenario, rng=seed)
        self.datacollector = mesa.DataCollector(model_reporters={"outcomes": outcomes})
        horizon = scenario.calendar.horizon_days
        day = self.step  # Mesa's wrapped step: one day, events included

        def step() -> None:
            day()
            if self.time >= horizon:
                self.running = False
                self.datacollector.collect(self)

        self.step = step


# ---------------------------------------------------------------- the four methods


def run_plain(base: Scenario, seeds: list[int]) -> list[dict]:
    """One process, no disk: the outcome records in a list."""
    return [outcomes(CrisisModel(base, rng=seed).run()) for seed in seeds]


def run_engine(path: str, base: Scenario, runs: int, executor: str, workers: int, out: Path):
    """The experiment engine on a replication-only spec, writing Parquet into ``out``."""
    spec = SweepSpec(base=path, replications=runs, seed=MASTER_SEED)
    text = Path(path).read_text()
    return run_experiment(
        spec,
        base,
        out,
        source=path,
        text=text,
        executor=executor,
        workers=workers,
        progress=False,
    )


def run_batch(path: str, base: Scenario, seeds: list[int], workers: int) -> list[dict]:
    """mesa.batch_run over the same seeds: one parameter combination, one run per seed."""
    _SCENARIOS[path] = base  # the serial case (workers == 1) reuses this process's copy
    rows = mesa.batch_run(
        BatchCrisis,
        parameters={"scenario_path": path},  # a single value: one combination
        number_processes=workers,
        rng=seeds,  # one run per seed, passed as seed= (see BatchCrisis)
        max_steps=base.calendar.horizon_days,
        data_collection_period=-1,
        display_progress=False,
    )
    rows.sort(key=lambda row: row["RunId"])  # imap_unordered: back in seed order
    return [row["outcomes"] for row in rows]


# ---------------------------------------------------------------- checks and report


def same(records: list[dict], reference: list[dict]) -> str:
    """Whether two lists of outcome records agree (None and NaN count as equal)."""
    if len(records) != len(reference):
        return f"NO ({len(records)} records, expected {len(reference)})"

    def norm(v):
        return None if v is None or (isinstance(v, float) and math.isnan(v)) else v

    bad = sum(
        any(norm(a.get(k)) != norm(v) for k, v in b.items())
        for a, b in zip(records, reference, strict=True)
    )
    return "yes" if not bad else f"NO ({bad} runs differ)"


def engine_records(out: Path, keys: list[str]) -> list[dict]:
    """The outcome records the engine stored, in run order."""
    runs = load(out)["runs"]
    frame = runs[keys].astype(object).where(runs[keys].notna(), None)
    return frame.to_dict("records")


def run_pair(path: str, seeds: list[int], workers: int) -> float:
    """Seconds of the plain loop split over ``workers`` processes, loops only (the ceiling).

    Each process (this script with ``--loop``) imports, loads and warms up, reports ready,
    waits for "go", runs its share of the seeds and prints its loop time. The slowest loop's
    time is returned.
    """
    cmd = [sys.executable, __file__, "--scenario", path, "--loop"]
    shares = [",".join(map(str, seeds[i::workers])) for i in range(workers)]
    procs = [
        subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for _ in shares
    ]
    for proc, share in zip(procs, shares, strict=True):
        proc.stdin.write(share + "\n")
        proc.stdin.flush()
    for proc in procs:
        proc.stdout.readline()  # "ready"
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    times = [float(proc.communicate()[0].split()[-1]) for proc in procs]
    return max(times)


def loop_child(path: str) -> None:
    """The ``--loop`` child of :func:`run_pair`."""
    base = load_scenario(path)
    seeds = [int(x) for x in sys.stdin.readline().split(",") if x]
    outcomes(CrisisModel(base, rng=0).run())
    print("ready", flush=True)
    sys.stdin.readline()
    t0 = time.perf_counter()
    run_plain(base, seeds)
    print(time.perf_counter() - t0, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="2,000 runs, for a fast check")
    ap.add_argument("--repeat", type=int, default=1, help="passes; the median is reported")
    ap.add_argument("--scenario", default=str(HISTORICAL))
    ap.add_argument("--only", default=",".join(METHODS), help="comma-separated methods")
    ap.add_argument("--loop", action="store_true", help=argparse.SUPPRESS)  # run_pair child
    args = ap.parse_args()
    path = str(Path(args.scenario).resolve())
    if args.loop:
        loop_child(path)
        return
    runs = 2_000 if args.quick else args.runs
    methods = [m.strip() for m in args.only.split(",") if m.strip()]
    for method in methods:
        if method not in METHODS + OPTIONAL:
            raise SystemExit(f"unknown method {method!r}; choose from {METHODS + OPTIONAL}")
    base = load_scenario(path)
    seeds = [run_seed(MASTER_SEED, r) for r in range(runs)]
    outcomes(CrisisModel(base, rng=0).run())  # warm-up: lazy imports, first-call costs
    print(
        f"{runs} runs of {Path(path).name} ({base.calendar.horizon_days} days), "
        f"{args.workers} workers, engine chunk {auto_chunk(runs, args.workers)} runs; "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the start"
    )

    seconds: dict[str, list[float]] = {m: [] for m in methods}
    check: dict[str, str] = {}
    # the reference for the checks, unless the plain loop comes first and gives it
    reference = run_plain(base, seeds) if methods[0] != "plain" else None
    with tempfile.TemporaryDirectory(prefix="sweep_speed_") as tmp:
        for rep in range(args.repeat):
            for method in methods:
                print(f"  pass {rep + 1}: {method} ...", end=" ", flush=True)
                out = Path(tmp) / f"{method}-{rep}"
                t0 = time.perf_counter()
                if method == "plain":
                    reference = run_plain(base, seeds)
                elif method in ("local", "dask"):
                    summary = run_engine(path, base, runs, method, args.workers, out)
                elif method == "batch_run":
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        records = run_batch(path, base, seeds, args.workers)
                else:
                    loops = run_pair(path, seeds, args.workers)
                seconds[method].append(loops if method == "pair" else time.perf_counter() - t0)
                print(f"{seconds[method][-1]:.2f} s", flush=True)
                keys = list(reference[0])
                if method in ("local", "dask"):
                    extra = f", {summary.failed} failed" if summary.failed else ""
                    check[method] = same(engine_records(out, keys), reference) + extra
                elif method == "batch_run":
                    check[method] = same(records, reference)
                elif method == "pair":
                    check[method] = "(not stored; loop time only, no start-up)"
                else:
                    check[method] = "(reference)"

    median = {m: statistics.median(v) for m, v in seconds.items()}
    print()
    print("load average (1, 5, 15 min) at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    what = "median of " if args.repeat > 1 else ""
    print(f"{'method':<10} {'seconds':>9} {'runs/s':>9}  {'passes':<24} same outcomes as plain")
    for method in methods:
        sec = median[method]
        passes = " ".join(f"{x:.1f}" for x in seconds[method])
        print(f"{method:<10} {sec:9.2f} {runs / sec:9.1f}  {passes:<24} {check[method]}")
    print(f"(seconds: {what}{args.repeat} pass{'es' if args.repeat > 1 else ''})")
    print()
    for name, (num, den, goal, higher) in GOALS.items():
        if num not in median or den not in median:
            continue
        ratio = median[num] / median[den]
        met = ratio >= goal if higher else ratio <= goal
        sign = ">=" if higher else "<="
        verdict = "met" if met else "NOT met"
        print(f"{name:<34} {ratio:6.2f}   goal {sign} {goal:<4}  {verdict}")
    if "pair" in median:
        for name, num, den in (
            ("machine: pair speed-up over plain", "plain", "pair"),
            ("engine: local time / pair time", "local", "pair"),
        ):
            if num in median and den in median:
                print(f"{name:<34} {median[num] / median[den]:6.2f}   (for reference, no goal)")


if __name__ == "__main__":
    main()
