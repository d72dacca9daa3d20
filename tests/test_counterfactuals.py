"""Counterfactual scenarios: each validates, runs, and moves the outcomes the way it should."""

from __future__ import annotations

import statistics

import pytest

from sim.events import ACTIONS
from sim.experiments.plan import with_values
from sim.loading import InputError
from sim.model import CrisisModel
from sim.runner import run_seeds
from sim.scenario import Scenario, load_scenario
from tests.conftest import ROOT

COUNTERFACTUALS = ROOT / "scenarios" / "counterfactuals"
SEEDS = range(40)


def load(name: str) -> Scenario:
    return load_scenario(COUNTERFACTUALS / f"{name}.yaml")


def outcomes_of(name: str) -> list[dict]:
    return [r.outcomes for r in run_seeds(load(name), SEEDS)]


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


def test_nobody_offers_a_force_in_2022(historical_outcomes):
    assert {o["force_offered"] for o in historical_outcomes} == {None}
    assert not any(o["offer_declined"] for o in historical_outcomes)


def test_ots_force_is_offered_and_runs_second_to_the_csto(historical_outcomes):
    runs = outcomes_of("ots_standing_force")
    assert {o["request_to"] for o in runs} == {"csto"}
    assert {o["runner_up"] for o in runs} == {"ots"}
    assert {o["force_offered"] for o in runs} == {"ots"}
    for base, alt in zip(historical_outcomes, runs, strict=True):
        assert alt["choice_margin"] < base["choice_margin"]
        assert alt["influence_shift_turkey"] < base["influence_shift_turkey"]


def test_turkey_alone_offers_early_and_is_declined_for_the_csto(historical_outcomes):
    runs = outcomes_of("turkey_goes_alone")
    for base, alt in zip(historical_outcomes, runs, strict=True):
        assert alt["force_offered"] == "turkey" and alt["offer_declined"]
        assert alt["request_to"] == "csto" and alt["deployed_by"] == "csto"
        assert alt["influence_shift_turkey"] < base["influence_shift_turkey"]
    offered = CrisisModel(load("turkey_goes_alone"), rng=3).run()
    offer, request = (
        next(e for e in offered.events if e.action == a) for a in ("help_offered", "request_help")
    )
    assert offer.time < request.time and request.terms["terms"]["offer"] == 0.0
    # The same run with no offer: Turkey's utility at the request is lower by exactly w_offer.
    silent = with_values(
        load("turkey_goes_alone"), [("actors", "turkey", "params", "offer_violence")], [1.0]
    )
    unasked = CrisisModel(silent, rng=3).run()
    plain = next(e for e in unasked.events if e.action == "request_help")
    assert plain.time == request.time
    assert not [e for e in unasked.events if e.action == "help_offered" and e.time <= plain.time]
    w_offer = offered.scenario_spec.actors["kazakhstan"].params.w_offer
    assert request.terms["turkey"] == pytest.approx(plain.terms["turkey"] + w_offer, abs=1e-3)


def test_an_offer_can_win_the_hosts_choice():
    """The same rules with a host that values a force on offer highly: it takes Turkey's
    offer if the offer came first, and declines it if it came after the request."""
    key = ("actors", "kazakhstan", "params", "w_offer")
    scenario = with_values(load("turkey_goes_alone"), [key], [4.0])
    taken = 0
    for seed in range(20):
        m = CrisisModel(scenario, rng=seed).run()
        first = {}
        for e in m.events:
            first.setdefault(e.action, e)
        request = first["request_help"]
        if first["help_offered"].time < request.time:
            taken += 1
            assert request.target == "turkey" and first["deploy_decided"].actor == "turkey"
            assert first["troops_arrive"].terms["contributor"] == "turkey"
        else:
            assert request.target == "csto" and first["offer_declined"].target == "turkey"
    assert taken >= 10


def test_china_offers_a_force_after_the_request_and_loses_standing(historical_outcomes):
    runs = outcomes_of("china_offers_security_help")
    offered = [o for o in runs if o["force_offered"] == "china"]
    assert len(offered) >= 0.9 * len(runs)
    for base, alt in zip(historical_outcomes, runs, strict=True):
        assert alt["request_to"] == "csto" and alt["deployed_by"] == "csto"
        if alt["force_offered"]:
            assert alt["offer_declined"]
            assert alt["influence_shift_china"] < base["influence_shift_china"]


@pytest.mark.parametrize("path", sorted(COUNTERFACTUALS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_action_is_in_the_vocabulary(path):
    for seed in range(3):
        m = CrisisModel(load_scenario(path), rng=seed).run()
        assert {e.action for e in m.events} <= set(ACTIONS)


def test_the_force_the_host_asked_for_is_never_declined_nor_its_leader_passed_over():
    """A host that prefers the OTS force asks for it; Turkey, which leads it, is then answering
    that request: it offers nothing more, nothing is declined, and it loses no standing."""
    keys = [
        ("actors", "kazakhstan", "params", "w_sovereignty"),
        ("actors", "kazakhstan", "sovereignty_cost", "csto"),
    ]
    scenario = with_values(load("ots_standing_force"), keys, [3.0, 1.0])
    for seed in range(10):
        m = CrisisModel(scenario, rng=seed).run()
        actions = [e.action for e in m.events]
        request = next(e for e in m.events if e.action == "request_help")
        assert request.target == "ots"
        assert "offer_declined" not in actions
        assert next(e for e in m.events if e.action == "troops_arrive").actor == "ots"
        shift = m.states["turkey"].influence - m.series[0]["influence"]["turkey"]
        assert shift >= 0, [e.narrative() for e in m.events if e.actor == "kazakhstan"]


def test_host_asks_forces_the_first_request_and_host_never_asks_removes_options(historical):
    forced = with_values(historical, [("switches", "host_asks")], ["russia"])
    m = CrisisModel(forced, rng=1).run()
    request = next(e for e in m.events if e.action == "request_help")
    assert request.target == "russia" and request.terms["forced"] is True
    assert "switch host_asks" in request.reason and "best by utility: csto" in request.reason
    barred = with_values(historical, [("switches", "host_never_asks")], [["csto"]])
    runs = [CrisisModel(barred, rng=s).run() for s in range(5)]
    for m in runs:
        request = next(e for e in m.events if e.action == "request_help")
        assert request.target == "russia" and "csto" not in request.terms


@pytest.mark.parametrize(
    "edit, message",
    [
        ("switches.host_asks=atlantis", "'atlantis' is not a provider the host can ask"),
        ("switches.host_asks=kazakhstan", "'kazakhstan' is not a provider the host can ask"),
        ("switches.host_never_asks=[csto, belarus]", "'belarus' is not a provider"),
    ],
)
def test_choice_switches_name_providers(edit, message):
    with pytest.raises(InputError, match=message):
        load_scenario(ROOT / "scenarios" / "historical.yaml", [edit])
    both = ["switches.host_asks=csto", "switches.host_never_asks=[csto]"]
    with pytest.raises(InputError, match="also listed in host_never_asks"):
        load_scenario(ROOT / "scenarios" / "historical.yaml", both)
