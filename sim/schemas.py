"""JSON Schemas of the input formats, for editors: scenario, sweep and calibration files.

A file with ``extends`` is a partial document (a few keys laid over its base), so each schema
has two forms: the whole document, with every required key, and the partial one, where no key
is required and ``extends`` names the base file(s). A value with its source stays whole in both.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from sim.experiments.fitspec import CalibrationSpec
from sim.experiments.spec import SweepSpec
from sim.scenario import Scenario, Sourced, SourcedCount

DIALECT = "https://json-schema.org/draft/2020-12/schema"
KINDS: dict[str, type[BaseModel]] = {
    "scenario": Scenario,
    "sweep": SweepSpec,
    "calibration": CalibrationSpec,
}
ATOMIC = {Sourced.__name__, SourcedCount.__name__}
"""Definitions that stay whole in a partial document."""

EXTENDS = {
    "description": "base file (or files, applied in order), relative to this file",
    "anyOf": [
        {"type": "string", "minLength": 1},
        {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
    ],
}


def file_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of a ``kind`` file (a key of ``KINDS``), with ``extends``."""
    model = KINDS[kind]
    whole = model.model_json_schema(ref_template="#/$defs/{model}")
    defs = whole.pop("$defs", {})
    name = model.__name__
    partial_defs = {f"{k}Partial": _partial(v) for k, v in defs.items() if k not in ATOMIC}
    partial = _partial(whole)
    partial["properties"] = {"extends": EXTENDS, **partial["properties"]}
    partial["required"] = ["extends"]
    return {
        "$schema": DIALECT,
        "title": f"crisis-sim {kind} file",
        "description": whole.get("description", ""),
        "if": {"type": "object", "required": ["extends"]},
        "then": {"$ref": f"#/$defs/{name}Partial"},
        "else": {"$ref": f"#/$defs/{name}"},
        "$defs": {**defs, name: whole, **partial_defs, f"{name}Partial": partial},
    }


def _partial(node: Any) -> Any:
    """A schema node with no required keys, unions as anyOf, references to partial forms."""
    if isinstance(node, list):
        return [_partial(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in ("required", "discriminator"):
            continue
        if key == "$ref":
            target = value.rsplit("/", 1)[-1]
            out[key] = value if target in ATOMIC else f"{value}Partial"
        elif key == "oneOf":  # a partial entry may fit several members of a union
            out["anyOf"] = _partial(value)
        else:
            out[key] = _partial(value)
    return out
