"""Counterfactual scenarios: each validates, runs, and moves the outcomes the way it should."""

from __future__ import annotations

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


def test_moscow_hesitates_means_less_help_and_no_fewer_casualties(historical_outcomes):
    """Burdened elsewhere, the CSTO's lead answers lower on the ladder: mostly equipment and
    advisers, not a force; where no force comes the unrest costs no fewer lives."""
    late = outcomes_of("moscow_hesitates")
    forces = [o for o in late if o["deployed_by"] == "csto"]
    assert len(forces) < 0.5 * len(late)
    assert {o["highest_rung_csto"] for o in late} <= {"assistance", "key_assets"}
    for base, alt in zip(historical_outcomes, late, strict=True):
        assert base["deployed_by"] == "csto"
        if alt["deployed_by"] is None:
            assert alt["casualty_index"] >= base["casualty_index"]
            assert alt["troop_days"] == 0


def test_russia_stays_means_a_longer_presence(historical_outcomes):
    stays = outcomes_of("russia_stays")
    for base, alt in zip(historical_outcomes, stays, strict=True):
        assert alt["refused_to_leave"] and alt["withdrawal_end_day"] is None
        assert alt["troop_days"] > base["troop_days"]


def test_peaceful_protests_stay_civil():
    for o in outcomes_of("peaceful_protests"):
        assert o["casualty_index"] == 0 and o["request_to"] is None


def test_in_2022_nobody_pledges_a_force_and_the_words_climb_no_higher_than_a_pledge(
    historical_outcomes,
):
    assert {o["force_pledged"] for o in historical_outcomes} == {None}
    for o in historical_outcomes:
        assert o["highest_rung_ots"] in ("statement", "consultations", "pledge")
        assert o["highest_rung_china"] in ("statement", "consultations", "pledge")
        assert o["highest_rung_csto"] == "key_assets"


def test_an_ots_force_is_asked_for_too_when_the_csto_falls_short_of_the_need(
    historical_outcomes,
):
    """With a standing force, the OTS is the host's second choice: asked once the CSTO's
    force is known to fall short of the troops the host needs; it then deploys beside it."""
    runs = outcomes_of("ots_standing_force")
    assert {o["request_to"] for o in runs} == {"csto"}
    assert {o["runner_up"] for o in runs} == {"ots"}
    both = [o for o in runs if o["highest_rung_ots"] == "key_assets"]
    assert len(both) >= 0.5 * len(runs)
    for base, alt in zip(historical_outcomes, runs, strict=True):
        assert alt["choice_margin"] < base["choice_margin"]
        assert alt["peak_foreign_troops"] >= base["peak_foreign_troops"]


def test_turkey_alone_is_taken_as_a_second_force_or_declined(historical_outcomes):
    runs = outcomes_of("turkey_goes_alone")
    for o in runs:
        assert o["request_to"] == "csto" and o["deployed_by"] == "csto"
        assert o["highest_rung_turkey"] in ("pledge", "key_assets")
    assert any(o["highest_rung_turkey"] == "key_assets" for o in runs)
    assert any(o["highest_rung_turkey"] == "pledge" for o in runs)


def test_china_asked_after_the_csto_pledges_or_guards_beside_it(historical_outcomes):
    """Asked second, China either pledges and is declined, or sends equipment and then guards
    key assets beside the CSTO once its force is there (its primacy at stake)."""
    runs = outcomes_of("china_offers_security_help")
    for base, o in zip(historical_outcomes, runs, strict=True):
        assert o["request_to"] == "csto" and o["deployed_by"] == "csto"
        assert o["highest_rung_china"] in ("pledge", "key_assets")
        if o["highest_rung_china"] == "key_assets":
            assert o["peak_foreign_troops"] > base["peak_foreign_troops"]
        else:
            assert o["force_pledged"] == "china" and o["offer_declined"]
    assert {o["highest_rung_china"] for o in runs} == {"pledge", "key_assets"}


@pytest.mark.parametrize("path", sorted(COUNTERFACTUALS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_action_is_in_the_vocabulary(path):
    for seed in range(3):
        m = CrisisModel(load_scenario(path), rng=seed).run()
        assert {e.action for e in m.events} <= set(ACTIONS)


def test_the_force_the_host_asked_for_is_never_declined_nor_its_leader_passed_over():
    """A host that prefers the OTS force asks for it; Turkey, which leads it, is then answering
    that request: it offers nothing more, nothing is declined, and it loses no standing."""
    keys = [
        ("behaviour", "host", "w_sovereignty"),
        ("actors", "kazakhstan", "sovereignty_cost", "csto"),
    ]
    scenario = with_values(load("ots_standing_force"), keys, [6.0, 1.0])
    for seed in range(10):
        m = CrisisModel(scenario, rng=seed).run()
        request = next(e for e in m.events if e.action == "request_help")
        assert request.target == "ots"
        declined = {e.target for e in m.events if e.action == "offer_declined"}
        assert not declined & {"ots", "turkey"}
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
        ("switches.host_asks=atlantis", "'atlantis' is not a provider"),
        ("switches.host_asks=kazakhstan", "'kazakhstan' is not a provider"),
        ("switches.host_never_asks=[csto, kazakhstan]", "'kazakhstan' is not a provider"),
    ],
)
def test_choice_switches_name_providers(edit, message):
    with pytest.raises(InputError, match=message):
        load_scenario(ROOT / "scenarios" / "historical.yaml", [edit])
    both = ["switches.host_asks=csto", "switches.host_never_asks=[csto]"]
    with pytest.raises(InputError, match="also listed in host_never_asks"):
        load_scenario(ROOT / "scenarios" / "historical.yaml", both)
