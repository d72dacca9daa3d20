"""The outcome declarations: every run yields exactly them, and the store, figures and docs
read them."""

from __future__ import annotations

import re
import subprocess
import sys

import pyarrow as pa
import pytest

from sim.experiments.spec import Parameter
from sim.experiments.store import runs_schema
from sim.model import CrisisModel
from sim.outcomes import SERIES, markdown_table, outcome_columns, outcomes, series_frame
from sim.plots.style import axis_label
from sim.scenario import load_scenario
from tests.conftest import ROOT, SHIPPED

PYTHON_TYPES = {
    "day": (int,),
    "count": (int,),
    "number": (float, int),
    "category": (str,),
    "flag": (bool,),
}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_run_yields_exactly_the_declared_outcomes(path):
    scenario = load_scenario(path)
    declared = outcome_columns(scenario)
    for seed in range(3):
        model = CrisisModel(scenario, rng=seed).run()
        record = outcomes(model)
        assert list(record) == list(declared)
        for name, value in record.items():
            kind = declared[name].kind
            assert value is None or type(value) in PYTHON_TYPES[kind], (name, value, kind)
            if kind in ("count", "flag"):
                assert value is not None, name
        assert set(series_frame(model).variable) <= {v.name for v in SERIES}


def test_the_store_types_come_from_the_declarations(historical):
    schema = runs_schema(
        [Parameter(path="blocs.ots.mandate", levels=["none", "peacekeeping"])],
        outcome_columns(historical),
    )
    assert schema.field("request_day").type == pa.int64()
    assert schema.field("choice_margin").type == pa.float64()
    assert schema.field("request_to").type == pa.string()
    assert schema.field("offer_declined").type == pa.bool_()
    assert schema.field("influence_shift_turkey").type == pa.float64()
    assert schema.field("blocs.ots.mandate").type == pa.string()


def test_family_outcomes_follow_the_traits(historical):
    columns = outcome_columns(historical)
    assert [c for c in columns if c.startswith("peak_pressure_")] == ["peak_pressure_turkey"]
    assert [c for c in columns if c.startswith("highest_rung_")] == [
        f"highest_rung_{k}" for k in ("csto", "ots", "russia", "turkey", "china", "iran")
    ]
    assert "influence_shift_kazakhstan" not in columns  # the host is not an outside power
    assert "influence_shift_armenia" not in columns  # no stake in the crisis


def test_figures_take_their_units_from_the_declarations():
    assert axis_label("influence_shift_turkey") == (
        "influence shift turkey (change in influence, 0-1 scale)"
    )
    assert axis_label("national_violence") == "national violence (level, 0-1)"
    assert axis_label("arrival_day") == "arrival day (days since the start date)"
    assert axis_label("arrival_day - request_day") == "arrival day - request day"


def test_the_model_description_carries_the_declared_table():
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- outcomes:start -->\n(.*)\n<!-- outcomes:end -->", text, re.S)
    assert found and found.group(1) == markdown_table(), (
        "docs/model.md 7.15 is stale: paste sim.outcomes.markdown_table() between the markers"
    )


def test_the_command_starts_without_the_heavy_libraries(tmp_path):
    code = (
        "import sys; from sim.cli import main; status = main(sys.argv[1:]); "
        "heavy = sorted({'pandas', 'pyarrow', 'mesa', 'matplotlib', 'scipy'} & set(sys.modules)); "
        "print(heavy); sys.exit(status)"
    )
    for args in (
        ["validate", str(ROOT / "scenarios" / "historical.yaml")],
        ["validate", str(ROOT / "scenarios" / "sweeps" / "who_to_ask.yaml")],
        ["schema"],
    ):
        proc = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
        )
        assert proc.stdout.strip().splitlines()[-1] == "[]", (args, proc.stdout[-300:])
    proc = subprocess.run(
        [sys.executable, "-c", code.replace("main(sys.argv[1:])", "0")],
        capture_output=True,
        text=True,
    )
    assert proc.stdout.strip() == "[]"
