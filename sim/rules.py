"""Decision rules: small pure functions of named parameters and observed state.

Each rule returns a :class:`Decision`: whether to act, the terms that decided it (the values
compared, the threshold crossed) and a one-line reason. Agents call these rules and turn the
decisions into events; the rules themselves know nothing of Mesa, countries or dates.
"""

from __future__ import annotations

from typing import NamedTuple


class Decision(NamedTuple):
    """The outcome of a rule: act or not, the deciding terms, and why."""

    act: bool
    terms: dict
    reason: str


def _r(x: float) -> float:
    return round(float(x), 3)


def _weigh(terms: dict[str, float], threshold: float) -> tuple[bool, float, dict]:
    """Sum utility terms; return whether the sum beats ``threshold``, the sum, and the terms."""
    u = sum(terms.values())
    shown = {k: _r(x) for k, x in terms.items()} | {"utility": _r(u), "threshold": _r(threshold)}
    return u > threshold, u, shown


NO = Decision(False, {}, "")
"""A rule that did not fire (its terms are not needed)."""


def threshold_rule(value: float, threshold: float, what: str) -> Decision:
    """Act when ``value`` exceeds ``threshold``."""
    if value <= threshold:
        return NO
    return Decision(
        True, {what: _r(value), "threshold": _r(threshold)}, f"{what} {_r(value)} > {_r(threshold)}"
    )


def reached(count: float, target: float, what: str) -> Decision:
    """Act when ``count`` has reached ``target`` (a count of days, say)."""
    if count < target:
        return NO
    return Decision(
        True, {what: _r(count), "target": _r(target)}, f"{what} {_r(count)} >= {_r(target)}"
    )


# ------------------------------------------------------------------ the host government
def concession(protest: float, made: int, trigger: float, max_concessions: float) -> Decision:
    """Grant an economic concession while protest is above the trigger and concessions remain."""
    if made >= max_concessions:
        return NO
    return threshold_rule(protest, trigger, "national protest")


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


class ProviderView(NamedTuple):
    """What the host sees of one possible provider of help."""

    legal: float
    speed: float
    capacity: float
    sovereignty_cost: float
    reaction: float
    offered: bool = False


def provider_utility(v: ProviderView, w: dict[str, float]) -> tuple[float, dict]:
    """Utility of asking a provider: legal basis, speed, capacity, sovereignty, reactions, offer."""
    terms = {
        "legal": w["w_legal"] * v.legal,
        "speed": w["w_speed"] * v.speed,
        "capacity": w["w_capacity"] * v.capacity,
        "sovereignty": -w["w_sovereignty"] * v.sovereignty_cost,
        "reactions": w["w_reaction"] * v.reaction,
        "offer": w["w_offer"] * v.offered,
    }
    return sum(terms.values()), {k: _r(x) for k, x in terms.items()}


def speed_score(readiness_days: float) -> float:
    """Speed of a provider in (0, 1]: 1 when it can be there at once."""
    return 1.0 / (1.0 + readiness_days)


def reaction_score(stances: dict[str, float], weights: dict[str, float]) -> float:
    """Weighted mean of the other actors' stances toward a provider (-1..1)."""
    total = sum(weights.get(a, 0.0) for a in stances)
    if total == 0:
        return 0.0
    return sum(weights.get(a, 0.0) * s for a, s in stances.items()) / total


def choose_provider(
    utilities: dict[str, tuple[float, dict]], min_utility: float, forced: str | None = None
) -> Decision:
    """Ask the provider with the highest utility if it beats relying on own forces.

    ``forced`` (a counterfactual switch) names the provider to ask whatever the utilities.
    """
    ranked = sorted(utilities.items(), key=lambda kv: (-kv[1][0], kv[0]))
    terms = {k: _r(u) for k, (u, _) in ranked} | {"own_forces": _r(min_utility)}
    if forced is not None:
        u, parts = utilities[forced]
        terms |= {"choice": forced, "terms": parts, "forced": True}
        best = ranked[0][0]
        why = f"best by utility: {best} {_r(ranked[0][1][0])}" if best != forced else "also best"
        return Decision(True, terms, f"switch host_asks: asks {forced} (utility {_r(u)}; {why})")
    if not ranked or ranked[0][1][0] <= min_utility:
        return Decision(False, terms, f"no provider beats own forces ({_r(min_utility)})")
    best, (u, parts) = ranked[0]
    terms |= {"choice": best, "terms": parts}
    others = ", ".join(f"{k} {_r(x)}" for k, (x, _) in ranked[1:]) or "no other"
    return Decision(
        True, terms, f"{best} utility {_r(u)} beats {others}; own forces {_r(min_utility)}"
    )


def overload(violence_load: float, capacity: float) -> float:
    """How far violence outruns the host's own forces (load over capacity)."""
    return violence_load / max(capacity, 1e-9)


# ------------------------------------------------------------------ the patron
def intervene(
    *,
    violence: float,
    framed: bool,
    rival_influence: float,
    legal: float,
    troops: float,
    against_partner: bool,
    p: dict[str, float],
) -> Decision:
    """Whether a patron agrees to send a force: threat, primacy, credibility against cost."""
    threat = p["border_exposure"] * violence * (1 + p["external_forces_belief"] * framed)
    terms = {
        "threat": p["w_threat"] * threat,
        "primacy": p["w_primacy"] * p["primacy_concern"] * rival_influence,
        "credibility": p["w_credibility"] * p["credibility_stake"] * legal,
        "cost": -p["w_cost"] * (p["cost_per_1000"] * troops / 1000 + p["commitments"]),
        "partner": -p["partner_penalty"] * against_partner,
    }
    act, u, terms = _weigh(terms, p["decide_threshold"])
    rel = ">" if act else "<="
    return Decision(act, terms, f"utility {_r(u)} {rel} threshold {_r(p['decide_threshold'])}")


def decision_delay(base_days: float, margin: float) -> float:
    """Days a decision takes: the base delay, shortened by urgency (utility margin)."""
    return base_days / (1.0 + max(margin, 0.0))


def mission_scope(load: float, combat_overload: float, threat: str) -> str:
    """Combat for an armed attack or overwhelming violence; otherwise guarding key assets."""
    return "combat" if threat == "armed_attack" or load > combat_overload else "key_assets"


def stay(*, rival_influence: float, p: dict[str, float]) -> Decision:
    """Whether a patron stays after the host asks its force to leave."""
    terms = {
        "basing": p["basing_ambition"],
        "primacy": p["w_primacy"] * p["primacy_concern"] * rival_influence,
        "legitimacy": -p["w_legitimacy"],
    }
    act, u, terms = _weigh(terms, p["stay_threshold"])
    verb = "stays" if act else "leaves"
    return Decision(act, terms, f"{verb}: utility of staying {_r(u)} vs {_r(p['stay_threshold'])}")


# ------------------------------------------------------------------ the rival
def domestic_pressure(
    previous: float,
    *,
    rival_troops: float,
    adversary_present: bool,
    passed_over: bool,
    p: dict[str, float],
) -> float:
    """Next day's domestic pressure: decays, grows with a rival bloc's troops in a kin state."""
    troops = (
        p["pressure_gain"] * rival_troops / 1000 * (1 + p["adversary_factor"] * adversary_present)
    )
    return previous * (1 - p["pressure_decay"]) + troops + p["passed_over_gain"] * passed_over


# ------------------------------------------------------------------ neighbours
def statement_kind(threat_perception: float, framed: bool, support_trigger: float) -> Decision:
    """Support for the host government if it shares the outside-threat framing, else concern."""
    seen = threat_perception * framed
    act = seen > support_trigger
    kind = "support" if act else "concern"
    return Decision(
        act,
        {"kind": kind, "shared_threat": _r(seen), "threshold": _r(support_trigger)},
        f"{kind}: shared outside-threat view {_r(seen)} vs {_r(support_trigger)}",
    )
