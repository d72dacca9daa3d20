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
