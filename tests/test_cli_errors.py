"""Bad input and interruptions: one line naming the input, the right exit status, nothing lost."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.experiments import load
from tests.conftest import HISTORICAL, ROOT

BORDER_WAR = ROOT / "scenarios" / "examples" / "border_war.yaml"


def sim(*args: str, cwd: Path | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
    )


def one_line(proc: subprocess.CompletedProcess, status: int, *expected: str) -> str:
    """Check the exit status and that stderr is one line without a traceback, naming things."""
    err = proc.stderr.strip()
    assert proc.returncode == status, (proc.returncode, err, proc.stdout[-500:])
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    for text in expected:
        assert text in err, err
    return err


def sweep_file(tmp_path: Path, body: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"name: t\nbase: {HISTORICAL}\n" + textwrap.dedent(body))
    return path


LHS = """\
    design: lhs
    samples: 40
    replications: 5
    seed: 1
    parameters:
      - path: behaviour.unrest.suppression
        bounds: [0.06, 0.2]
    """


@pytest.mark.parametrize("seed", ["-1", "x"])
def test_a_bad_seed_is_one_line_naming_the_option(seed):
    one_line(sim("run", str(HISTORICAL), "--seed", seed), 2, "--seed")


def test_an_out_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "afile"
    target.write_text("keep me")
    for args in (
        ["run", str(HISTORICAL), "--seeds", "2", "--out", str(target)],
        ["compare", str(HISTORICAL), str(BORDER_WAR), "--seeds", "2", "--out", str(target)],
        ["sweep", str(sweep_file(tmp_path, LHS)), "--out", str(target)],
    ):
        one_line(sim(*args), 2, str(target), "is a file")
    assert target.read_text() == "keep me"


def test_a_rerun_into_an_out_of_other_seeds_or_another_scenario_keeps_the_first(tmp_path):
    out = tmp_path / "out"
    first = sim("run", str(HISTORICAL), "--seeds", "3", "--out", str(out), "--executor", "serial")
    assert first.returncode == 0, first.stderr
    before = load(out)["runs"]
    for args in (["--seeds", "4"], ["--seed", "9", "--seeds", "3"]):
        one_line(sim("run", str(HISTORICAL), *args, "--out", str(out)), 2, str(out), "another")
    one_line(sim("run", str(BORDER_WAR), "--seeds", "3", "--out", str(out)), 2, "another")
    pd.testing.assert_frame_equal(load(out)["runs"], before)
    again = sim("run", str(HISTORICAL), "--seeds", "3", "--out", str(out))
    assert again.returncode == 0 and "3 runs" in again.stdout


def test_a_figure_into_a_missing_folder_is_refused_before_any_work(tmp_path):
    out = tmp_path / "results"
    assert sim("run", str(HISTORICAL), "--seeds", "2", "--out", str(out)).returncode == 0
    missing = tmp_path / "nowhere" / "fan.png"
    one_line(sim("plot", "fan", str(out), "--out", str(missing)), 2, "nowhere", "does not exist")
    one_line(sim("plot", "fan", str(out), "--out", str(tmp_path / "fan.gif")), 2, ".png")


def test_a_port_out_of_range_is_refused():
    one_line(sim("dashboard", "--port", "99999", cwd=ROOT), 2, "--port", "65535")


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b"])
def test_control_characters_in_a_scenario_are_one_located_line(tmp_path, char):
    path = tmp_path / "bad.yaml"
    path.write_text(f"extends: {HISTORICAL}\nname: a{char}b\n")
    for command in ("validate", "run"):
        err = one_line(sim(command, str(path)), 2, f"{path}:2:", "control character")
        assert f"U+{ord(char):04X}" in err


def test_plot_timeline_of_another_crisis_is_one_line(tmp_path):
    out = tmp_path / "bw"
    assert sim("run", str(BORDER_WAR), "--seeds", "2", "--out", str(out)).returncode == 0
    one_line(
        sim("plot", "timeline", str(out), "--out", str(tmp_path / "t.png")), 2, "names no record"
    )


def test_plot_fan_without_options_draws_the_foreign_troops(tmp_path):
    out = tmp_path / "bw"
    assert sim("run", str(BORDER_WAR), "--seeds", "2", "--out", str(out)).returncode == 0
    figure = tmp_path / "fan.png"
    proc = sim("plot", "fan", str(out), "--out", str(figure))
    assert proc.returncode == 0, proc.stderr
    assert figure.stat().st_size > 0
    one_line(
        sim("plot", "fan", str(out), "--variable", "violence", "--out", str(figure)),
        2,
        "choose one with --entity",
    )


def test_a_grid_too_large_is_refused_at_once_and_dry_run_shows_the_plan(tmp_path):
    grid = sweep_file(
        tmp_path,
        """\
        design: grid
        samples: 1000
        parameters:
          - path: behaviour.unrest.suppression
            bounds: [0.06, 0.2]
          - path: behaviour.unrest.contagion
            bounds: [0.1, 1.0]
          - path: behaviour.unrest.violence_rate
            bounds: [0.1, 1.0]
        """,
    )
    t0 = time.perf_counter()
    one_line(
        sim("sweep", str(grid), "--out", str(tmp_path / "g")), 2, "1,000,000,000 runs", "--force"
    )
    assert time.perf_counter() - t0 < 30
    assert not (tmp_path / "g").exists()
    plan = sim("sweep", str(grid), "--dry-run", "--out", str(tmp_path / "g"))
    assert plan.returncode == 0 and "1,000,000,000 runs" in plan.stdout
    assert not (tmp_path / "g").exists()


def test_a_sweep_prints_its_size_before_it_starts(tmp_path):
    proc = sim("sweep", str(sweep_file(tmp_path, LHS)), "--out", str(tmp_path / "o"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].endswith("200 runs planned, 0 already done")


def _start_sweep(path: Path, out: Path, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "sim", "sweep", str(path), "--out", str(out), *extra]
    return subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )


def _wait_for_parts(out: Path, n: int, proc: subprocess.Popen) -> None:
    deadline = time.time() + 120
    while len(list((out / "runs").glob("part-*.parquet"))) < n:
        assert proc.poll() is None, proc.communicate()
        assert time.time() < deadline
        time.sleep(0.05)


BIG = LHS.replace("samples: 40", "samples: 800")


@pytest.mark.parametrize("executor", ["serial", "local"])
def test_ctrl_c_stops_cleanly_keeps_what_ran_and_resumes(tmp_path, executor):
    path = sweep_file(tmp_path, BIG)
    out = tmp_path / "out"
    proc = _start_sweep(path, out, "--executor", executor, "--workers", "2", "--chunk", "20")
    _wait_for_parts(out, 3, proc)
    os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C in a terminal: the whole process group
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    err = stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert "interrupted" in err and "run the same command again to resume" in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    kept = load(out)["runs"]
    assert 0 < len(kept) < 4000 and f"{len(kept):,} of 4,000 runs are stored" in err
    done = sim("sweep", str(path), "--out", str(out), "--executor", "serial", timeout=600)
    assert done.returncode == 0, done.stderr
    assert f"{len(kept)} already done" in done.stdout
    resumed = load(out)
    assert resumed["manifest"]["status"] == "finished"
    assert resumed["runs"].run_id.tolist() == list(range(4000))


def test_a_second_sweep_into_a_folder_in_use_is_refused(tmp_path):
    path = sweep_file(tmp_path, BIG)
    out = tmp_path / "out"
    first = _start_sweep(path, out, "--executor", "serial", "--chunk", "20")
    _wait_for_parts(out, 1, first)
    second = sim("sweep", str(path), "--out", str(out), "--executor", "serial")
    one_line(second, 2, str(out), "another sim process", f"pid {first.pid}")
    os.killpg(first.pid, signal.SIGKILL)  # a crash: the lock must not outlive it
    first.wait()
    again = sim("sweep", str(path), "--out", str(out), "--executor", "local", timeout=600)
    assert again.returncode == 0, again.stderr
    assert load(out)["runs"].run_id.is_unique


def test_a_failed_computation_is_one_line_and_status_1(tmp_path):
    code = textwrap.dedent(
        """
        import sys
        import sim.runner
        def broken(*a, **k):
            raise RuntimeError("engine broke\\nacross lines")
        sim.runner.run_one = broken
        from sim.cli import main
        sys.exit(main(["run", sys.argv[1]]))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(HISTORICAL)], capture_output=True, text=True
    )
    one_line(proc, 1, "sim run: failed: RuntimeError: engine broke across lines")


def test_ctrl_c_during_a_summary_without_out_keeps_nothing_and_says_so():
    cmd = [sys.executable, "-m", "sim", "run", str(HISTORICAL), "--seeds", "50000"]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    time.sleep(4)
    assert proc.poll() is None
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130 and stderr.strip() == "sim run: interrupted"


def _older_python() -> str | None:
    """An interpreter on PATH older than 3.12, if the machine has one."""
    for name in ("python3.11", "python3.10", "python3"):
        exe = shutil.which(name)
        if exe is None:
            continue
        out = subprocess.run(
            [exe, "-c", "import sys; print(sys.version_info < (3, 12))"],
            capture_output=True,
            text=True,
        )
        if out.stdout.strip() == "True":
            return exe
    return None


def test_an_older_python_is_told_the_version_needed_not_a_syntax_error():
    exe = _older_python()
    if exe is None:
        pytest.skip("no Python older than 3.12 on PATH")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYENV")}
    proc = subprocess.run(
        [exe, "-m", "sim", "run", str(HISTORICAL)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    one_line(proc, 2, "sim needs Python 3.12 or later", "scripts/setup")
