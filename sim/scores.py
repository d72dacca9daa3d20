"""Proper scores of an ensemble of runs against what happened: Brier and CRPS."""

from __future__ import annotations

from collections.abc import Sequence


def brier(p: float, happened: bool) -> float:
    """Brier score of the forecast probability ``p`` of an event (0 best, 1 worst)."""
    return (p - float(happened)) ** 2


def crps(samples: Sequence[float], y: float) -> float:
    """Continuous ranked probability score of the samples' empirical distribution at ``y``.

    ``E|X - y| - E|X - X'| / 2`` over the samples, in their units (0 when every sample is ``y``;
    for a single value, its absolute error).
    """
    xs = sorted(samples)
    n = len(xs)
    if n == 0:
        raise ValueError("crps needs at least one sample")
    error = sum(abs(x - y) for x in xs) / n
    spread = 2.0 * sum((2 * i - n + 1) * x for i, x in enumerate(xs)) / (n * n)
    return error - spread / 2.0
