"""Fan charts: a daily series over runs, median and bands, for one or more scenarios."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.plots.style import (
    axis_label,
    colour_map,
    format_date_axis,
    new_figure,
    pretty,
    require_columns,
    to_datetimes,
)

BANDS = ((0.05, 0.95, 0.18), (0.25, 0.75, 0.38))
"""(low quantile, high quantile, opacity) of the shaded bands: 90% and 50% of runs."""


def default_entity(series: pd.DataFrame, variable: str) -> str:
    """The entity a fan shows when none is named: ``all``, or the variable's only entity.

    Raises:
        ValueError: The variable has several entities and none is ``all`` (they are listed).
    """
    entities = sorted(set(series.loc[series["variable"] == variable, "entity"]))
    if "all" in entities or not entities:
        return "all"
    if len(entities) == 1:
        return entities[0]
    raise ValueError(f"{variable!r} has several entities; choose one with --entity: {entities}")


def run_quantiles(series: pd.DataFrame, variable: str, entity: str | None = None) -> pd.DataFrame:
    """Quantiles over runs, by date, of one variable of one entity (see :func:`default_entity`).

    Returns:
        One row per date (a DatetimeIndex), columns 0.05, 0.25, 0.5, 0.75, 0.95 and ``n`` (runs).

    Raises:
        ValueError: The table has no such variable, or no such entity for it.
    """
    require_columns(series, ("run_id", "date", "entity", "variable", "value"), "series")
    rows = series[series["variable"] == variable]
    if rows.empty:
        known = sorted(set(series["variable"]))
        raise ValueError(f"no variable {variable!r} in the series; there are {known}")
    entity = entity or default_entity(series, variable)
    picked = rows[rows["entity"] == entity]
    if picked.empty:
        known = sorted(set(rows["entity"]))
        raise ValueError(f"no entity {entity!r} for {variable!r}; there are {known}")
    wide = picked.pivot_table(index="date", columns="run_id", values="value", aggfunc="first")
    wide.index = to_datetimes(wide.index)
    qs = [0.05, 0.25, 0.5, 0.75, 0.95]
    out = pd.DataFrame(np.nanquantile(wide.to_numpy(float), qs, axis=1).T, wide.index, qs)
    out["n"] = wide.notna().sum(axis=1)
    return out


def fan_chart(
    series_by_scenario: Mapping[str, pd.DataFrame],
    variable: str = "foreign_troops",
    entity: str | None = None,
) -> Figure:
    """Median over runs and 50% / 90% bands of a daily series, one fan per scenario.

    Args:
        series_by_scenario: Series tables by scenario name (legend order).
        variable: Series variable, e.g. ``foreign_troops``, ``domestic_pressure``.
        entity: Its entity (``all`` for the total foreign force, a region, an actor ...); by
            default ``all`` or the variable's only entity.

    Returns:
        The figure: one axes, dates on x; per scenario one median line and two bands.

    Raises:
        ValueError: No scenarios, or a scenario lacks the variable or entity.
    """
    if not series_by_scenario:
        raise ValueError("fan_chart needs at least one scenario")
    fans = {}
    for name, table in series_by_scenario.items():
        try:
            fans[name] = run_quantiles(table, variable, entity)
        except ValueError as err:
            raise ValueError(f"{name}: {err}") from None
    entity = entity or default_entity(next(iter(series_by_scenario.values())), variable)
    colours = colour_map(fans)
    fig = new_figure(8.5, 4.5)
    ax = fig.subplots()
    for name, q in fans.items():
        x = q.index.to_pydatetime()
        for lo, hi, alpha in BANDS:
            ax.fill_between(x, q[lo], q[hi], color=colours[name], alpha=alpha, linewidth=0)
        ax.plot(x, q[0.5], color=colours[name], linewidth=2, label=name)
    ax.set_ylabel(axis_label(variable))
    what = pretty(variable) + ("" if entity == "all" else f" ({pretty(entity)})")
    ax.set_title(f"{what.capitalize()}: median over runs, shaded 50% and 90% of runs")
    format_date_axis(ax)
    ax.grid(color="#EEEEEE")
    ax.legend(title="scenario")
    return fig
