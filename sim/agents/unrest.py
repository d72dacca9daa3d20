"""The unrest field: protest and violence over the host's regions.

One agent holds the state of every region. The regions are usually few (17 in Kazakhstan), so
the daily update is a plain loop over Python lists: on vectors this short it is several times
faster than numpy, whose per-call overhead dominates; numpy serves the two whole-vector steps
(the noise and the neighbours' mean). Above ``unrest_arrays.ARRAYS_ABOVE`` regions the update
runs on numpy vectors instead, with the same results.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import exp
from typing import TYPE_CHECKING, Any, NamedTuple

import mesa
import numpy as np

from sim.agents import unrest_arrays
from sim.scenario import Scenario

if TYPE_CHECKING:
    from sim.model import CrisisModel


class Phase(NamedTuple):
    """The shock or one later wave of it: from ``first`` to ``last`` day, in ``origin``."""

    first: int
    last: float
    magnitude: float
    origin: tuple[int, ...]


@dataclass(frozen=True)
class RegionMap:
    """What a scenario fixes about its regions: names, weights, neighbours, initial state."""

    ids: list[str]
    weight: list[float]
    mixing: Any  # row i averages over the neighbours of region i (``_mixing``)
    grievance: list[float]
    exposure: list[float]
    armed: list[float]
    security: list[float]
    origin: list[int]
    waves: list[Phase]  # the shock and its later waves, each with its days and regions
    recognised: list[bool]
    personnel: list[float]  # the host's own security personnel in each region

    @classmethod
    def of(cls, sc: Scenario) -> RegionMap:
        """The region map of ``sc``, built once per scenario object and then reused."""
        cached = _MAPS.get(id(sc))
        if cached is not None and cached[0] is sc:
            return cached[1]
        ids, regions = list(sc.regions), list(sc.regions.values())
        index = {r: i for i, r in enumerate(ids)}
        links: list[set[int]] = [set() for _ in regions]
        for i, r in enumerate(regions):
            for nb in r.neighbours:
                links[i].add(index[nb])
                links[index[nb]].add(i)
        mixing = _mixing(links)
        origin = [index[o] for o in sc.shock.origin]
        total = sum(r.population for r in regions)
        strength = [r.population * r.security for r in regions]
        staff = sc.actors[sc.host_id].security_personnel
        built = cls(
            ids=ids,
            weight=[r.population / total for r in regions],
            mixing=mixing,
            grievance=[r.grievance for r in regions],
            exposure=[r.shock_exposure for r in regions],
            armed=[r.armed_groups for r in regions],
            security=[r.security for r in regions],
            origin=origin,
            waves=[
                Phase(0, sc.shock.duration_days, sc.shock.magnitude, tuple(origin)),
                *(
                    Phase(
                        day := (w.date - sc.calendar.start).days,
                        day + w.duration_days,
                        w.magnitude,
                        tuple(index[o] for o in w.origin),
                    )
                    for w in sc.shock.waves
                ),
            ],
            recognised=[r.territory == "recognised" for r in regions],
            personnel=[staff * x / (sum(strength) or 1.0) for x in strength],
        )
        if len(_MAPS) >= 32:
            _MAPS.clear()
        _MAPS[id(sc)] = (sc, built)
        return built


_MAPS: dict[int, tuple[Scenario, RegionMap]] = {}

DENSE_UP_TO = 64
"""Regions up to which the neighbour matrix is dense (numpy); sparse (scipy) above."""


def _mixing(links: list[set[int]]) -> Any:
    """The row-normalised neighbour matrix: dense for a few dozen regions, sparse above.

    Above ``DENSE_UP_TO`` regions a dense product costs n squared a day and starts BLAS threads;
    the sparse one sums each region's neighbours only (in another order: the last bits of a
    product may differ from the dense one's).
    """
    n = len(links)
    if n <= DENSE_UP_TO:
        mixing = np.zeros((n, n))
        for i, nbs in enumerate(links):
            for j in nbs:
                mixing[i, j] = 1.0 / len(nbs)
        return mixing
    from scipy.sparse import csr_matrix

    rows = [i for i, nbs in enumerate(links) for _ in nbs]
    cols = [j for nbs in links for j in sorted(nbs)]
    vals = [1.0 / len(nbs) for nbs in links for _ in nbs]
    return csr_matrix((vals, (rows, cols)), shape=(n, n))


class UnrestField(mesa.Agent):
    """Grievance, protest and violence in every region of the host state.

    State per region (lists indexed like ``ids``): grievance ``g``, protest ``p``, violence
    ``v``, armed-group strength ``armed`` and danger ``danger`` (a threat from beyond the border,
    before violence) in [0, 1]; emergency rule ``emergency`` and the day it was declared;
    ``relief``, the security foreign troops add in each region. The field owns emergency rule:
    the host decides, the field keeps the state.
    """

    def __init__(self, model: CrisisModel) -> None:
        super().__init__(model)
        sc = model.scenario_spec
        rm = RegionMap.of(sc)
        n = self.n = len(rm.ids)
        self.ids, self.weight, self.mixing = rm.ids, rm.weight, rm.mixing
        self.exposure, self.security, self.origin = rm.exposure, rm.security, rm.origin
        self.rules = sc.behaviour.unrest
        # the most forces moved in from calm regions can add to each region's security
        self.most = [self.rules.reinforcement_cap * s for s in rm.security]
        self.waves = rm.waves
        self.recognised, self.personnel = rm.recognised, rm.personnel
        # national security per unit of population, and the host's personnel (relief per troop)
        self.strength = sum(w * s for w, s in zip(rm.weight, rm.security, strict=True))
        self.staff = sc.actors[sc.host_id].security_personnel
        self.all_recognised = all(rm.recognised)
        self.g = list(rm.grievance)
        self.armed = list(rm.armed)
        self.p = [0.0] * n
        self.v = [0.0] * n
        self.protest = 0.0  # population-weighted national protest level
        self.violence = 0.0  # population-weighted national violence level
        self.emergency = [False] * n
        self.rule_changes = 0  # declarations and lifts of emergency rule so far
        self.declared: dict[int, int] = {}  # region -> day emergency rule was declared
        self.nationwide = False  # emergency rule was extended to the whole country
        self.stale = False  # emergency rule or foreign troops changed since the loads were computed
        self.first_declared = 0  # day of the first declaration (when ``declared`` is not empty)
        self.violent = [False] * n
        self.armed_hit = False  # violence has erupted where armed groups act
        self.relief = [0.0] * n
        self.danger = [0.0] * n
        self.national_danger = 0.0  # population-weighted danger
        self.tired = [0.0] * n  # protest fatigue: how far the drive to protest has worn down
        self._draws: list[Any] = []  # noise factors of the days ahead, the next last
        self.load = [0.0] * n
        self.worst = 0.0  # max(load)
        # the daily update on vectors, for many regions (``unrest_arrays``)
        self.vectors = unrest_arrays.Vectors(self) if n > unrest_arrays.ARRAYS_ABOVE else None
        self._armed_loads: tuple[list[float] | None, list[float]] = (None, [])  # (load, result)
        self.capacity = sum(w * s for w, s in zip(self.weight, self.security, strict=True))
        self.shock = sc.shock
        self.casualties = 0.0
        self.began = self.spread = self.restored = False

    # ---------------------------------------------------------------- observed state
    def worst_load(self) -> float:
        """The threat (violence, or danger before it) over own security, where it is worst."""
        return self.worst

    def national_load(self) -> float:
        """The crisis as a whole: national violence (or danger) over national security."""
        threat = max(self.violence, self.national_danger)
        return threat / self.capacity if self.capacity > 0 else float(threat > 0)

    def share_in_recognised(self) -> float:
        """Share of the threat (summed loads) inside the host's recognised territory."""
        if self.all_recognised:
            return 1.0
        total = sum(self.load)
        if total == 0:
            return 1.0
        return (
            sum(x for x, inside in zip(self.load, self.recognised, strict=True) if inside) / total
        )

    def armed_violence(self) -> bool:
        """Whether armed groups have acted where violence erupted."""
        return self.armed_hit

    def threat_lasts(self) -> bool:
        """Whether an attack or a danger from abroad (the shock or a wave begun) is going on."""
        t = self.model.now
        return self.shock.kind in ("state_attack", "armed_group", "spillover") and any(
            w.first <= t <= w.last for w in self.waves
        )

    def armed_loads(self) -> list[float]:
        """Per region, armed groups over the host's own forces there in normal times.

        Kept until the loads are recomputed or the daily update changes the armed groups.
        """
        if self._armed_loads[0] is not self.load:
            if self.vectors is not None:
                loads = unrest_arrays.armed_loads(self)
            else:
                loads = [
                    (a / s if s > 0 else 20.0) if a > 0 else 0.0
                    for a, s in zip(self.armed, self.security, strict=True)
                ]
            self._armed_loads = (self.load, loads)
        return self._armed_loads[1]

    def armed_load(self) -> float:
        """The armed groups' load where it is worst.

        Above the bar for troops, its forces alone cannot hold the groups that remain.
        """
        return max(self.armed_loads())

    def quiet(self, i: int) -> bool:
        """Region ``i`` has neither violence nor active protest."""
        return self.v[i] < self.rules.stable_level and self.p[i] < self.rules.onset_level

    def calm(self) -> bool:
        """Violence is below the stable level, and no danger, in every region."""
        level = self.rules.stable_level
        return max(self.v) < level and max(self.danger) < level

    # ---------------------------------------------------------------- emergency rule
    def over_triggers(self, violence: float, protest: float, load: float) -> list[int]:
        """Regions not under emergency rule whose violence, protest or load passes a trigger.

        The host uses its own means before it asks anyone.
        """
        if self.vectors is not None:
            return unrest_arrays.over_triggers(self, violence, protest, load)
        return [
            i
            for i in range(self.n)
            if not self.emergency[i]
            and (self.v[i] > violence or self.p[i] > protest or self.load[i] > load)
        ]

    def held(self) -> list[bool]:
        """Per region, whether armed groups hold it: they outnumber its forces in normal times."""
        return [a > 1.0 for a in self.armed_loads()]

    def share_under_emergency_or_held(self) -> float:
        """Share of the population living under emergency rule or held by armed groups."""
        return sum(
            w for w, e, h in zip(self.weight, self.emergency, self.held(), strict=True) if e or h
        )

    def declare(self, i: int, today: int) -> None:
        """Emergency rule in region ``i`` from ``today``."""
        if not self.declared:
            self.first_declared = today
        self.emergency[i] = True
        self.declared[i] = today
        self.rule_changes += 1
        self.stale = True

    def declare_everywhere(self, today: int) -> None:
        """Emergency rule in every region it holds (those already under it keep their date)."""
        held = self.held()
        for i in range(self.n):
            if not held[i] or self.emergency[i]:
                self.declared.setdefault(i, today)
                self.emergency[i] = True
        self.nationwide = True
        self.rule_changes += 1
        self.stale = True

    def releasable(self, today: int, term: int) -> list[int]:
        """Quiet regions whose emergency rule has lasted ``term`` days.

        Once the first has and no attack or danger from abroad lasts.
        """
        if not self.declared or today - self.first_declared < term or self.threat_lasts():
            return []
        return [i for i, since in self.declared.items() if today - since >= term and self.quiet(i)]

    def lift(self, i: int) -> int:
        """End emergency rule in region ``i``; return the day it was declared."""
        self.emergency[i] = False
        self.nationwide = False
        self.rule_changes += 1
        self.stale = True
        return self.declared.pop(i)

    # ---------------------------------------------------------------- changes from outside
    def apply_shock(self) -> None:
        """Day 0.

        A grievance shock raises grievance by exposure; an attack or a danger starts in the origin
        (and lasts its days).
        """
        s = self.shock
        if s.kind in ("economic", "political", "communal"):
            pairs = zip(self.g, self.exposure, strict=True)
            self.g = [min(1.0, g + s.magnitude * e) for g, e in pairs]
        if s.kind == "spillover":
            self._set_danger(0)
        self._loads()
        self.model.emit(
            "unrest",
            "shock",
            None,
            {"kind": s.kind, "magnitude": s.magnitude},
            f"{s.kind.replace('_', ' ')} shock hits {', '.join(s.origin)}",
        )

    def relieve_grievance(self, amount: float) -> None:
        """A concession or a resignation lowers grievance everywhere."""
        self.g = [max(0.0, g - amount) for g in self.g]

    def station(self, troops: float) -> None:
        """Place foreign troops where the load is, in proportion to it.

        Each stands in for ``foreign_ratio`` of the host's own personnel there.
        """
        self.stale = True
        total = sum(self.load)
        ratio = self.rules.foreign_ratio
        if troops <= 0 or total == 0:
            self.relief = [0.0] * self.n
            return
        per_person = ratio * troops * self.strength / self.staff
        self.relief = [
            per_person * x / total / w for x, w in zip(self.load, self.weight, strict=True)
        ]

    def reinforcement(self) -> float:
        """Security each region under emergency rule gains from forces moved in from calm ones.

        A share of the calm regions' forces (neither under emergency rule nor held by armed
        groups), spread over the emergency regions' population: a local crisis draws on the whole
        country; a national one cannot. A region takes at most ``reinforcement_cap`` times its own
        security of it (``_loads`` and ``step`` apply the cap).
        """
        if self.vectors is not None:
            return unrest_arrays.reinforcement(self)
        em = self.emergency
        if not any(em) or all(em):
            return 0.0
        calm = [not (e or h) for e, h in zip(em, self.held(), strict=True)]
        pool = sum(w * s for w, s, c in zip(self.weight, self.security, calm, strict=True) if c)
        under = sum(w for w, e in zip(self.weight, em, strict=True) if e)
        return self.rules.reinforcement * pool / under

    def update_loads(self) -> None:
        """Recompute each region's load if emergency rule or foreign troops changed there."""
        if self.stale:
            self._loads()

    def _loads(self) -> None:
        self.stale = False
        boost, extra = 1 + self.rules.emergency_boost, self.reinforcement()
        if self.vectors is not None:
            self.load = unrest_arrays.loads(self, extra)
            self.worst = max(self.load)
            return
        load = []
        for v, d, s, em, rel, most in zip(
            self.v, self.danger, self.security, self.emergency, self.relief, self.most, strict=True
        ):
            sec = (s * boost + (most if most < extra else extra) if em else s) + rel
            threat = v if v > d else d
            load.append(threat / sec if sec > 0 else float(threat > 0) * 20.0)
        self.load = load
        self.worst = max(load)

    # ---------------------------------------------------------------- the daily update
    def step(self) -> None:
        """Update protest, violence and armed groups for one day; report thresholds crossed.

        Per region i, with log-normal noise e1, e2 (s.d. ``noise``)::

            drive = (mobilisation_rate*(g-threshold)
                     + g*(contagion*mean(p of neighbours) + media_reach*P)) * e1
                    * (1 - fatigue) when positive
            p    += drive*(1-p) if drive > 0 else drive*p
            p    -= p*(1 - exp(-demobilisation*security)) under emergency rule (curfew,
                    bans), demobilisation*p when g <= threshold
            v     = v*exp(-suppression*security)
                    + violence_rate*armed*p*(1-v)*e2 [+ magnitude*(1-v) in attacked regions]
            armed *= exp(-attrition*security)   (under emergency rule)
            load  = max(v, danger) / security
            fatigue += fatigue_rate*p   (to 1: protest wears out)

        where P is yesterday's national protest and ``security`` the effective security: own
        forces (more under emergency rule, with forces moved in from calm regions) plus the
        relief foreign troops bring. Suppression, attrition and curfews act as continuous daily
        rates (exponential decay), so no amount of security overshoots to below zero.
        """
        r, n = self.rules, self.n
        e = self._noise()
        # the mean protest of each region's neighbours
        local = self.mixing @ np.asarray(self.p)
        if self.vectors is not None:
            extra = self.reinforcement()
            unrest_arrays.day(self, e, local, self._today(), extra)
            self._after_day()
            return
        local = local.tolist()
        thr, national = r.grievance_threshold, self.protest
        mob, con, media, demob = r.mobilisation_rate, r.contagion, r.media_reach, r.demobilisation
        rate, sup, att, boost = r.violence_rate, r.suppression, r.attrition, 1 + r.emergency_boost
        extra = self.reinforcement()
        hits = self._today()
        old_p, g, v, armed, em = self.p, self.g, self.v, self.armed, self.emergency
        tired, tire = self.tired, r.fatigue
        relief, security, most = self.relief, self.security, self.most
        p = [0.0] * n
        weight = self.weight
        capacity = protest = violence = 0.0
        for i in range(n):
            gi, pi, vi = g[i], old_p[i], v[i]
            if em[i]:
                cap = most[i]
                sec = security[i] * boost + (cap if cap < extra else extra) + relief[i]
            else:
                sec = security[i] + relief[i]
            drive = (mob * (gi - thr) + gi * (con * local[i] + media * national)) * e[i]
            if drive > 0:
                drive *= 1 - tired[i]
            new = pi + (drive * (1 - pi) if drive > 0 else drive * pi)
            if em[i]:
                new -= pi * (1.0 - exp(-demob * sec))
            elif gi <= thr:
                new -= demob * pi
            p[i] = new = 1.0 if new > 1.0 else (0.0 if new < 0.0 else new)
            t = tired[i] + tire * new
            tired[i] = t if t < 1.0 else 1.0
            dv = rate * armed[i] * new * (1 - vi) * e[n + i]
            if i in hits:
                dv += hits[i] * (1 - vi)
            capacity += weight[i] * sec
            vi = vi * exp(-sup * sec) + dv
            v[i] = 1.0 if vi > 1.0 else (0.0 if vi < 0.0 else vi)
            if em[i]:
                armed[i] *= exp(-att * sec)
            protest += weight[i] * p[i]
            violence += weight[i] * v[i]
        self.p = p
        self.capacity = capacity
        self.protest, self.violence = protest, violence
        self._after_day()

    def _after_day(self) -> None:
        """Casualties, grievance waves, the loads and the thresholds crossed, after the update."""
        self.casualties += self.violence
        if self.shock.kind in ("economic", "political", "communal") and len(self.waves) > 1:
            self._raise_grievance(self.model.now)
        self._armed_loads = (None, [])  # armed groups have changed
        self._loads()
        self._report()

    def _noise(self) -> Any:
        """Today's log-normal noise factors, two per region (protest, then violence).

        Drawn at once for today and every day left to the horizon (one day at a time beyond it):
        the same draws, in the same order, as one day at a time. A list, or a vector for the
        update on vectors.
        """
        if not self._draws:
            left = self.model.scenario_spec.calendar.horizon_days - int(self.model.now)
            days = max(1, left + 1)
            z = self.model.rng.standard_normal((days, 2 * self.n))
            draws = np.exp(self.rules.noise * z)
            self._draws = list(draws if self.vectors is not None else draws.tolist())[::-1]
        return self._draws.pop()

    def _today(self) -> dict[int, float]:
        """Begin the waves due today; return the day's attack, violence per attacked region.

        As the shock on day 0: attacks add violence from the day after they begin to their last
        day; a danger holds from its first day to its last; a grievance wave raises grievance at
        the end of its day (``_raise_grievance``).
        """
        t, kind = self.model.now, self.shock.kind
        for k, w in enumerate(self.waves[1:], start=1):
            if w.first == t:
                self._begin_wave(k, w)
        if kind == "spillover":
            self._set_danger(t)
        if kind not in ("state_attack", "armed_group"):
            return {}
        hits: dict[int, float] = {}
        for w in self.waves:
            if w.first < t <= w.last:
                for i in w.origin:
                    hits[i] = max(hits.get(i, 0.0), w.magnitude)
        return hits

    def _begin_wave(self, k: int, w: Phase) -> None:
        """Report wave ``k``; once order was restored, a new episode is reported afresh.

        Its eruptions and, once calm returns, order restored again.
        """
        if self.restored:
            self.restored = False
            self.violent = [False] * self.n
        where = ", ".join(self.ids[i] for i in w.origin)
        self.model.emit(
            "unrest",
            "shock_wave",
            None,
            {"kind": self.shock.kind, "magnitude": w.magnitude, "wave": k},
            f"wave {k} of the {self.shock.kind.replace('_', ' ')} shock hits {where}",
        )

    def _raise_grievance(self, t: float) -> None:
        """A grievance wave that began today adds its magnitude to grievance where it hits."""
        g = list(self.g)  # replaced, not changed in place (``unrest_arrays.Vectors.replaced``)
        for w in self.waves[1:]:
            if w.first == t:
                for i in w.origin:
                    g[i] = min(1.0, g[i] + w.magnitude)
        self.g = g

    def _set_danger(self, t: float) -> None:
        """Danger in each region: the largest of the dangers holding today (none once all end)."""
        danger = [0.0] * self.n
        for w in self.waves:
            if w.first <= t <= w.last:
                for i in w.origin:
                    danger[i] = max(danger[i], min(1.0, w.magnitude))
        if danger != self.danger:
            self.danger = danger
            self.national_danger = sum(x * d for x, d in zip(self.weight, self.danger, strict=True))

    def _report(self) -> None:
        r, emit, p, v = self.rules, self.model.emit, self.p, self.v
        if not self.began:
            top = max(range(self.n), key=p.__getitem__)
            if p[top] > r.onset_level:
                self.began = True
                emit(
                    "unrest",
                    "protests_begin",
                    self.ids[top],
                    {"protest": round(p[top], 3)},
                    f"protest in {self.ids[top]} passes the onset level {r.onset_level:g}",
                )
        if self.began and not self.spread:
            beyond = sum(1 for i, x in enumerate(p) if x > r.onset_level and i not in self.origin)
            if beyond >= r.spread_share * (self.n - len(self.origin)):
                self.spread = True
                emit(
                    "unrest",
                    "protests_spread",
                    None,
                    {"regions_beyond_origin": beyond},
                    f"{beyond} regions beyond the origin are active "
                    f"(spread at {r.spread_share:.0%} of them)",
                )
        for i, x in enumerate(v):
            if x > r.violent_level and not self.violent[i]:
                self.violent[i] = True
                self.armed_hit = self.armed_hit or self.armed[i] > 0
                emit(
                    "unrest",
                    "violence_erupts",
                    self.ids[i],
                    {"violence": round(x, 3)},
                    f"violence in {self.ids[i]} passes {r.violent_level:g}",
                )
        if not self.restored and any(self.violent) and self.calm():
            self.restored = True
            self.model.order_restored()
            emit(
                "unrest",
                "order_restored",
                None,
                {"max_violence": round(max(v), 3)},
                f"violence below {r.stable_level:g} in every region",
            )
