"""More pressure, more help: a weaker host, a larger shock or more armed groups never get less
help, nor fewer casualties, than the historical replay (issue 11, item 6)."""

from __future__ import annotations

import itertools
import statistics

import pytest

from sim.experiments.plan import with_values
from sim.runner import run_seeds
from sim.scenario import Scenario

SEEDS = range(30)


def regions_scaled(base: Scenario, field: str, factor: float, top: float) -> Scenario:
    keys = [("regions", rid, field) for rid in base.regions]
    values = [min(top, getattr(r, field) * factor) for r in base.regions.values()]
    return with_values(base, keys, values)


def shock_scaled(base: Scenario, factor: float) -> Scenario:
    return with_values(base, [("shock", "magnitude")], [base.shock.magnitude * factor])


def help_and_cost(scenario: Scenario) -> tuple[float, float, float]:
    """Mean troop-days, share of runs with a request, mean casualty index."""
    out = [r.outcomes for r in run_seeds(scenario, SEEDS)]
    return (
        statistics.mean(o["troop_days"] for o in out),
        sum(o["request_day"] is not None for o in out) / len(out),
        statistics.mean(o["casualty_index"] for o in out),
    )


@pytest.fixture(scope="module")
def base(historical):
    return help_and_cost(historical)


def more_or_equal(harder, easier):
    troop_days, asked, casualties = harder
    assert troop_days >= easier[0] and asked >= easier[1] and casualties >= easier[2]


@pytest.mark.parametrize("factor", [0.5, 2.0])
def test_a_weaker_host_gets_more_help_and_suffers_more(historical, base, factor):
    scaled = help_and_cost(regions_scaled(historical, "security", factor, 5.0))
    if factor < 1:
        more_or_equal(scaled, base)
        assert scaled[2] > base[2]
    else:
        more_or_equal(base, scaled)
        assert scaled[2] < base[2]


def test_a_larger_shock_never_gets_less_help_nor_fewer_casualties(historical, base):
    ladder = [help_and_cost(shock_scaled(historical, f)) for f in (0.8, 0.9, 1.2, 1.5)]
    steps = [ladder[0], ladder[1], base, ladder[2], ladder[3]]
    for easier, harder in itertools.pairwise(steps):
        more_or_equal(harder, easier)
    assert steps[-1][2] > steps[0][2]


@pytest.mark.parametrize("factor", [0.5, 2.0])
def test_more_armed_groups_get_more_help_and_cost_more(historical, base, factor):
    scaled = help_and_cost(regions_scaled(historical, "armed_groups", factor, 1.0))
    if factor > 1:
        more_or_equal(scaled, base)
        assert scaled[2] > base[2]
    else:
        more_or_equal(base, scaled)
        assert scaled[2] < base[2]
