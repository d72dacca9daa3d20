"""CrisisModel: builds the actors of a scenario and runs the crisis one day per step."""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import math
import warnings
from collections.abc import Callable
from typing import Any

import mesa

from sim.agents.bloc import Bloc
from sim.agents.host import Host
from sim.agents.provider import Provider
from sim.agents.state import State
from sim.agents.unrest import UnrestField
from sim.events import Event
from sim.rules import provider as provider_rules
from sim.scenario import Scenario


class CrisisModel(mesa.Model):
    """A crisis in one host state, the other states and blocs, and its regions, day by day.

    Step 0 is the scenario's start date, when the shock hits. Each step is one day: the unrest
    field updates, then the host decides, then every bloc and state weighs the crisis, in
    scenario order. Decisions take the latency of their procedure, and forces their transport:
    calls at fractional times, kept by the model in the order of Mesa's event list (a day's step
    before the calls due at that time; calls by time, then in the order made).
    """

    def __init__(self, scenario: Scenario, rng: int | None = None) -> None:
        super().__init__(rng=rng)
        self.scenario_spec = scenario
        self.behaviour = scenario.behaviour
        self.start: dt.date = scenario.calendar.start
        self._dates: dict[int, dt.date] = {}
        self.events: list[Event] = []
        self.series: list[dict[str, Any]] = []
        self.troops: dict[str, int] = {}
        self.troops_by_provider: dict[str, int] = {}
        self.foreign_troops = 0  # all foreign troops in the host
        self.forces: list[Provider] = []  # providers that decided to send a force, in order
        self._calls: list[tuple[float, int, Callable, tuple]] = []  # (time, order made, fn, args)
        self._made = itertools.count()
        self.now = 0.0  # ``time``, as a plain attribute: agents read it often
        self._severity: tuple[list[float] | None, float] = (None, 0.0)  # (loads, severity)
        self._influences = 0  # version of the states' influence, for ``rival_influence``
        self._rival: tuple[int, float, float, str | None] = (-1, 0.0, 0.0, None)
        self._moves = 0  # version of the forces decided and of troops in the host
        self._foreign: tuple[int, dict[str, bool]] = (-1, {})  # (version, state -> answer)
        self._default_schedule.stop()  # the model runs its own days (``_advance_time``)
        self.field = UnrestField(self)
        self.host = Host(self, scenario.host_id)
        self.blocs = {k: Bloc(self, k) for k in scenario.blocs}
        self.states = {k: State(self, k) for k, a in scenario.actors.items() if a.role != "host"}
        self.providers: dict[str, Provider] = {
            k: self.blocs.get(k) or self.states[k] for k in scenario.provider_ids
        }
        self.order = [self.host, *self.providers.values()]
        self.field.apply_shock()
        self._record_day()

    # ---------------------------------------------------------------- time
    @property
    def date(self) -> dt.date:
        """Calendar date of the current model time."""
        day = int(self.now)
        date = self._dates.get(day)
        if date is None:
            date = self._dates[day] = self.start + dt.timedelta(days=day)
        return date

    def later(self, days: float, fn: Callable, *args: Any) -> None:
        """Call ``fn(*args)`` after ``days`` (fractions are hours; never in the past)."""
        if days < 0:
            raise ValueError(f"cannot call back {-days:g} days in the past")
        heapq.heappush(self._calls, (self.now + days, next(self._made), fn, args))

    def _advance_time(self, until: float) -> None:
        """Run to ``until``: each day, the calls due before it, then its step; then the rest.

        What Mesa's event list does with a daily step of high priority, without an event object
        and weak references per call. ``step()`` and ``run_for()`` both come here.
        """
        if until <= self.time:
            warnings.warn(f"end time {until} is not after time {self.time}", RuntimeWarning, 2)
            return
        day = math.floor(self.time) + 1
        while day <= until:
            self._call_before(day)
            self.time = self.now = float(day)
            self.steps += 1
            self._user_step()
            day += 1
        self._call_before(until, inclusive=True)
        self.time = self.now = until

    def _call_before(self, t: float, inclusive: bool = False) -> None:
        """Make the calls due before ``t`` (or at it), each at its own time."""
        calls = self._calls
        while calls and (calls[0][0] < t or (inclusive and calls[0][0] == t)):
            when, _, fn, args = heapq.heappop(calls)
            self.time = self.now = when
            fn(*args)

    def step(self) -> None:
        """One day: unrest, then the host, then every bloc and state."""
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
        self.events.append(Event(self.now, self.date, actor, action, target, terms, reason))

    def requested(self, target: str, declined: list[str]) -> None:
        """The host asked ``target``.

        The chair of each kin bloc passed over, each pledge declined, loses standing.
        """
        lead = getattr(self.providers[target].lead, "key", None)
        chairs = [
            s.key
            for s in self.states.values()
            if s.kin_blocs and target not in {*s.kin_blocs, s.key} and lead != s.key
        ]
        for key in {*chairs, *(getattr(self.providers[k].voice, "key", k) for k in declined)}:
            self.passed_over(key)

    def passed_over(self, key: str) -> None:
        """The host turned away from ``key`` (a state, or a bloc through its chair).

        Its influence falls; its public notices.
        """
        if key in self.blocs:
            key = self.blocs[key].spec.chair
        state = self.states.get(key)
        if state is None:
            return
        self.shift_influence(key, -self.behaviour.influence.passed_over_loss)
        state.passed_over = True

    def deployed(self, provider: str) -> None:
        """``provider`` decided to send a force."""
        self.forces.append(self.providers[provider])
        self._moves += 1
        self.host.helped_by(provider)

    def order_restored(self) -> None:
        """Order holds.

        The lead of each force present gains influence; pledges not taken up lapse, and so do
        requests answered short of a force.
        """
        for prov in self.providers.values():
            if prov.troops:
                self.shift_influence(prov.lead.key, self.behaviour.influence.deploy_gain)
            if prov.pledged and prov.asked is None and not prov.answered:
                prov.pledged = False
                self.host.offers.discard(prov.key)
                self.emit(
                    prov.key, "pledge_lapsed", self.host.key, {}, "not asked before order held"
                )
            if prov.answered and not prov.deployed:
                prov.asked = None  # an answered request lapses once order holds

    def troops_changed(self) -> None:
        """Recount foreign troops by contributor and station them where the load is."""
        self._moves += 1
        counts: dict[str, int] = {}
        for prov in self.providers.values():
            for k, n in prov.troops.items():
                counts[k] = counts.get(k, 0) + n
        self.troops = counts
        self.troops_by_provider = {k: sum(p.troops.values()) for k, p in self.providers.items()}
        self.foreign_troops = sum(counts.values())
        self.field.station(self.foreign_troops)

    def rival_influence(self, power: str) -> float:
        """The strongest influence in the host of the other states."""
        version, best, second, leader = self._rival
        if version != self._influences:
            best = second = 0.0
            leader = None
            for k, s in self.states.items():
                if s.influence > best:
                    best, second, leader = s.influence, best, k
                elif s.influence > second:
                    second = s.influence
            self._rival = (self._influences, best, second, leader)
        return second if power == leader else best

    def severity(self) -> float:
        """How far the host has lost control, as seen from abroad, now.

        ``rules.provider.severity``, computed once per update of the field's loads.
        """
        f = self.field
        if self._severity[0] is not f.load:
            depth_weight = self.behaviour.provider.depth_weight
            value = provider_rules.severity(f.national_load(), f.worst_load(), depth_weight)
            self._severity = (f.load, value)
        return self._severity[1]

    def foreign_force(self, state: str) -> bool:
        """Whether a force ``state`` takes no part in is decided or present in the host."""
        version, known = self._foreign
        if version != self._moves:
            known = {}
            self._foreign = (self._moves, known)
        answer = known.get(state)
        if answer is None:
            answer = known[state] = any(
                state != p.lead.key and state not in p.plan for p in self.forces if p.in_host()
            )
        return answer

    def shift_influence(self, actor: str, delta: float) -> None:
        """Move a state's influence in the host, kept in [0, 1]."""
        s = self.states.get(actor)
        if s is not None:
            s.influence = min(1.0, max(0.0, s.influence + delta))
            self._influences += 1

    def _record_day(self) -> None:
        f = self.field
        self.series.append(
            {
                "day": int(self.now),
                "protest": f.p,
                "national_protest": f.protest,
                "national_violence": f.violence,
                "violence": list(f.v),
                "emergency": list(f.emergency),
                "troops": dict(self.troops),
                "pressure": {k: s.pressure for k, s in self.states.items() if s.spec.kin_public},
                "influence": {k: s.influence for k, s in self.states.items()},
            }
        )
