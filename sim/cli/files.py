"""``sim validate`` and ``sim schema``: check input files, publish their formats."""

from __future__ import annotations

import argparse
import sys


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate scenario, sweep or calibration files; report the first problem of each bad one."""
    from sim.errors import InputError
    from sim.experiments.fitspec import load_calibration
    from sim.experiments.spec import load_sweep
    from sim.loading import load_document
    from sim.provenance import unsourced
    from sim.scenario import Scenario, load_scenario

    status = 0
    for f in args.files:
        try:
            data, sources = load_document(f)
            if "base" in data and "calendar" not in data:
                load_sweep(f)
            elif "parameters" in data and "calendar" not in data:
                load_calibration(f)
            else:
                load_scenario(f)
                missing = unsourced(Scenario, data) if args.require_sources else []
                if missing:
                    raise sources.error(missing[0], "rule parameter without a source")
            print(f"{f}: ok")
        except InputError as err:
            print(str(err), file=sys.stderr)
            status = 2
    return status


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of scenario, sweep or calibration files."""
    from sim.jsonout import dumps
    from sim.schemas import file_schema

    print(dumps(file_schema(args.kind), indent=2))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``validate`` and ``schema``."""
    p = sub.add_parser("validate", help="check scenario, sweep and calibration files")
    p.add_argument("files", nargs="+", help="scenario, sweep or calibration YAML files")
    p.add_argument(
        "--require-sources",
        action="store_true",
        help="also fail on a rule parameter written as a bare number, without its source",
    )
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser(
        "schema", help="print the JSON Schema of scenario, sweep or calibration files"
    )
    p.add_argument(
        "kind", nargs="?", choices=["scenario", "sweep", "calibration"], default="scenario",
        help="which format (default scenario)",
    )  # fmt: skip
    p.set_defaults(func=cmd_schema)
