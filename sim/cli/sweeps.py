"""``sim sweep``: run a sweep file into a Parquet dataset, resuming what is already there."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import executor_options, positive, results_folder, set_option, start_pool_early
from sim.errors import InputError


def default_out(spec_path: str) -> Path:
    """Where a sweep writes without ``--out``: ``out/<sweep file name without .yaml>``."""
    return Path("out") / Path(spec_path).stem


def cmd_sweep(args: argparse.Namespace) -> int:
    """Check the sweep and its size, then run it (or, with ``--dry-run``, show the plan)."""
    if not args.dry_run:
        start_pool_early(args)
    from sim.experiments.engine import MAX_RUNS, experiment_hash, run_experiment
    from sim.experiments.plan import run_seed
    from sim.experiments.spec import load_sweep, runs_planned
    from sim.experiments.store import runs_done

    spec, base, text = load_sweep(
        args.spec, edits=args.set, samples=args.samples, replications=args.replications
    )
    out = results_folder(args.out or default_out(args.spec))
    planned = runs_planned(spec)
    if args.dry_run:
        seeds = [run_seed(spec.seed, r) for r in range(spec.replications)]
        done = runs_done(out, experiment_hash(spec, base, seeds))
        print(plan_text(spec, args.spec, planned, out, done))
        return 0
    if planned > MAX_RUNS and not args.force:
        raise InputError(
            args.spec,
            f"{planned:,} runs planned, more than {MAX_RUNS:,}; add --force to run them, "
            "or --dry-run to see the plan",
        )

    def started(total: int, done: int) -> None:
        print(f"{out}: {total:,} runs planned, {done:,} already done", flush=True)

    summary = run_experiment(
        spec,
        base,
        out,
        source=args.spec,
        text=text,
        edits=args.set,
        executor=args.executor,
        workers=args.workers,
        scheduler=args.scheduler,
        chunk=args.chunk,
        on_start=started,
    )
    print(
        f"{summary.out}: {summary.planned} runs planned, {summary.resumed} already done, "
        f"{summary.ran} run now in {summary.seconds:.1f} s ({summary.rate:.0f} runs/s), "
        f"{summary.failed} failed"
    )
    return 1 if summary.failed else 0


def plan_text(spec, source: str, planned: int, out: Path, done: int | None) -> str:
    """What a sweep would run: design, parameters, size, and what its folder already holds."""
    lines = [f"sweep {source}: design {spec.design}, seed {spec.seed}"]
    for p in spec.parameters:
        if p.levels is not None:
            what = "levels " + ", ".join(map(str, p.levels))
        else:
            what = f"bounds [{p.bounds[0]:g}, {p.bounds[1]:g}], {p.distribution}"
            what += ", whole numbers" if p.whole else ""
        lines.append(f"  {p.path:<48} {what}")
    rows = planned // spec.replications
    lines.append(f"  {rows:,} design rows x {spec.replications:,} replications = {planned:,} runs")
    if done is None:
        lines.append(f"  {out} holds another experiment's results: the sweep would be refused")
    else:
        lines.append(f"  {out}: {done:,} already done, {planned - done:,} to run (dry run)")
    return "\n".join(lines)


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``sweep``."""
    p = sub.add_parser("sweep", help="run a sweep file (replications and parameter designs)")
    p.add_argument("spec", help="sweep YAML file")
    p.add_argument("--out", help="output folder (default out/<sweep file name>)")
    set_option(p, "the base scenario")
    p.add_argument("--samples", type=positive, help="replace the file's samples")
    p.add_argument("--replications", type=positive, help="replace the file's replications")
    p.add_argument("--dry-run", action="store_true", help="show the plan and its size; run nothing")
    p.add_argument("--force", action="store_true", help="run even more than a million runs")
    executor_options(p)
    p.add_argument("--scheduler", help="address of a running Dask scheduler (with --executor dask)")
    p.add_argument("--chunk", type=positive, help="runs per task (default: about 8 per worker)")
    p.set_defaults(func=cmd_sweep)
