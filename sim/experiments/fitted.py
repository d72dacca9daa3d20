"""A calibration's best values: as a document of sourced values, or written into a file in place."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sim.errors import InputError
from sim.loading import load_yaml

_VALUE = re.compile(r"value:\s*[^,}]+")
_SOURCE = re.compile(r'source:\s*"(?:[^"\\]|\\.)*"')


def fitted_values(values: dict[str, Any], source: str) -> dict[str, Any]:
    """The values as a nested document of ``{value, source}``, in the shape of the defaults."""
    out: dict[str, Any] = {}
    for path, value in values.items():
        node = out
        *parents, last = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = {"value": value, "source": source}
    return out


def shown(value: float | int) -> float | int:
    """A fitted value as written into a file: whole numbers as they are, others to 4 figures."""
    return value if isinstance(value, int) else float(f"{value:.4g}")


def apply_fitted(path: str | Path, values: dict[str, Any], source: str) -> list[str]:
    """Write the values into the file's ``{value, source}`` entries in place; return the paths.

    Each entry must be a one-line flow mapping with a double-quoted source (as in
    ``scenarios/defaults.yaml``); its value becomes the fitted one (``shown``) and its source
    ``"<source> (start value <old>; <old source>)"``. Comments and layout stay as they are.

    Raises:
        InputError: An entry is missing or not written on one line, naming the file and line.
    """
    path = Path(path)
    data, lines = load_yaml(path)
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for dotted, value in values.items():
        key = tuple(dotted.split("."))
        node: Any = data
        for part in key:
            node = node.get(part) if isinstance(node, dict) else None
        if not (isinstance(node, dict) and set(node) == {"value", "source"}):
            raise InputError(path, f"{dotted}: no {{value, source}} entry to write into")
        i = lines[key] - 1
        old = text[i]
        why = f"{source} (start value {node['value']}; {node['source']})"
        new = _VALUE.sub(f"value: {shown(value)}", old, count=1)
        new = _SOURCE.sub("source: " + json.dumps(why, ensure_ascii=False), new, count=1)
        if new == old or new.count("value:") != 1:
            raise InputError(path, f"{dotted}: the entry is not on one line", line=i + 1)
        text[i] = new
    path.write_text("".join(text), encoding="utf-8")
    check, _ = load_yaml(path)
    for dotted, value in values.items():
        node = check
        for part in dotted.split("."):
            node = node[part]
        assert node["value"] == shown(value), f"{dotted} was not written"
    return list(values)
