"""What every rule shares: the decision it returns, and thresholds passed or reached."""

from __future__ import annotations

from typing import NamedTuple


class Decision(NamedTuple):
    """The outcome of a rule: act or not, the deciding terms, and why."""

    act: bool
    terms: dict
    reason: str


def rounded(x: float) -> float:
    """A term as shown in an event: three decimals."""
    return round(float(x), 3)


def weigh(terms: dict[str, float], threshold: float) -> tuple[bool, float, dict]:
    """Sum utility terms; return whether the sum beats ``threshold``, the sum, and the terms."""
    u = sum(terms.values())
    shown = {k: rounded(x) for k, x in terms.items()} | {
        "utility": rounded(u),
        "threshold": rounded(threshold),
    }
    return u > threshold, u, shown


NO = Decision(False, {}, "")
"""A rule that did not fire (its terms are not needed)."""


def threshold_rule(value: float, threshold: float, what: str) -> Decision:
    """Act when ``value`` exceeds ``threshold``."""
    if value <= threshold:
        return NO
    return Decision(
        True,
        {what: rounded(value), "threshold": rounded(threshold)},
        f"{what} {rounded(value)} > {rounded(threshold)}",
    )


def reached(count: float, target: float, what: str) -> Decision:
    """Act when ``count`` has reached ``target`` (a count of days, say)."""
    if count < target:
        return NO
    return Decision(
        True,
        {what: rounded(count), "target": rounded(target)},
        f"{what} {rounded(count)} >= {rounded(target)}",
    )
