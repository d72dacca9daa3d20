"""The dates a crisis's replay targets take over seeds: the model, its baselines, good fits.

What ``sim plot replay`` draws: per target, each run's first matching date, for the model at the
files' values, for each baseline of ``sim.baselines`` and, where a calibration is given, for the
model at its good parameter sets (those within a share of the best loss), pooled over the sets.
A leave-one-out calibration gives the sets fitted without the crisis drawn.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.baselines import BASELINES
from sim.errors import InputError
from sim.events import Event
from sim.experiments.calibrate import TRIALS, whole_batches
from sim.experiments.fitspec import is_number
from sim.experiments.plan import with_values
from sim.experiments.spec import value_at
from sim.record import Record
from sim.runner import run_seeds
from sim.scenario import Scenario

LEFT_OUT = "leave_one_out"
"""The folder of a calibration's leave-one-out fits (one per crisis left out)."""


@dataclass(frozen=True)
class GoodFits:
    """Good parameter sets of one calibration log, the best first."""

    folder: Path
    left_out: bool  # fitted without the crisis drawn
    values: list[dict[str, float]]
    losses: list[float]
    trials: int  # scored trials in the log

    def label(self, within: float) -> str:
        """What the sets are, for a title."""
        kind = "fitted without this crisis" if self.left_out else "in-sample"
        return f"{len(self.values)} set(s) {kind}, loss within {within:.0%} of the best"


@dataclass(frozen=True)
class ReplayDates:
    """First dates per run (rows) and target id (columns), NaT where a run never matches."""

    model: pd.DataFrame
    baselines: dict[str, pd.DataFrame]
    fits: pd.DataFrame | None
    good: GoodFits | None


def first_dates(record: Record, runs: Sequence[Sequence[Event]]) -> pd.DataFrame:
    """Each run's first date matching each target (``Target.first_match``), NaT if none."""
    return pd.DataFrame(
        {
            t.id: pd.to_datetime([getattr(t.first_match(r), "date", None) for r in runs])
            for t in record.targets
        },
        index=pd.RangeIndex(len(runs), name="run"),
    )


def calibration_log(folder: Path, crisis: str) -> tuple[Path, bool]:
    """The log to draw good fits from for ``crisis``, and whether it was fitted without it.

    ``folder`` is a ``sim calibrate`` output folder: the fit that left ``crisis`` out where the
    folder holds a leave-one-out (or is its ``leave_one_out`` folder), else the fit itself.
    """
    for fold in (folder / LEFT_OUT / crisis, folder / crisis):
        if (fold / TRIALS).is_file():
            return fold / TRIALS, True
    if (folder / TRIALS).is_file():
        return folder / TRIALS, False
    raise InputError(
        str(folder), f"holds no calibration log ({TRIALS}, or {LEFT_OUT}/{crisis}/{TRIALS})"
    )


def good_fits(folder: Path, crisis: str, within: float, most: int) -> GoodFits:
    """At most ``most`` of the logged trials within ``within`` of the best loss, best first."""
    log, left_out = calibration_log(folder, crisis)
    try:
        rows = whole_batches(log)
    except (json.JSONDecodeError, KeyError, TypeError) as err:
        raise InputError(str(log), f"is not a calibration log ({err})") from None
    scored = sorted(
        (r for r in rows if r["state"] == "COMPLETE" and r["value"] is not None),
        key=lambda r: (r["value"], r["trial"]),
    )
    if not scored:
        raise InputError(str(log), "has no scored trial yet")
    bar = scored[0]["value"] * (1 + within)
    good = [r for r in scored if r["value"] <= bar][:most]
    return GoodFits(
        log.parent, left_out, [r["params"] for r in good], [r["value"] for r in good], len(scored)
    )


def at_values(scenario: Scenario, values: dict[str, float]) -> Scenario:
    """``scenario`` with the fitted values it has (a value it lacks is left out)."""
    keys = [tuple(k.split(".")) for k in values]
    keys = [k for k in keys if is_number(value_at(scenario, k))]
    return with_values(scenario, keys, [values[".".join(k)] for k in keys])


def replay_dates(
    scenario: Scenario,
    record: Record,
    seeds: Sequence[int],
    good: GoodFits | None = None,
) -> ReplayDates:
    """The targets' first dates: the model's, each baseline's and, given ``good``, the fits'."""
    runs = [r.events for r in run_seeds(scenario, seeds)]
    baselines = {
        name: first_dates(record, make(runs, scenario)) for name, make in BASELINES.items()
    }
    fits = None
    if good is not None:
        pooled = [r.events for v in good.values for r in run_seeds(at_values(scenario, v), seeds)]
        fits = first_dates(record, pooled)
    return ReplayDates(first_dates(record, runs), baselines, fits, good)
