"""``sim calibrate``: fit the free parameters to the crises' records, or cross-validate the fit."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from sim.cli.common import executor_options, positive, results_folder, start_pool_early
from sim.errors import InputError


def default_out(config: str) -> Path:
    """Where a calibration writes without ``--out``: ``out/calibrate/<config file stem>``."""
    return Path("out") / "calibrate" / Path(config).stem


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Run or resume the calibration; write its report and fitted values, and print the report."""
    start_pool_early(args)
    from sim.experiments import calibrate as cal
    from sim.experiments.fitspec import load_calibration
    from sim.experiments.fitted import apply_fitted, check_targets, fitted_values
    from sim.jsonout import dumps

    spec, crises, _ = load_calibration(args.config)
    if args.apply and args.leave_one_out:
        raise InputError("--apply", "writes one fit's values; --leave-one-out makes one per crisis")
    if args.apply:
        check_targets(args.apply, [p.path for p in spec.parameters])  # before the fit, not after
    for key in ("trials", "seeds"):
        if getattr(args, key):
            spec = spec.model_copy(update={key: getattr(args, key)})
    out = results_folder(args.out or default_out(args.config))
    how = {
        "executor": args.executor,
        "workers": args.workers,
        "scheduler": args.scheduler,
        "progress": None if args.json else cal.print_progress,
    }
    if args.leave_one_out:
        table = cal.leave_one_out(spec, crises, out / cal.LEFT_OUT, **how)
        (out / "leave_one_out.json").write_text(dumps(table), encoding="utf-8")
        print(dumps(table) if args.json else cal.leave_one_out_text(table))
        return 0
    report = cal.calibrate(spec, crises, out, **how)
    (out / "report.json").write_text(dumps(report.to_dict()), encoding="utf-8")
    (out / "report.txt").write_text(cal.report_text(report) + "\n", encoding="utf-8")
    source = f"calibrated: {args.config}, trial {report.best.number}"
    fitted = fitted_values(report.best.values, source)
    (out / "fitted.yaml").write_text(yaml.safe_dump(fitted, sort_keys=False), encoding="utf-8")
    print(dumps(report.to_dict()) if args.json else cal.report_text(report))
    if args.apply:
        written = apply_fitted(args.apply, report.best.values, source)
        print(f"wrote {len(written)} fitted values into {args.apply}", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``calibrate``."""
    p = sub.add_parser(
        "calibrate", help="fit free parameters to the crises' records (Optuna, resumable)"
    )
    p.add_argument("config", help="calibration YAML file")
    p.add_argument("--out", help="output folder (default out/calibrate/<config file name>)")
    p.add_argument("--trials", type=positive, help="replace the file's trials (more resumes)")
    p.add_argument("--seeds", type=positive, help="replace the file's number of common seeds")
    p.add_argument(
        "--leave-one-out",
        action="store_true",
        help="for each crisis, fit on the others and score the one left out",
    )
    p.add_argument(
        "--apply",
        metavar="FILE",
        help="write the best values into the {value, source} entries of FILE "
        "(e.g. scenarios/defaults.yaml)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    executor_options(p)
    p.add_argument("--scheduler", help="address of a running Dask scheduler (with --executor dask)")
    p.set_defaults(func=cmd_calibrate)
