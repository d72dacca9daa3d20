"""What a run yields, declared once: the outcome record, the daily series and the events table.

Every outcome column and every series variable is declared here (name, kind, unit, meaning).
The store takes column types from these declarations, the figures take units from them, and
``docs/model.md`` carries the table :func:`markdown_table` renders; no probe run and no name
pattern decides a type.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd

    from sim.model import CrisisModel
    from sim.scenario import Scenario

Kind = Literal["day", "count", "number", "category", "flag"]
"""day: whole days since the start (missing if it never happened); count: a whole number;
number: a real number; category: a name (missing if none); flag: true or false."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """One outcome of a run, or a family of them (one per actor that ``per`` selects).

    Attributes:
        name: The column name; for a family, the stem of ``<name>_<actor id>``.
        kind: What its values are (see :data:`Kind`).
        unit: Its unit, in words.
        meaning: What it measures, in one line.
        per: For a family, which actors have a column (see :data:`FAMILIES`); empty for one.
        action: For a day outcome, the action whose first occurrence gives the day.
    """

    name: str
    kind: Kind
    unit: str
    meaning: str
    per: str = ""
    action: str | None = None

    def columns(self, scenario: Scenario) -> list[str]:
        """The column names this declaration gives in ``scenario``."""
        if not self.per:
            return [self.name]
        return [f"{self.name}_{k}" for k in family(scenario, self.per)]


FAMILIES = {
    "public": "each state whose public feels for a kin host (`kin_public` above 0)",
    "outside": "each state with a stake in the crisis (`stake` above 0)",
    "provider": "each bloc, and each state with a stake",
}
"""Which actors a family of outcomes has a column for."""


def family(scenario: Scenario, per: str) -> list[str]:
    """The ids of the actors in family ``per`` of ``scenario`` (see :data:`FAMILIES`)."""
    states = {k: a for k, a in scenario.actors.items() if a.role != "host"}
    if per == "public":
        return [k for k, a in states.items() if a.kin_public > 0]
    outside = [k for k, a in states.items() if a.stake > 0]
    return outside if per == "outside" else [*scenario.blocs, *outside]


def _day(name: str, action: str, meaning: str) -> Outcome:
    return Outcome(name, "day", "days since the start date", meaning, action=action)


OUTCOMES: tuple[Outcome, ...] = (
    _day("request_day", "request_help", "the host first asks a provider for help"),
    _day("decision_day", "deploy_decided", "a provider first decides to send a force"),
    _day("arrival_day", "troops_arrive", "the first foreign troops land"),
    _day("stabilisation_day", "order_restored", "violence is below the stable level everywhere"),
    _day("withdrawal_start_day", "withdrawal_begins", "the first contingents leave"),
    _day("withdrawal_end_day", "withdrawal_complete", "the last foreign troops have left"),
    Outcome("request_to", "category", "provider id", "whom the host asked first"),
    Outcome(
        "runner_up", "category", "provider id", "the host's next-best option when it asked first"
    ),
    Outcome(
        "choice_margin", "number", "utility", "utility of the host's choice minus the runner-up's"
    ),
    Outcome("deployed_by", "category", "provider id", "the first provider to decide to deploy"),
    Outcome("peak_foreign_troops", "count", "troops", "most foreign troops present on one day"),
    Outcome("troop_days", "count", "troop-days", "foreign troops present, summed over the days"),
    Outcome("casualty_index", "number", "dimensionless", "national violence summed over the days"),
    Outcome("refused_to_leave", "flag", "true/false", "a force stayed after it was asked to leave"),
    Outcome(
        "force_pledged", "category", "provider id", "the first provider to pledge troops unasked"
    ),
    Outcome("offer_declined", "flag", "true/false", "the host declined help pledged to it"),
    Outcome(
        "highest_rung",
        "category",
        "rung",
        "the highest rung of the response ladder the provider reached (missing: none)",
        per="provider",
    ),
    Outcome(
        "rung_day",
        "day",
        "days since the start date",
        "the day the provider reached its highest rung",
        per="provider",
    ),
    Outcome(
        "peak_pressure",
        "number",
        "dimensionless",
        "highest pressure of the state's public",
        per="public",
    ),
    Outcome(
        "joint_force_called", "flag", "true/false", "domestic voices called for a joint bloc force"
    ),
    Outcome(
        "influence_shift",
        "number",
        "change in influence, 0-1 scale",
        "the state's influence in the host at the horizon minus on day 0",
        per="outside",
    ),
)
"""Every outcome of a run, in the order of the outcome record."""

DAY_OUTCOMES = tuple(o for o in OUTCOMES if o.kind == "day" and o.action)
"""The outcomes that are the day of an action's first occurrence."""


@dataclass(frozen=True, slots=True)
class Variable:
    """One variable of the daily series.

    Attributes:
        name: The ``variable`` column's value.
        unit: Its unit, in words.
        meaning: What it measures, in one line.
        entities: Which entities have it, in words.
    """

    name: str
    unit: str
    meaning: str
    entities: str


SERIES: tuple[Variable, ...] = (
    Variable("protest", "share mobilised, 0-1", "protest level", "each region"),
    Variable("violence", "level, 0-1", "violence level", "each region"),
    Variable("emergency", "in force, 0/1", "emergency rule in force", "each region"),
    Variable("national_protest", "share mobilised, 0-1", "population-weighted protest", "`host`"),
    Variable("national_violence", "level, 0-1", "population-weighted violence", "`host`"),
    Variable("regions_under_emergency", "regions", "regions under emergency rule", "`host`"),
    Variable(
        "foreign_troops",
        "troops",
        "foreign troops present",
        "each contributor, and `all` for the total",
    ),
    Variable(
        "domestic_pressure",
        "dimensionless",
        "its public's pressure",
        "each state with `kin_public`",
    ),
    Variable("influence", "0-1", "influence in the host", "each state"),
)
"""Every variable of the daily series."""

_BY_NAME = {o.name: o for o in OUTCOMES if not o.per}
_FAMILIES = [o for o in OUTCOMES if o.per]
_VARIABLES = {v.name: v for v in SERIES}


def outcome_columns(scenario: Scenario) -> dict[str, Outcome]:
    """The outcome columns of ``scenario``'s runs, in record order, with their declarations."""
    return {c: o for o in OUTCOMES for c in o.columns(scenario)}


def declaration(name: str) -> Outcome | Variable | None:
    """The declaration of an outcome column or a series variable, if it is one."""
    if name in _BY_NAME:
        return _BY_NAME[name]
    if name in _VARIABLES:
        return _VARIABLES[name]
    return next((o for o in _FAMILIES if name.startswith(o.name + "_")), None)


def unit(name: str) -> str | None:
    """The declared unit of an outcome column or series variable, if it is one."""
    found = declaration(name)
    return found.unit if found else None


def markdown_table() -> str:
    """The outcome and series declarations as Markdown tables (they stand in docs/model.md)."""
    lines = ["| outcome | kind | unit | meaning |", "| --- | --- | --- | --- |"]
    for o in OUTCOMES:
        name = f"`{o.name}_<actor>` ({FAMILIES[o.per]})" if o.per else f"`{o.name}`"
        meaning = o.meaning + (f" (`{o.action}`)" if o.action else "")
        lines.append(f"| {name} | {o.kind} | {o.unit} | {meaning} |")
    lines += ["", "| series variable | entities | unit | meaning |", "| --- | --- | --- | --- |"]
    lines += [f"| `{v.name}` | {v.entities} | {v.unit} | {v.meaning} |" for v in SERIES]
    return "\n".join(lines)


# ---------------------------------------------------------------- what a run yields
def outcomes(model: CrisisModel) -> dict[str, Any]:
    """The outcome record of a finished run: exactly the columns of :func:`outcome_columns`."""
    first: dict[str, Any] = {}
    for e in model.events:
        first.setdefault(e.action, e)
    out: dict[str, Any] = {}
    for o in DAY_OUTCOMES:
        e = first.get(o.action)
        out[o.name] = e.day if e else None
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
    forces = [e for e in model.events if e.action == "pledge" and e.terms["help"] == "troops"]
    out["force_pledged"] = forces[0].actor if forces else None
    out["offer_declined"] = "offer_declined" in first
    sc = model.scenario_spec
    providers = family(sc, "provider")
    for key in providers:
        out[f"highest_rung_{key}"] = model.providers[key].rung
    for key in providers:
        out[f"rung_day_{key}"] = model.providers[key].rung_day
    for key in family(sc, "public"):
        out[f"peak_pressure_{key}"] = round(model.states[key].peak_pressure, 4)
    out["joint_force_called"] = "joint_force_called" in first
    start = model.series[0]["influence"]
    for key in family(sc, "outside"):
        out[f"influence_shift_{key}"] = round(model.states[key].influence - start[key], 4)
    return out


def _runner_up(request_terms: dict) -> tuple[str | None, float | None]:
    """The next-best option when the host asked (a provider, or its own forces) and the margin."""
    options = {k: u for k, u in request_terms.items() if isinstance(u, float)}
    choice = request_terms["choice"]
    rest = {k: u for k, u in options.items() if k != choice}
    best = max(rest, key=lambda k: (rest[k], k))
    return best, round(options[choice] - rest[best], 4)


def series_frame(model: CrisisModel) -> pd.DataFrame:
    """Daily series as a tidy table: day, date, entity, variable, value (see :data:`SERIES`)."""
    import pandas as pd

    regions = model.field.ids
    rows = []
    for row in model.series:
        day = row["day"]
        for i, region in enumerate(regions):
            rows.append((day, region, "protest", float(row["protest"][i])))
            rows.append((day, region, "violence", float(row["violence"][i])))
            rows.append((day, region, "emergency", float(row["emergency"][i])))
        rows.append((day, "host", "national_protest", row["national_protest"]))
        rows.append((day, "host", "national_violence", row["national_violence"]))
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
    import pandas as pd

    rows = [asdict(e) | {"terms": json.dumps(e.terms, default=str)} for e in model.events]
    return pd.DataFrame(
        rows, columns=["time", "date", "actor", "action", "target", "terms", "reason"]
    )
