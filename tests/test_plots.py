"""Figures drawn from real result tables: what each one shows, and that it renders."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection, PolyCollection, QuadMesh
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

import sim.plots
from sim.cli import main
from sim.experiments import load
from sim.experiments.engine import replicate
from sim.experiments.intervals import wilson_interval
from sim.experiments.spec import Keep
from sim.record import load_record, score_replay
from sim.runner import run_seeds
from sim.scenario import load_scenario
from tests.conftest import HISTORICAL, KZ2022_RECORD, ROOT

SEEDS = list(range(6))
SCENARIOS = {
    "historical": HISTORICAL,
    "moscow_hesitates": ROOT / "scenarios" / "counterfactuals" / "moscow_hesitates.yaml",
    "no_outside_help": ROOT / "scenarios" / "counterfactuals" / "no_outside_help.yaml",
}
DELAY = "behaviour.provider.latency.consensus"
MANDATE = "treaties.nakhchivan_agreement.kind"
PALETTE = {c.lower() for c in sim.plots.OKABE_ITO}


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> dict[str, dict]:
    """Replications of the historical scenario and two counterfactuals, series and events kept."""
    root = tmp_path_factory.mktemp("plots")
    out = {}
    for name, path in SCENARIOS.items():
        sc = load_scenario(path)
        keep = Keep(series=True, events=True)
        replicate(
            sc, SEEDS, root / name, source=str(path), keep=keep, executor="serial", progress=False
        )
        out[name] = load(root / name)
    return out


@pytest.fixture(scope="module")
def event_lists() -> list[list]:
    """The historical runs of the same seeds in memory: each run's list of Event objects."""
    return [r.events for r in run_seeds(load_scenario(HISTORICAL), SEEDS)]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> pd.DataFrame:
    """The runs table of a small sweep over a numeric and a text parameter."""
    root = tmp_path_factory.mktemp("sweep")
    spec = root / "tiny.yaml"
    spec.write_text(
        textwrap.dedent(
            f"""\
            base: {HISTORICAL}
            design: montecarlo
            samples: 16
            seed: 3
            parameters:
              - path: {DELAY}
                bounds: [0.1, 3.0]
              - path: {MANDATE}
                levels: [mutual_assistance, political]
            """
        )
    )
    assert main(["sweep", str(spec), "--out", str(root / "out"), "--executor", "serial"]) == 0
    return load(root / "out")["runs"]


def render(fig: Figure, tmp_path: Path, name: str) -> None:
    """Write the figure as PNG and SVG and check both files have content."""
    assert isinstance(fig, Figure)
    for ext in ("png", "svg"):
        path = tmp_path / f"{name}.{ext}"
        fig.savefig(path)
        assert path.stat().st_size > 1000


def legend_texts(fig: Figure) -> list[str]:
    """Texts of every legend of the figure, axes legends first."""
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend()] + list(fig.legends)
    return [t.get_text() for lg in legends for t in lg.get_texts()]


def assert_date_axis(ax, first: dt.date, last: dt.date) -> None:
    """The x axis shows real dates (concise date ticks) spanning ``first`` .. ``last``."""
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    lo, hi = (mdates.num2date(v).date() for v in ax.get_xlim())
    assert lo <= first and last <= hi
    assert (hi - lo).days < 60


def assert_labelled(ax) -> None:
    titles = [ax.get_title(loc) for loc in ("left", "center", "right")]
    assert any(titles) or ax.figure.get_suptitle()
    assert ax.get_xlabel()
    assert ax.get_ylabel()


# ------------------------------------------------------------------ replay timeline


def plotted_medians(ax) -> dict[str, dt.date]:
    """Target id -> the model median drawn on its row."""
    labels = [t.get_text() for t in ax.get_yticklabels()]
    out = {}
    for line in ax.get_lines():
        (x,), (y,) = line.get_xdata(), line.get_ydata()
        out[labels[round(y)].split(" ")[0]] = mdates.num2date(x).date()
    return out


def test_replay_timeline_medians_agree_with_the_replay_score(tables, event_lists, tmp_path):
    record = load_record(KZ2022_RECORD)
    fig = sim.plots.replay_timeline(tables["historical"]["events"], record)
    ax = fig.axes[0]
    assert len(fig.axes) == 1
    assert_labelled(ax)
    assert_date_axis(ax, dt.date(2022, 1, 2), dt.date(2022, 1, 19))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(labels) == sorted(t.id for t in record.targets)
    # the same runs in memory, scored with Target.first_match on Event objects
    score = score_replay(record, event_lists)
    assert plotted_medians(ax) == {t.id: t.model_median_date for t in score.targets}
    # record markers: one per target, each on its target's row at its record date
    (markers,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    by_id = {t.id: t.record_date for t in record.targets}
    drawn = {labels[round(y)]: mdates.num2date(x).date() for x, y in markers.get_offsets()}
    assert drawn == by_id
    # rows grouped by actor (each actor's rows contiguous), tick labels coloured by actor
    actors = [next(t.actor for t in record.targets if t.id == lab) for lab in labels]
    blocks = [a for i, a in enumerate(actors) if i == 0 or a != actors[i - 1]]
    assert len(blocks) == len(set(actors))
    tick_colours = [to_hex(t.get_color()) for t in ax.get_yticklabels()]
    colour_of = dict(zip(actors, tick_colours, strict=True))
    assert tick_colours == [colour_of[a] for a in actors]
    assert len(set(colour_of.values())) == len(colour_of)
    assert set(colour_of.values()) <= PALETTE
    assert {"model median", "model 5-95% of runs", "record date"} <= set(legend_texts(fig))
    assert set(actors) <= set(legend_texts(fig))
    render(fig, tmp_path, "timeline")


def test_replay_timeline_says_never_and_how_often(tables):
    events = tables["historical"]["events"]
    record = load_record(KZ2022_RECORD)
    never = events[events["action"] != "withdrawal_complete"]
    once_less = never[~((never["action"] == "withdrawal_begins") & (never["run_id"] == 0))]
    ax = sim.plots.replay_timeline(once_less, record).axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "withdrawal_complete (never in model)" in labels
    assert "withdrawal_begins (in 83% of runs)" in labels
    medians = plotted_medians(ax)
    assert "withdrawal_complete" not in medians and "withdrawal_begins" in medians
    (markers,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(markers.get_offsets()) == len(record.targets)  # the record is always shown


def test_replay_timeline_median_and_spread(tables):
    events = tables["historical"]["events"].copy()
    record = load_record(KZ2022_RECORD)
    target = next(t for t in record.targets if t.id == "withdrawal_begins")
    rows = events["action"] == "withdrawal_begins"
    offsets = pd.to_timedelta(events.loc[rows, "run_id"], unit="D")  # run r: record date + r
    events.loc[rows, "date"] = [target.record_date + d for d in offsets]
    ax = sim.plots.replay_timeline(events, record).axes[0]
    assert plotted_medians(ax)["withdrawal_begins"] == target.record_date + dt.timedelta(days=2)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    row = labels.index("withdrawal_begins")
    bars = [c for c in ax.collections if not isinstance(c, PathCollection)]
    ((x0, _), (x1, _)) = next(seg for c in bars for seg in c.get_segments() if seg[0][1] == row)
    day = mdates.date2num(target.record_date)
    assert (x0 - day, x1 - day) == pytest.approx((0.25 - 0.2, 4.75 + 0.2))


def test_first_match_dates_honour_target_and_terms(tables, event_lists):
    record = load_record(KZ2022_RECORD)
    firsts = sim.plots.first_match_dates(tables["historical"]["events"], record)
    assert list(firsts.index) == SEEDS
    # the same runs in memory, matched with Target.first_match on Event objects
    for t in record.targets:
        expected = [m.date if (m := t.first_match(events)) else None for events in event_lists]
        got = [None if pd.isna(d) else d.date() for d in firsts[t.id]]
        assert got == expected, t.id
    # an earlier statement of another kind, or to another target, is not a match
    china = next(t for t in record.targets if t.id == "china_statement_support")
    csto = next(t for t in record.targets if t.id == "request_to_csto")
    assert china.terms and csto.target
    events = tables["historical"]["events"]
    decoys = pd.DataFrame(
        [
            {"run_id": 0, "time": 0.5, "date": dt.date(2022, 1, 1), "actor": china.actor,
             "action": china.action, "target": None, "terms": '{"kind": "concern"}'},
            {"run_id": 0, "time": 0.5, "date": dt.date(2022, 1, 1), "actor": csto.actor,
             "action": csto.action, "target": "elsewhere", "terms": "{}"},
        ]
    )  # fmt: skip
    again = sim.plots.first_match_dates(pd.concat([decoys, events]), record)
    assert again[china.id].equals(firsts[china.id])
    assert again[csto.id].equals(firsts[csto.id])


# ------------------------------------------------------------------ unrest heatmap


def test_unrest_heatmap_one_run(tables, tmp_path):
    sc = load_scenario(HISTORICAL)
    names = {k: r.name for k, r in sc.regions.items()}
    series = tables["historical"]["series"]
    fig = sim.plots.unrest_heatmap(series, run_id=3, variable="violence", names=names)
    heat, cbar, force = fig.axes
    assert "run 3" in heat.get_title()
    assert heat.get_ylabel() == "region"  # its dates are those of the panel below
    assert_labelled(force)
    assert cbar.get_ylabel().startswith("violence")
    days = sc.calendar.horizon_days + 1
    (image,) = heat.images
    assert image.get_array().shape == (len(sc.regions), days)
    assert [t.get_text() for t in heat.get_yticklabels()] == [r.name for r in sc.regions.values()]
    run = series[series.run_id == 3]
    expected = run[run.variable == "violence"].pivot(index="entity", columns="day", values="value")
    assert np.allclose(image.get_array(), expected.loc[list(sc.regions)].to_numpy())
    (dots,) = heat.collections
    assert len(dots.get_offsets()) == int(run[run.variable == "emergency"]["value"].sum()) > 0
    troops = run[(run.variable == "foreign_troops") & (run.entity == "all")]["value"].to_numpy()
    assert any(np.array_equal(line.get_ydata(), troops) for line in force.get_lines())
    assert troops.max() > 0  # arrival and withdrawal are there to see
    assert heat.get_xlim() == force.get_xlim()
    start = sc.calendar.start
    assert_date_axis(force, start, start + dt.timedelta(days=days - 1))
    assert legend_texts(fig) == ["emergency rule in force", "foreign troops present (all)"]
    render(fig, tmp_path, "heatmap")


def test_unrest_heatmap_defaults_and_errors(tables):
    series = tables["historical"]["series"]
    fig = sim.plots.unrest_heatmap(series, variable="protest")
    assert "run 0" in fig.axes[0].get_title()
    assert fig.axes[0].get_yticklabels()[0].get_text() == "mangystau"  # ids without names
    with pytest.raises(ValueError, match="run 99"):
        sim.plots.unrest_heatmap(series, run_id=99)
    with pytest.raises(ValueError, match="'grievance'"):
        sim.plots.unrest_heatmap(series, variable="grievance")


# ------------------------------------------------------------------ fan chart


def test_fan_chart_medians_bands_legend(tables, tmp_path):
    series = {n: tables[n]["series"] for n in ("historical", "moscow_hesitates")}
    fig = sim.plots.fan_chart(series, "foreign_troops")
    (ax,) = fig.axes
    assert_labelled(ax)
    assert "troops" in ax.get_ylabel()
    assert_date_axis(ax, dt.date(2022, 1, 1), dt.date(2022, 1, 29))
    assert len(ax.get_lines()) == 2
    assert sum(isinstance(c, PolyCollection) for c in ax.collections) == 4
    assert legend_texts(fig) == list(series)
    for line, (name, table) in zip(ax.get_lines(), series.items(), strict=True):
        rows = table[(table.variable == "foreign_troops") & (table.entity == "all")]
        median = rows.groupby("day")["value"].median().to_numpy()
        assert np.allclose(line.get_ydata(), median), name
        assert to_hex(line.get_color()) in PALETTE
    colours = {to_hex(line.get_color()) for line in ax.get_lines()}
    assert len(colours) == 2
    # the counterfactual's force mostly does not come: its median stays at zero
    peaks = [max(line.get_ydata()) for line in ax.get_lines()]
    assert peaks[0] > 0 and peaks[1] < peaks[0]
    render(fig, tmp_path, "fan")


def test_fan_chart_rejects_absent_variable_or_entity(tables):
    series = {"historical": tables["historical"]["series"]}
    with pytest.raises(ValueError, match=r"historical: no variable 'morale'.*foreign_troops"):
        sim.plots.fan_chart(series, "morale")
    with pytest.raises(ValueError, match=r"no entity 'nobody' for 'influence'"):
        sim.plots.fan_chart(series, "influence", "nobody")


# ------------------------------------------------------------------ compare outcomes


def test_compare_outcomes_numbers(tables, tmp_path):
    runs = {n: t["runs"] for n, t in tables.items()}
    fig = sim.plots.compare_outcomes(runs, "casualty_index")
    (ax,) = fig.axes
    assert_labelled(ax)
    assert [t.get_text() for t in ax.get_xticklabels()] == list(runs)
    points = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert [len(p.get_offsets()) for p in points] == [len(SEEDS)] * len(runs)
    for p, table in zip(points, runs.values(), strict=True):
        assert np.allclose(sorted(p.get_offsets()[:, 1]), sorted(table["casualty_index"]))
    medians = [c for c in ax.collections if c.get_linewidth()[0] == 2.5]
    drawn = [seg[0][1] for c in medians for seg in c.get_segments()]
    assert np.allclose(drawn, [t["casualty_index"].median() for t in runs.values()])
    assert legend_texts(fig) == ["median", "5-95% of runs"]
    render(fig, tmp_path, "compare_numbers")


def test_compare_outcomes_counts_runs_where_it_never_happened(tables):
    runs = {n: t["runs"] for n, t in tables.items()}
    half = runs["historical"].copy()
    half.loc[half.index[:3], "decision_day"] = None
    runs["historical"] = half
    ax = sim.plots.compare_outcomes(runs, "decision_day").axes[0]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    never = (runs["moscow_hesitates"]["decision_day"].isna().mean() * 100).round()
    assert ticks == [
        "historical\n(never in 50%)",
        f"moscow_hesitates\n(never in {never:.0f}%)",
        "no_outside_help\n(never in 100%)",
    ]
    points = [c for c in ax.collections if isinstance(c, PathCollection)]
    happened = int(runs["moscow_hesitates"]["decision_day"].notna().sum())
    assert [len(p.get_offsets()) for p in points] == [3, happened]


def test_compare_outcomes_shares(tables, tmp_path):
    runs = {n: t["runs"] for n, t in tables.items()}
    fig = sim.plots.compare_outcomes(runs, "request_to")
    ax = fig.axes[0]
    assert_labelled(ax)
    levels = sorted(set(pd.concat([t["request_to"].dropna() for t in runs.values()])))
    assert len(ax.patches) == len(runs) * len(levels)
    assert legend_texts(fig) == levels
    assert ax.get_xticklabels()[2].get_text() == "no_outside_help\n(never in 100%)"
    shares = [(t["request_to"] == levels[0]).mean() for t in runs.values()]
    assert np.allclose([p.get_height() for p in ax.patches], shares)
    render(fig, tmp_path, "compare_shares")

    half = runs["historical"].copy()
    half.loc[half.index[:3], "request_to"] = None
    ax = sim.plots.compare_outcomes({"historical": half}, "request_to").axes[0]
    assert [p.get_height() for p in ax.patches] == [0.5]  # a share of all runs
    assert ax.get_xticklabels()[0].get_text() == "historical\n(never in 50%)"

    fig = sim.plots.compare_outcomes(runs, "joint_force_called")
    ax = fig.axes[0]
    assert len(ax.patches) == len(runs)
    heights = [p.get_height() for p in ax.patches]
    assert np.allclose(heights, [t["joint_force_called"].mean() for t in runs.values()])
    tops = [seg[1][1] for c in ax.collections for seg in c.get_segments()]
    assert np.allclose(tops, [wilson_interval(round(h * 6), 6)[1] for h in heights])
    assert "share" in ax.get_ylabel()


def test_wilson_interval():
    lo, hi = wilson_interval(0, 10)
    assert lo == 0 and hi == pytest.approx(0.2775, abs=1e-4)
    lo, hi = wilson_interval(5, 10)
    assert (lo, hi) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert all(np.isnan(wilson_interval(0, 0)))


# ------------------------------------------------------------------ sweep response


def test_sweep_response_one_numeric_parameter(sweep, tmp_path):
    fig = sim.plots.sweep_response(sweep, DELAY, "casualty_index")
    (ax,) = fig.axes
    assert_labelled(ax)
    assert "provider latency: consensus" in ax.get_xlabel()
    (points,) = ax.collections
    assert len(points.get_offsets()) == len(sweep)
    assert np.allclose(sorted(points.get_offsets()[:, 0]), sorted(sweep[DELAY]))
    (line,) = ax.get_lines()
    x, values = sweep[DELAY].to_numpy(), sweep["casualty_index"].to_numpy()
    edges = np.linspace(x.min(), x.max(), 5)  # sqrt(16) bins of equal width
    medians = []
    for i, (lo, hi) in enumerate(itertools.pairwise(edges)):
        inside = (x >= lo) & ((x < hi) if i < 3 else (x <= hi))
        if inside.any():
            medians.append(np.median(values[inside]))
    assert np.allclose(line.get_ydata(), medians)
    assert legend_texts(fig) == ["runs", "median per bin"]
    render(fig, tmp_path, "sweep_1d")


def test_sweep_response_boolean_outcome_is_a_share(sweep):
    flagged = sweep.assign(late=sweep["decision_day"] >= sweep["decision_day"].median())
    ax = sim.plots.sweep_response(flagged, DELAY, "late").axes[0]
    (line,) = ax.get_lines()
    assert all(0 <= v <= 1 for v in line.get_ydata())
    assert ax.get_ylim()[0] < 0 < 1 < ax.get_ylim()[1] < 1.1
    assert "share of runs" in ax.get_ylabel()


def test_sweep_response_text_parameter_as_categories(sweep, tmp_path):
    fig = sim.plots.sweep_response(sweep, MANDATE, "casualty_index")
    ax = fig.axes[0]
    ticks = [t.get_text().split("\n")[0] for t in ax.get_xticklabels()]
    assert ticks == ["mutual_assistance", "political"]
    counts = [int(re.search(r"n=(\d+)", t.get_text())[1]) for t in ax.get_xticklabels()]
    assert counts == [int((sweep[MANDATE] == v).sum()) for v in ticks]
    assert sum(len(c.get_offsets()) for c in ax.collections) == len(sweep)
    render(fig, tmp_path, "sweep_levels")


def test_sweep_response_two_parameters(sweep, tmp_path):
    fig = sim.plots.sweep_response(sweep, DELAY, "casualty_index", y=MANDATE)
    ax, cbar = fig.axes
    assert_labelled(ax)
    assert "casualty index" in cbar.get_ylabel()
    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    grid = mesh.get_array()
    assert grid.shape[0] == 2  # one row per treaty kind
    counts = np.zeros(grid.shape)
    for text in ax.texts:
        x, y = text.get_position()
        counts[round(y), int(np.searchsorted(mesh.get_coordinates()[0, :, 0], x)) - 1] = int(
            text.get_text().removeprefix("n=")
        )
    assert counts.sum() == len(sweep)
    weighted = np.nansum(np.ma.filled(grid, np.nan) * counts) / counts.sum()
    assert weighted == pytest.approx(sweep["casualty_index"].mean())
    assert [t.get_text() for t in ax.get_yticklabels()] == ["mutual_assistance", "political"]
    render(fig, tmp_path, "sweep_2d")


def test_sweep_response_errors(sweep):
    with pytest.raises(ValueError, match="holds text"):
        sim.plots.sweep_response(sweep, DELAY, "request_to")
    with pytest.raises(ValueError, match="lacks column"):
        sim.plots.sweep_response(sweep, "no.such.parameter", "casualty_index")
    with pytest.raises(ValueError, match="two different"):
        sim.plots.sweep_response(sweep, DELAY, "casualty_index", y=DELAY)


# ------------------------------------------------------------------ sensitivity and PRIM

PARAMS = ["behaviour.host.w_speed", "actors.a.force.troops", "behaviour.unrest.contagion"]


def test_sensitivity_bars_sobol(tmp_path):
    indices = pd.DataFrame(
        {
            "parameter": PARAMS,
            "S1": [0.10, 0.50, 0.05],
            "S1_conf": [0.05, 0.04, 0.03],
            "ST": [0.15, 0.55, 0.60],
            "ST_conf": [0.02, 0.05, 0.04],
        }
    )
    fig = sim.plots.sensitivity_bars(indices, "sobol", "casualty_index")
    (ax,) = fig.axes
    assert_labelled(ax)
    assert "casualty index" in ax.get_title()
    assert len(ax.patches) == 2 * len(PARAMS)
    assert legend_texts(fig) == ["first order S1", "total ST"]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["host: w speed", "a force: troops", "unrest: contagion"]  # largest ST on top
    widths = [p.get_width() for p in ax.patches]
    assert widths == [0.10, 0.50, 0.05, 0.15, 0.55, 0.60]
    render(fig, tmp_path, "sobol")


def test_sensitivity_bars_morris(tmp_path):
    indices = pd.DataFrame(
        {
            "parameter": PARAMS,
            "mu": [0.1, -0.4, 0.2],
            "mu_star": [0.1, 0.4, 0.25],
            "mu_star_conf": [0.02, 0.05, 0.03],
            "sigma": [0.05, 0.6, 0.1],
        }
    )
    fig = sim.plots.sensitivity_bars(indices, "morris", "troop_days")
    bars, plane = fig.axes
    assert_labelled(bars)
    assert_labelled(plane)
    assert "troop-days" in bars.get_xlabel()
    assert [p.get_width() for p in bars.patches] == [0.1, 0.25, 0.4]
    (points,) = plane.collections
    assert {tuple(p) for p in points.get_offsets()} == {(0.1, 0.05), (0.4, 0.6), (0.25, 0.1)}
    assert sorted(t.get_text() for t in plane.texts) == sorted(
        ["host: w speed", "a force: troops", "unrest: contagion"]
    )
    render(fig, tmp_path, "morris")


def test_sensitivity_bars_errors():
    with pytest.raises(ValueError, match="unknown method"):
        sim.plots.sensitivity_bars(pd.DataFrame(), "fast", "x")
    with pytest.raises(ValueError, match="ST_conf"):
        sim.plots.sensitivity_bars(pd.DataFrame({"parameter": ["p"], "S1": [0.1]}), "sobol", "x")


def prim_result(chosen: int = 6) -> SimpleNamespace:
    trajectory = pd.DataFrame(
        {
            "step": range(10),
            "coverage": np.linspace(1.0, 0.3, 10),
            "density": np.linspace(0.2, 0.95, 10),
            "mass": np.linspace(1.0, 0.05, 10),
            "res_dim": [0, 1, 1, 2, 2, 2, 3, 3, 3, 3],
        }
    )
    limits = pd.DataFrame(
        {
            "parameter": [PARAMS[0], "treaties.b.kind", PARAMS[2]],
            "low": [0.5, np.nan, 0.1],
            "high": [2.0, np.nan, 0.3],
            "levels": [np.nan, "mutual_assistance", np.nan],
            "range_low": [0.2, np.nan, 0.05],
            "range_high": [3.2, np.nan, 0.45],
        }
    )
    return SimpleNamespace(
        trajectory=trajectory, chosen=chosen, limits=limits, condition="casualty_index > 0.5"
    )


def test_prim_plot(tmp_path):
    result = prim_result()
    fig = sim.plots.prim_plot(result)
    trade, box, colourbar = fig.axes
    assert colourbar.get_label() == "<colorbar>"
    assert "casualty_index > 0.5" in fig.get_suptitle()
    for ax in (trade, box):
        assert ax.get_title() and ax.get_xlabel()
    assert trade.get_ylabel() and colourbar.get_ylabel()
    steps, ring = trade.collections
    assert len(steps.get_offsets()) == 10
    assert np.allclose(steps.get_array(), result.trajectory["res_dim"])
    row = result.trajectory.iloc[6]
    assert np.allclose(ring.get_offsets(), [[row.coverage, row.density]])
    assert any("step 6" in t.get_text() for t in trade.texts)
    # full-range backgrounds, then one box bar per numeric parameter, normalised to [0, 1]
    boxes = box.patches[len(result.limits) :]
    drawn = [(p.get_x(), p.get_width()) for p in boxes]
    assert drawn == [pytest.approx((0.1, 0.5)), pytest.approx((0.125, 0.5))]
    assert "kept: mutual_assistance" in [t.get_text() for t in box.texts]
    assert box.get_xlim() == (0.0, 1.0)
    render(fig, tmp_path, "prim")
    with pytest.raises(ValueError, match="chosen step 42"):
        sim.plots.prim_plot(prim_result(chosen=42))


# ------------------------------------------------------------------ the package itself


def test_no_pyplot_and_no_country_in_the_code():
    code = "import sys, sim.plots; print('matplotlib.pyplot' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    sc = load_scenario(HISTORICAL)
    names = {*sc.actors, *sc.blocs, *sc.regions} | {r.name for r in sc.regions.values()}
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names))) + r")\b", re.I)
    for path in (ROOT / "sim" / "plots").glob("*.py"):
        found = pattern.findall(path.read_text())
        assert not found, f"{path.name} names {found}"


# ------------------------------------------------------------------ grids and flat fields
def _grid_runs() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    xs, ys = [0.5, 1.0, 1.5, 2.0, 3.0], [10.0, 20.0, 30.0]
    rows = [
        {"a": x, "b": y, "status": "ok", "z": x * y + rng.normal()}
        for x, y in itertools.product(xs, ys)
        for _ in range(4)
    ]
    return pd.DataFrame(rows)


def test_a_grid_sweep_gets_one_bin_per_level_and_no_empty_stripe():
    runs = _grid_runs()
    fig = sim.plots.sweep_response(runs, "a", "z", y="b")
    (mesh,) = [c for c in fig.axes[0].collections if isinstance(c, QuadMesh)]
    grid = np.ma.filled(mesh.get_array(), np.nan)
    assert grid.shape == (3, 5) and not np.isnan(grid).any()
    x_edges = mesh.get_coordinates()[0, :, 0]
    centres = (x_edges[:-1] + x_edges[1:]) / 2
    assert np.all(np.abs(centres - [0.5, 1.0, 1.5, 2.0, 3.0]) <= 0.25)
    line = sim.plots.sweep_response(runs, "a", "z").axes[0].get_lines()[0]
    assert list(line.get_xdata()) == [0.5, 1.0, 1.5, 2.0, 3.0]  # medians at the levels


def test_an_all_zero_field_gets_a_unit_colour_scale(tables):
    series = tables["no_outside_help"]["series"].copy()
    series.loc[series.variable == "violence", "value"] = 0.0
    fig = sim.plots.unrest_heatmap(series, variable="violence")
    (image,) = fig.axes[0].images
    assert image.get_clim() == (0.0, 1.0)
    runs = _grid_runs().assign(z=0.0)
    (mesh,) = [
        c
        for c in sim.plots.sweep_response(runs, "a", "z", y="b").axes[0].collections
        if isinstance(c, QuadMesh)
    ]
    assert mesh.get_clim() == (0.0, 1.0)


def test_loss_history_shows_every_scored_trial_and_the_best_so_far():
    report = {
        "name": "x",
        "best_trial": 2,
        "loss": {"start": 0.9, "best": 0.5},
        "history": [
            {"trial": 0, "loss": 0.9, "best": 0.9},
            {"trial": 2, "loss": 0.5, "best": 0.5},
            {"trial": 3, "loss": 0.7, "best": 0.5},
        ],
    }
    fig = sim.plots.loss_history(report)
    (ax,) = fig.axes
    trials, best, start = ax.lines
    assert list(trials.get_xdata()) == [0, 2, 3] and list(trials.get_ydata()) == [0.9, 0.5, 0.7]
    assert list(best.get_ydata()) == [0.9, 0.5, 0.5]
    assert list(start.get_xdata()) == [0] and "best 0.500 at trial 2" in ax.get_title()
    with pytest.raises(ValueError):
        sim.plots.loss_history({**report, "history": []})


def test_identification_matrix_marks_the_targets_each_parameter_moves():
    rows = [
        {"path": "behaviour.a", "moves": ["t1"]},
        {"path": "behaviour.b", "moves": []},
        {"path": "behaviour.c", "moves": ["t1", "t2"]},
    ]
    fig = sim.plots.identification_matrix(rows, ["t1", "t2"])
    (ax,) = fig.axes
    assert ax.images[0].get_array().tolist() == [[1, 0], [0, 0], [1, 1]]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["a (pinned)", "b (unconstrained)", "c"]
