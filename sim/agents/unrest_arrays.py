"""The unrest field's daily update on numpy vectors, for fields of many regions.

The same equations as the plain loop of ``UnrestField.step`` and ``_loads``, with the same
operations in the same order, so that the results are bit-identical
(tests/test_unrest_arrays.py). Exponentials go through ``math.exp``, since numpy's may differ
in the last bit from one CPU to another, and are recomputed only when the effective security
changes; sums add up in region order, as the loop does.
"""

from __future__ import annotations

from math import exp
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.agents.unrest import UnrestField

ARRAYS_ABOVE = 256
"""Regions above which the daily update runs on numpy vectors.

Below, the plain loop is faster: numpy's cost per call outweighs the loop's per region (on the
historical scenario scaled by benchmarks/scaling.py the two break even near 272 regions).
"""


class Vectors:
    """What a field of many regions keeps as vectors.

    Its fixed traits, the vectors of the lists the last update wrote, and the decay factors
    of the last effective security.
    """

    def __init__(self, f: UnrestField) -> None:
        self.weight = np.asarray(f.weight)
        self.security = np.asarray(f.security)
        self.most = np.asarray(f.most)
        self._of: dict[int, tuple[list, np.ndarray]] = {}  # id of a list -> (it, its vector)
        self._replaced: dict[str, tuple[list, np.ndarray]] = {}  # name -> (list, its vector)
        self._rule: tuple[int, np.ndarray | None] = (-1, None)  # (changes, emergency flags)
        self._sec = np.full(f.n, np.nan)  # no security yet: every factor is computed first
        self._decays: tuple[np.ndarray, ...] = ()

    def of(self, values: list) -> np.ndarray:
        """The vector of ``values``: kept for the lists the update wrote, else converted."""
        kept = self._of.get(id(values))
        return kept[1] if kept is not None and kept[0] is values else np.asarray(values)

    def replaced(self, name: str, values: list) -> np.ndarray:
        """The vector of a list the field replaces but never changes in place, kept until then.

        Grievance, foreign relief, danger, the armed groups' loads.
        """
        kept = self._replaced.get(name)
        if kept is None or kept[0] is not values:
            kept = self._replaced[name] = (values, np.asarray(values))
        return kept[1]

    def emergency(self, f: UnrestField) -> np.ndarray:
        """Where emergency rule holds, as a vector, kept until the host declares or lifts it."""
        if self._rule[0] != f.rule_changes:
            self._rule = (f.rule_changes, np.asarray(f.emergency, dtype=bool))
        return self._rule[1]

    def wrote(self, *vectors: np.ndarray) -> list[list]:
        """The lists of ``vectors``, each remembered with its vector until the next update."""
        out = [x.tolist() for x in vectors]
        self._of = {id(lst): (lst, x) for lst, x in zip(out, vectors, strict=True)}
        return out

    def effective_security(self, f: UnrestField, extra: float) -> np.ndarray:
        """Own forces (more under emergency rule, with forces moved in) plus foreign relief."""
        em = self.emergency(f)
        boost = 1 + f.rules.emergency_boost
        moved = np.where(self.most < extra, self.most, extra)
        own = np.where(em, self.security * boost + moved, self.security)
        return own + self.replaced("relief", f.relief)

    def decays(self, sec: np.ndarray, rates: tuple[float, ...]) -> tuple[np.ndarray, ...]:
        """``exp(-rate * sec)`` per region for each rate; recomputed where ``sec`` changed."""
        if not self._decays:
            self._decays = tuple(np.empty(len(sec)) for _ in rates)
        changed = np.flatnonzero(sec != self._sec)
        if len(changed):
            x = sec[changed]
            for out, rate in zip(self._decays, rates, strict=True):
                out[changed] = [exp(y) for y in (-rate * x).tolist()]
            self._sec = sec
        return self._decays


def _clip01(x: np.ndarray) -> np.ndarray:
    """1 above 1, 0 below 0, as the loop's comparisons do (a negative zero stays)."""
    return np.where(x > 1.0, 1.0, np.where(x < 0.0, 0.0, x))


def _running_sum(x: np.ndarray) -> float:
    """The sum from 0.0, term by term in region order, as ``total += x`` in a loop."""
    return float(np.add.accumulate(np.concatenate(([0.0], x)))[-1])


def day(
    f: UnrestField, e: np.ndarray, local: np.ndarray, hits: dict[int, float], extra: float
) -> None:
    """One day of protest, violence and armed groups in every region (``UnrestField.step``)."""
    r, n, vec = f.rules, f.n, f.vectors
    g, p0, v0 = vec.replaced("g", f.g), vec.of(f.p), vec.of(f.v)
    armed, tired = vec.of(f.armed), vec.of(f.tired)
    em = vec.emergency(f)
    thr = r.grievance_threshold
    sec = vec.effective_security(f, extra)
    sup, demob, att = vec.decays(sec, (r.suppression, r.demobilisation, r.attrition))
    drive = (
        r.mobilisation_rate * (g - thr) + g * (r.contagion * local + r.media_reach * f.protest)
    ) * e[:n]
    drive = np.where(drive > 0, drive * (1 - tired), drive)
    new = p0 + np.where(drive > 0, drive * (1 - p0), drive * p0)
    new = np.where(
        em, new - p0 * (1.0 - demob), np.where(g <= thr, new - r.demobilisation * p0, new)
    )
    p = _clip01(new)
    t = tired + r.fatigue * p
    tired = np.where(t < 1.0, t, 1.0)
    dv = r.violence_rate * armed * p * (1 - v0) * e[n:]
    if hits:
        at = np.fromiter(hits, int, len(hits))
        dv[at] += np.fromiter(hits.values(), float, len(hits)) * (1 - v0[at])
    v = _clip01(v0 * sup + dv)
    armed = np.where(em, armed * att, armed)
    f.capacity = _running_sum(vec.weight * sec)
    f.protest, f.violence = _running_sum(vec.weight * p), _running_sum(vec.weight * v)
    f.p, f.v, f.armed, f.tired = vec.wrote(p, v, armed, tired)


def loads(f: UnrestField, extra: float) -> list[float]:
    """Each region's threat (violence, or danger before it) over its effective security."""
    sec = f.vectors.effective_security(f, extra)
    v, d = f.vectors.of(f.v), f.vectors.replaced("danger", f.danger)
    threat = np.where(v > d, v, d)
    positive = sec > 0
    return np.where(positive, threat / np.where(positive, sec, 1.0), (threat > 0) * 20.0).tolist()


def armed_loads(f: UnrestField) -> list[float]:
    """Per region, armed groups over the host's own forces there in normal times."""
    a, sec = f.vectors.of(f.armed), f.vectors.security
    positive = sec > 0
    over = np.where(positive, a / np.where(positive, sec, 1.0), 20.0)
    return np.where(a > 0, over, 0.0).tolist()


def reinforcement(f: UnrestField) -> float:
    """Security each region under emergency rule gains from forces moved in from calm ones."""
    vec = f.vectors
    em = vec.emergency(f)
    if not em.any() or em.all():
        return 0.0
    calm = ~(em | (vec.replaced("armed_loads", f.armed_loads()) > 1.0))  # ``held``
    pool = sum((vec.weight * vec.security)[calm].tolist())  # as the loop's sum() adds them
    under = sum(vec.weight[em].tolist())
    return f.rules.reinforcement * pool / under


def over_triggers(f: UnrestField, violence: float, protest: float, load: float) -> list[int]:
    """Regions not under emergency rule whose violence, protest or load passes a trigger."""
    vec = f.vectors
    hit = (vec.of(f.v) > violence) | (vec.of(f.p) > protest) | (np.asarray(f.load) > load)
    return np.flatnonzero(hit & ~vec.emergency(f)).tolist()
