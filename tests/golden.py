"""Digests of every shipped scenario's runs: outcomes, events and daily series, seed by seed.

A change meant to leave results alone (speed work) must leave these digests alone; a change
meant to move them rewrites the file and says why in its commit:

    .venv/bin/python -m tests.golden        # rewrite tests/golden_digests.json
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from sim.model import CrisisModel
from sim.outcomes import outcomes
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
FILE = ROOT / "tests" / "golden_digests.json"
SEEDS = range(1, 201)
NOT_SCENARIOS = ("sweeps", "calibrations", "records")


def shipped() -> list[str]:
    """Every scenario file under ``scenarios/`` (relative paths), the shared defaults aside."""
    root = ROOT / "scenarios"
    return sorted(
        str(p.relative_to(ROOT))
        for p in root.rglob("*.yaml")
        if p.name != "defaults.yaml" and not set(NOT_SCENARIOS) & set(p.relative_to(root).parts)
    )


def run_digest(model: CrisisModel) -> str:
    """The sha256 of a finished run's outcomes, events and series, floats at full precision."""
    record = {
        "outcomes": outcomes(model),
        "events": [
            [e.time, e.date, e.actor, e.action, e.target, e.terms, e.reason] for e in model.events
        ],
        "series": model.series,
    }
    text = json.dumps(record, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def scenario_digest(path: str) -> str:
    """One digest over the runs of ``path`` (relative to the repository) on ``SEEDS``."""
    scenario = load_scenario(ROOT / path)
    h = hashlib.sha256()
    for seed in SEEDS:
        h.update(run_digest(CrisisModel(scenario, rng=seed).run()).encode())
    return h.hexdigest()


def digests(paths: list[str]) -> dict[str, str]:
    """Digests of ``paths``, computed on two fresh processes."""
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        return dict(zip(paths, pool.map(scenario_digest, paths), strict=True))


if __name__ == "__main__":
    FILE.write_text(json.dumps(digests(shipped()), indent=2) + "\n")
    sys.stdout.write(f"wrote {FILE.relative_to(ROOT)}\n")
