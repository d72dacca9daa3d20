"""The errors the ``sim`` command turns into one line and exit status 2 (no heavy imports)."""

from __future__ import annotations

import os
from typing import Any


class InputError(Exception):
    """A problem with an input file, located by file, line and key path.

    Attributes:
        file: The file as the user named it (or as resolved from ``extends``), or the option
            that gave the input (``--set PATH=VALUE``).
        line: 1-based line number, or ``None`` when unknown.
        key: Dotted key path (``a.b[3].c``), or ``""`` for the file as a whole.
        message: What is wrong, on one line.
    """

    def __init__(
        self, file: str | os.PathLike[str], message: str, *, line: int | None = None, key: str = ""
    ) -> None:
        self.file = os.fspath(file)
        self.line = line
        self.key = key
        self.message = " ".join(message.splitlines())
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.file, self.message), {"line": self.line, "key": self.key})


class AnalysisError(Exception):
    """An analysis that cannot be done on these results; the message says why, in one line."""


class StoreError(Exception):
    """An output folder cannot take these results (another experiment's, in use, or a file)."""


class Interrupted(KeyboardInterrupt):
    """An experiment stopped by Ctrl-C; what finished is stored, ``summary`` says how much."""

    def __init__(self, summary: Any) -> None:
        super().__init__()
        self.summary = summary
