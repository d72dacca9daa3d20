"""Figures of experiment results, drawn from the result tables, never from a live model.

Each function takes the tables written by ``sim.experiments`` (``load(DIR)`` gives them as
pandas DataFrames) and returns a :class:`matplotlib.figure.Figure`, built without pyplot so
that it works with any backend: save it with ``fig.savefig(...)`` or show it in a notebook.

=========================== ==========================================================
``replay_timeline``         model dates of the replay targets against the record
``replay_band``             the same from first dates, with baselines and good fits beside
``unrest_heatmap``          one run's unrest by region and date, emergency rule, troops
``fan_chart``               a daily series over runs: median and 50% / 90% bands
``compare_outcomes``        one outcome's distribution or shares across scenarios
``sweep_response``          an outcome against one or two varied parameters
``sensitivity_bars``        Sobol or Morris indices of one outcome
``prim_plot``               a PRIM result: peeling trade-off and the chosen box
``loss_history``            a calibration's loss per trial and the best so far
``identification_matrix``   which targets each free parameter moves
=========================== ==========================================================
"""

from sim.plots.calibration import identification_matrix, loss_history
from sim.plots.comparison import compare_outcomes
from sim.plots.fans import fan_chart, run_quantiles
from sim.plots.heatmap import unrest_heatmap
from sim.plots.prim import prim_plot
from sim.plots.sensitivity import sensitivity_bars
from sim.plots.style import OKABE_ITO, SEQUENTIAL
from sim.plots.sweeps import sweep_response
from sim.plots.timeline import first_match_dates, replay_band, replay_timeline

__all__ = [
    "OKABE_ITO",
    "SEQUENTIAL",
    "compare_outcomes",
    "fan_chart",
    "first_match_dates",
    "identification_matrix",
    "loss_history",
    "prim_plot",
    "replay_band",
    "replay_timeline",
    "run_quantiles",
    "sensitivity_bars",
    "sweep_response",
    "unrest_heatmap",
]
