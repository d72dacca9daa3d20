"""Strict JSON: what the ``sim`` command prints and writes is JSON (``null``, never ``NaN``)."""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from typing import Any


def plain(value: Any) -> Any:
    """``value`` as plain JSON data.

    NaN and infinities become None, numpy scalars Python ones, dates ISO strings, tuples and
    sets lists, pandas' missing values None; other objects their text.
    """
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    pd = sys.modules.get("pandas")  # only pandas objects can be pandas' missing values
    if pd is not None and pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        try:
            return plain(item())
        except (TypeError, ValueError):
            pass
    tolist = getattr(value, "tolist", None)  # numpy arrays
    if callable(tolist):
        return plain(tolist())
    return str(value)


def dumps(value: Any, **options: Any) -> str:
    """Strict JSON text of ``value`` (see :func:`plain`)."""
    return json.dumps(plain(value), allow_nan=False, **options)
