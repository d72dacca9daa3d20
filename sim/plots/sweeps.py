"""How an outcome responds to one or two varied parameters of a sweep."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.experiments.conditions import finished
from sim.experiments.intervals import wilson_interval
from sim.plots.stats import as_numbers, is_flag, is_number
from sim.plots.style import (
    MUTED,
    SEQUENTIAL,
    axis_label,
    colour_limits,
    new_figure,
    parameter_label,
    pretty,
    require_columns,
    series_colour,
)


def _levels(column: pd.Series) -> list:
    """The distinct values of a categorical parameter, in sorted order."""
    return sorted(column.dropna().unique(), key=str)


MAX_LEVEL_BINS = 15
"""A numeric parameter with at most this many distinct values (a grid) gets a bin per value."""


def _bins(
    column: pd.Series, count: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str] | None]:
    """Bin index of every row, bin edges, bin centres, and tick labels if categorical.

    A numeric column with few distinct values (a grid's levels) gets one bin per value, centred
    on it, so that no bin is empty; other numbers get ``count`` equal bins over their range.
    """
    if is_number(column):
        x = column.to_numpy(float)
        levels = np.unique(x)
        if len(levels) <= MAX_LEVEL_BINS:
            gaps = np.diff(levels) if len(levels) > 1 else np.array([1.0])
            mids = (levels[1:] + levels[:-1]) / 2
            edges = np.concatenate([[levels[0] - gaps[0] / 2], mids, [levels[-1] + gaps[-1] / 2]])
            return np.searchsorted(levels, x), edges, levels, None
        low, high = float(levels[0]), float(levels[-1])
        edges = np.linspace(low, high, count + 1)
        codes = np.clip(np.searchsorted(edges, x, "right") - 1, 0, count - 1)
        return codes, edges, (edges[:-1] + edges[1:]) / 2, None
    levels = _levels(column)
    codes = column.map({v: i for i, v in enumerate(levels)}).to_numpy(int)
    return codes, np.arange(len(levels) + 1) - 0.5, np.arange(len(levels)), [str(v) for v in levels]


def _response_label(outcome: str, flag: bool, stat: str) -> str:
    if flag:
        return f"share of runs with {pretty(outcome)} (0-1)"
    return f"{stat} {axis_label(outcome)}"


def sweep_response(runs: pd.DataFrame, x: str, outcome: str, y: str | None = None) -> Figure:
    """An outcome against one varied parameter, or its binned mean over two.

    One numeric parameter: each run as a point and the median per bin as a line. One
    categorical parameter (text or flag levels): a box and the runs per level. Two parameters:
    the mean per 2-D bin (categorical axes binned by level) as a colour mesh with a colorbar,
    each cell labelled with its number of runs (grey: no runs).
    Boolean outcomes are drawn as the share of runs (0..1), with Wilson 95% intervals per level.
    Runs where the outcome never happened (missing) are left out, and the title says how many.

    Args:
        runs: Runs table of a sweep, with one column per varied parameter (its dotted path).
        x: The parameter on the x axis.
        outcome: A numeric or boolean outcome column.
        y: A second parameter, for the 2-D view.

    Returns:
        The figure: one axes (plus a colorbar axes for two parameters).

    Raises:
        ValueError: A column is missing, the outcome is text, or ``x`` equals ``y``.
    """
    require_columns(runs, [x, outcome, *([y] if y else [])], "runs")
    if y == x:
        raise ValueError("x and y must be two different parameters")
    runs = finished(runs)
    values = as_numbers(runs[outcome])
    flag = is_flag(runs[outcome])
    kept = values.notna()
    table = runs.loc[kept, [x, *([y] if y else [])]].assign(value=values[kept])
    fig = new_figure(8.0, 5.0)
    ax = fig.subplots()
    if y is not None:
        _mesh(fig, ax, table, x, y, outcome, flag)
    elif is_number(runs[x]):
        _scatter(ax, table, x, outcome, flag)
    else:
        _levels_plot(ax, table, x, outcome, flag)
    ax.set_xlabel(parameter_label(x))
    left_out = int((~kept).sum())
    note = f" ({left_out} of {len(runs)} runs where it never happened left out)" if left_out else ""
    over = f"{parameter_label(x)} and {parameter_label(y)}" if y else parameter_label(x)
    ax.set_title(f"{pretty(outcome).capitalize()} against {over}{note}", wrap=True)
    return fig


def _scatter(ax: Axes, table: pd.DataFrame, x: str, outcome: str, flag: bool) -> None:
    ax.scatter(table[x], table["value"], s=14, alpha=0.5, color=series_colour(0), label="runs")
    if len(table) > 1:
        count = int(np.clip(round(np.sqrt(len(table))), 3, 15))
        codes, _, centres, _ = _bins(table[x], count)
        groups = table["value"].groupby(codes)
        stat = groups.mean() if flag else groups.median()
        label = "share per bin" if flag else "median per bin"
        ax.plot(centres[stat.index], stat.to_numpy(), "-o", color=series_colour(1), label=label)
    if flag:
        ax.set_ylim(-0.05, 1.05)
    ax.set_ylabel(_response_label(outcome, flag, "") if flag else axis_label(outcome))
    ax.grid(color="#EEEEEE")
    ax.legend()


def _levels_plot(ax: Axes, table: pd.DataFrame, x: str, outcome: str, flag: bool) -> None:
    levels = _levels(table[x])
    groups = [table.loc[table[x] == v, "value"].to_numpy(float) for v in levels]
    positions = np.arange(len(levels))
    if flag:
        for i, g in enumerate(groups):
            share = g.mean() if g.size else np.nan
            lo, hi = wilson_interval(int(g.sum()), g.size)
            ax.bar(i, share, 0.6, color=series_colour(i))
            err = [[max(0.0, share - lo)], [max(0.0, hi - share)]]
            ax.errorbar(i, share, err, color="black", capsize=4)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel(_response_label(outcome, flag, ""))
    else:
        black = {"color": "black"}
        ax.boxplot(
            groups,
            positions=positions,
            widths=0.5,
            showfliers=False,
            boxprops=black,
            whiskerprops=black,
            capprops=black,
            medianprops={"color": "black", "linewidth": 2},
        )
        rng = np.random.default_rng(0)
        for i, g in enumerate(groups):
            jitter = rng.uniform(-0.15, 0.15, g.size)
            ax.scatter(i + jitter, g, s=14, alpha=0.5, color=series_colour(i), zorder=3)
        ax.set_ylabel(axis_label(outcome))
    ax.set_xticks(positions, [f"{v}\n(n={g.size})" for v, g in zip(levels, groups, strict=True)])
    ax.grid(axis="y", color="#EEEEEE")


def _mesh(
    fig: Figure, ax: Axes, table: pd.DataFrame, x: str, y: str, outcome: str, flag: bool
) -> None:
    count = int(np.clip(round(np.sqrt(len(table) / 3)), 2, 12))
    xc, xe, _, xl = _bins(table[x], count)
    yc, ye, _, yl = _bins(table[y], count)
    means = table["value"].groupby([yc, xc]).mean()
    grid = np.full((len(ye) - 1, len(xe) - 1), np.nan)
    grid[means.index.get_level_values(0), means.index.get_level_values(1)] = means.to_numpy()
    vmin, vmax = (0.0, 1.0) if flag else colour_limits(grid)
    mesh = ax.pcolormesh(
        xe, ye, np.ma.masked_invalid(grid), cmap=SEQUENTIAL, shading="flat", vmin=vmin, vmax=vmax
    )
    ax.set_facecolor(MUTED)
    counts = table["value"].groupby([yc, xc]).size()
    if grid.size <= 144:
        outline = [patheffects.withStroke(linewidth=2, foreground="black")]
        for (i, j), n in counts.items():
            cx, cy = (xe[j] + xe[j + 1]) / 2, (ye[i] + ye[i + 1]) / 2
            ax.text(
                cx,
                cy,
                f"n={n}",
                ha="center",
                va="center",
                fontsize=8,
                color="white",
                path_effects=outline,
            )
    fig.colorbar(mesh, ax=ax, label=_response_label(outcome, flag, "mean"))
    if xl is not None:
        ax.set_xticks(np.arange(len(xl)), xl)
    if yl is not None:
        ax.set_yticks(np.arange(len(yl)), yl)
    ax.set_ylabel(parameter_label(y))
