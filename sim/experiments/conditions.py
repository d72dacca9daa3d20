"""Outcomes and conditions named by expressions over a runs table.

An expression is a column name (``casualty_index``) or a pandas expression over the columns
(``request_to == 'ots'``, ``arrival_day - request_day``); parameter columns, whose names hold
dots, go in backticks (```actors.russia.force.transport_days` * 2``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from sim.errors import AnalysisError
from sim.experiments.spec import SweepSpec


def finished(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs that ended without error (all rows if the table has no status column)."""
    return runs[runs["status"] == "ok"] if "status" in runs.columns else runs


def evaluate(runs: pd.DataFrame, expression: str) -> pd.Series:
    """The value of ``expression`` for every run."""
    if expression in runs.columns:
        return runs[expression]
    try:
        value = runs.eval(expression, engine="python")
    except Exception as err:  # pandas raises many kinds; all mean the same to the user
        raise AnalysisError(f"cannot evaluate {expression!r}: {err}") from None
    if not isinstance(value, pd.Series):
        raise AnalysisError(f"{expression!r} gives one value, not a value per run")
    return value


def numeric(runs: pd.DataFrame, expression: str) -> np.ndarray:
    """A numeric outcome per run (a condition counts 1 where it holds)."""
    value = evaluate(runs, expression)
    if pd.api.types.is_bool_dtype(value):
        return value.to_numpy(dtype=float)
    if not pd.api.types.is_numeric_dtype(value):
        example = value.dropna().iloc[0] if value.notna().any() else "x"
        raise AnalysisError(
            f'{expression!r} is not a number; give a condition, e.g. "{expression} == '
            f"'{example}'\""
        )
    missing = int(value.isna().sum())
    if missing:
        raise AnalysisError(
            f"{expression!r} is missing in {missing} of {len(value)} runs (the event never "
            f"happened); analyse a condition such as '{expression}.isna()' instead"
        )
    return value.to_numpy(dtype=float)


def condition(runs: pd.DataFrame, expression: str) -> np.ndarray:
    """A true/false condition per run."""
    value = evaluate(runs, expression)
    if not pd.api.types.is_bool_dtype(value):
        raise AnalysisError(
            f"{expression!r} is not a condition (true or false per run), e.g. "
            "\"request_to == 'ots'\""
        )
    return value.to_numpy(dtype=bool)


def sweep_of(manifest: dict[str, Any]) -> SweepSpec:
    """The sweep that made an experiment directory, from its manifest."""
    if manifest.get("kind") != "sweep":
        raise AnalysisError(
            "these results are replications of a scenario, not a sweep: nothing was varied"
        )
    try:
        return SweepSpec.model_validate(manifest["spec"])
    except (ValidationError, KeyError, TypeError):
        raise AnalysisError("the manifest does not hold a sweep this version can read") from None
