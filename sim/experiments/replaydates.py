"""The dates a crisis's replay targets take over seeds: the model, its baselines, good fits.

What ``sim plot replay`` draws: per target, each run's first matching date, for the model at the
files' values, for each baseline of ``sim.baselines`` and, where a calibration is given, for the
model at its good parameter sets (those within a share of the best loss), pooled over the sets.
A leave-one-out calibration gives the sets fitted without the crisis drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.baselines import BASELINES
from sim.errors import InputError
from sim.events import Event
from sim.experiments.calibrate import LEFT_OUT, TRIALS, is_good_fit, whole_batches
from sim.experiments.fitspec import is_number
from sim.experiments.plan import with_values
from sim.experiments.spec import value_at
from sim.record import Record
from sim.runner import run_seeds
from sim.scenario import Scenario


@dataclass(frozen=True)
class GoodFits:
    """Good parameter sets of one calibration log, the best first."""

    fitted_on: list[str]  # the crises the calibration was fitted to
    left_out: bool  # fitted without the crisis drawn
    values: list[dict[str, float]]

    def label(self, within: float) -> str:
        """What the sets are, for a title."""
        on = self.fitted_on
        others = ", ".join(on) if len(on) <= 3 else f"{len(on)} other crises"
        kind = f"fitted without this crisis (on {others})" if self.left_out else "in-sample"
        return f"{len(self.values)} set(s) {kind}, loss within {within:.0%} of the best"


@dataclass(frozen=True)
class ReplayDates:
    """First dates per run (rows) and target id (columns), NaT where a run never matches."""

    model: pd.DataFrame
    baselines: dict[str, pd.DataFrame]
    fits: pd.DataFrame | None


def first_dates(record: Record, runs: Sequence[Sequence[Event]]) -> pd.DataFrame:
    """Each run's first date matching each target (``Target.first_match``), NaT if none."""
    return pd.DataFrame(
        {
            t.id: pd.to_datetime([getattr(t.first_match(r), "date", None) for r in runs])
            for t in record.targets
        },
        index=pd.RangeIndex(len(runs), name="run"),
    )


def calibration_log(folder: Path, crisis: str) -> Path:
    """The log to draw good fits from for ``crisis``.

    ``folder`` is a ``sim calibrate`` output folder: the fit that left ``crisis`` out where the
    folder holds a leave-one-out (or is its ``leave_one_out`` folder), else the fit itself.
    """
    for log in (folder / LEFT_OUT / crisis / TRIALS, folder / crisis / TRIALS, folder / TRIALS):
        if log.is_file():
            return log
    raise InputError(
        str(folder), f"holds no calibration log ({TRIALS}, or {LEFT_OUT}/{crisis}/{TRIALS})"
    )


def good_fits(folder: Path, scenario: Scenario, within: float, most: int) -> GoodFits:
    """At most ``most`` of the logged trials within ``within`` of the best loss, best first.

    Only the values the scenario has are kept; a log that fits none of them, or is not a
    calibration log, is refused.
    """
    log = calibration_log(folder, scenario.name)
    try:
        scored = sorted(
            (
                (float(r["value"]), r["trial"], r)
                for r in whole_batches(log)
                if r["state"] == "COMPLETE" and r["value"] is not None
            ),
            key=lambda x: x[:2],
        )
        sets = [
            _values_of(scenario, r["params"], log)
            for loss, _, r in scored
            if is_good_fit(loss, scored[0][0], within)
        ][:most]
        fitted_on = list(scored[0][2]["user_attrs"]["crises"]) if scored else []
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise InputError(
            str(log), f"is not a calibration log ({type(err).__name__}: {err})"
        ) from None
    if not scored:
        raise InputError(str(log), "has no scored trial yet")
    return GoodFits(fitted_on, scenario.name not in fitted_on, sets)


def _values_of(scenario: Scenario, params: dict, log: Path) -> dict[str, float]:
    """The fitted values the scenario has, checked to be numbers."""
    out = {}
    for path, value in params.items():
        if is_number(value_at(scenario, tuple(path.split(".")))):
            if not is_number(value):
                raise InputError(str(log), f"{path}: {value!r} is not a number")
            out[path] = value
    if not out:
        raise InputError(str(log), f"fits none of the values of {scenario.name}")
    return out


def at_values(scenario: Scenario, values: dict[str, float]) -> Scenario:
    """``scenario`` with the fitted values (each a value it has)."""
    return with_values(scenario, [tuple(k.split(".")) for k in values], list(values.values()))


def replay_dates(
    scenario: Scenario,
    record: Record,
    seeds: Sequence[int],
    fits: GoodFits | None = None,
) -> ReplayDates:
    """The targets' first dates: the model's, each baseline's and, given ``fits``, theirs."""
    runs = [r.events for r in run_seeds(scenario, seeds)]
    baselines = {
        name: first_dates(record, make(runs, scenario)) for name, make in BASELINES.items()
    }
    pooled = None
    if fits is not None:
        at = [r.events for v in fits.values for r in run_seeds(at_values(scenario, v), seeds)]
        pooled = first_dates(record, at)
    return ReplayDates(first_dates(record, runs), baselines, pooled)
