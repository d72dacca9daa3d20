"""Counterfactual scenarios: each validates, runs, and moves the outcomes the way it should."""

from __future__ import annotations

import statistics

import pytest

from sim.loading import load_model
from sim.runner import run_seeds
from sim.scenario import Scenario
from tests.conftest import ROOT

COUNTERFACTUALS = ROOT / "scenarios" / "counterfactuals"
SEEDS = range(40)


def outcomes_of(name: str) -> list[dict]:
    scenario = load_model(Scenario, COUNTERFACTUALS / f"{name}.yaml")
    return [r.outcomes for r in run_seeds(scenario, SEEDS)]


@pytest.fixture(scope="module")
def historical_outcomes(historical) -> list[dict]:
    return [r.outcomes for r in run_seeds(historical, SEEDS)]


@pytest.mark.parametrize("path", sorted(COUNTERFACTUALS.glob("*.yaml")), ids=lambda p: p.stem)
def test_each_counterfactual_says_what_it_asks_and_extends_the_historical(path):
    text = path.read_text()
    assert text.startswith("# What if"), "the header names the question"
    assert "extends: ../historical.yaml" in text
    assert "article" in text.split("extends:")[0], "the header names the article's section"


def test_no_outside_help_means_no_request_and_no_foreign_troops():
    for o in outcomes_of("no_outside_help"):
        assert o["request_to"] is None and o["peak_foreign_troops"] == 0


def test_moscow_hesitates_means_later_arrival(historical_outcomes):
    late = outcomes_of("moscow_hesitates")
    for base, alt in zip(historical_outcomes, late, strict=True):
        assert alt["arrival_day"] > base["arrival_day"]
    assert statistics.median(o["casualty_index"] for o in late) > statistics.median(
        o["casualty_index"] for o in historical_outcomes
    )


def test_russia_stays_means_a_longer_presence(historical_outcomes):
    stays = outcomes_of("russia_stays")
    for base, alt in zip(historical_outcomes, stays, strict=True):
        assert alt["refused_to_leave"] and alt["withdrawal_end_day"] is None
        assert alt["troop_days"] > base["troop_days"]


def test_peaceful_protests_stay_civil():
    for o in outcomes_of("peaceful_protests"):
        assert o["casualty_index"] == 0 and o["request_to"] is None


def test_ots_standing_force_runs_and_keeps_the_csto_the_first_choice():
    runs = outcomes_of("ots_standing_force")
    assert {o["request_to"] for o in runs} == {"csto"}
