"""A calibration's best values: as a document of sourced values, or written into a file in place."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

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


def check_targets(path: str | Path, paths: list[str]) -> None:
    """Refuse a file that lacks a one-line ``{value, source}`` entry for any of ``paths``."""
    _edited(Path(path), dict.fromkeys(paths, 0.0), "check")


def apply_fitted(path: str | Path, values: dict[str, Any], source: str) -> list[str]:
    """Write the values into the file's ``{value, source}`` entries in place; return the paths.

    Each entry must be a one-line flow mapping with a double-quoted source (as in
    ``scenarios/defaults.yaml``). Its value becomes the fitted one, at full precision, and its
    source ``"<source> (start value <old>; <old source>)"``, where the old source of a value
    calibrated before is the one it had then. Comments and layout stay as they are; the file is
    written only once every entry has been edited and the result reads back right.

    Raises:
        InputError: An entry is missing or not written on one line, naming the file and line.
    """
    path = Path(path)
    path.write_text(_edited(path, values, source), encoding="utf-8")
    return list(values)


_EARLIER = re.compile(r"^calibrated: .*? \(start value [^;]*; (.*)\)$", re.S)


def _edited(path: Path, values: dict[str, Any], source: str) -> str:
    """The file's text with the values and sources written in (checked by reading it back)."""
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
        first = _EARLIER.match(str(node["source"]))
        why = (
            f"{source} (start value {node['value']}; {first.group(1) if first else node['source']})"
        )
        new = _VALUE.sub(f"value: {value!r}", old, count=1)
        new = _SOURCE.sub("source: " + json.dumps(why, ensure_ascii=False), new, count=1)
        if new.count("value:") != 1 or not _SOURCE.search(old):
            raise InputError(path, f"{dotted}: the entry is not on one line", line=i + 1)
        text[i] = new
    out = "".join(text)
    check = yaml.safe_load(out)
    for dotted, value in values.items():
        node = check
        for part in dotted.split("."):
            node = node[part]
        if node["value"] != value:
            raise InputError(path, f"{dotted}: the value did not read back as {value!r}")
    return out
