"""Experiments at scale: replications and parameter sweeps, serial, local or on Dask.

``load(DIR)`` returns an experiment's tables as pandas DataFrames for notebooks.
"""

from sim.experiments.store import load

__all__ = ["load"]
