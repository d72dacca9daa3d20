"""Sweep files: which scenario, which parameters to vary and how, how many runs, what to keep."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.experiments.designs import check_design, design_size
from sim.loading import InputError, Sources, load_document, validate, with_edits
from sim.scenario import Scenario, load_scenario


class Strict(BaseModel):
    """Base of the sweep format: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Parameter(Strict):
    """One varied parameter: its key path in the scenario, and its range or levels.

    ``bounds: [low, high]`` is the box every design samples in. The distribution shapes the
    draws inside it: ``uniform``; ``triangular`` with its ``peak``; ``normal`` or ``lognormal``
    with ``mean`` and ``sd`` (of the log, for lognormal), truncated to the bounds. ``levels``
    lists the values to try instead (grid and montecarlo designs only); booleans and text are
    allowed there. ``whole: true`` draws whole numbers (see :mod:`sim.experiments.designs`);
    a parameter that is a whole number in the scenario format is always drawn so.
    """

    path: str = Field(description="dotted key path in the scenario, e.g. unrest.contagion")
    bounds: tuple[float, float] | None = None
    levels: list[float | bool | str] | None = Field(None, min_length=1)
    distribution: Literal["uniform", "triangular", "normal", "lognormal"] = "uniform"
    peak: float | None = Field(None, description="mode of a triangular distribution")
    mean: float | None = None
    sd: float | None = Field(None, gt=0)
    whole: bool = Field(False, description="draw whole numbers (set for integer parameters)")

    @model_validator(mode="after")
    def _complete(self) -> Parameter:
        if (self.bounds is None) == (self.levels is None):
            raise ValueError("give exactly one of bounds or levels")
        if self.levels is not None and len({_kind(x) for x in self.levels}) > 1:
            raise ValueError("levels must be all numbers, all booleans or all text")
        if self.bounds is not None and not self.bounds[0] < self.bounds[1]:
            raise ValueError("bounds must be [low, high] with low < high")
        if self.distribution == "triangular" and self.peak is None:
            raise ValueError("a triangular distribution needs peak")
        if self.distribution in ("normal", "lognormal") and (self.mean is None or self.sd is None):
            raise ValueError(f"a {self.distribution} distribution needs mean and sd")
        low, high = self.bounds or (None, None)
        if self.peak is not None and low is not None and not low <= self.peak <= high:
            raise ValueError("peak must lie within bounds")
        return self

    @property
    def key(self) -> tuple[str, ...]:
        """The path as a tuple of keys."""
        return tuple(self.path.split("."))


def _kind(x: object) -> str:
    return "bool" if isinstance(x, bool) else "text" if isinstance(x, str) else "number"


class Keep(Strict):
    """What each run sends back besides its outcome record."""

    series: bool = False
    events: bool = False


class SweepSpec(Strict):
    """A sweep: base scenario, varied parameters, design, sample size, replications, seed."""

    name: str = ""
    description: str = ""
    base: str = Field(description="scenario file, relative to the sweep file")
    parameters: list[Parameter] = []
    design: Literal["grid", "lhs", "sobol", "morris", "montecarlo"] = "montecarlo"
    samples: int = Field(1, ge=1, le=10_000_000, description="design size (see docs)")
    replications: int = Field(1, ge=1, le=100_000)
    seed: int = Field(0, ge=0)
    keep: Keep = Keep()

    def problems(self) -> list[tuple[tuple, str]]:
        """Design and parameter combinations that cannot work."""
        out: list[tuple[tuple, str]] = []
        seen: set[str] = set()
        for i, p in enumerate(self.parameters):
            if p.path in seen:
                out.append((("parameters", i, "path"), f"'{p.path}' is varied twice"))
            seen.add(p.path)
            if p.levels is not None and self.design not in ("grid", "montecarlo"):
                why = f"levels need design grid or montecarlo, not {self.design}"
                out.append((("parameters", i, "levels"), why))
        if self.design in ("sobol", "morris") and len(self.parameters) < 1:
            out.append((("design",), f"a {self.design} design needs at least one parameter"))
        return out


def load_sweep(
    path: str | os.PathLike[str],
    *,
    edits: Sequence[str] = (),
    samples: int | None = None,
    replications: int | None = None,
) -> tuple[SweepSpec, Scenario, str]:
    """Read and check a sweep file and its base scenario.

    Args:
        path: The sweep file.
        edits: ``PATH=VALUE`` edits of the base scenario (``--set``).
        samples: Replaces the file's ``samples`` (``--samples``).
        replications: Replaces the file's ``replications`` (``--replications``).

    Returns:
        The spec (integer parameters marked ``whole``, their levels as ints), the validated
        base scenario and the sweep file's text.

    Raises:
        InputError: For every problem, naming the file, line and key (or the option).
    """
    data, sources = load_document(path)
    overrides = [(k, v) for k, v in (("samples", samples), ("replications", replications)) if v]
    for key, value in overrides:
        data, sources = with_edits(data, sources, [f"{key}={value}"])
        sources = _relabel(sources, (key,), f"--{key} {value}")
    spec = validate(SweepSpec, data, sources)
    base_path = Path(path).parent / spec.base
    if not base_path.exists():
        raise sources.error(("base",), f"scenario file not found: {base_path}")
    base = load_scenario(base_path, edits)
    spec = check_parameters(spec, base, sources)
    if spec.parameters:
        try:
            design_size(spec.design, len(spec.parameters), spec.samples)
            check_design(spec.design, spec.parameters, spec.samples)
        except ValueError as err:
            raise sources.error(("samples",), str(err)) from None
    return spec, base, Path(path).read_text(encoding="utf-8")


def _relabel(sources: Sources, path: tuple, label: str) -> Sources:
    return Sources(sources.file, {**dict(sources), path: (label, None)})


def runs_planned(spec: SweepSpec, replications: int | None = None) -> int:
    """Runs a sweep makes: design rows times replications (the spec's, unless given)."""
    rows = design_size(spec.design, len(spec.parameters), spec.samples, _level_counts(spec))
    return (rows if spec.parameters else 1) * (replications or spec.replications)


def _level_counts(spec: SweepSpec) -> list[int]:
    return [len(p.levels) for p in spec.parameters if p.levels is not None]


def check_parameters(spec: SweepSpec, base: Scenario, sources: Sources) -> SweepSpec:
    """Check each varied parameter against the base scenario; return the spec, types settled.

    Each path must name a number or switch of the base scenario; its bounds and levels must
    pass the scenario format's own checks. A parameter that is a whole number in the format
    is marked ``whole``: its bounds and levels must be whole numbers, and levels become ints.
    """
    settled = []
    for i, p in enumerate(spec.parameters):
        where = ("parameters", i, "path")
        current = value_at(base, p.key)
        if current is _MISSING:
            raise sources.error(where, f"'{p.path}' is not a key of the base scenario")
        if isinstance(current, BaseModel | dict | list):
            raise sources.error(where, f"'{p.path}' is not a single value")
        field = "levels" if p.levels is not None else "bounds"
        trial = p.levels if p.levels is not None else list(p.bounds or ())
        whole = p.whole or (isinstance(current, int) and not isinstance(current, bool))
        if whole:
            broken = [v for v in trial if isinstance(v, bool | str) or float(v) != int(v)]
            if broken:
                why = f"{broken[0]!r}: '{p.path}' takes whole numbers"
                raise sources.error(("parameters", i, field), why)
            p = p.model_copy(
                update={
                    "whole": True,
                    "levels": None if p.levels is None else [int(v) for v in p.levels],
                }
            )
        for value in p.levels if p.levels is not None else list(p.bounds or ()):
            problem = try_value(base, p.key, int(value) if whole else value)
            if problem:
                raise sources.error(("parameters", i, field), f"{value!r}: {problem}")
        settled.append(p)
    return spec.model_copy(update={"parameters": settled})


_MISSING = object()


def value_at(model: Any, key: tuple[str, ...]) -> Any:
    """The value at ``key`` in a scenario (or ``_MISSING``)."""
    node = model
    for part in key:
        if isinstance(node, BaseModel) and part in type(node).model_fields:
            node = getattr(node, part)
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return _MISSING
    return node


def try_value(base: Scenario, key: tuple[str, ...], value: Any) -> str:
    """Validate the base scenario with one value replaced; return the error text, if any."""
    data = base.model_dump(mode="python")
    node = data
    for part in key[:-1]:
        node = node[part]
    node[key[-1]] = value
    try:
        Scenario.model_validate(data)
    except ValidationError as err:
        return err.errors()[0]["msg"]
    return ""


__all__ = [
    "InputError",
    "Keep",
    "Parameter",
    "SweepSpec",
    "check_parameters",
    "load_sweep",
    "runs_planned",
    "try_value",
    "value_at",
]
