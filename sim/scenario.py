"""The scenario format: validated pydantic models for scenario YAML files.

A rule parameter is written either as a bare number or as ``{value: x, source: "..."}``; the
source says where the value comes from (an article section, a record entry, or "assumed").
Validation keeps the number only; ``sim.provenance`` reads the sources from the raw file.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


class Strict(BaseModel):
    """Base for every scenario object: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


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


# ---------------------------------------------------------------- calendar, shock, regions
class Calendar(Strict):
    """When the run starts and how many days it lasts."""

    start: dt.date
    horizon_days: int = Field(ge=1, le=365)


class Shock(Strict):
    """The triggering event on day 0."""

    kind: Literal["price_shock", "armed_attack"]
    magnitude: P(0, 5, "grievance added x exposure (price shock) or daily violence (attack)")
    origin: list[str] = Field(min_length=1, description="regions hit first (attacked regions)")
    attacker: str | None = Field(None, description="actor id of the attacking state")
    duration_days: P(0, 365, "days the attack goes on (armed attack)") = 0.0


class Region(Strict):
    """One region of the host state: a unit of the unrest field (initial state, not rules)."""

    name: str
    population: float = Field(gt=0, description="inhabitants, millions")
    neighbours: list[str] = []
    grievance: float = Field(0.0, ge=0, le=1, description="grievance before the shock")
    shock_exposure: float = Field(1.0, ge=0, le=1, description="share of the shock felt")
    armed_groups: float = Field(0.0, ge=0, le=1, description="strength of armed groups")
    security: float = Field(1.0, ge=0, le=5, description="own security forces, relative capacity")


class UnrestRules(Strict):
    """Parameters of the unrest field's daily update."""

    grievance_threshold: P(0, 1, "grievance above which people take to the streets")
    mobilisation_rate: P(0, 5, "daily protest growth per unit of excess grievance")
    contagion: P(0, 5, "weight of neighbouring regions' protest")
    media_reach: P(0, 5, "weight of the national protest level (national media)")
    demobilisation: P(0, 1, "daily decay of protest under emergency rule or below the threshold")
    violence_rate: P(0, 5, "daily growth of violence per unit of protest where armed groups act")
    suppression: P(0, 5, "daily reduction of violence per unit of effective security")
    attrition: P(
        0, 1, "daily share of armed groups removed per unit of security under emergency rule"
    )
    emergency_boost: P(0, 5, "extra security effectiveness under emergency rule")
    guard_relief: P(0, 5, "security freed per 1,000 foreign troops guarding key assets")
    concession_relief: P(0, 1, "grievance removed by a concession")
    resignation_relief: P(0, 1, "grievance removed by the government's resignation")
    noise: P(0, 2, "s.d. of the daily log-normal noise on the protest drive and on violence")
    onset_level: P(0, 1, "protest level at which a region counts as active")
    violent_level: P(0, 1, "violence level at which a region counts as violent")
    stable_level: P(0, 1, "violence level below which order holds")
    spread_regions: Count(1, 100, "active regions beyond the origin that mean spread")


# ---------------------------------------------------------------- actors
class ActorBase(Strict):
    """What every state actor has."""

    name: str
    influence: Share = Field(0.0, description="initial influence in the host state")
    stance: dict[str, Signed] = Field(
        {}, description="how it would react to each provider intervening in the host (-1..1)"
    )


class HostParams(Strict):
    """Rule parameters of the state in crisis."""

    concession_trigger: Share
    max_concessions: Count(0, 10, "how many concessions the host can make")
    resign_trigger: Share
    emergency_violence: Share
    emergency_protest: Share
    nationwide_share: Share
    framing_trigger: Share
    request_threshold: P(0, 20, "violence load over own capacity at which help is sought")
    min_utility: P(-10, 10, "utility a provider must beat (the value of relying on own forces)")
    w_legal: Weight
    w_speed: Weight
    w_capacity: Weight
    w_sovereignty: Weight
    w_reaction: Weight
    w_offer: P(0, 10, "utility of a force already offered (it will not say no)")
    troops_needed: P(0, 1e6, "troops the host thinks it needs")
    stable_days: Count(0, 60, "whole days of order before the host asks the force to leave")
    exit_notice_days: Days
    emergency_min_days: Count(
        0, 60, "whole days emergency rule lasts before a quiet region is released"
    )


class HostActor(ActorBase):
    """The state in crisis."""

    role: Literal["host"]
    params: HostParams
    reaction_weights: dict[str, Weight] = Field(
        {}, description="weight the host gives to each actor's reaction"
    )
    sovereignty_cost: dict[str, Share] = Field(
        {}, description="sovereignty cost of help from each provider (bloc or state)"
    )
    legal_basis_bilateral: dict[str, Share] = Field(
        {}, description="legal basis for bilateral help from each state"
    )


class InterventionParams(Strict):
    """Rule parameters of a power deciding whether to send a force, and whether to stay."""

    border_exposure: Share
    external_forces_belief: Share
    primacy_concern: Share
    credibility_stake: Share
    cost_per_1000: P(0, 5, "cost of sending 1,000 troops")
    commitments: P(0, 5, "burden of commitments elsewhere")
    w_threat: Weight
    w_primacy: Weight
    w_credibility: Weight
    w_cost: Weight
    decide_threshold: P(-10, 10, "utility above which it agrees to intervene")
    decision_delay_days: Days
    airlift_days: Days
    withdrawal_days: Days
    combat_overload: P(0, 20, "violence overload above which the mission is combat")
    partner_penalty: Weight
    stay_threshold: P(-10, 10, "utility of staying above which it refuses to leave")
    basing_ambition: Share
    w_legitimacy: Weight


class PatronActor(ActorBase):
    """A power that leads a bloc (or acts alone) and may send troops."""

    role: Literal["patron"]
    params: InterventionParams
    partners: list[str] = Field([], description="states it will not act against")


class RivalParams(Strict):
    """Rule parameters of a power whose bloc competes with the patron's."""

    salience_trigger: Share
    pressure_gain: P(0, 10, "daily pressure per 1,000 troops of other providers in a kin state")
    passed_over_gain: P(0, 10, "pressure from a kin state asking a rival bloc")
    adversary_factor: P(0, 10, "extra pressure when an adversary contributes troops")
    pressure_decay: Share
    offer_threshold: P(0, 10, "domestic pressure above which it offers help")
    offer_violence: P(
        0, 1, "violence in a kin state above which it offers, unasked, a force it can send"
    )
    joint_force_threshold: P(
        0, 10, "domestic pressure above which a joint bloc force is called for"
    )
    meeting_notice_days: Days


class RivalActor(ActorBase):
    """A power whose own bloc includes the host, in rivalry with the patron."""

    role: Literal["rival"]
    params: RivalParams
    intervention: InterventionParams | None = Field(
        None, description="present if it can send a force of its own"
    )
    adversaries: list[str] = Field([], description="states whose troops inflame its public")


class NeighbourParams(Strict):
    """Rule parameters of an outside power with stakes in the host."""

    stake: Share
    threat_perception: Share
    statement_trigger: Share
    reaction_delay_days: Days
    support_trigger: Share
    cooperation_trigger: Share
    cooperation_delay_days: Days


class NeighbourActor(ActorBase):
    """A neighbouring power that speaks and offers help but does not lead a bloc."""

    role: Literal["neighbour"]
    params: NeighbourParams
    intervention: InterventionParams | None = Field(
        None, description="present if it can send a force: it then offers one, not cooperation"
    )


class ContributorParams(Strict):
    """Rule parameters of a bloc member that may send a contingent."""

    willingness: Share
    approval_days: Days


class ContributorActor(ActorBase):
    """A bloc member that may contribute a contingent."""

    role: Literal["contributor"]
    params: ContributorParams


Actor = Annotated[
    HostActor | PatronActor | RivalActor | NeighbourActor | ContributorActor,
    Field(discriminator="role"),
]


# ---------------------------------------------------------------- blocs
class Bloc(Strict):
    """An alliance or regional organisation."""

    name: str
    members: list[str] = Field(min_length=1)
    chair: str
    lead: str | None = Field(None, description="member whose decision carries the bloc's")
    mandate: Literal["collective_defence", "peacekeeping", "none"]
    procedure: Literal["consensus", "lead_decides"] = "consensus"
    council_delay_days: Days = 0.5
    force_pool: dict[str, P(0, 1e6, "troops")] = Field(
        {}, description="troops each member can send"
    )
    readiness_days: Days = 1.0


# ---------------------------------------------------------------- the whole scenario
class Influence(Strict):
    """How outcomes shift outside actors' influence in the host."""

    deploy_gain: Share
    exit_gain: Share
    refusal_loss: Share
    passed_over_loss: Share
    support_gain: Share


class Switches(Strict):
    """Counterfactual switches."""

    host_may_request: bool = True
    host_asks: str | None = Field(
        None,
        description="provider the host asks first, whatever the utilities (then as usual)",
    )
    host_never_asks: list[str] = Field([], description="providers the host never asks")


class Scenario(Strict):
    """A crisis scenario: calendar, shock, regions, actors, blocs, rules and switches."""

    name: str
    description: str = ""
    calendar: Calendar
    shock: Shock
    unrest: UnrestRules
    regions: dict[str, Region] = Field(min_length=1)
    actors: dict[str, Actor] = Field(min_length=1)
    blocs: dict[str, Bloc] = {}
    influence: Influence
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
                    out.append(
                        (
                            (*path, i) if isinstance(names, list) else (*path, n),
                            f"unknown {what} '{n}'",
                        )
                    )

        hosts = [a for a, x in self.actors.items() if x.role == "host"]
        if len(hosts) != 1:
            out.append((("actors",), f"exactly one actor must have role host (found {len(hosts)})"))
        for rid, r in self.regions.items():
            need(r.neighbours, regions, ("regions", rid, "neighbours"), "region")
        need(self.shock.origin, regions, ("shock", "origin"), "region")
        if self.shock.kind == "armed_attack" and self.shock.attacker not in actors:
            out.append((("shock", "attacker"), "an armed attack needs an attacker actor id"))
        if self.shock.kind != "armed_attack" and self.shock.attacker is not None:
            out.append((("shock", "attacker"), "only an armed attack has an attacker"))
        if self.shock.attacker is not None and self.shock.attacker in hosts:
            out.append((("shock", "attacker"), "the host cannot attack itself"))
        if self.shock.kind == "armed_attack" and self.shock.duration_days < 1:
            out.append((("shock", "duration_days"), "an armed attack lasts at least 1 day"))
        for aid, a in self.actors.items():
            need(list(a.stance), providers, ("actors", aid, "stance"), "bloc or actor")
            for fld in ("reaction_weights", "legal_basis_bilateral"):
                need(list(getattr(a, fld, {})), actors, ("actors", aid, fld), "actor")
            need(
                list(getattr(a, "sovereignty_cost", {})),
                providers,
                ("actors", aid, "sovereignty_cost"),
                "bloc or actor",
            )
            for fld in ("partners", "adversaries"):
                need(getattr(a, fld, []), actors, ("actors", aid, fld), "actor")
        sw = self.switches
        askable = set(self.provider_ids)
        why = "is not a provider the host can ask (a bloc, patron, rival, or armed neighbour)"
        if sw.host_asks is not None and sw.host_asks not in askable:
            out.append((("switches", "host_asks"), f"'{sw.host_asks}' {why}"))
        if sw.host_asks is not None and sw.host_asks in sw.host_never_asks:
            out.append((("switches", "host_asks"), "is also listed in host_never_asks"))
        for i, k in enumerate(sw.host_never_asks):
            if k not in askable:
                out.append((("switches", "host_never_asks", i), f"'{k}' {why}"))
        for bid, b in self.blocs.items():
            need(b.members, actors, ("blocs", bid, "members"), "actor")
            if b.chair not in b.members:
                out.append((("blocs", bid, "chair"), f"chair '{b.chair}' is not a member"))
            if b.lead is not None and b.lead not in b.members:
                out.append((("blocs", bid, "lead"), f"lead '{b.lead}' is not a member"))
            for m in b.force_pool:
                if m not in b.members:
                    out.append((("blocs", bid, "force_pool", m), f"'{m}' is not a member"))
                elif m in self.actors and self.actors[m].role in ("host", "neighbour"):
                    why = f"'{m}' is a {self.actors[m].role}: it cannot contribute troops"
                    out.append((("blocs", bid, "force_pool", m), why))
        return out

    @property
    def provider_ids(self) -> list[str]:
        """Whom the host can ask for a force, blocs first, then states in file order.

        Every bloc, every patron and rival, and every neighbour with an intervention block.
        """
        states = [
            k
            for k, a in self.actors.items()
            if a.role in ("patron", "rival")
            or (a.role == "neighbour" and a.intervention is not None)
        ]
        return [*self.blocs, *states]

    def first_with_role(self, role: str) -> str | None:
        """Id of the first actor with ``role``, or None."""
        return next((a for a, x in self.actors.items() if x.role == role), None)

    @property
    def host_id(self) -> str:
        """Id of the state in crisis."""
        return self.first_with_role("host")


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
