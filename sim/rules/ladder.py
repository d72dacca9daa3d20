"""The response ladder: how far up a provider goes, from one utility against the rungs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.rules.common import NO, Decision, rounded
from sim.scenario import RUNGS

if TYPE_CHECKING:
    from sim.scenario import Rungs

FORCE = ("key_assets", "combat")
"""Rungs that send troops."""

ON_REQUEST = ("assistance", *FORCE)
"""Rungs that need the host's request (for at least that much help)."""

UNASKED = ("statement", "consultations", "mediation", "pledge")
"""Rungs a provider may take without a request (each worth its utility, with no extra cost)."""

ANSWERS = ("mission", *ON_REQUEST)
"""Rungs that answer a request (anything lower is a refusal)."""

COMMITS = ("mission", "pledge", *ON_REQUEST)
"""Rungs that commit people or help, decided through the provider's procedure (words take no
time)."""

ASKED_FOR = {"assistance": "assistance", "troops": "combat"}
"""The highest rung each kind of request asks for."""


_RANK = {None: 0, **{r: i + 1 for i, r in enumerate(RUNGS)}}


def rank(rung: str | None) -> int:
    """Position on the ladder: 0 for none (refusal), 1 for a statement, ... 8 for combat."""
    return _RANK[rung]


def lowest_bar_above(rung: str | None, bars: Rungs, closed: tuple[str, ...] = ()) -> float:
    """The lowest bar among the unasked rungs above ``rung`` (infinite when none is left).

    Rungs in ``closed`` are left out: those a provider can never take unasked.
    """
    above = [getattr(bars, r) for r in UNASKED if rank(r) > rank(rung) and r not in closed]
    return min(above, default=float("inf"))


def allowed(
    *,
    asked: str | None,
    words_only: bool,
    can_mediate: bool,
    can_send: bool,
    scope: str,
    assists: bool,
) -> list[str]:
    """Rungs open to a provider now, lowest first.

    Unasked it may speak, consult, offer mediation (where there are parties to bring together)
    and pledge. A mission needs the host's consent, which a request gives; help on the ground
    needs a request for at least that much; troops need a force, and combat a combat mission.
    A state the host blames, or the attacker, can only speak.
    """
    if words_only:
        return ["statement"]
    top = rank(ASKED_FOR[asked]) if asked else rank("pledge")
    out = []
    for r in RUNGS:
        if rank(r) > top:
            break
        if r == "mediation" and not can_mediate:
            continue
        if r == "mission" and not asked:
            continue
        if r == "pledge" and not (can_send or assists):
            continue
        if r == "assistance" and not assists:
            continue
        if r in FORCE and (not can_send or (r == "combat" and scope != "combat")):
            continue
        out.append(r)
    return out


def climb(utility: dict[str, float], bars: Rungs, above: str | None, asked: bool) -> Decision:
    """The next rung to take above ``above``.

    One step at a time unasked, as high as clears when answering a request.

    ``utility`` gives, per open rung (lowest first), the provider's utility of taking it (the
    crisis's weight to it, less the rung's own costs). Unasked, a provider climbs to the lowest open
    rung above its own whose bar it beats (one a day, as the crisis is re-weighed); asked, it
    answers with the highest.
    """
    best = None
    for r, u in utility.items():
        if rank(r) > rank(above) and u > getattr(bars, r):
            best = r
            if not asked:
                break
    if best is None:
        return NO
    u, bar = utility[best], getattr(bars, best)
    return Decision(
        True,
        {"rung": best, "utility": rounded(u), "bar": rounded(bar)},
        f"{best.replace('_', ' ')}: utility {rounded(u)} > bar {rounded(bar)}",
    )
