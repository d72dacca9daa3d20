"""Proper scores: Brier and the CRPS of an ensemble."""

from __future__ import annotations

import itertools
import random

import pytest

from sim.scores import brier, crps


def test_brier_of_sure_and_even_forecasts():
    assert brier(1.0, True) == 0.0 and brier(0.0, False) == 0.0
    assert brier(0.0, True) == 1.0 and brier(0.5, False) == 0.25


def test_crps_of_one_value_is_its_absolute_error():
    assert crps([3.0], 0.0) == 3.0 and crps([-2.0], 1.0) == 3.0


def test_crps_matches_the_sum_over_all_pairs():
    rng = random.Random(4)
    for n in (2, 5, 40):
        xs = [rng.uniform(-20, 20) for _ in range(n)]
        y = rng.uniform(-5, 5)
        pairs = sum(abs(a - b) for a, b in itertools.product(xs, xs)) / n**2
        assert crps(xs, y) == pytest.approx(sum(abs(x - y) for x in xs) / n - pairs / 2)


def test_crps_rewards_a_sharp_right_forecast_over_a_spread_one():
    assert crps([0, 0, 0, 0], 0) == 0.0
    assert crps([-3, 0, 0, 3], 0) > 0.0
    assert crps([5, 5], 0) > crps([0, 10], 0)  # both miss on average by 5; the spread one less


def test_crps_needs_samples():
    with pytest.raises(ValueError):
        crps([], 0.0)
