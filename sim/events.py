"""Typed events of a run and their rendering as a dated narrative."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Event:
    """One thing an actor did, with the terms that decided it.

    A record, not to be changed once emitted. It is not frozen: a frozen dataclass takes about
    four times as long to build, and a run of a large crisis emits thousands.

    Attributes:
        time: Model time at which it happened (day index; fractions are hours within a day).
        date: Calendar date (start date + whole days of ``time``).
        actor: Id of the acting actor, bloc or ``unrest``.
        action: Action name from the engine's vocabulary (see ``ACTIONS``).
        target: Id of the actor, bloc or region acted upon, if any.
        terms: The inputs and terms that decided it (utilities, thresholds, values).
        reason: One plain sentence saying why.
    """

    time: float
    date: dt.date
    actor: str
    action: str
    target: str | None = None
    terms: dict[str, Any] = field(default_factory=dict)
    reason: str = ""

    @property
    def day(self) -> int:
        """Whole days since the start date."""
        return int(self.time)

    def narrative(self) -> str:
        """One line of the dated narrative: date, actor, action, target, reason."""
        what = self.action.replace("_", " ")
        tgt = f" -> {self.target}" if self.target else ""
        why = f": {self.reason}" if self.reason else ""
        return f"{self.date.isoformat()}  {self.actor:<12} {what}{tgt}{why}"


ACTIONS: dict[str, str] = {
    "shock": "the triggering shock hits (terms.kind: economic, political, communal, attack, ...)",
    "shock_wave": "a later wave of the shock begins (terms.wave: its number, from 1)",
    "protests_begin": "protest starts in a first region",
    "protests_spread": "protest is active in several regions beyond the first",
    "violence_erupts": "violence in a region passes the violent threshold",
    "concession": "the host makes an economic concession (price cap)",
    "government_resigns": "the host's government resigns",
    "emergency_declared": "the host declares emergency rule in a region",
    "emergency_nationwide": "emergency rule covers every region",
    "emergency_lifted": "emergency rule ends in a region",
    "emergency_blocked": "a parliament lacks the votes to declare emergency rule",
    "threat_framed": "the host frames the threat (terms.kind: terrorism or interference)",
    "request_help": "the host asks a bloc or a state for help (terms.level: assistance, troops)",
    "request_refused": "a bloc or state turns a request down",
    "statement": "rung 1: a public statement (terms.kind: support, concern, condemnation)",
    "consultations": "rung 2: a call to the host, or a chair calling its bloc's leaders",
    "summit_called": "a bloc's extraordinary meeting is set for a later date",
    "summit_held": "a bloc's extraordinary meeting takes place",
    "mediation_offered": "rung 3: an offer to mediate between the parties",
    "mission_sent": "rung 4: a fact-finding or monitoring mission",
    "pledge": "rung 5: help pledged on a condition (terms.help, terms.condition)",
    "pledge_lapsed": "a pledge's condition was never met and the crisis has passed",
    "offer_declined": "the host declines help pledged to it",
    "assistance_sent": "rung 6: equipment, advisers or police sent on request",
    "deploy_decided": "rungs 7-8: a force decided (terms.scope: key_assets or combat)",
    "troops_arrive": "the first troops of a force land in the host state",
    "contingent_arrives": "a contributor's contingent lands",
    "order_restored": "violence is below the stable level everywhere",
    "withdrawal_requested": "the host asks the force to leave",
    "withdrawal_begins": "the first contingents leave",
    "withdrawal_complete": "the last foreign troops have left",
    "refuses_to_leave": "the force stays after the host asked it to leave",
    "joint_force_called": "a bloc chair's public calls for a joint force of the bloc",
}
