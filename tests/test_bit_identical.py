"""Every shipped scenario gives, over 200 seeds, the results recorded in golden_digests.json."""

from __future__ import annotations

import json

from sim.model import CrisisModel
from sim.scenario import load_scenario
from tests import golden


def test_every_shipped_scenario_is_recorded() -> None:
    assert sorted(json.loads(golden.FILE.read_text())) == golden.shipped()


def test_runs_are_bit_identical_to_the_recorded_digests() -> None:
    recorded = json.loads(golden.FILE.read_text())
    now = golden.digests(sorted(recorded))
    changed = [p for p in recorded if now[p] != recorded[p]]
    assert not changed, f"results changed in {changed}: see tests/golden.py"


def test_the_digest_sees_a_change_in_one_term_of_one_event() -> None:
    model = CrisisModel(load_scenario(golden.ROOT / "scenarios/historical.yaml"), rng=1).run()
    before = golden.run_digest(model)
    model.events[-1].terms["changed"] = 1e-12
    assert golden.run_digest(model) != before
