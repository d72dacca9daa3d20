"""``sim run``, ``compare``, ``replay-check`` and ``identify``: scenarios run over seeds."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sim.cli.common import (
    executor_options,
    known_actions,
    positive,
    positive_number,
    results_folder,
    seed,
    set_option,
    share,
    start_pool_early,
)
from sim.errors import InputError, Interrupted

if TYPE_CHECKING:
    from sim.experiments.engine import Summary
    from sim.scenario import Scenario

HISTORICAL = Path("scenarios/historical.yaml")
HIDDEN = ["contingent_arrives", "emergency_declared"]
"""Actions the narrative leaves out unless asked (one line per region or contingent)."""


def seeds_from(first: int, n: int) -> list[int]:
    """The seeds of ``n`` replications starting at ``first`` (``first``, ``first+1``, ...)."""
    return list(range(first, first + n))


def _replicate(
    scenario: Scenario,
    seeds: list[int],
    args: argparse.Namespace,
    out: Path,
    *,
    source: str,
    keep: bool,
) -> Summary:
    from sim.experiments.engine import replicate
    from sim.experiments.spec import Keep

    return replicate(
        scenario,
        seeds,
        out,
        source=source,
        keep=Keep(series=keep, events=keep),
        edits=args.set,
        executor=args.executor,
        workers=args.workers,
    )


def cmd_run(args: argparse.Namespace) -> int:
    """Run one scenario: the narrative and outcomes, or a summary over many seeds."""
    if args.seeds > 1:
        start_pool_early(args)
    from sim.events import ACTIONS
    from sim.scenario import load_scenario

    hide = [] if args.show_all else HIDDEN + known_actions(args.hide, list(ACTIONS), "hide")
    scenario = load_scenario(args.scenario, args.set)
    out = results_folder(args.out) if args.out else None
    seeds = seeds_from(args.seed, args.seeds)
    if args.seeds == 1:
        _narrate(scenario, args.seed, hide)
        if out is None:
            return 0
        summary = _replicate(scenario, seeds, args, out, source=args.scenario, keep=True)
        print(f"wrote {out} ({summary.kept} run(s), {summary.failed} failed)")
        return 1 if summary.failed else 0
    from sim.experiments import load
    from sim.experiments.compare import as_text, compare, failures

    with _scratch(out) as where:
        summary = _replicate(scenario, seeds, args, where, source=args.scenario, keep=bool(out))
        runs = load(where)["runs"]
    name = scenario.name
    print(f"# {name}: seeds {seeds[0]}..{seeds[-1]}")
    print(as_text(compare({name: runs}, name), name, len(seeds), {name: failures(runs)}))
    if out:
        print(f"wrote {out} ({summary.kept} runs, {summary.failed} failed)")
    return 1 if summary.failed else 0


@contextmanager
def _scratch(out: Path | None) -> Iterator[Path]:
    """``out``, or a temporary folder removed afterwards (an interrupt there keeps nothing)."""
    if out is not None:
        yield out
        return
    with tempfile.TemporaryDirectory() as tmp:
        try:
            yield Path(tmp)
        except Interrupted:
            raise KeyboardInterrupt from None


def _narrate(scenario: Scenario, first: int, hide: list[str]) -> None:
    from sim.outcomes import DAY_OUTCOMES
    from sim.runner import run_one

    result = run_one(scenario, first)
    print(f"# {scenario.name}, seed {first}\n")
    for e in result.events:
        if e.action not in hide:
            print(e.narrative())
    print("\n# outcomes")
    start = scenario.calendar.start
    days = {o.name for o in DAY_OUTCOMES}
    for k, v in result.outcomes.items():
        shown = v
        if k in days and v is not None:
            shown = f"day {v} ({(start + dt.timedelta(days=v)).isoformat()})"
        print(f"  {k:<32} {shown}")


def scenario_names(scenarios: dict[str, Scenario]) -> dict[str, str]:
    """A distinct, folder-safe name for each scenario file.

    The scenario's ``name``; if two share one, the files' names; if those clash too, numbered
    in the order given (``historical-1``, ``historical-2``).
    """
    names = {p: _folder_name(s.name) for p, s in scenarios.items()}
    if len(set(names.values())) < len(names):
        names = {p: _folder_name(Path(p).stem) for p in scenarios}
    clashes, seen = Counter(names.values()), Counter()
    for p, name in names.items():
        if clashes[name] > 1:
            seen[name] += 1
            names[p] = f"{name}-{seen[name]}"
    return names


def _folder_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "scenario"


def cmd_compare(args: argparse.Namespace) -> int:
    """Run BASE and each ALT with the same seeds and compare their outcomes."""
    from sim.experiments import load
    from sim.experiments.compare import as_text, compare, failures, largest_differences
    from sim.jsonout import dumps
    from sim.scenario import load_scenario

    paths = [args.base, *args.alts]
    seen: dict[Path, str] = {}
    for p in paths:
        real = Path(p).resolve()
        if real in seen:
            raise InputError(p, f"is given twice (also as {seen[real]}); give each scenario once")
        seen[real] = p
    scenarios = {p: load_scenario(p, args.set) for p in paths}
    names = scenario_names(scenarios)
    out = results_folder(args.out) if args.out else None
    seeds = seeds_from(args.seed, args.seeds)
    runs, failed = {}, {}
    with _scratch(out) as root:
        for p, scenario in scenarios.items():
            where = root / names[p]
            _replicate(scenario, seeds, args, where, source=p, keep=bool(out))
            runs[names[p]] = load(where)["runs"]
            failed[names[p]] = failures(runs[names[p]])
    base = names[args.base]
    table = compare(runs, base)
    sentences = largest_differences(table, base)
    if out:
        table.to_parquet(out / "compare.parquet", index=False)
    if args.json:
        print(
            dumps(
                {
                    "base": base,
                    "seeds": [seeds[0], seeds[-1]],
                    "failed": {n: {"runs": k, "first_error": e} for n, (k, e) in failed.items()},
                    "table": table.to_dict("records"),
                    "summary": sentences,
                }
            )
        )
    else:
        print(as_text(table, base, len(seeds), failed))
        print("\n" + "\n".join(sentences))
    return 1 if any(k for k, _ in failed.values()) else 0


def cmd_replay_check(args: argparse.Namespace) -> int:
    """Score each scenario's runs against its own dated record; one line per crisis and the mean.

    Beside the model, the baselines of ``sim.baselines``, scored the same way.
    """
    import datetime as dt

    from sim.baselines import BASELINES
    from sim.jsonout import dumps
    from sim.record import score_replay
    from sim.runner import run_seeds
    from sim.scenario import load_scenario

    files = args.files or [str(HISTORICAL)]
    seeds = seeds_from(args.seed, args.seeds)
    crises = []
    for path in files:
        scenario = load_scenario(path, args.set)
        record = scenario_record(path, scenario)
        cal = scenario.calendar
        never = cal.start + dt.timedelta(days=cal.horizon_days + 1)
        runs = [r.events for r in run_seeds(scenario, seeds)]
        base = {
            name: score_replay(record, make(runs, scenario), never).summary()
            for name, make in BASELINES.items()
        }
        crises.append((path, scenario, score_replay(record, runs, never), base))
    mean = sum(c[2].score for c in crises) / len(crises)
    if args.json:
        rows = [
            {
                "scenario": s.name,
                "file": path,
                "record": s.record,
                **score.to_dict(),
                "baselines": {
                    k: {m: b[m] for m in ("score", "brier", "crps")} for k, b in base.items()
                },
            }
            for path, s, score, base in crises
        ]
        print(dumps({"crises": rows, "mean_score": mean}))
        return 0
    for path, scenario, score, base in crises:
        if len(crises) > 1:
            print(f"# {scenario.name} ({path}) against {scenario.record}")
        print(score.table())
        print(baselines_line(base) + ("\n" if len(crises) > 1 else ""))
    if len(crises) > 1:
        print(crises_table(crises, mean))
    return 0


def baselines_line(base: dict[str, dict]) -> str:
    """The baselines' scores in one line."""
    return "baselines: " + "; ".join(
        f"{k} score {b['score']:.3f}, Brier {b['brier']:.3f}, CRPS {b['crps']:.1f} days"
        for k, b in base.items()
    )


def cmd_identify(args: argparse.Namespace) -> int:
    """Step each free parameter; print which targets it moves, the pinned and the unconstrained."""
    import sys

    from sim.experiments import identify as ident
    from sim.jsonout import dumps
    from sim.scenario import load_scenario

    seeds = seeds_from(args.seed, args.seeds)
    moves: dict[str, list[str]] = {}
    for path in args.files:
        scenario = load_scenario(path)
        record = scenario_record(path, scenario)

        def progress(n: int, total: int, name: str, crisis: str = scenario.name) -> None:
            print(f"\r{crisis}: {n}/{total} {name:<60.60}", end="", file=sys.stderr, flush=True)

        found = ident.identify(
            path,
            record,
            seeds,
            share=args.step,
            min_shift=args.min_shift,
            only=args.only,
            progress=None if args.json else progress,
        )
        if not args.json:
            print(file=sys.stderr)
        tag = f"{scenario.name}:" if len(args.files) > 1 else ""
        for m in found:
            moves.setdefault(m.path, []).extend(f"{tag}{t}" for t in m.moves)
    if args.only and not moves:
        only = " ".join(args.only)
        raise InputError(f"--only {only}", "no free parameter of the files lies under it")
    pinned = [p for p, ts in moves.items() if len(ts) == 1]
    unconstrained = [p for p, ts in moves.items() if not ts]
    alone = sorted({moves[p][0] for p in pinned})
    if args.json:
        rows = [{"path": p, "moves": ts} for p, ts in moves.items()]
        print(
            dumps(
                {
                    "parameters": rows,
                    "pinned": pinned,
                    "unconstrained": unconstrained,
                    "targets_moved_alone": alone,
                }
            )
        )
        return 0
    width = max((len(p) for p in moves), default=0)
    for p, ts in moves.items():
        print(f"{p:<{width}}  {', '.join(ts) or '-'}")
    print(f"\npinned ({len(pinned)}, each moves one target): " + (", ".join(pinned) or "none"))
    print(f"targets some parameter moves alone ({len(alone)}): " + (", ".join(alone) or "none"))
    print(
        f"unconstrained ({len(unconstrained)}, move no target): "
        + (", ".join(unconstrained) or "none")
    )
    return 0


def scenario_record(path: str, scenario: Scenario):
    """The record a scenario names, loaded; a one-line error if it names none or a bad one."""
    from sim.record import checked_record

    if scenario.record is None:
        raise InputError(path, "names no record to score against (add record: FILE)", key="record")
    return checked_record(scenario.record)


def share_text(x: float) -> str:
    """A share of runs as a percentage; to a tenth below 10%, so that one run in 200 shows."""
    return f"{x:.1%}" if x < 0.1 else f"{x:.0%}"


def crises_table(crises: list, mean: float) -> str:
    """One line per crisis (scores, the baselines' Brier and CRPS, forbidden events), the mean."""
    names = list(crises[0][3])
    width = max(len(c[1].name) for c in crises)
    head = f"{'crisis':<{width}}  score  exact  Brier   CRPS"
    head += "".join(f"  {k[:12]:>12} B/CRPS" for k in names) + "  forbidden (share of runs)"
    lines = [head]
    for _, s, score, base in crises:
        seen = ", ".join(f"{f.id} {share_text(f.runs / score.n_runs)}" for f in score.forbidden)
        row = f"{s.name:<{width}}  {score.score:.3f}  {score.exact:.3f}  {score.brier:.3f}"
        row += f"  {score.crps:5.1f}"
        row += "".join(f"  {base[k]['brier']:>12.3f}/{base[k]['crps']:5.1f}" for k in names)
        lines.append(f"{row}  {seen or 'none'}")
    exact = sum(c[2].exact for c in crises) / len(crises)
    lines.append(f"{'mean':<{width}}  {mean:.3f}  {exact:.3f}")
    return "\n".join(lines)


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``run``, ``compare`` and ``replay-check``."""
    p = sub.add_parser(
        "run", help="run a scenario: narrative and outcomes, or a summary over seeds"
    )
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--seed", type=seed, default=1, help="seed of the (first) run (default 1)")
    p.add_argument("--seeds", type=positive, default=1, help="number of replications (default 1)")
    p.add_argument("--out", help="folder for runs, series and events as a Parquet dataset")
    set_option(p)
    executor_options(p)
    p.add_argument(
        "--hide",
        nargs="+",
        default=[],
        metavar="ACTION",
        help=f"also leave these actions out of the narrative (always hidden: {' '.join(HIDDEN)})",
    )
    p.add_argument("--show-all", action="store_true", help="leave no action out of the narrative")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("compare", help="compare scenarios run with the same seeds")
    p.add_argument("base", help="the scenario to compare against")
    p.add_argument("alts", nargs="+", metavar="alt", help="the other scenarios")
    p.add_argument("--seeds", type=positive, default=200, help="runs per scenario (default 200)")
    p.add_argument("--seed", type=seed, default=1, help="first seed (default 1)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--out", help="folder for each scenario's runs, series and events, and compare.parquet"
    )
    set_option(p, "every scenario")
    executor_options(p)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("replay-check", help="score scenarios against their dated records")
    p.add_argument(
        "files",
        nargs="*",
        metavar="SCENARIO",
        help=f"scenario files, each scored against the record it names (default {HISTORICAL})",
    )
    p.add_argument("--seeds", type=positive, default=200, help="runs per scenario (default 200)")
    p.add_argument("--seed", type=seed, default=1, help="first seed (default 1)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    set_option(p, "every scenario")
    p.set_defaults(func=cmd_replay_check)

    p = sub.add_parser(
        "identify", help="which dated targets each free parameter moves (one-at-a-time steps)"
    )
    p.add_argument("files", nargs="+", metavar="SCENARIO", help="scenario files with records")
    p.add_argument("--seeds", type=positive, default=40, help="common seeds per step (default 40)")
    p.add_argument("--seed", type=seed, default=1, help="first seed (default 1)")
    p.add_argument(
        "--step", type=share, default=0.2, help="step, a share of each value (default 0.2)"
    )
    p.add_argument(
        "--min-shift",
        type=positive_number,
        default=0.5,
        help="mean shift of a target's date, in days, that counts as moving it (default 0.5)",
    )
    p.add_argument(
        "--only", nargs="+", default=[], metavar="PREFIX", help="only parameters under these paths"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_identify)
