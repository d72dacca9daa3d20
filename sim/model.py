"""CrisisModel: builds the actors of a scenario and runs the crisis one day per step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import mesa
import numpy as np

from sim.agents.provider import BlocAgent, Provider
from sim.agents.states import Contributor, Host, Neighbour, Power, Rival
from sim.agents.unrest import UnrestField
from sim.events import Event
from sim.scenario import Scenario

ROLE_CLASSES = {
    "host": Host,
    "patron": Power,
    "rival": Rival,
    "neighbour": Neighbour,
    "contributor": Contributor,
}


class _Later:
    """A delayed call, held strongly by the model until it fires (Mesa keeps weak references)."""

    __slots__ = ("__weakref__", "args", "fn", "model")

    def __init__(self, model: CrisisModel, fn: Callable, args: tuple) -> None:
        self.model, self.fn, self.args = model, fn, args

    def fire(self) -> None:
        self.model._pending.discard(self)
        self.fn(*self.args)


class CrisisModel(mesa.Model):
    """A crisis in one host state, its outside powers, blocs and regions, day by day.

    Step 0 is the scenario's start date, when the shock hits. Each step is one day: the unrest
    field updates, then the host decides, then the other actors in scenario order. Delays
    (council procedure, airlift, notice periods) are Mesa events at fractional times.
    """

    def __init__(self, scenario: Scenario, rng: int | None = None) -> None:
        super().__init__(rng=rng)
        # Choices (who contributes) draw from their own stream, so that a counterfactual that
        # changes a choice leaves the daily noise of the unrest field as it was.
        self.choice_rng = np.random.default_rng(self.rng.bit_generator.seed_seq.spawn(1)[0])
        self.scenario_spec = scenario
        self.start: dt.date = scenario.calendar.start
        self.events: list[Event] = []
        self.series: list[dict[str, Any]] = []
        self.troops: dict[str, int] = {}
        self.troops_by_provider: dict[str, int] = {}
        self._pending: set[_Later] = set()
        self.field = UnrestField(self)
        self.states = {k: ROLE_CLASSES[a.role](self, k) for k, a in scenario.actors.items()}
        self.host: Host = self.states[scenario.host_id]
        self.blocs = {k: BlocAgent(self, k) for k in scenario.blocs}
        everyone = {**self.blocs, **self.states}
        self.providers: dict[str, Provider] = {k: everyone[k] for k in scenario.provider_ids}
        self.rivals = [s for s in self.states.values() if isinstance(s, Rival)]
        self.order = [
            self.host,
            *(s for s in self.states.values() if s.daily and s is not self.host),
        ]
        self.field.apply_shock()
        self._record_day()

    # ---------------------------------------------------------------- time
    @property
    def date(self) -> dt.date:
        """Calendar date of the current model time."""
        return self.start + dt.timedelta(days=int(self.time))

    def later(self, days: float, fn: Callable, *args: Any) -> None:
        """Call ``fn(*args)`` after ``days`` (fractions are hours), via Mesa's event list."""
        job = _Later(self, fn, args)
        self._pending.add(job)
        self.schedule_event(job.fire, after=days)

    def step(self) -> None:
        """One day: unrest, then the host, then every other actor."""
        self.field.step()
        for agent in self.order:
            agent.step()
        self._record_day()

    def run(self) -> CrisisModel:
        """Run to the scenario's horizon; return self."""
        self.run_for(self.scenario_spec.calendar.horizon_days)
        return self

    # ---------------------------------------------------------------- what agents report
    def emit(self, actor: str, action: str, target: str | None, terms: dict, reason: str) -> None:
        """Record an event at the current time."""
        self.events.append(Event(self.time, self.date, actor, action, target, terms, reason))

    def requested(self, target: str, declined_offers: list[str]) -> None:
        """The host asked ``target``: each rival bloc passed over, each offer declined, costs."""
        for key in [r.key for r in self.rivals if r.passed_over_by(target)] + declined_offers:
            self.passed_over(key)

    def passed_over(self, key: str) -> None:
        """The host turned away from ``key``: its influence falls; a rival's public notices."""
        self.shift_influence(key, -self.scenario_spec.influence.passed_over_loss)
        state = self.states[key]
        if isinstance(state, Rival):
            state.passed_over = True

    def deployed(self, provider: str) -> None:
        """``provider`` decided to send a force: tell the host and the rivals."""
        self.host.helped_by(provider)
        for r in self.rivals:
            r.on_deploy(provider)

    def order_restored(self) -> None:
        """Order holds: the lead of each force present gains influence."""
        for prov in self.providers.values():
            if prov.troops:
                self.shift_influence(prov.lead_id, self.scenario_spec.influence.deploy_gain)

    def troops_changed(self) -> None:
        """Recount foreign troops by contributor; guards free the host's own forces."""
        counts: dict[str, int] = {}
        for prov in self.providers.values():
            for k, n in prov.troops.items():
                counts[k] = counts.get(k, 0) + n
        self.troops = counts
        self.troops_by_provider = {k: sum(p.troops.values()) for k, p in self.providers.items()}
        self.field.relief = self.scenario_spec.unrest.guard_relief * sum(counts.values()) / 1000.0

    def rival_influence(self, power: str) -> float:
        """The strongest influence in the host of the outside powers other than ``power``."""
        return max(
            (s.influence for k, s in self.providers.items() if k != power and k in self.states),
            default=0.0,
        )

    def shift_influence(self, actor: str, delta: float) -> None:
        """Move an actor's influence in the host, kept in [0, 1]."""
        s = self.states[actor]
        s.influence = min(1.0, max(0.0, s.influence + delta))

    def _record_day(self) -> None:
        f = self.field
        self.series.append(
            {
                "day": int(self.time),
                "protest": f.p,
                "national_protest": f.protest,
                "national_violence": f.violence,
                "violence": list(f.v),
                "emergency": list(f.emergency),
                "troops": dict(self.troops),
                "pressure": {r.key: r.pressure for r in self.rivals},
                "influence": {k: s.influence for k, s in self.states.items()},
            }
        )
