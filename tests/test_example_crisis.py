"""The fictional border war in scenarios/examples/border_war.yaml.

Kestria attacks Lirenia. Kestria is a member of Lirenia's collective-defence bloc (the Amber
Treaty) and the partner of the bloc's lead, Dravonia. The host asks the bloc, which is blocked
by the attacker; then Dravonia, under a security memorandum, which refuses because of the
partner penalty; then nobody, for no one else has a force it could legally ask.
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


def test_file_validates_with_the_facts_the_story_needs(scenario: Scenario) -> None:
    assert scenario.shock.kind == "state_attack"
    assert scenario.shock.attacker == ATTACKER
    assert 5 <= len(scenario.regions) <= 6
    bloc = scenario.blocs[BLOC]
    assert bloc.procedure == "consensus" and bloc.lead == PATRON
    assert {HOST, ATTACKER} <= set(bloc.members)
    assert ATTACKER in scenario.actors[PATRON].partners
    kinds = {t.kind for t in scenario.bound(BLOC)}
    assert kinds == {"collective_defence"}
    assert {t.kind for t in scenario.bound(PATRON)} == {"security_cooperation"}


def test_every_fact_is_sourced_as_assumed() -> None:
    data, sources = load_document(PATH)
    assert unsourced(Scenario, data) == []

    def own(node, path=()):
        if isinstance(node, dict):
            if "source" in node and "value" in node:
                if sources.locate(path)[0] == str(PATH):
                    yield node["source"]
            else:
                for k, v in node.items():
                    yield from own(v, (*path, k))

    found = list(own(data))
    assert len(found) > 30
    assert all(s.startswith("assumed") for s in found), [s for s in found if "assumed" not in s]


# --------------------------------------------------------------------------- the story


def test_host_asks_its_bloc_first(runs: list[CrisisModel]) -> None:
    for m in runs:
        asks = events(m, "request_help", HOST)
        assert asks, f"seed {m.rng}: the host never asked for help"
        assert asks[0].target == BLOC and asks[0].terms["choice"] == BLOC


def test_bloc_refuses_because_the_attacker_blocks_consensus(runs: list[CrisisModel]) -> None:
    for m in runs:
        refusals = events(m, "request_refused", BLOC)
        assert refusals and all(ATTACKER in r.reason for r in refusals)
        assert refusals[0].time > events(m, "request_help", HOST)[0].time


def test_then_the_patron_refuses_for_its_partner(
    scenario: Scenario, runs: list[CrisisModel]
) -> None:
    penalty = scenario.behaviour.provider.partner_penalty
    bar = scenario.behaviour.provider.rungs.assistance
    for m in runs:
        asks = [e.target for e in events(m, "request_help", HOST)]
        assert asks[0] == BLOC and PATRON in asks  # the bloc may be asked again first
        no = events(m, "request_refused", PATRON)
        assert no
        t = no[0].terms
        assert t["partner"] == -penalty < 0
        # The partner penalty is what sinks it: without it the weighing would clear a rung.
        weighed = sum(v for k, v in t.items() if k not in ("legal", "asked_for", "highest_rung"))
        assert weighed - t["partner"] > bar


def test_no_one_else_can_be_asked_so_the_host_fights_alone(runs: list[CrisisModel]) -> None:
    for m in runs:
        asked = {e.target for e in events(m, "request_help", HOST)}
        assert asked <= {BLOC, PATRON}
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
    sc = variant(lambda data: data["blocs"][BLOC]["members"].remove(ATTACKER))
    for seed in SEEDS:
        m = run(sc, seed)
        assert events(m, "request_help", HOST)[0].target == BLOC
        decided = events(m, "deploy_decided", BLOC)
        assert decided, f"seed {seed}: the bloc did not deploy"
        assert decided[0].terms["legal"] == 1.0
        assert decided[0].terms["partner"] < 0  # still against a partner, and still goes
        assert events(m, "troops_arrive", BLOC)
        assert not events(m, "request_refused", BLOC)


def test_without_the_partnership_the_patron_deploys_alone() -> None:
    sc = variant(lambda data: data["actors"][PATRON]["partners"].remove(ATTACKER))
    for seed in SEEDS:
        m = run(sc, seed)
        assert ATTACKER in events(m, "request_refused", BLOC)[0].reason
        decided = events(m, "deploy_decided", PATRON)
        assert decided, f"seed {seed}: the patron did not deploy"
        assert decided[0].terms["partner"] == 0
        assert outcomes(m)["peak_foreign_troops"] > 0
