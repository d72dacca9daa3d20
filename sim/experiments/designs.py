"""Experimental designs: the rows of parameter values a sweep runs.

Samplers come from SALib (Sobol/Saltelli, Morris) and ``scipy.stats.qmc`` (Latin hypercube);
Monte Carlo uses a seeded :func:`numpy.random.default_rng`. Every design draws points in the
unit cube and maps each column through its parameter's inverse CDF, truncated to the
parameter's bounds, so SALib's row structure is kept for its analysers. Same seed, same rows.

A whole-number parameter (``whole``) is drawn over ``[low - 1/2, high + 1/2]`` and rounded to
the nearest whole number (halves up), so that under a uniform distribution every whole number
within the bounds is equally likely; a grid rounds its evenly spaced points.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sim.experiments.spec import Parameter

DESIGNS = ("grid", "lhs", "sobol", "morris", "montecarlo")
MORRIS_LEVELS = 4


def salib_problem(params: list[Parameter]) -> dict[str, Any]:
    """The SALib problem dict for bounded parameters.

    Args:
        params: Parameters, each with bounds.

    Returns:
        ``{"num_vars", "names", "bounds"}`` with the paths as names.

    Raises:
        ValueError: If a parameter has levels instead of bounds.
    """
    return {
        "num_vars": len(params),
        "names": [p.path for p in params],
        "bounds": [list(_bounds(p)) for p in params],
    }


def design_size(design: str, k: int, samples: int, levels: list[int] | None = None) -> int:
    """Number of rows a design makes.

    Args:
        design: One of grid, lhs, sobol, morris, montecarlo.
        k: Number of parameters.
        samples: The sweep's ``samples``.
        levels: Grid only: the level counts of the parameters given by levels; the other
            ``k - len(levels)`` parameters are bounded and get ``samples`` points each.

    Returns:
        The row count.

    Raises:
        ValueError: For an unknown design, or sobol with ``samples`` not a power of 2.
    """
    if design == "grid":
        counts = list(levels or [])
        if len(counts) > k:
            raise ValueError(f"{len(counts)} level counts for {k} parameters")
        return math.prod(counts) * samples ** (k - len(counts))
    if design in ("lhs", "montecarlo"):
        return samples
    if design == "sobol":
        _check_power_of_two(samples)
        return samples * (k + 2)
    if design == "morris":
        return samples * (k + 1)
    raise ValueError(f"unknown design {design!r}; choose one of {', '.join(DESIGNS)}")


def check_design(design: str, params: Sequence[Parameter], samples: int) -> None:
    """Refuse whole-number parameters a design cannot resolve into distinct values.

    Raises:
        ValueError: A grid asks for more points than a whole-number range holds, or a morris
            design has a whole-number range narrower than its levels.
    """
    for p in params:
        if not p.whole or p.bounds is None:
            continue
        low, high = _bounds(p)
        count = int(high - low) + 1
        if design == "grid" and samples > count:
            raise ValueError(
                f"'{p.path}' holds {count} whole numbers in its bounds, fewer than the grid's "
                f"{samples} points; give levels instead"
            )
        if design == "morris" and count < MORRIS_LEVELS:
            raise ValueError(
                f"'{p.path}' holds {count} whole numbers in its bounds; morris needs at least "
                f"{MORRIS_LEVELS} distinct levels"
            )


def sample(design: str, params: list[Parameter], samples: int, seed: int) -> list[tuple]:
    """The rows of a design as a list (see :func:`design_rows`)."""
    return list(design_rows(design, params, samples, seed))


def design_rows(design: str, params: list[Parameter], samples: int, seed: int) -> Iterable[tuple]:
    """The rows of a design, values in parameter order; a grid's rows are made as read.

    Args:
        design: One of grid, lhs, sobol, morris, montecarlo.
        params: The varied parameters.
        samples: The sweep's ``samples`` (see :func:`design_size`).
        seed: Seed of the sampler; the same seed gives the same rows.

    Returns:
        ``design_size(...)`` tuples of Python floats (ints for whole-number parameters), or of
        level values as given.

    Raises:
        ValueError: For an unknown design, levels with lhs/sobol/morris, a sobol ``samples``
            that is not a power of 2, a sobol/morris design without parameters, or a
            lognormal parameter whose bounds lie at or below 0.
    """
    if samples < 1:
        raise ValueError(f"samples must be at least 1, not {samples}")
    k = len(params)
    if design == "grid":
        axes = [p.levels if p.levels is not None else _linspace(p, samples) for p in params]
        return itertools.product(*axes)
    if design == "montecarlo":
        rng = np.random.default_rng(seed)
        columns: list[list[Any]] = []
        for p in params:
            if p.levels is not None:
                picks = rng.integers(len(p.levels), size=samples)
                columns.append([p.levels[i] for i in picks])
            else:
                columns.append(_inverse_cdf(p, rng.random(samples)))
        return _rows(columns, samples)
    if design not in DESIGNS:
        raise ValueError(f"unknown design {design!r}; choose one of {', '.join(DESIGNS)}")
    for p in params:
        if p.levels is not None:
            raise ValueError(f"'{p.path}' has levels; {design} needs bounds (use grid/montecarlo)")
    # SALib and scipy load in about a second: imported here, so that workers, which never
    # sample, start without them.
    if design == "lhs":
        from scipy.stats import qmc

        if k == 0:
            return [()] * samples
        unit = qmc.LatinHypercube(d=k, seed=seed).random(samples)
    else:
        if k == 0:
            raise ValueError(f"a {design} design needs at least one parameter")
        cube = {"num_vars": k, "names": [p.path for p in params], "bounds": [[0.0, 1.0]] * k}
        if design == "sobol":
            from SALib.sample import sobol as salib_sobol

            _check_power_of_two(samples)
            unit = salib_sobol.sample(cube, samples, calc_second_order=False, seed=seed)
        else:
            from SALib.sample import morris as salib_morris

            unit = salib_morris.sample(cube, samples, num_levels=MORRIS_LEVELS, seed=seed)
    return _rows([_inverse_cdf(p, unit[:, j]) for j, p in enumerate(params)], len(unit))


def _bounds(p: Parameter) -> tuple[float, float]:
    """The parameter's bounds, or an error naming it."""
    if p.bounds is None:
        raise ValueError(f"'{p.path}' has levels, not bounds")
    return float(p.bounds[0]), float(p.bounds[1])


def _linspace(p: Parameter, samples: int) -> list[float]:
    """``samples`` evenly spaced points from low to high inclusive."""
    low, high = _bounds(p)
    points = np.linspace(low, high, samples)
    return [math.floor(x + 0.5) for x in points] if p.whole else [float(x) for x in points]


def _inverse_cdf(p: Parameter, u: np.ndarray) -> list[float]:
    """Map unit-interval draws through the parameter's distribution, truncated to its bounds."""
    from scipy import stats

    low, high = _bounds(p)
    if p.whole:
        low, high = low - 0.5, high + 0.5
    u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
    if p.distribution == "uniform":
        x = low + u * (high - low)
    elif p.distribution == "triangular":
        assert p.peak is not None
        x = stats.triang.ppf(u, (p.peak - low) / (high - low), loc=low, scale=high - low)
    elif p.distribution == "normal":
        assert p.mean is not None and p.sd is not None
        a, b = (low - p.mean) / p.sd, (high - p.mean) / p.sd
        x = stats.truncnorm.ppf(u, a, b, loc=p.mean, scale=p.sd)
    else:
        # Lognormal(s=sd, scale=exp(mean)) truncated to [low, high]: exactly the exp of a
        # normal(mean, sd) truncated to [ln low, ln high]. truncnorm stays accurate when the
        # bounds sit far in a tail, where lognorm.ppf(F(low) + u*(F(high) - F(low))) breaks.
        assert p.mean is not None and p.sd is not None
        if high <= 0:
            raise ValueError(f"'{p.path}': a lognormal needs bounds reaching above 0")
        a = (math.log(low) - p.mean) / p.sd if low > 0 else -np.inf
        b = (math.log(high) - p.mean) / p.sd
        x = np.exp(stats.truncnorm.ppf(u, a, b, loc=p.mean, scale=p.sd))
    if p.whole:
        lo, hi = _bounds(p)
        return [int(v) for v in np.clip(np.floor(np.asarray(x) + 0.5), lo, hi)]
    return [float(v) for v in np.clip(x, low, high)]


def _rows(columns: list[list[Any]], n: int) -> list[tuple]:
    """Rows from columns (``n`` empty rows when there are no columns)."""
    return list(zip(*columns, strict=True)) if columns else [()] * n


def _check_power_of_two(samples: int) -> None:
    """Sobol designs need ``samples`` to be a power of 2."""
    if samples < 1:
        raise ValueError(f"samples must be at least 1, not {samples}")
    if samples & (samples - 1):
        raise ValueError(
            f"a sobol design needs samples to be a power of 2 (got {samples}): SALib builds it "
            "from a Sobol' sequence, whose balance and convergence properties hold only for "
            f"2^m points; try {1 << (samples.bit_length() - 1)} or {1 << samples.bit_length()}"
        )
