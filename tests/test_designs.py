from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from scipy import stats

from sim.experiments.designs import design_size, salib_problem, sample
from sim.experiments.spec import Parameter

BOUNDED = [
    Parameter(path="a.x", bounds=(0.0, 10.0)),
    Parameter(path="a.tri", bounds=(1.0, 4.0), distribution="triangular", peak=1.5),
    Parameter(path="b.norm", bounds=(-1.0, 3.0), distribution="normal", mean=0.5, sd=2.0),
    Parameter(path="b.logn", bounds=(0.5, 20.0), distribution="lognormal", mean=1.0, sd=1.0),
]
LEVELLED = [
    Parameter(path="c.flag", levels=[True, False]),
    Parameter(path="c.mode", levels=["calm", "tense", "riot"]),
]
MIXED = BOUNDED + LEVELLED
DESIGN_PARAMS = {
    "grid": MIXED,
    "montecarlo": MIXED,
    "lhs": BOUNDED,
    "sobol": BOUNDED,
    "morris": BOUNDED,
}
SAMPLES = {"grid": 3, "montecarlo": 50, "lhs": 50, "sobol": 16, "morris": 10}


def _size(design: str, params: list[Parameter], samples: int) -> int:
    counts = [len(p.levels) for p in params if p.levels is not None]
    return design_size(design, len(params), samples, counts)


def _in_range(p: Parameter, value: object) -> bool:
    if p.levels is not None:
        return any(value == lv and type(value) is type(lv) for lv in p.levels)
    assert p.bounds is not None
    return type(value) is float and p.bounds[0] <= value <= p.bounds[1]


@pytest.mark.parametrize("design", list(DESIGN_PARAMS))
def test_rows_match_size_and_stay_in_range(design: str) -> None:
    params, n = DESIGN_PARAMS[design], SAMPLES[design]
    rows = sample(design, params, n, seed=7)
    assert len(rows) == _size(design, params, n)
    assert all(len(row) == len(params) for row in rows)
    for row in rows:
        for p, value in zip(params, row, strict=True):
            assert _in_range(p, value), (design, p.path, value)


def test_design_size_formulas() -> None:
    assert design_size("grid", 3, 5, [2, 3]) == 2 * 3 * 5
    assert design_size("grid", 2, 4) == 16
    assert design_size("lhs", 4, 30) == 30
    assert design_size("montecarlo", 4, 30) == 30
    assert design_size("sobol", 4, 64) == 64 * 6
    assert design_size("morris", 4, 10) == 50
    with pytest.raises(ValueError, match="unknown design"):
        design_size("halton", 2, 4)


@pytest.mark.parametrize("design", ["montecarlo", "lhs", "sobol", "morris"])
def test_same_seed_same_rows_other_seed_other_rows(design: str) -> None:
    params, n = DESIGN_PARAMS[design], SAMPLES[design]
    first = sample(design, params, n, seed=11)
    assert sample(design, params, n, seed=11) == first
    assert sample(design, params, n, seed=12) != first


def test_grid_is_full_factorial_of_linspace_and_levels() -> None:
    params = [
        Parameter(path="p.x", bounds=(0.0, 1.0)),
        Parameter(path="p.on", levels=[True, False]),
        Parameter(path="p.y", bounds=(-2.0, 2.0), distribution="normal", mean=0.0, sd=1.0),
        Parameter(path="p.k", levels=[1.0, 5.0, 9.0]),
    ]
    rows = sample("grid", params, 5, seed=0)
    xs = [0.0, 0.25, 0.5, 0.75, 1.0]
    ys = [-2.0, -1.0, 0.0, 1.0, 2.0]
    assert rows == list(itertools.product(xs, [True, False], ys, [1.0, 5.0, 9.0]))
    assert len(rows) == design_size("grid", 4, 5, [2, 3]) == 150
    assert {type(r[1]) for r in rows} == {bool}
    # the seed plays no part in a grid
    assert sample("grid", params, 5, seed=99) == rows


def test_grid_single_point_is_low() -> None:
    rows = sample("grid", [Parameter(path="p.x", bounds=(2.0, 3.0))], 1, seed=0)
    assert rows == [(2.0,)]


@pytest.mark.parametrize("n", [1, 7, 100])
def test_lhs_has_one_point_per_stratum(n: int) -> None:
    params = [
        Parameter(path="u.a", bounds=(0.0, 1.0)),
        Parameter(path="u.b", bounds=(-5.0, 15.0)),
        Parameter(path="t.c", bounds=(2.0, 6.0), distribution="triangular", peak=5.0),
    ]
    rows = np.array(sample("lhs", params, n, seed=3))
    u = np.column_stack(
        [
            (rows[:, 0] - 0.0) / 1.0,
            (rows[:, 1] + 5.0) / 20.0,
            stats.triang.cdf(rows[:, 2], 0.75, loc=2.0, scale=4.0),
        ]
    )
    for j in range(3):
        strata = np.minimum(np.floor(u[:, j] * n).astype(int), n - 1)
        assert sorted(strata.tolist()) == list(range(n)), j


def test_sobol_rows_analyse_to_first_parameter() -> None:
    params = [
        Parameter(path="s.x0", bounds=(0.0, 1.0)),
        Parameter(path="s.x1", bounds=(-3.0, 3.0)),
        Parameter(path="s.x2", bounds=(0.0, 2.0), distribution="triangular", peak=0.5),
    ]
    rows = np.array(sample("sobol", params, 256, seed=5))
    assert len(rows) == design_size("sobol", 3, 256) == 256 * 5
    y = rows[:, 0].copy()
    res = sobol_analyze.analyze(salib_problem(params), y, calc_second_order=False, seed=1)
    assert res["S1"][0] == pytest.approx(1.0, abs=0.1)
    assert res["ST"][0] == pytest.approx(1.0, abs=0.1)
    assert np.all(np.abs(res["S1"][1:]) < 0.05)
    assert np.all(np.abs(res["ST"][1:]) < 0.05)


def test_morris_rows_rank_the_influential_parameter_first() -> None:
    params = [
        Parameter(path="m.x0", bounds=(0.0, 1.0)),
        Parameter(path="m.x1", bounds=(0.0, 1.0)),
        Parameter(path="m.x2", bounds=(5.0, 6.0), distribution="normal", mean=5.5, sd=0.5),
    ]
    rows = np.array(sample("morris", params, 20, seed=2))
    assert len(rows) == 20 * 4
    res = morris_analyze.analyze(salib_problem(params), rows, 3 * rows[:, 0], num_levels=4, seed=1)
    assert res["mu_star"][0] > 1.0
    assert res["mu_star"][0] > max(res["mu_star"][1:])


def test_triangular_mean() -> None:
    p = Parameter(path="t.v", bounds=(0.0, 10.0), distribution="triangular", peak=2.0)
    values = np.array(sample("montecarlo", [p], 20_000, seed=4))[:, 0]
    assert values.mean() == pytest.approx((0.0 + 2.0 + 10.0) / 3, abs=0.1)
    # a uniform draw would average 5: the shape is really applied
    assert abs(values.mean() - 5.0) > 0.5


def test_truncated_normal_bounds_and_mean() -> None:
    wide = Parameter(path="n.v", bounds=(-20.0, 40.0), distribution="normal", mean=10.0, sd=3.0)
    values = np.array(sample("montecarlo", [wide], 20_000, seed=8))[:, 0]
    assert values.min() >= -20.0 and values.max() <= 40.0
    assert values.mean() == pytest.approx(10.0, abs=0.1)
    assert values.std() == pytest.approx(3.0, abs=0.1)

    tight = Parameter(path="n.v", bounds=(9.0, 11.0), distribution="normal", mean=10.0, sd=5.0)
    for design in ("montecarlo", "lhs", "sobol", "morris"):
        rows = sample(design, [tight], 64, seed=8)
        assert all(9.0 <= r[0] <= 11.0 for r in rows), design


def test_lognormal_is_truncated_lognorm() -> None:
    p = Parameter(path="l.v", bounds=(0.5, 20.0), distribution="lognormal", mean=1.0, sd=0.8)
    values = np.array(sample("montecarlo", [p], 2_000, seed=9))[:, 0]
    u = np.random.default_rng(9).random(2_000)
    dist = stats.lognorm(s=0.8, scale=math.exp(1.0))
    expected = dist.ppf(dist.cdf(0.5) + u * (dist.cdf(20.0) - dist.cdf(0.5)))
    np.testing.assert_allclose(values, expected, rtol=1e-9)


def test_lognormal_far_in_the_tail_stays_inside_and_spread() -> None:
    p = Parameter(path="l.v", bounds=(50.0, 60.0), distribution="lognormal", mean=0.0, sd=0.2)
    values = np.array(sample("lhs", [p], 100, seed=1))[:, 0]
    assert values.min() >= 50.0 and values.max() <= 60.0
    assert values.max() - values.min() > 1.0


def test_montecarlo_levels_are_drawn_uniformly() -> None:
    p = Parameter(path="c.mode", levels=["calm", "tense", "riot"])
    rows = sample("montecarlo", [p], 9_000, seed=6)
    counts = {repr(v): 0 for v in p.levels or []}
    for (value,) in rows:
        counts[repr(value)] += 1
    assert all(abs(c - 3_000) < 200 for c in counts.values()), counts


@pytest.mark.parametrize("n", [3, 100, 255])
def test_sobol_needs_power_of_two(n: int) -> None:
    with pytest.raises(ValueError, match="power of 2"):
        sample("sobol", BOUNDED, n, seed=0)
    with pytest.raises(ValueError, match="power of 2"):
        design_size("sobol", len(BOUNDED), n)


@pytest.mark.parametrize("design", ["lhs", "sobol", "morris"])
def test_levels_need_grid_or_montecarlo(design: str) -> None:
    with pytest.raises(ValueError, match="levels"):
        sample(design, MIXED, 8, seed=0)
    with pytest.raises(ValueError, match="levels"):
        salib_problem(MIXED)


def test_salib_problem() -> None:
    assert salib_problem(BOUNDED[:2]) == {
        "num_vars": 2,
        "names": ["a.x", "a.tri"],
        "bounds": [[0.0, 10.0], [1.0, 4.0]],
    }


@pytest.mark.parametrize("design", ["montecarlo", "lhs", "grid"])
def test_no_parameters(design: str) -> None:
    assert sample(design, [], 4, seed=0) == [()] * design_size(design, 0, 4)


def test_no_global_random_state() -> None:
    np.random.seed(0)
    before = np.random.random()
    np.random.seed(0)
    for design in ("montecarlo", "lhs", "sobol", "morris"):
        sample(design, DESIGN_PARAMS[design], SAMPLES[design], seed=1)
    assert np.random.random() == before
