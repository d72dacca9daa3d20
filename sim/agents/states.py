"""State actors: the host, outside powers (patron, rival), neighbours and contributors."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

import mesa

from sim import rules
from sim.agents.provider import Provider
from sim.rules import host as host_rules
from sim.rules import neighbour as neighbour_rules
from sim.rules import rival as rival_rules

if TYPE_CHECKING:
    from sim.model import CrisisModel


class StateMixin:
    """What every state actor has: id, name, influence in the host, stances."""

    daily = True  # whether it takes decisions in the daily step (else only on requests)

    def _init_state(self, key: str) -> None:
        spec = self.model.scenario_spec.actors[key]
        self.key, self.name, self.role = key, spec.name, spec.role
        self.influence = spec.influence
        self.stance = dict(spec.stance)
        self.params = spec.params
        self.willingness = getattr(spec.params, "willingness", 0.0)
        self.approval_days = getattr(spec.params, "approval_days", 0.0)


class Host(StateMixin, mesa.Agent):
    """The state in crisis: concedes, declares emergency, asks for help and asks it to leave."""

    def __init__(self, model: CrisisModel, key: str) -> None:
        super().__init__(model)
        self._init_state(key)
        spec = model.scenario_spec.actors[key]
        self.reaction_weights = dict(spec.reaction_weights)
        self.sovereignty_cost = dict(spec.sovereignty_cost)
        self.legal_bilateral = dict(spec.legal_basis_bilateral)
        self.concessions = 0
        self.resigned = self.framed = self.waiting = self.exit_asked = False
        self.refused_by: set[str] = set()
        self.helper: str | None = None
        self.asked: str | None = None
        self.offers: dict[str, str] = {}  # provider whose force is on offer -> the state offering
        self.stable_days = 0

    def step(self) -> None:
        """Today's decisions, in the order a government under pressure takes them."""
        m, p, f = self.model, self.params, self.model.field
        d = host_rules.concession(
            f.protest, self.concessions, p.concession_trigger, p.max_concessions
        )
        if d.act:
            self.concessions += 1
            f.relieve_grievance(m.scenario_spec.unrest.concession_relief)
            m.emit(self.key, "concession", None, d.terms, d.reason)
        if not self.resigned:
            d = rules.threshold_rule(f.protest, p.resign_trigger, "national protest")
            if d.act:
                self.resigned = True
                f.relieve_grievance(m.scenario_spec.unrest.resignation_relief)
                m.emit(self.key, "government_resigns", None, d.terms, d.reason)
        self._emergency()
        if not self.framed and any(f.armed) and m.scenario_spec.shock.kind == "price_shock":
            d = rules.threshold_rule(f.violence, p.framing_trigger, "national violence")
            if d.act:
                self.framed = True
                m.emit(
                    self.key,
                    "counter_terror_framing",
                    None,
                    d.terms,
                    d.reason + "; armed groups framed as terrorists backed from abroad",
                )
        if m.scenario_spec.switches.host_may_request and not (self.waiting or self.helper):
            self._seek_help()
        if self.helper:
            self._consider_exit()

    def _emergency(self) -> None:
        """Release quiet regions after the minimum term; declare emergency where triggers pass."""
        m, p, f = self.model, self.params, self.model.field
        today, term = int(m.time), p.emergency_min_days
        if f.declared and today - f.first_declared >= term:
            for i, since in list(f.declared.items()):
                if today - since >= term and f.quiet(i):
                    del f.declared[i]
                    f.emergency[i] = False
                    m.emit(
                        self.key,
                        "emergency_lifted",
                        f.ids[i],
                        {"days_under_emergency": today - since},
                        f"{f.ids[i]} quiet after {today - since} days of emergency rule",
                    )
        if f.restored or all(f.emergency):
            return
        hit = [
            i
            for i in range(f.n)
            if not f.emergency[i]
            and (f.v[i] > p.emergency_violence or f.p[i] > p.emergency_protest)
        ]
        if hit and not f.declared:
            f.first_declared = today
        for i in hit:
            f.emergency[i] = True
            f.declared[i] = today
            m.emit(
                self.key,
                "emergency_declared",
                f.ids[i],
                {"violence": round(f.v[i], 3), "protest": round(f.p[i], 3)},
                f"violence or protest in {f.ids[i]} passes the emergency triggers",
            )
        share = sum(f.emergency) / f.n
        if hit and share >= p.nationwide_share:
            for i in range(f.n):
                f.declared.setdefault(i, today)
            f.emergency = [True] * f.n
            m.emit(
                self.key,
                "emergency_nationwide",
                None,
                {"share_under_emergency": round(share, 3), "threshold": p.nationwide_share},
                f"{share:.0%} of regions under emergency rule: extended to the whole country",
            )

    def _seek_help(self) -> None:
        m, p, f = self.model, self.params, self.model.field
        load = f.overload()
        d = rules.threshold_rule(load, p.request_threshold, "violence over own forces")
        if not d.act:
            return
        switches = m.scenario_spec.switches
        utils = {
            k: host_rules.provider_utility(self.view_of(prov), p)
            for k, prov in m.providers.items()
            if k not in self.refused_by and k != self.key and k not in switches.host_never_asks
        }
        forced = switches.host_asks if switches.host_asks in utils else None
        choice = host_rules.choose_provider(utils, p.min_utility, forced=forced)
        if not choice.act:
            return
        target = choice.terms["choice"]
        self.waiting = True
        m.emit(
            self.key,
            "request_help",
            target,
            {"overload": d.terms, **choice.terms},
            f"{d.reason}; {choice.reason}",
        )
        self.asked = target
        passed_over = []
        for provider in [k for k in self.offers if k != target]:
            offerer = self.offers.pop(provider)
            if self._decline(provider, offerer, f"asked {target} instead"):
                passed_over.append(offerer)
        m.requested(target, passed_over)
        m.providers[target].receive_request()

    def receive_offer(self, provider: str, offerer: str) -> None:
        """A state offers a force unasked: weigh it when seeking help; decline it if helped."""
        busy = self.helper or (self.asked if self.waiting else None)
        if not busy:
            self.offers[provider] = offerer
        elif provider != busy and self._decline(provider, offerer, f"already turned to {busy}"):
            self.model.passed_over(offerer)

    def turned_to(self, state: str) -> bool:
        """Whether the host has asked, or is helped by, ``state`` or a force it leads."""
        m = self.model
        chosen = self.helper or (self.asked if self.waiting else None)
        return chosen is not None and m.providers[chosen].lead_id == state

    def _decline(self, provider: str, offerer: str, why: str) -> bool:
        """Decline an offered force; return whether that passes over the state that offered it.

        It does not when the host has turned to that state, or to another force it leads.
        """
        self.model.emit(
            self.key, "offer_declined", provider, {"offered_by": offerer}, f"declines: {why}"
        )
        return not self.turned_to(offerer)

    def view_of(self, prov: Provider) -> host_rules.ProviderView:
        """How the host sees one provider: legal basis, speed, capacity, cost, reactions."""
        m = self.model
        lead = prov.lead
        can = prov.mandate != "none" and lead is not None and lead.intervention is not None
        pool = prov.pool_for(self.key)
        stances = {a.key: a.stance.get(prov.key, 0.0) for a in m.states.values() if a is not self}
        return host_rules.ProviderView(
            legal=prov.legal_basis(),
            speed=host_rules.speed_score(prov.expected_days()) if can else 0.0,
            capacity=min(1.0, pool / max(self.params.troops_needed, 1.0)) if can else 0.0,
            sovereignty_cost=self.sovereignty_cost.get(prov.key, 0.0),
            reaction=host_rules.reaction_score(stances, self.reaction_weights),
            offered=prov.key in self.offers,
        )

    def refused(self, provider: str) -> None:
        """A provider said no: look elsewhere from tomorrow."""
        self.waiting = False
        self.refused_by.add(provider)

    def helped_by(self, provider: str) -> None:
        """A provider decided to send a force."""
        self.waiting, self.helper = False, provider

    def _consider_exit(self) -> None:
        m, f = self.model, self.model.field
        prov = m.providers[self.helper]
        if self.exit_asked or not prov.troops:
            return
        self.stable_days = self.stable_days + 1 if max(f.v) < f.rules.stable_level else 0
        d = rules.reached(self.stable_days, self.params.stable_days, "days of order")
        if d.act:
            self.exit_asked = True
            m.emit(
                self.key,
                "withdrawal_requested",
                prov.key,
                {**d.terms, "notice_days": self.params.exit_notice_days},
                f"order has held {self.stable_days} days: the mission is complete",
            )
            prov.exit_requested(self.params.exit_notice_days)


class Power(StateMixin, Provider):
    """An outside power that may send a force, alone or as a bloc's lead."""

    daily = False  # a patron acts on requests only
    mandate = procedure = "bilateral"
    council_delay_days = 0.0

    def __init__(self, model: CrisisModel, key: str) -> None:
        super().__init__(model)
        self._init_state(key)
        spec = model.scenario_spec.actors[key]
        self.intervention = spec.params if spec.role == "patron" else spec.intervention
        self.partners = list(getattr(spec, "partners", []))
        self.members, self.lead_id = [key], key
        can_send = self.intervention is not None
        self.willingness, self.approval_days = (1.0 if can_send else 0.0), 0.0
        self.readiness_days = 0.0
        troops = model.scenario_spec.actors[model.scenario_spec.host_id].params.troops_needed
        self.force_pool = {key: troops if can_send else 0.0}

    def legal_basis(self) -> float:
        """Bilateral help rests on the host's treaties with this state."""
        return self.model.host.legal_bilateral.get(self.key, 0.0)

    def force_to_offer(self) -> Provider | None:
        """The force it could offer: a host bloc it leads with a mandate, else its own, or None."""
        if self.intervention is None:
            return None
        m = self.model
        for b in m.blocs.values():
            if b.lead_id == self.key and m.host.key in b.members and b.mandate != "none":
                return b
        return self

    def offer_force(self, trigger: rules.Decision) -> bool:
        """Offer a force if it would agree to send one if asked; return whether it offered.

        A state the host has already turned to (alone or through a bloc it leads) is answering
        that request and offers nothing more.
        """
        m, prov = self.model, self.force_to_offer()
        if prov is None or m.host.turned_to(self.key):
            return False
        d, _ = prov.assess()
        if not d.act:
            return False
        m.emit(
            self.key,
            "help_offered",
            m.host.key,
            {**trigger.terms, "force": prov.key, **d.terms},
            f"{trigger.reason}: offers a force under {prov.key} ({d.reason})",
        )
        m.host.receive_offer(prov.key, self.key)
        return True


class Rival(Power):
    """A power whose own bloc includes the host: speaks, convenes, and feels domestic pressure."""

    daily = True

    def __init__(self, model: CrisisModel, key: str) -> None:
        super().__init__(model, key)
        spec = model.scenario_spec.actors[key]
        self.adversaries = set(spec.adversaries)
        self.pressure = self.peak_pressure = 0.0
        self.spoke = self.offered = self.called_force = self.convened = False
        self.passed_over = False

    @cached_property
    def own_blocs(self) -> list[str]:
        """Blocs this power chairs that include the host."""
        m = self.model
        return [b.key for b in m.blocs.values() if b.chair == self.key and m.host.key in b.members]

    @cached_property
    def kin(self) -> bool:
        """Whether the host shares a bloc with this power."""
        m = self.model
        return any(self.key in b.members and m.host.key in b.members for b in m.blocs.values())

    def step(self) -> None:
        """Speak for a kin state, update domestic pressure, offer help or call for a joint force."""
        m, p = self.model, self.params
        kin = self.kin
        if kin and not self.spoke:
            d = rules.threshold_rule(m.field.violence, p.salience_trigger, "violence in kin state")
            if d.act:
                self.spoke = True
                m.emit(
                    self.key,
                    "statement",
                    m.host.key,
                    {**d.terms, "kind": "solidarity"},
                    d.reason + "; solidarity with a kin state",
                )
        foreign = sum(
            n for k, n in m.troops_by_provider.items() if k not in self.own_blocs and k != self.key
        )
        adversary = any(a in m.troops for a in self.adversaries)
        self.pressure = rival_rules.domestic_pressure(
            self.pressure,
            rival_troops=foreign if kin else 0.0,
            adversary_present=adversary,
            passed_over=self.passed_over,
            p=p,
        )
        self.passed_over = False
        self.peak_pressure = max(self.peak_pressure, self.pressure)
        terms = {"pressure": round(self.pressure, 3), "adversary_troops": adversary}
        if not self.offered:
            self._offer(terms)
        if not self.called_force and self.pressure > p.joint_force_threshold:
            self.called_force = True
            blocs = self.own_blocs
            m.emit(
                self.key,
                "joint_force_called",
                blocs[0] if blocs else None,
                {**terms, "threshold": p.joint_force_threshold},
                f"domestic pressure {terms['pressure']} > {p.joint_force_threshold:g}: "
                "voices call for a joint force of the kin bloc",
            )

    def _offer(self, terms: dict) -> None:
        """Offer a force unasked once a kin state turns violent, or help once pressed at home."""
        m, p = self.model, self.params
        if self.kin:
            d = rules.threshold_rule(m.field.violence, p.offer_violence, "violence in kin state")
            if d.act and self.offer_force(d):
                self.offered = True
                return
        d = rules.threshold_rule(self.pressure, p.offer_threshold, "domestic pressure")
        if not d.act:
            return
        self.offered = True
        if self.offer_force(d):
            return
        legal = m.host.legal_bilateral.get(self.key, 0.0)
        m.emit(
            self.key,
            "help_offered",
            m.host.key,
            {**terms, "threshold": p.offer_threshold, "legal_basis": legal},
            f"{d.reason}: offers help if asked",
        )

    def passed_over_by(self, target: str) -> bool:
        """Whether asking ``target`` passes over a bloc this power chairs."""
        return bool(self.own_blocs) and target not in {*self.own_blocs, self.key}

    def on_deploy(self, provider: str) -> None:
        """Another bloc decided to send troops into a kin state: call this power's bloc leaders."""
        m = self.model
        if provider == self.key or provider in self.own_blocs or self.convened:
            return
        self.convened = True
        for bloc in self.own_blocs:
            m.emit(
                self.key,
                "leaders_called",
                bloc,
                {"deploying": provider},
                f"{provider} is sending troops into a member: chair calls {bloc} leaders",
            )
            m.emit(
                bloc,
                "bloc_statement",
                m.host.key,
                {"kind": "solidarity"},
                "members confident the host can restore order; ready to help as needed",
            )
            notice = self.params.meeting_notice_days
            m.emit(
                bloc,
                "bloc_meeting_called",
                None,
                {"notice_days": notice},
                f"extraordinary meeting set {notice:g} days ahead",
            )
            m.later(notice, self._meeting, bloc)

    def _meeting(self, bloc: str) -> None:
        self.model.emit(
            bloc,
            "bloc_meeting_held",
            None,
            {"chair": self.key},
            "extraordinary meeting on the crisis in a member state",
        )


class Neighbour(Power):
    """An outside power with stakes in the host: speaks, and offers cooperation or a force."""

    daily = True

    def __init__(self, model: CrisisModel, key: str) -> None:
        super().__init__(model, key)
        self.noticed = False

    def step(self) -> None:
        """Notice the crisis when its salience passes the trigger; speak after a delay."""
        if self.noticed:
            return
        salience = self.params.stake * self.model.field.violence
        d = rules.threshold_rule(salience, self.params.statement_trigger, "salience")
        if d.act:
            self.noticed = True
            self.model.later(self.params.reaction_delay_days, self._speak, d)

    def _speak(self, noticed: rules.Decision) -> None:
        m, p = self.model, self.params
        d = neighbour_rules.statement_kind(p.threat_perception, m.host.framed, p.support_trigger)
        m.emit(self.key, "statement", m.host.key, {**noticed.terms, **d.terms}, d.reason)
        if d.act:
            m.shift_influence(self.key, m.scenario_spec.influence.support_gain)
            coop = rules.threshold_rule(
                p.stake * p.threat_perception, p.cooperation_trigger, "stake x threat"
            )
            if coop.act:
                m.later(p.cooperation_delay_days, self._cooperate, coop)

    def _cooperate(self, d: rules.Decision) -> None:
        m = self.model
        if self.offer_force(d):
            return
        m.emit(
            self.key,
            "security_cooperation_offered",
            m.host.key,
            d.terms,
            d.reason + ": offers law-enforcement and security cooperation",
        )
        m.shift_influence(self.key, m.scenario_spec.influence.support_gain)


class Contributor(StateMixin, mesa.Agent):
    """A bloc member that may send a contingent when its bloc deploys; it acts through its bloc."""

    daily = False

    def __init__(self, model: CrisisModel, key: str) -> None:
        super().__init__(model)
        self._init_state(key)
