"""The shipped scenario files: the historical one and the counterfactuals, in that order."""

from __future__ import annotations

from pathlib import Path


def shipped_scenarios(root: Path = Path("scenarios")) -> list[Path]:
    """The historical scenario and the counterfactuals under ``root``, those that exist."""
    paths = [root / "historical.yaml", *sorted((root / "counterfactuals").glob("*.yaml"))]
    return [p for p in paths if p.is_file()]
