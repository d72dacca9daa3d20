"""Global sensitivity indices of a sweep's outcome, through SALib.

A Sobol design gives first-order and total indices; a Morris design gives the elementary
effects' mean of absolute values (mu*) and spread (sigma). Replications of a design row are
averaged first, so the indices describe the expected outcome.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.conditions import AnalysisError, finished, numeric, sweep_of
from sim.experiments.designs import MORRIS_LEVELS, salib_problem


def sobol_indices(
    tables: dict[str, Any], outcome: str, *, conf_level: float = 0.95, seed: int = 0
) -> pd.DataFrame:
    """First-order and total Sobol indices of ``outcome`` with their confidence half-widths.

    Args:
        tables: An experiment's tables (``sim.experiments.load``) from a sobol design.
        outcome: An outcome column or expression (see ``sim.experiments.conditions``).
        conf_level: Confidence level of the bootstrap intervals.
        seed: Seed of SALib's bootstrap.

    Returns:
        One row per parameter: parameter, S1, S1_conf, ST, ST_conf.
    """
    from SALib.analyze import sobol

    problem, _, y = _design_means(tables, outcome, "sobol")
    si = sobol.analyze(problem, y, calc_second_order=False, conf_level=conf_level, seed=seed)
    cols = ("S1", "S1_conf", "ST", "ST_conf")
    return pd.DataFrame({"parameter": problem["names"], **{c: si[c] for c in cols}})


def morris_indices(
    tables: dict[str, Any], outcome: str, *, conf_level: float = 0.95, seed: int = 0
) -> pd.DataFrame:
    """Morris elementary-effect statistics of ``outcome``.

    Args:
        tables: An experiment's tables from a morris design.
        outcome: An outcome column or expression.
        conf_level: Confidence level of the bootstrap interval of mu*.
        seed: Seed of SALib's bootstrap.

    Returns:
        One row per parameter: parameter, mu, mu_star, mu_star_conf, sigma.
    """
    from SALib.analyze import morris

    problem, x, y = _design_means(tables, outcome, "morris")
    si = morris.analyze(problem, x, y, num_levels=MORRIS_LEVELS, conf_level=conf_level, seed=seed)
    cols = ("mu", "mu_star", "mu_star_conf", "sigma")
    return pd.DataFrame({"parameter": problem["names"], **{c: np.asarray(si[c]) for c in cols}})


def _design_means(
    tables: dict[str, Any], outcome: str, design: str
) -> tuple[dict, np.ndarray, np.ndarray]:
    """The SALib problem, the design rows and the outcome averaged over replications."""
    spec = sweep_of(tables["manifest"])
    if spec.design != design:
        raise AnalysisError(f"{design} indices need a {design} design; this sweep is {spec.design}")
    planned = tables["manifest"]["runs_planned"] // spec.replications
    present = tables["runs"].sample_id.nunique()
    if present < planned:
        raise AnalysisError(
            f"only {present} of {planned} design rows have results; resume the sweep first"
        )
    runs = finished(tables["runs"])
    if runs.sample_id.nunique() < planned:
        lost = planned - runs.sample_id.nunique()
        raise AnalysisError(f"{lost} design rows failed in every replication; see their errors")
    y = pd.Series(numeric(runs, outcome), index=runs.index).groupby(runs.sample_id).mean()
    names = [p.path for p in spec.parameters]
    x = runs.groupby("sample_id")[names].first().to_numpy(dtype=float)
    return salib_problem(list(spec.parameters)), x, y.to_numpy()
