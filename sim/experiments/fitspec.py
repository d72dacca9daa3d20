"""Calibration files: which crises, which free parameters in which ranges, what budget and loss."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from sim.experiments.spec import Strict, try_value, value_at
from sim.loading import load_document, validate
from sim.record import Record, checked_record
from sim.scenario import Scenario, load_scenario

CRISES = Path(__file__).resolve().parents[2] / "scenarios" / "crises"
"""The library of crises a calibration fits when its file names none."""


class FitParameter(Strict):
    """A free parameter: its dotted path (in every crisis that has it) and the box to search."""

    path: str = Field(description="dotted key path, e.g. behaviour.unrest.suppression")
    bounds: tuple[float, float]
    whole: bool = Field(False, description="whole numbers (set for integer parameters)")

    @model_validator(mode="after")
    def _ordered(self) -> FitParameter:
        if not self.bounds[0] < self.bounds[1]:
            raise ValueError("bounds must be [low, high] with low < high")
        return self

    @property
    def key(self) -> tuple[str, ...]:
        """The path as a tuple of keys."""
        return tuple(self.path.split("."))


class Loss(Strict):
    """Weights of the loss terms, each a mean over the crises.

    ``miss``: 1 - the replay score (+/-1 day); ``brier``: the Brier score (targets' occurrence,
    forbidden events' absence); ``crps``: the CRPS of the targets' dates over the crisis's
    horizon in days (0 to about 1); ``forbidden``: the largest share of runs with one forbidden
    event (a record's "this did not happen" weighs as much as a whole replay score at 1).
    """

    miss: float = Field(1.0, ge=0)
    brier: float = Field(1.0, ge=0)
    crps: float = Field(1.0, ge=0)
    forbidden: float = Field(1.0, ge=0)


class CalibrationSpec(Strict):
    """A calibration: crises, free parameters, common seeds, sampler and budget, loss."""

    name: str = ""
    description: str = ""
    crises: list[str] = Field(
        [], description="scenario files, relative to this file (default: all of scenarios/crises)"
    )
    parameters: list[FitParameter] = Field(min_length=1)
    seeds: int = Field(20, ge=1, le=10_000, description="common seeds for every candidate")
    first_seed: int = Field(1, ge=0)
    trials: int = Field(
        100, ge=1, le=100_000, description="candidates to evaluate, the start values first"
    )
    batch: int = Field(2, ge=1, le=256, description="candidates asked and evaluated together")
    sampler: Literal["tpe", "cmaes"] = "tpe"
    seed: int = Field(0, ge=0, description="the sampler's seed")
    loss: Loss = Loss()
    good_within: float = Field(
        0.05, gt=0, description="a good fit: loss within this share of the best"
    )


@dataclass(frozen=True)
class Crisis:
    """A crisis to fit: its file, scenario and record."""

    path: str
    scenario: Scenario
    record: Record

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.scenario.name


def load_calibration(path: str | os.PathLike[str]) -> tuple[CalibrationSpec, list[Crisis], str]:
    """Read and check a calibration file and its crises.

    Each parameter must name a number in at least one crisis, and its bounds must pass the
    scenario format's checks in every crisis that has it.

    Raises:
        InputError: For every problem, naming the file, line and key.
    """
    data, sources = load_document(path)
    spec = validate(CalibrationSpec, data, sources)
    here = Path(path).parent
    files = [here / c for c in spec.crises] or sorted(CRISES.glob("*.yaml"))
    crises = []
    for i, f in enumerate(files):
        if not f.exists():
            raise sources.error(("crises", i), f"scenario file not found: {f}")
        scenario = load_scenario(f)
        if scenario.record is None:
            raise sources.error(("crises", i), f"{f} names no record to fit")
        record = checked_record(scenario.record)
        crises.append(Crisis(str(f), scenario, record))
    seen: set[str] = set()
    settled = []
    for i, p in enumerate(spec.parameters):
        if p.path in seen:
            raise sources.error(("parameters", i, "path"), f"'{p.path}' is fitted twice")
        seen.add(p.path)
        having = [c for c in crises if is_number(value_at(c.scenario, p.key))]
        if not having:
            raise sources.error(("parameters", i, "path"), f"'{p.path}' is no number of the crises")
        starts = {c.name: value_at(c.scenario, p.key) for c in having}
        if len(set(starts.values())) > 1:
            shown = ", ".join(f"{k} {v:g}" for k, v in starts.items())
            why = f"'{p.path}' differs between the crises ({shown}): fit it in each alone"
            raise sources.error(("parameters", i, "path"), why)
        start = starts[having[0].name]
        if not p.bounds[0] <= start <= p.bounds[1]:
            why = f"the start value {start:g} ({having[0].name}) lies outside the bounds"
            raise sources.error(("parameters", i, "bounds"), why)
        whole = isinstance(value_at(having[0].scenario, p.key), int)
        if whole and any(b != int(b) for b in p.bounds):
            raise sources.error(("parameters", i, "bounds"), f"'{p.path}' takes whole numbers")
        for c in having:
            for b in p.bounds:
                problem = try_value(c.scenario, p.key, int(b) if whole else b)
                if problem:
                    raise sources.error(
                        ("parameters", i, "bounds"), f"{b:g} in {c.name}: {problem}"
                    )
        settled.append(p.model_copy(update={"whole": whole or p.whole}))
    spec = spec.model_copy(update={"parameters": settled})
    return spec, crises, Path(path).read_text(encoding="utf-8")


def is_number(x: object) -> bool:
    """Whether ``x`` is a number (not a switch)."""
    return isinstance(x, int | float) and not isinstance(x, bool)
