"""Kinds of columns the figures tell apart: numbers, flags, text."""

from __future__ import annotations

import numpy as np
import pandas as pd


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
