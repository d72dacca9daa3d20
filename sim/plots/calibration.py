"""Figures of a calibration: its loss history, and which targets each parameter moves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from sim.plots.style import MUTED, SEQUENTIAL, new_figure, series_colour


def loss_history(report: Mapping[str, Any]) -> Figure:
    """Each trial's loss and the best so far, from a calibration report (``Report.to_dict()``).

    The start values (the first trial) are the hollow marker; failed trials are left out.
    """
    history = report["history"]
    if not history:
        raise ValueError("the report has no scored trial")
    trials = [h["trial"] for h in history]
    fig = new_figure(7.5, 3.6)
    ax = fig.subplots()
    ax.plot(trials, [h["loss"] for h in history], "o", color=MUTED, markersize=4, label="trial")
    ax.step(
        trials,
        [h["best"] for h in history],
        where="post",
        color=series_colour(0),
        label="best so far",
    )
    start = history[0]
    if start["trial"] == 0:  # the start values were scored (else they failed)
        ax.plot(
            [0], [start["loss"]], "o", mfc="none", mec=series_colour(1), markersize=9,
            label="start values",
        )  # fmt: skip
    ax.set_xlabel("trial")
    ax.set_ylabel("loss (lower is better)")
    ax.set_title(
        f"calibration {report['name']}: best {report['loss']['best']:.3f} "
        f"at trial {report['best_trial']}"
    )
    ax.legend(frameon=False, fontsize=8)
    return fig


def identification_matrix(
    parameters: Sequence[Mapping[str, Any]], targets: Sequence[str]
) -> Figure:
    """Which targets each parameter moves, from ``sim identify --json``'s ``parameters``.

    One row per parameter, one column per target; a filled cell where stepping the parameter
    moved the target's date. Rows that move one target (pinned) and none (unconstrained) are
    named so in their labels.
    """
    if not parameters or not targets:
        raise ValueError("no parameters or no targets to show")
    cells = np.array([[t in p["moves"] for t in targets] for p in parameters], dtype=float)
    fig = new_figure(0.35 * len(targets) + 4.0, 0.28 * len(parameters) + 1.8)
    ax = fig.subplots()
    ax.imshow(cells, cmap=SEQUENTIAL, vmin=0, vmax=1.4, aspect="auto")
    ax.set_xticks(range(len(targets)), targets, rotation=70, ha="right", fontsize=7)
    labels = []
    for p in parameters:
        n = len(p["moves"])
        tag = " (pinned)" if n == 1 else " (unconstrained)" if n == 0 else ""
        labels.append(p["path"].removeprefix("behaviour.") + tag)
    ax.set_yticks(range(len(parameters)), labels, fontsize=7)
    ax.set_title("targets each parameter moves (one-at-a-time steps)")
    return fig
