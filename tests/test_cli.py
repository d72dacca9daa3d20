"""The `sim` command: exit codes, one-line errors on bad scenario files, and the outputs."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sim.cli import main
from sim.experiments import load
from tests.conftest import HISTORICAL, KZ2022_RECORD, ROOT


def sim(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def _child(tmp_path: Path, body: str, name: str = "child.yaml") -> Path:
    p = tmp_path / name
    p.write_text(f"extends: {HISTORICAL}\n" + textwrap.dedent(body))
    return p


BAD = {
    "wrong_type": ("calendar:\n  horizon_days: many\n", "calendar.horizon_days", 3),
    "unknown_key": ("behaviour:\n  unrest:\n    contagoin: 0.3\n", "did you mean 'contagion'", 4),
    "out_of_range": (
        "behaviour:\n  provider:\n    rungs:\n      pledge: 99\n",
        "behaviour.provider.rungs.pledge",
        5,
    ),
    "unknown_actor": ("blocs:\n  csto:\n    chair: atlantis\n", "blocs.csto.chair", 4),
    "unknown_region": (
        "regions:\n  almaty:\n    neighbours: [almaty_region, atlantis]\n",
        "unknown region 'atlantis'",
        4,
    ),
    "bad_role": ("actors:\n  iran:\n    role: emperor\n", "actors.iran.role", 4),
    "attacker_on_economic_shock": ("shock:\n  attacker: russia\n", "only a state attack", 3),
    "treaty_of_nobody": (
        "treaties:\n  pact:\n    name: Pact\n    parties: [kazakhstan, atlantis]\n"
        "    kind: mutual_assistance\n    article: one\n    source: assumed\n",
        "unknown bloc or actor 'atlantis'",
        5,
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_scenario_gives_one_located_line_and_exit_2(tmp_path, case):
    body, expected, line = BAD[case]
    path = _child(tmp_path, body)
    proc = sim("validate", str(path))
    assert proc.returncode == 2
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err
    assert err.startswith(f"{path}:{line}:"), err
    assert expected in err


def test_extends_cycle(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\nname: a\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\nname: b\n")
    proc = sim("validate", str(tmp_path / "a.yaml"))
    assert proc.returncode == 2 and "cycle" in proc.stderr.lower()
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "text, expected",
    [
        ("name: [unclosed\n", "yaml"),
        ("name: !!python/object/apply:os.system ['echo hi']\n", "not allowed"),
    ],
)
def test_malformed_or_unsafe_yaml(tmp_path, text, expected):
    p = tmp_path / "bad.yaml"
    p.write_text(text)
    proc = sim("validate", str(p))
    assert proc.returncode == 2
    assert expected in proc.stderr.lower()
    assert "Traceback" not in proc.stderr


def test_alias_bomb_fails_fast(tmp_path):
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    p = tmp_path / "bomb.yaml"
    p.write_text("\n".join(lines) + "\n")
    proc = sim("validate", str(p))
    assert proc.returncode == 2 and "alias" in proc.stderr.lower()


def test_validate_good_files_and_counterfactual_override(tmp_path):
    child = _child(tmp_path, "switches:\n  host_may_request: false\n")
    proc = sim("validate", str(HISTORICAL), str(child))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count(": ok") == 2


def test_run_prints_narrative_and_writes_the_dataset(tmp_path, capsys):
    assert main(["run", str(HISTORICAL), "--seed", "3", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "2022-01-0" in out and "request help -> csto" in out and "# outcomes" in out
    tables = load(tmp_path)
    assert list(tables["runs"].seed) == [3] and (tables["runs"].status == "ok").all()
    assert set(tables["events"].run_id) == {0}
    assert {"protest", "violence", "foreign_troops"} <= set(tables["series"].variable)


def test_run_many_seeds_prints_medians_and_intervals(capsys):
    assert main(["run", str(HISTORICAL), "--seeds", "5"]) == 0
    out = capsys.readouterr().out
    assert "median [5th, 95th percentile of runs]" in out and "Wilson 95% interval" in out
    assert "request_to" in out and "csto: 100%" in out and "diff" not in out


def test_replay_check_json(capsys):
    assert main(["replay-check", "--seeds", "5", "--json", str(HISTORICAL)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"crises", "mean_score"}
    (crisis,) = data["crises"]
    assert crisis["scenario"] == "historical" and crisis["runs"] == 5
    assert crisis["record"] == str(KZ2022_RECORD)
    assert {"score", "exact", "mae_days", "brier", "crps", "targets", "forbidden"} <= set(crisis)
    assert {"action", "record_date", "hit_rate", "exact_rate", "crps"} <= set(crisis["targets"][0])
    assert data["mean_score"] == crisis["score"]
    base = crisis["baselines"]
    assert set(base) == {"nothing", "naive_answer"}
    assert all(set(b) == {"score", "brier", "crps"} for b in base.values())
    assert base["nothing"]["score"] == 0.0 and base["nothing"]["brier"] > crisis["brier"]


def test_replay_check_scores_each_crisis_against_its_own_record(tmp_path, capsys):
    library = ROOT / "scenarios" / "crises"
    # a scenario elsewhere that extends the historical one inherits its record, resolved
    # against the file that names it
    moved = tmp_path / "deep" / "copy.yaml"
    moved.parent.mkdir()
    moved.write_text(f"extends: {HISTORICAL}\nname: copy\n")
    assert main(["replay-check", "--seeds", "3", str(library / "kz2022.yaml"), str(moved)]) == 0
    out = capsys.readouterr().out
    assert f"# kz2022 ({library / 'kz2022.yaml'}) against {KZ2022_RECORD}" in out
    table = out[out.index("crisis ") :].splitlines()
    assert [line.split()[0] for line in table] == ["crisis", "kz2022", "copy", "mean"]
    assert table[1].split()[1] == table[2].split()[1]  # the same crisis, the same score


@pytest.mark.parametrize(
    "body, message",
    [
        ("record: null\n", "names no record to score against"),
        ("record: nowhere.yaml\n", "record file not found"),
    ],
)
def test_replay_check_needs_a_record(tmp_path, capsys, body, message):
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {HISTORICAL}\n{body}")
    assert main(["replay-check", "--seeds", "2", str(child)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(str(child)) and message in err and "\n" not in err


@pytest.mark.parametrize("args", [[], ["run"], ["run", "x.yaml", "--seeds", "0"], ["nope"]])
def test_usage_errors_exit_2(args):
    proc = sim(*args)
    assert proc.returncode == 2


def test_missing_file_exit_2(tmp_path):
    proc = sim("run", str(tmp_path / "absent.yaml"))
    assert proc.returncode == 2 and "absent.yaml" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("sub", ["run", "validate", "schema", "replay-check"])
def test_every_subcommand_has_help(sub):
    proc = sim(sub, "--help")
    assert proc.returncode == 0 and "usage" in proc.stdout


def test_validate_can_require_sources(tmp_path):
    child = _child(tmp_path, "behaviour:\n  unrest:\n    noise: 0.3\n")
    assert sim("validate", str(child)).returncode == 0
    proc = sim("validate", "--require-sources", str(child))
    assert proc.returncode == 2
    assert (
        proc.stderr.strip() == f"{child}:4: behaviour.unrest.noise: rule parameter without a source"
    )
    assert sim("validate", "--require-sources", str(HISTORICAL)).returncode == 0


def test_hide_adds_to_the_actions_hidden_by_default(capsys):
    assert main(["run", str(HISTORICAL), "--hide", "statement"]) == 0
    hidden = capsys.readouterr().out
    assert "  statement ->" not in hidden and "contingent arrives" not in hidden
    assert "request help" in hidden
    assert main(["run", str(HISTORICAL), "--show-all"]) == 0
    everything = capsys.readouterr().out
    assert "contingent arrives" in everything and "emergency declared" in everything
    assert "  statement ->" in everything
    assert main(["run", str(HISTORICAL), "--hide", "statment"]) == 2
    assert "did you mean 'statement'" in capsys.readouterr().err


def test_run_and_compare_take_edits(capsys, tmp_path):
    assert main(["run", str(HISTORICAL), "--set", "switches.host_may_request=false"]) == 0
    assert "request help" not in capsys.readouterr().out
    never = ["compare", str(HISTORICAL), str(HISTORICAL.parent / "examples" / "border_war.yaml")]
    assert main([*never, "--seeds", "2", "--set", "behaviour.unrest.noise=9"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("--set behaviour.unrest.noise=9: behaviour.unrest.noise:")
