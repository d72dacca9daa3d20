"""The naive forecasts replay-check scores beside the model."""

from __future__ import annotations

import datetime as dt

from sim.baselines import ANSWER_DAYS, STAY_DAYS, naive_answer, nothing
from sim.events import Event
from sim.scenario import load_scenario
from tests.conftest import HISTORICAL

START = dt.date(2022, 1, 1)


def ev(day: float, actor: str, action: str, target: str | None = None) -> Event:
    return Event(day, START + dt.timedelta(days=int(day)), actor, action, target, {}, "")


def test_nothing_happens_beyond_the_shock():
    assert nothing([[ev(1, "unrest", "violence_erupts")], []]) == [[], []]


def test_the_lead_of_the_one_asked_answers_with_troops_and_leaves_after_a_week():
    scenario = load_scenario(HISTORICAL)
    host, lead = scenario.host_id, scenario.blocs["csto"].lead
    run = [
        ev(1, "unrest", "violence_erupts", "almaty"),
        ev(3.5, host, "request_help", "csto"),
        ev(3.5, "csto", "statement", host),
        ev(4.5, "csto", "deploy_decided", host),
        ev(6, host, "request_help", "csto"),  # asked again: answered once
        ev(9, host, "withdrawal_requested", "csto"),
    ]
    (out,) = naive_answer([run], scenario)
    kept = [(e.time, e.actor, e.action) for e in out if e.reason != "naive baseline"]
    assert kept == [
        (1, "unrest", "violence_erupts"),
        (3.5, host, "request_help"),
        (6, host, "request_help"),
    ]
    made = [(e.time, e.actor, e.action, e.target) for e in out if e.reason == "naive baseline"]
    land, leave = 3 + ANSWER_DAYS, 3 + ANSWER_DAYS + STAY_DAYS
    assert made == [
        (land, "csto", "deploy_decided", host),
        (land, "csto", "troops_arrive", host),
        (land, lead, "contingent_arrives", host),
        (leave, "csto", "withdrawal_begins", host),
        (leave, "csto", "withdrawal_complete", host),
    ]
    assert all(e.date == START + dt.timedelta(days=int(e.time)) for e in out)
