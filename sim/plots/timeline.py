"""The replay timeline: when the model does what the record says happened, over many runs."""

from __future__ import annotations

import json
from collections.abc import Iterable
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
    firsts = first_match_dates(events, targets)
    n_runs = len(firsts)
    actors = colour_map(t.actor for t in targets)
    order = sorted(range(len(targets)), key=lambda i: (list(actors).index(targets[i].actor), i))
    fig = new_figure(9.0, 0.32 * len(targets) + 1.8)
    ax = fig.subplots()
    labels = []
    for y, i in enumerate(order):
        t = targets[i]
        dates = firsts[t.id].dropna()
        colour = actors[t.actor]
        if dates.empty:
            labels.append(f"{t.id} (never in model)")
            continue
        x = date_numbers(dates)
        lo, hi = np.quantile(x, [0.05, 0.95])
        median = np.quantile(x, 0.5, method="lower")
        ax.hlines(y, lo - 0.2, hi + 0.2, colors=colour, linewidth=7, alpha=0.35)
        ax.plot([median], [y], "o", color=colour, markersize=7, zorder=3)
        share = len(dates) / n_runs
        labels.append(t.id if share == 1 else f"{t.id} (in {share:.0%} of runs)")
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
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_ylabel("replay target (coloured by actor)")
    format_date_axis(ax, "date (model: first event of each run)")
    ax.grid(axis="x", color="#EEEEEE")
    ax.set_title(f"Replay against the record\nfirst model dates over {n_runs} run(s)")
    grey = "#555555"
    kinds = [
        Line2D([], [], color=grey, marker="o", linestyle="", label="model median"),
        Line2D([], [], color=grey, linewidth=7, alpha=0.35, label="model 5-95% of runs"),
        hollow_marker("D", 9, "record date"),
    ]
    who = [Line2D([], [], color=c, linewidth=7, label=a) for a, c in actors.items()]
    fig.legend(handles=kinds, loc="outside right upper", title="dates")
    fig.legend(handles=who, loc="outside right lower", title="actor")
    return fig
