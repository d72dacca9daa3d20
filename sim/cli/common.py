"""What the subcommands share: one-line usage errors, argument types, output checks, options."""

from __future__ import annotations

import argparse
import difflib
import os
from pathlib import Path

from sim.errors import InputError

FIGURE_SUFFIXES = (".png", ".svg", ".pdf")


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, with exit status 2."""

    def error(self, message: str):  # noqa: D102 (argparse's hook)
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _whole(text: str, low: int, high: int | None = None) -> int:
    """``text`` as a whole number in [low, high], or an argparse error saying so."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if n < low or (high is not None and n > high):
        span = f"between {low} and {high}" if high is not None else f"{low} or more"
        raise argparse.ArgumentTypeError(f"must be {span}, not {n}")
    return n


def seed(text: str) -> int:
    """A seed: a whole number, 0 or more."""
    return _whole(text, 0)


def positive(text: str) -> int:
    """A whole number, 1 or more."""
    return _whole(text, 1)


def positive_number(text: str) -> float:
    """A number greater than 0."""
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, not {text!r}") from None
    if not x > 0 or x == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, not {text}")
    return x


def share(text: str) -> float:
    """A number strictly between 0 and 1."""
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, not {text!r}") from None
    if not 0 < x < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (exclusive), not {x:g}")
    return x


def port(text: str) -> int:
    """A TCP port, 1 to 65535."""
    return _whole(text, 1, 65535)


def results_folder(path: str | os.PathLike[str]) -> Path:
    """A folder to write results into (created when needed); an existing file is refused."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise InputError(
            p, "is a file, not a folder; give --out a folder (it is created if need be)"
        )
    return p


def figure_file(path: str | None) -> None:
    """Refuse a figure file that cannot be written, before any work is done."""
    if not path:
        return
    p = Path(path)
    if p.suffix.lower() not in FIGURE_SUFFIXES:
        raise InputError(p, f"the figure file must end in {', '.join(FIGURE_SUFFIXES)}")
    if not p.parent.is_dir():
        raise InputError(p, f"folder {p.parent} does not exist; create it or give another --out")


def known_actions(names: list[str], vocabulary: list[str], option: str) -> list[str]:
    """``names``, each an action of ``vocabulary`` (an unknown one: an error with a hint)."""
    for name in names:
        if name not in vocabulary:
            close = difflib.get_close_matches(name, vocabulary, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise InputError(f"--{option}", f"unknown action {name!r}{hint}")
    return names


def executor_options(p: argparse.ArgumentParser) -> None:
    """``--executor`` and ``--workers``."""
    p.add_argument(
        "--executor",
        choices=["serial", "local", "dask"],
        default="local",
        help="serial (this process), local (a process pool, default) or dask",
    )
    p.add_argument(
        "--workers",
        type=positive,
        help=f"worker processes (default: the machine's {os.cpu_count() or 1} cores)",
    )


def start_pool_early(args: argparse.Namespace) -> None:
    """With the local executor, start its fork server now.

    Its imports then overlap the command's loading and planning (``sim.experiments.pool_server``).
    """
    if args.executor == "local":
        from sim.experiments import pool_server

        pool_server.start()


def set_option(p: argparse.ArgumentParser, what: str = "the scenario") -> None:
    """``--set PATH=VALUE``, repeatable."""
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help=f"change one value of {what}, checked like a file edit "
        "(e.g. behaviour.unrest.noise=0.3); repeatable",
    )
