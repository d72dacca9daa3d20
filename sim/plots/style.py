"""Shared look of the figures: palette, figure factory, date axes, labels with declared units."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.outcomes import unit

OKABE_ITO = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#000000",  # black
)
"""The Okabe-Ito palette, safe for the common forms of colour blindness."""

SERIES_COLOURS = tuple(OKABE_ITO[i] for i in (4, 0, 2, 5, 6, 1, 7, 3))
"""Okabe-Ito in the order series take it: strong colours first, yellow (faint on white) last."""

SEQUENTIAL = "viridis"
"""Colormap of heatmaps and of colour-coded magnitudes."""

MUTED = "#BBBBBB"
"""Grey for backgrounds and reference marks."""


def series_colour(i: int) -> str:
    """The colour of the ``i``-th series (cycling through :data:`SERIES_COLOURS`)."""
    return SERIES_COLOURS[i % len(SERIES_COLOURS)]


def colour_map(keys: Iterable[Hashable]) -> dict[Hashable, str]:
    """A series colour for each key, in order of first appearance."""
    out: dict[Hashable, str] = {}
    for key in keys:
        if key not in out:
            out[key] = series_colour(len(out))
    return out


def colour_limits(values: Any, low: float | None = None) -> tuple[float, float]:
    """Limits of a colour scale: the data's range (from ``low`` if given), a unit span if flat.

    A flat field (all zero, say) gets ``[v, v + 1]`` rather than matplotlib's ``v +/- 0.1``.
    """
    data = np.asarray(values, dtype=float)
    data = data[np.isfinite(data)]
    if not data.size:
        return (0.0 if low is None else low), (1.0 if low is None else low + 1.0)
    vmin = float(data.min()) if low is None else low
    vmax = float(data.max())
    return vmin, (vmax if vmax > vmin else vmin + 1.0)


def new_figure(width: float = 8.0, height: float = 4.5) -> Figure:
    """A figure with constrained layout, independent of pyplot state and backends."""
    return Figure(figsize=(width, height), layout="constrained")


def to_datetimes(values: Any) -> pd.DatetimeIndex:
    """Dates (``datetime.date`` objects, strings or datetimes) as a DatetimeIndex."""
    return pd.DatetimeIndex(pd.to_datetime(pd.Series(values), errors="raise"))


def date_numbers(values: Any) -> np.ndarray:
    """Dates as Matplotlib date numbers (days), for bars and spans drawn in plain numbers."""
    return mdates.date2num(to_datetimes(values).to_pydatetime())


def format_date_axis(ax: Axes, label: str = "date") -> None:
    """Concise real-date ticks and a label on the x axis of ``ax``."""
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel(label)


def pretty(name: str) -> str:
    """A column or variable name as words: ``casualty_index`` -> ``casualty index``."""
    return name.replace("_", " ")


def axis_label(name: str) -> str:
    """Words and unit for an axis: ``troop_days`` -> ``troop days (troop-days)``."""
    u = unit(name)
    return f"{pretty(name)} ({u})" if u else pretty(name)


def parameter_label(path: str) -> str:
    """A varied parameter's dotted path in words, without the structural keys.

    ``actors.a.force.transport_days`` -> ``a force: transport (days)``;
    ``behaviour.provider.rungs.key_assets`` -> ``provider rungs: key assets``.
    """
    parts = [p for p in path.split(".") if p not in ("actors", "blocs", "treaties", "behaviour")]
    last, days = parts[-1], parts[-1].endswith("_days")
    words = pretty(last.removesuffix("_days")) + (" (days)" if days else "")
    if len(parts) > 1:
        words = f"{' '.join(pretty(p) for p in parts[:-1])}: {words}"
    return words


def require_columns(table: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise a ValueError naming the columns ``what`` lacks."""
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{what} lacks column(s) {missing}; it has {list(table.columns)}")


def hollow_marker(marker: str, size: float, label: str) -> Line2D:
    """A legend handle: an unfilled black marker (a record date, a chosen box)."""
    return Line2D(
        [],
        [],
        marker=marker,
        linestyle="",
        markerfacecolor="none",
        markeredgecolor="black",
        markersize=size,
        label=label,
    )
