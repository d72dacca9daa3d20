"""Providers: states and blocs that weigh the crisis each day and answer from one ladder.

A provider observes the crisis (where the threat is worst, the host's framing, its legal basis,
rivals, its public), weighs it with one utility, and climbs the ladder (``sim.rules.ladder``)
when a higher rung's bar is beaten, after the latency of its procedure. A request from the host
opens the rungs of help on the ground; the answer is the highest rung that clears, or a
refusal. A force deploys, guards key assets or fights, and withdraws when asked.
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import TYPE_CHECKING

import mesa

from sim.rules import ladder, legal
from sim.rules import provider as provider_rules
from sim.rules.common import Decision, rounded

if TYPE_CHECKING:
    from sim.agents.state import State
    from sim.model import CrisisModel
    from sim.scenario import Treaty


class Provider(mesa.Agent):
    """What states and blocs share: the ladder, requests, and a force's life in the host.

    Subclasses say whose traits weigh (``voice`` for words, ``lead`` for a force), the
    procedure, and who contributes troops.
    """

    key: str
    members: list[str]
    procedure: str

    def __init__(self, model: CrisisModel, key: str) -> None:
        super().__init__(model)
        self.key = key
        self.rung: str | None = None  # highest rung reached (or being decided)
        self.rung_day: int | None = None
        self.busy = False  # a decision is being taken
        self.asked: str | None = None  # what the host asked of it, while the request stands
        self.answered = False
        self.pledged = False
        self.said: str | None = None  # the kind of its last statement
        self.deployed = False
        self.plan: dict[str, int] = {}
        self.troops: dict[str, int] = {}
        self.leaving = False
        self.weighed: dict = {}  # the terms of its last weighing
        self._legal: dict[tuple, float] = {}  # legal basis by framing and treaties in force
        # (from, until): the times between which ``treaties_now`` holds, and that list
        self._in_force: tuple[float, float, list] = (0.0, -1.0, [])
        self._bar_above: dict[str | None, float] = {}  # rung -> lowest unasked bar above it
        self._kind: tuple[tuple | None, str] = (None, "")  # (what it depends on, statement kind)

    # ---------------------------------------------------------------- who weighs
    @property
    def voice(self) -> State | None:
        """The state whose traits weigh the provider's words."""
        raise NotImplementedError

    @property
    def lead(self) -> State | None:
        """The state whose traits weigh a force (None: it cannot send one)."""
        raise NotImplementedError

    def contributors(self) -> list[State]:
        """States that would send troops with this provider (the lead first)."""
        raise NotImplementedError

    def latency_days(self) -> float:
        """Days its procedure takes to decide."""
        return getattr(self.model.behaviour.provider.latency, self.procedure)

    # ---------------------------------------------------------------- what it sees
    def legal_basis(self, framed: bool | None = None) -> float:
        """Legal basis to act in the host, from the treaties in force (``rules.legal``).

        Under the host's framing of the threat, or under ``framed`` where given.
        """
        m = self.model
        framed = m.host.framed if framed is None else framed
        if m.field.all_recognised:  # then it changes only with the framing and the treaties
            key = (framed, len(self.treaties_now()))
            known = self._legal.get(key)
            if known is None:
                known = self._legal[key] = self._legal_basis(framed)
            return known
        return self._legal_basis(framed)

    def _legal_basis(self, framed: bool) -> float:
        m = self.model
        return legal.legal_basis(
            self.treaties_now(),
            threat=m.scenario_spec.shock.kind,
            framed=framed,
            in_scope=m.field.share_in_recognised(),
            invited=self.key in m.host.may_ask,
            p=m.behaviour.legal,
        )

    @cached_property
    def treaties(self) -> list[tuple[Treaty, bool, int]]:
        """The treaties under which it acts for the host.

        Each with whether the attacker is a party to it, and the day it enters into force (0 for
        one in force before the crisis).
        """
        sc = self.model.scenario_spec
        start = sc.calendar.start
        return [
            (
                t,
                sc.shock.attacker in sc.parties(t),
                max(0, (t.in_force - start).days) if t.in_force else 0,
            )
            for t in sc.bound(self.key)
        ]

    def treaties_now(self) -> list[tuple[Treaty, bool]]:
        """The treaties in force today, each with whether the attacker is a party to it."""
        today = self.model.now
        since, until, now = self._in_force
        if not since <= today < until:
            days = [day for _, _, day in self.treaties]
            now = [(t, party) for t, party, day in self.treaties if day <= today]
            since = max([d for d in days if d <= today], default=float("-inf"))
            until = min([d for d in days if d > today], default=float("inf"))
            self._in_force = (since, until, now)
        return now

    def situation(self, who: State, legal: bool = True) -> provider_rules.Situation:
        """Today's crisis as this provider sees it, through the traits of ``who``.

        Without ``legal`` its legal basis is left at 0, for a weighing that does not use it.
        """
        m = self.model
        attacker = m.scenario_spec.shock.attacker
        return provider_rules.Situation(
            severity=m.severity(),
            framed=m.host.framed,
            legal=self.legal_basis() if legal else 0.0,
            asked=self.asked is not None,
            rival=m.rival_influence(who.key),
            foreign_force=m.foreign_force(who.key),
            pressure=who.pressure,
            against_partner=attacker is not None and attacker in who.spec.partners,
        )

    def has_force(self) -> bool:
        """Whether it has a force for such a mission (a lead with troops), on paper."""
        lead = self.lead
        return lead is not None and lead.spec.force is not None

    def force_size(self) -> float:
        """Troops it would send.

        The planned contingents once decided, else its members' forces on paper.
        """
        if self.deployed:
            return float(sum(self.plan.values()))
        if not self.has_force():
            return 0.0
        return float(sum(c.spec.force.troops for c in self.contributors()))

    def in_host(self) -> bool:
        """Whether its force is decided and not yet gone: on its way or present."""
        return self.deployed and not (self.leaving and not self.troops)

    def can_send(self) -> bool:
        """Whether it may send its force now: it has one, and its council is not blocked."""
        return self.has_force() and not self.blocked()

    def blocked(self) -> bool:
        """A consensus council with the attacker among its members cannot agree on a force."""
        attacker = self.model.scenario_spec.shock.attacker
        return self.procedure == "consensus" and attacker in self.members

    # ---------------------------------------------------------------- the daily weighing
    def step(self) -> None:
        """Re-weigh the crisis.

        Climb to a higher rung if one clears; speak again when what it would say has changed.
        Unasked, a voice with no stake, primacy or public to weigh never clears a bar, and nothing
        is open above a pledge; where no unasked rung it could take is left above its own, there
        is nothing to weigh.
        """
        if self.busy or self.leaving or self.voice is None or self.deployed:
            return
        if self.asked is None and (self.rung == "pledge" or not self.voice.weighs):
            return
        top = self.asked is None and self.bar_above(self.rung) == math.inf
        if (top or self.consider() is None) and self.said and self.said != self.statement_kind():
            self._statement(None)

    def consider(self) -> Decision | None:
        """Weigh the open rungs; start deciding on the best new one. Return it, if any."""
        m = self.model
        who = self.lead if self.asked and self.lead else self.voice
        if who is None:
            return None
        # unasked, the legal basis weighs only on a force, which needs a request
        s = self.situation(who, legal=self.asked is not None)
        terms = provider_rules.utility(s, who.spec, m.behaviour.provider)
        base = sum(terms.values())
        if not self.asked:
            if base <= self.bar_above(self.rung):
                return None  # every open rung is worth ``base``: none clears
            s = s._replace(legal=self.legal_basis())
        open_rungs = ladder.allowed(
            asked=self.asked,
            words_only=who.key in (m.host.blame(), m.scenario_spec.shock.attacker),
            can_mediate=self.can_mediate(),
            can_send=self.can_send(),
            scope=self.mission_scope(),
            assists=self.lead is not None and not self.blocked(),
        )
        if self.asked:  # an answer to a request is a mission or help on the ground, or a refusal
            if self.said is None and "statement" in open_rungs and self.voice is not None:
                self._speak_on_request()
            open_rungs = [r for r in open_rungs if r in ladder.ANSWERS]
        troops = self.lead.spec.force.troops if self.can_send() else 0.0
        utils = provider_rules.rung_utilities(
            base, open_rungs, troops, s.legal, m.behaviour.provider
        )
        d = ladder.climb(utils, m.behaviour.provider.rungs, self.rung, self.asked is not None)
        self.weighed = {**terms, "legal": s.legal}
        if not d.act:
            return None
        rung = d.terms["rung"]
        shown = {k: rounded(x) for k, x in self.weighed.items()} | d.terms
        decision = Decision(True, shown, d.reason)
        self.busy = True
        margin = d.terms["utility"] - d.terms["bar"]
        wait = (
            provider_rules.latency(self.latency_days(), margin) if rung in ladder.COMMITS else 0.0
        )
        m.later(wait, self.take, rung, decision)
        return decision

    def bar_above(self, rung: str | None) -> float:
        """The lowest bar among the unasked rungs above ``rung`` it could ever take.

        ``ladder.lowest_bar_above``, without mediation where the threat has no parties to bring
        together, nor a pledge where it has no lead to help (``ladder.allowed``).
        """
        bar = self._bar_above.get(rung)
        if bar is None:
            closed = ("mediation",) if not self.can_mediate() else ()
            closed += ("pledge",) if self.lead is None else ()
            bar = self._bar_above[rung] = ladder.lowest_bar_above(
                rung, self.model.behaviour.provider.rungs, closed
            )
        return bar

    def can_mediate(self) -> bool:
        """Whether the threat has parties to bring together: a political, communal or state one."""
        return self.model.scenario_spec.shock.kind in ("political", "communal", "state_attack")

    def _speak_on_request(self) -> None:
        """Asked before it has spoken, it says where it stands the same day, if words clear."""
        spoke = self.words_now("statement", "asked for help")
        if spoke and ladder.rank(self.rung) < ladder.rank("statement"):  # not above it already
            self.rung, self.rung_day = "statement", int(self.model.now)

    def words_now(self, rung: str, why: str) -> bool:
        """Take the rung of words ``rung`` at once if the crisis, by its voice's traits, clears it.

        Outside the daily climb: beside an answer to a request, or a force decided. Return
        whether it did.
        """
        m, voice = self.model, self.voice
        terms = provider_rules.utility(self.situation(voice), voice.spec, m.behaviour.provider)
        d = ladder.climb({rung: sum(terms.values())}, m.behaviour.provider.rungs, None, True)
        if d.act:
            shown = {k: rounded(x) for k, x in terms.items()} | d.terms
            getattr(self, f"_{rung}")(Decision(True, shown, f"{why}; {d.reason}"))
        return d.act

    def mission_scope(self) -> str:
        """Combat against an attack or overwhelming violence; otherwise key assets."""
        m = self.model
        attacked = m.scenario_spec.shock.kind in ("state_attack", "armed_group")
        return provider_rules.mission_scope(
            m.field.worst_load(), m.behaviour.provider.combat_load, attacked
        )

    # ---------------------------------------------------------------- requests
    def receive_request(self, level: str) -> None:
        """The host asks for ``level`` (assistance or troops): weigh now, answer after latency."""
        self.asked, self.answered = level, False
        if not self.busy:  # else the decision under way is taken first, then this is answered
            self._answer()

    def _answer(self) -> None:
        """Weigh the request now: decide on help, or refuse after the procedure's latency."""
        if self.consider() is None:
            self.model.later(provider_rules.latency(self.latency_days(), 0.0), self._refuse)
            self.busy = True

    def _refuse(self) -> None:
        m = self.model
        self.busy = False
        if self.answered or self.asked is None:
            return
        attacker = m.scenario_spec.shock.attacker
        weighed = {k: rounded(x) for k, x in self.weighed.items()}
        if self.blocked():
            why = f"{attacker}, the attacker, is a member and blocks the council's consensus"
        elif not weighed:
            why = "no one to weigh the request"
        else:
            why = "no help on the ground clears its bar: " + ", ".join(
                f"{k} {x:g}" for k, x in weighed.items() if x
            )
        m.emit(
            self.key,
            "request_refused",
            m.host.key,
            {"asked_for": self.asked, "highest_rung": self.rung, **weighed},
            why,
        )
        self.asked = None
        m.host.refused(self.key)

    # ---------------------------------------------------------------- taking a rung
    def take(self, rung: str, d: Decision) -> None:
        """Act on the rung decided: speak, consult, mediate, pledge, assist or deploy."""
        m = self.model
        self.busy = False
        self.rung, self.rung_day = rung, int(m.now)
        if rung in ladder.ANSWERS:
            self.answered = True
        getattr(self, f"_{rung}")(d)
        if self.asked and not self.answered and not self.busy:
            self._answer()  # a request that came while this was being decided

    def statement_kind(self) -> str:
        """What it would say now (see ``rules.provider.statement_kind``)."""
        m, voice = self.model, self.voice
        key = (m.host.framed, len(m.forces))  # all it depends on that changes: forces only grow
        if self._kind[0] != key:
            attacker = m.scenario_spec.shock.attacker
            opposed = any(voice.stance.get(p.key, 0.0) <= -0.5 for p in m.forces)
            kind = provider_rules.statement_kind(
                voice.spec,
                m.host.framed,
                attacker is not None and attacker in voice.spec.partners,
                opposed,
            )
            self._kind = (key, kind)
        return self._kind[1]

    def _statement(self, d: Decision | None) -> None:
        m = self.model
        kind = self.said = self.statement_kind()
        terms = {**(d.terms if d else {}), "kind": kind}
        why = d.reason if d else "what it has to say has changed"
        m.emit(self.key, "statement", m.host.key, terms, f"{kind}; {why}")
        if kind == "support":
            m.shift_influence(self.voice.key, m.behaviour.influence.support_gain)

    def _consultations(self, d: Decision) -> None:
        m = self.model
        m.emit(self.key, "consultations", m.host.key, d.terms, f"calls the host; {d.reason}")

    def _mediation(self, d: Decision) -> None:
        m = self.model
        m.emit(self.key, "mediation_offered", m.host.key, d.terms, d.reason)

    def _mission(self, d: Decision) -> None:
        m = self.model
        m.emit(self.key, "mission_sent", m.host.key, d.terms, d.reason)
        m.host.helped_by(self.key, troops=False)

    def _pledge(self, d: Decision) -> None:
        m = self.model
        self.pledged = True
        what = "troops" if self.can_send() else "assistance"
        m.emit(
            self.key,
            "pledge",
            m.host.key,
            {**d.terms, "help": what, "condition": "if asked"},
            f"pledges {what} if asked; {d.reason}",
        )
        m.host.receive_offer(self.key)

    def _assistance(self, d: Decision) -> None:
        m = self.model
        m.emit(
            self.key,
            "assistance_sent",
            m.host.key,
            d.terms,
            f"equipment, advisers or police; {d.reason}",
        )
        m.host.helped_by(self.key, troops=False)

    def _key_assets(self, d: Decision) -> None:
        self._deploy("key_assets", d)

    def _combat(self, d: Decision) -> None:
        self._deploy("combat", d)

    # ---------------------------------------------------------------- a force
    def _deploy(self, scope: str, d: Decision) -> None:
        m = self.model
        lead = self.lead
        plan = self.plan = self._plan(scope)
        self.deployed = True
        m.emit(
            self.key,
            "deploy_decided",
            m.host.key,
            {**d.terms, "scope": scope, "planned": plan, "lead": lead.key},
            f"{d.reason}; mission: {scope.replace('_', ' ')}",
        )
        m.deployed(self.key)
        first = lead.spec.force.transport_days
        for member, n in plan.items():
            state = m.states[member]
            wait = (
                first
                if member == lead.key
                else state.approval_days() + state.spec.force.transport_days
            )
            m.later(wait, self._arrive, member, n)

    def _plan(self, scope: str) -> dict[str, int]:
        """Contingents.

        The lead's force, and each other member for whom sending its troops with the force the
        council decided is worth more than not (utility above 0).
        """
        lead = self.lead
        plan = {lead.key: int(lead.spec.force.troops)}
        legal_basis = self.legal_basis()
        for c in self.contributors()[1:]:
            if c.contribution_utility(legal_basis, scope) > 0:
                plan[c.key] = int(c.spec.force.troops)
        return plan

    def _arrive(self, member: str, n: int) -> None:
        m = self.model
        if self.leaving:
            return
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

    def exit_requested(self, notice_days: float) -> None:
        """The host asks the force to leave: the lead decides whether it stays."""
        m, lead = self.model, self.lead
        d = provider_rules.stay(
            rival_influence=m.rival_influence(lead.key), t=lead.spec, p=m.behaviour.provider
        )
        if d.act:
            m.emit(lead.key, "refuses_to_leave", m.host.key, d.terms, d.reason)
            m.shift_influence(lead.key, -m.behaviour.influence.refusal_loss)
            return
        m.later(notice_days, self._begin_withdrawal, d)

    def _begin_withdrawal(self, d: Decision) -> None:
        """Contingents leave at the withdrawal rate, smallest first, the lead's last."""
        m = self.model
        self.leaving = True
        m.emit(
            self.key,
            "withdrawal_begins",
            m.host.key,
            {**d.terms, "troops": sum(self.troops.values())},
            d.reason,
        )
        rate = m.behaviour.provider.withdrawal_rate
        for member, days in provider_rules.departures(self.troops, self.lead.key, rate).items():
            m.later(days, self._leave, member)

    def _leave(self, member: str) -> None:
        m = self.model
        self.troops.pop(member, None)
        m.troops_changed()
        if not self.troops:
            m.emit(self.key, "withdrawal_complete", m.host.key, {}, "the last contingent has left")
            m.shift_influence(self.lead.key, m.behaviour.influence.exit_gain)
