"""Dated records of crises and the replay score of model runs against them (any crisis).

A record (e.g. ``scenarios/crises/records/kz2022.yaml``, named by a scenario's ``record`` key)
holds the dated events with their sources, the replay targets (model events that should happen
near a record date) and the forbidden events (model events that must not happen at all).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sim.events import ACTIONS, Event

HIT_WINDOW_DAYS = 1
"""A target is hit when the model date is within this many days of the record date."""


def _date(value: Any) -> dt.date:
    """Parse an ISO date string (or pass a date through)."""
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


@dataclass(frozen=True, slots=True)
class RecordEvent:
    """One dated event of the historical record, with its sources.

    Attributes:
        date: Local date of the crisis.
        actor: Acting party, in the record's own names (``kazakhstan``, ``csto``, ``other`` ...).
        action: Short name of what happened (the record's own names, not ``ACTIONS``).
        description: What happened, as the sources say.
        agreement: How far the sources agree.
        sources: The pages read, each a dict with ``title`` and ``url``.
        quantities: Numbers given by the sources.
        note: Caveats, disagreements.
        actor_detail: Names an ``other`` actor more precisely.
        date_note: Why the date is inferred or disputed.
    """

    date: dt.date
    actor: str
    action: str
    description: str
    agreement: str
    sources: tuple[dict[str, str], ...]
    quantities: dict[str, Any] = field(default_factory=dict)
    note: str | None = None
    actor_detail: str | None = None
    date_note: str | None = None

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> RecordEvent:
        """Build from one entry of the YAML ``events`` list."""
        return cls(
            date=_date(raw["date"]),
            actor=raw["actor"],
            action=raw["action"],
            description=raw["description"],
            agreement=raw["agreement"],
            sources=tuple(dict(s) for s in raw["sources"]),
            quantities=dict(raw.get("quantities") or {}),
            note=raw.get("note"),
            actor_detail=raw.get("actor_detail"),
            date_note=raw.get("date_note"),
        )


@dataclass(frozen=True, slots=True)
class Target:
    """A replay target: a model event that should happen near a record date.

    Attributes:
        id: Short name.
        record_date: Date of the record event.
        record_event: Action name of the record event it comes from.
        actor: Model actor to match.
        action: Model action to match (one of ``ACTIONS``).
        description: What happened in the record.
        target: Model target to match, if given.
        terms: Items the model event's terms must contain, if given.
    """

    id: str
    record_date: dt.date
    record_event: str
    actor: str
    action: str
    description: str
    target: str | None = None
    terms: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Target:
        """Build from one entry of the YAML ``targets`` list."""
        model = raw["model"]
        return cls(
            id=raw["id"],
            record_date=_date(raw["record_date"]),
            record_event=raw["record_event"],
            actor=model["actor"],
            action=model["action"],
            description=raw["description"],
            target=model.get("target"),
            terms=dict(model.get("terms") or {}),
        )

    def matches(self, event: Event) -> bool:
        """Whether the event has this actor and action, and the target and terms if given."""
        if event.actor != self.actor or event.action != self.action:
            return False
        if self.target is not None and event.target != self.target:
            return False
        return all(k in event.terms and event.terms[k] == v for k, v in self.terms.items())

    def first_match(self, events: Iterable[Event]) -> Event | None:
        """The earliest matching event of a run (first in order among equal times), or None."""
        found = [e for e in events if self.matches(e)]
        return min(found, key=lambda e: (e.date, e.time)) if found else None


@dataclass(frozen=True, slots=True)
class Forbidden:
    """An event that must not happen in the replay.

    Attributes:
        id: Short name.
        description: What must not happen.
        actions: Forbidden actions.
        actors: Actors it applies to; None means every actor.
        basis: Where the record says it did not happen.
        targets: Targets (regions, actors) it applies to; None means any.
    """

    id: str
    description: str
    actions: frozenset[str]
    actors: frozenset[str] | None = None
    basis: str = ""
    targets: frozenset[str] | None = None

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Forbidden:
        """Build from one entry of the YAML ``forbidden`` list (``actors: any`` means all)."""
        match = raw["match"]
        actors = match["actors"]
        return cls(
            id=raw["id"],
            description=raw["description"],
            actions=frozenset(match["actions"]),
            actors=None if actors == "any" else frozenset(actors),
            basis=raw.get("basis", ""),
            targets=frozenset(match["targets"]) if "targets" in match else None,
        )

    def matches(self, event: Event) -> bool:
        """Whether the event's actor, action and target are all forbidden here."""
        return (
            event.action in self.actions
            and (self.actors is None or event.actor in self.actors)
            and (self.targets is None or event.target in self.targets)
        )


@dataclass(frozen=True, slots=True)
class Record:
    """The record: meta block, dated events, replay targets and forbidden events."""

    meta: dict[str, Any]
    events: tuple[RecordEvent, ...]
    targets: tuple[Target, ...]
    forbidden: tuple[Forbidden, ...]

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Record:
        """Build from the parsed YAML and check targets and forbidden events against it.

        Raises:
            ValueError: A target or forbidden id repeats, a model action is not in ``ACTIONS``,
                or a target's record event is not in the events on its record date.
        """
        rec = cls(
            meta=dict(raw.get("meta") or {}),
            events=tuple(RecordEvent.from_dict(e) for e in raw["events"]),
            targets=tuple(Target.from_dict(t) for t in raw.get("targets") or ()),
            forbidden=tuple(Forbidden.from_dict(f) for f in raw.get("forbidden") or ()),
        )
        rec._check()
        return rec

    def _check(self) -> None:
        for kind, ids in (
            ("target", [t.id for t in self.targets]),
            ("forbidden", [f.id for f in self.forbidden]),
        ):
            if len(set(ids)) != len(ids):
                raise ValueError(f"duplicate {kind} id in {ids}")
        on_date = {(e.date, e.action) for e in self.events}
        for t in self.targets:
            if t.action not in ACTIONS:
                raise ValueError(f"target {t.id}: unknown model action {t.action!r}")
            if (t.record_date, t.record_event) not in on_date:
                raise ValueError(
                    f"target {t.id}: no record event {t.record_event} on {t.record_date}"
                )
        for f in self.forbidden:
            unknown = f.actions - ACTIONS.keys()
            if unknown:
                raise ValueError(f"forbidden {f.id}: unknown actions {sorted(unknown)}")


def load_record(path: str | Path) -> Record:
    """Load a record YAML file.

    Raises:
        ValueError: The file is not a record (a message naming what is wrong).
    """
    return Record.from_dict(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


@dataclass(frozen=True, slots=True)
class TargetScore:
    """How the runs did on one target.

    Attributes:
        id: Target id.
        action: The target's model action.
        record_date: Record date.
        model_median_date: Median first-match date over the runs where it happened, or None.
        occurred_rate: Share of runs where it happened at all.
        hit_rate: Share of all runs where it first happened within one day of the record date.
        exact_rate: Share of all runs where it first happened on the record date.
    """

    id: str
    action: str
    record_date: dt.date
    model_median_date: dt.date | None
    occurred_rate: float
    hit_rate: float
    exact_rate: float


@dataclass(frozen=True, slots=True)
class ForbiddenSeen:
    """A forbidden event seen in the runs: in how many runs, with the first example."""

    id: str
    description: str
    runs: int
    example: Event


@dataclass(frozen=True, slots=True)
class ReplayScore:
    """The replay score of a set of runs against the record.

    Attributes:
        score: Mean hit rate over the targets.
        targets: One score per target, in record order.
        forbidden: Forbidden events seen in at least one run.
        n_runs: Number of runs scored.
    """

    score: float
    targets: tuple[TargetScore, ...]
    forbidden: tuple[ForbiddenSeen, ...]
    n_runs: int

    @property
    def exact(self) -> float:
        """Mean exact-day rate over the targets."""
        return statistics.fmean(t.exact_rate for t in self.targets) if self.targets else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable summary: scores, per-target scores, forbidden events seen."""
        return {
            "score": self.score,
            "exact": self.exact,
            "runs": self.n_runs,
            "targets": [
                {
                    "id": t.id,
                    "action": t.action,
                    "record_date": t.record_date.isoformat(),
                    "model_median_date": (
                        t.model_median_date.isoformat() if t.model_median_date else None
                    ),
                    "occurred_rate": t.occurred_rate,
                    "hit_rate": t.hit_rate,
                    "exact_rate": t.exact_rate,
                }
                for t in self.targets
            ],
            "forbidden": [
                {"id": f.id, "description": f.description, "share": f.runs / self.n_runs}
                for f in self.forbidden
            ],
        }

    def table(self) -> str:
        """Plain-text table: one row per target, the overall score, the forbidden events seen."""
        head = ("target", "record date", "model median", "occurred", "hit +/-1d", "exact")
        rows = [
            (
                t.id,
                t.record_date.isoformat(),
                t.model_median_date.isoformat() if t.model_median_date else "never",
                f"{t.occurred_rate:.0%}",
                f"{t.hit_rate:.2f}",
                f"{t.exact_rate:.2f}",
            )
            for t in self.targets
        ]
        widths = [max(len(r[i]) for r in (head, *rows)) for i in range(len(head))]

        def line(r: tuple[str, ...]) -> str:
            return "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )

        out = [line(head), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]
        out.append(
            f"score (mean hit rate over {len(self.targets)} targets, {self.n_runs} run(s)): "
            f"{self.score:.3f}; on the exact day: {self.exact:.3f}"
        )
        if not self.forbidden:
            out.append("forbidden events: none")
        for f in self.forbidden:
            out.append(
                f"forbidden {f.id}: {f.runs} of {self.n_runs} runs ({f.description}) "
                f"e.g. {f.example.narrative()}"
            )
        return "\n".join(out)


def _median_date(dates: Sequence[dt.date]) -> dt.date | None:
    """Median of day ordinals; with an even count the lower middle, so it is a real date."""
    if not dates:
        return None
    return dt.date.fromordinal(statistics.median_low(d.toordinal() for d in dates))


def score_replay(record: Record, runs: Sequence[Sequence[Event]]) -> ReplayScore:
    """Score runs (each a run's list of events) against the record's targets and forbidden events.

    Raises:
        ValueError: No runs were given.
    """
    runs = [list(r) for r in runs]
    n = len(runs)
    if n == 0:
        raise ValueError("score_replay needs at least one run")
    scores = []
    for t in record.targets:
        firsts = [m.date for m in (t.first_match(r) for r in runs) if m is not None]
        hits = sum(abs((d - t.record_date).days) <= HIT_WINDOW_DAYS for d in firsts)
        exact = sum(d == t.record_date for d in firsts)
        scores.append(
            TargetScore(
                id=t.id,
                action=t.action,
                record_date=t.record_date,
                model_median_date=_median_date(firsts),
                occurred_rate=len(firsts) / n,
                hit_rate=hits / n,
                exact_rate=exact / n,
            )
        )
    seen = []
    for f in record.forbidden:
        per_run = [next((e for e in r if f.matches(e)), None) for r in runs]
        examples = [e for e in per_run if e is not None]
        if examples:
            seen.append(ForbiddenSeen(f.id, f.description, len(examples), examples[0]))
    score = statistics.fmean(s.hit_rate for s in scores) if scores else 0.0
    return ReplayScore(score=score, targets=tuple(scores), forbidden=tuple(seen), n_runs=n)
