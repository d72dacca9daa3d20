"""The life of a request and of a force, run by run: what a reviewer found wrong once."""

from __future__ import annotations

import datetime as dt

from sim.experiments.plan import with_values
from sim.model import CrisisModel
from sim.rules import provider as provider_rules
from sim.scenario import Treaty, load_scenario
from tests.conftest import ROOT

ALONE = ROOT / "scenarios" / "counterfactuals" / "turkey_goes_alone.yaml"
LIBYA = ROOT / "scenarios" / "crises" / "ly2019.yaml"


def actions(m: CrisisModel, action: str, actor: str | None = None) -> list:
    return [e for e in m.events if e.action == action and actor in (None, e.actor)]


def test_a_force_that_has_left_counts_for_nothing(historical):
    m = CrisisModel(historical, rng=1).run()
    assert actions(m, "withdrawal_complete")
    assert not m.troops
    assert m.host.covered() == 0
    assert not m.foreign_force("turkey")


def test_a_force_decided_after_the_others_were_asked_to_leave_is_asked_too():
    late = with_values(
        load_scenario(ALONE),
        [("behaviour", "provider", "latency", "parliament"), ("calendar", "horizon_days")],
        [6.0, 40],
    )
    for seed in range(5):
        m = CrisisModel(late, rng=seed).run()
        for e in actions(m, "troops_arrive"):
            assert any(r.target == e.actor for r in actions(m, "withdrawal_requested")), seed
        assert not m.troops, seed


def test_help_short_of_a_force_does_not_bar_asking_for_troops(historical):
    edits = [("behaviour", "host", "assist_load"), ("behaviour", "host", "troops_load")]
    eager = with_values(historical, [*edits, ("shock", "magnitude")], [0.05, 0.3, 0.8])
    stepped = 0
    for seed in range(10):
        m = CrisisModel(eager, rng=seed).run()
        asks = [(e.target, e.terms["level"]) for e in actions(m, "request_help", "kazakhstan")]
        if ("csto", "assistance") in asks and any(level == "troops" for _, level in asks):
            stepped += 1
    assert stepped


def test_a_pledge_takes_its_procedure_s_time_and_words_do_not(historical):
    """Turkey's parliament, made slow, delays its pledge of help but not its words before it."""
    slow = with_values(historical, [("behaviour", "provider", "latency", "parliament")], [6.0])
    pledged = 0
    for seed in range(5):
        m = CrisisModel(slow, rng=seed).run()
        words = [e for e in m.events if e.actor == "turkey" and e.action == "consultations"]
        for e in actions(m, "pledge", "turkey"):
            pledged += 1
            wait = provider_rules.latency(6.0, e.terms["utility"] - e.terms["bar"])
            assert words and e.time - words[0].time >= 1 + wait - 1e-9, seed
            assert words[0].time == int(words[0].time), seed  # words: the day they are decided
    assert pledged


def test_a_pledge_ends_once_declined_or_lapsed(historical):
    for seed in range(10):
        m = CrisisModel(historical, rng=seed).run()
        declined = {e.target for e in actions(m, "offer_declined")}
        lapsed = {e.actor for e in actions(m, "pledge_lapsed")}
        assert not declined & lapsed


def test_with_no_days_of_order_required_a_force_is_asked_to_leave_only_when_calm(historical):
    eager = with_values(historical, [("behaviour", "host", "stable_days")], [0])
    for seed in range(5):
        m = CrisisModel(eager, rng=seed).run()
        restored = actions(m, "order_restored")
        for e in actions(m, "withdrawal_requested"):
            assert restored and e.time >= restored[0].time


def test_a_request_that_comes_while_a_decision_is_under_way_is_answered_after_it(historical):
    from sim.rules import Decision

    m = CrisisModel(historical, rng=1)
    china = m.providers["china"]
    china.busy = True  # a statement being decided
    china.receive_request("assistance")
    assert china.asked == "assistance" and not china.answered
    china.take("statement", Decision(True, {}, "test"))
    assert china.answered or china.busy  # help decided, or a refusal on its way
    m.run()
    assert any(
        e.actor == "china" and e.action in ("request_refused", "assistance_sent") for e in m.events
    )


def test_a_treaty_in_force_mid_crisis_gives_its_basis_and_its_force_from_that_day(historical):
    treaty = ("treaties", "collective_security_treaty", "in_force")
    start = historical.calendar.start
    late = with_values(historical, [treaty], [start + dt.timedelta(days=6)])
    m = CrisisModel(late, rng=1)
    for _ in range(5):
        m.step()
    csto = m.providers["csto"]
    before = csto.legal_basis(framed=True)
    assert not csto.mechanism()
    m.step()
    assert csto.legal_basis(framed=True) > before and csto.mechanism()
    for seed in range(5):
        run = CrisisModel(late, rng=seed).run()
        assert all(e.time >= 6 for e in actions(run, "deploy_decided", "csto")), seed


def italy_asked(sc) -> list[float]:
    m = CrisisModel(sc, rng=1).run()
    return [e.time for e in actions(m, "request_help", "gna") if e.target == "italy"]


def test_a_refuser_is_asked_again_once_a_treaty_gives_a_firmer_basis():
    libya = load_scenario(LIBYA)
    before = italy_asked(libya)
    assert before and max(before) < 10  # refused, and not asked again without a new basis
    for late in (10, 20):
        pact = Treaty(
            name="an Italy-GNA assistance pact, for the test",
            parties=["italy", "gna"],
            kind="mutual_assistance",
            article="help on request",
            source="test",
            in_force=libya.calendar.start + dt.timedelta(days=late),
        )
        sc = libya.model_copy(update={"treaties": {**libya.treaties, "pact": pact}})
        after = italy_asked(sc)
        assert [t for t in after if t < late] == before
        assert min(t for t in after if t >= late) == late


MALI = ROOT / "scenarios" / "crises" / "ml2013.yaml"
IRAQ = ROOT / "scenarios" / "crises" / "iq2014.yaml"


def test_armed_groups_its_forces_cannot_hold_count_in_the_troop_need():
    from sim.rules import host as host_rules

    m = CrisisModel(load_scenario(MALI), rng=1)
    m.run_for(1)
    f, p = m.field, m.host.rules
    by_violence = host_rules.troop_need(
        f.load, f.personnel, p.troops_load, m.behaviour.unrest.foreign_ratio
    )
    assert m.host.troop_need() > by_violence  # the north, held by armed groups, quiet yet
    for seed in range(5):
        m = CrisisModel(load_scenario(MALI), rng=seed).run()
        asked = {e.target for e in actions(m, "request_help", "mali")}
        assert {"france", "ecowas"} <= asked, seed  # France's force alone falls short


def test_a_provider_asked_before_it_has_spoken_says_where_it_stands_that_day():
    for seed in range(5):
        m = CrisisModel(load_scenario(IRAQ), rng=seed).run()
        ask = next(e for e in actions(m, "request_help", "iraq") if e.target == "us")
        said = actions(m, "statement", "us")
        assert said and said[0].time == ask.time, seed
        assert said[0].terms["kind"] == "support"
        answers = [e for e in m.events if e.actor == "us" and e.action != "statement"]
        assert answers and answers[0].time > ask.time  # the answer comes after its latency


def test_a_bloc_whose_force_is_decided_still_convenes_its_leaders():
    for seed in range(5):
        m = CrisisModel(load_scenario(MALI), rng=seed).run()
        decided = actions(m, "deploy_decided", "ecowas")
        held = actions(m, "summit_held", "ecowas")
        assert decided and held and held[0].time > decided[0].time, seed
        assert m.providers["ecowas"].rung in ("key_assets", "combat")  # the force stays its rung


def test_a_province_lost_weighs_abroad_by_its_depth_not_only_its_share_of_the_country():
    """Iraq 2014: Mosul falls in a province with a tenth of the people; the neighbours act."""
    iraq = load_scenario(IRAQ)
    key = ("behaviour", "provider", "depth_weight")

    def first_words(weight: float) -> dict[str, int]:
        """The day each neighbour first speaks, consults or pledges."""
        model = CrisisModel(with_values(iraq, [key], [weight]), rng=1).run()
        days = {}
        for e in model.events:
            if e.actor in ("turkey", "russia", "iran"):
                days.setdefault(e.actor, e.day)
        return days

    breadth_only = first_words(0.0)
    shipped = first_words(iraq.behaviour.provider.depth_weight)
    assert iraq.behaviour.provider.depth_weight > 0
    assert set(shipped) == {"turkey", "russia", "iran"}
    assert all(shipped[k] <= 4 for k in shipped)  # within days of the fall of Mosul (day 1)
    assert all(k not in breadth_only or breadth_only[k] > shipped[k] for k in shipped)


MOZAMBIQUE = ROOT / "scenarios" / "crises" / "mz2021.yaml"


def test_forces_moved_into_a_small_district_are_capped_by_its_own():
    """Mozambique 2021: the north is a sliver of the country; its forces cannot all go there."""
    moz = load_scenario(MOZAMBIQUE)
    unrest = moz.behaviour.unrest
    key = ("behaviour", "unrest", "reinforcement_cap")

    def run(cap: float) -> tuple[float, list[int]]:
        """The most a region's effective security (read off its load) gained, and the asks."""
        m = CrisisModel(with_values(moz, [key], [cap]), rng=1)
        gain = 0.0
        for _ in range(10):
            m.run_for(1)
            f = m.field
            for i in range(f.n):
                if f.emergency[i] and f.relief[i] == 0 and f.load[i] > 0:
                    threat = max(f.v[i], f.danger[i])
                    gain = max(gain, threat / f.load[i] / f.security[i])
        m.run()
        return gain, [e.day for e in actions(m, "request_help", "mozambique")]

    cap = unrest.reinforcement_cap
    capped, asks = run(cap)
    assert 1 + unrest.emergency_boost < capped <= 1 + unrest.emergency_boost + cap + 1e-9
    assert asks and asks[0] <= 3  # the north overwhelmed, the host turns abroad within days
    flooded, never = run(10.0)  # the format's largest cap
    assert flooded > capped + 1 and not never


def test_territory_held_by_armed_groups_counts_for_a_national_emergency_it_cannot_enforce():
    """Mali 2013: Mopti under attack and the north held since 2012 make a national crisis."""
    mali = load_scenario(MALI)
    held = {k for k, r in mali.regions.items() if r.armed_groups > r.security}
    total = sum(r.population for r in mali.regions.values())
    attacked = sum(mali.regions[k].population for k in mali.shock.origin)
    lost = sum(mali.regions[k].population for k in held)
    share = mali.behaviour.host.nationwide_share
    assert held and attacked / total < share <= (attacked + lost) / total
    for seed in range(5):
        m = CrisisModel(mali, rng=seed)
        m.run_for(2)
        f = m.field
        assert actions(m, "emergency_nationwide", "mali"), seed
        assert all(f.emergency[i] != (k in held) for i, k in enumerate(f.ids)), seed
        m.run()
        assert not actions(m, "withdrawal_requested", "mali"), seed  # the groups hold the north
