"""The unrest field's update on numpy vectors gives the plain loop's results, bit for bit."""

from __future__ import annotations

import pytest

from sim.agents import unrest_arrays
from sim.model import CrisisModel
from sim.scenario import load_scenario
from tests import golden

SEEDS = range(1, 11)


@pytest.mark.parametrize("path", golden.shipped())
def test_the_update_on_vectors_gives_the_loops_results_bit_for_bit(path, monkeypatch) -> None:
    scenario = load_scenario(golden.ROOT / path)
    loop = [CrisisModel(scenario, rng=s).run() for s in SEEDS]
    monkeypatch.setattr(unrest_arrays, "ARRAYS_ABOVE", 0)
    vectors = [CrisisModel(scenario, rng=s).run() for s in SEEDS]
    assert all(m.field.vectors is None for m in loop)
    assert all(m.field.vectors is not None for m in vectors)
    assert [golden.run_digest(m) for m in vectors] == [golden.run_digest(m) for m in loop]


def _waved() -> list:
    """Scenarios whose later waves change grievance, danger or the fronts during the run."""
    from tests.test_waves import BORDER_WAR, SOLOMONS, wave, with_waves

    war, solomons = load_scenario(BORDER_WAR), load_scenario(SOLOMONS)
    return [
        with_waves(war, wave(war, 10, ["corran_coast"], 0.5, days=4)),
        with_waves(
            war,
            wave(war, 6, ["corran_coast"], 0.4, days=3),
            kind="spillover",
            attacker=None,
            duration_days=2,
        ),
        with_waves(
            solomons, wave(solomons, 5, ["malaita"], 0.3), wave(solomons, 9, ["honiara"], 0.4)
        ),
    ]


@pytest.mark.parametrize("scenario", _waved(), ids=["front", "danger", "grievance"])
def test_the_update_on_vectors_follows_the_waves_as_the_loop_does(scenario, monkeypatch) -> None:
    loop = [golden.run_digest(CrisisModel(scenario, rng=s).run()) for s in SEEDS]
    monkeypatch.setattr(unrest_arrays, "ARRAYS_ABOVE", 0)
    assert [golden.run_digest(CrisisModel(scenario, rng=s).run()) for s in SEEDS] == loop
