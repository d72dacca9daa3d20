"""The published JSON Schemas accept every shipped file and refuse what the loader refuses."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from sim.schemas import file_schema
from tests.conftest import CALIBRATIONS, ROOT, SHIPPED, SWEEPS

PUBLISHED = ROOT / "docs" / "schema"


def as_editor_sees(path: Path) -> dict:
    """The file as a YAML 1.2 editor plugin reads it: dates are text."""

    def plain(x):
        if isinstance(x, dict):
            return {k: plain(v) for k, v in x.items()}
        if isinstance(x, list):
            return [plain(v) for v in x]
        return x.isoformat() if isinstance(x, dt.date) else x

    return plain(yaml.safe_load(path.read_text()))


def validator(kind: str) -> jsonschema.Draft202012Validator:
    schema = file_schema(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_shipped_scenario_fits_the_scenario_schema(path):
    errors = list(validator("scenario").iter_errors(as_editor_sees(path)))
    assert not errors, [e.message for e in errors[:3]]


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.name)
def test_every_shipped_sweep_fits_the_sweep_schema(path):
    errors = list(validator("sweep").iter_errors(as_editor_sees(path)))
    assert not errors, [e.message for e in errors[:3]]


@pytest.mark.parametrize("path", CALIBRATIONS, ids=lambda p: p.name)
def test_every_shipped_calibration_fits_the_calibration_schema(path):
    errors = list(validator("calibration").iter_errors(as_editor_sees(path)))
    assert not errors, [e.message for e in errors[:3]]
    assert list(validator("calibration").iter_errors({"parameters": [], "sampler": "grid"}))


@pytest.mark.parametrize(
    "document",
    [
        {"extends": "../historical.yaml", "unrest": {"contagoin": 0.3}},  # unknown key
        {"extends": "../historical.yaml", "unrest": {"noise": 7}},  # out of range
        {"extends": "../historical.yaml", "unrest": {"noise": {"value": 0.2}}},  # no source
        {"extends": "../historical.yaml", "calendar": {"horizon_days": "many"}},
        {"name": "whole", "calendar": {"start": "2022-01-01", "horizon_days": 5}},  # incomplete
        {"extends": "../historical.yaml", "actors": {"iran": {"role": "emperor"}}},
    ],
)
def test_the_scenario_schema_refuses_what_the_loader_refuses(document):
    assert list(validator("scenario").iter_errors(document))


def test_the_sweep_schema_refuses_a_bad_design():
    assert list(validator("sweep").iter_errors({"base": "x.yaml", "design": "wild"}))


@pytest.mark.parametrize("kind", ["scenario", "sweep", "calibration"])
def test_the_published_schemas_are_what_sim_schema_prints(kind):
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "schema", kind], capture_output=True, text=True, check=True
    )
    assert json.loads(proc.stdout) == file_schema(kind)
    published = PUBLISHED / f"{kind}.schema.json"
    assert json.loads(published.read_text()) == file_schema(kind), (
        f"{published} is stale: regenerate it with `sim schema {kind} > {published}`"
    )
