"""The unrest of one run: a region-by-date heatmap, emergency rule, and the foreign force."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.plots.style import (
    SEQUENTIAL,
    axis_label,
    colour_limits,
    date_numbers,
    format_date_axis,
    new_figure,
    pretty,
    require_columns,
    series_colour,
)


def _grid(rows: pd.DataFrame, variable: str) -> pd.DataFrame:
    """One variable as a region x date table, regions in the order the series lists them."""
    part = rows[rows["variable"] == variable]
    grid = part.pivot_table(index="entity", columns="date", values="value", aggfunc="first")
    return grid.reindex(pd.unique(part["entity"]))


def unrest_heatmap(
    series: pd.DataFrame,
    run_id: int | None = None,
    variable: str = "violence",
    names: Mapping[str, str] | None = None,
) -> Figure:
    """A region x date heatmap of one unrest variable in one run, with the foreign force below.

    Dots mark the cells where emergency rule is in force. The lower panel, on the same date
    axis, shows the foreign troops present (entity ``all``), so arrival and withdrawal line up
    with the unrest above.

    Args:
        series: Series table (run_id, day, date, entity, variable, value).
        run_id: The run to show; by default the first run of the table.
        variable: A per-region variable: ``violence``, ``protest`` or ``emergency``.
        names: Display names by region id (e.g. ``{k: r.name for k, r in sc.regions.items()}``).

    Returns:
        The figure: heatmap axes, its colorbar axes, troops axes (shared x).

    Raises:
        ValueError: The run, the variable, or the foreign troops series is not in the table.
    """
    require_columns(series, ("run_id", "date", "entity", "variable", "value"), "series")
    if run_id is None:
        run_id = int(series["run_id"].min())
    rows = series[series["run_id"] == run_id]
    if rows.empty:
        raise ValueError(f"run {run_id} is not in the series table")
    for needed in (variable, "foreign_troops"):
        if needed not in set(rows["variable"]):
            known = sorted(set(rows["variable"]))
            raise ValueError(f"no {needed!r} series in run {run_id}; there are {known}")
    grid = _grid(rows, variable)
    troops = rows[(rows["variable"] == "foreign_troops") & (rows["entity"] == "all")]
    troops = troops.set_index("date")["value"].reindex(grid.columns)
    x = date_numbers(grid.columns)
    labels = [(names or {}).get(r, r) for r in grid.index]

    fig = new_figure(9.0, 0.26 * len(grid) + 3.2)
    axes = fig.subplots(
        2, 2, sharex="col", gridspec_kw={"width_ratios": [40, 1], "height_ratios": [4, 1]}
    )
    heat, cbar_ax, force = axes[0, 0], axes[0, 1], axes[1, 0]
    axes[1, 1].remove()
    values = grid.to_numpy(dtype=float)
    vmin, vmax = colour_limits(values, low=0.0)
    image = heat.imshow(
        values,
        aspect="auto",
        interpolation="nearest",
        cmap=SEQUENTIAL,
        vmin=vmin,
        vmax=vmax,
        extent=(x[0] - 0.5, x[-1] + 0.5, len(grid) - 0.5, -0.5),
    )
    fig.colorbar(image, cax=cbar_ax, label=axis_label(variable))
    heat.set_yticks(np.arange(len(grid)), labels)
    heat.set_ylabel("region")
    heat.set_title(f"{pretty(variable).capitalize()} by region and emergency rule, run {run_id}")
    handles = []
    if variable != "emergency" and "emergency" in set(rows["variable"]):
        on = _grid(rows, "emergency").reindex(index=grid.index, columns=grid.columns)
        r, c = np.nonzero(on.to_numpy(dtype=float) > 0.5)
        heat.scatter(x[c], r, s=9, c="white", edgecolors="black", linewidths=0.4, zorder=3)
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markerfacecolor="white",
                markeredgecolor="black",
                label="emergency rule in force",
            )
        )
    colour = series_colour(0)
    force.fill_between(x, troops.to_numpy(dtype=float), step="mid", color=colour, alpha=0.35)
    force.step(x, troops.to_numpy(dtype=float), where="mid", color=colour)
    handles.append(Line2D([], [], color=colour, label="foreign troops present (all)"))
    force.set_title("Foreign troops present", loc="left", fontsize="medium")
    force.set_ylabel(axis_label("foreign_troops"))
    force.set_ylim(bottom=0)
    force.set_xlim(x[0] - 0.5, x[-1] + 0.5)
    format_date_axis(force)
    heat.tick_params(labelbottom=False)
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles))
    return fig
