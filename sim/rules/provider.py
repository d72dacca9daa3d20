"""A provider (a state, or a bloc through its chair or lead): what the crisis weighs to it.

One utility for every rung: the threat to itself, the credibility of its commitments when asked,
primacy over rivals, its public's pressure, the cost of commitments elsewhere and of acting
against a partner. Rungs that send people add the cost of the troops and of a thin legal basis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from sim.rules.common import Decision, rounded, weigh
from sim.rules.ladder import FORCE

if TYPE_CHECKING:
    from sim.scenario import ProviderRules, StateActor


class Situation(NamedTuple):
    """What a provider observes of the crisis today."""

    severity: float  # how far the host has lost control (``severity``), to 1
    framed: bool  # the host frames the threat as terrorism or foreign interference
    legal: float  # its legal basis to act in the host (0..1)
    asked: bool  # the host has asked it
    rival: float  # the strongest influence of another power in the host
    foreign_force: bool  # a force it takes no part in is decided or present in the host
    pressure: float  # its public's pressure
    against_partner: bool  # acting would go against a partner (the attacker)


def severity(national_load: float, worst_load: float, depth_weight: float) -> float:
    """How far the host has lost control, as seen from abroad, in [0, 1].

    Breadth (the national load: violence over security, the whole country's) and depth (the
    load where it is worst), each capped at 1, in a weighted geometric mean: ``depth_weight`` 0
    weighs breadth alone, so that a war in two provinces of a large country hardly registers;
    1 weighs the worst region alone, however small.
    """
    breadth, depth = min(1.0, national_load), min(1.0, worst_load)
    if breadth <= 0.0 or depth <= 0.0:
        return 0.0
    return breadth ** (1.0 - depth_weight) * depth**depth_weight


def utility(s: Situation, t: StateActor, p: ProviderRules) -> dict[str, float]:
    """The terms of the crisis's weight to a provider with traits ``t``.

    A foreign force in the host makes the crisis international: it weighs on every state with
    a stake as the worst violence would, and on its primacy as a rival's presence.
    """
    international = s.severity + s.foreign_force
    return {
        "threat": p.w_threat * t.stake * international * (1 + t.threat_belief * s.framed),
        "credibility": p.w_credibility * t.credibility_stake * s.legal * s.asked,
        "primacy": p.w_primacy * t.primacy_concern * (s.rival + s.foreign_force),
        "public": p.w_public * s.pressure,
        "commitments": -p.w_cost * t.commitments,
        "partner": -p.partner_penalty * s.against_partner,
    }


def rung_utilities(
    base: float, rungs: list[str], troops: float, legal: float, p: ProviderRules
) -> dict[str, float]:
    """Utility of each open rung.

    A force costs legitimacy without a legal basis, and its troops; equipment, advisers or police
    sent to a government at its request cost neither.
    """
    out = {}
    for r in rungs:
        u = base
        if r in FORCE:
            u -= p.w_legitimacy * (1 - legal) + p.w_cost * p.cost_per_1000 * troops / 1000
        out[r] = u
    return out


def latency(base_days: float, margin: float) -> float:
    """Days a decision that commits help takes (a mission, a pledge, help on the ground).

    The procedure's delay, shortened by urgency (the utility margin over the bar), but never less
    than one night.
    """
    return max(1.0, base_days / (1.0 + max(margin, 0.0)))


def mission_scope(load: float, combat_load: float, attacked: bool) -> str:
    """Combat against an attack or overwhelming violence; otherwise guarding key assets."""
    return "combat" if attacked or load > combat_load else "key_assets"


def statement_kind(t: StateActor, framed: bool, against_partner: bool, opposed: bool) -> str:
    """Condemnation when the crisis is a partner's attack it backs.

    Or a force it opposes is in the host; support for the government when it shares the outside-
    threat reading; otherwise concern.
    """
    if against_partner or opposed:
        return "condemnation"
    return "support" if t.threat_belief * framed > 0.5 else "concern"


def stay(*, rival_influence: float, t: StateActor, p: ProviderRules) -> Decision:
    """Whether a force's lead keeps it in the host after the host asks it to leave."""
    terms = {
        "basing": t.basing_ambition,
        "primacy": p.w_primacy * t.primacy_concern * rival_influence,
        "legitimacy": -p.w_legitimacy,
    }
    act, u, terms = weigh(terms, p.stay_threshold)
    verb = "stays" if act else "leaves"
    return Decision(
        act, terms, f"{verb}: utility of staying {rounded(u)} vs {rounded(p.stay_threshold)}"
    )


def departures(contingents: dict[str, int], lead: str, rate: float) -> dict[str, float]:
    """Days after the withdrawal begins at which each contingent has left.

    At ``rate`` troops a day: the smallest first, the lead's last.
    """
    order = sorted(contingents, key=lambda k: (k == lead, contingents[k], k))
    out, gone = {}, 0
    for k in order:
        gone += contingents[k]
        out[k] = gone / rate
    return out
