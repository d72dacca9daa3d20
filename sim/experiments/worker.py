"""What a worker does with a chunk of runs: run each, catch failures, send back compact tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.experiments.plan import RunSpec, with_values
from sim.experiments.spec import Keep
from sim.model import CrisisModel
from sim.outcomes import events_frame, outcomes, series_frame
from sim.record import Record, score_replay
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
            row |= {"status": "failed", "error": _error(err)}
        rows.append(row)
    return ChunkResult(
        chunk_id=task.runs[0].run_id,
        runs=rows,
        series=pd.concat(series, ignore_index=True) if series else None,
        events=pd.concat(events, ignore_index=True) if events else None,
    )


@dataclass
class FitTask:
    """One candidate of a calibration on one crisis: its values, run on the common seeds."""

    trial: int
    crisis: int
    base: Scenario
    record: Record
    keys: list[tuple[str, ...]]
    values: tuple
    seeds: list[int]


@dataclass
class FitResult:
    """A candidate's scores on one crisis (``ReplayScore.summary()``), or why it failed."""

    trial: int
    crisis: int
    scores: dict[str, Any] | None
    failed: int = 0
    error: str | None = None


def score_candidate(task: FitTask) -> FitResult:
    """Run the candidate on every seed and score the runs against the crisis's record.

    A run that raises fails the candidate on this crisis: counted, with the first error.
    """
    runs, failed, error = [], 0, None
    try:
        scenario = with_values(task.base, task.keys, task.values)
    except Exception as err:
        return FitResult(task.trial, task.crisis, None, len(task.seeds), _error(err))
    for seed in task.seeds:
        try:
            runs.append(CrisisModel(scenario, rng=seed).run().events)
        except Exception as err:  # a failed run is counted, never hidden
            failed, error = failed + 1, error or _error(err)
    if failed:
        return FitResult(task.trial, task.crisis, None, failed, error)
    cal = scenario.calendar
    never = cal.start + dt.timedelta(days=cal.horizon_days + 1)
    return FitResult(task.trial, task.crisis, score_replay(task.record, runs, never).summary())


def _error(err: Exception) -> str:
    why = " ".join(str(err).split())
    return f"{type(err).__name__}: {why}"
