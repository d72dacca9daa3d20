"""The host government: concessions, how it sees a provider, whom it asks."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

from sim.rules.common import NO, Decision, rounded, threshold_rule

if TYPE_CHECKING:
    from sim.scenario import HostRules


def concession(protest: float, made: int, trigger: float, max_concessions: float) -> Decision:
    """Grant an economic concession while protest is above the trigger and concessions remain."""
    if made >= max_concessions:
        return NO
    return threshold_rule(protest, trigger, "national protest")


class ProviderView(NamedTuple):
    """What the host sees of one possible provider of help."""

    legal: float
    speed: float
    capacity: float
    sovereignty_cost: float
    reaction: float
    offered: bool = False


def provider_utility(v: ProviderView, w: HostRules) -> tuple[float, dict]:
    """Utility of asking a provider: legal basis, speed, capacity, sovereignty, reactions, offer."""
    terms = {
        "legal": w.w_legal * v.legal,
        "speed": w.w_speed * v.speed,
        "capacity": w.w_capacity * v.capacity,
        "sovereignty": -w.w_sovereignty * v.sovereignty_cost,
        "reactions": w.w_reaction * v.reaction,
        "offer": w.w_offer * v.offered,
    }
    return sum(terms.values()), {k: rounded(x) for k, x in terms.items()}


def ask_level(load: float, p: HostRules) -> Decision:
    """What to ask for, from the load where the threat is worst: troops, assistance, or none."""
    for level, bar in (("troops", p.troops_load), ("assistance", p.assist_load)):
        d = threshold_rule(load, bar, "load")
        if d.act:
            return Decision(True, {**d.terms, "level": level}, f"{d.reason}: asks for {level}")
    return NO


def frame(
    violence: float, blame: str | None, listed: bool, legal_gain: float, p: HostRules
) -> Decision:
    """Frame the threat once national violence passes the trigger, if someone can be blamed.

    Aggression or interference where a state is blamed; terrorism where armed groups act, if it
    costs nothing (the groups were listed as terrorists before) or buys a legal basis for help
    (a defence treaty that covers terrorism and not unrest). A local riot is crime; gangs no one
    listed stay gangs where the word would buy nothing.
    """
    if blame is None:
        return NO
    d = threshold_rule(violence, p.framing_trigger, "national violence")
    if not d.act:
        return NO
    if blame != "armed groups":
        why, kind = f"blames {blame}", "aggression or interference"
    elif listed:
        why, kind = "blames armed groups listed as terrorists", "terrorism"
    elif legal_gain > 0:
        gain = rounded(legal_gain)
        why, kind = f"blames armed groups: the word adds {gain} legal basis", "terrorism"
    else:
        return NO
    terms = {**d.terms, "kind": kind, "blamed": blame, "legal_gain": rounded(legal_gain)}
    return Decision(True, terms, f"{d.reason}: {why}")


def emergency_vote(by: str, support: float, needed: float) -> Decision:
    """Whether emergency rule can be declared: by the executive, or if the vote finds its support.

    ``support`` and ``needed`` are shares of the deputies (those who back it, the quorum).
    """
    if by == "executive":
        return Decision(True, {}, "declared by the executive")
    if support >= needed:
        return Decision(True, {"support": support, "needed": needed}, "parliament votes it")
    return Decision(
        False,
        {"support": support, "needed": needed},
        f"parliament lacks the votes: {support:.0%} of the deputies back it, {needed:.0%} needed",
    )


def strain(load: float, p: HostRules) -> float:
    """Today's addition to the strain on its own forces: log2 of the load over the bar for help.

    One a day where the threat is twice what its forces there can carry, nothing below the bar.
    """
    return math.log2(load / p.assist_load) if load > p.assist_load else 0.0


def own_forces(strain: float, p: HostRules) -> float:
    """The value of relying on its own forces.

    ``min_utility``, halved by each ``patience`` of strain: the longer and the worse its forces are
    overrun, the more help is worth.
    """
    return p.min_utility * 2.0 ** (-strain / p.patience)


def worse(load: float, at_refusal: float, factor: float) -> bool:
    """Whether the crisis is clearly worse than when the last provider refused."""
    return load > factor * at_refusal


def troop_need(load: list[float], personnel: list[float], bar: float, ratio: float) -> float:
    """Foreign troops that would bring each region's load down to ``bar``.

    Where the load is above it, the region's own personnel x (load / bar - 1), over the troops-to-
    personnel ``ratio`` (each foreign soldier stands in for ``ratio`` of the host's own).
    """
    return sum(p / ratio * (x / bar - 1) for x, p in zip(load, personnel, strict=True) if x > bar)


def capacity_score(troops: float, need: float) -> float:
    """The share of the need a force can meet, in [0, 1] (1 when nothing is needed)."""
    return 1.0 if need <= 0 else min(1.0, troops / need)


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
    terms = {k: rounded(u) for k, (u, _) in ranked} | {"own_forces": rounded(min_utility)}
    if forced is not None:
        u, parts = utilities[forced]
        terms |= {"choice": forced, "terms": parts, "forced": True}
        best = ranked[0][0]
        why = (
            f"best by utility: {best} {rounded(ranked[0][1][0])}" if best != forced else "also best"
        )
        return Decision(
            True, terms, f"switch host_asks: asks {forced} (utility {rounded(u)}; {why})"
        )
    if not ranked or ranked[0][1][0] <= min_utility:
        return Decision(False, terms, f"no provider beats own forces ({rounded(min_utility)})")
    best, (u, parts) = ranked[0]
    terms |= {"choice": best, "terms": parts}
    others = ", ".join(f"{k} {rounded(x)}" for k, (x, _) in ranked[1:]) or "no other"
    return Decision(
        True,
        terms,
        f"{best} utility {rounded(u)} beats {others}; own forces {rounded(min_utility)}",
    )
