"""Every command in the README runs as written, and its YAML examples validate.

A command is a line of a ``sh`` block. They run in order, in a scratch folder where
``scenarios/`` is the repository's, so that what one writes (``out/patron_sobol``, ``cmp``) the
next reads, as for a user following the README. Commands that set up the machine or that are
this test suite itself are listed in ``NOT_RUN`` with the reason; the ``sim`` commands of
``scripts/replay`` run here instead of the script. The benchmarks the README names run with tiny
sizes, so that their code cannot rot unseen.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT
from tests.dashboard_server import dashboard

README = ROOT / "README.md"
BLOCK = re.compile(r"^[ \t]*```(\w+)\n(.*?)^[ \t]*```", re.S | re.M)
NOT_RUN = {
    "scripts/replay": "sets up .venv; its sim commands run here (replay_commands)",
    "scripts/test": "this test suite itself, run by CI",
    ".venv/bin/pip install -e '.[notebooks]'": "installs JupyterLab",
    ".venv/bin/jupyter lab notebooks/": "opens an interactive server; the notebooks run in "
    "tests/test_notebooks.py",
    ".venv/bin/pip install -e '.[dashboard]'": "installs the extra scripts/test installs",
}
SIM = {"sim", ".venv/bin/sim"}


def blocks(language: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(README.read_text()) if lang == language]


def readme_commands() -> list[str]:
    lines = [re.sub(r"\s+#.*$", "", line.strip()) for b in blocks("sh") for line in b.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def replay_commands() -> list[str]:
    script = (ROOT / "scripts" / "replay").read_text().splitlines()
    return [line for line in script if line.startswith(".venv/bin/sim ")]


def argv(line: str, cwd: Path = ROOT) -> list[str]:
    """The words of a command line, its globs expanded in ``cwd`` as a shell would."""
    words = []
    for word in shlex.split(line, comments=True):
        matches = sorted(str(p.relative_to(cwd)) for p in cwd.glob(word)) if "*" in word else []
        words += matches or [word]
    if words[0] in SIM:
        return [sys.executable, "-m", "sim", *words[1:]]
    if words[0] == ".venv/bin/python":
        return [sys.executable, *words[1:]]
    return words


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("readme")
    (root / "scenarios").symlink_to(ROOT / "scenarios")
    return root


def test_the_readme_has_commands_and_names_what_it_does_not_run():
    commands = readme_commands()
    assert len(commands) >= 10
    assert set(NOT_RUN) <= set(commands), "a command listed in NOT_RUN left the README"
    assert all(c in NOT_RUN or argv(c)[0] == sys.executable for c in commands), commands


def test_every_readme_command_runs_as_written(workspace):
    for line in replay_commands() + [c for c in readme_commands() if c not in NOT_RUN]:
        words = argv(line, workspace)
        if words[2:4] == ["sim", "dashboard"]:
            serve_and_stop(words, workspace)
            continue
        proc = subprocess.run(
            words, cwd=workspace, capture_output=True, text=True, timeout=600, env=_env()
        )
        assert proc.returncode == 0, f"{line}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        assert "Traceback" not in proc.stderr, line
    for path in ("ots_box.png", "troops.png", "replay.svg", "out/patron_sobol", "cmp/historical"):
        assert (workspace / path).exists(), path
    for body in blocks("python"):
        proc = subprocess.run(
            [sys.executable, "-c", body], cwd=workspace, capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stderr


def _env() -> dict[str, str]:
    return os.environ | {"MPLBACKEND": "Agg"}


def serve_and_stop(words: list[str], cwd: Path) -> None:
    """Start the dashboard as written (on a free port), wait for it, stop it with SIGTERM."""
    pytest.importorskip("solara", reason="the dashboard extra is not installed")
    with dashboard(words, cwd, _env()):
        pass


def test_the_readme_yaml_examples_validate(tmp_path):
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    for name in ("historical.yaml", "defaults.yaml"):
        (scenarios / name).symlink_to(ROOT / "scenarios" / name)
    for folder in ("counterfactuals", "crises"):
        (scenarios / folder).symlink_to(ROOT / "scenarios" / folder)
    (scenarios / "readme").mkdir()
    examples = blocks("yaml")
    assert examples
    for i, body in enumerate(examples):
        path = scenarios / "readme" / f"example_{i}.yaml"
        path.write_text(body)
        assert isinstance(yaml.safe_load(body), dict)
        proc = subprocess.run(
            [sys.executable, "-m", "sim", "validate", str(path)], capture_output=True, text=True
        )
        assert proc.returncode == 0, f"{body}\n{proc.stderr}"


def test_the_commands_synopsis_names_real_options():
    (synopsis,) = [b for b in blocks("text") if b.startswith("sim run")]
    for line in synopsis.splitlines():
        words = line.split()
        if words[0] == "sim":
            command = words[1]
        help_text = subprocess.run(
            [sys.executable, "-m", "sim", command, "--help"], capture_output=True, text=True
        ).stdout
        for option in re.findall(r"--[a-z-]+", line):
            assert option in help_text, f"sim {command} has no {option}"


@pytest.mark.parametrize(
    "command",
    [
        ["benchmarks/runs_per_second.py", "--runs", "5"],
        ["benchmarks/scaling.py", "--runs", "2", "--passes", "1"],
        ["benchmarks/sweep_speed.py", "--runs", "40"],
        ["benchmarks/sweep_memory.py", "--runs", "200"],
        ["benchmarks/startup.py", "--repeat", "1"],
    ],
    ids=lambda c: Path(c[0]).stem,
)
def test_the_benchmarks_the_readme_names_run(command):
    assert command[0] in README.read_text()
    proc = subprocess.run(
        [sys.executable, *command], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_the_readme_states_the_default_sweep_folder_the_command_uses(tmp_path, monkeypatch):
    from sim.cli.sweeps import default_out

    stated = re.search(r"under `--out` \(default `out/<([^>]+)>`\)", README.read_text())
    assert stated and stated.group(1) == "sweep file name without .yaml"
    assert default_out("any/where/my_sweep.yaml") == Path("out") / "my_sweep"
    help_text = subprocess.run(
        [sys.executable, "-m", "sim", "sweep", "--help"], capture_output=True, text=True
    ).stdout
    assert "default out/<sweep file name>" in " ".join(help_text.split())
