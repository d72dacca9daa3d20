"""One outcome across scenarios: distributions of numbers, shares of categories and flags."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.experiments.conditions import finished
from sim.experiments.intervals import wilson_interval
from sim.plots.stats import is_flag, is_number
from sim.plots.style import (
    axis_label,
    colour_map,
    new_figure,
    pretty,
    require_columns,
    series_colour,
)


def _tick(name: str, missing: int, n: int) -> str:
    """A scenario's tick label, noting the share of runs where the outcome never happened."""
    if n == 0:
        return f"{name}\n(no runs)"
    return f"{name}\n(never in {missing / n:.0%})" if missing else name


def compare_outcomes(runs_by_scenario: Mapping[str, pd.DataFrame], outcome: str) -> Figure:
    """One outcome's distribution in each scenario, side by side.

    Numbers: every run as a jittered point, the median as a bar and the 5-95% interval as a
    line. Flags: the share of runs where it is true; text: the share of runs with each value,
    grouped by scenario; both with Wilson 95% intervals and over all finished runs. Runs where
    the outcome is missing (it never happened) are counted in the tick label.

    Args:
        runs_by_scenario: Runs tables by scenario name (x order).
        outcome: A column of the runs tables.

    Returns:
        The figure: one axes, scenarios on x.

    Raises:
        ValueError: No scenarios, or a table lacks the outcome.
    """
    if not runs_by_scenario:
        raise ValueError("compare_outcomes needs at least one scenario")
    tables = {}
    for name, runs in runs_by_scenario.items():
        require_columns(runs, [outcome], f"the runs table of {name}")
        tables[name] = finished(runs)[outcome]
    fig = new_figure(max(6.0, 1.6 * len(tables) + 2.5), 4.8)
    ax = fig.subplots()
    present = [c for c in tables.values() if c.notna().any()] or list(tables.values())
    if all(map(is_number, present)):
        _numbers(ax, tables, outcome)
    else:
        _shares(ax, tables, outcome)
    ax.grid(axis="y", color="#EEEEEE")
    ax.set_axisbelow(True)
    return fig


def _numbers(ax: Axes, tables: Mapping[str, pd.Series], outcome: str) -> None:
    rng = np.random.default_rng(0)
    colours = colour_map(tables)
    ticks = []
    for i, (name, column) in enumerate(tables.items()):
        values = column.dropna().to_numpy(float)
        ticks.append(_tick(name, int(column.isna().sum()), len(column)))
        if values.size == 0:
            continue
        jitter = rng.uniform(-0.18, 0.18, values.size)
        ax.scatter(i + jitter, values, s=18, color=colours[name], alpha=0.6, linewidth=0)
        lo, median, hi = np.quantile(values, [0.05, 0.5, 0.95])
        ax.vlines(i + 0.3, lo, hi, color="black", linewidth=1.5)
        ax.hlines(median, i - 0.28, i + 0.34, color="black", linewidth=2.5)
    ax.set_xticks(range(len(tables)), ticks)
    ax.set_xlim(-0.6, len(tables) - 0.4)
    ax.set_xlabel("scenario")
    ax.set_ylabel(axis_label(outcome))
    ax.set_title(f"{pretty(outcome).capitalize()} by scenario (one point per run)")
    ax.legend(
        handles=[
            Line2D([], [], color="black", linewidth=2.5, label="median"),
            Line2D([], [], color="black", linewidth=1.5, label="5-95% of runs"),
        ],
        loc="best",
    )


def _shares(ax: Axes, tables: Mapping[str, pd.Series], outcome: str) -> None:
    flags = all(is_flag(c) or c.isna().all() for c in tables.values())
    if flags:
        levels = [True]
    else:
        seen = pd.concat([c.dropna().astype(str) for c in tables.values()])
        levels = sorted(set(seen))
    width = 0.8 / len(levels)
    ticks = []
    for i, (name, column) in enumerate(tables.items()):
        n, missing = len(column), int(column.isna().sum())
        ticks.append(_tick(name, missing, n))
        values = column.dropna() if flags else column.dropna().astype(str)
        for j, level in enumerate(levels):
            hits = int((values == level).sum())
            share = hits / n if n else np.nan
            lo, hi = wilson_interval(hits, n)
            colour = series_colour(i if flags else j)
            x = i + (j - (len(levels) - 1) / 2) * width
            label = None if flags or i else str(level)
            ax.bar(x, share, width * 0.9, color=colour, label=label)
            errors = [[max(0.0, share - lo)], [max(0.0, hi - share)]]
            ax.errorbar(x, share, errors, color="black", capsize=3)
    ax.set_xticks(range(len(tables)), ticks)
    ax.set_xlabel("scenario")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share of all runs (0-1)")
    if flags:
        ax.set_title(f"Share of runs with {pretty(outcome)} (95% Wilson intervals)")
    else:
        ax.set_title(f"{pretty(outcome).capitalize()}: share of runs (95% Wilson intervals)")
        ax.legend(title=pretty(outcome), loc="best")
