"""Dated records of crises and the replay score of model runs against them (any crisis).

A record (e.g. ``scenarios/crises/records/kz2022.yaml``, named by a scenario's ``record`` key)
holds the dated events with their sources, the replay targets (model events that should happen
near a record date) and the forbidden events (model events that must not happen at all).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sim.errors import InputError
from sim.events import ACTIONS, Event
from sim.scores import brier, crps

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


def checked_record(path: str | Path) -> Record:
    """Load a record, any problem with it one line naming the file (``InputError``)."""
    try:
        return load_record(path)
    except FileNotFoundError:
        raise InputError(path, "record file not found") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        why = " ".join(str(getattr(err, "problem", None) or err).split())
        raise InputError(path, f"not valid YAML: {why}", line=line) from None
    except KeyError as err:
        raise InputError(path, f"not a valid record: missing key {err}") from None
    except (ValueError, TypeError) as err:
        raise InputError(path, f"not a valid record: {err}") from None


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
        group: The record event it comes from (``action@date``): targets of one record event are
            one decision of the record, and count as one in a crisis's scores (where several
            record events share the action and date, each target is a group of its own).
        model_median_date: Median first-match date over the runs where it happened, or None.
        occurred_rate: Share of runs where it happened at all.
        hit_rate: Share of all runs where it first happened within one day of the record date.
        exact_rate: Share of all runs where it first happened on the record date.
        mae_days: Mean absolute error of its first date, in days, over the runs where it
            happened (None where it never did).
        brier: Brier score of its occurrence (it happened in the record).
        crps: CRPS of its first date over the runs, in days, a run where it never happens
            counting it on the day after the horizon (None without a horizon).
    """

    id: str
    action: str
    record_date: dt.date
    group: str
    model_median_date: dt.date | None
    occurred_rate: float
    hit_rate: float
    exact_rate: float
    mae_days: float | None
    brier: float
    crps: float | None


@dataclass(frozen=True, slots=True)
class ForbiddenSeen:
    """A forbidden event seen in the runs: in how many runs, with the first example."""

    id: str
    description: str
    runs: int
    example: Event


def _by_group(targets: Sequence[TargetScore], value: str) -> list[float]:
    """Per record event (in record order), the mean of ``value`` over its targets where known."""
    groups: dict[str, list[float]] = {}
    for t in targets:
        x = getattr(t, value)
        groups.setdefault(t.group, [])
        if x is not None:
            groups[t.group].append(x)
    return [statistics.fmean(xs) for xs in groups.values() if xs]


@dataclass(frozen=True, slots=True)
class ReplayScore:
    """The replay scores of a set of runs against the record.

    Crisis figures are means over the record events the targets come from (a record event
    with two targets counts once, at their mean).

    Attributes:
        score: Mean hit rate (+/-1 day).
        targets: One score per target, in record order.
        forbidden: Forbidden events seen in at least one run.
        n_runs: Number of runs scored.
        n_forbidden: Number of forbidden events the record lists.
    """

    score: float
    targets: tuple[TargetScore, ...]
    forbidden: tuple[ForbiddenSeen, ...]
    n_runs: int
    n_forbidden: int = 0

    @property
    def exact(self) -> float:
        """Mean exact-day rate."""
        return _mean(_by_group(self.targets, "exact_rate"))

    @property
    def mae_days(self) -> float | None:
        """Mean absolute day error, over the targets that happened in some run."""
        return _mean_or_none(_by_group(self.targets, "mae_days"))

    @property
    def brier(self) -> float:
        """Mean Brier score over the targets' occurrence and the forbidden events' absence."""
        shares = [f.runs / self.n_runs for f in self.forbidden]
        absent = [brier(p, False) for p in shares] + [0.0] * (self.n_forbidden - len(shares))
        return _mean(_by_group(self.targets, "brier") + absent)

    @property
    def crps(self) -> float | None:
        """Mean CRPS of the targets' dates, in days (None without a horizon)."""
        return _mean_or_none(_by_group(self.targets, "crps"))

    @property
    def groups(self) -> int:
        """Number of record events the targets come from."""
        return len({t.group for t in self.targets})

    @property
    def forbidden_share(self) -> float:
        """The largest share of runs with one forbidden event (0 when none is seen)."""
        return max((f.runs / self.n_runs for f in self.forbidden), default=0.0)

    def summary(self) -> dict[str, Any]:
        """The crisis figures: score, exact-day rate, MAE, Brier, CRPS, worst forbidden share."""
        return {
            "score": self.score,
            "exact": self.exact,
            "mae_days": self.mae_days,
            "brier": self.brier,
            "crps": self.crps,
            "forbidden_share": self.forbidden_share,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable summary: scores, per-target scores, forbidden events seen."""
        return {
            **self.summary(),
            "runs": self.n_runs,
            "record_events": self.groups,
            "targets": [
                {
                    "id": t.id,
                    "action": t.action,
                    "record_date": t.record_date.isoformat(),
                    "group": t.group,
                    "model_median_date": (
                        t.model_median_date.isoformat() if t.model_median_date else None
                    ),
                    "occurred_rate": t.occurred_rate,
                    "hit_rate": t.hit_rate,
                    "exact_rate": t.exact_rate,
                    "mae_days": t.mae_days,
                    "brier": t.brier,
                    "crps": t.crps,
                }
                for t in self.targets
            ],
            "forbidden": [
                {"id": f.id, "description": f.description, "share": f.runs / self.n_runs}
                for f in self.forbidden
            ],
        }

    def table(self) -> str:
        """Plain-text table: one row per target, the crisis scores, the forbidden events seen."""
        head = ("target", "record date", "model median", "occurred", "hit +/-1d", "exact")
        head += ("MAE d", "CRPS d")
        rows = [
            (
                t.id,
                t.record_date.isoformat(),
                t.model_median_date.isoformat() if t.model_median_date else "never",
                f"{t.occurred_rate:.0%}",
                f"{t.hit_rate:.2f}",
                f"{t.exact_rate:.2f}",
                "-" if t.mae_days is None else f"{t.mae_days:.1f}",
                "-" if t.crps is None else f"{t.crps:.1f}",
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
        n, g = len(self.targets), self.groups
        of = f"{n} targets" if g == n else f"{n} targets from {g} record events"
        out.append(
            f"score (mean hit rate over {of}, {self.n_runs} run(s)): "
            f"{self.score:.3f}; on the exact day: {self.exact:.3f}; Brier {self.brier:.3f}"
            + ("" if self.crps is None else f"; CRPS {self.crps:.1f} days")
        )
        if not self.forbidden:
            out.append("forbidden events: none")
        for f in self.forbidden:
            out.append(
                f"forbidden {f.id}: {f.runs} of {self.n_runs} runs ({f.description}) "
                f"e.g. {f.example.narrative()}"
            )
        return "\n".join(out)


def _group(t: Target, events: Counter) -> str:
    """The record event a target comes from (``action@date``), or the target alone.

    A target names its record event by action and date; where several record events share
    both (two actors' decisions on one day), it is a group of its own.
    """
    if events[(t.record_date, t.record_event)] == 1:
        return f"{t.record_event}@{t.record_date.isoformat()}"
    return f"{t.record_event}@{t.record_date.isoformat()}:{t.id}"


def _mean(xs: Sequence[float]) -> float:
    return statistics.fmean(xs) if xs else 0.0


def _mean_or_none(xs: Sequence[float]) -> float | None:
    return statistics.fmean(xs) if xs else None


def _median_date(dates: Sequence[dt.date]) -> dt.date | None:
    """Median of day ordinals; with an even count the lower middle, so it is a real date."""
    if not dates:
        return None
    return dt.date.fromordinal(statistics.median_low(d.toordinal() for d in dates))


def score_replay(
    record: Record, runs: Sequence[Sequence[Event]], never: dt.date | None = None
) -> ReplayScore:
    """Score runs (each a run's list of events) against the record's targets and forbidden events.

    ``never`` is the date at which a target that does not happen in a run counts for its CRPS
    (the day after the horizon); without it, no CRPS is computed.

    Raises:
        ValueError: No runs were given.
    """
    runs = [list(r) for r in runs]
    n = len(runs)
    if n == 0:
        raise ValueError("score_replay needs at least one run")
    events = Counter((e.date, e.action) for e in record.events)
    scores = []
    for t in record.targets:
        firsts = [m.date for m in (t.first_match(r) for r in runs) if m is not None]
        errors = [(d - t.record_date).days for d in firsts]
        hits = sum(abs(e) <= HIT_WINDOW_DAYS for e in errors)
        exact = sum(e == 0 for e in errors)
        late = None if never is None else (never - t.record_date).days
        scores.append(
            TargetScore(
                id=t.id,
                action=t.action,
                record_date=t.record_date,
                group=_group(t, events),
                model_median_date=_median_date(firsts),
                occurred_rate=len(firsts) / n,
                hit_rate=hits / n,
                exact_rate=exact / n,
                mae_days=statistics.fmean(abs(e) for e in errors) if errors else None,
                brier=brier(len(firsts) / n, True),
                crps=None if late is None else crps(errors + [late] * (n - len(errors)), 0.0),
            )
        )
    seen = []
    for f in record.forbidden:
        per_run = [next((e for e in r if f.matches(e)), None) for r in runs]
        examples = [e for e in per_run if e is not None]
        if examples:
            seen.append(ForbiddenSeen(f.id, f.description, len(examples), examples[0]))
    return ReplayScore(
        score=_mean(_by_group(scores, "hit_rate")),
        targets=tuple(scores),
        forbidden=tuple(seen),
        n_runs=n,
        n_forbidden=len(record.forbidden),
    )
