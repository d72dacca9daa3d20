"""A neighbouring power: the kind of statement it makes."""

from __future__ import annotations

from sim.rules.common import Decision, rounded


def statement_kind(threat_perception: float, framed: bool, support_trigger: float) -> Decision:
    """Support for the host government if it shares the outside-threat framing, else concern."""
    seen = threat_perception * framed
    act = seen > support_trigger
    kind = "support" if act else "concern"
    return Decision(
        act,
        {"kind": kind, "shared_threat": rounded(seen), "threshold": rounded(support_trigger)},
        f"{kind}: shared outside-threat view {rounded(seen)} vs {rounded(support_trigger)}",
    )
