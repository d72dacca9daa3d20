"""Scenario discovery: where in parameter space a condition on the outcomes holds.

PRIM (the patient rule induction method, from EMA Workbench) peels the box of swept
parameters step by step towards the runs where the condition holds, trading coverage (the
share of those runs inside the box) for density (the share of the box's runs where it holds).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.conditions import AnalysisError, condition, finished, sweep_of


@dataclass(frozen=True)
class PrimResult:
    """A PRIM peeling trajectory and the box chosen on it.

    Attributes:
        condition: The condition searched for.
        runs: Runs analysed.
        positives: Runs where the condition holds.
        trajectory: One row per peeling step: step, coverage, density, mass, res_dim.
        chosen: The step of the chosen box.
        limits: The chosen box's restricted parameters: parameter, low, high, levels (text
            parameters: the levels kept), range_low, range_high (the swept range).
    """

    condition: str
    runs: int
    positives: int
    trajectory: pd.DataFrame
    chosen: int
    limits: pd.DataFrame

    @property
    def box(self) -> pd.Series:
        """Coverage, density, mass and restricted dimensions of the chosen box."""
        return self.trajectory.set_index("step").loc[self.chosen]


def prim_boxes(
    tables: dict[str, Any], where: str, *, min_density: float = 0.8, mass_min: float = 0.05
) -> PrimResult:
    """Find the box of swept parameters where ``where`` holds.

    Args:
        tables: An experiment's tables (``sim.experiments.load``) from a sweep.
        where: A condition on the runs, e.g. ``"request_to == 'ots'"``.
        min_density: The chosen box is the one of highest coverage among those whose density
            reaches this; if none does, the densest.
        mass_min: The smallest share of runs a box may keep.

    Returns:
        The trajectory and the chosen box.
    """
    spec = sweep_of(tables["manifest"])
    names = [p.path for p in spec.parameters]
    if not names:
        raise AnalysisError("the sweep varied no parameter")
    runs = finished(tables["runs"])
    y = condition(runs, where)
    hits = int(y.sum())
    if hits in (0, len(y)):
        held = "none" if hits == 0 else "all"
        raise AnalysisError(f"{where!r} holds in {held} of {len(y)} runs: nothing to discover")
    x = runs[names].reset_index(drop=True)
    for col in names:
        if not pd.api.types.is_numeric_dtype(x[col]) or pd.api.types.is_bool_dtype(x[col]):
            x[col] = x[col].astype(str).astype("category")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # EMA Workbench warns about optional extras it lacks
        from ema_workbench.analysis import prim

        box = prim.Prim(x, y, mass_min=mass_min).find_box()
    trajectory = box.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].copy()
    trajectory.insert(0, "step", range(len(trajectory)))
    density, coverage = trajectory.density.to_numpy(), trajectory.coverage.to_numpy()
    dense = np.flatnonzero(density >= min_density)
    chosen = int(dense[coverage[dense].argmax()]) if len(dense) else int(density.argmax())
    limits = _limits(box.box_lims[chosen], box.box_lims[0], names)
    return PrimResult(where, len(y), hits, trajectory, chosen, limits)


def _limits(box: pd.DataFrame, full: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """The parameters a box restricts, with its limits and the full range."""
    rows = []
    for name in names:
        lo, hi = box[name].iloc[0], box[name].iloc[1]
        if isinstance(lo, set):
            if lo != full[name].iloc[0]:
                levels = ", ".join(sorted(map(str, lo)))
                rows.append((name, np.nan, np.nan, levels, np.nan, np.nan))
        elif (lo, hi) != (full[name].iloc[0], full[name].iloc[1]):
            rows.append((name, lo, hi, None, full[name].iloc[0], full[name].iloc[1]))
    columns = ["parameter", "low", "high", "levels", "range_low", "range_high"]
    return pd.DataFrame(rows, columns=columns)
