"""What a run yields: the outcome record, tidy daily series and the events table."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from sim.model import CrisisModel

DAY_OUTCOMES = (
    ("request_day", "request_help"),
    ("decision_day", "deploy_decided"),
    ("arrival_day", "troops_arrive"),
    ("stabilisation_day", "order_restored"),
    ("withdrawal_start_day", "withdrawal_begins"),
    ("withdrawal_end_day", "withdrawal_complete"),
)
"""Outcome name -> the action whose first occurrence gives its day (None if it never happens)."""


def outcomes(model: CrisisModel) -> dict[str, Any]:
    """The outcome record of a finished run: days, troops, casualties, pressure, influence."""
    first: dict[str, Any] = {}
    for e in model.events:
        first.setdefault(e.action, e)
    out: dict[str, Any] = {}
    for name, action in DAY_OUTCOMES:
        e = first.get(action)
        out[name] = e.day if e else None
    req = first.get("request_help")
    out["request_to"] = req.target if req else None
    out["runner_up"], out["choice_margin"] = _runner_up(req.terms) if req else (None, None)
    dec = first.get("deploy_decided")
    out["deployed_by"] = dec.actor if dec else None
    totals = [sum(row["troops"].values()) for row in model.series]
    out["peak_foreign_troops"] = max(totals)
    out["troop_days"] = sum(totals)
    out["casualty_index"] = round(model.field.casualties, 4)
    out["refused_to_leave"] = "refuses_to_leave" in first
    forces = [e for e in model.events if e.action == "help_offered" and "force" in e.terms]
    out["force_offered"] = forces[0].terms["force"] if forces else None
    out["offer_declined"] = "offer_declined" in first
    for r in model.rivals:
        out[f"peak_pressure_{r.key}"] = round(r.peak_pressure, 4)
    out["joint_force_called"] = "joint_force_called" in first
    start = model.series[0]["influence"]
    for key, s in model.states.items():
        if s.role in ("patron", "rival", "neighbour"):
            out[f"influence_shift_{key}"] = round(s.influence - start[key], 4)
    return out


def _runner_up(request_terms: dict) -> tuple[str | None, float | None]:
    """The next-best option when the host asked (a provider, or its own forces) and the margin."""
    options = {k: u for k, u in request_terms.items() if isinstance(u, float) and k != "overload"}
    choice = request_terms["choice"]
    rest = {k: u for k, u in options.items() if k != choice}
    best = max(rest, key=lambda k: (rest[k], k))
    return best, round(options[choice] - rest[best], 4)


def series_frame(model: CrisisModel) -> pd.DataFrame:
    """Daily series as a tidy table: day, date, entity, variable, value."""
    regions = model.field.ids
    rows = []
    for row in model.series:
        day = row["day"]
        for i, region in enumerate(regions):
            rows.append((day, region, "protest", float(row["protest"][i])))
            rows.append((day, region, "violence", float(row["violence"][i])))
            rows.append((day, region, "emergency", float(row["emergency"][i])))
        rows.append((day, "host", "regions_under_emergency", float(sum(row["emergency"]))))
        for who, n in row["troops"].items():
            rows.append((day, who, "foreign_troops", float(n)))
        rows.append((day, "all", "foreign_troops", float(sum(row["troops"].values()))))
        for who, x in row["pressure"].items():
            rows.append((day, who, "domestic_pressure", x))
        for who, x in row["influence"].items():
            rows.append((day, who, "influence", x))
    df = pd.DataFrame(rows, columns=["day", "entity", "variable", "value"])
    df.insert(1, "date", [model.start + dt.timedelta(days=int(d)) for d in df["day"]])
    return df


def events_frame(model: CrisisModel) -> pd.DataFrame:
    """The events of a run as a table; terms as a JSON string."""
    rows = [asdict(e) | {"terms": json.dumps(e.terms, default=str)} for e in model.events]
    return pd.DataFrame(
        rows, columns=["time", "date", "actor", "action", "target", "terms", "reason"]
    )
