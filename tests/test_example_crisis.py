"""The fictional border war in scenarios/examples/border_war.yaml.

Kestria attacks Lirenia. Kestria is a member of Lirenia's collective-defence bloc (the Amber
Treaty) and the partner of the bloc's lead, Dravonia. The host asks the bloc, which is blocked
by the attacker; then Dravonia, which refuses because of the partner penalty; then nobody.
The counterfactual tests flip one thing each and show that the rule in question decides.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from sim.loading import load_document, validate
from sim.model import CrisisModel
from sim.outcomes import outcomes
from sim.provenance import unsourced
from sim.scenario import Scenario, load_scenario

PATH = Path(__file__).resolve().parents[1] / "scenarios" / "examples" / "border_war.yaml"
SEEDS = range(30)
HOST, BLOC, PATRON, ATTACKER = "lirenia", "amber", "dravonia", "kestria"


def run(scenario: Scenario, seed: int) -> CrisisModel:
    return CrisisModel(scenario, rng=seed).run()


def events(model: CrisisModel, action: str, actor: str | None = None) -> list:
    return [e for e in model.events if e.action == action and actor in (None, e.actor)]


def variant(change) -> Scenario:
    """The example scenario with one change applied to its raw data, validated again."""
    data, sources = load_document(PATH)
    data = copy.deepcopy(data)
    change(data)
    return validate(Scenario, data, sources)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(PATH)


@pytest.fixture(scope="module")
def runs(scenario: Scenario) -> list[CrisisModel]:
    return [run(scenario, seed) for seed in SEEDS]


# --------------------------------------------------------------------------- the file


def test_file_validates_with_the_roles_the_story_needs(scenario: Scenario) -> None:
    assert scenario.shock.kind == "armed_attack"
    assert scenario.shock.attacker == ATTACKER
    assert 5 <= len(scenario.regions) <= 6
    roles = {k: a.role for k, a in scenario.actors.items()}
    assert roles[HOST] == "host" and roles[PATRON] == "patron"
    assert {"rival", "neighbour", "contributor"} <= set(roles.values())
    bloc = scenario.blocs[BLOC]
    assert bloc.mandate == "collective_defence" and bloc.procedure == "consensus"
    assert bloc.lead == PATRON and {HOST, ATTACKER} <= set(bloc.members)
    assert ATTACKER in scenario.actors[PATRON].partners


def test_every_rule_parameter_is_sourced_as_assumed() -> None:
    data, _ = load_document(PATH)
    assert unsourced(Scenario, data) == []

    def sources(node):
        if isinstance(node, dict):
            if "source" in node and "value" in node:
                yield node["source"]
            else:
                for v in node.values():
                    yield from sources(v)
        elif isinstance(node, list):
            for v in node:
                yield from sources(v)

    found = list(sources(data))
    assert len(found) > 50
    assert all(s.startswith("assumed") for s in found), [s for s in found if "assumed" not in s]


# --------------------------------------------------------------------------- the story


def test_host_asks_its_bloc_first(runs: list[CrisisModel]) -> None:
    for m in runs:
        asks = events(m, "request_help", HOST)
        assert asks, f"seed {m.rng}: the host never asked for help"
        assert asks[0].target == BLOC
        assert asks[0].terms["choice"] == BLOC


def test_bloc_refuses_because_the_attacker_blocks_consensus(runs: list[CrisisModel]) -> None:
    for m in runs:
        refusals = events(m, "request_refused", BLOC)
        assert len(refusals) == 1
        assert refusals[0].terms["blocked_by"] == ATTACKER
        assert ATTACKER in refusals[0].reason
        assert refusals[0].time > events(m, "request_help", HOST)[0].time


def test_next_day_the_patron_refuses_for_its_partner(
    scenario: Scenario, runs: list[CrisisModel]
) -> None:
    penalty = scenario.actors[PATRON].params.partner_penalty
    for m in runs:
        bloc_no = events(m, "request_refused", BLOC)[0]
        asks = events(m, "request_help", HOST)
        assert len(asks) >= 2
        assert asks[1].target == PATRON
        assert asks[1].day == bloc_no.day + 1
        no = events(m, "request_refused", PATRON)
        assert len(no) == 1
        t = no[0].terms
        assert t["partner"] == -penalty < 0
        assert t["utility"] <= t["threshold"]
        # The partner penalty is what sinks it: without it the utility would clear the bar.
        assert t["utility"] + penalty > t["threshold"]


def test_no_one_else_beats_own_forces_so_the_host_fights_alone(
    runs: list[CrisisModel],
) -> None:
    for m in runs:
        asks = events(m, "request_help", HOST)
        assert [e.target for e in asks] == [BLOC, PATRON]
        last = asks[-1].terms
        rest = {k: u for k, u in last.items() if k in m.providers and k != last["choice"]}
        assert rest and all(u <= last["own_forces"] for u in rest.values())
        assert not events(m, "deploy_decided")
        assert not events(m, "troops_arrive")
        assert outcomes(m)["peak_foreign_troops"] == 0


def test_violence_starts_in_the_attacked_border_regions(
    scenario: Scenario, runs: list[CrisisModel]
) -> None:
    origin = set(scenario.shock.origin)
    for m in runs:
        erupts = events(m, "violence_erupts")
        assert erupts and erupts[0].target in origin
        assert {e.target for e in erupts if e.day == erupts[0].day} <= origin


# --------------------------------------------------------------------------- counterfactuals


def test_without_the_attacker_in_the_bloc_the_bloc_deploys() -> None:
    def leave_bloc(data: dict) -> None:
        bloc = data["blocs"][BLOC]
        bloc["members"].remove(ATTACKER)
        bloc["force_pool"].pop(ATTACKER)

    sc = variant(leave_bloc)
    deployed = 0
    for seed in SEEDS:
        m = run(sc, seed)
        assert events(m, "request_help", HOST)[0].target == BLOC
        decided = events(m, "deploy_decided", BLOC)
        if decided:
            deployed += 1
            assert decided[0].terms["legal"] == 1.0
            assert decided[0].terms["partner"] < 0  # still against a partner, and still goes
            assert events(m, "troops_arrive", BLOC)
        assert not events(m, "request_refused", BLOC)
    assert deployed >= 0.9 * len(SEEDS)


def test_without_the_partnership_the_patron_deploys_alone() -> None:
    sc = variant(lambda data: data["actors"][PATRON]["partners"].remove(ATTACKER))
    for seed in SEEDS:
        m = run(sc, seed)
        assert events(m, "request_refused", BLOC)[0].terms["blocked_by"] == ATTACKER
        decided = events(m, "deploy_decided", PATRON)
        assert decided, f"seed {seed}: the patron did not deploy"
        assert decided[0].terms["partner"] == 0
        assert outcomes(m)["peak_foreign_troops"] > 0


def test_if_the_lead_decided_the_partner_penalty_would_still_refuse() -> None:
    sc = variant(lambda data: data["blocs"][BLOC].update(procedure="lead_decides"))
    for seed in SEEDS:
        m = run(sc, seed)
        no = events(m, "request_refused", BLOC)
        assert no and "blocked_by" not in no[0].terms
        assert no[0].terms["legal"] == 0.5  # an attack by a fellow member is contested
        assert no[0].terms["partner"] < 0
        assert not events(m, "troops_arrive")
