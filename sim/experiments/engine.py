"""Run an experiment: plan the runs, skip those already stored, execute, store, report."""

from __future__ import annotations

import hashlib
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sim.errors import Interrupted
from sim.experiments.designs import design_rows
from sim.experiments.executors import Executor, default_workers, execute
from sim.experiments.plan import chunked, plan_runs, run_seed
from sim.experiments.spec import Keep, SweepSpec, runs_planned
from sim.experiments.store import Store, count_status, new_manifest, runs_schema
from sim.experiments.worker import ChunkResult, Task
from sim.outcomes import outcome_columns
from sim.scenario import Scenario

MAX_RUNS = 1_000_000
"""Most runs the ``sim`` command starts without ``--force`` (about an hour on two cores)."""


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

    @property
    def kept(self) -> int:
        """Runs stored in the output folder, from this invocation and earlier ones."""
        return self.resumed + self.ran


def auto_chunk(runs: int, workers: int) -> int:
    """A chunk size giving each worker about 8 chunks, between 1 and 500 runs."""
    return max(1, min(500, math.ceil(runs / (workers * 8))))


def experiment_hash(spec: SweepSpec, base: Scenario, seeds: Sequence[int]) -> str:
    """What decides an experiment's results: the spec, the base scenario as loaded, the seeds."""
    scenario = base.model_dump(mode="json", exclude={"record"})  # the record decides no run
    what = json.dumps([spec.model_dump(mode="json"), scenario, list(seeds)])
    return hashlib.sha256(what.encode()).hexdigest()


def run_experiment(
    spec: SweepSpec,
    base: Scenario,
    out: Path,
    *,
    source: str,
    text: str = "",
    edits: Sequence[str] = (),
    executor: Executor = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    chunk: int | None = None,
    progress: bool | None = None,
    seeds: Sequence[int] | None = None,
    on_start: Callable[[int, int], None] | None = None,
) -> Summary:
    """Run every run of ``spec`` not yet in ``out``, writing results as they arrive.

    Replication ``r`` uses ``seeds[r]`` if given (replications of a scenario), else a seed
    derived from the spec's master seed and ``r`` (the same for every design row: common random
    numbers). ``text`` and ``edits`` (the file's text, the ``--set`` edits) go in the manifest;
    ``on_start(planned, done)`` is called once the output folder is held.

    Raises:
        StoreError: ``out`` is a file, in use, or holds another experiment's results.
        Interrupted: On Ctrl-C, after the chunks already running are stored.
    """
    t0 = time.perf_counter()
    kind = "replications" if seeds is not None else "sweep"
    if seeds is None:
        seeds = [run_seed(spec.seed, r) for r in range(spec.replications)]
    planned = runs_planned(spec, len(seeds))
    columns = outcome_columns(base)
    schema = runs_schema(list(spec.parameters), columns)
    manifest = new_manifest(
        kind=kind,
        source=source,
        record=base.record,
        hash=experiment_hash(spec, base, seeds),
        spec=spec.model_dump(mode="json"),
        seeds=_seeds_text(seeds) if kind == "replications" else None,
        edits=list(edits),
        text=text,
        runs_planned=planned,
    )
    with Store.open(out, schema, manifest) as (store, done):
        if on_start is not None:
            on_start(planned, len(done))
        rows = design_rows(spec.design, spec.parameters, spec.samples, spec.seed)
        runs = plan_runs(rows if spec.parameters else [()], seeds)
        todo = (r for r in runs if r.run_id not in done)
        workers = workers or default_workers()
        size = chunk or auto_chunk(planned - len(done), workers)
        keys, names = [p.key for p in spec.parameters], [p.path for p in spec.parameters]
        tasks = (Task(base, keys, names, c, list(columns), spec.keep) for c in chunked(todo, size))
        from tqdm import tqdm

        show = sys.stderr.isatty() if progress is None else progress
        bar = tqdm(total=planned - len(done), unit="run", disable=not show, smoothing=0.1)

        def on_result(result: ChunkResult) -> None:
            store.write(result)
            bar.update(len(result.runs))

        status = "crashed"  # unless it ends or is interrupted; the error goes on up
        try:
            execute(tasks, on_result, executor=executor, workers=workers, scheduler=scheduler)
            status = "finished"
        except KeyboardInterrupt:
            status = "interrupted"
        finally:
            bar.close()
            seconds = time.perf_counter() - t0
            counts = count_status(out)
            store.finish(seconds, counts, status)
    ran = sum(counts.values()) - len(done)
    summary = Summary(planned, ran, len(done), counts.get("failed", 0), seconds, out)
    if status == "interrupted":
        raise Interrupted(summary)
    return summary


def _seeds_text(seeds: Sequence[int]) -> str:
    consecutive = list(seeds) == list(range(seeds[0], seeds[0] + len(seeds)))
    return f"{seeds[0]}..{seeds[-1]}" if consecutive else ", ".join(map(str, seeds))


def replicate(
    base: Scenario,
    seeds: Sequence[int],
    out: Path,
    *,
    source: str,
    keep: Keep | None = None,
    edits: Sequence[str] = (),
    **options,
) -> Summary:
    """Run ``base`` once per seed through the experiment engine, into ``out``."""
    spec = SweepSpec(base=source, replications=len(seeds), keep=keep or Keep())
    text = Path(source).read_text(encoding="utf-8")
    return run_experiment(
        spec, base, out, source=source, text=text, edits=edits, seeds=seeds, **options
    )
