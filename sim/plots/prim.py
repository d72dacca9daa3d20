"""A PRIM scenario-discovery result: the peeling trade-off and the chosen box's limits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from sim.plots.style import (
    MUTED,
    SEQUENTIAL,
    hollow_marker,
    new_figure,
    parameter_label,
    require_columns,
    series_colour,
)

TRAJECTORY_COLUMNS = ("step", "coverage", "density", "mass", "res_dim")
LIMITS_COLUMNS = ("parameter", "low", "high", "levels", "range_low", "range_high")


def _levels_text(levels: Any) -> str:
    """Kept levels as text: a string as it is, an iterable joined with commas."""
    if isinstance(levels, str):
        return levels
    if isinstance(levels, Iterable):
        return ", ".join(map(str, levels))
    return str(levels)


def _is_categorical(levels: Any) -> bool:
    """Whether a limits row restricts levels rather than a numeric range."""
    if isinstance(levels, str):
        return True
    if isinstance(levels, Iterable):
        return True
    return levels is not None and not pd.isna(levels)


def prim_plot(result: Any) -> Figure:
    """The peeling trajectory of a PRIM run and the limits of the chosen box.

    Left: coverage against density of every peeling step, coloured by the number of restricted
    parameters, the chosen step ringed and annotated. Right: for each restricted parameter,
    the box's range as a bar within the parameter's full sampled range scaled to [0, 1]
    (numbers at the bar ends), or, for a categorical parameter, the kept levels as text.

    Args:
        result: An object with ``trajectory`` (DataFrame: step, coverage, density, mass,
            res_dim), ``chosen`` (a step), ``limits`` (DataFrame: parameter, low, high, levels,
            range_low, range_high) and ``condition`` (text: the outcome condition searched).

    Returns:
        The figure: trade-off axes, limits axes, and the trade-off's colorbar axes.

    Raises:
        ValueError: A column is missing or the chosen step is not in the trajectory.
    """
    trajectory, limits = result.trajectory, result.limits
    require_columns(trajectory, TRAJECTORY_COLUMNS, "PRIM trajectory")
    require_columns(limits, LIMITS_COLUMNS, "PRIM limits")
    chosen = trajectory[trajectory["step"] == result.chosen]
    if chosen.empty:
        raise ValueError(f"chosen step {result.chosen} is not in the trajectory")
    fig = new_figure(12.0, max(4.5, 0.5 * len(limits) + 2.0))
    trade, box = fig.subplots(1, 2, width_ratios=[1, 1.1])
    dots = trade.scatter(
        trajectory["coverage"],
        trajectory["density"],
        c=trajectory["res_dim"],
        cmap=SEQUENTIAL,
        s=24,
        zorder=2,
    )
    bar = fig.colorbar(dots, ax=trade, label="restricted parameters (count)")
    bar.locator = MaxNLocator(integer=True)
    bar.update_ticks()
    row = chosen.iloc[0]
    trade.scatter(
        [row["coverage"]],
        [row["density"]],
        s=160,
        facecolor="none",
        edgecolor="black",
        linewidth=1.8,
        zorder=3,
    )
    trade.annotate(
        f"step {int(row['step'])}\ncoverage {row['coverage']:.2f}\ndensity {row['density']:.2f}",
        (row["coverage"], row["density"]),
        xytext=(12, -10),
        textcoords="offset points",
        va="top",
        fontsize=9,
    )
    trade.set_xlabel("coverage (share of cases of interest in the box, 0-1)")
    trade.set_ylabel("density (share of the box's runs that are cases, 0-1)")
    trade.set_title("Peeling trajectory")
    trade.grid(color="#EEEEEE")
    trade.legend(
        handles=[
            Line2D([], [], marker="o", linestyle="", color=series_colour(0), label="peeling step"),
            hollow_marker("o", 11, "chosen box"),
        ],
        loc="lower left",
    )
    _limits(box, limits, int(row["step"]))
    fig.suptitle(f"PRIM: where {result.condition}")
    return fig


def _limits(ax: Any, limits: pd.DataFrame, step: int) -> None:
    y = np.arange(len(limits))
    ax.barh(y, 1.0, 0.6, color=MUTED, alpha=0.5)
    colour = series_colour(0)
    for i, (_, r) in enumerate(limits.iterrows()):
        if _is_categorical(r["levels"]):
            ax.text(0.5, i, f"kept: {_levels_text(r['levels'])}", ha="center", va="center")
            continue
        span = r["range_high"] - r["range_low"]
        low = (r["low"] - r["range_low"]) / span if span else 0.0
        high = (r["high"] - r["range_low"]) / span if span else 1.0
        ax.barh(i, high - low, 0.6, left=low, color=colour)
        ax.text(low, i - 0.32, f"{r['low']:.3g}", ha="center", va="bottom", fontsize=8)
        ax.text(high, i - 0.32, f"{r['high']:.3g}", ha="center", va="bottom", fontsize=8)
    ax.set_yticks(y, [parameter_label(p) for p in limits["parameter"]])
    ax.set_ylim(len(limits) - 0.5, -0.8)
    ax.set_xlim(0, 1)
    ax.set_xlabel("position within the sampled range (0 = minimum, 1 = maximum)")
    ax.set_title(f"Limits of the box at step {step} (grey: full sampled range)")
