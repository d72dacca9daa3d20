"""What a worker does with a chunk of runs: run each, catch failures, send back compact tables."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from sim.experiments.plan import RunSpec, with_values
from sim.experiments.spec import Keep
from sim.model import CrisisModel
from sim.outcomes import events_frame, outcomes, series_frame
from sim.scenario import Scenario


@dataclass
class Task:
    """A chunk of runs of one base scenario."""

    base: Scenario
    keys: list[tuple[str, ...]]
    names: list[str]
    runs: list[RunSpec]
    columns: list[str]
    keep: Keep = field(default_factory=Keep)


@dataclass
class ChunkResult:
    """The tables of a chunk: one row per run, and the series and events if kept."""

    chunk_id: int
    runs: list[dict]
    series: pd.DataFrame | None = None
    events: pd.DataFrame | None = None


def run_chunk(task: Task) -> ChunkResult:
    """Run every run of ``task``; a run that raises is recorded as failed, with its error."""
    rows, series, events = [], [], []
    scenario, values = task.base, None
    for run in task.runs:
        row = {
            "run_id": run.run_id,
            "sample_id": run.sample_id,
            "replication": run.replication,
            "seed": run.seed,
            **dict(zip(task.names, run.values, strict=True)),
        }
        try:
            if run.values != values:
                scenario, values = with_values(task.base, task.keys, run.values), run.values
            model = CrisisModel(scenario, rng=run.seed).run()
            record = outcomes(model)
            if list(record) != task.columns:
                raise ValueError(f"outcome columns {list(record)} differ from the experiment's")
            row |= {"status": "ok", "error": None, **record}
            if task.keep.series:
                series.append(series_frame(model).assign(run_id=run.run_id))
            if task.keep.events:
                events.append(events_frame(model).assign(run_id=run.run_id))
        except Exception as err:  # a failed run must not stop the sweep
            why = " ".join(str(err).split())
            row |= {"status": "failed", "error": f"{type(err).__name__}: {why}"}
        rows.append(row)
    return ChunkResult(
        chunk_id=task.runs[0].run_id,
        runs=rows,
        series=pd.concat(series, ignore_index=True) if series else None,
        events=pd.concat(events, ignore_index=True) if events else None,
    )
