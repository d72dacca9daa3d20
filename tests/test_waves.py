"""Later waves of a shock: a second front, an escalation, a new danger, a new grievance."""

from __future__ import annotations

import datetime as dt
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


def test_a_grievance_wave_adds_grievance_where_it_hits_on_its_day():
    base = load_scenario(SOLOMONS)  # a political shock
    later = with_waves(base, wave(base, 5, ["malaita"], 0.3))
    m, ref = CrisisModel(later, rng=2), CrisisModel(base, rng=2)
    i = m.field.ids.index("malaita")
    m.run_for(4)
    ref.run_for(4)
    assert m.field.g[i] == ref.field.g[i]
    m.run_for(1)
    ref.run_for(1)
    assert m.field.g[i] == pytest.approx(min(1.0, ref.field.g[i] + 0.3))


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


def write(tmp_path: Path, wave_yaml: str) -> Path:
    path = tmp_path / "waves.yaml"
    path.write_text(f"extends: {BORDER_WAR}\nshock:\n  waves:\n{wave_yaml}", encoding="utf-8")
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
    ],
)
def test_a_bad_wave_is_named_by_file_and_key(tmp_path, wave_yaml, key, says):
    path = write(tmp_path, wave_yaml)
    with pytest.raises(InputError) as err:
        load_scenario(path)
    text = str(err.value)
    assert "waves.yaml" in text and key in text and says in text
