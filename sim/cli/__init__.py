"""The ``sim`` command: run, sweep and compare scenarios, validate files, check the replay.

Every subcommand imports what it needs when it runs, so that ``sim --help`` and ``sim
validate`` start quickly. Bad input is one line and exit status 2, a failed computation exit
status 1, an interrupt 130; no traceback unless ``SIM_TRACEBACK=1``.
"""

from __future__ import annotations

import argparse
import os
import sys

from sim import __version__
from sim.cli import analysis, dashboard, files, fit, runs, sweeps
from sim.cli.common import Parser
from sim.errors import AnalysisError, InputError, Interrupted, StoreError


def parser() -> argparse.ArgumentParser:
    """The argument parser of the ``sim`` command."""
    ap = Parser(prog="sim", description="Run, sweep and compare crisis scenarios; check them.")
    ap.add_argument("--version", action="version", version=f"sim {__version__}")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (runs, sweeps, fit, files, analysis, dashboard):
        module.register(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse arguments, run the command, turn errors into one line and a status."""
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (InputError, AnalysisError, StoreError) as err:
        print(str(err), file=sys.stderr)
        return 2
    except Interrupted as stop:
        s = stop.summary
        print(
            f"{s.out}: interrupted; {s.kept:,} of {s.planned:,} runs are stored; run the same "
            "command again to resume",
            file=sys.stderr,
        )
        return 130
    except KeyboardInterrupt:
        print(f"sim {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into a reader that stopped (e.g. `head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as err:
        if os.environ.get("SIM_TRACEBACK"):
            raise
        why = " ".join(str(err).split())
        print(
            f"sim {args.command}: failed: {type(err).__name__}: {why} "
            "(SIM_TRACEBACK=1 shows where)",
            file=sys.stderr,
        )
        return 1
