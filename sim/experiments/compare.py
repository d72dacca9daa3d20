"""Compare scenarios run with the same seeds: distributions, shares, paired differences.

Only finished runs count; failed runs are reported by :func:`failures`, never folded into an
outcome. Numbers get their median and 5-95% range over runs; categories and flags the share of
each value with a Wilson 95% interval. Against the base scenario, each gets the mean paired
difference over the seeds finished in both, with a paired bootstrap 95% interval; a scenario on
its own is not bootstrapped at all.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from sim.experiments.conditions import finished
from sim.experiments.intervals import wilson_interval
from sim.experiments.store import ID_COLUMNS
from sim.outcomes import Outcome, declaration

COLUMNS = [
    "outcome", "kind", "scenario", "value", "n", "median", "q05", "q95",
    "share", "share_lo", "share_hi", "diff", "diff_lo", "diff_hi",
]  # fmt: skip

NUMBER_KINDS = ("day", "count", "number")


def failures(runs: pd.DataFrame) -> tuple[int, str | None]:
    """How many runs failed, and the first error (by run id)."""
    if "status" not in runs.columns:
        return 0, None
    failed = runs[runs["status"] != "ok"].sort_values("run_id" if "run_id" in runs else "seed")
    return len(failed), (str(failed["error"].iloc[0]) if len(failed) else None)


def compare(
    runs: Mapping[str, pd.DataFrame], base: str, *, n_boot: int = 2000, seed: int = 0
) -> pd.DataFrame:
    """A tidy comparison of each scenario's outcomes with ``base``'s.

    Args:
        runs: Runs tables by scenario name (one row per run with a ``seed`` column; the same
            seeds in every scenario).
        base: The scenario the others are compared with.
        n_boot: Bootstrap resamples of the paired differences.
        seed: Seed of the bootstrap.

    Returns:
        One row per outcome and scenario (numbers) or per outcome, scenario and value
        (categories), with the columns of :data:`COLUMNS`. ``n`` counts finished runs (numbers:
        those where the outcome happened); a scenario with no finished run has no rows.

    Raises:
        ValueError: The scenarios were not run with the same seeds.
    """
    rng = np.random.default_rng(seed)
    for name, df in runs.items():
        if sorted(df["seed"]) != sorted(runs[base]["seed"]):
            raise ValueError(f"{name} was not run with the same seeds as {base}")
    frames = {n: finished(df).set_index("seed").sort_index() for n, df in runs.items()}
    ref = frames[base]
    picks = {}
    for name, df in frames.items():
        common = df.index.intersection(ref.index)
        if name != base and len(common):
            picks[name] = (common, rng.integers(0, len(common), size=(n_boot, len(common))))
    rows = []
    for col in _outcome_columns(runs.values()):
        numeric = _is_number(col, [df[col] for df in frames.values() if col in df])
        for name, df in frames.items():
            if col not in df or df.empty:
                continue
            pair = picks.get(name)
            rows += (_numbers if numeric else _shares)(col, name, df[col], ref, pair)
    return pd.DataFrame(rows, columns=COLUMNS)


def _outcome_columns(tables) -> list[str]:
    seen: dict[str, None] = {}
    for df in tables:
        seen.update((c, None) for c in df.columns if c not in ID_COLUMNS)
    return list(seen)


def _is_number(col: str, columns: list[pd.Series]) -> bool:
    found = declaration(col)
    if isinstance(found, Outcome):
        return found.kind in NUMBER_KINDS
    present = [c for c in columns if c.notna().any()] or columns
    return all(
        pd.api.types.is_numeric_dtype(c) and not pd.api.types.is_bool_dtype(c) for c in present
    )


def _interval(samples: np.ndarray) -> tuple[float, float]:
    lo, hi = np.nanpercentile(samples, [2.5, 97.5])
    return float(lo), float(hi)


def _paired(a: pd.Series, b: pd.Series, pair) -> tuple[float | None, float | None, float | None]:
    """Mean of ``a - b`` over the paired seeds where both exist, with its bootstrap interval."""
    if pair is None:
        return None, None, None
    common, picks = pair
    d = a.reindex(common).to_numpy(float) - b.reindex(common).to_numpy(float)
    if np.isnan(d).all():
        return None, None, None
    with warnings.catch_warnings():  # a resample of only missing pairs has no mean
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = _interval(np.nanmean(d[picks], axis=1))
    return float(np.nanmean(d)), lo, hi


def _numbers(col: str, name: str, x: pd.Series, ref: pd.DataFrame, pair) -> list:
    a = x.to_numpy(dtype=float)
    seen = ~np.isnan(a)
    row = [col, "number", name, None, int(seen.sum())]
    share = float(seen.mean()) if len(a) else 0.0
    if not seen.any():
        return [[*row, None, None, None, share, None, None, None, None, None]]
    q05, med, q95 = np.quantile(a[seen], [0.05, 0.5, 0.95])
    diff, lo, hi = (
        _paired(x.astype(float), ref[col].astype(float), pair) if col in ref else (None,) * 3
    )
    return [[*row, float(med), float(q05), float(q95), share, None, None, diff, lo, hi]]


def _shares(col: str, name: str, x: pd.Series, ref: pd.DataFrame, pair) -> list:
    a = _labels(x)
    b = _labels(ref[col]) if col in ref else None
    values = sorted(set(a) | (set(b) if b is not None else set()))
    out = []
    for value in values:
        hits = int((a == value).sum())
        slo, shi = wilson_interval(hits, len(a))
        diff = lo = hi = None
        if b is not None:
            diff, lo, hi = _paired((a == value).astype(float), (b == value).astype(float), pair)
        row = [col, "share", name, value, len(a), None, None, None]
        out.append([*row, hits / len(a), slo, shi, diff, lo, hi])
    return out


def _labels(column: pd.Series) -> pd.Series:
    """Category values as text, a missing one as ``none``."""
    return column.map(lambda v: "none" if v is None or v != v else str(v))


def largest_differences(table: pd.DataFrame, base: str, top: int = 2) -> list[str]:
    """Plain sentences on each scenario's ``top`` largest differences from ``base``.

    Only differences whose interval excludes 0 count; for categories, only values that became
    more common.
    """
    t = table[(table.scenario != base) & table["diff"].notna()].copy()
    t = t[(t.diff_lo > 0) | ((t.diff_hi < 0) & (t.kind == "number"))]
    if t.empty:
        return [f"No outcome differs from {base} beyond its 95% interval."]
    spread = table[(table.scenario == base) & (table.kind == "number")].set_index("outcome")
    width = (spread.q95 - spread.q05).replace(0, np.nan)

    def size(r: pd.Series) -> float:
        if r.kind == "share":
            return abs(r["diff"])
        return abs(r["diff"]) / (width.get(r.outcome) or max(abs(r["diff"]), 1e-12))

    t["size"] = t.apply(size, axis=1)
    out = []
    order = {name: i for i, name in enumerate(table.scenario.unique())}
    t["order"] = t.scenario.map(order)
    t = t.sort_values(["order", "size"], ascending=[True, False]).groupby("scenario").head(top)
    for _, r in t.iterrows():
        if r.kind == "share":
            out.append(
                f"{r.scenario}: {r.outcome} = {r.value} in {r.share:.0%} of runs, "
                f"{r['diff'] * 100:+.0f} points against {base} "
                f"(95% interval {r.diff_lo * 100:+.0f} to {r.diff_hi * 100:+.0f})."
            )
        else:
            d, lo, hi = (_number(r[k], sign=True) for k in ("diff", "diff_lo", "diff_hi"))
            out.append(
                f"{r.scenario}: {r.outcome} {d} on average against {base} "
                f"(95% interval {lo} to {hi})."
            )
    return out


def as_text(
    table: pd.DataFrame,
    base: str,
    runs: int,
    failed: Mapping[str, tuple[int, str | None]] | None = None,
) -> str:
    """The comparison as plain text: per outcome, a line per scenario (one line if alone).

    ``failed`` gives, per scenario, the failed runs and the first error; they are named at the
    top and left out of every figure.
    """
    names = list(dict.fromkeys([base, *(failed or {}), *table.scenario.unique()]))
    alone = len(names) == 1
    name_width = max(map(len, names), default=0)
    lines = [
        f"# {runs} runs per scenario, same seeds. Numbers: median [5th, 95th percentile of runs]"
        "; values: share of runs [Wilson 95% interval]"
    ]
    if not alone:
        lines.append(
            f"# diff: mean difference from {base} over the paired seeds "
            "[paired bootstrap 95% interval]"
        )
    for name, (count, error) in (failed or {}).items():
        if count:
            lines.append(
                f"# {name}: {count} of {runs} runs failed and are left out; first error: {error}"
            )
    for outcome, rows in table.groupby("outcome", sort=False):
        if alone:
            lines.append(
                f"  {outcome:<32} " + ", ".join(_cell(r, base) for _, r in rows.iterrows())
            )
            continue
        lines.append(f"\n{outcome}")
        for name in names:
            mine = rows[rows.scenario == name]
            cell = ", ".join(_cell(r, base) for _, r in mine.iterrows()) or "no finished run"
            lines.append(f"  {name:<{name_width}} {cell}")
    if table.empty:
        lines.append("  no run finished")
    return "\n".join(lines)


def _number(x: float, sign: bool = False) -> str:
    text = f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"
    return "+" + text if sign and x >= 0 else text


def _cell(r: pd.Series, base: str) -> str:
    compared = r.scenario != base and pd.notna(r["diff"])
    if r.kind == "share":
        text = f"{r.value}: {r.share:.0%} [{r.share_lo:.0%}, {r.share_hi:.0%}]"
        if compared:
            d, lo, hi = (100 * r[k] for k in ("diff", "diff_lo", "diff_hi"))
            text += f"  diff {d:+.0f} pts [{lo:+.0f}, {hi:+.0f}]"
        return text
    if pd.isna(r["median"]):
        return "never"
    text = f"median {_number(r['median'])} [{_number(r.q05)}, {_number(r.q95)}]"
    if r.share < 1:
        text += f" (occurred in {r.share:.0%})"
    if compared:
        d, lo, hi = (_number(r[k], sign=True) for k in ("diff", "diff_lo", "diff_hi"))
        text += f"  diff {d} [{lo}, {hi}]"
    return text
