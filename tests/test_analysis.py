"""`sim analyze`: sensitivity indices and PRIM boxes, checked on outcomes with a known answer."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from sim.cli import main
from sim.experiments import load
from sim.experiments.conditions import AnalysisError
from sim.experiments.discovery import prim_boxes
from sim.experiments.sensitivity import morris_indices, sobol_indices
from tests.conftest import HISTORICAL, ROOT

DELAY = "behaviour.provider.latency.consensus"
SUPPRESSION = "behaviour.unrest.suppression"
AIRLIFT = "actors.russia.force.transport_days"
PARAMETERS = f"""
parameters:
  - path: {DELAY}
    bounds: [0.1, 3.0]
  - path: {SUPPRESSION}
    bounds: [0.06, 0.2]
  - path: {AIRLIFT}
    bounds: [0.2, 2.0]
"""


def _sweep(root: Path, name: str, head: str, base: Path = HISTORICAL) -> Path:
    spec = root / f"{name}.yaml"
    spec.write_text(f"name: {name}\nbase: {base}\n" + textwrap.dedent(head))
    out = root / name
    assert main(["sweep", str(spec), "--out", str(out), "--executor", "serial"]) == 0
    return out


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("sweeps")
    ots = ROOT / "scenarios" / "counterfactuals" / "ots_standing_force.yaml"
    return {
        "sobol": _sweep(root, "sobol", "design: sobol\nsamples: 32\nseed: 3\n" + PARAMETERS),
        "morris": _sweep(root, "morris", "design: morris\nsamples: 12\nseed: 3\n" + PARAMETERS),
        "lhs": _sweep(root, "lhs", "design: lhs\nsamples: 300\nseed: 4\n" + PARAMETERS),
        "who": _sweep(
            root,
            "who",
            """
            design: montecarlo
            samples: 300
            seed: 5
            parameters:
              - path: behaviour.host.w_reaction
                bounds: [0.0, 3.0]
              - path: behaviour.host.w_sovereignty
                bounds: [0.0, 4.0]
              - path: actors.kazakhstan.sovereignty_cost.csto
                bounds: [0.0, 1.0]
              - path: treaties.ots_force_agreement.kind
                levels: [political, mutual_assistance]
            """,
            base=ots,
        ),
    }


def test_sobol_puts_all_sensitivity_on_the_only_parameter_that_matters(sweeps):
    indices = sobol_indices(load(sweeps["sobol"]), f"`{DELAY}` ** 2").set_index("parameter")
    assert indices.loc[DELAY, "ST"] == pytest.approx(1.0, abs=0.1)
    assert indices.loc[DELAY, "S1"] == pytest.approx(1.0, abs=0.15)
    for other in (SUPPRESSION, AIRLIFT):
        assert abs(indices.loc[other, "S1"]) < 0.05 and indices.loc[other, "ST"] < 0.05


def test_sobol_on_a_model_outcome_ranks_suppression_first_for_casualties(sweeps):
    indices = sobol_indices(load(sweeps["sobol"]), "casualty_index").set_index("parameter")
    assert indices.ST.idxmax() == SUPPRESSION
    assert list(indices.columns) == ["S1", "S1_conf", "ST", "ST_conf"]


def test_morris_gives_no_effect_to_parameters_that_do_not_matter(sweeps):
    indices = morris_indices(load(sweeps["morris"]), f"`{AIRLIFT}` * 3").set_index("parameter")
    assert indices.loc[AIRLIFT, "mu_star"] > 0
    assert indices.loc[DELAY, "mu_star"] == 0 and indices.loc[SUPPRESSION, "mu_star"] == 0
    assert indices.loc[AIRLIFT, "sigma"] == pytest.approx(0, abs=1e-9)  # a linear effect


def test_prim_finds_the_box_that_defines_the_condition(sweeps):
    where = f"`{DELAY}` > 1.5 and `{SUPPRESSION}` < 0.12"
    found = prim_boxes(load(sweeps["lhs"]), where)
    limits = found.limits.set_index("parameter")
    assert set(limits.index) == {DELAY, SUPPRESSION}
    assert limits.loc[DELAY, "low"] == pytest.approx(1.5, abs=0.15)
    assert limits.loc[SUPPRESSION, "high"] == pytest.approx(0.12, abs=0.015)
    assert found.box.density >= 0.8 and found.box.coverage >= 0.7
    assert 0 < found.positives < found.runs == 300


def test_prim_on_the_ots_question_keeps_the_force_agreement(sweeps):
    found = prim_boxes(load(sweeps["who"]), "request_to == 'ots'")
    limits = found.limits.set_index("parameter")
    assert limits.loc["treaties.ots_force_agreement.kind", "levels"] == "mutual_assistance"
    assert found.box.density >= 0.8


@pytest.mark.parametrize(
    ("kind", "args", "message"),
    [
        ("lhs", ["--method", "sobol", "--outcome", "casualty_index"], "need a sobol design"),
        ("sobol", ["--method", "sobol", "--outcome", "request_to"], "give a condition"),
        ("sobol", ["--method", "sobol", "--outcome", "nonsense +"], "cannot evaluate"),
        ("lhs", ["--method", "prim", "--where", "casualty_index"], "not a condition"),
        ("lhs", ["--method", "prim", "--where", "casualty_index < 0"], "holds in none"),
        ("lhs", ["--method", "prim"], "needs --where"),
    ],
)
def test_analyze_refuses_what_it_cannot_do_in_one_line(sweeps, capsys, kind, args, message):
    assert main(["analyze", str(sweeps[kind]), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(str(sweeps[kind])) and message in err and "\n" not in err


def test_analyze_refuses_replications_and_missing_directories(tmp_path, capsys):
    out = tmp_path / "reps"
    assert (
        main(["run", str(HISTORICAL), "--seeds", "3", "--out", str(out), "--executor", "serial"])
        == 0
    )
    capsys.readouterr()
    assert main(["analyze", str(out), "--method", "prim", "--where", "arrival_day > 4"]) == 2
    assert "not a sweep" in capsys.readouterr().err
    assert main(["analyze", str(tmp_path / "none"), "--method", "sobol", "--outcome", "x"]) == 2
    assert "no manifest.json" in capsys.readouterr().err


def test_analyze_prints_a_table_and_json(sweeps, capsys):
    assert (
        main(["analyze", str(sweeps["sobol"]), "--method", "sobol", "--outcome", "troop_days"]) == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("# sobol indices of 'troop_days'") and DELAY in out
    args = ["analyze", str(sweeps["lhs"]), "--method", "prim", "--json"]
    assert main([*args, "--where", f"`{DELAY}` > 1.5"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["method"] == "prim" and data["table"][0]["parameter"] == DELAY
    assert {"coverage", "density", "mass", "res_dim"} <= set(data["box"])


def test_a_bad_figure_name_is_refused_before_any_work(sweeps, capsys):
    args = ["--method", "sobol", "--outcome", "troop_days", "--out", "figure.jpg2"]
    assert main(["analyze", str(sweeps["sobol"]), *args]) == 2
    assert "must end in .png" in capsys.readouterr().err


def test_conditions_name_the_problem():
    import pandas as pd

    from sim.experiments.conditions import numeric

    runs = pd.DataFrame({"a": [1.0, None]})
    with pytest.raises(AnalysisError, match="missing in 1 of 2 runs"):
        numeric(runs, "a")


@pytest.fixture(scope="module")
def replays(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("replays")
    files = {
        "historical": HISTORICAL,
        "moscow_hesitates": ROOT / "scenarios" / "counterfactuals" / "moscow_hesitates.yaml",
    }
    for name, path in files.items():
        args = ["run", str(path), "--seeds", "4", "--out", str(root / name), "--executor", "serial"]
        assert main(args) == 0
    return {name: root / name for name in files}


def test_analyze_draws_its_figure(sweeps, tmp_path, capsys):
    out = tmp_path / "sobol.svg"
    args = ["--method", "sobol", "--outcome", "casualty_index", "--out", str(out)]
    assert main(["analyze", str(sweeps["sobol"]), *args]) == 0
    assert (
        out.read_text().lstrip().startswith("<?xml") and f"wrote {out}" in capsys.readouterr().out
    )


PLOTS = {
    "timeline": (["historical"], []),
    "heatmap": (["historical"], ["--variable", "protest"]),
    "fan": (["historical", "moscow_hesitates"], ["--variable", "foreign_troops"]),
    "compare": (["historical", "moscow_hesitates"], ["--outcome", "arrival_day"]),
    "response": (["lhs"], ["--x", DELAY, "--outcome", "arrival_day - request_day"]),
    "sensitivity": (["morris"], ["--method", "morris", "--outcome", "troop_days"]),
    "prim": (["lhs"], ["--where", f"`{DELAY}` > 2"]),
}


@pytest.mark.parametrize("kind", PLOTS)
def test_plot_writes_each_kind_of_figure(kind, sweeps, replays, tmp_path, capsys):
    names, args = PLOTS[kind]
    dirs = [str({**sweeps, **replays}[n]) for n in names]
    out = tmp_path / f"{kind}.png"
    assert main(["plot", kind, *dirs, *args, "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"\x89PNG") and out.stat().st_size > 10_000


@pytest.mark.parametrize(
    ("kind", "args", "message"),
    [
        ("timeline", ["lhs"], "no events table was kept"),
        ("fan", ["historical", "--variable", "rainfall"], "rainfall"),
        ("compare", ["historical"], "needs --outcome"),
        ("heatmap", ["historical", "lhs"], "takes one results directory"),
    ],
)
def test_plot_refuses_in_one_line(kind, args, message, sweeps, replays, tmp_path, capsys):
    named = {**sweeps, **replays}
    args = [str(named[a]) if a in named else a for a in args]
    assert main(["plot", kind, *args, "--out", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
    assert not (tmp_path / "x.png").exists()


def test_prim_warns_when_no_box_is_dense_enough(sweeps, capsys):
    args = ["analyze", str(sweeps["lhs"]), "--method", "prim", "--json", "--min-density", "1.0"]
    assert main([*args, "--where", "run_id % 2 == 0"]) == 0  # no box explains noise
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["reaches_min_density"] is False
    warning = captured.err.strip()
    assert warning.startswith(f"{sweeps['lhs']}: warning: no box reaches density 1")
    assert f"densest ({data['box']['density']:.2f})" in warning


def test_every_analysis_method_is_explained_in_the_help():
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "sim", "analyze", "--help"], capture_output=True, text=True
    )
    text = " ".join(proc.stdout.split())
    for method in ("sobol: Sobol", "morris: Morris", "prim: PRIM"):
        assert method in text
