"""Providers of military help (a bloc, or a state acting alone) and the forces they send."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from sim import rules
from sim.rules import provider as provider_rules

if TYPE_CHECKING:
    from sim.agents.states import Power
    from sim.model import CrisisModel


class Provider(mesa.Agent):
    """Something the host can ask for a force: decides, deploys, and withdraws when asked.

    Subclasses say who the members are, who leads, the mandate and the delays.
    """

    key: str
    members: list[str]
    lead_id: str | None
    mandate: str
    council_delay_days: float
    readiness_days: float
    force_pool: dict[str, float]

    def __init__(self, model: CrisisModel) -> None:
        super().__init__(model)
        self.deployed = False
        self.troops: dict[str, int] = {}

    # ---------------------------------------------------------------- requests
    @property
    def lead(self) -> Power | None:
        """The member whose decision carries the provider's, if it can send a force."""
        return self.model.states.get(self.lead_id) if self.lead_id else None

    def legal_basis(self) -> float:
        """Legal basis for this provider to act in the host (see ``rules.provider.legal_basis``)."""
        m, host = self.model, self.model.host
        shock = m.scenario_spec.shock
        return provider_rules.legal_basis(
            self.mandate,
            shock.kind,
            host.framed,
            host.key in self.members,
            shock.attacker in self.members,
        )

    def assess(self) -> tuple[rules.Decision, float]:
        """Decide on a request now; return the decision and the days it takes to announce."""
        m = self.model
        lead = self.lead
        if self.mandate == "none":
            return rules.Decision(False, {"mandate": "none"}, "no mandate to send a force"), 1.0
        if lead is None or lead.intervention is None:
            return rules.Decision(
                False, {"lead": self.lead_id}, "no member able to lead a force"
            ), 1.0
        attacker = m.scenario_spec.shock.attacker
        if self.procedure == "consensus" and attacker in self.members and attacker != m.host.key:
            why = f"{attacker}, the attacker, is a member and blocks consensus"
            return rules.Decision(False, {"blocked_by": attacker}, why), self.council_delay_days
        legal = self.legal_basis()
        p = lead.intervention
        d = provider_rules.intervene(
            violence=m.field.violence,
            framed=m.host.framed,
            rival_influence=m.rival_influence(lead.key),
            legal=legal,
            troops=min(m.host.params.troops_needed, self.pool_for(m.host.key)),
            against_partner=attacker in lead.partners,
            p=p,
        )
        margin = d.terms["utility"] - d.terms["threshold"]
        delay = (
            provider_rules.decision_delay(p.decision_delay_days, margin) + self.council_delay_days
        )
        return rules.Decision(d.act, {**d.terms, "legal": round(legal, 3)}, d.reason), delay

    def pool_for(self, host: str) -> float:
        """Troops the members other than ``host`` (and an attacker) can send."""
        attacker = self.model.scenario_spec.shock.attacker
        return sum(n for k, n in self.force_pool.items() if k not in (host, attacker))

    def expected_days(self) -> float:
        """Days from a request to the first troops on the ground, if the lead agrees at once."""
        p = self.lead.intervention
        return p.decision_delay_days + self.council_delay_days + self.arrival_days()

    def arrival_days(self) -> float:
        """Days from a decision to the first troops: the force's readiness or the airlift."""
        return max(self.readiness_days, self.lead.intervention.airlift_days)

    def receive_request(self) -> None:
        """The host asks for a force: decide now, announce after the decision delay."""
        decision, delay = self.assess()
        self.model.later(delay, self._announce, decision)

    def _announce(self, decision: rules.Decision) -> None:
        m = self.model
        if not decision.act:
            m.emit(self.key, "request_refused", m.host.key, decision.terms, decision.reason)
            m.host.refused(self.key)
            return
        self.deployed = True
        m.deployed(self.key)
        lead = self.lead
        scope = provider_rules.mission_scope(
            m.field.overload(), lead.intervention.combat_overload, m.scenario_spec.shock.kind
        )
        plan = self._plan()
        m.emit(
            self.key,
            "deploy_decided",
            m.host.key,
            {**decision.terms, "scope": scope, "planned": plan, "lead": lead.key},
            f"{decision.reason}; mission: {scope.replace('_', ' ')}",
        )
        ready = self.arrival_days()
        for member, n in plan.items():
            if n > 0:
                wait = ready if member == lead.key else max(ready, m.states[member].approval_days)
                m.later(wait, self._arrive, member, n)

    def _plan(self) -> dict[str, int]:
        """Contingents: willing members send their pool; the lead fills up to the need."""
        m, lead = self.model, self.lead_id
        plan = {lead: 0}
        for member, pool in self.force_pool.items():
            if member in (lead, m.host.key, m.scenario_spec.shock.attacker) or pool <= 0:
                continue
            if m.choice_rng.random() < m.states[member].willingness:
                plan[member] = int(pool)
        need = m.host.params.troops_needed - sum(plan.values())
        plan[lead] = int(max(0, min(self.force_pool.get(lead, 0), need)))
        return plan

    def _arrive(self, member: str, n: int) -> None:
        m = self.model
        first = not self.troops
        self.troops[member] = n
        m.troops_changed()
        if first:
            m.emit(
                self.key,
                "troops_arrive",
                m.host.key,
                {"troops": n, "contributor": member},
                f"first {n} troops of {member} land",
            )
        m.emit(
            member, "contingent_arrives", m.host.key, {"troops": n}, f"{n} troops under {self.key}"
        )

    # ---------------------------------------------------------------- leaving
    def exit_requested(self, notice_days: float) -> None:
        """The host asks the force to leave: the lead decides whether it stays."""
        m, lead = self.model, self.lead
        d = provider_rules.stay(rival_influence=m.rival_influence(lead.key), p=lead.intervention)
        if d.act:
            m.emit(lead.key, "refuses_to_leave", m.host.key, d.terms, d.reason)
            m.shift_influence(lead.key, -m.scenario_spec.influence.refusal_loss)
            return
        m.later(notice_days, self._begin_withdrawal, d)

    def _begin_withdrawal(self, d: rules.Decision) -> None:
        m = self.model
        m.emit(
            self.key,
            "withdrawal_begins",
            m.host.key,
            {**d.terms, "troops": sum(self.troops.values())},
            d.reason,
        )
        lead = self.lead_id
        for member in list(self.troops):
            if member != lead:
                m.later(1.0, self._leave, member)
        if lead in self.troops:  # the lead's first half flies out at once, the rest last
            self.troops[lead] //= 2
            m.troops_changed()
            m.later(self.lead.intervention.withdrawal_days, self._leave, lead)

    def _leave(self, member: str) -> None:
        m = self.model
        self.troops.pop(member, None)
        m.troops_changed()
        if not self.troops:
            m.emit(self.key, "withdrawal_complete", m.host.key, {}, "the last contingent has left")
            m.shift_influence(self.lead_id, m.scenario_spec.influence.exit_gain)


class BlocAgent(Provider):
    """An alliance or regional organisation, acting through its council."""

    def __init__(self, model: CrisisModel, key: str) -> None:
        super().__init__(model)
        spec = model.scenario_spec.blocs[key]
        self.key, self.name = key, spec.name
        self.members, self.chair, self.lead_id = spec.members, spec.chair, spec.lead
        self.mandate = spec.mandate
        self.council_delay_days = spec.council_delay_days
        self.procedure = spec.procedure
        self.readiness_days = spec.readiness_days
        self.force_pool = dict(spec.force_pool)
