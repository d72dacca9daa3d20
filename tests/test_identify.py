"""Identification: which targets each free parameter moves, on common seeds."""

from __future__ import annotations

import json

import pytest

from sim.cli import main
from sim.experiments import identify as ident
from sim.loading import load_document
from sim.record import load_record
from sim.scenario import load_scenario
from tests.conftest import ROOT

KZ2022 = ROOT / "scenarios" / "crises" / "kz2022.yaml"


def test_every_behavioural_value_is_free_and_facts_are_not():
    data, _ = load_document(KZ2022)
    free = {".".join(map(str, k)) for k, _ in ident.free_parameters(data)}
    assert "behaviour.provider.withdrawal_rate" in free  # read from one record, still behaviour
    assert "behaviour.unrest.foreign_ratio" in free
    assert "actors.turkey.stake" in free  # "assumed" in its source
    assert "actors.russia.stake" not in free  # a fact: the border
    assert "actors.kazakhstan.security_personnel" not in free  # a figure from the files
    assert not any(p.startswith("calendar") for p in free)


def test_steps_go_both_ways_and_whole_numbers_by_one_at_least():
    assert ident.step_values(2.0, False, 0.2) == [1.6, 2.4]
    assert ident.step_values(1, True, 0.2) == [0, 2]
    assert ident.step_values(0.0, False, 0.2) == [-0.2, 0.2]


def test_the_withdrawal_rate_moves_only_the_last_departure_and_influence_moves_no_date():
    scenario = load_scenario(KZ2022)
    record = load_record(scenario.record)
    only = ["behaviour.provider.withdrawal_rate", "behaviour.influence.support_gain"]
    found = {m.path: m for m in ident.identify(str(KZ2022), record, range(1, 6), only=only)}
    rate = found["behaviour.provider.withdrawal_rate"]
    assert rate.moves == ("withdrawal_complete",) and rate.steps == (320.0, 480.0)
    assert rate.shifts["withdrawal_complete"] >= 1.0 and rate.shifts["request_to_csto"] == 0.0
    assert not found["behaviour.influence.support_gain"].moves
    assert [m.path for m in ident.pinned(found.values())] == [rate.path]
    assert ident.unconstrained(found.values()) == [found["behaviour.influence.support_gain"]]


def test_a_step_out_of_range_is_skipped(tmp_path):
    scenario = load_scenario(KZ2022)
    record = load_record(scenario.record)
    only = ["behaviour.host.nationwide_share"]
    child = tmp_path / "edge.yaml"
    child.write_text(
        f"extends: {KZ2022}\nrecord: {scenario.record}\n"
        "behaviour:\n  host:\n    nationwide_share: {value: 0.9, source: assumed}\n"
    )
    (m,) = ident.identify(str(child), record, range(1, 3), only=only)
    assert m.steps == (0.72,)


def test_identify_prints_json_with_the_pinned_and_the_unconstrained(capsys):
    only = ["behaviour.provider.withdrawal_rate", "behaviour.influence.exit_gain"]
    code = main(["identify", str(KZ2022), "--seeds", "3", "--json", "--only", *only])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert [p["path"] for p in out["parameters"]] == only
    assert out["pinned"] == ["behaviour.provider.withdrawal_rate"]
    assert out["unconstrained"] == ["behaviour.influence.exit_gain"]
    assert out["targets_moved_alone"] == ["withdrawal_complete"]


def test_only_that_names_no_free_parameter_is_a_one_line_error(capsys):
    code = main(["identify", str(KZ2022), "--seeds", "1", "--only", "behaviour.nothing"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert err.startswith("--only behaviour.nothing: no free parameter of")


def test_bare_behavioural_numbers_are_free_and_only_matches_whole_path_parts(tmp_path):
    child = tmp_path / "bare.yaml"
    scenario = load_scenario(KZ2022)
    child.write_text(
        f"extends: {KZ2022}\nrecord: {scenario.record}\nbehaviour:\n  host:\n"
        "    nationwide_share: 0.7\n"
    )
    data, _ = load_document(child)
    free = {".".join(map(str, k)): v for k, v in ident.free_parameters(data)}
    assert free["behaviour.host.nationwide_share"] == 0.7
    assert ident.under("actors.us.stake", "actors.us")
    assert not ident.under("actors.usa.stake", "actors.us")


def test_min_shift_must_be_a_positive_number(capsys):
    for bad in ("0", "-1", "nan"):
        with pytest.raises(SystemExit) as exit_:
            main(["identify", str(KZ2022), "--min-shift", bad])
        assert exit_.value.code == 2, bad
        assert "must be a positive number" in capsys.readouterr().err
