"""A bloc: it speaks and convenes through its chair, and sends a force through its lead."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from sim.agents.provider import Provider
from sim.rules.common import Decision

if TYPE_CHECKING:
    from sim.agents.state import State
    from sim.model import CrisisModel

MECHANISMS = ("collective_defence", "mutual_assistance")
"""Treaty kinds that give a bloc a mechanism to send people."""


class Bloc(Provider):
    """An alliance or regional organisation, acting through its council."""

    def __init__(self, model: CrisisModel, key: str) -> None:
        super().__init__(model, key)
        self.spec = model.scenario_spec.blocs[key]
        self.name = self.spec.name
        self.members = list(self.spec.members)
        self.procedure = self.spec.procedure
        self.convened = False  # its leaders have been called to an extraordinary meeting
        self._mechanism: tuple[list | None, bool] = (None, False)  # (treaties in force, answer)

    @cached_property
    def voice(self) -> State | None:
        """The chair speaks and convenes for the bloc (none when the host chairs it)."""
        return self.model.states.get(self.spec.chair)

    @cached_property
    def lead(self) -> State | None:
        """The lead, if the bloc has one."""
        return self.model.states.get(self.spec.lead) if self.spec.lead else None

    def contributors(self) -> list[State]:
        """The lead, then the other members with a force (neither the host nor the attacker)."""
        m = self.model
        out = [self.lead] if self.lead else []
        for k in self.members:
            s = m.states.get(k)
            attacker = k == m.scenario_spec.shock.attacker
            if s is not None and s is not self.lead and s.spec.force is not None and not attacker:
                out.append(s)
        return out

    def mechanism(self) -> bool:
        """Whether a treaty in force gives the bloc a mechanism to send people to the host."""
        now = self.treaties_now()
        if self._mechanism[0] is not now:
            self._mechanism = (now, any(t.kind in MECHANISMS for t, _ in now))
        return self._mechanism[1]

    def has_force(self) -> bool:
        """A lead with a force, and a treaty that gives the bloc a mechanism to send it."""
        return self.mechanism() and super().has_force()

    def step(self) -> None:
        """Weigh the crisis; once its force is decided, its words still climb, a rung a day.

        The chair speaks if the bloc has not, then calls the leaders, each if the crisis by the
        chair's traits clears the rung's bar.
        """
        super().step()
        voice = self.voice
        quiet = self.convened or self.leaving or self.busy or voice is None or not voice.weighs
        if self.deployed and not quiet:
            self.words_now("consultations" if self.said else "statement", "beside its force")

    def _consultations(self, d: Decision) -> None:
        m, chair = self.model, self.spec.chair
        self.convened = True
        notice = m.behaviour.provider.convene_days
        m.emit(
            chair,
            "consultations",
            self.key,
            d.terms,
            f"the chair calls {self.key} leaders; {d.reason}",
        )
        m.emit(
            self.key,
            "summit_called",
            None,
            {"notice_days": notice},
            f"extraordinary meeting set {notice:g} days ahead",
        )
        m.later(notice, self._summit)

    def _summit(self) -> None:
        self.model.emit(
            self.key,
            "summit_held",
            None,
            {"chair": self.spec.chair},
            "extraordinary meeting on the crisis",
        )
