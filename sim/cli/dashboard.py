"""``sim dashboard``: serve the browser dashboard (``sim.app``) on 127.0.0.1."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

from sim.cli.common import port
from sim.errors import InputError


def picker_files(first: str | None) -> list[Path]:
    """The scenario files the picker offers: the one given first, then the shipped ones."""
    from sim.catalog import shipped_scenarios

    files = [Path(first)] if first else []
    for path in shipped_scenarios():
        if path.stem not in {f.stem for f in files}:
            files.append(path)
    return files


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Check the scenarios, then become the Solara server (Ctrl-C or SIGTERM stops it)."""
    from sim.scenario import load_scenario

    if importlib.util.find_spec("solara") is None:
        raise InputError(
            "sim dashboard", "needs the dashboard extra: pip install -e '.[dashboard]'"
        )
    files = picker_files(args.scenario)
    if not files:
        raise InputError("sim dashboard", "no scenario given and none under ./scenarios")
    for path in files:
        load_scenario(path)  # a bad file stops here, with its one-line error
    env = os.environ | {
        "SIM_DASHBOARD_SCENARIOS": os.pathsep.join(str(p.resolve()) for p in files),
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    }
    cmd = [
        sys.executable, "-m", "solara", "run", "sim.app", "--host", "127.0.0.1",
        "--port", str(args.port), "--no-open", "--no-check-version", "--production",
    ]  # fmt: skip
    print(f"crisis-sim dashboard at http://127.0.0.1:{args.port}/ (Ctrl-C stops it)", flush=True)
    # The server replaces this process, so that a signal sent to it reaches the server itself.
    os.execve(sys.executable, cmd, env)
    return 0  # not reached


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``dashboard`` subcommand."""
    p = sub.add_parser("dashboard", help="watch a scenario run in the browser (Solara)")
    p.add_argument("scenario", nargs="?", help="scenario to show first (default: the shipped ones)")
    p.add_argument("--port", type=port, default=8765, help="port on 127.0.0.1 (default 8765)")
    p.set_defaults(func=cmd_dashboard)
