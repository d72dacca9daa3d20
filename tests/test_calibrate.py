"""Calibration: the file format's errors, the fit, its report, resuming and cross-validation."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
import yaml

from sim.cli import main
from sim.errors import InputError, StoreError
from sim.experiments import calibrate as cal
from sim.experiments.fitspec import load_calibration
from sim.experiments.fitted import apply_fitted, fitted_values
from sim.experiments.worker import FitResult
from tests.conftest import CALIBRATIONS, ROOT

KZ2022 = ROOT / "scenarios" / "crises" / "kz2022.yaml"
SB2021 = ROOT / "scenarios" / "crises" / "sb2021.yaml"


def write(tmp_path, **over) -> str:
    body = {
        "name": "small",
        "crises": [str(KZ2022), str(SB2021)],
        "parameters": [
            {"path": "behaviour.unrest.suppression", "bounds": [0.3, 0.6]},
            {"path": "behaviour.provider.rungs.statement", "bounds": [0.7, 1.2]},
            {"path": "behaviour.host.stable_days", "bounds": [1, 3]},
        ],
        "seeds": 3,
        "trials": 6,
        "batch": 2,
    } | over
    path = tmp_path / "fit.yaml"
    path.write_text(yaml.safe_dump(body, sort_keys=False))
    return str(path)


def comparable(report: cal.Report) -> dict:
    d = report.to_dict()
    d.pop("seconds"), d.pop("evaluated_now")
    return d


@pytest.mark.parametrize(
    "over, where, message",
    [
        (
            {"parameters": [{"path": "behaviour.unrest.nothing", "bounds": [0, 1]}]},
            "parameters[0].path",
            "no number of the crises",
        ),
        (
            {"parameters": [{"path": "behaviour.unrest.suppression", "bounds": [0.5, 0.9]}]},
            "parameters[0].bounds",
            "start value 0.45",
        ),
        (
            {"parameters": [{"path": "behaviour.host.stable_days", "bounds": [1, 2.5]}]},
            "parameters[0].bounds",
            "whole numbers",
        ),
        ({"crises": ["nowhere.yaml"]}, "crises[0]", "scenario file not found"),
        ({"sampler": "grid"}, "sampler", "Input should be"),
    ],
)
def test_a_bad_calibration_file_is_one_line_naming_file_line_and_key(
    tmp_path, over, where, message
):
    path = write(tmp_path, **over)
    with pytest.raises(InputError) as err:
        load_calibration(path)
    line = str(err.value)
    assert line.startswith(f"{path}:") and where in line and message in line and "\n" not in line


def test_shipped_calibrations_load():
    assert CALIBRATIONS
    for path in CALIBRATIONS:
        spec, crises, _ = load_calibration(path)
        assert len(crises) == 9 and spec.parameters


def test_the_first_trial_is_the_files_values_and_the_best_is_reported(tmp_path):
    spec, crises, _ = load_calibration(write(tmp_path))
    report = cal.calibrate(spec, crises, tmp_path / "out")
    assert len(report.trials) == 6 and report.start.number == 0
    assert report.start.values == {
        "behaviour.unrest.suppression": 0.45,
        "behaviour.provider.rungs.statement": 0.9385,
        "behaviour.host.stable_days": 1,
    }
    assert report.best.loss == min(t.loss for t in report.trials)
    assert isinstance(report.best.values["behaviour.host.stable_days"], int)
    for k, (low, high) in report.good.items():
        assert low <= report.best.values[k] <= high
    d = report.to_dict()
    assert set(d["crises"]) == {"kz2022", "sb2021"}
    assert [h["trial"] for h in d["history"]] == list(range(6))
    assert d["history"][-1]["best"] == report.best.loss
    fitted = fitted_values(report.best.values, "calibrated: fit.yaml, trial 3")
    entry = fitted["behaviour"]["unrest"]["suppression"]
    assert entry == {
        "value": report.best.values["behaviour.unrest.suppression"],
        "source": "calibrated: fit.yaml, trial 3",
    }


def test_the_loss_weighs_misses_brier_crps_over_the_horizon_and_forbidden_events(tmp_path):
    spec, crises, _ = load_calibration(write(tmp_path))
    scores = [
        {"score": 0.75, "brier": 0.1, "crps": 14.0, "forbidden_share": 0.0},
        {"score": 1.0, "brier": 0.0, "crps": 0.0, "forbidden_share": 0.3},
    ]
    horizon = crises[0].scenario.calendar.horizon_days
    expected = (0.25 + 0.1 + 14.0 / horizon + 0.3) / 2
    assert cal.loss(spec, crises, scores) == pytest.approx(expected)


@pytest.mark.parametrize("sampler", ["tpe", "cmaes"])
def test_a_stopped_calibration_resumes_to_the_same_result(tmp_path, monkeypatch, sampler):
    spec, crises, _ = load_calibration(write(tmp_path, sampler=sampler))
    whole = cal.calibrate(spec, crises, tmp_path / "whole")
    calls = {"n": 0}
    real = cal._evaluate

    def stop_in_third_batch(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # its candidates are asked, none scored
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(cal, "_evaluate", stop_in_third_batch)
    with pytest.raises(KeyboardInterrupt):
        cal.calibrate(spec, crises, tmp_path / "stopped")
    monkeypatch.setattr(cal, "_evaluate", real)
    resumed = cal.calibrate(spec, crises, tmp_path / "stopped")
    assert resumed.evaluated_now == 2 + 0  # the two asked and never scored, then none to ask
    assert comparable(resumed) == comparable(whole)
    more = cal.calibrate(spec.model_copy(update={"trials": 8}), crises, tmp_path / "stopped")
    assert len(more.trials) == 8 and more.evaluated_now == 2


def test_cmaes_starts_from_the_start_values_and_never_repeats_a_candidate(tmp_path):
    spec, crises, _ = load_calibration(write(tmp_path, sampler="cmaes", batch=4, trials=8))
    report = cal.calibrate(spec, crises, tmp_path / "out")
    points = [tuple(t.values.values()) for t in report.trials]
    assert len(set(points)) == len(points) == 8


def test_a_budget_of_one_scores_the_start_values(tmp_path):
    spec, crises, _ = load_calibration(write(tmp_path, trials=1))
    report = cal.calibrate(spec, crises, tmp_path / "out")
    assert [t.number for t in report.trials] == [0] and report.best is report.start


def test_a_parameter_the_crises_set_apart_is_refused(tmp_path):
    both = {"path": "actors.turkey.stake", "bounds": [0.0, 1.0]}
    crises = [str(KZ2022), str(ROOT / "scenarios/crises/ly2019.yaml")]
    path = write(tmp_path, crises=crises, parameters=[both])
    with pytest.raises(InputError, match="differs between the crises"):
        load_calibration(path)


def test_a_batch_cut_short_in_the_log_is_asked_again(tmp_path):
    spec, crises, _ = load_calibration(write(tmp_path))
    whole = cal.calibrate(spec, crises, tmp_path / "whole")
    cut = tmp_path / "cut"
    cal.calibrate(spec.model_copy(update={"trials": 4}), crises, cut)
    log = cut / cal.TRIALS
    lines = log.read_text().splitlines()
    assert len(lines) == 4
    log.write_text("\n".join(lines[:3]) + "\n" + lines[3][:40])  # the second batch, half written
    resumed = cal.calibrate(spec, crises, cut)
    assert resumed.evaluated_now == 4  # the batch cut short, then the last
    assert comparable(resumed) == comparable(whole)
    assert len(log.read_text().splitlines()) == 6  # the torn line is gone from the log
    more = cal.calibrate(spec.model_copy(update={"trials": 8}), crises, cut)
    assert more.evaluated_now == 2 and len(log.read_text().splitlines()) == 8


def test_a_folder_of_another_calibration_is_refused(tmp_path):
    spec, crises, _ = load_calibration(write(tmp_path))
    cal.calibrate(spec.model_copy(update={"trials": 2}), crises, tmp_path / "out")
    other = spec.model_copy(update={"seeds": 4})
    with pytest.raises(StoreError, match="holds another calibration"):
        cal.calibrate(other, crises, tmp_path / "out")


def test_the_local_executor_gives_the_serial_result(tmp_path):
    spec, crises, _ = load_calibration(write(tmp_path, trials=4))
    serial = cal.calibrate(spec, crises, tmp_path / "serial")
    local = cal.calibrate(spec, crises, tmp_path / "local", executor="local", workers=2)
    assert comparable(local) == comparable(serial)


@pytest.mark.parametrize("broken", [2, 0])
def test_a_candidate_whose_runs_fail_is_counted_not_hidden(tmp_path, monkeypatch, broken):
    spec, crises, _ = load_calibration(write(tmp_path, trials=4))
    real = cal.score_candidate

    def fail_trial_two(task):
        if task.trial == broken:
            return FitResult(task.trial, task.crisis, None, 3, "ValueError: broken")
        return real(task)

    monkeypatch.setattr(cal, "score_candidate", fail_trial_two)
    report = cal.calibrate(spec, crises, tmp_path / "out")
    d = report.to_dict()
    assert d["failed"] == 1 and "3 of 3 runs failed; ValueError: broken" in d["first_error"]
    assert [t.loss is None for t in report.trials] == [i == broken for i in range(4)]
    text = cal.report_text(report)
    assert ("loss: start failed" in text) == (broken == 0)


def test_leave_one_out_fits_on_the_others_and_scores_the_one_left_out(tmp_path):
    spec, crises, _ = load_calibration(write(tmp_path, trials=2))
    table = cal.leave_one_out(spec, crises, tmp_path / "loo")
    assert [r["crisis"] for r in table["crises"]] == ["kz2022", "sb2021"]
    assert table["crises"][0]["fitted_on"] == ["sb2021"]
    assert (tmp_path / "loo" / "kz2022" / cal.TRIALS).exists()
    for r in table["crises"]:
        assert {"score", "exact", "brier", "crps"} <= set(r["left_out"]) and r["start"]
    mean = sum(r["left_out"]["score"] for r in table["crises"]) / 2
    assert table["mean_left_out_score"] == pytest.approx(mean)
    start = sum(r["start"]["score"] for r in table["crises"]) / 2
    assert cal.leave_one_out_text(table).splitlines()[-1].split() == [
        "mean",
        f"{mean:.3f}",
        f"({start:.3f})",
    ]


def test_sim_calibrate_killed_with_9_resumes(tmp_path, capsys):
    path = write(tmp_path, trials=24)
    assert (
        main(
            ["calibrate", path, "--out", str(tmp_path / "whole"), "--executor", "serial", "--json"]
        )
        == 0
    )
    whole = json.loads(capsys.readouterr().out)
    out = tmp_path / "killed"
    cmd = [
        sys.executable,
        "-m",
        "sim",
        "calibrate",
        path,
        "--out",
        str(out),
        "--executor",
        "serial",
    ]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    for line in proc.stderr:
        if line.startswith("trial 8/"):
            break
    time.sleep(0.3)
    proc.kill()
    proc.wait()
    assert main(["calibrate", path, "--out", str(out), "--executor", "serial", "--json"]) == 0
    resumed = json.loads(capsys.readouterr().out)
    assert 0 < resumed["evaluated_now"] < 24
    for d in (whole, resumed):
        d.pop("seconds"), d.pop("evaluated_now")
    assert resumed == whole
    for name in ("report.json", "report.txt", "fitted.yaml"):
        assert (out / name).exists()


def test_sim_validate_checks_calibration_files(tmp_path, capsys):
    assert main(["validate", str(CALIBRATIONS[0])]) == 0
    bad = write(tmp_path, trials=0)
    assert main(["validate", bad]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"{bad}:") and "trials" in err and "\n" not in err


def test_fitted_values_are_written_into_a_defaults_file_in_place(tmp_path):
    defaults = tmp_path / "defaults.yaml"
    text = (ROOT / "scenarios" / "defaults.yaml").read_text()
    defaults.write_text(text)
    values = {"behaviour.unrest.suppression": 0.512345678, "behaviour.host.stable_days": 2}
    apply_fitted(defaults, values, "calibrated: fit.yaml, trial 7")
    after = defaults.read_text()
    assert after.count("\n") == text.count("\n") and after.splitlines()[:8] == text.splitlines()[:8]
    data = yaml.safe_load(after)
    entry = data["behaviour"]["unrest"]["suppression"]
    assert entry["value"] == 0.512345678  # the value scored, at full precision
    first = entry["source"]
    assert first.startswith("calibrated: fit.yaml, trial 7 (start value 0.45; ")
    assert data["behaviour"]["host"]["stable_days"]["value"] == 2
    changed = [a for a, b in zip(after.splitlines(), text.splitlines(), strict=True) if a != b]
    assert len(changed) == 2
    apply_fitted(defaults, {"behaviour.unrest.suppression": 0.5}, "calibrated: other.yaml, trial 2")
    again = yaml.safe_load(defaults.read_text())["behaviour"]["unrest"]["suppression"]
    old = first.split("; ", 1)[1]  # the source it had before any calibration
    assert again["source"] == f"calibrated: other.yaml, trial 2 (start value 0.512345678; {old}"
    with pytest.raises(InputError, match=r"behaviour\.unrest\.nothing"):
        apply_fitted(defaults, {"behaviour.unrest.nothing": 1.0}, "x")


def test_apply_is_checked_before_the_fit_and_not_with_leave_one_out(tmp_path, capsys):
    path = write(tmp_path)
    bad = tmp_path / "defaults.yaml"
    bad.write_text("behaviour:\n  unrest:\n    suppression: 0.4\n")
    assert main(["calibrate", path, "--out", str(tmp_path / "o"), "--apply", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "no {value, source} entry" in err and not (tmp_path / "o").exists()
    args = [
        "calibrate",
        path,
        "--leave-one-out",
        "--apply",
        str(ROOT / "scenarios" / "defaults.yaml"),
    ]
    assert main(args) == 2 and "--apply" in capsys.readouterr().err
