"""Shared fixtures: the shipped scenarios and cached runs of the historical one."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.runner import RunResult, run_seeds
from sim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]
HISTORICAL = ROOT / "scenarios" / "historical.yaml"
KZ2022_RECORD = ROOT / "scenarios" / "crises" / "records" / "kz2022.yaml"
SWEEPS = sorted((ROOT / "scenarios" / "sweeps").glob("*.yaml"))
CALIBRATIONS = sorted((ROOT / "scenarios" / "calibrations").glob("*.yaml"))
RECORDS = sorted((ROOT / "scenarios" / "crises" / "records").glob("*.yaml"))
DEFAULTS = ROOT / "scenarios" / "defaults.yaml"
SHIPPED = sorted(
    p
    for p in (ROOT / "scenarios").rglob("*.yaml")
    if p not in [*SWEEPS, *CALIBRATIONS, *RECORDS, DEFAULTS]
)
CRISES = sorted((ROOT / "scenarios" / "crises").glob("*.yaml"))


@pytest.fixture(scope="session")
def historical() -> Scenario:
    return load_scenario(HISTORICAL)


@pytest.fixture(scope="session")
def historical_runs(historical: Scenario) -> list[RunResult]:
    return run_seeds(historical, range(40))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell a failed test."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report
