"""Each decision rule on its own, on inputs whose answer is known by hand."""

from __future__ import annotations

import pytest

from sim.rules import NO, reached, threshold_rule
from sim.rules import host as host_rules
from sim.rules import neighbour as neighbour_rules
from sim.rules import provider as provider_rules
from sim.rules import rival as rival_rules


@pytest.fixture(scope="module")
def params(historical):
    actors = historical.actors
    return {
        "host": actors["kazakhstan"].params,
        "patron": actors["russia"].params,
        "rival": actors["turkey"].params,
    }


def test_a_threshold_is_passed_strictly_and_a_count_reached_inclusively():
    assert threshold_rule(0.5, 0.5, "x") is NO
    d = threshold_rule(0.51234, 0.5, "violence")
    assert d.act and d.terms == {"violence": 0.512, "threshold": 0.5}
    assert d.reason == "violence 0.512 > 0.5"
    assert reached(2, 3, "days") is NO and reached(3, 3, "days").act


def test_concessions_stop_at_their_number():
    assert host_rules.concession(0.2, 0, trigger=0.1, max_concessions=2).act
    assert host_rules.concession(0.2, 2, trigger=0.1, max_concessions=2) is NO
    assert host_rules.concession(0.05, 0, trigger=0.1, max_concessions=2) is NO


def test_the_provider_utility_is_the_weighted_sum_of_its_terms(params):
    w = params["host"].model_copy(
        update={
            "w_legal": 2.0,
            "w_speed": 1.0,
            "w_capacity": 1.5,
            "w_sovereignty": 1.5,
            "w_reaction": 1.0,
            "w_offer": 1.0,
        }
    )
    view = host_rules.ProviderView(
        legal=1.0, speed=0.5, capacity=1.0, sovereignty_cost=0.4, reaction=0.2, offered=True
    )
    u, terms = host_rules.provider_utility(view, w)
    assert terms == {
        "legal": 2.0,
        "speed": 0.5,
        "capacity": 1.5,
        "sovereignty": -0.6,
        "reactions": 0.2,
        "offer": 1.0,
    }
    assert u == pytest.approx(4.6)


def test_speed_and_reactions():
    assert host_rules.speed_score(0.0) == 1.0 and host_rules.speed_score(1.0) == 0.5
    stances = {"a": 1.0, "b": -1.0, "c": 0.5}
    assert host_rules.reaction_score(stances, {"a": 3.0, "b": 1.0}) == pytest.approx(0.5)
    assert host_rules.reaction_score(stances, {}) == 0.0


def test_the_host_asks_the_best_provider_above_its_own_forces_or_the_one_forced():
    utilities = {"b": (2.0, {}), "a": (2.0, {}), "c": (0.5, {})}
    d = host_rules.choose_provider(utilities, min_utility=1.0)
    assert d.act and d.terms["choice"] == "a"  # ties go alphabetically
    assert not host_rules.choose_provider(utilities, min_utility=2.0).act
    forced = host_rules.choose_provider(utilities, min_utility=5.0, forced="c")
    assert forced.act and forced.terms["choice"] == "c" and forced.terms["forced"] is True
    assert "best by utility: a 2.0" in forced.reason


@pytest.mark.parametrize(
    "mandate, threat, framed, host_member, attacker_member, expected",
    [
        ("collective_defence", "price_shock", False, False, False, 0.0),
        ("none", "price_shock", True, True, False, 0.0),
        ("peacekeeping", "price_shock", False, True, False, 1.0),
        ("collective_defence", "armed_attack", False, True, False, 1.0),
        ("collective_defence", "armed_attack", False, True, True, 0.5),
        ("collective_defence", "price_shock", True, True, False, 1.0),
        ("collective_defence", "price_shock", False, True, False, 0.2),
    ],
)
def test_legal_basis(mandate, threat, framed, host_member, attacker_member, expected):
    assert (
        provider_rules.legal_basis(mandate, threat, framed, host_member, attacker_member)
        == expected
    )


def test_a_patron_intervenes_when_threat_primacy_and_credibility_outweigh_cost(params):
    p = params["patron"].model_copy(
        update={
            "border_exposure": 1.0,
            "external_forces_belief": 1.0,
            "primacy_concern": 0.5,
            "credibility_stake": 1.0,
            "cost_per_1000": 0.1,
            "commitments": 0.2,
            "w_threat": 2.0,
            "w_primacy": 1.0,
            "w_credibility": 1.0,
            "w_cost": 1.0,
            "partner_penalty": 3.0,
            "decide_threshold": 0.5,
        }
    )
    crisis = {"violence": 0.1, "framed": True, "rival_influence": 0.4, "legal": 1.0}
    d = provider_rules.intervene(**crisis, troops=2000, against_partner=False, p=p)
    # threat 2 * 0.1 * 2 = 0.4; primacy 0.5 * 0.4 = 0.2; credibility 1; cost -(0.2 + 0.2) = -0.4
    assert d.terms["utility"] == pytest.approx(1.2) and d.act
    against = provider_rules.intervene(**crisis, troops=2000, against_partner=True, p=p)
    assert not against.act and against.terms["partner"] == -3.0


def test_urgency_shortens_a_decision_but_never_lengthens_it():
    assert provider_rules.decision_delay(2.0, 1.0) == 1.0
    assert provider_rules.decision_delay(2.0, -3.0) == 2.0


def test_mission_scope():
    assert provider_rules.mission_scope(0.1, 1.0, "price_shock") == "key_assets"
    assert provider_rules.mission_scope(2.0, 1.0, "price_shock") == "combat"
    assert provider_rules.mission_scope(0.0, 1.0, "armed_attack") == "combat"


def test_a_lead_stays_when_basing_and_primacy_beat_legitimacy(params):
    p = params["patron"].model_copy(
        update={
            "basing_ambition": 0.5,
            "w_primacy": 1.0,
            "primacy_concern": 1.0,
            "w_legitimacy": 0.3,
            "stay_threshold": 0.5,
        }
    )
    assert provider_rules.stay(rival_influence=0.4, p=p).act  # 0.5 + 0.4 - 0.3 = 0.6
    assert not provider_rules.stay(rival_influence=0.2, p=p).act  # 0.4


def test_domestic_pressure_decays_and_grows_with_rival_troops(params):
    p = params["rival"].model_copy(
        update={
            "pressure_gain": 1.0,
            "adversary_factor": 1.0,
            "pressure_decay": 0.5,
            "passed_over_gain": 2.0,
        }
    )
    assert (
        rival_rules.domestic_pressure(
            4.0, rival_troops=0, adversary_present=False, passed_over=False, p=p
        )
        == 2.0
    )
    assert rival_rules.domestic_pressure(
        0.0, rival_troops=2000, adversary_present=True, passed_over=True, p=p
    ) == pytest.approx(2.0 * 2 + 2.0)


def test_a_neighbour_supports_a_host_whose_framing_it_shares():
    assert neighbour_rules.statement_kind(0.9, True, 0.5).terms["kind"] == "support"
    assert neighbour_rules.statement_kind(0.9, False, 0.5).terms["kind"] == "concern"
    assert neighbour_rules.statement_kind(0.5, True, 0.6).terms["kind"] == "concern"
