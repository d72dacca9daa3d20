"""The runs of an experiment: identities, seeds, chunks, and the scenario each run uses."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel

from sim.scenario import Scenario


@dataclass(frozen=True, slots=True)
class RunSpec:
    """One run: its id, the design row it comes from, its replication, seed and values."""

    run_id: int
    sample_id: int
    replication: int
    seed: int
    values: tuple


def run_seed(master: int, replication: int) -> int:
    """The seed of replication ``replication`` under the master seed.

    Every design row uses the same seed for the same replication (common random numbers), so
    differences between rows come from the parameters, not from the noise.
    """
    state = np.random.SeedSequence(master, spawn_key=(replication,)).generate_state(1, np.uint32)
    return int(state[0])


def plan_runs(rows: Sequence[tuple], seeds: Sequence[int]) -> Iterator[RunSpec]:
    """Every (row, replication) pair as a run, numbered row-major from 0.

    Replication ``r`` of every row runs with ``seeds[r]``.
    """
    n = len(seeds)
    for sample_id, values in enumerate(rows):
        for rep, seed in enumerate(seeds):
            yield RunSpec(sample_id * n + rep, sample_id, rep, seed, values)


def chunked(runs: Iterable[RunSpec], size: int) -> Iterator[list[RunSpec]]:
    """Consecutive runs in lists of at most ``size``."""
    chunk: list[RunSpec] = []
    for run in runs:
        chunk.append(run)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def with_values(base: Scenario, keys: Sequence[tuple[str, ...]], values: Sequence[Any]) -> Scenario:
    """``base`` with the value at each key path replaced (copies only the changed branches).

    Values are not validated here: a sweep's bounds and levels are checked against the
    scenario format once, when the sweep file is loaded.
    """
    out = base
    for key, value in zip(keys, values, strict=True):
        out = _replace(out, key, value)
    return out


def _replace(node: Any, key: tuple[str, ...], value: Any) -> Any:
    if not key:
        return value
    head, rest = key[0], key[1:]
    if isinstance(node, BaseModel):
        return node.model_copy(update={head: _replace(getattr(node, head), rest, value)})
    return {**node, head: _replace(node[head], rest, value)}
