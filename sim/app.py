"""The browser dashboard: watch a crisis unfold and turn its main knobs (Mesa's SolaraViz).

Started by ``sim dashboard [SCENARIO]``, which serves this module with Solara on 127.0.0.1.
Each browser session builds its own model. The scenario picker offers the files named in the
``SIM_DASHBOARD_SCENARIOS`` environment variable (paths joined by ``os.pathsep``), else the
shipped scenarios under ``scenarios/`` of the working directory. The sliders scale the
parameters the sensitivity analysis ranks highest, relative to the chosen scenario's values.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path

import solara
from matplotlib import colormaps
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz

from sim.catalog import shipped_scenarios
from sim.experiments.plan import with_values
from sim.experiments.spec import value_at
from sim.model import CrisisModel
from sim.plots.style import SEQUENTIAL, date_numbers, format_date_axis, series_colour
from sim.scenario import Scenario, load_scenario

SCENARIOS_ENV = "SIM_DASHBOARD_SCENARIOS"
LOG_LENGTH = 60


def scenario_files() -> dict[str, Path]:
    """The scenarios the picker offers, by name (the file's stem), in order."""
    listed = os.environ.get(SCENARIOS_ENV)
    paths = [Path(p) for p in listed.split(os.pathsep) if p] if listed else shipped_scenarios()
    return {p.stem: p for p in paths if p.is_file()}


@cache
def _scenario(path: Path) -> Scenario:
    return load_scenario(path)


def _shared(*path: str) -> Callable[[Scenario], tuple[str, ...]]:
    return lambda s: ("behaviour", *path)


KNOBS: dict[str, tuple[str, Callable[[Scenario], tuple[str, ...] | None]]] = {
    "force_bar": ("Providers: bar to send a force (x)", _shared("provider", "rungs", "key_assets")),
    "suppression": ("Security forces: suppression (x)", _shared("unrest", "suppression")),
    "violence_rate": ("Armed groups: violence growth (x)", _shared("unrest", "violence_rate")),
    "troops_load": ("Host: load before asking for troops (x)", _shared("host", "troops_load")),
    "w_sovereignty": ("Host: weight of sovereignty (x)", _shared("host", "w_sovereignty")),
    "w_reaction": ("Host: weight of the powers' reactions (x)", _shared("host", "w_reaction")),
}
"""Slider name -> (label, key path of the scaled shared parameter in a scenario).

The first four decide the cost of the crisis and whether a force comes (Sobol indices of
``scenarios/sweeps/patron_sobol.yaml``); the host's two weights decide whether it would turn to
a kin bloc instead (PRIM on ``scenarios/sweeps/who_to_ask.yaml``); see the README.
"""


def scaled(scenario: Scenario, factors: dict[str, float]) -> Scenario:
    """The scenario with each knob's parameter multiplied by its factor."""
    keys, values = [], []
    for name, factor in factors.items():
        key = KNOBS[name][1](scenario)
        if key is not None and factor != 1.0:
            keys.append(key)
            values.append(value_at(scenario, key) * factor)
    return with_values(scenario, keys, values) if keys else scenario


class DashboardModel(CrisisModel):
    """A crisis model built from a scenario name, a seed and the knobs' factors.

    (Not ``scenario``: Mesa's reset passes its own scenario object under that name.)
    """

    def __init__(
        self,
        scenario_name: str = "",
        seed: int = 1,
        force_bar: float = 1.0,
        suppression: float = 1.0,
        violence_rate: float = 1.0,
        troops_load: float = 1.0,
        w_sovereignty: float = 1.0,
        w_reaction: float = 1.0,
    ) -> None:
        files = scenario_files()
        name = scenario_name if scenario_name in files else next(iter(files))
        factors = {
            "force_bar": force_bar,
            "suppression": suppression,
            "violence_rate": violence_rate,
            "troops_load": troops_load,
            "w_sovereignty": w_sovereignty,
            "w_reaction": w_reaction,
        }
        super().__init__(scaled(_scenario(files[name]), factors), rng=int(seed))
        self.scenario_name = name

    def step(self) -> None:
        """One day; the run stops at the scenario's horizon."""
        super().step()
        if self.time >= self.scenario_spec.calendar.horizon_days:
            self.running = False


def model_params() -> dict:
    """The controls: scenario picker, seed, and one slider per knob."""
    names = list(scenario_files())
    params: dict = {
        "scenario_name": {
            "type": "Select",
            "value": names[0],
            "values": names,
            "label": "Scenario",
        },
        "seed": {"type": "SliderInt", "value": 1, "min": 1, "max": 100, "step": 1, "label": "Seed"},
    }
    for name, (label, _) in KNOBS.items():
        params[name] = {
            "type": "SliderFloat",
            "value": 1.0,
            "min": 0.25,
            "max": 2.0,
            "step": 0.05,
            "label": label,
        }
    return params


# ---------------------------------------------------------------- views of the running model
def _status(model: DashboardModel) -> str:
    return (
        f"<div class='status'><h3 style='margin:0'>{html.escape(model.scenario_name)}: day "
        f"<span class='day'>{int(model.time)}</span>, <span class='date'>"
        f"{model.date.isoformat()}</span></h3><div class='description' style='font-size:12px;"
        "display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden'"
        f" title='{html.escape(model.scenario_spec.description.strip())}'>"
        f"{html.escape(model.scenario_spec.description.strip())}</div><div style='font-size:11px;"
        "font-style:italic'>Pick a scenario, seed or factor, then press Reset to apply it.</div>"
        "</div>"
    )


def _cell(name: str, violence: float, protest: float, emergency: bool) -> str:
    r, g, b, _ = colormaps[SEQUENTIAL](min(1.0, violence / 0.4))
    ink = "#000" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "#fff"
    border = "3px solid #D55E00" if emergency else "3px solid transparent"
    flag = "&#9873; " if emergency else ""
    return (
        f"<div class='region' title='{html.escape(name)}: violence {violence:.2f}, protest "
        f"{protest:.2f}{', emergency rule' if emergency else ''}' style='background:"
        f"rgb({r * 255:.0f},{g * 255:.0f},{b * 255:.0f});color:{ink};border:{border};"
        "padding:1px 3px;border-radius:4px;font-size:10px;line-height:1.2;height:40px;"
        "box-sizing:border-box;overflow:hidden'>"
        "<div style='white-space:nowrap;overflow:hidden;text-overflow:ellipsis'>"
        f"{flag}<b>{html.escape(name)}</b></div><div>violence {violence:.2f}</div>"
        f"<div style='background:#ddd;height:4px'><div style='background:{series_colour(1)};"
        f"height:4px;width:{min(100, protest * 100):.0f}%'></div></div></div>"
    )


def _map(model: DashboardModel) -> str:
    f, spec = model.field, model.scenario_spec
    cells = "".join(
        _cell(spec.regions[rid].name, f.v[i], f.p[i], f.emergency[i]) for i, rid in enumerate(f.ids)
    )
    troops = sum(model.troops.values())
    banner = (
        "Foreign troops present: "
        + ", ".join(f"{k} {n:,}" for k, n in sorted(model.troops.items()))
        + f" (total {troops:,})"
        if troops
        else "No foreign troops present"
    )
    return (
        f"<div class='region-map'><div class='troops' style='margin:4px 0;font-weight:bold;"
        f"font-size:13px'>{banner}</div><div style='display:grid;grid-template-columns:"
        f"repeat(auto-fill,minmax(88px,1fr));gap:2px'>{cells}</div><div style='font-size:10px;"
        "margin-top:2px'>Colour: violence (dark = none, yellow = high); bar: protest; orange "
        "frame and &#9873;: emergency rule.</div></div>"
    )


def overview(model: DashboardModel):
    """The scenario and date of the current step, the foreign troops, and the regions."""
    return solara.HTML(
        tag="div",
        unsafe_innerHTML=_status(model) + _map(model),
        style={"height": "100%", "overflow": "auto"},
    )


PANELS = {
    "troops": ("foreign troops (troops)", "Foreign troops by contributor"),
    "pressure": ("public pressure (index)", "Public pressure in kin states"),
    "influence": ("influence in the host (0-1)", "Influence of the outside powers"),
}


def _over_time(model: DashboardModel, keys: list[str]):
    """Daily series of the model as line charts, one panel per key, on a date axis."""
    rows = model.series
    dates = date_numbers([model.start + dt.timedelta(days=r["day"]) for r in rows])
    horizon = model.scenario_spec.calendar.horizon_days
    span = date_numbers([model.start, model.start + dt.timedelta(days=horizon)])
    fig = Figure(figsize=(6.4, 1.9 * len(keys)), layout="constrained")
    axes = fig.subplots(len(keys), 1, sharex=True, squeeze=False)[:, 0]
    for ax, key in zip(axes, keys, strict=True):
        names = sorted({k for r in rows for k in r[key]})
        if key == "influence":
            names = [k for k in names if model.states[k].spec.stake > 0]
        for i, name in enumerate(names):
            values = [r[key].get(name, 0) for r in rows]
            ax.plot(dates, values, color=series_colour(i), label=name, marker=".")
        label, title = PANELS[key]
        ax.set_title(title, loc="left", fontsize=10)
        ax.set_ylabel(label, fontsize=8)
        if names:
            ax.legend(fontsize=7, loc="upper left")
        ax.set_xlim(*span)
        format_date_axis(ax)
    return solara.FigureMatplotlib(fig, format="png")


def troops_chart(model: DashboardModel):
    """Foreign troops present, by contributor, day by day."""
    return _over_time(model, ["troops"])


def standing_chart(model: DashboardModel):
    """Public pressure in kin states and the outside powers' influence, day by day."""
    return _over_time(model, ["pressure", "influence"])


def event_log(model: DashboardModel):
    """The events so far, newest first, each with its reason."""
    items = "".join(
        f"<li><b>{e.date.isoformat()}</b> {html.escape(e.actor)} <i>{e.action}</i>"
        f"{' &rarr; ' + html.escape(e.target) if e.target else ''}: {html.escape(e.reason)}</li>"
        for e in reversed(model.events[-LOG_LENGTH:])
    )
    return solara.HTML(
        tag="div",
        unsafe_innerHTML=(
            f"<div class='event-log' style='font-size:12px'><b>Events (<span class='count'>"
            f"{len(model.events)}</span>), newest first</b><ol reversed style='max-height:340px;"
            f"overflow-y:auto;margin:4px 0'>{items}</ol></div>"
        ),
    )


PAGE_CSS = """
.v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-input__slider .v-label { width: 100%; margin-bottom: 26px; white-space: normal; }
.v-input__slider .v-slider { min-width: 100%; }
.v-slider__thumb-label-container { display: block !important; }
.v-slider__thumb-label { width: 26px !important; height: 26px !important; font-size: 10px; }
"""
"""Mesa's sliders put the label beside the track, which a long label squeezes to nothing, and show
their value only while dragged: here the label sits above the track and the value always shows
above the thumb."""


@solara.component
def Page():
    """The dashboard page: one model per browser session."""
    model = solara.use_memo(DashboardModel, [])
    solara.Title(f"crisis-sim: {model.scenario_name}")
    solara.Style(PAGE_CSS)
    SolaraViz(
        model,
        components=[overview, event_log, troops_chart, standing_chart],
        model_params=model_params(),
        name="crisis-sim",
        play_interval=400,
    )
