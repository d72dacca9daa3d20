"""A provider of military help: legal basis, whether to intervene, how fast, what for, staying."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.rules.common import Decision, rounded, weigh

if TYPE_CHECKING:
    from sim.scenario import InterventionParams


def legal_basis(
    mandate: str, threat: str, framed: bool, host_member: bool, attacker_member: bool
) -> float:
    """Legal basis (0..1) for a bloc to send a force into the host.

    A collective-defence article covers aggression: an armed attack from outside the bloc, or
    unrest the host frames as terrorism backed from abroad. An attack by a fellow member is
    contested (0.5). A peacekeeping mandate covers any crisis at a member's request.
    """
    if not host_member or mandate == "none":
        return 0.0
    if mandate == "peacekeeping":
        return 1.0
    if threat == "armed_attack":
        return 0.5 if attacker_member else 1.0
    return 1.0 if framed else 0.2


def intervene(
    *,
    violence: float,
    framed: bool,
    rival_influence: float,
    legal: float,
    troops: float,
    against_partner: bool,
    p: InterventionParams,
) -> Decision:
    """Whether a patron agrees to send a force: threat, primacy, credibility against cost."""
    threat = p.border_exposure * violence * (1 + p.external_forces_belief * framed)
    terms = {
        "threat": p.w_threat * threat,
        "primacy": p.w_primacy * p.primacy_concern * rival_influence,
        "credibility": p.w_credibility * p.credibility_stake * legal,
        "cost": -p.w_cost * (p.cost_per_1000 * troops / 1000 + p.commitments),
        "partner": -p.partner_penalty * against_partner,
    }
    act, u, terms = weigh(terms, p.decide_threshold)
    rel = ">" if act else "<="
    return Decision(
        act, terms, f"utility {rounded(u)} {rel} threshold {rounded(p.decide_threshold)}"
    )


def decision_delay(base_days: float, margin: float) -> float:
    """Days a decision takes: the base delay, shortened by urgency (utility margin)."""
    return base_days / (1.0 + max(margin, 0.0))


def mission_scope(load: float, combat_overload: float, threat: str) -> str:
    """Combat for an armed attack or overwhelming violence; otherwise guarding key assets."""
    return "combat" if threat == "armed_attack" or load > combat_overload else "key_assets"


def stay(*, rival_influence: float, p: dict[str, float]) -> Decision:
    """Whether a patron stays after the host asks its force to leave."""
    terms = {
        "basing": p.basing_ambition,
        "primacy": p.w_primacy * p.primacy_concern * rival_influence,
        "legitimacy": -p.w_legitimacy,
    }
    act, u, terms = weigh(terms, p.stay_threshold)
    verb = "stays" if act else "leaves"
    return Decision(
        act, terms, f"{verb}: utility of staying {rounded(u)} vs {rounded(p.stay_threshold)}"
    )
