"""The unrest field: protest and violence over the host's regions.

One agent holds the state of every region. The regions are few (17 in Kazakhstan), so the
daily update is a plain loop over Python lists: on vectors this short it is several times
faster than numpy, whose per-call overhead dominates; numpy serves the two whole-vector steps
(the noise and the neighbours' mean).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.scenario import Scenario

if TYPE_CHECKING:
    from sim.model import CrisisModel


@dataclass(frozen=True)
class RegionMap:
    """What a scenario fixes about its regions: names, weights, neighbours, initial state."""

    ids: list[str]
    weight: list[float]
    mixing: np.ndarray  # row i averages over the neighbours of region i
    grievance: list[float]
    exposure: list[float]
    armed: list[float]
    security: list[float]
    origin: list[int]

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
        mixing = np.zeros((len(ids), len(ids)))
        for i, nbs in enumerate(links):
            for j in nbs:
                mixing[i, j] = 1.0 / len(nbs)
        total = sum(r.population for r in regions)
        built = cls(
            ids=ids,
            weight=[r.population / total for r in regions],
            mixing=mixing,
            grievance=[r.grievance for r in regions],
            exposure=[r.shock_exposure for r in regions],
            armed=[r.armed_groups for r in regions],
            security=[r.security for r in regions],
            origin=[index[o] for o in sc.shock.origin],
        )
        if len(_MAPS) >= 32:
            _MAPS.clear()
        _MAPS[id(sc)] = (sc, built)
        return built


_MAPS: dict[int, tuple[Scenario, RegionMap]] = {}


class UnrestField(mesa.Agent):
    """Grievance, protest and violence in every region of the host state.

    State per region (lists indexed like ``ids``): grievance ``g``, protest ``p``, violence
    ``v`` and armed-group strength ``armed`` in [0, 1]; emergency rule ``emergency`` and the
    day it was declared. ``relief`` is the security freed by foreign troops guarding key assets.
    """

    def __init__(self, model: CrisisModel) -> None:
        super().__init__(model)
        sc = model.scenario_spec
        rm = RegionMap.of(sc)
        n = self.n = len(rm.ids)
        self.ids, self.weight, self.mixing = rm.ids, rm.weight, rm.mixing
        self.exposure, self.security, self.origin = rm.exposure, rm.security, rm.origin
        self.g = list(rm.grievance)
        self.armed = list(rm.armed)
        self.p = [0.0] * n
        self.v = [0.0] * n
        self.protest = 0.0  # population-weighted national protest level
        self.violence = 0.0  # population-weighted national violence level
        self.emergency = [False] * n
        self.declared: dict[int, int] = {}  # region -> day emergency rule was declared
        self.first_declared = 0  # day of the first declaration (when ``declared`` is not empty)
        self.violent = [False] * n
        self.relief = 0.0
        self.capacity = sum(w * s for w, s in zip(self.weight, self.security, strict=True))
        self.rules = sc.unrest
        self.shock = sc.shock
        self.casualties = 0.0
        self.began = self.spread = self.restored = False

    # ---------------------------------------------------------------- observed state
    def overload(self) -> float:
        """National violence load over national security capacity (both population-weighted)."""
        return self.violence / self.capacity

    def quiet(self, i: int) -> bool:
        """Region ``i`` has neither violence nor active protest."""
        return self.v[i] < self.rules.stable_level and self.p[i] < self.rules.onset_level

    # ---------------------------------------------------------------- changes from outside
    def apply_shock(self) -> None:
        """Day 0: a price shock raises grievance by exposure; an attack starts violence."""
        s = self.shock
        if s.kind == "price_shock":
            pairs = zip(self.g, self.exposure, strict=True)
            self.g = [min(1.0, g + s.magnitude * e) for g, e in pairs]
        self.model.emit(
            "unrest",
            "shock",
            None,
            {"kind": s.kind, "magnitude": s.magnitude},
            f"{s.kind.replace('_', ' ')} hits {', '.join(s.origin)}",
        )

    def relieve_grievance(self, amount: float) -> None:
        """A concession or a resignation lowers grievance everywhere."""
        self.g = [max(0.0, g - amount) for g in self.g]

    # ---------------------------------------------------------------- the daily update
    def step(self) -> None:
        """Update protest, violence and armed groups for one day; report thresholds crossed.

        Per region i, with log-normal noise e1, e2 (s.d. ``noise``)::

            drive = (mobilisation_rate*(g-threshold)
                     + g*(contagion*mean(p of neighbours) + media_reach*P)) * e1
            p    += drive*(1-p) if drive > 0 else drive*p;  p -= demobilisation*p
                    under emergency rule or when g <= threshold
            v    += violence_rate*armed*p*(1-v)*e2 [+ magnitude*(1-v) in attacked regions]
                    - suppression*security*v
            armed *= 1 - attrition*security   (under emergency rule)

        where P is yesterday's national protest and ``security`` the effective security.
        """
        r, n = self.rules, self.n
        e = np.exp(r.noise * self.model.rng.standard_normal(2 * n)).tolist()
        local = (self.mixing @ self.p).tolist()  # mean protest of each region's neighbours
        thr, national = r.grievance_threshold, self.protest
        mob, con, media, demob = r.mobilisation_rate, r.contagion, r.media_reach, r.demobilisation
        rate, sup, att, boost = r.violence_rate, r.suppression, r.attrition, 1 + r.emergency_boost
        attack = self.shock.kind == "armed_attack" and self.model.time <= self.shock.duration_days
        hit = self.shock.magnitude if attack else 0.0
        old_p, g, v, armed, em = self.p, self.g, self.v, self.armed, self.emergency
        relief, security, origin = self.relief, self.security, self.origin
        p = [0.0] * n
        weight = self.weight
        capacity = protest = violence = 0.0
        for i in range(n):
            gi, pi, vi = g[i], old_p[i], v[i]
            drive = (mob * (gi - thr) + gi * (con * local[i] + media * national)) * e[i]
            new = pi + (drive * (1 - pi) if drive > 0 else drive * pi)
            if gi <= thr or em[i]:
                new -= demob * pi
            p[i] = new = 1.0 if new > 1.0 else (0.0 if new < 0.0 else new)
            dv = rate * armed[i] * new * (1 - vi) * e[n + i]
            if hit and i in origin:
                dv += hit * (1 - vi)
            sec = security[i] * (boost if em[i] else 1.0) + relief
            capacity += weight[i] * sec
            vi += dv - sup * sec * vi
            v[i] = 1.0 if vi > 1.0 else (0.0 if vi < 0.0 else vi)
            if em[i]:
                armed[i] *= max(0.0, 1 - att * sec)
            protest += weight[i] * p[i]
            violence += weight[i] * v[i]
        self.p = p
        self.capacity = capacity
        self.protest, self.violence = protest, violence
        self.casualties += self.violence
        self._report()

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
            if beyond >= r.spread_regions:
                self.spread = True
                emit(
                    "unrest",
                    "protests_spread",
                    None,
                    {"regions_beyond_origin": beyond},
                    f"{beyond} regions beyond the origin are active "
                    f"(spread at {r.spread_regions:g})",
                )
        for i, x in enumerate(v):
            if x > r.violent_level and not self.violent[i]:
                self.violent[i] = True
                emit(
                    "unrest",
                    "violence_erupts",
                    self.ids[i],
                    {"violence": round(x, 3)},
                    f"violence in {self.ids[i]} passes {r.violent_level:g}",
                )
        if not self.restored and any(self.violent) and max(v) < r.stable_level:
            self.restored = True
            self.model.order_restored()
            emit(
                "unrest",
                "order_restored",
                None,
                {"max_violence": round(max(v), 3)},
                f"violence below {r.stable_level:g} in every region",
            )
