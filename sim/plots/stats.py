"""Small summaries the figures draw: shares with Wilson intervals, kinds of columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

Z95 = 1.959963984540054
"""Standard normal quantile of a two-sided 95% interval."""


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a binomial share (95% by default); (nan, nan) when n is 0."""
    if n == 0:
        return float("nan"), float("nan")
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


def is_number(column: pd.Series) -> bool:
    """Whether a column holds numbers (not flags, not text)."""
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def is_flag(column: pd.Series) -> bool:
    """Whether a column holds booleans (possibly with missing values in an object column)."""
    if pd.api.types.is_bool_dtype(column):
        return True
    seen = column.dropna()
    return len(seen) > 0 and all(isinstance(v, bool | np.bool_) for v in seen)


def as_numbers(column: pd.Series) -> pd.Series:
    """A numeric or boolean column as floats (flags as 0/1), missing values as NaN."""
    if is_flag(column):
        return column.map(lambda v: np.nan if pd.isna(v) else float(bool(v)))
    if not is_number(column):
        raise ValueError(f"{column.name!r} holds text; choose a numeric or boolean outcome")
    return column.astype(float)
