"""Comparing scenarios: no difference with itself, intervals that cover a known difference."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from sim.cli import main
from sim.experiments.compare import compare, largest_differences
from sim.runner import run_seeds
from tests.conftest import HISTORICAL, ROOT


def _runs(historical, seeds) -> pd.DataFrame:
    return pd.DataFrame([{"seed": r.seed, **r.outcomes} for r in run_seeds(historical, seeds)])


def test_a_scenario_compared_with_itself_shows_no_difference(historical):
    runs = _runs(historical, range(30))
    table = compare({"a": runs, "b": runs.copy()}, "a")
    alt = table[(table.scenario == "b") & table["diff"].notna()]
    assert not alt.empty
    assert (alt["diff"] == 0).all() and (alt.diff_lo == 0).all() and (alt.diff_hi == 0).all()
    assert largest_differences(table, "a") == ["No outcome differs from a beyond its 95% interval."]


def _synthetic(rng, n=200):
    x = rng.normal(0, 1, n)
    base = pd.DataFrame({"seed": range(n), "y": x, "flag": rng.random(n) < 0.3})
    alt = pd.DataFrame({"seed": range(n), "y": x + 0.5 + rng.normal(0, 0.5, n)})
    alt["flag"] = rng.random(n) < 0.5
    return {"base": base, "alt": alt}


def test_intervals_cover_a_known_difference():
    """Over 100 synthetic experiments the 95% intervals cover the true differences ~95%."""
    hits_y = hits_flag = 0
    for k in range(100):
        table = compare(_synthetic(np.random.default_rng(k)), "base", n_boot=500, seed=k)
        y = table[(table.outcome == "y") & (table.scenario == "alt")].iloc[0]
        f = table[(table.outcome == "flag") & (table.scenario == "alt") & (table.value == "True")]
        hits_y += y.diff_lo <= 0.5 <= y.diff_hi
        hits_flag += f.diff_lo.iloc[0] <= 0.2 <= f.diff_hi.iloc[0]
    assert 88 <= hits_y <= 100 and 88 <= hits_flag <= 100


def test_a_known_difference_is_named_first():
    table = compare(_synthetic(np.random.default_rng(1)), "base")
    first = largest_differences(table, "base")[0]
    assert first.startswith("alt: y +0.")


def test_compare_command_json(capsys):
    moscow = ROOT / "scenarios" / "counterfactuals" / "moscow_hesitates.yaml"
    args = ["compare", str(HISTORICAL), str(moscow), "--seeds", "8", "--json"]
    assert main([*args, "--executor", "serial"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["base"] == "historical" and data["summary"]
    arrival = [
        r for r in data["table"] if r["outcome"] == "arrival_day" and r["scenario"] != "historical"
    ]
    assert arrival[0]["diff"] > 0
