"""What the local executor's fork server imports before it forks a worker.

The worker's modules, with the libraries that Mesa's package imports and a run never uses
(pandas, SciPy and NetworkX, through Mesa's spaces and data collection) deferred to their first
use (``sim.deferred_imports``): a worker that keeps events or series loads pandas then. It halves
the time before the server can fork its first worker.
"""

from sim.deferred_imports import deferred

NOT_NEEDED_BY_RUNS = (
    "pandas",
    "scipy",
    "networkx",
    "mesa.discrete_space",
    "mesa.space",
    "mesa.experimental.continuous_space",
)
"""Packages whose code a run does not need."""

with deferred(NOT_NEEDED_BY_RUNS):
    import sim.experiments.worker  # noqa: F401
