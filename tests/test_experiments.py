"""The experiment engine: same results everywhere, resume after a kill, failures isolated."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

import sim.experiments.worker as worker
from sim.cli import main
from sim.experiments import load
from sim.experiments.engine import run_experiment
from sim.experiments.plan import run_seed
from sim.experiments.spec import load_sweep
from sim.loading import InputError
from tests.conftest import HISTORICAL, SWEEPS


def sweep_file(tmp_path: Path, body: str = "", name: str = "s.yaml", **top) -> Path:
    head = {
        "name": "t",
        "base": str(HISTORICAL),
        "design": "lhs",
        "samples": 6,
        "replications": 3,
        "seed": 5,
        **top,
    }
    text = "".join(f"{k}: {v}\n" for k, v in head.items())
    text += body or textwrap.dedent(
        """\
        parameters:
          - path: behaviour.provider.rungs.key_assets
            bounds: [0.0, 2.0]
          - path: behaviour.host.w_sovereignty
            bounds: [0.5, 3.0]
        keep: {series: true, events: true}
        """
    )
    path = tmp_path / name
    path.write_text(text)
    return path


def run(path: Path, out: Path, **options):
    spec, base, _ = load_sweep(path)
    return run_experiment(
        spec, base, out, source=str(path), text=path.read_text(), progress=False, **options
    )


def test_identical_results_whatever_the_executor_and_chunk_size(tmp_path):
    path = sweep_file(tmp_path)
    results = {}
    for label, options in {
        "serial-1": {"executor": "serial", "chunk": 1},
        "serial-7": {"executor": "serial", "chunk": 7},
        "local-2": {"executor": "local", "workers": 2, "chunk": 2},
        "dask-2": {"executor": "dask", "workers": 2, "chunk": 5},
    }.items():
        summary = run(path, tmp_path / label, **options)
        assert summary.planned == summary.ran == 18 and summary.failed == 0
        results[label] = load(tmp_path / label)
    first = results.pop("serial-1")
    for tables in results.values():
        for name in ("runs", "series", "events"):
            pd.testing.assert_frame_equal(first[name], tables[name])
    runs = first["runs"]
    assert list(runs.run_id) == list(range(18))
    # common random numbers: replication r has the same seed in every design row
    assert set(runs[runs.replication == 1].seed) == {run_seed(5, 1)}
    assert runs["behaviour.provider.rungs.key_assets"].between(0, 2).all()


def test_resume_after_kill_minus_9_runs_everything_exactly_once(tmp_path):
    path = sweep_file(tmp_path, samples=150, replications=2, design="montecarlo")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "sim", "sweep", str(path), "--out", str(out)]
    cmd += ["--executor", "serial", "--chunk", "4"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and len(list((out / "runs").glob("part-*.parquet"))) < 5:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = load(out)["runs"]
    assert 0 < len(partial) < 300, "the kill should land mid-sweep"
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"{len(partial)} already done" in done.stdout
    resumed = load(out)
    fresh = run(path, tmp_path / "fresh", executor="serial")
    assert fresh.ran == 300
    reference = load(tmp_path / "fresh")
    for name in ("runs", "series", "events"):
        pd.testing.assert_frame_equal(resumed[name], reference[name])
    assert resumed["runs"].run_id.is_unique


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path, monkeypatch, capsys):
    class Flaky(worker.CrisisModel):
        def run(self):
            if self.seed_for_test % 2:
                raise RuntimeError("boom")
            return super().run()

        def __init__(self, scenario, rng=None):
            super().__init__(scenario, rng=rng)
            self.seed_for_test = rng

    monkeypatch.setattr(worker, "CrisisModel", Flaky)
    path = sweep_file(tmp_path)
    out = tmp_path / "out"
    status = main(["sweep", str(path), "--out", str(out), "--executor", "serial"])
    assert status == 1
    runs = load(out)["runs"]
    odd = runs.seed % 2 == 1
    assert odd.any() and (~odd).any()
    assert (runs[odd].status == "failed").all() and (runs[~odd].status == "ok").all()
    assert runs[odd].error.str.contains("RuntimeError: boom").all()
    assert runs[odd].request_to.isna().all() and runs[~odd].request_to.notna().all()
    assert load(out)["manifest"]["counts"] == {"ok": int((~odd).sum()), "failed": int(odd.sum())}
    assert "failed" in capsys.readouterr().out


def test_another_sweep_on_the_same_directory_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    assert (
        main(["sweep", str(sweep_file(tmp_path)), "--out", str(out), "--executor", "serial"]) == 0
    )
    other = sweep_file(tmp_path, name="other.yaml", seed=6)
    assert main(["sweep", str(other), "--out", str(out), "--executor", "serial"]) == 2
    err = capsys.readouterr().err.strip()
    assert "another experiment" in err and len(err.splitlines()) == 1


def test_rerun_of_a_finished_sweep_runs_nothing(tmp_path):
    path = sweep_file(tmp_path)
    run(path, tmp_path / "out", executor="serial")
    again = run(path, tmp_path / "out", executor="serial")
    assert (again.ran, again.resumed) == (0, 18)
    manifest = load(tmp_path / "out")["manifest"]
    assert manifest["text"] == path.read_text() and manifest["runs_planned"] == 18
    assert manifest["status"] == "finished" and manifest["kind"] == "sweep"


BAD = {
    "unknown_key": (
        "parameters:\n  - path: behaviour.unrest.contagion\n    bonds: [0, 1]\n",
        "did you mean",
    ),
    "bad_path": (
        "parameters:\n  - path: behaviour.unrest.contagoin\n    bounds: [0, 1]\n",
        "not a key",
    ),
    "not_a_value": (
        "parameters:\n  - path: behaviour.unrest\n    bounds: [0, 1]\n",
        "not a single value",
    ),
    "out_of_range": (
        "parameters:\n  - path: behaviour.host.w_legal\n    bounds: [0, 20]\n",
        "between 0 and 10",
    ),
    "levels_with_lhs": (
        "parameters:\n  - path: treaties.nakhchivan_agreement.kind\n"
        "    levels: [political, mutual_assistance]\n",
        "levels need design grid or montecarlo",
    ),
    "bad_level": (
        "parameters:\n  - path: treaties.nakhchivan_agreement.kind\n"
        "    levels: [political, empire]\n",
        "'empire'",
    ),
    "mixed_levels": (
        "parameters:\n  - path: behaviour.unrest.contagion\n    levels: [0.5, high]\n",
        "all numbers, all booleans or all text",
    ),
    "both_bounds_and_levels": (
        "parameters:\n  - path: behaviour.unrest.contagion\n"
        "    bounds: [0, 1]\n    levels: [0.5]\n",
        "exactly one of bounds or levels",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_sweep_file_gives_one_located_line_and_exit_2(tmp_path, case):
    body, expected = BAD[case]
    design = "montecarlo" if case == "bad_level" else "lhs"
    path = sweep_file(tmp_path, body, design=design)
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "validate", str(path)], capture_output=True, text=True
    )
    assert proc.returncode == 2
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert err.startswith(f"{path}:") and expected in err, err


def test_sobol_needs_a_power_of_two(tmp_path):
    path = sweep_file(tmp_path, design="sobol", samples=100)
    with pytest.raises(InputError, match="power of 2"):
        load_sweep(path)


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.name)
def test_shipped_sweeps_validate(path):
    spec, _, _ = load_sweep(path)
    assert spec.parameters


def test_who_to_ask_sweep_switches_the_ots_force():
    spec, _, _ = load_sweep(next(p for p in SWEEPS if p.name == "who_to_ask.yaml"))
    kind = next(p for p in spec.parameters if p.path == "treaties.ots_force_agreement.kind")
    assert set(kind.levels) == {"political", "mutual_assistance"}


def test_progress_bar_is_quiet_when_not_a_terminal(tmp_path):
    path = sweep_file(tmp_path)
    cmd = [sys.executable, "-m", "sim", "sweep", str(path), "--out", str(tmp_path / "o")]
    proc = subprocess.run([*cmd, "--executor", "serial"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stderr == ""


def test_joins_an_existing_dask_cluster(tmp_path):
    from distributed import LocalCluster

    path = sweep_file(tmp_path)
    run(path, tmp_path / "serial", executor="serial")
    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster:
        summary = run(
            path, tmp_path / "joined", executor="dask", scheduler=cluster.scheduler_address
        )
    assert summary.ran == 18
    pd.testing.assert_frame_equal(
        load(tmp_path / "serial")["runs"], load(tmp_path / "joined")["runs"]
    )


# ---------------------------------------------------------------- whole numbers, edits, overrides
WHOLE = """\
parameters:
  - path: calendar.horizon_days
    bounds: [12, 20]
  - path: behaviour.host.max_concessions
    bounds: [0, 3]
keep: {series: true}
"""


@pytest.mark.parametrize("design", ["lhs", "montecarlo", "sobol", "grid"])
def test_integer_parameters_run_with_whole_numbers(tmp_path, design):
    samples = {"lhs": 12, "montecarlo": 12, "sobol": 4, "grid": 3}[design]
    path = sweep_file(tmp_path, WHOLE, design=design, samples=samples, replications=1)
    out = tmp_path / "out"
    summary = run(path, out, executor="serial")
    assert summary.failed == 0
    tables = load(out)
    runs = tables["runs"]
    for column, (low, high) in {
        "calendar.horizon_days": (12, 20),
        "behaviour.host.max_concessions": (0, 3),
    }.items():
        assert pd.api.types.is_integer_dtype(runs[column]), runs[column].dtype
        assert runs[column].between(low, high).all()
    last_day = tables["series"].groupby("run_id").day.max()
    assert (last_day.to_numpy() == runs["calendar.horizon_days"].to_numpy()).all()


def test_whole_number_draws_give_each_value_an_equal_share(tmp_path):
    spec, _, _ = load_sweep(sweep_file(tmp_path, WHOLE, design="montecarlo", samples=8000))
    from sim.experiments.designs import sample

    values = pd.Series([row[1] for row in sample("montecarlo", spec.parameters, 8000, seed=1)])
    shares = values.value_counts(normalize=True).sort_index()
    assert list(shares.index) == [0, 1, 2, 3]
    assert (shares - 0.25).abs().max() < 0.02


@pytest.mark.parametrize(
    "body, message",
    [
        (
            "parameters:\n  - path: behaviour.host.max_concessions\n    levels: [1, 1.5]\n",
            "takes whole numbers",
        ),
        (
            "parameters:\n  - path: calendar.horizon_days\n    bounds: [10.5, 20]\n",
            "takes whole numbers",
        ),
        (
            "parameters:\n  - path: calendar.horizon_days\n    bounds: [10, 400]\n",
            "less than or equal to 365",
        ),
    ],
)
def test_sweep_values_get_the_scenario_checks(tmp_path, body, message):
    path = sweep_file(tmp_path, body, design="montecarlo")
    with pytest.raises(InputError, match=message):
        load_sweep(path)


def test_a_morris_design_needs_distinct_whole_levels(tmp_path):
    body = "parameters:\n  - path: behaviour.host.max_concessions\n    bounds: [0, 2]\n"
    with pytest.raises(InputError, match="morris needs at least 4"):
        load_sweep(sweep_file(tmp_path, body, design="morris", samples=4))


def test_sweep_edits_and_overrides_are_checked_and_recorded(tmp_path, capsys):
    path = sweep_file(tmp_path)
    out = tmp_path / "out"
    args = ["sweep", str(path), "--out", str(out), "--executor", "serial"]
    edits = ["--set", "behaviour.unrest.noise=0.2", "--samples", "4", "--replications", "2"]
    assert main([*args, *edits]) == 0
    tables = load(out)
    assert len(tables["runs"]) == 8
    manifest = tables["manifest"]
    assert manifest["edits"] == ["behaviour.unrest.noise=0.2"] and manifest["spec"]["samples"] == 4
    capsys.readouterr()
    assert main([*args, "--set", "behaviour.unrest.noise=7"]) == 2
    assert capsys.readouterr().err.startswith(
        "--set behaviour.unrest.noise=7: behaviour.unrest.noise: must be"
    )
    assert (
        main([*args, "--samples", "3", "--set", "behaviour.unrest.noise=0.2"]) == 2
    )  # another sweep
    assert "another experiment" in capsys.readouterr().err
    sobol = sweep_file(tmp_path, name="sobol.yaml", design="sobol", samples=4)
    assert main(["sweep", str(sobol), "--out", str(tmp_path / "s"), "--samples", "6"]) == 2
    assert capsys.readouterr().err.startswith("--samples 6: samples: a sobol design needs")


def test_dry_run_shows_the_plan_and_what_is_done(tmp_path, capsys):
    path = sweep_file(tmp_path, WHOLE, design="grid", samples=3, replications=2)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert "9 design rows x 2 replications = 18 runs" in text and "whole numbers" in text
    assert "0 already done, 18 to run" in text and not out.exists()
    assert main(["sweep", str(path), "--out", str(out), "--executor", "serial"]) == 0
    capsys.readouterr()
    assert main(["sweep", str(path), "--out", str(out), "--dry-run"]) == 0
    assert "18 already done, 0 to run" in capsys.readouterr().out


def test_sweep_writes_to_out_and_the_file_name_by_default(tmp_path, monkeypatch):
    path = sweep_file(tmp_path, name="my_sweep.yaml", samples=2, replications=1)
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", str(path), "--executor", "serial"]) == 0
    assert (tmp_path / "out" / "my_sweep" / "manifest.json").exists()


def test_a_ctrl_c_while_the_pool_starts_a_worker_is_held_until_it_has_started():
    """A Ctrl-C during a submit comes out after it, so the worker it starts is the pool's."""
    from sim.experiments.executors import _ctrl_c_held

    before = signal.getsignal(signal.SIGINT)
    steps = []
    with pytest.raises(KeyboardInterrupt), _ctrl_c_held():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)  # the signal is handled here, and held
        steps.append("the block went on")
    assert steps == ["the block went on"]
    assert signal.getsignal(signal.SIGINT) is before
    with _ctrl_c_held():  # no Ctrl-C, nothing raised
        steps.append("again")
    assert steps[-1] == "again" and signal.getsignal(signal.SIGINT) is before


def test_a_scenario_sent_to_a_worker_arrives_with_its_field_names_interned():
    import pickle

    from pydantic import BaseModel

    from sim.model import CrisisModel
    from sim.outcomes import outcomes
    from sim.scenario import load_scenario

    base = load_scenario(HISTORICAL)
    sent = pickle.loads(pickle.dumps(base))

    def models(node):
        if isinstance(node, BaseModel):
            yield node
            for value in node.__dict__.values():
                yield from models(value)
        elif isinstance(node, dict):
            for value in node.values():
                yield from models(value)
        elif isinstance(node, list | tuple):
            for value in node:
                yield from models(value)

    received = list(models(sent))
    assert len(received) > 20
    assert all(k is sys.intern(k) for m in received for k in m.__dict__)
    assert sent == base
    assert outcomes(CrisisModel(sent, rng=7).run()) == outcomes(CrisisModel(base, rng=7).run())
