"""Fit free parameters jointly to the crises' records, with Optuna, on common seeds.

Every candidate runs every crisis on the same seeds (common random numbers) and is scored with
``sim.record.score_replay``; the loss is a weighted mean over the crises of the miss rate
(1 - replay score), the Brier score, the CRPS of the dates over the horizon and the share of
runs with a forbidden event (``Loss``).
The first candidate is the start values (those the files give), so the report shows the scores
before and after. Candidates are asked a batch at a time, each from a sampler seeded by the
calibration's seed and the trial's number, and evaluated through the experiment executors
(serial, local processes, Dask). Each scored batch is appended, whole, to a log in the output
folder (``trials.jsonl``: every trial's values, loss, scores and the sampler's state); a
calibration stopped in any way (Ctrl-C, kill -9) is rebuilt from the whole batches logged and
asks the lost batch again: the same candidates, so the same result as one never stopped.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna
from optuna.distributions import (
    FloatDistribution,
    IntDistribution,
    distribution_to_json,
    json_to_distribution,
)
from optuna.trial import FrozenTrial, TrialState

from sim import __version__
from sim.errors import StoreError
from sim.experiments.executors import Executor, session
from sim.experiments.fitspec import CalibrationSpec, Crisis, FitParameter, is_number
from sim.experiments.spec import value_at
from sim.experiments.worker import FitResult, FitTask, score_candidate

TRIALS = "trials.jsonl"
STATE = "calibration.json"
LEFT_OUT = "leave_one_out"
"""The folder, in a calibration's output folder, of its leave-one-out fits (one per crisis)."""


@dataclass(frozen=True)
class Trial:
    """One evaluated candidate: its number, values, loss and per-crisis scores (or error)."""

    number: int
    values: dict[str, float]
    loss: float | None
    crises: dict[str, dict[str, Any]]
    error: str | None = None


@dataclass(frozen=True)
class Report:
    """A calibration's outcome: every trial, the start and the best, each value's good range."""

    name: str
    trials: tuple[Trial, ...]
    start: Trial
    best: Trial
    good: dict[str, tuple[float, float]]
    good_within: float
    seconds: float
    evaluated_now: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: loss history, scores before and after, each parameter's fit and range."""
        scored = [t for t in self.trials if t.loss is not None]
        return {
            "name": self.name,
            "trials": len(self.trials),
            "failed": sum(t.loss is None for t in self.trials),
            "first_error": next((t.error for t in self.trials if t.error), None),
            "seconds": self.seconds,
            "evaluated_now": self.evaluated_now,
            "best_trial": self.best.number,
            "loss": {"start": self.start.loss, "best": self.best.loss},
            "history": [
                {"trial": t.number, "loss": t.loss, "best": min(x.loss for x in scored[: i + 1])}
                for i, t in enumerate(scored)
            ],
            "parameters": [
                {
                    "path": k,
                    "start": self.start.values[k],
                    "best": self.best.values[k],
                    "good": list(self.good[k]),
                }
                for k in self.best.values
            ],
            "crises": {
                name: {"before": self.start.crises.get(name), "after": self.best.crises[name]}
                for name in self.best.crises
            },
        }


def report_text(r: Report) -> str:
    """The report as plain text: losses, per-crisis scores before and after, the parameters."""
    d = r.to_dict()
    lines = [
        f"calibration {r.name or '(unnamed)'}: {d['trials']} trials ({d['failed']} failed), "
        f"{r.evaluated_now} evaluated now in {r.seconds:.0f} s",
        f"loss: start {'failed' if r.start.loss is None else f'{r.start.loss:.4f}'} "
        f"(trial {r.start.number}), best {r.best.loss:.4f} (trial {r.best.number})",
    ]
    if d["first_error"]:
        lines.append(f"first error: {d['first_error']}")
    width = max(len("crisis"), *(len(k) for k in r.best.crises))
    lines.append(
        f"{'crisis':<{width}}  score before -> after   exact before -> after"
        "   Brier before -> after"
    )
    for name, ba in d["crises"].items():
        a = ba["after"]
        b = ba["before"] or {k: float("nan") for k in a}  # the start values failed
        lines.append(
            f"{name:<{width}}  {b['score']:.3f} -> {a['score']:.3f}"
            f"           {b['exact']:.3f} -> {a['exact']:.3f}"
            f"           {b['brier']:.3f} -> {a['brier']:.3f}"
        )
    width = max(len(p["path"]) for p in d["parameters"])
    lines.append(
        f"{'parameter':<{width}}  {'start':>9}  {'best':>9}  "
        f"good fits (loss within {r.good_within:.0%} of best)"
    )
    for p in d["parameters"]:
        low, high = p["good"]
        lines.append(
            f"{p['path']:<{width}}  {p['start']:9.4g}  {p['best']:9.4g}  [{low:.4g}, {high:.4g}]"
        )
    return "\n".join(lines)


def leave_one_out_text(table: dict[str, Any]) -> str:
    """The cross-validation table: each crisis's left-out scores against its start scores."""
    rows = table["crises"]
    width = max(len("left out"), *(len(r["crisis"]) for r in rows))
    lines = [f"{'left out':<{width}}  score (start)   exact (start)   Brier (start)"]
    for r in rows:
        a, b = r["left_out"], r["start"]
        lines.append(
            f"{r['crisis']:<{width}}  {a['score']:.3f} ({b['score']:.3f})   "
            f"{a['exact']:.3f} ({b['exact']:.3f})   {a['brier']:.3f} ({b['brier']:.3f})"
        )
    start = statistics.fmean(r["start"]["score"] for r in rows)
    lines.append(f"{'mean':<{width}}  {table['mean_left_out_score']:.3f} ({start:.3f})")
    return "\n".join(lines)


def start_values(spec: CalibrationSpec, crises: Sequence[Crisis]) -> dict[str, float]:
    """Each parameter's value as the files give it (in the first crisis that has it, if any)."""
    out = {}
    for p in spec.parameters:
        found = [v for c in crises if is_number(v := value_at(c.scenario, p.key))]
        if found:
            out[p.path] = found[0]
    return out


def loss(spec: CalibrationSpec, crises: Sequence[Crisis], scores: Sequence[dict]) -> float:
    """The weighted mean over the crises of the loss terms (``Loss``)."""
    w = spec.loss
    terms = [
        w.miss * (1.0 - s["score"])
        + w.brier * s["brier"]
        + w.crps * (s["crps"] or 0.0) / c.scenario.calendar.horizon_days
        + w.forbidden * s["forbidden_share"]
        for c, s in zip(crises, scores, strict=True)
    ]
    return statistics.fmean(terms)


def fingerprint(spec: CalibrationSpec, crises: Sequence[Crisis]) -> str:
    """What decides a calibration's trials: the settings, the crises as loaded, the versions.

    Not the budget (a calibration resumed with more trials goes on) nor what only the report
    uses (name, description, ``good_within``); the crises with their targets and forbidden
    events, and the versions of this package and of Optuna, whose samplers make the candidates.
    """
    settings = spec.model_dump(
        mode="json", exclude={"trials", "name", "description", "good_within"}
    )
    what = [settings, __version__, optuna.__version__] + [
        [
            c.scenario.model_dump(mode="json", exclude={"record"}),
            repr(c.record.targets),
            sorted(
                [f.id, sorted(f.actions), sorted(f.actors or ()), sorted(f.targets or ())]
                for f in c.record.forbidden
            ),
        ]
        for c in crises
    ]
    return hashlib.sha256(json.dumps(what, default=str).encode()).hexdigest()


def calibrate(
    spec: CalibrationSpec,
    crises: Sequence[Crisis],
    out: Path,
    *,
    executor: Executor = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Run (or resume) the calibration in ``out``; return its report.

    Raises:
        StoreError: ``out`` holds another calibration.
    """
    t0 = time.perf_counter()
    spec = spec.model_copy(update={"parameters": present(spec, crises)})
    study = _open_study(spec, crises, out)
    seeds = list(range(spec.first_seed, spec.first_seed + spec.seeds))
    evaluated = 0
    with session(executor, workers, scheduler, fn=score_candidate) as run:
        while (told := _told(study)) < spec.trials:
            batch = [_ask(study, spec) for _ in range(min(spec.batch, spec.trials - told))]
            _evaluate(study, spec, crises, seeds, batch, run)
            _log_batch(out / TRIALS, study, [t.number for t in batch])
            evaluated += len(batch)
            if progress:
                progress(_progress_line(study, spec, time.perf_counter() - t0))
    return report(study, spec, crises, time.perf_counter() - t0, evaluated)


def present(spec: CalibrationSpec, crises: Sequence[Crisis]) -> list[FitParameter]:
    """The parameters some of the crises have (a leave-one-out fold may lack one)."""
    return [
        p for p in spec.parameters if any(is_number(value_at(c.scenario, p.key)) for c in crises)
    ]


def _told(study: optuna.Study) -> int:
    """Trials scored or failed (not the start values while they wait in the queue)."""
    return sum(t.state.is_finished() for t in study.get_trials(deepcopy=False))


def _open_study(spec: CalibrationSpec, crises: Sequence[Crisis], out: Path) -> optuna.Study:
    """The study of ``out``: new, with the start values as its first trial, or rebuilt from its log.

    Only whole batches count: a batch whose lines a stop cut short is asked again.
    """
    out.mkdir(parents=True, exist_ok=True)
    state = out / STATE
    mark = fingerprint(spec, crises)
    if state.exists():
        if json.loads(state.read_text(encoding="utf-8")).get("fingerprint") != mark:
            raise StoreError(
                f"{out} holds another calibration (other settings or crises); "
                "use a new --out folder or delete this one"
            )
    else:
        state.write_text(json.dumps({"name": spec.name, "fingerprint": mark}), encoding="utf-8")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="minimize")
    rows = whole_batches(out / TRIALS)
    _rewrite(out / TRIALS, rows)  # drop a batch cut short, so that new lines follow whole ones
    for row in rows:
        study.add_trial(
            optuna.trial.create_trial(
                state=TrialState[row["state"]],
                value=row["value"],
                params=row["params"],
                distributions={k: json_to_distribution(d) for k, d in row["distributions"].items()},
                user_attrs=row["user_attrs"],
                system_attrs=row["system_attrs"],
            )
        )
    if not study.get_trials(deepcopy=False):
        study.enqueue_trial(start_values(spec, crises))
    return study


def _log_batch(path: Path, study: optuna.Study, numbers: list[int]) -> None:
    """Append a told batch to the log in one write, flushed to disk."""
    trials = study.get_trials(deepcopy=False)
    lines = [
        json.dumps(
            {
                "trial": n,
                "batch_size": len(numbers),
                "state": trials[n].state.name,
                "value": trials[n].value,
                "params": trials[n].params,
                "distributions": {
                    k: distribution_to_json(d) for k, d in trials[n].distributions.items()
                },
                "user_attrs": trials[n].user_attrs,
                "system_attrs": trials[n].system_attrs,
            }
        )
        for n in numbers
    ]
    with path.open("a", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in lines))
        f.flush()
        os.fsync(f.fileno())


def _rewrite(path: Path, rows: list[dict]) -> None:
    """Keep only ``rows`` in the log (written to a new file, then moved over the old one)."""
    if not path.exists():
        return
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        f.write("".join(json.dumps(row) + "\n" for row in rows))
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)


def whole_batches(path: Path) -> list[dict]:
    """The log's trials, in order, up to the first batch a stop cut short (or a torn line)."""
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            break
        if row["trial"] != len(rows):
            break
        rows.append(row)
    start = 0
    while start < len(rows) and start + rows[start]["batch_size"] <= len(rows):
        start += rows[start]["batch_size"]
    return rows[:start]


def _distributions(spec: CalibrationSpec) -> dict[str, Any]:
    return {p.path: _distribution(p) for p in spec.parameters}


def _distribution(p: FitParameter) -> FloatDistribution | IntDistribution:
    low, high = p.bounds
    return IntDistribution(int(low), int(high)) if p.whole else FloatDistribution(low, high)


def _ask(study: optuna.Study, spec: CalibrationSpec) -> FrozenTrial:
    """A new candidate, from a sampler seeded by the calibration's seed and the trial number.

    TPE with a constant liar; or CMA-ES started from the start values, whose own draws are
    seeded by the trial number (Optuna adds it) and whose random fallback is seeded here.
    """
    number = len(study.get_trials(deepcopy=False))
    seed = (spec.seed * 1_000_003 + number) % 2**31
    if spec.sampler == "cmaes":
        with warnings.catch_warnings():  # x0 is deprecated in Optuna 4.9, kept until 6
            warnings.simplefilter("ignore", FutureWarning)
            study.sampler = optuna.samplers.CmaEsSampler(
                x0=_start_of(study),
                seed=spec.seed,
                independent_sampler=optuna.samplers.RandomSampler(seed=seed),
                warn_independent_sampling=False,
            )
    else:
        study.sampler = optuna.samplers.TPESampler(seed=seed, constant_liar=True)
    trial = study.ask(_distributions(spec))
    return study.get_trials(deepcopy=False)[trial.number]


def _start_of(study: optuna.Study) -> dict[str, Any] | None:
    """The start values (the first trial's), from which CMA-ES starts its search."""
    trials = study.get_trials(deepcopy=False)
    return dict(trials[0].params) if trials and trials[0].params else None


def _evaluate(
    study: optuna.Study,
    spec: CalibrationSpec,
    crises: Sequence[Crisis],
    seeds: list[int],
    batch: Sequence[FrozenTrial],
    run: Callable,
) -> None:
    """Score every candidate of the batch on every crisis; tell the study each loss."""
    tasks = []
    for t in batch:
        for i, c in enumerate(crises):
            keys = [p.key for p in spec.parameters if is_number(value_at(c.scenario, p.key))]
            values = tuple(t.params[".".join(k)] for k in keys)
            tasks.append(FitTask(t.number, i, c.scenario, c.record, keys, values, seeds))
    found: dict[tuple[int, int], FitResult] = {}
    run(tasks, lambda r: found.__setitem__((r.trial, r.crisis), r))
    for t in batch:
        results = [found[(t.number, i)] for i in range(len(crises))]
        trial = optuna.trial.Trial(study, t._trial_id)
        failed = [(c, r) for c, r in zip(crises, results, strict=True) if r.scores is None]
        if failed:
            c, r = failed[0]
            trial.set_user_attr(
                "error", f"{c.name}: {r.failed} of {len(seeds)} runs failed; {r.error}"
            )
            study.tell(t.number, state=TrialState.FAIL)
            continue
        scores = [r.scores for r in results]
        trial.set_user_attr("crises", {c.name: s for c, s in zip(crises, scores, strict=True)})
        study.tell(t.number, loss(spec, crises, scores))


def _progress_line(study: optuna.Study, spec: CalibrationSpec, seconds: float) -> str:
    done = [t for t in study.get_trials(deepcopy=False) if t.state.is_finished()]
    scored = [t for t in done if t.state == TrialState.COMPLETE]
    last = done[-1]
    now = f"loss {last.value:.4f}" if last.state == TrialState.COMPLETE else "failed"
    best = min(scored, key=lambda t: t.value) if scored else None
    tail = f" (best {best.value:.4f}, trial {best.number})" if best else ""
    return f"trial {len(done)}/{spec.trials}: {now}{tail}; {seconds:.0f} s"


def report(
    study: optuna.Study,
    spec: CalibrationSpec,
    crises: Sequence[Crisis],
    seconds: float = 0.0,
    evaluated: int = 0,
) -> Report:
    """The report of the trials told so far."""
    trials = tuple(
        Trial(
            t.number,
            dict(t.params),
            t.value if t.state == TrialState.COMPLETE else None,
            t.user_attrs.get("crises", {}),
            t.user_attrs.get("error"),
        )
        for t in study.get_trials(deepcopy=False)
        if t.state.is_finished()
    )
    scored = [t for t in trials if t.loss is not None]
    if not scored:
        raise RuntimeError(f"no candidate could be scored; first error: {trials[0].error}")
    start = trials[0]
    best = min(scored, key=lambda t: (t.loss, t.number))
    good_trials = [t for t in scored if is_good_fit(t.loss, best.loss, spec.good_within)]
    good = {
        k: (min(t.values[k] for t in good_trials), max(t.values[k] for t in good_trials))
        for k in best.values
    }
    return Report(spec.name, trials, start, best, good, spec.good_within, seconds, evaluated)


def is_good_fit(loss: float, best: float, within: float) -> bool:
    """Whether a trial's loss is a good fit: within the share ``within`` of the best loss."""
    return loss <= best * (1 + within)


def leave_one_out(
    spec: CalibrationSpec, crises: Sequence[Crisis], out: Path, **how: Any
) -> dict[str, Any]:
    """For each crisis, calibrate on the others (in ``out/<crisis>``) and score the one left out.

    A parameter that no other crisis has keeps its start value on the one left out. ``how``
    goes to ``calibrate`` (executor, workers, scheduler, progress).
    """
    seeds = list(range(spec.first_seed, spec.first_seed + spec.seeds))
    rows = []
    for i, c in enumerate(crises):
        others = [x for j, x in enumerate(crises) if j != i]
        fit = calibrate(spec, others, out / c.name, **how)
        start = start_values(spec, [c])
        fitted = {k: fit.best.values.get(k, v) for k, v in start.items()}  # else not fitted
        rows.append(
            {
                "crisis": c.name,
                "fitted_on": [x.name for x in others],
                "best_trial": fit.best.number,
                "left_out": _score_values(spec, c, fitted, seeds),
                "start": _score_values(spec, c, start, seeds),
            }
        )
    scores = [r["left_out"]["score"] for r in rows]
    return {"crises": rows, "mean_left_out_score": statistics.fmean(scores)}


def _score_values(
    spec: CalibrationSpec, crisis: Crisis, values: dict[str, float], seeds: list[int]
) -> dict[str, Any]:
    """A crisis's scores with the given values (those it has), on the common seeds."""
    keys = [p.key for p in spec.parameters if p.path in values]
    task = FitTask(
        0, 0, crisis.scenario, crisis.record, keys, tuple(values[".".join(k)] for k in keys), seeds
    )
    result = score_candidate(task)
    if result.scores is None:
        raise RuntimeError(
            f"{crisis.name}: {result.failed} runs failed at the fitted values; {result.error}"
        )
    return result.scores


def print_progress(line: str) -> None:
    """Progress on standard error, one line per batch."""
    print(line, file=sys.stderr, flush=True)
