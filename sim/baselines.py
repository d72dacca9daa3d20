"""Naive forecasts of a crisis, scored like the model to show what its rules add.

- ``nothing``: nothing happens beyond the shock (no event at all).
- ``naive_answer``: the model's own unrest and host (its framing, emergency rule, requests), but
  every provider answers each request the same way: the lead of the one asked sends troops,
  decided and landed the next day, and they leave a week after landing; no provider says or
  does anything else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sim.events import Event
from sim.scenario import Scenario

ANSWER_DAYS = 1
"""Days from a request to the naive answer: the force decided and landed."""

STAY_DAYS = 7
"""Days the naive force stays after landing."""


def nothing(runs: Sequence[Sequence[Event]]) -> list[list[Event]]:
    """One empty run per model run: nothing happens beyond the shock."""
    return [[] for _ in runs]


def naive_answer(runs: Sequence[Sequence[Event]], scenario: Scenario) -> list[list[Event]]:
    """Each model run with its providers' events replaced by the naive answer to each request."""
    host = scenario.host_id
    leads = {k: b.lead for k, b in scenario.blocs.items()}
    out = []
    for events in runs:
        kept = [e for e in events if e.actor in ("unrest", host) and not _exit(e)]
        answered: set[str] = set()
        for e in events:
            if e.actor == host and e.action == "request_help" and e.target not in answered:
                answered.add(e.target)
                kept += _answer(e, host, leads.get(e.target) or e.target)
        out.append(sorted(kept, key=lambda e: e.time))
    return out


def _exit(e: Event) -> bool:
    """The host's request that a force leave, which the naive force does not wait for."""
    return e.action == "withdrawal_requested"


def _answer(request: Event, host: str, lead: str) -> list[Event]:
    """The naive answer to one request: troops the next day, gone a week after landing."""
    provider = request.target

    def at(days: float, actor: str, action: str, **terms) -> Event:
        t = float(int(request.time) + days)
        date = request.date + dt.timedelta(days=int(t) - request.day)
        return Event(t, date, actor, action, host, terms, "naive baseline")

    land, leave = ANSWER_DAYS, ANSWER_DAYS + STAY_DAYS
    return [
        at(land, provider, "deploy_decided", scope="combat", lead=lead),
        at(land, provider, "troops_arrive", contributor=lead),
        at(land, lead, "contingent_arrives"),
        at(leave, provider, "withdrawal_begins"),
        at(leave, provider, "withdrawal_complete"),
    ]


BASELINES = {"nothing": lambda runs, scenario: nothing(runs), "naive_answer": naive_answer}
"""Each baseline: (model runs' events, scenario) -> the baseline's runs."""
