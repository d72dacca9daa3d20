"""The ``sim`` command: run, sweep and compare scenarios, validate files, check the replay."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path

from sim import __version__, cli_analysis, cli_dashboard
from sim.experiments import load
from sim.experiments.compare import as_text, compare, largest_differences
from sim.experiments.conditions import AnalysisError
from sim.experiments.engine import replicate, run_experiment
from sim.experiments.executors import default_workers
from sim.experiments.spec import Keep, load_sweep
from sim.experiments.store import StoreError
from sim.loading import InputError, load_document, load_model
from sim.outcomes import DAY_OUTCOMES
from sim.provenance import unsourced
from sim.record import load_record, score_replay
from sim.runner import run_one, run_seeds, seeds_from
from sim.scenario import Scenario

HISTORICAL = Path("scenarios/historical.yaml")


def _load(path: str) -> Scenario:
    return load_model(Scenario, path)


def _positive(text: str) -> int:
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def cmd_run(args: argparse.Namespace) -> int:
    """Run one scenario: the narrative and outcomes, or a summary over many seeds."""
    scenario = _load(args.scenario)
    seeds = seeds_from(args.seed, args.seeds)
    if args.seeds == 1:
        result = run_one(scenario, args.seed)
        print(f"# {scenario.name}, seed {args.seed}\n")
        for e in result.events:
            if e.action not in args.hide:
                print(e.narrative())
        print("\n# outcomes")
        start = scenario.calendar.start
        day_names = {name for name, _ in DAY_OUTCOMES}
        for k, v in result.outcomes.items():
            shown = v
            if k in day_names and v is not None:
                shown = f"day {v} ({(start + dt.timedelta(days=v)).isoformat()})"
            print(f"  {k:<32} {shown}")
        if args.out:
            _replicate(scenario, seeds, args, Path(args.out))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        summary = _replicate(scenario, seeds, args, Path(args.out or tmp))
        runs = load(summary.out)["runs"]
    print(f"# {scenario.name}: seeds {seeds[0]}..{seeds[-1]}")
    print(as_text(compare({scenario.name: runs}, scenario.name), scenario.name, len(seeds)))
    return 1 if summary.failed else 0


def _replicate(scenario: Scenario, seeds: list[int], args: argparse.Namespace, out: Path):
    summary = replicate(
        scenario,
        seeds,
        out,
        source=args.scenario,
        keep=Keep(series=bool(args.out), events=bool(args.out)),
        executor=args.executor,
        workers=args.workers,
    )
    if args.out:
        print(f"wrote {out} ({summary.ran} runs, {summary.failed} failed)")
    return summary


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run a sweep file into a Parquet dataset, resuming what is already there."""
    spec, base, _ = load_sweep(args.spec)
    out = Path(args.out or Path("out") / Path(args.spec).stem)
    try:
        summary = run_experiment(
            spec,
            base,
            out,
            source=args.spec,
            text=Path(args.spec).read_text(),
            executor=args.executor,
            workers=args.workers,
            scheduler=args.scheduler,
            chunk=args.chunk,
        )
    except StoreError as err:
        print(f"{args.spec}: {err}", file=sys.stderr)
        return 2
    print(
        f"{summary.out}: {summary.planned} runs planned, {summary.resumed} already done, "
        f"{summary.ran} run now in {summary.seconds:.1f} s ({summary.rate:.0f} runs/s), "
        f"{summary.failed} failed"
    )
    return 1 if summary.failed else 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Run BASE and each ALT with the same seeds and compare their outcomes."""
    paths = [args.base, *args.alts]
    scenarios = {p: _load(p) for p in paths}
    names = {p: s.name for p, s in scenarios.items()}
    if len(set(names.values())) < len(paths):  # the same name twice: tell them apart by file
        names = {p: str(Path(p).with_suffix("")) for p in paths}
    if len(names) < len(paths):
        raise InputError(args.base, "each scenario may be given only once")
    seeds = seeds_from(args.seed, args.seeds)
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.out or tmp)
        for p, scenario in scenarios.items():
            summary = replicate(
                scenario,
                seeds,
                root / names[p],
                source=p,
                executor=args.executor,
                workers=args.workers,
            )
            runs[names[p]] = load(summary.out)["runs"]
    base = names[args.base]
    table = compare(runs, base)
    sentences = largest_differences(table, base)
    if args.out:
        table.to_parquet(Path(args.out) / "compare.parquet", index=False)
    if args.json:
        print(
            json.dumps(
                {
                    "base": base,
                    "seeds": [seeds[0], seeds[-1]],
                    "table": table.to_dict("records"),
                    "summary": sentences,
                },
                default=str,
            )
        )
    else:
        print(as_text(table, base, len(seeds)))
        print("\n" + "\n".join(sentences))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate scenario or sweep files; report the first problem of each bad one."""
    status = 0
    for f in args.files:
        try:
            data, sources = load_document(f)
            if "base" in data and "calendar" not in data:
                load_sweep(f)
            else:
                _load(f)
                missing = unsourced(Scenario, data) if args.require_sources else []
                if missing:
                    raise sources.error(missing[0], "rule parameter without a source")
            print(f"{f}: ok")
        except InputError as err:
            print(str(err), file=sys.stderr)
            status = 2
    return status


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of the scenario format."""
    print(json.dumps(Scenario.model_json_schema(), indent=2))
    return 0


def cmd_replay_check(args: argparse.Namespace) -> int:
    """Score the historical replay against the dated record over many seeds."""
    scenario = _load(args.scenario)
    runs = [r.events for r in run_seeds(scenario, seeds_from(args.seed, args.seeds))]
    score = score_replay(load_record(), runs)
    if args.json:
        print(json.dumps(score.to_dict()))
    else:
        print(score.table())
    return 0


def _executor_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--executor",
        choices=["serial", "local", "dask"],
        default="local",
        help="serial (this process), local (a process pool, default) or dask",
    )
    p.add_argument(
        "--workers", type=_positive, help=f"worker processes (default {default_workers()})"
    )


def parser() -> argparse.ArgumentParser:
    """The argument parser of the ``sim`` command."""
    ap = argparse.ArgumentParser(prog="sim", description=__doc__)
    ap.add_argument("--version", action="version", version=f"sim {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "run", help="run a scenario: narrative and outcomes, or a summary over seeds"
    )
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--seed", type=int, default=1, help="seed of the (first) run (default 1)")
    p.add_argument("--seeds", type=_positive, default=1, help="number of replications (default 1)")
    p.add_argument("--out", help="directory for runs, series and events as a Parquet dataset")
    _executor_options(p)
    p.add_argument(
        "--hide",
        nargs="*",
        default=["contingent_arrives", "emergency_declared"],
        metavar="ACTION",
        help="actions left out of the narrative (default: contingent_arrives emergency_declared)",
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("sweep", help="run a sweep file (replications and parameter designs)")
    p.add_argument("spec", help="sweep YAML file")
    p.add_argument("--out", help="output directory (default out/<sweep file name>)")
    _executor_options(p)
    p.add_argument("--scheduler", help="address of a running Dask scheduler (with --executor dask)")
    p.add_argument("--chunk", type=_positive, help="runs per task (default: about 8 per worker)")
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("compare", help="compare scenarios run with the same seeds")
    p.add_argument("base", help="the scenario to compare against")
    p.add_argument("alts", nargs="+", metavar="alt", help="the other scenarios")
    p.add_argument("--seeds", type=_positive, default=200, help="runs per scenario (default 200)")
    p.add_argument("--seed", type=int, default=1, help="first seed (default 1)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--out", help="directory for the runs of each scenario and compare.parquet")
    _executor_options(p)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("validate", help="check scenario and sweep files")
    p.add_argument("files", nargs="+", help="scenario or sweep YAML files")
    p.add_argument(
        "--require-sources",
        action="store_true",
        help="also fail on a rule parameter written as a bare number, without its source",
    )
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("schema", help="print the JSON Schema of the scenario format")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("replay-check", help="score the historical replay against the record")
    p.add_argument("--seeds", type=_positive, default=200, help="number of runs (default 200)")
    p.add_argument("--seed", type=int, default=1, help="first seed (default 1)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--scenario", default=str(HISTORICAL), help=f"scenario to score (default {HISTORICAL})"
    )
    p.set_defaults(func=cmd_replay_check)
    cli_analysis.register(sub)
    cli_dashboard.register(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse arguments, run the command, map bad input to exit status 2."""
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (InputError, AnalysisError) as err:
        print(str(err), file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into a reader that stopped (e.g. `head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
