"""Legal basis (0..1) for a provider to act in the host, from the treaties in force."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.scenario import LegalRules, Treaty


def covers(kind: str, threat: str, framed: bool, attacker_party: bool, p: LegalRules) -> float:
    """How far a treaty of ``kind`` covers the threat.

    Collective defence covers aggression: an armed attack (contested when the attacker is a
    fellow party), an armed group or a danger from abroad, or unrest the host frames as
    terrorism or interference from abroad; other unrest only as far as ``unnamed_threat``.
    Mutual assistance and security cooperation cover any threat at the host's request.
    """
    if kind != "collective_defence":
        return 1.0
    if threat == "state_attack":
        return p.fellow_party_attack if attacker_party else 1.0
    if framed or threat in ("armed_group", "spillover"):
        return 1.0
    return p.unnamed_threat


def legal_basis(
    treaties: list[tuple[Treaty, bool]],
    *,
    threat: str,
    framed: bool,
    in_scope: float,
    invited: bool,
    p: LegalRules,
) -> float:
    """The strongest basis.

    Each treaty's kind x its cover of the threat x the share of the threat inside its scope; an
    invitation alone gives ``invitation``.

    ``treaties`` pairs each treaty binding the provider to the host with whether the attacker is a
    party to it.
    """
    best = p.invitation if invited else 0.0
    for t, attacker_party in treaties:
        where = in_scope if t.scope == "recognised" else 1.0
        cover = covers(t.kind, threat, framed, attacker_party, p)
        best = max(best, getattr(p, t.kind) * cover * where)
    return best
