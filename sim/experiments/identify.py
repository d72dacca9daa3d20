"""Identification: which dated targets each free parameter moves (one-at-a-time steps).

A free parameter is any behavioural value (``behaviour.*``: shared by every crisis, whatever
record it was read from) and any other sourced value (``{value, source}``) whose source says it
was assumed, hand-set, hand-tuned or calibrated. Each is stepped down
and up by a share of its value (a whole number by at least one), the scenario is run on the same
seeds as the base, and a target *moves* when the mean absolute shift of its first date over the
seeds reaches ``min_shift`` days (a target that never happens counts as the day after the
horizon). ``pinned`` parameters move exactly one target; ``unconstrained`` ones move none.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sim.errors import InputError
from sim.loading import load_document, validate, with_edits
from sim.record import Record
from sim.runner import run_seeds
from sim.scenario import Scenario

FREE_MARKS = ("assumed", "hand-tuned", "hand-set", "calibrated")
"""Words in a source that make a value outside ``behaviour`` free (not a fact the files give)."""


@dataclass(frozen=True, slots=True)
class Moves:
    """What stepping one parameter did: the targets it moved and by how much (days)."""

    path: str
    value: float
    steps: tuple[float, ...]
    moves: tuple[str, ...]
    shifts: dict[str, float]


def free_parameters(data: Any, path: tuple = ()) -> Iterator[tuple[tuple, int | float]]:
    """Key paths and values of the free parameters in a loaded (merged) document."""
    behaviour = bool(path) and path[0] == "behaviour"
    if behaviour and isinstance(data, int | float) and not isinstance(data, bool):
        yield path, data
        return
    if isinstance(data, dict):
        if set(data) == {"value", "source"}:
            value, source = data["value"], str(data["source"]).lower()
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if number and (behaviour or any(mark in source for mark in FREE_MARKS)):
                yield path, value
            return
        for key, sub in data.items():
            yield from free_parameters(sub, (*path, key))
    elif isinstance(data, list):
        for i, sub in enumerate(data):
            yield from free_parameters(sub, (*path, i))


def first_days(record: Record, runs: Sequence[Sequence[Any]], never: float) -> dict[str, list]:
    """Per target, the day of its first match in each run (``never`` where it does not occur)."""
    out = {}
    for t in record.targets:
        days = []
        for events in runs:
            hit = t.first_match(events)
            days.append(float(hit.time) if hit is not None else never)
        out[t.id] = days
    return out


def step_values(value: float, whole: bool, share: float) -> list[float]:
    """The values a parameter is stepped to: down and up by ``share`` (a whole number by >= 1)."""
    if whole:
        delta = max(1, round(abs(value) * share))
        return [value - delta, value + delta]
    delta = abs(value) * share if value else share
    return [value - delta, value + delta]


def identify(
    path: str,
    record: Record,
    seeds: Sequence[int],
    *,
    share: float = 0.2,
    min_shift: float = 0.5,
    only: Sequence[str] = (),
    progress: Callable[[int, int, str], None] | None = None,
) -> list[Moves]:
    """Step each free parameter of the scenario at ``path``; say which targets move.

    ``only`` keeps the parameters whose dotted path starts with one of its prefixes. A step that
    leaves the format's range is skipped; a parameter with no step left moves nothing.
    """
    data, sources = load_document(path)
    base = validate(Scenario, data, sources)
    never = base.calendar.horizon_days + 1.0

    def dates(scenario: Scenario) -> dict[str, list]:
        return first_days(record, [r.events for r in run_seeds(scenario, seeds)], never)

    reference = dates(base)
    params = [
        (keys, value)
        for keys, value in free_parameters(data)
        if not only or any(under(".".join(map(str, keys)), p) for p in only)
    ]
    out = []
    for n, (keys, value) in enumerate(params, 1):
        dotted = ".".join(map(str, keys))
        if progress:
            progress(n, len(params), dotted)
        whole = isinstance(value, int)
        shifts: dict[str, float] = {}
        taken = []
        for x in step_values(value, whole, share):
            edit = f"{dotted}={int(x) if whole else x!r}"
            try:
                alt = validate(Scenario, *with_edits(data, sources, [edit]))
            except InputError:
                continue
            taken.append(x)
            days = dates(alt)
            for tid, ref in reference.items():
                shift = statistics.fmean(abs(a - b) for a, b in zip(days[tid], ref, strict=True))
                shifts[tid] = max(shifts.get(tid, 0.0), shift)
        moved = tuple(t for t in reference if taken and shifts[t] >= min_shift)
        out.append(Moves(dotted, float(value), tuple(taken), moved, shifts))
    return out


def under(path: str, prefix: str) -> bool:
    """Whether dotted ``path`` is ``prefix`` or under it (``actors.usa`` is not ``actors.us``)."""
    return path == prefix or path.startswith(prefix.rstrip(".") + ".")


def pinned(found: Sequence[Moves]) -> list[Moves]:
    """Parameters that move exactly one target."""
    return [m for m in found if len(m.moves) == 1]


def unconstrained(found: Sequence[Moves]) -> list[Moves]:
    """Parameters that move no target."""
    return [m for m in found if not m.moves]
