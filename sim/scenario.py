"""The scenario format: validated pydantic models for scenario YAML files.

A rule parameter is written either as a bare number or as ``{value: x, source: "..."}``; the
source says where the value comes from (an article section, a record entry, or "assumed").
Validation keeps the number only; ``sim.provenance`` reads the sources from the raw file.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


class Strict(BaseModel):
    """Base for every scenario object: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def __setstate__(self, state: dict[Any, Any]) -> None:
        """Unpickled (as a worker receives it): field names interned, as on a model built here.

        Pickled strings come back as new objects, on which CPython's attribute lookup misses its
        fast path: runs on an unpickled scenario were 5-8% slower.
        """
        fields = {sys.intern(k): v for k, v in state["__dict__"].items()}
        super().__setstate__({**state, "__dict__": fields})


class Sourced(Strict):
    """A parameter value with the place it comes from."""

    value: float
    source: str = Field(min_length=1, description="article section, record entry, or 'assumed'")


class SourcedCount(Strict):
    """A whole-number parameter value with the place it comes from."""

    value: int
    source: str = Field(min_length=1, description="article section, record entry, or 'assumed'")


def _ranged(lo: float, hi: float, kind: type = float):
    def check(v: Any) -> Any:
        x = kind(v.value if isinstance(v, Sourced | SourcedCount) else v)
        if not lo <= x <= hi:
            raise ValueError(f"must be between {lo:g} and {hi:g}")
        return x

    return AfterValidator(check)


def P(lo: float, hi: float, doc: str) -> Any:
    """A rule parameter in [lo, hi]: a number, or ``{value, source}``; validated to a float."""
    return Annotated[
        float | Sourced, Field(description=doc, json_schema_extra=_limits(lo, hi)), _ranged(lo, hi)
    ]


def Count(lo: int, hi: int, doc: str) -> Any:
    """A whole-number rule parameter in [lo, hi]: a number, or ``{value, source}``; an int."""
    return Annotated[
        int | SourcedCount,
        Field(description=doc, json_schema_extra=_limits(lo, hi)),
        _ranged(lo, hi, int),
    ]


def _limits(lo: float, hi: float) -> dict[str, float]:
    """The range in the JSON Schema (it applies to a bare number)."""
    return {"minimum": lo, "maximum": hi}


Share = P(0, 1, "a share or level in [0, 1]")
Weight = P(0, 10, "a weight in a utility")
Days = P(0, 60, "a delay in days (fractions are hours)")
Signed = P(-1, 1, "a signed stance or reaction")


RUNGS = (
    "statement",
    "consultations",
    "mediation",
    "mission",
    "pledge",
    "assistance",
    "key_assets",
    "combat",
)
"""The response ladder, lowest first (refusal is below it): see ``sim.rules.ladder``."""

THREATS = ("economic", "political", "communal", "state_attack", "armed_group", "spillover")
"""Kinds of shock: grievance shocks (the first three), attacks, and a danger from abroad."""


# ---------------------------------------------------------------- calendar, shock, regions
class Calendar(Strict):
    """When the run starts and how many days it lasts."""

    start: dt.date
    horizon_days: int = Field(ge=1, le=365)


class Wave(Strict):
    """A later wave of the same threat: a new attack, danger or grievance, on a dated day."""

    date: dt.date = Field(
        description="the day the wave begins (after the start, before the horizon)"
    )
    origin: list[str] = Field(min_length=1, description="regions it hits")
    magnitude: P(0, 5, "grievance added, or daily violence or danger in its origin")
    duration_days: P(0, 365, "days an attack or a danger lasts") = 0.0


class Shock(Strict):
    """The triggering event on day 0 (a fact of the crisis), and any later waves of it."""

    kind: Literal[THREATS] = Field(
        description="economic, political or communal: grievance; state_attack or armed_group: "
        "violence in the origin; spillover: danger in the origin without violence yet"
    )
    magnitude: P(0, 5, "grievance added x exposure, or daily violence or danger in the origin")
    origin: list[str] = Field(min_length=1, description="regions hit first (attacked regions)")
    attacker: str | None = Field(None, description="actor id of the attacking state")
    duration_days: P(0, 365, "days an attack or a danger lasts") = 0.0
    listed: bool = Field(
        False,
        description="the armed groups were on a terrorist list (the UN's or a patron's) before "
        "the crisis: calling them terrorists costs the host nothing",
    )
    waves: list[Wave] = Field(
        [], description="later waves of the same threat (a second front, an escalation), dated"
    )


class Region(Strict):
    """One region: a unit of the unrest field (initial state and facts, not rules)."""

    name: str
    population: float = Field(gt=0, description="inhabitants, millions")
    neighbours: list[str] = []
    grievance: float = Field(0.0, ge=0, le=1, description="grievance before the shock")
    shock_exposure: float = Field(1.0, ge=0, le=1, description="share of the shock felt")
    armed_groups: float = Field(0.0, ge=0, le=1, description="strength of armed groups")
    security: float = Field(1.0, ge=0, le=5, description="own security forces, relative capacity")
    territory: Literal["recognised", "outside"] = Field(
        "recognised", description="inside the host's recognised territory, or outside it"
    )


# ---------------------------------------------------------------- shared behaviour
class UnrestRules(Strict):
    """Parameters of the unrest field's daily update."""

    grievance_threshold: P(0, 1, "grievance above which people take to the streets")
    mobilisation_rate: P(0, 5, "daily protest growth per unit of excess grievance")
    contagion: P(0, 5, "weight of neighbouring regions' protest")
    media_reach: P(0, 5, "weight of the national protest level (national media)")
    demobilisation: P(0, 1, "daily decay of protest under emergency rule or below the threshold")
    fatigue: P(0, 1, "daily build-up of protest fatigue per unit of protest (the drive wears out)")
    violence_rate: P(0, 5, "daily growth of violence per unit of protest where armed groups act")
    suppression: P(
        0, 5, "daily rate of violence decay per unit of effective security (exponential)"
    )
    attrition: P(
        0,
        1,
        "daily rate of armed-group decay per unit of security under emergency rule (exponential)",
    )
    emergency_boost: P(0, 5, "extra security effectiveness under emergency rule")
    reinforcement: P(0, 1, "share of calm regions' forces moved to regions under emergency rule")
    reinforcement_cap: P(
        0, 10, "most that forces moved in add to a region's security, as a multiple of its own"
    )
    foreign_ratio: P(0.01, 5, "host security personnel one foreign soldier stands in for")
    concession_relief: P(0, 1, "grievance removed by a concession")
    resignation_relief: P(0, 1, "grievance removed by the government's resignation")
    noise: P(0, 2, "s.d. of the daily log-normal noise on the protest drive and on violence")
    onset_level: P(0, 1, "protest level at which a region counts as active")
    violent_level: P(0, 1, "violence level at which a region counts as violent")
    stable_level: P(0, 1, "violence level below which order holds")
    spread_share: P(0, 1, "share of the regions beyond the origin active that means spread")


class HostRules(Strict):
    """How a government under pressure decides: the same for every host."""

    concession_trigger: Share
    max_concessions: Count(0, 10, "how many concessions the host can make")
    resign_trigger: Share
    emergency_violence: Share
    emergency_protest: Share
    nationwide_share: Share
    framing_trigger: Share
    assist_load: P(0, 20, "load (threat over own forces, in one region) to ask for assistance")
    troops_load: P(0.01, 20, "load in one region at which the host asks for troops")
    reask_factor: P(1, 10, "how many times worse the load must be to ask again after a refusal")
    min_utility: P(0, 10, "utility a provider must beat (the value of relying on own forces)")
    patience: P(
        0.01, 1000, "strain (days at twice the load its forces carry) that halves min_utility"
    )
    w_legal: Weight
    w_speed: Weight
    w_capacity: Weight
    w_sovereignty: Weight
    w_reaction: Weight
    w_offer: P(0, 10, "utility of help already offered (it will not say no)")
    stable_days: Count(0, 60, "whole days of order before the host asks the force to leave")
    exit_notice_days: Days
    emergency_min_days: Count(
        0, 60, "whole days emergency rule lasts before a quiet region is released"
    )


class Rungs(Strict):
    """The response ladder: the utility each rung must beat (the same scale for everyone)."""

    statement: P(0, 10, "speak: support, concern or condemnation")
    consultations: P(0, 10, "call the host, or convene a bloc's leaders")
    mediation: P(0, 10, "offer to mediate between the parties")
    mission: P(0, 10, "send a fact-finding or monitoring mission (with consent)")
    pledge: P(0, 10, "pledge help on a condition (if asked), re-checked daily")
    assistance: P(0, 10, "send equipment, advisers or police (on request)")
    key_assets: P(0, 10, "send a force guarding key assets (on request)")
    combat: P(0, 10, "send a combat force (on request)")


class Latency(Strict):
    """Days a decision takes, by procedure, before urgency shortens it."""

    executive: Days
    consensus: Days
    lead_decides: Days
    parliament: Days


class ProviderRules(Strict):
    """How a state or a bloc weighs a crisis and answers: the same for every provider."""

    w_threat: Weight
    w_primacy: Weight
    w_credibility: Weight
    w_cost: Weight
    w_public: Weight
    w_legitimacy: Weight
    partner_penalty: Weight
    depth_weight: P(0, 1, "weight of the worst region's load, against the national, in severity")
    cost_per_1000: P(0, 5, "cost of sending 1,000 troops")
    rungs: Rungs
    latency: Latency
    convene_days: Days
    combat_load: P(0, 20, "load above which a force's mission is combat (else key assets)")
    withdrawal_rate: P(1, 1e5, "troops a force withdraws per day")
    stay_threshold: P(-10, 10, "utility of staying above which a force refuses to leave")
    pressure_decay: Share
    pressure_gain: P(0, 10, "daily public pressure per 1,000 troops of a rival force in kin")
    passed_over_gain: P(0, 10, "public pressure when a kin state asks a rival instead")
    adversary_factor: P(0, 10, "extra pressure when an adversary contributes troops")
    joint_force_pressure: P(0, 10, "public pressure at which voices call for the bloc's own force")


class LegalRules(Strict):
    """How far a legal basis reaches (0 none, 1 full), by treaty kind and threat."""

    collective_defence: Share
    mutual_assistance: Share
    security_cooperation: Share
    political: Share
    unnamed_threat: Share
    fellow_party_attack: Share
    invitation: Share


class Influence(Strict):
    """How outcomes shift outside actors' influence in the host."""

    deploy_gain: Share
    exit_gain: Share
    refusal_loss: Share
    passed_over_loss: Share
    support_gain: Share


class Behaviour(Strict):
    """Behavioural parameters shared by every crisis (``scenarios/defaults.yaml``)."""

    unrest: UnrestRules
    host: HostRules
    provider: ProviderRules
    legal: LegalRules
    influence: Influence


# ---------------------------------------------------------------- actors (facts and traits)
class ActorBase(Strict):
    """What every state has."""

    name: str
    influence: Share = Field(0.0, description="initial influence in the host state")
    stance: dict[str, Signed] = Field(
        {}, description="how it would react to each provider intervening in the host (-1..1)"
    )


class EmergencyPower(Strict):
    """Who declares emergency rule, and with what support (facts of the constitution)."""

    by: Literal["executive", "parliament"] = "executive"
    support: Share = Field(1.0, description="share of the deputies who back the declaration")
    needed: Share = Field(0.5, description="share of the deputies the vote needs (quorum)")


class HostActor(ActorBase):
    """The state in crisis: its forces and how it sees the providers."""

    role: Literal["host"]
    security_personnel: P(1, 1e7, "the host's own security personnel")
    reaction_weights: dict[str, Weight] = Field(
        {}, description="weight the host gives to each actor's reaction"
    )
    sovereignty_cost: dict[str, Share] = Field(
        {}, description="sovereignty cost of help from each provider (bloc or state)"
    )
    may_ask: list[str] = Field(
        [], description="states it may ask without a treaty (on invitation alone)"
    )
    blames: str | None = Field(
        None, description="the state it blames for the unrest, where it did so (a documented claim)"
    )
    government_dismissible: bool = Field(
        True,
        description="a head of state above the government can let it go as a concession (false "
        "where the head of government also acts as head of state)",
    )
    emergency: EmergencyPower = Field(
        default_factory=EmergencyPower,
        description="who declares emergency rule: the executive, or a parliament's vote",
    )


class Force(Strict):
    """Troops a state can send abroad for such a mission, and how fast."""

    troops: P(0, 1e6, "troops it can send")
    transport_days: Days


class StateActor(ActorBase):
    """Any other state: its stakes in the crisis and its documented traits."""

    role: Literal["state"]
    stake: Share = Field(0.0, description="how much the crisis concerns it (border, economy)")
    threat_belief: Share = Field(0.0, description="reads unrest as made from outside")
    primacy_concern: Share = Field(0.0, description="cares who leads in the host")
    credibility_stake: Share = Field(0.0, description="its commitments are tested if asked")
    commitments: P(0, 5, "burden of commitments elsewhere") = 0.0
    kin_public: Share = Field(0.0, description="how its public feels for a kin host")
    basing_ambition: P(0, 5, "the value it puts on keeping forces in the host") = 0.0
    procedure: Literal["executive", "parliament"] = Field(
        "executive", description="who approves sending forces abroad"
    )
    force: Force | None = Field(None, description="present if it can send troops")
    partners: list[str] = Field([], description="states it will not act against")
    adversaries: list[str] = Field([], description="states whose troops inflame its public")


Actor = Annotated[HostActor | StateActor, Field(discriminator="role")]


# ---------------------------------------------------------------- blocs and treaties
class Bloc(Strict):
    """An alliance or regional organisation: members, chair, lead, procedure."""

    name: str
    members: list[str] = Field(min_length=1)
    chair: str
    lead: str | None = Field(None, description="member whose decision carries a force decision")
    procedure: Literal["consensus", "lead_decides"] = "consensus"


class Treaty(Strict):
    """A treaty or memorandum in force: who is bound, to what, where."""

    name: str
    parties: list[str] = Field(min_length=1, description="states, or a bloc for all its members")
    kind: Literal["collective_defence", "mutual_assistance", "security_cooperation", "political"]
    article: str = Field(description="the article relied on, paraphrased")
    scope: Literal["recognised", "all"] = Field(
        "recognised", description="where it applies: the parties' recognised territory, or all"
    )
    source: str = Field(min_length=1, description="where the treaty's text or terms are given")
    in_force: dt.date | None = Field(
        None, description="the day it enters into force, where that is after the crisis begins"
    )


# ---------------------------------------------------------------- the whole scenario
class Switches(Strict):
    """Counterfactual switches."""

    host_may_request: bool = True
    host_asks: str | None = Field(
        None,
        description="provider the host asks first, whatever the utilities (then as usual)",
    )
    host_never_asks: list[str] = Field([], description="providers the host never asks")


class Scenario(Strict):
    """A crisis: calendar, shock, regions, actors, blocs, treaties, shared behaviour, switches."""

    name: str
    description: str = ""
    calendar: Calendar
    shock: Shock
    behaviour: Behaviour
    regions: dict[str, Region] = Field(min_length=1)
    actors: dict[str, Actor] = Field(min_length=1)
    blocs: dict[str, Bloc] = {}
    treaties: dict[str, Treaty] = {}
    switches: Switches = Switches()
    record: str | None = Field(
        None,
        description="the dated record the runs are scored against: a file, relative to the "
        "scenario file that names it",
    )

    def problems(self) -> list[tuple[tuple, str]]:
        """References to actors, regions or blocs that do not exist, and other cross-checks."""
        out: list[tuple[tuple, str]] = []
        actors, regions, blocs = set(self.actors), set(self.regions), set(self.blocs)
        providers = actors | blocs

        def need(names, pool, path, what):
            for i, n in enumerate(names):
                if n not in pool:
                    where = (*path, i) if isinstance(names, list) else (*path, n)
                    out.append((where, f"unknown {what} '{n}'"))

        hosts = [a for a, x in self.actors.items() if x.role == "host"]
        if len(hosts) != 1:
            out.append((("actors",), f"exactly one actor must have role host (found {len(hosts)})"))
        for rid, r in self.regions.items():
            need(r.neighbours, regions, ("regions", rid, "neighbours"), "region")
        need(self.shock.origin, regions, ("shock", "origin"), "region")
        s = self.shock
        if s.kind == "state_attack" and s.attacker not in actors:
            out.append((("shock", "attacker"), "a state attack needs an attacker actor id"))
        if s.kind != "state_attack" and s.attacker is not None:
            out.append((("shock", "attacker"), "only a state attack has an attacker"))
        if s.attacker is not None and s.attacker in hosts:
            out.append((("shock", "attacker"), "the host cannot attack itself"))
        if s.kind in ("state_attack", "armed_group", "spillover") and s.duration_days < 1:
            out.append((("shock", "duration_days"), f"a {s.kind} shock lasts at least 1 day"))
        start = self.calendar.start
        end = start + dt.timedelta(days=self.calendar.horizon_days)
        lasting = s.kind in ("state_attack", "armed_group", "spillover")
        for i, w in enumerate(s.waves):
            need(w.origin, regions, ("shock", "waves", i, "origin"), "region")
            if not start < w.date < end:
                why = f"a wave begins after the start ({start}) and before the horizon ({end})"
                out.append((("shock", "waves", i, "date"), why))
            if lasting and w.duration_days < 1:
                out.append((("shock", "waves", i, "duration_days"), "a wave lasts at least 1 day"))
            if not lasting and w.duration_days > 0:
                why = f"a {s.kind} wave raises grievance once: it has no duration"
                out.append((("shock", "waves", i, "duration_days"), why))
        for aid, a in self.actors.items():
            need(list(a.stance), providers, ("actors", aid, "stance"), "bloc or actor")
            need(
                list(getattr(a, "reaction_weights", {})),
                actors,
                ("actors", aid, "reaction_weights"),
                "actor",
            )
            need(
                list(getattr(a, "sovereignty_cost", {})),
                providers,
                ("actors", aid, "sovereignty_cost"),
                "bloc or actor",
            )
            for fld in ("partners", "adversaries", "may_ask"):
                need(getattr(a, fld, []), actors, ("actors", aid, fld), "actor")
            if getattr(a, "blames", None) is not None:
                need([a.blames], actors, ("actors", aid, "blames"), "actor")
        for bid, b in self.blocs.items():
            need(b.members, actors, ("blocs", bid, "members"), "actor")
            if b.chair not in b.members:
                out.append((("blocs", bid, "chair"), f"chair '{b.chair}' is not a member"))
            if b.lead is not None and b.lead not in b.members:
                out.append((("blocs", bid, "lead"), f"lead '{b.lead}' is not a member"))
        for tid, t in self.treaties.items():
            need(t.parties, providers, ("treaties", tid, "parties"), "bloc or actor")
        sw = self.switches
        askable = set(self.provider_ids)
        why = "is not a provider (a bloc or a state other than the host)"
        if sw.host_asks is not None and sw.host_asks not in askable:
            out.append((("switches", "host_asks"), f"'{sw.host_asks}' {why}"))
        if sw.host_asks is not None and sw.host_asks in sw.host_never_asks:
            out.append((("switches", "host_asks"), "is also listed in host_never_asks"))
        for i, k in enumerate(sw.host_never_asks):
            if k not in askable:
                out.append((("switches", "host_never_asks", i), f"'{k}' {why}"))
        return out

    @property
    def provider_ids(self) -> list[str]:
        """Every bloc, then every state other than the host, in file order."""
        return [*self.blocs, *(k for k, a in self.actors.items() if a.role != "host")]

    @property
    def host_id(self) -> str:
        """Id of the state in crisis."""
        return next(a for a, x in self.actors.items() if x.role == "host")

    def parties(self, t: Treaty) -> set[str]:
        """The states bound by ``t``: those it names and the members of the blocs it names."""
        named = set(t.parties)
        for b in t.parties:
            if b in self.blocs:
                named |= set(self.blocs[b].members)
        return named

    def bound(self, provider: str) -> list[Treaty]:
        """Treaties under which ``provider`` (named as a party) acts for the host."""
        host = self.host_id
        return [
            t for t in self.treaties.values() if provider in t.parties and host in self.parties(t)
        ]


def load_scenario(path: str | os.PathLike[str], edits: Sequence[str] = ()) -> Scenario:
    """Load and validate a scenario file with its ``--set`` edits.

    ``record`` becomes an absolute path, resolved against the folder of the file that names it
    (the working directory for an edit).

    Raises:
        InputError: For any problem, located at the file, line and key (or the edit), or a
            record file that does not exist.
    """
    from sim.loading import load_document, validate, with_edits

    data, sources = load_document(path)
    data, sources = with_edits(data, sources, edits)
    scenario = validate(Scenario, data, sources)
    if scenario.record is None:
        return scenario
    named_in, _ = sources.locate(("record",))
    folder = Path.cwd() if named_in.startswith("--set ") else Path(named_in).parent
    record = (folder / scenario.record).resolve()
    if not record.is_file():
        raise sources.error(("record",), f"record file not found: {record}")
    return scenario.model_copy(update={"record": str(record)})
