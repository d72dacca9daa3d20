"""The historical replay against the dated record: the score the README promises."""

from __future__ import annotations

from sim.record import load_record, score_replay
from sim.runner import run_seeds
from tests.conftest import KZ2022_RECORD

GOAL = 0.90


def test_replay_score_meets_the_goal_with_no_forbidden_event(historical):
    runs = [r.events for r in run_seeds(historical, range(1, 201))]
    score = score_replay(load_record(KZ2022_RECORD), runs)
    assert not score.forbidden, score.table()
    assert score.score >= GOAL, score.table()


def test_every_target_happens_in_most_runs(historical_runs):
    score = score_replay(load_record(KZ2022_RECORD), [r.events for r in historical_runs])
    for t in score.targets:
        assert t.occurred_rate >= 0.9, t
