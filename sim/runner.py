"""Run a scenario in this process, once or over a few seeds, keeping the models in memory.

For many runs, on disk and in parallel, use ``sim.experiments``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

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


def run_seeds(scenario: Scenario, seeds: Iterable[int]) -> list[RunResult]:
    """Run ``scenario`` once per seed, in this process, keeping every model in memory."""
    return [run_one(scenario, s) for s in seeds]
