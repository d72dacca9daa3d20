"""Run a scenario once or over many seeds, summarise the outcomes, write the tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.events import Event
from sim.model import CrisisModel
from sim.outcomes import outcomes
from sim.scenario import Scenario


@dataclass
class RunResult:
    """One finished run: its seed, events, outcome record and the model (for series)."""

    seed: int
    events: list[Event]
    outcomes: dict[str, Any]
    model: CrisisModel


def run_one(scenario: Scenario, seed: int) -> RunResult:
    """Run ``scenario`` to its horizon with ``seed``."""
    model = CrisisModel(scenario, rng=seed).run()
    return RunResult(seed, model.events, outcomes(model), model)


def seeds_from(seed: int, n: int) -> list[int]:
    """The seeds of ``n`` replications starting at ``seed`` (``seed``, ``seed+1``, ...)."""
    return list(range(seed, seed + n))


def replicate(scenario: Scenario, seeds: Iterable[int]) -> list[RunResult]:
    """Run ``scenario`` once per seed."""
    return [run_one(scenario, s) for s in seeds]


def summarise(records: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Medians and 90% intervals of numeric outcomes; shares of each value of the others.

    Returns a table with columns outcome, kind, value, median, q05, q95, share, n.
    """
    df = pd.DataFrame(list(records))
    rows = []
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
            counts = s.fillna("none").astype(str).value_counts()
            for val, c in sorted(counts.items()):
                rows.append((col, "share", val, None, None, None, c / len(s), len(s)))
            continue
        x = s.dropna().to_numpy(dtype=float)
        if len(x) == 0:
            rows.append((col, "number", None, None, None, None, 0.0, len(s)))
            continue
        q05, med, q95 = np.quantile(x, [0.05, 0.5, 0.95])
        rows.append((col, "number", None, med, q05, q95, len(x) / len(s), len(s)))
    return pd.DataFrame(
        rows, columns=["outcome", "kind", "value", "median", "q05", "q95", "share", "n"]
    )
