"""crisis-sim: an agent-based simulator of crisis interventions, on Mesa."""

import sys

if sys.version_info < (3, 12):  # noqa: UP036 (its own syntax needs 3.12: say so, not SyntaxError)
    print(
        f"sim needs Python 3.12 or later (this is {sys.version.split()[0]}): "
        "run scripts/setup and use .venv/bin/sim",
        file=sys.stderr,
    )
    raise SystemExit(2)

__version__ = "0.1.0"
