"""Global sensitivity indices of one outcome: Sobol bars, Morris bars and mu*-sigma plane."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.outcomes import unit
from sim.plots.style import (
    MUTED,
    new_figure,
    parameter_label,
    pretty,
    require_columns,
    series_colour,
)

SOBOL_COLUMNS = ("parameter", "S1", "S1_conf", "ST", "ST_conf")
MORRIS_COLUMNS = ("parameter", "mu", "mu_star", "mu_star_conf", "sigma")


def sensitivity_bars(indices: pd.DataFrame, method: str, outcome: str) -> Figure:
    """Sensitivity indices of one outcome per parameter.

    ``sobol``: first-order (S1) and total (ST) indices as grouped horizontal bars with their
    confidence intervals, the most influential parameter (largest ST) on top. ``morris``:
    μ* with its confidence interval as bars, and a second panel placing each parameter in the
    μ*-σ plane (σ above the line σ = μ* means interactions or non-linearity).

    Args:
        indices: One row per parameter; columns ``parameter, S1, S1_conf, ST, ST_conf``
            (sobol) or ``parameter, mu, mu_star, mu_star_conf, sigma`` (morris).
        method: ``sobol`` or ``morris``.
        outcome: The outcome the indices are about (for titles and units).

    Returns:
        The figure: one axes (sobol) or two (morris).

    Raises:
        ValueError: Unknown method, or a column is missing.
    """
    if method == "sobol":
        return _sobol(indices, outcome)
    if method == "morris":
        return _morris(indices, outcome)
    raise ValueError(f"unknown method {method!r}; use 'sobol' or 'morris'")


def _sobol(indices: pd.DataFrame, outcome: str) -> Figure:
    require_columns(indices, SOBOL_COLUMNS, "Sobol indices")
    table = indices.sort_values("ST", ascending=True, kind="stable")
    y = np.arange(len(table))
    fig = new_figure(8.0, 0.45 * len(table) + 1.8)
    ax = fig.subplots()
    height = 0.38
    for k, (name, label) in enumerate((("S1", "first order S1"), ("ST", "total ST"))):
        offset = (k - 0.5) * height
        ax.barh(
            y - offset,
            table[name],
            height,
            xerr=table[f"{name}_conf"],
            color=series_colour(k),
            error_kw={"ecolor": "black", "capsize": 3},
            label=label,
        )
    ax.set_yticks(y, [parameter_label(p) for p in table["parameter"]])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("Sobol index (share of output variance, 0-1)")
    ax.set_ylabel("parameter")
    ax.set_title(f"Sobol indices of {pretty(outcome)} (bars: 95% confidence)")
    ax.grid(axis="x", color="#EEEEEE")
    ax.set_axisbelow(True)
    ax.legend(loc="lower right")
    return fig


def _morris(indices: pd.DataFrame, outcome: str) -> Figure:
    require_columns(indices, MORRIS_COLUMNS, "Morris indices")
    table = indices.sort_values("mu_star", ascending=True, kind="stable")
    names = [parameter_label(p) for p in table["parameter"]]
    effect = f", {unit(outcome)}" if unit(outcome) else ""
    fig = new_figure(11.0, 0.45 * len(table) + 2.2)
    bars, plane = fig.subplots(1, 2, width_ratios=[1, 1])
    y = np.arange(len(table))
    bars.barh(
        y,
        table["mu_star"],
        0.6,
        xerr=table["mu_star_conf"],
        color=series_colour(0),
        error_kw={"ecolor": "black", "capsize": 3},
    )
    bars.set_yticks(y, names)
    bars.set_xlabel(f"μ* (mean |elementary effect|{effect})")
    bars.set_ylabel("parameter")
    bars.set_title("Mean absolute effect, with 95% confidence")
    bars.grid(axis="x", color="#EEEEEE")
    bars.set_axisbelow(True)

    plane.scatter(table["mu_star"], table["sigma"], s=36, color=series_colour(1), zorder=3)
    for name, mx, sx in zip(names, table["mu_star"], table["sigma"], strict=True):
        plane.annotate(name, (mx, sx), xytext=(4, 4), textcoords="offset points", fontsize=8)
    top = float(np.nanmax([table["mu_star"].max(), table["sigma"].max(), 0.0])) * 1.1 or 1.0
    plane.plot([0, top], [0, top], "--", color=MUTED, zorder=1)
    plane.set_xlim(0, top)
    plane.set_ylim(0, top)
    plane.set_xlabel(f"μ* (mean |elementary effect|{effect})")
    plane.set_ylabel(f"σ (sd of elementary effects{effect})")
    plane.set_title("Effect against its spread")
    plane.legend(
        handles=[
            Line2D([], [], marker="o", linestyle="", color=series_colour(1), label="parameter"),
            Line2D([], [], linestyle="--", color=MUTED, label="σ = μ*"),
        ],
        loc="upper left",
    )
    fig.suptitle(f"Morris screening of {pretty(outcome)}")
    return fig
