"""sim plot replay: the dates of the model, its baselines and a calibration's good fits."""

from __future__ import annotations

import json

import matplotlib.dates as mdates
import pandas as pd
import pytest
import yaml

from sim.baselines import BASELINES
from sim.cli import main
from sim.errors import InputError
from sim.experiments import calibrate as cal
from sim.experiments import replaydates as rd
from sim.experiments.fitspec import load_calibration
from sim.record import load_record, score_replay
from sim.runner import run_seeds
from sim.scenario import load_scenario
from tests.conftest import ROOT

KZ2011 = ROOT / "scenarios" / "crises" / "kz2011.yaml"
SB2021 = ROOT / "scenarios" / "crises" / "sb2021.yaml"
SEEDS = range(1, 5)


def small_fit(tmp_path, leave_one_out: bool = False):
    """A calibration of four trials on two crises, and its output folder."""
    body = {
        "name": "small",
        "crises": [str(KZ2011), str(SB2021)],
        "parameters": [
            {"path": "behaviour.unrest.suppression", "bounds": [0.3, 0.6]},
            {"path": "behaviour.host.troops_load", "bounds": [0.15, 0.4]},
        ],
        "seeds": 2,
        "trials": 4,
        "batch": 2,
        "sampler": "tpe",
    }
    path = tmp_path / "fit.yaml"
    path.write_text(yaml.safe_dump(body, sort_keys=False))
    spec, crises, _ = load_calibration(str(path))
    out = tmp_path / "out"
    if leave_one_out:
        cal.leave_one_out(spec, crises, out / rd.LEFT_OUT)
    else:
        cal.calibrate(spec, crises, out)
    return out


def logged(log) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_first_dates_are_the_first_matches_the_replay_score_counts():
    scenario = load_scenario(SB2021)
    record = load_record(scenario.record)
    runs = [r.events for r in run_seeds(scenario, SEEDS)]
    dates = rd.first_dates(record, runs)
    assert list(dates.columns) == [t.id for t in record.targets] and len(dates) == len(SEEDS)
    score = score_replay(record, runs)
    for t, s in zip(record.targets, score.targets, strict=True):
        assert dates[t.id].notna().mean() == s.occurred_rate
        firsts = [d.date() for d in dates[t.id].dropna()]
        assert firsts == [m.date for r in runs if (m := t.first_match(r))]


def test_good_fits_are_the_trials_near_the_best_loss_best_first(tmp_path):
    out = small_fit(tmp_path)
    rows = [r for r in logged(out / cal.TRIALS) if r["state"] == "COMPLETE"]
    best = min(r["value"] for r in rows)
    wide = rd.good_fits(out, "kz2011", within=10.0, most=100)
    assert not wide.left_out and wide.trials == len(rows) == 4
    assert wide.losses == sorted(r["value"] for r in rows if r["value"] <= best * 11)
    assert wide.values[0] == min(rows, key=lambda r: r["value"])["params"]
    assert rd.good_fits(out, "kz2011", within=10.0, most=2).values == wide.values[:2]
    tight = rd.good_fits(out, "kz2011", within=1e-9, most=100)
    assert tight.losses == [best] * len(tight.losses)
    assert "in-sample" in tight.label(0.05) and "5%" in tight.label(0.05)


def test_a_leave_one_out_gives_the_fit_made_without_the_crisis(tmp_path):
    out = small_fit(tmp_path, leave_one_out=True)
    for root in (out, out / rd.LEFT_OUT):
        good = rd.good_fits(root, "sb2021", within=0.05, most=10)
        assert good.left_out and good.folder == out / rd.LEFT_OUT / "sb2021"
        assert "without this crisis" in good.label(0.05)
    with pytest.raises(InputError, match="holds no calibration log"):
        rd.good_fits(out, "ly2019", within=0.05, most=10)


def test_replay_dates_run_the_model_the_baselines_and_each_good_fit(tmp_path):
    out = small_fit(tmp_path)
    scenario = load_scenario(KZ2011)
    record = load_record(scenario.record)
    good = rd.good_fits(out, "kz2011", within=10.0, most=2)
    dates = rd.replay_dates(scenario, record, SEEDS, good)
    assert set(dates.baselines) == set(BASELINES)
    assert len(dates.model) == len(SEEDS) and len(dates.fits) == 2 * len(SEEDS)
    assert dates.baselines["nothing"].isna().all().all()
    at_best = [r.events for r in run_seeds(rd.at_values(scenario, good.values[0]), SEEDS)]
    expected = rd.first_dates(record, at_best)
    assert dates.fits.iloc[: len(SEEDS)].reset_index(drop=True).equals(expected)


def test_sim_plot_replay_draws_the_model_the_baselines_and_the_fits(tmp_path, capsys):
    out = small_fit(tmp_path)
    fig_file = tmp_path / "replay.png"
    args = ["plot", "replay", str(KZ2011), "--seeds", "4", "--fit", str(out)]
    assert main([*args, "--out", str(fig_file), "--within", "10"]) == 0
    assert fig_file.stat().st_size > 0 and "wrote" in capsys.readouterr().out


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--fit", "FOLDER"], "holds no calibration log"),
        (["--set", "behaviour.unrest.noise=-1"], "behaviour.unrest.noise"),
    ],
)
def test_sim_plot_replay_bad_input_is_one_line(tmp_path, capsys, extra, message):
    extra = [str(tmp_path) if x == "FOLDER" else x for x in extra]
    args = ["plot", "replay", str(KZ2011), "--seeds", "2", "--out", str(tmp_path / "f.png")]
    assert main([*args, *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert not (tmp_path / "f.png").exists()


def test_sim_plot_replay_of_a_scenario_without_record_is_refused(tmp_path, capsys):
    bare = tmp_path / "bare.yaml"
    text = KZ2011.read_text().replace("record: records/kz2011.yaml\n", "")
    bare.write_text(
        text.replace("extends: ../defaults.yaml", f"extends: {ROOT}/scenarios/defaults.yaml")
    )
    assert main(["plot", "replay", str(bare), "--out", str(tmp_path / "f.png")]) == 2
    assert "names no record" in capsys.readouterr().err


def test_the_band_marks_each_baseline_median_and_the_fits():
    scenario = load_scenario(SB2021)
    record = load_record(scenario.record)
    runs = [r.events for r in run_seeds(scenario, SEEDS)]
    model = rd.first_dates(record, runs)
    baselines = {k: rd.first_dates(record, make(runs, scenario)) for k, make in BASELINES.items()}
    fits = model + pd.Timedelta(days=2)
    from sim.plots import replay_band

    fig = replay_band(record, model, baselines, fits, "two days late")
    ax = fig.axes[0]
    rows = [t.get_text().split(" ")[0] for t in ax.get_yticklabels()]

    def drawn(gid: str) -> dict[str, pd.Timestamp]:
        return {
            rows[round(line.get_ydata()[0])]: mdates.num2date(line.get_xdata()[0]).date()
            for line in ax.get_lines()
            if line.get_gid() == gid
        }

    naive = baselines["naive_answer"]
    expected = {
        t: pd.Timestamp(naive[t].dropna().sort_values().iloc[(naive[t].notna().sum() - 1) // 2])
        for t in naive.columns
        if naive[t].notna().any()
    }
    assert drawn("baseline naive_answer") == {t: d.date() for t, d in expected.items()}
    assert not drawn("baseline nothing")
    medians = drawn("fits")
    model_medians = {
        rows[round(line.get_ydata()[0])]: mdates.num2date(line.get_xdata()[0]).date()
        for line in ax.get_lines()
        if line.get_gid() is None and line.get_marker() == "o"
    }
    assert {t: d + pd.Timedelta(days=2).to_pytimedelta() for t, d in model_medians.items()} == {
        t: d for t, d in medians.items() if t in model_medians
    }
    legend = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    assert "baseline nothing: no target" in legend and "baseline naive_answer: median" in legend
    assert "good fits: median, 5-95%" in legend
    assert "good fits: two days late" in ax.get_title()
