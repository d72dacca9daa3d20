"""The crisis model: determinism, invariants, outcomes, and the shipped scenarios' provenance."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim.experiments import load
from sim.loading import load_document
from sim.model import CrisisModel
from sim.outcomes import events_frame, series_frame
from sim.provenance import unsourced
from sim.scenario import Scenario, load_scenario
from tests.conftest import DEFAULTS, HISTORICAL, SHIPPED


def _trace(model: CrisisModel) -> list[tuple]:
    return [(e.time, e.actor, e.action, e.target, repr(e.terms)) for e in model.events]


def test_same_seed_same_events(historical):
    a = CrisisModel(historical, rng=7).run()
    b = CrisisModel(historical, rng=7).run()
    assert _trace(a) == _trace(b)
    assert series_frame(a).equals(series_frame(b))


def test_delayed_calls_keep_the_order_of_mesas_event_list(historical):
    """A day's step comes before the calls due at that time; calls by time, then as made."""
    m = CrisisModel(historical, rng=1)
    seen: list[tuple[float, str]] = []
    m.later(1.0, lambda: seen.append((m.time, "due day 1, made first")))
    m.later(0.5, lambda: seen.append((m.time, "half a day")))
    m.later(1.0, lambda: seen.append((m.time, "due day 1, made second")))
    m.later(2.0, lambda: m.later(0.0, lambda: seen.append((m.time, "made at day 2, due now"))))
    user_step = m._user_step
    m._user_step = lambda: (seen.append((m.time, "step")), user_step())
    m.run_for(1)
    m.step()
    assert seen == [
        (0.5, "half a day"),
        (1.0, "step"),
        (1.0, "due day 1, made first"),
        (1.0, "due day 1, made second"),
        (2.0, "step"),
        (2.0, "made at day 2, due now"),
    ]
    assert m.time == 2.0
    with pytest.warns(RuntimeWarning):
        m.run_for(0)  # as Mesa: nothing runs, time stays
    assert m.time == 2.0 and seen[-1] == (2.0, "made at day 2, due now")
    with pytest.raises(ValueError, match="past"):
        m.later(-1, print)


def test_different_seeds_differ_in_unrest(historical):
    traces = {tuple(_trace(CrisisModel(historical, rng=s).run())) for s in range(10)}
    assert len(traces) > 1
    peaks = {CrisisModel(historical, rng=s).run().field.casualties for s in range(10)}
    assert len(peaks) == 10


def test_events_in_time_order_and_dated(historical_runs):
    for r in historical_runs:
        times = [e.time for e in r.events]
        assert times == sorted(times)
        start = r.model.start
        for e in r.events:
            assert (e.date - start).days == int(e.time)


def _first(events, action):
    return next((e.time for e in events if e.action == action), None)


def test_no_arrival_before_decision_no_withdrawal_before_arrival(historical_runs):
    for r in historical_runs:
        ev = r.events
        decided, arrived = _first(ev, "deploy_decided"), _first(ev, "troops_arrive")
        requested = _first(ev, "request_help")
        begins, done = _first(ev, "withdrawal_begins"), _first(ev, "withdrawal_complete")
        if decided is not None:
            assert requested is not None and requested <= decided
        if arrived is not None:
            assert decided is not None and decided <= arrived
        if begins is not None:
            assert arrived is not None and arrived <= begins
        if done is not None:
            assert begins is not None and begins <= done


def test_troops_never_negative_and_zero_after_withdrawal(historical_runs):
    for r in historical_runs:
        for row in r.model.series:
            assert all(n >= 0 for n in row["troops"].values())
        if r.outcomes["withdrawal_end_day"] is not None:
            assert r.model.series[-1]["troops"] == {}


def test_unrest_state_stays_in_bounds(historical_runs):
    for r in historical_runs:
        for row in r.model.series:
            for key in ("protest", "violence"):
                assert all(0 <= x <= 1 for x in row[key])


def test_much_security_brings_violence_down_smoothly_not_to_zero_and_back():
    """Suppression is a continuous daily rate: no security makes violence overshoot to zero."""
    from sim.experiments.plan import with_values

    war = load_scenario(HISTORICAL.parent / "examples" / "border_war.yaml")
    strong = with_values(war, [("behaviour", "unrest", "suppression")], [5.0])
    m = CrisisModel(strong, rng=1)
    i = m.field.ids.index("harrowmark")  # attacked for 8 days
    seen = []
    for _ in range(8):
        m.run_for(1)
        seen.append(m.field.v[i])
    assert all(0 < x < 1 for x in seen)
    assert max(seen[1:]) - min(seen[1:]) < 0.05  # a steady level under attack, no day-to-day flip


def test_outcomes_follow_events(historical_runs):
    r = historical_runs[0]
    o = r.outcomes
    assert o["request_to"] == "csto" and o["deployed_by"] == "csto"
    assert o["peak_foreign_troops"] == max(sum(row["troops"].values()) for row in r.model.series)
    assert o["troop_days"] >= o["peak_foreign_troops"]
    assert o["arrival_day"] >= o["decision_day"] >= o["request_day"]
    assert o["influence_shift_russia"] > 0 > o["influence_shift_turkey"]


def test_tables_have_the_documented_columns(historical_runs):
    m = historical_runs[0].model
    assert list(events_frame(m).columns) == [
        "time",
        "date",
        "actor",
        "action",
        "target",
        "terms",
        "reason",
    ]
    s = series_frame(m)
    assert {"day", "date", "entity", "variable", "value"} == set(s.columns)
    assert {"protest", "violence", "emergency", "foreign_troops", "influence"} <= set(s.variable)


def test_every_decision_event_has_a_reason(historical_runs):
    for e in historical_runs[0].events:
        assert e.reason, e


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_scenarios_cite_every_rule_parameter(path):
    data, _ = load_document(path)
    assert unsourced(Scenario, data) == []
    load_scenario(path)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_scenario_takes_its_behaviour_from_the_shared_defaults(path):
    """Behaviour is written once: no scenario sets a behavioural parameter of its own, except
    a counterfactual or an example that says so in its own file."""
    _, sources = load_document(path)
    file, _ = sources.locate(("behaviour", "unrest", "noise"))
    assert file == str(DEFAULTS)


def test_unsourced_finds_a_bare_number(historical):
    data, _ = load_document(HISTORICAL)
    data["behaviour"]["unrest"]["noise"] = 0.3
    assert ("behaviour", "unrest", "noise") in unsourced(Scenario, data)


def test_same_seed_same_result_across_processes(tmp_path):
    """Two fresh interpreters with different hash seeds write identical tables."""
    outs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / hash_seed
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        cmd = [
            sys.executable,
            "-m",
            "sim",
            "run",
            str(HISTORICAL),
            "--seed",
            "5",
            "--out",
            str(out),
        ]
        subprocess.run(cmd, check=True, capture_output=True, env=env, timeout=120)
        outs.append(out)
    first, second = (load(o) for o in outs)
    for name in ("runs", "series", "events"):
        pd.testing.assert_frame_equal(first[name], second[name])


def test_a_force_leaves_at_the_withdrawal_rate_smallest_contingent_first(historical_runs):
    """Contingents leave one after another at the shared rate; the lead's go last."""
    seen = 0
    for run in historical_runs[:10]:
        m = run.model
        begins = next((e for e in m.events if e.action == "withdrawal_begins"), None)
        if begins is None:
            continue
        done = next(e.time for e in m.events if e.action == "withdrawal_complete")
        rate = m.behaviour.provider.withdrawal_rate
        assert done == pytest.approx(begins.time + begins.terms["troops"] / rate)
        present = [row["troops"] for row in m.series if row["day"] > begins.time and row["troops"]]
        assert [len(t) for t in present] == sorted((len(t) for t in present), reverse=True)
        assert set(present[-1]) == {"russia"}
        seen += 1
    assert seen


def test_a_large_map_averages_over_neighbours_as_a_small_one_does():
    from sim.agents.unrest import DENSE_UP_TO, _mixing

    n = DENSE_UP_TO + 36
    links = [{(i - 1) % n, (i + 1) % n} | ({0} if i and i % 7 == 0 else set()) for i in range(n)]
    links[0] |= {i for i in range(1, n) if i % 7 == 0}
    sparse = _mixing(links)
    assert not isinstance(sparse, np.ndarray)
    x = np.random.default_rng(1).random(n)
    means = [sum(x[j] for j in nbs) / len(nbs) for nbs in links]
    assert np.allclose(sparse @ x, means, rtol=1e-12, atol=0)
    assert isinstance(_mixing([{1}, {0}]), np.ndarray)
