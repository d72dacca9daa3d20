"""Compare scenarios run with the same seeds: distributions, differences, bootstrap intervals."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sim.experiments.store import ID_COLUMNS

COLUMNS = [
    "outcome", "kind", "scenario", "value", "n", "median", "q05", "q95",
    "share", "share_lo", "share_hi", "diff", "diff_lo", "diff_hi",
]  # fmt: skip


def compare(
    runs: Mapping[str, pd.DataFrame], base: str, *, n_boot: int = 2000, seed: int = 0
) -> pd.DataFrame:
    """A tidy comparison of each scenario's outcomes with ``base``'s.

    ``runs`` maps scenario names to their runs tables (one row per run, with a ``seed``
    column; the same seeds in every scenario). Numbers: median and 90% interval over runs,
    and the difference of means from ``base`` with a paired bootstrap 95% interval (runs
    where the outcome never happened are left out of both). Categories (text and flags):
    the share of each value with a bootstrap 95% interval, and its difference from ``base``.
    """
    rng = np.random.default_rng(seed)
    frames = {name: df.sort_values("seed").reset_index(drop=True) for name, df in runs.items()}
    ref = frames[base]
    n = len(ref)
    for name, df in frames.items():
        if list(df["seed"]) != list(ref["seed"]):
            raise ValueError(f"{name} was not run with the same seeds as {base}")
    picks = rng.integers(0, n, size=(n_boot, n))  # paired resamples of the seeds
    rows = []
    for col in [c for c in ref.columns if c not in ID_COLUMNS]:
        numeric = pd.api.types.is_numeric_dtype(ref[col]) and not pd.api.types.is_bool_dtype(
            ref[col]
        )
        for name, df in frames.items():
            rows += (_numbers if numeric else _shares)(col, name, df[col], ref[col], picks)
    return pd.DataFrame(rows, columns=COLUMNS)


def _interval(samples: np.ndarray) -> tuple[float, float]:
    lo, hi = np.nanpercentile(samples, [2.5, 97.5])
    return float(lo), float(hi)


def _numbers(col: str, name: str, x: pd.Series, ref: pd.Series, picks: np.ndarray) -> list:
    a, b = x.to_numpy(dtype=float), ref.to_numpy(dtype=float)
    seen = ~np.isnan(a)
    row = [col, "number", name, None, int(seen.sum())]
    if not seen.any():
        return [[*row, None, None, None, 0.0, None, None, None, None, None]]
    q05, med, q95 = np.quantile(a[seen], [0.05, 0.5, 0.95])
    both = seen & ~np.isnan(b)
    diff = lo = hi = None
    if both.any():
        d = np.where(both, a - b, np.nan)
        diff = float(np.nanmean(d))
        with np.errstate(invalid="ignore"):
            lo, hi = _interval(np.nanmean(d[picks], axis=1))
    share = float(seen.mean())
    return [[*row, float(med), float(q05), float(q95), share, None, None, diff, lo, hi]]


def _shares(col: str, name: str, x: pd.Series, ref: pd.Series, picks: np.ndarray) -> list:
    a, b = x.fillna("none").astype(str), ref.fillna("none").astype(str)
    out = []
    for value in sorted(set(a) | set(b)):
        ia, ib = (a == value).to_numpy(float), (b == value).to_numpy(float)
        slo, shi = _interval(ia[picks].mean(axis=1))
        dlo, dhi = _interval((ia - ib)[picks].mean(axis=1))
        share, diff = float(ia.mean()), float(ia.mean() - ib.mean())
        row = [col, "share", name, value, len(a), None, None, None]
        out.append([*row, share, slo, shi, diff, dlo, dhi])
    return out


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
            out.append(
                f"{r.scenario}: {r.outcome} {r['diff']:+.3g} on average against {base} "
                f"(95% interval {r.diff_lo:+.3g} to {r.diff_hi:+.3g})."
            )
    return out


def as_text(table: pd.DataFrame, base: str, runs: int) -> str:
    """The comparison as plain text: per outcome, a line per scenario (one line if alone)."""
    alone = table.scenario.nunique() == 1
    name_width = max(map(len, table.scenario.unique()), default=0)
    lines = [f"# {runs} runs per scenario, same seeds; medians and 90% intervals"]
    if not alone:
        lines[0] += f"; differences against {base} with 95% intervals"
    for outcome, rows in table.groupby("outcome", sort=False):
        if alone:
            lines.append(
                f"  {outcome:<32} " + ", ".join(_cell(r, base) for _, r in rows.iterrows())
            )
            continue
        lines.append(f"\n{outcome}")
        lines += [f"  {r.scenario:<{name_width}} {_cell(r, base)}" for _, r in rows.iterrows()]
    return "\n".join(lines)


def _cell(r: pd.Series, base: str) -> str:
    compared = r.scenario != base and r["diff"] is not None and r["diff"] == r["diff"]
    if r.kind == "share":
        text = f"{r.value}: {r.share:.0%} [{r.share_lo:.0%}, {r.share_hi:.0%}]"
        return text + (
            f"  diff {r['diff']:+.0%} [{r.diff_lo:+.0%}, {r.diff_hi:+.0%}]" if compared else ""
        )
    if r["median"] is None or r["median"] != r["median"]:
        return "never"
    text = f"median {r['median']:.3g} [{r.q05:.3g}, {r.q95:.3g}]"
    if r.share < 1:
        text += f" (occurred in {r.share:.0%})"
    return text + (
        f"  diff {r['diff']:+.3g} [{r.diff_lo:+.3g}, {r.diff_hi:+.3g}]" if compared else ""
    )
