"""Typed events of a run and their rendering as a dated narrative."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Event:
    """One thing an actor did, with the terms that decided it.

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
    "shock": "the triggering shock hits (price rise or armed attack)",
    "protests_begin": "protest starts in a first region",
    "protests_spread": "protest is active in several regions beyond the first",
    "violence_erupts": "violence in a region passes the violent threshold",
    "concession": "the host makes an economic concession (price cap)",
    "government_resigns": "the host's government resigns",
    "emergency_declared": "the host declares emergency rule in a region",
    "emergency_nationwide": "emergency rule covers every region",
    "emergency_lifted": "emergency rule ends in a region",
    "counter_terror_framing": "the host frames the unrest as terrorism with outside backing",
    "request_help": "the host asks a bloc or a state for military help",
    "request_refused": "a bloc or state turns a request down",
    "deploy_decided": "a bloc or state decides to send a force",
    "troops_arrive": "the first troops of a force land in the host state",
    "contingent_arrives": "a contributor's contingent lands",
    "order_restored": "violence is below the stable level everywhere",
    "withdrawal_requested": "the host asks the force to leave",
    "withdrawal_begins": "the first contingents leave",
    "withdrawal_complete": "the last foreign troops have left",
    "refuses_to_leave": "the force stays after the host asked it to leave",
    "statement": "a public statement (terms.kind: solidarity, support, concern)",
    "leaders_called": "a bloc chair calls the bloc's leaders",
    "bloc_statement": "a bloc issues a joint statement",
    "bloc_meeting_called": "a bloc's extraordinary meeting is set for a later date",
    "bloc_meeting_held": "a bloc's extraordinary meeting takes place",
    "security_cooperation_offered": "an outside state offers security cooperation",
    "help_offered": "an outside state offers help (terms.force: the force it offers, if any)",
    "offer_declined": "the host declines a force offered to it",
    "joint_force_called": "domestic voices call for a joint force of a bloc",
}
