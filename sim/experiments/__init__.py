"""Experiments at scale: replications and parameter sweeps, serial, local or on Dask.

``load(DIR)`` returns an experiment's tables as pandas DataFrames for notebooks.
"""

from __future__ import annotations

from typing import Any

__all__ = ["load"]


def __getattr__(name: str) -> Any:
    # ``load`` is imported on first use, so that ``sim.experiments.spec`` and the command's
    # start-up do not pay for pandas and pyarrow.
    if name == "load":
        from sim.experiments.store import load

        return load
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
