import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from sim.events import ACTIONS, Event
from sim.record import Record, Target, load_record, score_replay
from sim.scores import crps
from tests.conftest import KZ2022_RECORD

START = dt.date(2022, 1, 1)
SHARED_TIMELINE = Path("/work/shared/record/kz2022_timeline.yaml")

# id -> (record date, record event, model actor, model action, model target)
EXPECTED_TARGETS = {
    "protests_begin": ("2022-01-02", "protests_begin_zhanaozen", "unrest", "protests_begin", None),
    "protests_spread": ("2022-01-04", "protests_spread", "unrest", "protests_spread", None),
    "emergency_nationwide": (
        "2022-01-05",
        "state_of_emergency_nationwide",
        "kazakhstan",
        "emergency_nationwide",
        None,
    ),
    "government_resigns": (
        "2022-01-05",
        "government_resigns",
        "kazakhstan",
        "government_resigns",
        None,
    ),
    "request_to_csto": ("2022-01-05", "csto_request", "kazakhstan", "request_help", "csto"),
    "csto_decision": ("2022-01-06", "csto_decision_to_deploy", "csto", "deploy_decided", None),
    "first_troops_arrive": (
        "2022-01-06",
        "first_csto_troops_arrive",
        "csto",
        "troops_arrive",
        None,
    ),
    "turkey_calls_ots_leaders": (
        "2022-01-06",
        "erdogan_calls_ots_leaders",
        "turkey",
        "consultations",
        "ots",
    ),
    "ots_statement": ("2022-01-06", "ots_statement_solidarity", "ots", "statement", None),
    "iran_statement": ("2022-01-06", "iran_statement", "iran", "statement", None),
    "china_statement_support": (
        "2022-01-07",
        "china_statement_support",
        "china",
        "statement",
        None,
    ),
    "china_security_cooperation": (
        "2022-01-10",
        "china_fm_call_security_cooperation",
        "china",
        "pledge",
        None,
    ),
    "ots_foreign_ministers_meeting": (
        "2022-01-11",
        "ots_extraordinary_meeting",
        "ots",
        "summit_held",
        None,
    ),
    "withdrawal_announced": (
        "2022-01-11",
        "withdrawal_announced",
        "kazakhstan",
        "withdrawal_requested",
        "csto",
    ),
    "withdrawal_begins": ("2022-01-13", "withdrawal_begins", "csto", "withdrawal_begins", None),
    "withdrawal_complete": (
        "2022-01-19",
        "withdrawal_complete",
        "csto",
        "withdrawal_complete",
        None,
    ),
}


@pytest.fixture(scope="module")
def record() -> Record:
    return load_record(KZ2022_RECORD)


def ev(actor, action, date, target=None, **terms) -> Event:
    return Event(
        time=float((date - START).days),
        date=date,
        actor=actor,
        action=action,
        target=target,
        terms=terms,
    )


def target_event(t: Target, shift_days: int = 0) -> Event:
    return ev(t.actor, t.action, t.record_date + dt.timedelta(days=shift_days), t.target, **t.terms)


def perfect_run(record: Record, shift: dict[str, int] | None = None, drop=()) -> list[Event]:
    shift = shift or {}
    events = [target_event(t, shift.get(t.id, 0)) for t in record.targets if t.id not in drop]
    return sorted(events, key=lambda e: e.time)


def by_id(score, target_id):
    return next(t for t in score.targets if t.id == target_id)


# --- the packaged record -------------------------------------------------------------------------


def test_packaged_record_loads_with_all_events_and_sources(record):
    assert len(record.events) == 77
    for e in record.events:
        assert isinstance(e.date, dt.date)
        assert e.actor and e.action and e.description and e.agreement
        assert e.sources, e.action
        assert all(s.get("title") and s.get("url", "").startswith("http") for s in e.sources)
    assert record.meta["title"].startswith("Kazakhstan January 2022")
    assert "derived_from" in record.meta


@pytest.mark.skipif(not SHARED_TIMELINE.exists(), reason="shared timeline not available")
def test_events_carry_over_from_shared_timeline_unchanged():
    shared = yaml.safe_load(SHARED_TIMELINE.read_text(encoding="utf-8"))
    ours_path = KZ2022_RECORD
    ours = yaml.safe_load(ours_path.read_text(encoding="utf-8"))
    assert ours["events"] == shared["events"]
    for key, value in shared["meta"].items():
        assert ours["meta"][key] == value


def test_record_event_fields_parsed(record):
    nationwide = next(e for e in record.events if e.action == "state_of_emergency_nationwide")
    assert nationwide.date == dt.date(2022, 1, 5)
    assert nationwide.quantities["regions_under_emergency"] == 17
    assert nationwide.note
    calls = next(e for e in record.events if e.action == "erdogan_calls_ots_leaders")
    assert calls.actor_detail == "turkey_as_ots_chair"
    assert len([e for e in record.events if e.action == "iran_statement"]) == 3


def test_targets_are_the_sixteen_with_record_dates(record):
    assert [t.id for t in record.targets] == list(EXPECTED_TARGETS)
    for t in record.targets:
        date, rec_event, actor, action, target = EXPECTED_TARGETS[t.id]
        assert t.record_date == dt.date.fromisoformat(date), t.id
        assert t.record_event == rec_event, t.id
        assert (t.actor, t.action, t.target) == (actor, action, target), t.id
        assert t.action in ACTIONS, t.id
        assert t.description, t.id
    china = next(t for t in record.targets if t.id == "china_statement_support")
    assert china.terms == {"kind": "support"}


def test_every_target_record_event_is_in_the_record_on_its_date(record):
    for t in record.targets:
        same_day = [e for e in record.events if e.date == t.record_date]
        assert t.record_event in {e.action for e in same_day}, t.id


def test_forbidden_entries(record):
    forb = {f.id: f for f in record.forbidden}
    assert set(forb) == {
        "turkish_or_ots_deployment",
        "chinese_or_iranian_troops",
        "refusal_to_leave",
    }
    deploy = {"deploy_decided", "troops_arrive", "contingent_arrives"}
    assert forb["turkish_or_ots_deployment"].actors == {"turkey", "ots"}
    assert forb["turkish_or_ots_deployment"].actions == deploy
    assert forb["chinese_or_iranian_troops"].actors == {"china", "iran"}
    assert forb["chinese_or_iranian_troops"].actions == deploy
    assert forb["refusal_to_leave"].actors is None
    assert forb["refusal_to_leave"].actions == {"refuses_to_leave"}
    assert all(f.basis.startswith("record:") and f.description for f in forb.values())


def test_load_rejects_target_whose_record_event_is_not_on_its_date(tmp_path):
    path = KZ2022_RECORD
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["targets"][0]["record_date"] = "2022-01-03"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ValueError, match="protests_begin"):
        load_record(bad)


# --- scoring -------------------------------------------------------------------------------------


def test_perfect_runs_score_one(record):
    score = score_replay(record, [perfect_run(record) for _ in range(4)])
    assert score.score == 1.0
    for t in score.targets:
        assert t.hit_rate == 1.0 and t.occurred_rate == 1.0
        assert t.model_median_date == t.record_date
    assert score.forbidden == ()


@pytest.mark.parametrize("days", [-1, 1])
def test_one_day_off_still_hits(record, days):
    runs = [perfect_run(record) for _ in range(3)] + [perfect_run(record, {"csto_decision": days})]
    score = score_replay(record, runs)
    assert by_id(score, "csto_decision").hit_rate == 1.0
    assert score.score == 1.0


@pytest.mark.parametrize("days", [-2, 2])
def test_two_days_off_misses(record, days):
    n_runs = 4
    runs = [perfect_run(record) for _ in range(n_runs - 1)]
    runs.append(perfect_run(record, {"csto_decision": days}))
    score = score_replay(record, runs)
    t = by_id(score, "csto_decision")
    assert t.hit_rate == pytest.approx(1 - 1 / n_runs)
    assert t.occurred_rate == 1.0
    assert score.score == pytest.approx(1 - (1 / n_runs) / 16)
    assert all(s.hit_rate == 1.0 for s in score.targets if s.id != "csto_decision")


def test_missing_event_is_a_miss(record):
    runs = [
        perfect_run(record),
        perfect_run(record),
        perfect_run(record, drop={"withdrawal_complete"}),
    ]
    score = score_replay(record, runs)
    t = by_id(score, "withdrawal_complete")
    assert t.occurred_rate == pytest.approx(2 / 3)
    assert t.hit_rate == pytest.approx(2 / 3)
    assert t.model_median_date == dt.date(2022, 1, 19)
    assert score.score == pytest.approx(1 - (1 / 3) / 16)


def test_never_happening_target_has_no_median(record):
    score = score_replay(record, [perfect_run(record, drop={"iran_statement"})] * 2)
    t = by_id(score, "iran_statement")
    assert (t.model_median_date, t.occurred_rate, t.hit_rate) == (None, 0.0, 0.0)
    row = next(r for r in score.to_dict()["targets"] if r["id"] == "iran_statement")
    assert row["model_median_date"] is None


def test_median_of_even_count_takes_lower_middle(record):
    runs = [perfect_run(record, {"withdrawal_begins": d}) for d in (3, 0, 2, 1)]
    t = by_id(score_replay(record, runs), "withdrawal_begins")
    assert t.model_median_date == dt.date(2022, 1, 14)  # offsets 0,1,2,3 -> lower middle 1
    runs = [perfect_run(record, {"withdrawal_begins": d}) for d in (5, 0, 1)]
    t = by_id(score_replay(record, runs), "withdrawal_begins")
    assert t.model_median_date == dt.date(2022, 1, 14)


def test_first_matching_event_counts(record):
    run = perfect_run(record, {"protests_begin": -3})  # 2021-12-30: a miss
    run.append(
        ev("unrest", "protests_begin", dt.date(2022, 1, 2))
    )  # later match does not rescue it
    t = by_id(score_replay(record, [run]), "protests_begin")
    assert t.hit_rate == 0.0
    assert t.model_median_date == dt.date(2021, 12, 30)


def test_terms_must_be_a_subset(record):
    support = next(t for t in record.targets if t.id == "china_statement_support")
    day = support.record_date
    assert not support.matches(ev("china", "statement", day, kind="concern"))
    assert not support.matches(ev("china", "statement", day))
    assert support.matches(ev("china", "statement", day, kind="support", utility=0.7))

    run = perfect_run(record, drop={"china_statement_support"})
    run.append(ev("china", "statement", day, kind="concern"))
    t = by_id(score_replay(record, [run]), "china_statement_support")
    assert (t.occurred_rate, t.hit_rate) == (0.0, 0.0)


def test_target_field_must_match(record):
    request = next(t for t in record.targets if t.id == "request_to_csto")
    day = request.record_date
    assert not request.matches(ev("kazakhstan", "request_help", day, target="russia"))
    assert not request.matches(ev("kazakhstan", "request_help", day))
    assert request.matches(ev("kazakhstan", "request_help", day, target="csto"))

    run = perfect_run(record, {"request_to_csto": 3})
    run.append(ev("kazakhstan", "request_help", day, target="russia"))
    t = by_id(score_replay(record, [run]), "request_to_csto")
    assert t.hit_rate == 0.0
    assert t.model_median_date == dt.date(2022, 1, 8)


def test_forbidden_counted_once_per_run(record):
    day = dt.date(2022, 1, 7)
    run_twice = [
        *perfect_run(record),
        ev("turkey", "deploy_decided", day),
        ev("turkey", "troops_arrive", day + dt.timedelta(days=1)),
    ]
    run_ots = [*perfect_run(record), ev("ots", "contingent_arrives", day)]
    run_clean = [
        *perfect_run(record),
        ev("russia", "deploy_decided", day),  # not a forbidden actor
        ev("turkey", "statement", day, kind="solidarity"),  # not a forbidden action
    ]
    run_stays = [*perfect_run(record), ev("csto", "refuses_to_leave", day)]
    score = score_replay(record, [run_twice, run_ots, run_clean, run_stays])
    seen = {f.id: f for f in score.forbidden}
    assert set(seen) == {"turkish_or_ots_deployment", "refusal_to_leave"}
    assert seen["turkish_or_ots_deployment"].runs == 2
    assert seen["turkish_or_ots_deployment"].example.action == "deploy_decided"
    assert seen["refusal_to_leave"].runs == 1
    assert score.score == 1.0


def test_forbidden_matches(record):
    forb = {f.id: f for f in record.forbidden}
    troops = forb["chinese_or_iranian_troops"]
    assert troops.matches(ev("iran", "troops_arrive", START))
    assert not troops.matches(ev("iran", "statement", START))
    assert not troops.matches(ev("turkey", "troops_arrive", START))
    assert forb["refusal_to_leave"].matches(ev("anyone", "refuses_to_leave", START))


def test_to_dict_is_json_with_exact_keys(record):
    runs = [perfect_run(record), [*perfect_run(record), ev("china", "troops_arrive", START)]]
    d = score_replay(record, runs).to_dict()
    assert json.loads(json.dumps(d)) == d
    assert set(d) == {
        *("score", "exact", "mae_days", "brier", "crps", "forbidden_share"),
        *("runs", "record_events", "targets", "forbidden"),
    }
    assert isinstance(d["score"], float) and d["exact"] == 1.0 and d["runs"] == 2
    assert d["mae_days"] == 0.0 and d["crps"] is None  # no horizon given
    assert d["forbidden_share"] == 0.5
    assert d["brier"] == pytest.approx(0.25 / (16 + len(record.forbidden)))  # one forbidden: 0.5
    assert len(d["targets"]) == 16 and d["record_events"] == 16
    for row in d["targets"]:
        assert set(row) == {
            *("id", "action", "record_date", "group", "model_median_date"),
            *("occurred_rate", "hit_rate", "exact_rate", "mae_days", "brier", "crps"),
        }
        assert dt.date.fromisoformat(row["record_date"])
        assert dt.date.fromisoformat(row["model_median_date"])
    assert d["forbidden"] == [
        {
            "id": "chinese_or_iranian_troops",
            "description": next(
                f.description for f in record.forbidden if f.id == "chinese_or_iranian_troops"
            ),
            "share": 0.5,
        }
    ]


def test_table(record):
    clean = score_replay(record, [perfect_run(record, drop={"iran_statement"})]).table()
    lines = clean.splitlines()
    assert len(lines) == 2 + 16 + 2
    for t in record.targets:
        assert any(line.startswith(t.id + " ") for line in lines)
    iran = next(line for line in lines if line.startswith("iran_statement "))
    assert "never" in iran and "0%" in iran
    assert "0.938" in clean  # 15/16
    assert lines[-1] == "forbidden events: none"

    dirty = score_replay(record, [[ev("ots", "deploy_decided", START)]]).table()
    assert "turkish_or_ots_deployment" in dirty.splitlines()[-1]
    assert "forbidden events: none" not in dirty


def test_day_errors_brier_and_crps_of_a_target(record):
    never = dt.date(2022, 2, 1)
    runs = [perfect_run(record, {"csto_decision": d}) for d in (0, 2, -1)]
    runs.append(perfect_run(record, drop={"csto_decision"}))
    t = by_id(score_replay(record, runs, never), "csto_decision")
    assert t.mae_days == pytest.approx(1.0)  # 0, 2, 1 over the runs where it happened
    assert t.brier == pytest.approx((0.75 - 1) ** 2)
    late = (never - t.record_date).days  # a run where it never happens counts it then
    assert t.crps == pytest.approx(crps([0, 2, -1, late], 0))
    perfect = score_replay(record, [perfect_run(record)] * 3, never)
    assert perfect.crps == 0.0 and perfect.brier == 0.0 and perfect.mae_days == 0.0


def test_targets_of_one_record_event_count_once(record):
    shared = dataclasses.replace(record.targets[1], record_event=record.targets[0].record_event)
    shared = dataclasses.replace(shared, record_date=record.targets[0].record_date, id="twin")
    one = dataclasses.replace(record, targets=(record.targets[0], shared))
    run = [target_event(record.targets[0])]  # the first happens; its twin does not
    score = score_replay(one, [run])
    assert score.groups == 1
    assert score.score == 0.5  # one record event, at the mean of its two targets
    assert "2 targets from 1 record events" in score.table()
    # two record events share the action and date (two actors' decisions that day): two groups
    twin_event = next(e for e in record.events if e.action == record.targets[0].record_event)
    two = dataclasses.replace(
        one, events=(*record.events, dataclasses.replace(twin_event, actor="someone_else"))
    )
    apart = score_replay(two, [run])
    assert apart.groups == 2 and apart.score == 0.5  # (1 + 0) / 2 either way; counted apart
    assert len({t.group for t in apart.targets}) == 2


def test_no_runs_is_an_error(record):
    with pytest.raises(ValueError):
        score_replay(record, [])
