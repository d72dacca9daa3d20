"""Later waves of a shock: a second front, an escalation, a new danger, a new grievance."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from sim.loading import InputError
from sim.model import CrisisModel
from sim.scenario import Scenario, Wave, load_scenario
from tests.conftest import ROOT

BORDER_WAR = ROOT / "scenarios" / "examples" / "border_war.yaml"
SOLOMONS = ROOT / "scenarios" / "crises" / "sb2021.yaml"


def with_waves(sc: Scenario, *waves: Wave, **shock) -> Scenario:
    return sc.model_copy(
        update={"shock": sc.shock.model_copy(update={"waves": list(waves), **shock})}
    )


def wave(sc: Scenario, day: int, origin: list[str], magnitude: float, days: float = 0) -> Wave:
    start = sc.calendar.start
    return Wave(
        date=start + dt.timedelta(days=day), origin=origin, magnitude=magnitude, duration_days=days
    )


def violence_by_day(m: CrisisModel, region: str) -> list[float]:
    i = m.field.ids.index(region)
    return [row["violence"][i] for row in m.series]


def test_a_second_front_adds_violence_from_the_day_after_it_begins_to_its_last_day():
    base = load_scenario(BORDER_WAR)
    front = with_waves(base, wave(base, 10, ["corran_coast"], 0.5, days=4))
    calm = CrisisModel(base, rng=3).run()
    hit = CrisisModel(front, rng=3).run()
    before, after = violence_by_day(calm, "corran_coast"), violence_by_day(hit, "corran_coast")
    assert after[:11] == before[:11]  # nothing changes before the wave bites
    assert after[11] > before[11] + 0.2
    assert max(after[15:]) < after[14]  # suppressed once the wave ends (day 14)
    (e,) = [e for e in hit.events if e.action == "shock_wave"]
    assert e.time == 10 and e.terms["wave"] == 1 and "corran_coast" in e.reason


def test_an_attack_lasts_while_any_wave_of_it_does():
    base = load_scenario(BORDER_WAR)  # the attack itself lasts 8 days
    front = with_waves(base, wave(base, 12, ["harrowmark"], 0.3, days=5))
    m = CrisisModel(front, rng=1)
    lasting = []
    for _ in range(20):
        m.run_for(1)
        lasting.append(m.field.threat_lasts())
    assert lasting[7] and not lasting[9] and lasting[12] and lasting[16] and not lasting[17]


def test_a_grievance_wave_raises_grievance_at_the_end_of_its_day_as_the_shock_does():
    base = load_scenario(SOLOMONS)  # a political shock
    later = with_waves(base, wave(base, 5, ["malaita"], 0.3))
    m, ref = CrisisModel(later, rng=2), CrisisModel(base, rng=2)
    i = m.field.ids.index("malaita")
    m.run_for(5)
    ref.run_for(5)
    assert m.field.p == ref.field.p  # day 5's update ran on the old grievance
    assert m.field.g[i] == pytest.approx(min(1.0, ref.field.g[i] + 0.3))
    m.run_for(1)
    ref.run_for(1)
    assert m.field.p[i] > ref.field.p[i]  # it drives protest from day 6


def test_a_wave_after_order_was_restored_is_reported_as_a_new_episode():
    base = load_scenario(BORDER_WAR)
    again = with_waves(base, wave(base, 14, ["harrowmark"], 0.5, days=3))
    m = CrisisModel(again, rng=1).run()
    seen = [(e.time, e.action) for e in m.events if e.target in (None, "harrowmark")]
    restored = [t for t, a in seen if a == "order_restored"]
    erupted = [t for t, a in seen if a == "violence_erupts"]
    assert len(restored) == 2 and restored[0] < 14 < restored[1]
    assert erupted == [1.0, 15.0]  # harrowmark erupts again the day after the wave


def test_a_danger_wave_holds_from_its_first_to_its_last_day_then_lifts():
    base = load_scenario(BORDER_WAR)
    danger = with_waves(
        base,
        wave(base, 6, ["corran_coast"], 0.4, days=3),
        kind="spillover",
        attacker=None,
        duration_days=2,
    )
    m = CrisisModel(danger, rng=1)
    i = m.field.ids.index("corran_coast")
    seen = []
    for _ in range(12):
        m.run_for(1)
        seen.append(m.field.danger[i])
    assert seen[4] == 0.0 and seen[5:9] == [0.4] * 4 and seen[9] == 0.0  # days 6..9
    assert m.field.national_danger == 0.0


def write(tmp_path: Path, wave_yaml: str, kind: str = "") -> Path:
    path = tmp_path / "waves.yaml"
    path.write_text(f"extends: {BORDER_WAR}\nshock:\n{kind}  waves:\n{wave_yaml}", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("wave_yaml", "key", "says"),
    [
        (
            "    - {date: 2031-04-20, origin: [atlantis], magnitude: {value: 0.2, source: s},"
            " duration_days: {value: 2, source: s}}\n",
            "shock.waves[0].origin[0]",
            "unknown region 'atlantis'",
        ),
        (
            "    - {date: 2031-04-14, origin: [aurel], magnitude: {value: 0.2, source: s},"
            " duration_days: {value: 2, source: s}}\n",
            "shock.waves[0].date",
            "after the start",
        ),
        (
            "    - {date: 2031-04-20, origin: [aurel], magnitude: {value: 0.2, source: s}}\n",
            "shock.waves[0].duration_days",
            "at least 1 day",
        ),
        (
            "    - {date: 2031-05-04, origin: [aurel], magnitude: {value: 0.2, source: s},"
            " duration_days: {value: 2, source: s}}\n",
            "shock.waves[0].date",
            "before the horizon",
        ),
    ],
)
def test_a_bad_wave_is_named_by_file_line_and_key(tmp_path, wave_yaml, key, says):
    path = write(tmp_path, wave_yaml)
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert str(err.value).startswith(f"{path}:4: {key}: ") and says in str(err.value)


def test_a_grievance_wave_with_a_duration_is_refused_in_one_line_with_status_2(tmp_path):
    kind = "  kind: political\n  attacker: null\n"
    path = write(
        tmp_path,
        "    - {date: 2031-04-20, origin: [aurel], magnitude: {value: 0.2, source: s},"
        " duration_days: {value: 2, source: s}}\n",
        kind,
    )
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "validate", str(path)], capture_output=True, text=True
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "shock.waves[0].duration_days" in lines[0]
    assert "it has no duration" in lines[0] and "Traceback" not in proc.stderr
