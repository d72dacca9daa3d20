"""The unrest field: protest and violence over the host's regions, vectorised with numpy."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from sim.model import CrisisModel


class UnrestField(mesa.Agent):
    """Grievance, protest and violence in every region of the host state.

    State per region (numpy vectors): grievance ``g``, protest ``p``, violence ``v`` and
    armed-group strength ``armed`` in [0, 1], emergency rule ``emergency``; and ``relief``:
    security freed by foreign troops guarding key assets.
    """

    def __init__(self, model: CrisisModel) -> None:
        super().__init__(model)
        sc = model.scenario_spec
        self.ids = list(sc.regions)
        regions = list(sc.regions.values())
        index = {r: i for i, r in enumerate(self.ids)}
        n = len(regions)
        pop = np.array([r.population for r in regions])
        self.weight = pop / pop.sum()
        adj = np.zeros((n, n))
        for i, r in enumerate(regions):
            for nb in r.neighbours:
                adj[i, index[nb]] = adj[index[nb], i] = 1.0
        deg = adj.sum(axis=1, keepdims=True)
        self.adjacency = np.divide(adj, deg, out=np.zeros_like(adj), where=deg > 0)
        self.g = np.array([r.grievance for r in regions])
        self.exposure = np.array([r.shock_exposure for r in regions])
        self.armed = np.array([r.armed_groups for r in regions])
        self.security = np.array([r.security for r in regions])
        self.p = np.zeros(n)
        self.v = np.zeros(n)
        self.protest = 0.0  # population-weighted national protest level
        self.violence = 0.0  # population-weighted national violence level
        self.emergency = np.zeros(n, dtype=bool)
        self.emergency_days = np.zeros(n, dtype=int)
        self.relief = 0.0
        self.origin = np.array([index[o] for o in sc.shock.origin])
        self.rules = sc.unrest
        self.shock = sc.shock
        self.casualties = 0.0
        self.began = self.spread = self.restored = False
        self.violent = np.zeros(n, dtype=bool)

    # ---------------------------------------------------------------- observed state
    def effective_security(self) -> np.ndarray:
        """Own forces per region, raised by emergency rule and by foreign guards' relief."""
        return self.security * (1 + self.rules.emergency_boost * self.emergency) + self.relief

    def overload(self) -> float:
        """National violence load over national security capacity."""
        return self.violence / float(self.weight @ self.effective_security())

    # ---------------------------------------------------------------- changes from outside
    def apply_shock(self) -> None:
        """Day 0: a price shock raises grievance by exposure; an attack starts violence."""
        if self.shock.kind == "price_shock":
            self.g = np.minimum(1.0, self.g + self.shock.magnitude * self.exposure)
        self.model.emit(
            "unrest",
            "shock",
            None,
            {"kind": self.shock.kind, "magnitude": self.shock.magnitude},
            f"{self.shock.kind.replace('_', ' ')} hits {', '.join(self.shock.origin)}",
        )

    def relieve_grievance(self, amount: float) -> None:
        """A concession or a resignation lowers grievance everywhere."""
        self.g = np.maximum(0.0, self.g - amount)

    # ---------------------------------------------------------------- the daily update
    def step(self) -> None:
        """Update protest and violence for one day, then report thresholds crossed."""
        r, rng = self.rules, self.model.rng
        excess = self.g - r.grievance_threshold
        noise = np.exp(r.noise * rng.standard_normal((2, len(self.p))))
        social = self.g * (r.contagion * (self.adjacency @ self.p) + r.media_reach * self.protest)
        drive = (r.mobilisation_rate * excess + social) * noise[0]
        grow = np.where(drive > 0, drive * (1 - self.p), drive * self.p)
        fade = r.demobilisation * ((excess <= 0) | self.emergency)
        self.p = np.clip(self.p + grow - fade * self.p, 0.0, 1.0)
        dv = r.violence_rate * self.armed * self.p * (1 - self.v) * noise[1]
        if self.shock.kind == "armed_attack" and self.model.time <= self.shock.duration_days:
            dv[self.origin] += self.shock.magnitude * (1 - self.v[self.origin])
        sec = self.effective_security()
        self.v = np.clip(self.v + dv - r.suppression * sec * self.v, 0.0, 1.0)
        self.armed = self.armed * np.maximum(0.0, 1 - r.attrition * sec * self.emergency)
        self.protest = float(self.weight @ self.p)
        self.violence = float(self.weight @ self.v)
        self.casualties += self.violence
        self._report()

    def _report(self) -> None:
        r, emit = self.rules, self.model.emit
        active = self.p > r.onset_level
        if not self.began and active.any():
            self.began = True
            first = self.ids[int(np.argmax(self.p))]
            emit(
                "unrest",
                "protests_begin",
                first,
                {"protest": round(float(self.p.max()), 3)},
                f"protest in {first} passes the onset level {r.onset_level:g}",
            )
        beyond = int(active.sum() - active[self.origin].sum())
        if self.began and not self.spread and beyond >= r.spread_regions:
            self.spread = True
            emit(
                "unrest",
                "protests_spread",
                None,
                {"regions_beyond_origin": beyond},
                f"{beyond} regions beyond the origin are active (spread at {r.spread_regions:g})",
            )
        newly = (self.v > r.violent_level) & ~self.violent
        for i in np.flatnonzero(newly):
            emit(
                "unrest",
                "violence_erupts",
                self.ids[i],
                {"violence": round(float(self.v[i]), 3)},
                f"violence in {self.ids[i]} passes {r.violent_level:g}",
            )
        self.violent |= newly
        if self.violent.any() and not self.restored and self.v.max() < r.stable_level:
            self.restored = True
            self.model.order_restored()
            emit(
                "unrest",
                "order_restored",
                None,
                {"max_violence": round(float(self.v.max()), 3)},
                f"violence below {r.stable_level:g} in every region",
            )
