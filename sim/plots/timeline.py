"""The replay timeline: when the model does what the record says happened, over many runs.

Beside the model, where given, the baselines' dates and the dates at good parameter sets.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.plots.style import (
    colour_map,
    date_numbers,
    format_date_axis,
    hollow_marker,
    new_figure,
    require_columns,
)
from sim.record import Record, Target

GREY = "#555555"
"""Colour of the legend's generic markers and of the baselines."""


def first_match_dates(events: pd.DataFrame, targets: Record | Iterable[Target]) -> pd.DataFrame:
    """Each run's first date matching each target, from an events table.

    A row matches a target on ``actor`` and ``action``, on ``target`` if the target names one,
    and on every item of the target's ``terms`` (read from the row's JSON ``terms``), as
    :meth:`Target.matches` does for events.

    Args:
        events: Events table (run_id, time, date, actor, action, target, terms, ...).
        targets: The record, or its targets.

    Returns:
        One row per run of ``events``, one column per target id: the date (Timestamp) of the
        first matching event, or NaT if none matched.
    """
    require_columns(events, ("run_id", "time", "date", "actor", "action"), "events")
    targets = list(getattr(targets, "targets", targets))
    runs = pd.Index(sorted(events["run_id"].unique()), name="run_id")
    out = pd.DataFrame(index=runs)
    for t in targets:
        rows = events[(events["actor"] == t.actor) & (events["action"] == t.action)]
        if t.target is not None:
            rows = rows[rows["target"] == t.target]
        if t.terms and not rows.empty:
            rows = rows[rows["terms"].map(lambda s, t=t: _has_terms(s, t.terms)).astype(bool)]
        first = rows.sort_values(["run_id", "date", "time"], kind="stable").groupby("run_id")
        out[t.id] = pd.to_datetime(first["date"].first()).reindex(runs)
    return out


def _has_terms(text: Any, wanted: dict[str, Any]) -> bool:
    terms = json.loads(text) if isinstance(text, str) and text else {}
    return all(k in terms and terms[k] == v for k, v in wanted.items())


def replay_timeline(events: pd.DataFrame, record: Record | Iterable[Target]) -> Figure:
    """Model dates against record dates, one row per replay target, coloured by actor.

    For each target: the median over runs of its first model date (the lower middle with an
    even count, as in the replay score) with a bar over the 5-95% range of runs, and the
    record's date as a hollow diamond. Targets the model never reached show only the record
    marker and say "never" in their label.

    Args:
        events: Events table of one or more runs.
        record: The dated record (``sim.record.load_record()``), or its targets.

    Returns:
        The figure: one axes, dates on x, targets on y (record order within each actor).
    """
    targets = list(getattr(record, "targets", record))
    if not targets:
        raise ValueError("the record has no replay targets")
    return replay_band(targets, first_match_dates(events, targets))


BASELINE_MARKERS = ("X", "P", "*")
"""Markers of the baselines' medians, in the order given."""

FITS = "#222222"
"""Colour of the good fits' band."""


def replay_band(
    record: Record | Iterable[Target],
    model: pd.DataFrame,
    baselines: Mapping[str, pd.DataFrame] | None = None,
    fits: pd.DataFrame | None = None,
    fits_label: str = "runs at good parameter sets",
) -> Figure:
    """Each replay target's dates over runs against its record date; baselines and fits beside.

    The model as in ``replay_timeline``: median dot, 5-95% bar, the record's date a hollow
    diamond. Each baseline's median date is a grey marker just above the target's row where it
    reaches the target (a baseline that reaches none is named so in the legend); ``fits`` (runs
    at good parameter sets, pooled) is a thin dark bar over its 5-95% range just below the
    model's, with a square at its median.

    Args:
        record: The dated record, or its targets.
        model: First dates per run (rows) and target id (columns), NaT where a run never
            matches (``first_match_dates``, ``sim.experiments.replaydates.first_dates``).
        baselines: Name -> such a table for each baseline.
        fits: Such a table of the runs at good parameter sets.
        fits_label: What the fits are, for the title.

    Returns:
        The figure: one axes, dates on x, targets on y (record order within each actor).
    """
    targets = list(getattr(record, "targets", record))
    if not targets:
        raise ValueError("the record has no replay targets")
    baselines = dict(baselines or {})
    if len(baselines) > len(BASELINE_MARKERS):
        raise ValueError(f"at most {len(BASELINE_MARKERS)} baselines, not {len(baselines)}")
    for name, table in {
        "model": model,
        **baselines,
        **({"fits": fits} if fits is not None else {}),
    }.items():
        missing = [t.id for t in targets if t.id not in table.columns]
        if missing:
            raise ValueError(f"{name} dates lack the targets {', '.join(missing)}")
    n_runs = len(model)
    actors = colour_map(t.actor for t in targets)
    order = sorted(range(len(targets)), key=lambda i: (list(actors).index(targets[i].actor), i))
    fig = new_figure(9.0, 0.32 * len(targets) + 1.8 + 0.1 * len(targets) * (fits is not None))
    ax = fig.subplots()
    labels = []
    for y, i in enumerate(order):
        t = targets[i]
        colour = actors[t.actor]
        spread = _spread(model[t.id])
        if spread is None:
            labels.append(f"{t.id} (never in model)")
        else:
            lo, median, hi = spread
            ax.hlines(y, lo - 0.2, hi + 0.2, colors=colour, linewidth=7, alpha=0.35)
            ax.plot([median], [y], "o", color=colour, markersize=7, zorder=3)
            share = model[t.id].notna().mean()
            labels.append(t.id if share == 1 else f"{t.id} (in {share:.0%} of runs)")
        if fits is not None and (spread := _spread(fits[t.id])) is not None:
            lo, median, hi = spread
            ax.hlines(y + 0.3, lo - 0.2, hi + 0.2, colors=FITS, linewidth=2.5, gid="fits")
            ax.plot([median], [y + 0.3], "s", color=FITS, markersize=4, zorder=3, gid="fits")
        for name, marker in zip(baselines, BASELINE_MARKERS, strict=False):  # checked above
            if (spread := _spread(baselines[name][t.id])) is not None:
                ax.plot([spread[1]], [y - 0.3], marker, color=GREY, markersize=6,
                        zorder=2, gid=f"baseline {name}")  # fmt: skip
    record_x = date_numbers([targets[i].record_date for i in order])
    ax.scatter(
        record_x,
        np.arange(len(order)),
        marker="D",
        s=110,
        facecolor="none",
        edgecolor="black",
        linewidth=1.4,
        zorder=4,
        label="record date",
    )
    ax.set_yticks(np.arange(len(order)), labels)
    for tick, i in zip(ax.get_yticklabels(), order, strict=True):
        tick.set_color(actors[targets[i].actor])
    ax.set_ylim(len(order) - 0.5 + 0.3 * (fits is not None), -0.5 - 0.3 * bool(baselines))
    ax.set_ylabel("replay target (coloured by actor)")
    format_date_axis(ax, "date (model: first event of each run)")
    ax.grid(axis="x", color="#EEEEEE")
    title = f"Replay against the record\nfirst model dates over {n_runs} run(s)"
    if fits is not None:
        title += "\n" + textwrap.fill(f"good fits: {fits_label}; {len(fits)} run(s)", 45)
    ax.set_title(title)
    kinds = [
        Line2D([], [], color=GREY, marker="o", linestyle="", label="model median"),
        Line2D([], [], color=GREY, linewidth=7, alpha=0.35, label="model 5-95% of runs"),
        hollow_marker("D", 9, "record date"),
    ]
    if fits is not None:
        what = "median, 5-95%" if fits[[t.id for t in targets]].notna().any().any() else "no target"
        kinds.append(Line2D([], [], color=FITS, linewidth=2.5, marker="s", markersize=4,
                            label=f"good fits: {what}"))  # fmt: skip
    for name, marker in zip(baselines, BASELINE_MARKERS, strict=False):  # checked above
        reaches = baselines[name][[t.id for t in targets]].notna().any().any()
        kinds.append(
            Line2D([], [], color=GREY, marker=marker, linestyle="",
                   label=f"baseline {name}: median" if reaches else f"baseline {name}: no target")
        )  # fmt: skip
    who = [Line2D([], [], color=c, linewidth=7, label=a) for a, c in actors.items()]
    fig.legend(handles=kinds, loc="outside right upper", title="dates")
    fig.legend(handles=who, loc="outside right lower", title="actor")
    return fig


def _spread(dates: pd.Series) -> tuple[float, float, float] | None:
    """5%, median (the lower middle, as in the replay score) and 95% of the dates, as numbers."""
    dates = dates.dropna()
    if dates.empty:
        return None
    x = date_numbers(dates)
    lo, hi = np.quantile(x, [0.05, 0.95])
    return float(lo), float(np.quantile(x, 0.5, method="lower")), float(hi)
