"""``sim analyze`` and ``sim plot``: answers and figures from result tables."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.cli.common import figure_file, positive, positive_number, seed, set_option
from sim.errors import AnalysisError, InputError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

METHODS = {
    "sobol": "Sobol first-order and total indices (a sobol sweep; needs --outcome)",
    "morris": "Morris mu, mu* and sigma (a morris sweep; needs --outcome)",
    "prim": "PRIM box of swept parameters where a condition holds (any sweep; needs --where)",
}


def results(directory: str, need: str = "runs") -> dict[str, Any]:
    """An experiment directory's tables; an error if it has none or lacks the ``need`` table."""
    from sim.experiments import load

    if not (Path(directory) / "manifest.json").exists():
        raise AnalysisError(f"{directory}: not a results folder (no manifest.json)")
    tables = load(directory)
    if need not in tables:
        how = "a sweep with keep: {series: true, events: true}, or sim run/compare with --out"
        raise AnalysisError(f"{directory}: no {need} table was kept ({how})")
    return tables


def _save(fig, out: str) -> None:
    fig.savefig(out, dpi=150, bbox_inches="tight")
    print(f"wrote {out}")


def _sensitivity(tables: dict[str, Any], method: str, outcome: str | None):
    from sim.experiments.sensitivity import morris_indices, sobol_indices

    if not outcome:
        raise AnalysisError(f"--method {method} needs --outcome NAME or EXPRESSION")
    return (sobol_indices if method == "sobol" else morris_indices)(tables, outcome)


def cmd_analyze(args: argparse.Namespace) -> int:
    """Sensitivity indices (sobol, morris) or PRIM boxes (prim) from a sweep's results."""
    figure_file(args.out)
    tables = results(args.dir)
    try:
        return _analyze(args, tables)
    except AnalysisError as err:
        raise AnalysisError(f"{args.dir}: {err}") from None


def _analyze(args: argparse.Namespace, tables: dict[str, Any]) -> int:
    from sim import plots
    from sim.jsonout import dumps

    if args.method == "prim":
        from sim.experiments.discovery import prim_boxes

        if not args.where:
            raise AnalysisError("--method prim needs --where CONDITION")
        found = prim_boxes(tables, args.where, min_density=args.min_density)
        table, fig = found.limits, (plots.prim_plot(found) if args.out else None)
        box = found.box
        head = (
            f"# PRIM: {args.where!r} holds in {found.positives} of {found.runs} runs; chosen box "
            f"(step {found.chosen}): coverage {box.coverage:.2f}, density {box.density:.2f}, "
            f"mass {box.mass:.2f}"
        )
        dense = bool(box.density >= args.min_density)
        extra = {
            "box": box.to_dict(),
            "reaches_min_density": dense,
            "trajectory": found.trajectory.to_dict("records"),
        }
        if not dense:
            print(
                f"{args.dir}: warning: no box reaches density {args.min_density:g}; showing the "
                f"densest ({box.density:.2f})",
                file=sys.stderr,
            )
    else:
        table = _sensitivity(tables, args.method, args.outcome)
        fig = plots.sensitivity_bars(table, args.method, args.outcome) if args.out else None
        head = f"# {args.method} indices of {args.outcome!r}"
        extra = {}
    if args.json:
        print(dumps({"method": args.method, "table": table.to_dict("records"), **extra}))
    else:
        print(head)
        print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    if fig is not None:
        _save(fig, args.out)
    return 0


def _named(dirs: list[str], need: str) -> dict[str, dict[str, Any]]:
    """Tables of several result directories, named by directory."""
    return {Path(d).name: results(d, need) for d in dirs}


REPLAY_ONLY = ("seeds", "seed", "fit", "within", "fits", "set")
"""Options of ``plot replay`` alone (the others are for figures of result folders)."""

TABLES_ONLY = ("variable", "entity", "run", "outcome", "x", "y", "where")
"""Options of the figures of result folders, not of ``plot replay``."""


def cmd_plot(args: argparse.Namespace) -> int:
    """Draw one kind of figure from result directories (or a scenario) into a figure file."""
    figure_file(args.out)
    replay = args.kind == "replay"
    given = [
        k for k in (TABLES_ONLY if replay else REPLAY_ONLY) if getattr(args, k) not in (None, [])
    ]
    if given:
        which = "the figures of result folders" if replay else "plot replay"
        raise InputError(f"--{given[0]}", f"is an option of {which}, not of plot {args.kind}")
    if replay:
        _save(_replay(args), args.out)  # its errors name their own files
        return 0
    try:
        fig = _figure(args)
    except (AnalysisError, ValueError) as err:  # the plots say what is missing by ValueError
        where = args.dirs[0] if len(args.dirs) == 1 else f"plot {args.kind}"
        message = str(err)
        raise AnalysisError(
            message if message.startswith(where) else f"{where}: {message}"
        ) from None
    _save(fig, args.out)
    return 0


def _figure(args: argparse.Namespace):
    from sim import plots
    from sim.experiments.conditions import evaluate

    kind, dirs = args.kind, args.dirs
    if kind in ("timeline", "heatmap", "response", "sensitivity", "prim") and len(dirs) > 1:
        raise AnalysisError(f"plot {kind} takes one results directory, not {len(dirs)}")
    if kind == "timeline":
        from sim.record import load_record

        tables = results(dirs[0], "events")
        record = tables["manifest"].get("record")
        if record is None:
            raise AnalysisError(
                "these runs' scenario names no record; a timeline compares runs with the dated "
                "record of their crisis"
            )
        if not Path(record).is_file():
            raise AnalysisError(f"the record of these runs is not at {record} any more")
        return plots.replay_timeline(tables["events"], load_record(record))
    if kind == "heatmap":
        series = results(dirs[0], "series")["series"]
        return plots.unrest_heatmap(series, run_id=args.run, variable=args.variable or "violence")
    if kind == "fan":
        series = {name: t["series"] for name, t in _named(dirs, "series").items()}
        return plots.fan_chart(series, args.variable or "foreign_troops", args.entity)
    if kind == "compare":
        runs = {name: t["runs"] for name, t in _named(dirs, "runs").items()}
        return plots.compare_outcomes(runs, _require(args.outcome, "--outcome"))
    if kind == "response":
        runs = results(dirs[0])["runs"]
        outcome = _require(args.outcome, "--outcome")
        runs = runs.assign(**{outcome: evaluate(runs, outcome)})
        return plots.sweep_response(runs, _require(args.x, "--x"), outcome, y=args.y)
    if kind == "prim":
        from sim.experiments.discovery import prim_boxes

        return plots.prim_plot(prim_boxes(results(dirs[0]), _require(args.where, "--where")))
    table = _sensitivity(results(dirs[0]), args.method, args.outcome)
    return plots.sensitivity_bars(table, args.method, args.outcome)


def _replay(args: argparse.Namespace) -> Figure:
    """A crisis's targets: the model's dates over seeds, the baselines', the good fits'."""
    from sim import plots
    from sim.cli.runs import scenario_record, seeds_from
    from sim.experiments import replaydates
    from sim.experiments.fitspec import CalibrationSpec
    from sim.scenario import load_scenario

    if len(args.dirs) > 1:
        raise AnalysisError(f"plot replay takes one scenario file, not {len(args.dirs)}")
    path = args.dirs[0]
    scenario = load_scenario(path, args.set)
    record = scenario_record(path, scenario)
    good = None
    within = args.within or CalibrationSpec.model_fields["good_within"].default
    if args.fit:
        good = replaydates.good_fits(Path(args.fit), scenario, within, args.fits or 10)
    seeds = seeds_from(1 if args.seed is None else args.seed, args.seeds or 200)
    dates = replaydates.replay_dates(scenario, record, seeds, good)
    if good is None:
        return plots.replay_band(record, dates.model, dates.baselines)
    return plots.replay_band(record, dates.model, dates.baselines, dates.fits, good.label(within))


def _require(value: str | None, flag: str) -> str:
    if not value:
        raise AnalysisError(f"this plot needs {flag}")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``analyze`` and ``plot`` subcommands."""
    p = sub.add_parser("analyze", help="sensitivity indices or PRIM boxes from a sweep")
    p.add_argument("dir", help="results directory of a sweep")
    p.add_argument(
        "--method",
        choices=list(METHODS),
        required=True,
        help="; ".join(f"{k}: {v}" for k, v in METHODS.items()),
    )
    p.add_argument("--outcome", help="outcome column or expression (sobol, morris)")
    p.add_argument("--where", help="condition on the outcomes, e.g. \"request_to == 'ots'\"")
    p.add_argument(
        "--min-density", type=float, default=0.8, help="PRIM: least density of the box (0.8)"
    )
    p.add_argument("--out", help="also draw the figure into this PNG, SVG or PDF file")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser(
        "plot", help="draw a figure from results directories (replay: from a scenario file)"
    )
    p.add_argument(
        "kind",
        choices=[
            "timeline",
            "heatmap",
            "fan",
            "compare",
            "response",
            "sensitivity",
            "prim",
            "replay",
        ],
    )
    p.add_argument(
        "dirs", nargs="+", metavar="dir", help="results directories (replay: one scenario file)"
    )
    p.add_argument("--out", required=True, help="figure file (.png, .svg or .pdf)")
    p.add_argument(
        "--variable",
        help="series variable (heatmap: default violence; fan: default foreign_troops)",
    )
    p.add_argument(
        "--entity",
        help="series entity (fan; default: all, or the variable's only entity)",
    )
    p.add_argument("--run", type=int, help="run id (heatmap; default the first)")
    p.add_argument("--outcome", help="outcome column or expression (compare, response, ...)")
    p.add_argument("--x", help="parameter path on the x axis (response)")
    p.add_argument("--y", help="second parameter path (response)")
    p.add_argument("--where", help="condition (prim)")
    p.add_argument(
        "--method", choices=["sobol", "morris"], default="sobol", help="index (sensitivity)"
    )
    p.add_argument("--seeds", type=positive, help="runs (replay; default 200)")
    p.add_argument("--seed", type=seed, help="first seed (replay; default 1)")
    p.add_argument(
        "--fit",
        metavar="DIR",
        help="replay: a sim calibrate output folder; adds the runs at its good fits (those "
        "fitted without this crisis where DIR holds a leave-one-out)",
    )
    p.add_argument(
        "--within",
        type=positive_number,
        help="replay: good fits are within this share of the best loss (default 0.05)",
    )
    p.add_argument("--fits", type=positive, help="replay: at most this many good fits (10)")
    set_option(p, "the scenario (replay)")
    p.set_defaults(func=cmd_plot)
