"""Comparing scenarios: no difference with itself, intervals that cover a known difference,
failed runs left out and counted, results stored whatever the runs hold, nowhere else."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim.experiments.compare as compare_module
import sim.experiments.worker as worker
from sim.cli import main
from sim.experiments import load
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
    help_ = [
        r for r in data["table"] if r["outcome"] == "troop_days" and r["scenario"] != "historical"
    ]
    assert help_[0]["diff"] < 0  # a burdened Moscow sends less


# ---------------------------------------------------------------- failed runs and mixed outcomes
class Flaky(worker.CrisisModel):
    """A model whose odd seeds fail (every seed, with ``ALL``)."""

    ALL = False

    def __init__(self, scenario, rng=None):
        super().__init__(scenario, rng=rng)
        self.given_seed = rng

    def run(self):
        if self.ALL or self.given_seed % 2:
            raise RuntimeError("boom")
        return super().run()


@pytest.fixture
def flaky(monkeypatch):
    monkeypatch.setattr(worker, "CrisisModel", Flaky)
    return Flaky


def test_failed_runs_are_counted_and_left_out_of_the_summary(flaky, capsys):
    assert main(["run", str(HISTORICAL), "--seeds", "4", "--executor", "serial"]) == 1
    out = capsys.readouterr().out
    assert "historical: 2 of 4 runs failed and are left out; first error: RuntimeError: boom" in out
    assert "request_to                       csto: 100%" in out  # of the 2 finished, not 4


def test_a_summary_of_only_failed_runs_shows_no_outcome(flaky, capsys):
    flaky.ALL = True
    try:
        assert main(["run", str(HISTORICAL), "--seeds", "3", "--executor", "serial"]) == 1
    finally:
        flaky.ALL = False
    out = capsys.readouterr().out
    assert "3 of 3 runs failed" in out and "no run finished" in out
    assert "never" not in out and "none:" not in out


def test_compare_with_failed_runs_says_so_and_exits_1(flaky, capsys):
    moscow = ROOT / "scenarios" / "counterfactuals" / "moscow_hesitates.yaml"
    args = ["compare", str(HISTORICAL), str(moscow), "--seeds", "6", "--executor", "serial"]
    assert main([*args, "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["failed"]["historical"] == {"runs": 3, "first_error": "RuntimeError: boom"}
    arrival = next(
        r for r in data["table"] if r["outcome"] == "arrival_day" and r["scenario"] == "historical"
    )
    assert arrival["n"] == 3


def test_a_comparison_stores_runs_that_differ_in_kind(tmp_path, capsys):
    smaller = tmp_path / "smaller.yaml"
    smaller.write_text(f"extends: {HISTORICAL}\nname: smaller\nshock:\n  magnitude: 0.33\n")
    out = tmp_path / "cmp"
    args = ["compare", str(HISTORICAL), str(smaller), "--seeds", "30", "--out", str(out)]
    assert main([*args, "--executor", "serial"]) == 0
    runs = load(out / "smaller")["runs"]
    asked = runs.request_day.notna()
    assert asked.any() and (~asked).any(), "the shock should leave some runs without a request"
    assert runs.loc[~asked, "choice_margin"].isna().all()
    assert runs.loc[asked, "request_to"].notna().all()


def test_a_single_scenario_is_not_bootstrapped(historical, monkeypatch):
    runs = _runs(historical, range(10))

    class NoDraws:
        def integers(self, *a, **k):
            raise AssertionError("a scenario alone needs no resampling")

    monkeypatch.setattr(compare_module.np.random, "default_rng", lambda seed: NoDraws())
    table = compare({"a": runs}, "a")
    assert table["diff"].isna().all() and (table.n == 10).any()


# ---------------------------------------------------------------- where results go
def _twins(tmp_path: Path) -> list[Path]:
    files = []
    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
        path = tmp_path / folder / "child.yaml"
        path.write_text(f"extends: {HISTORICAL}\nbehaviour:\n  unrest:\n    noise: 0.2\n")
        files.append(path)
    return files


def test_compare_writes_nothing_beside_the_scenarios(tmp_path, capsys):
    files = _twins(tmp_path)
    before = sorted(p for p in tmp_path.rglob("*"))
    args = ["compare", str(HISTORICAL), *map(str, files), "--seeds", "3", "--executor", "serial"]
    for _ in range(2):
        assert main(args) == 0
    assert sorted(p for p in tmp_path.rglob("*")) == before
    out = capsys.readouterr().out
    assert "child-1" in out and "child-2" in out


def test_compare_out_keeps_series_and_events_for_the_figures(tmp_path):
    moscow = ROOT / "scenarios" / "counterfactuals" / "moscow_hesitates.yaml"
    out = tmp_path / "cmp"
    args = ["compare", str(HISTORICAL), str(moscow), "--seeds", "4", "--out", str(out)]
    assert main([*args, "--executor", "serial"]) == 0
    assert {p.name for p in out.iterdir()} == {"historical", "moscow_hesitates", "compare.parquet"}
    tables = load(out / "historical")
    assert {"runs", "series", "events"} <= set(tables)
    fan = ["plot", "fan", str(out / "historical"), str(out / "moscow_hesitates")]
    assert main([*fan, "--out", str(tmp_path / "fan.png")]) == 0
    assert (
        main(["plot", "timeline", str(out / "historical"), "--out", str(tmp_path / "t.svg")]) == 0
    )


def _strict(text: str):
    def refuse(name):
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def test_json_output_is_strict_json_with_null_for_missing(capsys):
    never = ROOT / "scenarios" / "counterfactuals" / "no_outside_help.yaml"
    args = ["compare", str(HISTORICAL), str(never), "--seeds", "4", "--json"]
    assert main([*args, "--executor", "serial"]) == 0
    data = _strict(capsys.readouterr().out)
    arrival = next(
        r for r in data["table"] if r["outcome"] == "arrival_day" and r["scenario"] != "historical"
    )
    assert arrival["median"] is None and arrival["diff"] is None
