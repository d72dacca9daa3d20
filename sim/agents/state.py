"""A state other than the host.

It speaks, consults, pledges, helps or sends a force itself, contributes to a bloc's force, and
feels its public's pressure.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from sim.agents.provider import Provider
from sim.rules import common, public
from sim.rules import provider as provider_rules

if TYPE_CHECKING:
    from sim.model import CrisisModel
    from sim.scenario import StateActor


class State(Provider):
    """An outside state, weighed by its own traits."""

    def __init__(self, model: CrisisModel, key: str) -> None:
        super().__init__(model, key)
        self.spec: StateActor = model.scenario_spec.actors[key]
        self.name = self.spec.name
        self.influence = self.spec.influence
        self.stance = dict(self.spec.stance)
        self.members = [key]
        self.procedure = self.spec.procedure
        self.pressure = self.peak_pressure = 0.0
        self.passed_over = self.called_force = False

    @cached_property
    def weighs(self) -> bool:
        """Whether the crisis can weigh on it unasked: a stake, a care for primacy, or a public."""
        t = self.spec
        return t.stake > 0 or t.primacy_concern > 0 or t.kin_public > 0

    @property
    def voice(self) -> State:
        """It speaks for itself."""
        return self

    @property
    def lead(self) -> State:
        """It leads its own force."""
        return self

    def contributors(self) -> list[State]:
        """It sends only its own troops."""
        return [self]

    @cached_property
    def kin_blocs(self) -> list[str]:
        """Blocs it chairs that include the host."""
        m = self.model
        return [
            b.key for b in m.blocs.values() if b.spec.chair == self.key and m.host.key in b.members
        ]

    @cached_property
    def own_forces(self) -> frozenset[str]:
        """Forces whose troops its public does not count as a rival's: its own, its kin blocs'."""
        return frozenset((*self.kin_blocs, self.key))

    @cached_property
    def kin(self) -> bool:
        """Whether it shares a bloc with the host."""
        m = self.model
        return any(self.key in b.members and m.host.key in b.members for b in m.blocs.values())

    def approval_days(self) -> float:
        """Days its procedure takes to approve sending its troops."""
        return self.latency_days()

    def step(self) -> None:
        """Update its public's pressure.

        Then weigh the crisis, unless its troops are already in the host with a force it leads or
        joined.
        """
        if self.spec.kin_public > 0:
            self._update_pressure()
        if self.key not in self.model.troops:
            super().step()

    def _update_pressure(self) -> None:
        m, p = self.model, self.model.behaviour.provider
        by = m.troops_by_provider
        rival = m.foreign_troops - sum(by.get(k, 0) for k in self.own_forces)
        adversary = any(a in m.troops for a in self.spec.adversaries)
        self.pressure = public.pressure(
            self.pressure,
            kin_public=self.spec.kin_public if self.kin else 0.0,
            rival_troops=rival,
            adversary_present=adversary,
            passed_over=self.passed_over,
            p=p,
        )
        self.passed_over = False
        self.peak_pressure = max(self.peak_pressure, self.pressure)
        if not self.called_force and self.kin_blocs:
            d = common.threshold_rule(self.pressure, p.joint_force_pressure, "public pressure")
            if d.act:
                self.called_force = True
                m.emit(
                    self.key,
                    "joint_force_called",
                    self.kin_blocs[0],
                    d.terms,
                    f"{d.reason}: voices call for a joint force of the kin bloc",
                )

    def contribution_utility(self, legal: float, scope: str) -> float:
        """Its utility of sending its troops with a bloc's force it was asked to join."""
        m = self.model
        s = self.situation(self)._replace(legal=legal, asked=True)
        base = sum(provider_rules.utility(s, self.spec, m.behaviour.provider).values())
        troops = self.spec.force.troops
        return provider_rules.rung_utilities(base, [scope], troops, legal, m.behaviour.provider)[
            scope
        ]
