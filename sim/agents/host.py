"""The host: concedes, declares emergency, frames the threat, asks for help and asks it to leave."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from sim import rules
from sim.rules import host as host_rules
from sim.rules import provider as provider_rules

if TYPE_CHECKING:
    from sim.agents.provider import Provider
    from sim.model import CrisisModel


class Host(mesa.Agent):
    """The state in crisis."""

    def __init__(self, model: CrisisModel, key: str) -> None:
        super().__init__(model)
        self.key = key
        self.spec = model.scenario_spec.actors[key]
        self.name = self.spec.name
        self.influence = self.spec.influence
        self.stance = dict(self.spec.stance)
        self.rules = model.behaviour.host
        self.may_ask = set(self.spec.may_ask)
        self.concessions = 0
        self.resigned = self.framed = self.blocked = False
        self.pending: set[str] = set()  # providers asked, until they answer
        self.forces: list[str] = []  # providers that decided to send a force
        self.got: set[str] = set()  # providers that answered with assistance
        self.asked: list[str] = []
        self.refusals: dict[str, tuple[float, float, bool]] = {}  # provider -> its asked_at entry,
        # once it refused
        self.asked_at: dict[str, tuple[float, float, bool]] = {}  # provider -> (load, its legal
        # basis, framed) when last asked
        self.sent_home: set[str] = set()  # forces asked to leave
        self.offers: set[str] = set()  # providers that pledged help if asked
        self.stable_days = 0
        self.strain = 0.0  # how long and how badly its forces have been overrun (rules.host.strain)
        self._need: tuple[list[float] | None, float] = (None, 0.0)  # (loads, troop need)

    def step(self) -> None:
        """Today's decisions, in the order a government under pressure takes them."""
        m, p, f = self.model, self.rules, self.model.field
        d = host_rules.concession(
            f.protest, self.concessions, p.concession_trigger, p.max_concessions
        )
        if d.act:
            self.concessions += 1
            f.relieve_grievance(m.behaviour.unrest.concession_relief)
            m.emit(self.key, "concession", None, d.terms, d.reason)
        if (
            not self.resigned
            and self.spec.government_dismissible
            and m.scenario_spec.shock.kind == "economic"
        ):
            d = rules.threshold_rule(f.protest, p.resign_trigger, "national protest")
            if d.act:
                self.resigned = True
                f.relieve_grievance(m.behaviour.unrest.resignation_relief)
                m.emit(self.key, "government_resigns", None, d.terms, d.reason)
        self._emergency()
        f.update_loads()
        self.strain += host_rules.strain(f.worst_load(), p)
        if not self.framed:
            blame, listed = self.blame(), m.scenario_spec.shock.listed
            weigh = blame is not None and f.violence > p.framing_trigger  # else it cannot frame
            gain = self.framing_gain() if weigh else 0.0
            d = host_rules.frame(f.violence, blame, listed, gain, p)
            if d.act:
                self.framed = True
                m.emit(self.key, "threat_framed", None, d.terms, d.reason)
        if m.scenario_spec.switches.host_may_request:
            self._seek_help()
        if self.forces:
            self._consider_exit()

    def blame(self) -> str | None:
        """Whom the host can blame.

        The attacking state, the state it blames for the unrest, or armed groups where they act.
        """
        m, f = self.model, self.model.field
        if m.scenario_spec.shock.attacker:
            return m.scenario_spec.shock.attacker
        if self.spec.blames:
            return self.spec.blames
        if m.scenario_spec.shock.kind in ("armed_group", "spillover") or f.armed_violence():
            return "armed groups"
        return None

    def framing_gain(self) -> float:
        """The most legal basis calling the threat terrorism adds for a provider with a legal route.

        Whether or not the host will ask it: a route kept open has its value.
        """
        m = self.model
        gains = [
            prov.legal_basis(framed=True) - prov.legal_basis(framed=False)
            for k, prov in m.providers.items()
            if self.legal_route(k)
        ]
        return max(gains, default=0.0)

    def groups_held(self) -> bool:
        """Whether its own forces, in normal times, hold the armed groups that remain everywhere."""
        return self.model.field.armed_load() <= self.rules.troops_load

    def _emergency(self) -> None:
        """Lift emergency rule and declare it.

        Quiet regions are released after the minimum term, once its forces hold the armed groups
        left; emergency rule is declared where triggers pass, if the host has the power to.
        """
        m, p, f = self.model, self.rules, self.model.field
        today, term = int(m.now), p.emergency_min_days
        quiet = f.releasable(today, term)
        for i in quiet if quiet and self.groups_held() else []:
            since = f.lift(i)
            m.emit(
                self.key,
                "emergency_lifted",
                f.ids[i],
                {"days_under_emergency": today - since},
                f"{f.ids[i]} quiet after {today - since} days of emergency rule",
            )
        if f.nationwide or (f.restored and f.calm()):
            return
        hit = f.over_triggers(p.emergency_violence, p.emergency_protest, p.assist_load)
        if hit and not self._may_declare():
            return
        for i in hit:
            f.declare(i, today)
            m.emit(
                self.key,
                "emergency_declared",
                f.ids[i],
                {"violence": round(f.v[i], 3), "protest": round(f.p[i], 3)},
                f"violence, protest or load in {f.ids[i]} passes the emergency triggers",
            )
        share = f.share_under_emergency_or_held()
        if hit and share >= p.nationwide_share:
            f.declare_everywhere(today)
            m.emit(
                self.key,
                "emergency_nationwide",
                None,
                {"share_under_emergency_or_held": round(share, 3), "threshold": p.nationwide_share},
                f"{share:.0%} of the population under emergency rule or held by armed groups: "
                "extended to the country",
            )

    def _may_declare(self) -> bool:
        """Whether emergency rule can be declared; the first time a parliament refuses, say so."""
        power = self.spec.emergency
        d = host_rules.emergency_vote(power.by, power.support, power.needed)
        if not d.act and not self.blocked:
            self.blocked = True
            self.model.emit(self.key, "emergency_blocked", None, d.terms, d.reason)
        return d.act

    # ---------------------------------------------------------------- asking for help
    def troop_need(self) -> float:
        """Troops that would bring every overloaded region back to the load it can carry.

        Overloaded by violence (or danger), or held by armed groups that outnumber its forces
        there in normal times (armed load above 1), violent or not: see ``rules.host.troop_need``.
        """
        f = self.model.field
        if self._need[0] is not f.load:  # it changes only with the loads
            held = [a if a > 1.0 else 0.0 for a in f.armed_loads()]
            load = [max(x, a) for x, a in zip(f.load, held, strict=True)]
            need = host_rules.troop_need(
                load, f.personnel, self.rules.troops_load, self.model.behaviour.unrest.foreign_ratio
            )
            self._need = (f.load, need)
        return self._need[1]

    def covered(self) -> float:
        """Troops of the forces asked for and not refused, not yet gone: pending or in the host."""
        m = self.model
        coming = [k for k in self.forces if m.providers[k].in_host()]
        return sum(m.providers[k].force_size() for k in (*self.pending, *coming))

    def askable(self, level: str) -> list[str]:
        """Providers that could legally answer.

        Blocs it belongs to, states it has a treaty with, states it may invite; not those asked
        already, nor those that refused unless ``may_ask_again``.
        """
        m, sw = self.model, self.model.scenario_spec.switches
        load = m.field.worst_load()
        out = []
        for k in m.providers:
            if k in sw.host_never_asks or self.turned_to(k, troops=level == "troops"):
                continue
            if not self.legal_route(k):
                continue
            if k in self.refusals and not self.may_ask_again(k, load):
                continue
            out.append(k)
        return out

    def may_ask_again(self, provider: str, load: float) -> bool:
        """After a refusal: the crisis is clearly worse, or the basis is firmer, framing aside.

        Firmer under the framing it was asked with: a treaty in force since, or more of the threat
        inside a treaty's scope.
        """
        at_load, at_basis, framed = self.refusals[provider]
        return host_rules.worse(load, at_load, self.rules.reask_factor) or (
            self.model.providers[provider].legal_basis(framed=framed) > at_basis
        )

    def legal_route(self, provider: str) -> bool:
        """Whether ``provider`` could legally answer.

        A bloc it belongs to, a state it has a treaty with, or one it may invite.
        """
        m = self.model
        prov = m.providers[provider]
        return (
            (provider in m.blocs and self.key in prov.members)
            or bool(prov.treaties_now())
            or provider in self.may_ask
        )

    def _seek_help(self) -> None:
        """Ask for what it needs.

        From the best providers that could answer, one after another while the forces asked for fall
        short of the need.
        """
        while self._ask_one():
            pass

    def _ask_one(self) -> bool:
        """Ask the best provider for what is needed, if any beats own forces.

        Return whether it asked.
        """
        m, p = self.model, self.rules
        load = m.field.worst_load()
        need = host_rules.ask_level(load, p)
        if not need.act:
            return False
        level = need.terms["level"]
        if level == "assistance" and (self.got or self.pending or self.forces):
            return False
        troops = self.troop_need()
        if level == "troops" and (self.pending or self.forces) and self.covered() >= troops:
            return False
        options = [
            k
            for k in self.askable(level)
            if (m.providers[k].has_force() if level == "troops" else m.providers[k].lead)
        ]
        views = {k: self.view_of(m.providers[k], level, troops) for k in options}
        utils = {k: host_rules.provider_utility(v, p) for k, v in views.items()}
        sw = m.scenario_spec.switches
        forced = sw.host_asks if sw.host_asks in utils and not self.asked else None
        own = host_rules.own_forces(self.strain, p)
        choice = host_rules.choose_provider(utils, own, forced=forced)
        if not choice.act:
            return False
        target = choice.terms["choice"]
        self.pending.add(target)
        self.asked_at[target] = (load, m.providers[target].legal_basis(), self.framed)
        self.asked.append(target)
        self.refusals.pop(target, None)
        m.emit(
            self.key,
            "request_help",
            target,
            {"need": need.terms, "level": level, "troops_needed": round(troops), **choice.terms},
            f"{need.reason}; {choice.reason}",
        )
        declined = []
        if level == "assistance" or self.covered() >= troops:
            declined = [k for k in sorted(self.offers) if not self.turned_to(k)]
        for k in declined:
            self.offers.discard(k)
            m.providers[k].pledged = False
            m.emit(
                self.key,
                "offer_declined",
                k,
                {"asked": target},
                f"declines: asked {target} instead",
            )
        m.requested(target, declined)
        m.providers[target].receive_request(level)
        return True

    def receive_offer(self, provider: str) -> None:
        """A provider pledges help if asked.

        Weigh it when seeking help; decline it if the forces it has turned to cover its need.
        """
        turned = self.pending or self.forces
        if not turned or self.covered() < self.troop_need():
            self.offers.add(provider)
        elif not self.turned_to(provider):
            self.model.providers[provider].pledged = False
            busy = sorted(turned)[0]
            self.model.emit(
                self.key,
                "offer_declined",
                provider,
                {"asked": busy},
                f"declines: already turned to {busy}",
            )
            self.model.passed_over(provider)

    def turned_to(self, provider: str, troops: bool = False) -> bool:
        """Whether the host has turned to ``provider``, to a force it leads, or to one led alike.

        Turned to means asked, or helped by it; one lead is one decision-maker.
        """
        m = self.model
        chosen = {*self.pending, *self.forces} | (set() if troops else self.got)
        if not chosen:
            return False
        leads = chosen | {getattr(m.providers[k].lead, "key", None) for k in chosen}
        return provider in leads or getattr(m.providers[provider].lead, "key", None) in leads

    def view_of(self, prov: Provider, level: str, need: float) -> host_rules.ProviderView:
        """How the host sees one provider: legal basis, speed, capacity, cost, reactions."""
        m = self.model
        troops = level == "troops"
        can = prov.has_force() if troops else prov.lead is not None
        decide = provider_rules.latency(prov.latency_days(), 0.0)
        days = decide + (prov.lead.spec.force.transport_days if troops and can else 0.0)
        stances = {a.key: a.stance.get(prov.key, 0.0) for a in m.states.values()}
        return host_rules.ProviderView(
            legal=prov.legal_basis(),
            speed=host_rules.speed_score(days) if can else 0.0,
            capacity=host_rules.capacity_score(prov.force_size(), need) if troops else float(can),
            sovereignty_cost=self.spec.sovereignty_cost.get(prov.key, 0.0),
            reaction=host_rules.reaction_score(stances, self.spec.reaction_weights),
            offered=prov.key in self.offers,
        )

    def refused(self, provider: str) -> None:
        """A provider said no: remember the load, and look elsewhere from tomorrow."""
        self.pending.discard(provider)
        prov = self.model.providers[provider]
        now = (self.model.field.worst_load(), prov.legal_basis(), self.framed)
        self.refusals[provider] = self.asked_at.get(provider, now)  # now: asked around the host

    def helped_by(self, provider: str, troops: bool = True) -> None:
        """A provider answered with help on the ground."""
        self.pending.discard(provider)
        if troops:
            self.forces.append(provider)
        else:
            self.got.add(provider)

    def _consider_exit(self) -> None:
        """Once order has held long enough, ask each force present to leave.

        Not while an attack or a danger from abroad lasts, nor while armed groups remain that its
        own forces could not hold, nor when it blamed a state (an outside threat that order at home
        does not end).
        """
        m, f = self.model, self.model.field
        present = [k for k in self.forces if k not in self.sent_home and m.providers[k].troops]
        if not present:
            return
        if self.framed and self.blame() not in (None, "armed groups"):
            return
        if f.threat_lasts() or not self.groups_held():
            return
        if not f.calm():
            self.stable_days = 0
            return
        self.stable_days += 1
        d = rules.reached(self.stable_days, self.rules.stable_days, "days of order")
        if not d.act:
            return
        notice = self.rules.exit_notice_days
        for k in present:
            self.sent_home.add(k)
            m.emit(
                self.key,
                "withdrawal_requested",
                k,
                {**d.terms, "notice_days": notice},
                f"order has held {self.stable_days} days: the mission is complete",
            )
            m.providers[k].exit_requested(notice)
