"""Each decision rule on its own, on inputs whose answer is known by hand."""

from __future__ import annotations

import pytest

from sim.rules import NO, ladder, legal, public, reached, threshold_rule
from sim.rules import host as host_rules
from sim.rules import provider as provider_rules
from sim.scenario import StateActor, Treaty


@pytest.fixture(scope="module")
def behaviour(historical):
    return historical.behaviour


def state(**traits) -> StateActor:
    return StateActor(name="x", role="state", **traits)


def treaty(kind: str, scope: str = "recognised") -> Treaty:
    return Treaty(name="t", parties=["a"], kind=kind, article="art", scope=scope, source="s")


def test_a_threshold_is_passed_strictly_and_a_count_reached_inclusively():
    assert threshold_rule(0.5, 0.5, "x") is NO
    d = threshold_rule(0.51234, 0.5, "violence")
    assert d.act and d.terms == {"violence": 0.512, "threshold": 0.5}
    assert d.reason == "violence 0.512 > 0.5"
    assert reached(2, 3, "days") is NO and reached(3, 3, "days").act


# ---------------------------------------------------------------- host
def test_concessions_stop_at_their_number():
    assert host_rules.concession(0.2, 0, trigger=0.1, max_concessions=2).act
    assert host_rules.concession(0.2, 2, trigger=0.1, max_concessions=2) is NO
    assert host_rules.concession(0.05, 0, trigger=0.1, max_concessions=2) is NO


def test_the_host_asks_for_troops_above_one_bar_and_assistance_above_the_other(behaviour):
    p = behaviour.host.model_copy(update={"assist_load": 0.2, "troops_load": 0.4})
    assert host_rules.ask_level(0.1, p) is NO
    assert host_rules.ask_level(0.3, p).terms["level"] == "assistance"
    assert host_rules.ask_level(0.5, p).terms["level"] == "troops"


def test_the_troop_need_brings_each_overloaded_region_back_to_the_bar():
    # region 0: 1,000 personnel at twice the bar, each foreign soldier worth 0.5 of them: 2,000
    need = host_rules.troop_need([0.8, 0.1], [1000.0, 5000.0], bar=0.4, ratio=0.5)
    assert need == pytest.approx(2000.0)
    assert host_rules.troop_need([0.1, 0.4], [1000.0, 1000.0], bar=0.4, ratio=0.5) == 0.0


def test_strain_grows_with_how_far_its_forces_are_overrun(behaviour):
    p = behaviour.host.model_copy(update={"assist_load": 0.4})
    assert host_rules.strain(0.3, p) == 0.0
    assert host_rules.strain(0.8, p) == pytest.approx(1.0)
    assert host_rules.strain(3.2, p) == pytest.approx(3.0)


def test_own_forces_are_worth_half_as_much_after_each_patience_of_strain(behaviour):
    p = behaviour.host.model_copy(update={"min_utility": 1.0, "patience": 10.0})
    assert host_rules.own_forces(0.0, p) == 1.0
    assert host_rules.own_forces(10.0, p) == pytest.approx(0.5)
    assert host_rules.own_forces(30.0, p) == pytest.approx(0.125)


def test_the_host_frames_only_what_it_can_blame_once_violence_is_national(behaviour):
    p = behaviour.host.model_copy(update={"framing_trigger": 0.05})
    assert host_rules.frame(0.1, None, True, 1.0, p) is NO
    assert host_rules.frame(0.01, "armed groups", True, 1.0, p) is NO
    assert host_rules.frame(0.1, "armed groups", True, 0.0, p).terms["kind"] == "terrorism"
    state = host_rules.frame(0.1, "iran", False, 0.0, p)
    assert state.terms["kind"] == "aggression or interference"


def test_unlisted_groups_are_called_terrorists_only_where_the_word_buys_a_legal_basis(behaviour):
    p = behaviour.host.model_copy(update={"framing_trigger": 0.05})
    assert host_rules.frame(0.1, "armed groups", False, 0.0, p) is NO
    d = host_rules.frame(0.1, "armed groups", False, 0.8, p)
    assert d.act and d.terms["legal_gain"] == 0.8 and "legal basis" in d.reason


def test_a_parliament_declares_emergency_rule_only_with_the_votes_it_needs():
    assert host_rules.emergency_vote("executive", 0.0, 0.5).act
    assert host_rules.emergency_vote("parliament", 0.6, 0.5).act
    blocked = host_rules.emergency_vote("parliament", 0.39, 0.5)
    assert not blocked.act and "39%" in blocked.reason


def test_asking_again_needs_a_clearly_worse_crisis():
    assert not host_rules.worse(0.6, 0.5, 1.5) and host_rules.worse(0.8, 0.5, 1.5)


def test_the_provider_utility_is_the_weighted_sum_of_its_terms(behaviour):
    w = behaviour.host.model_copy(
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


def test_speed_capacity_and_reactions():
    assert host_rules.speed_score(0.0) == 1.0 and host_rules.speed_score(1.0) == 0.5
    assert host_rules.capacity_score(500, 2000) == 0.25
    assert host_rules.capacity_score(5000, 2000) == 1.0 and host_rules.capacity_score(0, 0) == 1.0
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


# ---------------------------------------------------------------- legal basis
@pytest.mark.parametrize(
    "kind, threat, framed, attacker_party, in_scope, expected",
    [
        ("collective_defence", "economic", False, False, 1.0, 0.2),
        ("collective_defence", "economic", True, False, 1.0, 1.0),
        ("collective_defence", "armed_group", False, False, 1.0, 1.0),
        ("collective_defence", "state_attack", False, False, 1.0, 1.0),
        ("collective_defence", "state_attack", False, True, 1.0, 0.5),
        ("collective_defence", "state_attack", False, False, 0.25, 0.25),
        ("mutual_assistance", "political", False, False, 1.0, 1.0),
        ("security_cooperation", "political", False, False, 1.0, 0.6),
        ("political", "political", True, False, 1.0, 0.0),
    ],
)
def test_legal_basis_follows_treaty_kind_cover_and_scope(
    behaviour, kind, threat, framed, attacker_party, in_scope, expected
):
    p = behaviour.legal.model_copy(
        update={
            "collective_defence": 1.0,
            "mutual_assistance": 1.0,
            "security_cooperation": 0.6,
            "political": 0.0,
            "unnamed_threat": 0.2,
            "fellow_party_attack": 0.5,
        }
    )
    basis = legal.legal_basis(
        [(treaty(kind), attacker_party)],
        threat=threat,
        framed=framed,
        in_scope=in_scope,
        invited=False,
        p=p,
    )
    assert basis == pytest.approx(expected)


def test_an_invitation_alone_is_a_thin_basis_and_a_treaty_of_all_scope_ignores_territory(
    behaviour,
):
    p = behaviour.legal.model_copy(update={"invitation": 0.3, "mutual_assistance": 1.0})
    args = {"threat": "political", "framed": False, "in_scope": 0.0, "p": p}
    assert legal.legal_basis([], invited=True, **args) == 0.3
    assert legal.legal_basis([], invited=False, **args) == 0.0
    assert legal.legal_basis([(treaty("mutual_assistance"), False)], invited=False, **args) == 0.0
    wide = [(treaty("mutual_assistance", scope="all"), False)]
    assert legal.legal_basis(wide, invited=False, **args) == 1.0


# ---------------------------------------------------------------- the ladder
def open_rungs(**situation) -> list[str]:
    """``ladder.allowed`` for a provider with a force and assistance to give, asked nothing."""
    args = {
        "asked": None,
        "words_only": False,
        "can_mediate": False,
        "can_send": True,
        "scope": "key_assets",
        "assists": True,
    }
    return ladder.allowed(**(args | situation))


def test_unasked_a_provider_may_speak_consult_mediate_and_pledge_but_not_act():
    words = open_rungs(can_mediate=True)
    assert words == ["statement", "consultations", "mediation", "pledge"]
    assert open_rungs() == ["statement", "consultations", "pledge"]
    assert open_rungs(asked="troops", words_only=True) == ["statement"]


def test_a_request_opens_help_up_to_what_was_asked_and_what_the_provider_has():
    troops = open_rungs(asked="troops")
    assert troops[-3:] == ["pledge", "assistance", "key_assets"] and "mission" in troops
    assert open_rungs(asked="troops", scope="combat")[-2:] == ["key_assets", "combat"]
    assert open_rungs(asked="troops", scope="combat", can_send=False)[-1] == "assistance"
    assert open_rungs(asked="assistance", scope="combat")[-1] == "assistance"
    assert "assistance" not in open_rungs(asked="troops", assists=False, can_send=False)


def test_unasked_it_climbs_one_rung_at_a_time_asked_as_high_as_clears(behaviour):
    bars = behaviour.provider.rungs.model_copy(
        update={"statement": 1.0, "consultations": 2.0, "pledge": 3.0, "key_assets": 2.5}
    )
    words = {"statement": 5.0, "consultations": 5.0, "pledge": 5.0}
    assert ladder.climb(words, bars, None, asked=False).terms["rung"] == "statement"
    assert ladder.climb(words, bars, "statement", asked=False).terms["rung"] == "consultations"
    asked = {"statement": 2.6, "pledge": 2.6, "key_assets": 2.6}
    assert ladder.climb(asked, bars, None, asked=True).terms["rung"] == "key_assets"
    assert ladder.climb(asked, bars, "key_assets", asked=True) is NO
    assert ladder.climb({"statement": 0.5}, bars, None, asked=False) is NO


# ---------------------------------------------------------------- providers
def test_severity_weighs_breadth_against_depth():
    # a war in two provinces of a large country: little of the whole, all of the worst region
    national, worst = 0.04, 3.0
    assert provider_rules.severity(national, worst, 0.0) == pytest.approx(0.04)
    assert provider_rules.severity(national, worst, 1.0) == 1.0  # the worst region, capped
    half = provider_rules.severity(national, worst, 0.5)
    assert half == pytest.approx(0.2)  # sqrt(0.04 x 1)
    weights = [0.0, 0.25, 0.5, 0.75, 1.0]
    grows = [provider_rules.severity(national, worst, w) for w in weights]
    assert grows == sorted(grows) and len(set(grows)) == len(grows)
    # a crisis as bad everywhere as where it is worst has that severity whatever the weight
    assert {round(provider_rules.severity(0.3, 0.3, w), 12) for w in weights} == {0.3}
    assert provider_rules.severity(0.0, 2.0, 0.5) == 0.0  # nothing at all yet
    assert provider_rules.severity(5.0, 8.0, 0.5) == 1.0  # capped


def test_a_providers_utility_weighs_threat_credibility_primacy_public_and_costs(behaviour):
    p = behaviour.provider.model_copy(
        update={
            "w_threat": 2.0,
            "w_credibility": 1.0,
            "w_primacy": 1.0,
            "w_public": 1.0,
            "w_cost": 1.0,
            "partner_penalty": 3.0,
        }
    )
    t = state(
        stake=0.5, threat_belief=1.0, primacy_concern=0.5, credibility_stake=1.0, commitments=0.2
    )
    s = provider_rules.Situation(
        severity=0.1,
        framed=True,
        legal=1.0,
        asked=True,
        rival=0.4,
        foreign_force=False,
        pressure=0.3,
        against_partner=False,
    )
    terms = provider_rules.utility(s, t, p)
    # threat 2 * 0.5 * 0.1 * 2; credibility 1; primacy 0.5 * 0.4; public 0.3; commitments -0.2
    assert terms == pytest.approx(
        {
            "threat": 0.2,
            "credibility": 1.0,
            "primacy": 0.2,
            "public": 0.3,
            "commitments": -0.2,
            "partner": 0.0,
        }
    )
    force = provider_rules.utility(s._replace(foreign_force=True, asked=False), t, p)
    assert force["threat"] == pytest.approx(2.2) and force["primacy"] == pytest.approx(0.7)
    assert force["credibility"] == 0.0
    assert provider_rules.utility(s._replace(against_partner=True), t, p)["partner"] == -3.0


def test_a_force_costs_legitimacy_without_a_basis_and_its_troops_equipment_neither(behaviour):
    p = behaviour.provider.model_copy(
        update={"w_legitimacy": 1.0, "w_cost": 1.0, "cost_per_1000": 0.5}
    )
    u = provider_rules.rung_utilities(3.0, ["statement", "assistance", "key_assets"], 2000, 0.25, p)
    assert u == pytest.approx({"statement": 3.0, "assistance": 3.0, "key_assets": 1.25})


def test_urgency_shortens_a_decision_to_one_night_at_least():
    assert provider_rules.latency(4.0, 1.0) == 2.0
    assert provider_rules.latency(2.0, 3.0) == 1.0
    assert provider_rules.latency(2.0, -3.0) == 2.0


def test_mission_scope():
    assert provider_rules.mission_scope(0.1, 1.0, attacked=False) == "key_assets"
    assert provider_rules.mission_scope(2.0, 1.0, attacked=False) == "combat"
    assert provider_rules.mission_scope(0.0, 1.0, attacked=True) == "combat"


def test_statements_condemn_a_force_or_attack_it_opposes_support_a_shared_reading():
    believer = state(threat_belief=0.9)
    assert provider_rules.statement_kind(believer, True, False, False) == "support"
    assert provider_rules.statement_kind(believer, False, False, False) == "concern"
    assert provider_rules.statement_kind(state(threat_belief=0.3), True, False, False) == "concern"
    assert provider_rules.statement_kind(believer, True, False, True) == "condemnation"
    assert provider_rules.statement_kind(believer, True, True, False) == "condemnation"


def test_a_lead_stays_when_basing_and_primacy_beat_legitimacy(behaviour):
    p = behaviour.provider.model_copy(
        update={"w_primacy": 1.0, "w_legitimacy": 0.3, "stay_threshold": 0.5}
    )
    t = state(basing_ambition=0.5, primacy_concern=1.0)
    assert provider_rules.stay(rival_influence=0.4, t=t, p=p).act  # 0.5 + 0.4 - 0.3 = 0.6
    assert not provider_rules.stay(rival_influence=0.2, t=t, p=p).act  # 0.4


def test_contingents_leave_at_the_rate_smallest_first_the_lead_last():
    out = provider_rules.departures({"lead": 1000, "a": 100, "b": 300}, "lead", rate=200)
    assert list(out) == ["a", "b", "lead"]
    assert out == pytest.approx({"a": 0.5, "b": 2.0, "lead": 7.0})


def test_public_pressure_decays_and_grows_with_rival_troops_in_a_kin_state(behaviour):
    p = behaviour.provider.model_copy(
        update={
            "pressure_gain": 1.0,
            "adversary_factor": 1.0,
            "pressure_decay": 0.5,
            "passed_over_gain": 2.0,
        }
    )
    quiet = public.pressure(
        4.0, kin_public=1.0, rival_troops=0, adversary_present=False, passed_over=False, p=p
    )
    assert quiet == 2.0
    angry = public.pressure(
        0.0, kin_public=0.5, rival_troops=2000, adversary_present=True, passed_over=True, p=p
    )
    assert angry == pytest.approx(0.5 * (2.0 * 2 + 2.0))


def test_the_lowest_bar_left_unasked_is_that_of_the_next_words_rung(behaviour):
    bars = behaviour.provider.rungs.model_copy(
        update={"statement": 1.0, "consultations": 2.0, "mediation": 1.5, "pledge": 3.0}
    )
    assert ladder.lowest_bar_above(None, bars) == 1.0
    assert ladder.lowest_bar_above("statement", bars) == 1.5
    assert ladder.lowest_bar_above("statement", bars, closed=("mediation",)) == 2.0
    assert ladder.lowest_bar_above("mediation", bars) == 3.0
    assert ladder.lowest_bar_above("pledge", bars) == float("inf")
