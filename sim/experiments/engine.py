"""Run an experiment: plan the runs, skip those already stored, execute, store, report."""

from __future__ import annotations

import hashlib
import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from sim.experiments.designs import sample
from sim.experiments.executors import Executor, default_workers, execute
from sim.experiments.plan import chunked, plan_runs, run_seed
from sim.experiments.spec import Keep, SweepSpec
from sim.experiments.store import Store, count_status, new_manifest, runs_schema
from sim.experiments.worker import ChunkResult, Task
from sim.model import CrisisModel
from sim.outcomes import outcomes
from sim.scenario import Scenario


@dataclass
class Summary:
    """How an experiment went: runs planned, run now, found done, failed; time taken."""

    planned: int
    ran: int
    resumed: int
    failed: int
    seconds: float
    out: Path

    @property
    def rate(self) -> float:
        """Runs per second in this invocation."""
        return self.ran / self.seconds if self.seconds else 0.0


def auto_chunk(runs: int, workers: int) -> int:
    """A chunk size giving each worker about 8 chunks, between 1 and 500 runs."""
    return max(1, min(500, math.ceil(runs / (workers * 8))))


def run_experiment(
    spec: SweepSpec,
    base: Scenario,
    out: Path,
    *,
    source: str,
    text: str,
    executor: Executor = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    chunk: int | None = None,
    progress: bool | None = None,
    seeds: Sequence[int] | None = None,
) -> Summary:
    """Run every run of ``spec`` not yet in ``out``, writing results as they arrive.

    Replication ``r`` uses ``seeds[r]`` if given, else a seed derived from the spec's master
    seed and ``r`` (the same for every design row: common random numbers).
    """
    t0 = time.perf_counter()
    rows = [()]
    if spec.parameters:
        rows = sample(spec.design, spec.parameters, spec.samples, spec.seed)
    names = [p.path for p in spec.parameters]
    seeds = (
        list(seeds)
        if seeds is not None
        else [run_seed(spec.seed, r) for r in range(spec.replications)]
    )
    planned = len(rows) * len(seeds)
    probe = outcomes(CrisisModel(base, rng=0).run())
    schema = runs_schema(list(spec.parameters), probe)
    # the hash covers the base scenario as loaded, so a changed base is not resumed into
    digest = hashlib.sha256((text + base.model_dump_json()).encode()).hexdigest()
    store, done = Store.open(out, schema, new_manifest(source, text, digest, planned))
    todo = (r for r in plan_runs(rows, seeds) if r.run_id not in done)
    workers = workers or default_workers()
    size = chunk or auto_chunk(planned - len(done), workers)
    keys = [p.key for p in spec.parameters]
    tasks = (Task(base, keys, names, c, spec.keep) for c in chunked(todo, size))
    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=planned - len(done), unit="run", disable=not show, smoothing=0.1)

    def on_result(result: ChunkResult) -> None:
        store.write(result)
        bar.update(len(result.runs))

    try:
        execute(tasks, on_result, executor=executor, workers=workers, scheduler=scheduler)
    finally:
        bar.close()
        seconds = time.perf_counter() - t0
        counts = count_status(out)
        store.finish(seconds, counts)
    ran = sum(counts.values()) - len(done)
    return Summary(planned, ran, len(done), counts.get("failed", 0), seconds, out)


def replicate(
    base: Scenario,
    seeds: Sequence[int],
    out: Path,
    *,
    source: str,
    keep: Keep | None = None,
    **options,
) -> Summary:
    """Run ``base`` once per seed through the experiment engine, into ``out``."""
    spec = SweepSpec(base=source, replications=len(seeds), keep=keep or Keep())
    consecutive = list(seeds) == list(range(seeds[0], seeds[0] + len(seeds)))
    shown = f"{seeds[0]}..{seeds[-1]}" if consecutive else str(list(seeds))
    text = f"# replications of {source}, seeds {shown}\n{Path(source).read_text()}"
    return run_experiment(spec, base, out, source=source, text=text, seeds=seeds, **options)
