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
    scenario = load_scenario(KZ2011)
    rows = sorted(
        (r for r in logged(out / cal.TRIALS) if r["state"] == "COMPLETE"),
        key=lambda r: (r["value"], r["trial"]),
    )
    best = rows[0]["value"]
    wide = rd.good_fits(out, scenario, within=10.0, most=100)
    assert not wide.left_out and wide.fitted_on == ["kz2011", "sb2021"]
    assert wide.values == [r["params"] for r in rows if r["value"] <= best * 11]
    assert rd.good_fits(out, scenario, within=10.0, most=2).values == wide.values[:2]
    tight = rd.good_fits(out, scenario, within=1e-9, most=100)
    assert tight.values == [r["params"] for r in rows if r["value"] == best]
    assert "in-sample" in tight.label(0.05) and "5%" in tight.label(0.05)


def test_failed_trials_and_batches_cut_short_are_not_good_fits(tmp_path):
    out = small_fit(tmp_path)
    rows = logged(out / cal.TRIALS)
    worst = max(rows, key=lambda r: r["value"])
    best = min(rows, key=lambda r: r["value"])
    failed = {**best, "state": "FAIL", "value": None}  # the best trial, had it failed
    rows = [failed if r is best else r for r in rows]
    torn = json.dumps({**worst, "trial": len(rows), "batch_size": 2, "value": 0.0})
    (out / cal.TRIALS).write_text("".join(json.dumps(r) + "\n" for r in rows) + torn + "\n")
    good = rd.good_fits(out, load_scenario(KZ2011), within=100.0, most=100)
    assert len(good.values) == len(rows) - 1 and worst["params"] in good.values
    assert best["params"] not in good.values  # failed, and the torn batch's 0.0 is not read


def test_the_label_says_whether_the_crisis_was_fitted(tmp_path):
    out = small_fit(tmp_path, leave_one_out=True)
    sb2021 = load_scenario(SB2021)
    for root in (out, out / cal.LEFT_OUT):
        good = rd.good_fits(root, sb2021, within=0.05, most=10)
        assert good.left_out and good.fitted_on == ["kz2011"]
        assert "without this crisis (on kz2011)" in good.label(0.05)
    # the fold that left kz2011 out was fitted on sb2021: in-sample for it, as its log says
    other = rd.good_fits(out / cal.LEFT_OUT / "kz2011", sb2021, within=0.05, most=10)
    assert not other.left_out and other.fitted_on == ["sb2021"]
    assert "in-sample" in other.label(0.05)
    with pytest.raises(InputError, match="holds no calibration log"):
        rd.good_fits(out, load_scenario(ROOT / "scenarios" / "crises" / "ly2019.yaml"), 0.05, 10)


def test_replay_dates_run_the_model_the_baselines_and_each_good_fit(tmp_path):
    out = small_fit(tmp_path)
    scenario = load_scenario(KZ2011)
    record = load_record(scenario.record)
    good = rd.good_fits(out, scenario, within=10.0, most=2)
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


def broken_log(tmp_path, text: str) -> str:
    (tmp_path / cal.TRIALS).write_bytes(text.encode("latin-1"))
    return str(tmp_path)


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--fit", "FOLDER"], "holds no calibration log"),
        (["--fit", 'LOG:{"trial": 0, "batch_size": 1}\n'], "is not a calibration log"),
        (["--fit", "LOG:\xff\xfe\n"], "is not a calibration log"),
        (
            [
                "--fit",
                'LOG:{"trial": 0, "batch_size": 1, "state": "COMPLETE", "value": 1.0, '
                '"params": {"behaviour.other.thing": 1.0}, "user_attrs": {"crises": {}}}\n',
            ],
            "fits none of the values of kz2011",
        ),
        (["--set", "behaviour.unrest.noise=-1"], "behaviour.unrest.noise"),
        (["--variable", "protest"], "--variable: is an option of the figures of result folders"),
    ],
)
def test_sim_plot_replay_bad_input_is_one_line(tmp_path, capsys, extra, message):
    extra = [
        str(tmp_path)
        if x == "FOLDER"
        else broken_log(tmp_path, x[4:])
        if x.startswith("LOG:")
        else x
        for x in extra
    ]
    args = ["plot", "replay", str(KZ2011), "--seeds", "2", "--out", str(tmp_path / "f.png")]
    assert main([*args, *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert not (tmp_path / "f.png").exists()


@pytest.mark.parametrize("option", [["--fit", "somewhere"], ["--seeds", "3"], ["--seed", "0"]])
def test_replay_options_are_refused_by_the_other_figures(tmp_path, capsys, option):
    args = ["plot", "timeline", str(tmp_path), "--out", str(tmp_path / "f.png"), *option]
    assert main(args) == 2
    assert f"{option[0]}: is an option of plot replay" in capsys.readouterr().err


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

    def drawn(gid: str, offset: float) -> dict[str, pd.Timestamp]:
        out = {}
        for line in ax.get_lines():
            if line.get_gid() == gid:
                y = line.get_ydata()[0]
                assert y - round(y) == pytest.approx(offset)  # baselines above, fits below
                out[rows[round(y)]] = mdates.num2date(line.get_xdata()[0]).date()
        return out

    naive = baselines["naive_answer"]
    expected = {
        t: pd.Timestamp(naive[t].dropna().sort_values().iloc[(naive[t].notna().sum() - 1) // 2])
        for t in naive.columns
        if naive[t].notna().any()
    }
    assert drawn("baseline naive_answer", -0.3) == {t: d.date() for t, d in expected.items()}
    assert not drawn("baseline nothing", -0.3)
    medians = drawn("fits", 0.3)
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
