"""A government's reading of its Observation before it decides: lines, controls, deals, risks.

Built once per decision from the observation alone (no engine internals), so that anything a
doctrine concludes a person or a bot could conclude from the same observation. What every
country reads alike (the world lines, export controls and bans) is a `WorldReading`: the
engine builds one per turn beside the observations (engine/observe.py), and a situation reads
it when its observation carries the very same world lines and policies, else reads its own.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from operator import attrgetter, is_

from critmin.agents.doctrine_params import DoctrineParams
from critmin.agents.manufacturers import Line, SupplyRisk, supply_risk
from critmin.core.actions import ProposeDeal
from critmin.core.export_control import ExportControl
from critmin.core.observation import MineralView, Observation, WorldLine
from critmin.core.units import capex_usd_m
from critmin.core.vocabulary import TURNS_PER_YEAR, Mineral, Stage

NO_ONE: frozenset[str] = frozenset()
MINERAL_NAMED: dict[str, Mineral] = {mineral.value: mineral for mineral in Mineral}
STAGE_NAMED: dict[str, Stage] = {stage.value: stage for stage in Stage}
LINE_OF = attrgetter("mineral", "stage")  # a MineralView's or WorldLine's line
MINERAL_OF, STAGE_OF = attrgetter("mineral"), attrgetter("stage")


def offer_line(offer: ProposeDeal) -> Line:
    """The (mineral, stage) line of an offer, as plain strings."""
    return offer.mineral._value_, offer.stage._value_


@dataclass(frozen=True)
class WorldReading:
    """What every country reads alike from its observation: lines, chains, controls and bans.

    Situations share it and only read it.
    """

    world: list[WorldLine]  # the objects read (held, so that no other object takes their identity)
    policies: list[dict]
    lines: dict[Line, WorldLine]
    minerals: list[str]  # the lines' minerals and stages, in order
    stages: list[str]
    chains: dict[str, list[str]]  # mineral -> its stages, in the order of the lines
    controls: dict[tuple[str, str, str], ExportControl]  # in force, by (exporter, mineral, stage)
    bans: dict[tuple[str, str], list[ExportControl]]  # (exporter, mineral) -> controls that ban someone
    sellers: dict[Line, list[str]] = field(default_factory=dict)  # filled as asked: see `sellers_of`

    @classmethod
    def of(cls, obs: Observation) -> WorldReading:
        """The reading of an observation's world lines and policies."""
        return cls.of_parts(obs.world, obs.policies)

    @classmethod
    def of_parts(cls, world: list[WorldLine], policies: list[dict]) -> WorldReading:
        """The reading of world lines and policy records (those observations carry)."""
        controls = {
            (policy["country"], policy["mineral"], policy["stage"]): ExportControl.from_record(policy)
            for policy in policies
            if policy.get("kind") == "export_control"
        }
        bans: dict[tuple[str, str], list[ExportControl]] = {}
        for (country, mineral, _), control in controls.items():
            if control.bans_anyone():
                bans.setdefault((country, mineral), []).append(control)
        lines = dict(zip(map(LINE_OF, world), world, strict=True))
        minerals, stages = [line[0] for line in lines], [line[1] for line in lines]
        return cls(list(world), list(policies), lines, minerals, stages, chains_of(lines), controls, bans)

    def reads(self, obs: Observation) -> bool:
        """True if this is the reading of the observation's world lines and policies."""
        return same_objects(self.world, obs.world) and same_objects(self.policies, obs.policies)

    def views(self, minerals: list[MineralView]) -> tuple[dict[Line, MineralView], dict[str, list[str]]]:
        """A country's views by line, and its chains (the reading's own if its lines are the world's)."""
        if list(map(MINERAL_OF, minerals)) == self.minerals and list(map(STAGE_OF, minerals)) == self.stages:
            return dict(zip(self.lines, minerals, strict=True)), self.chains
        views = dict(zip(map(LINE_OF, minerals), minerals, strict=True))
        return views, chains_of(views)

    def sellers_of(self, line: Line) -> list[str]:
        """The countries that export or produce on a line, in code order."""
        sellers = self.sellers.get(line)
        if sellers is None:
            world = self.lines[line]
            sellers = self.sellers[line] = sorted({*world.exporters, *world.producers})
        return sellers


def same_objects(held: list, seen: list) -> bool:
    """True if both lists hold the very same objects in the same order."""
    return len(held) == len(seen) and all(map(is_, held, seen))


def chains_of(lines) -> dict[str, list[str]]:
    """Each mineral's stages, in the order of the (mineral, stage) lines."""
    chains: dict[str, list[str]] = {}
    for mineral, stage in lines:
        chains.setdefault(mineral, []).append(stage)
    return chains


@dataclass(slots=True)
class Situation:
    """What a government makes of its observation this turn."""

    obs: Observation
    params: DoctrineParams
    views: dict[Line, MineralView] = field(default_factory=dict)
    lines: dict[Line, WorldLine] = field(default_factory=dict)  # lines, controls, chains, bans: shared
    controls: dict[tuple[str, str, str], ExportControl] = field(default_factory=dict)
    risks: dict[Line, SupplyRisk] = field(default_factory=dict)
    bought: dict[Line, float] = field(default_factory=lambda: defaultdict(float))
    sold: dict[Line, float] = field(default_factory=lambda: defaultdict(float))
    sold_to: dict[tuple[Line, str], float] = field(default_factory=lambda: defaultdict(float))
    pending: dict[Line, set[str]] = field(default_factory=lambda: defaultdict(set))
    chains: dict[str, list[str]] = field(default_factory=dict)
    bans: dict[tuple[str, str], list[ExportControl]] = field(
        default_factory=dict
    )  # (exporter, mineral) -> bans
    budget_usd_m: float = 0.0
    reading: WorldReading | None = None  # the turn's shared reading (None for a situation made by hand)

    @classmethod
    def read(cls, obs: Observation, params: DoctrineParams, shared: WorldReading | None = None) -> Situation:
        """Read an observation, on the turn's `shared` reading if it is the reading of this observation."""
        reserve = params.reserve_quarters * obs.budget_per_turn_usd_m
        reading = shared if shared is not None and shared.reads(obs) else WorldReading.of(obs)
        views, chains = reading.views(obs.minerals)
        situation = cls(
            obs=obs,
            params=params,
            views=views,
            lines=reading.lines,
            controls=reading.controls,
            chains=chains,
            bans=reading.bans,
            budget_usd_m=max(obs.treasury_usd_m - reserve, 0.0),
            reading=reading,
        )
        situation.read_deals()
        situation.read_risks()
        return situation

    def read_deals(self) -> None:
        """Contracted tonnes per line, in and out, and the counterparties of pending proposals."""
        me = self.obs.country
        for deal in self.obs.deals:
            if deal["kind"] == "equity":
                continue
            line = (deal["mineral"], deal["stage"])
            if deal["buyer"] == me:
                self.bought[line] += deal["tonnes_per_turn"]
            else:
                self.sold[line] += deal["tonnes_per_turn"]
                self.sold_to[(line, deal["buyer"])] += deal["tonnes_per_turn"]
        for item in self.obs.outbox:
            offer = item["offer"]
            self.pending[(offer["mineral"], offer["stage"])].add(offer["counterparty"])

    def read_risks(self) -> None:
        """Manufacturers' supply risk on every line the country must import."""
        me, restricting = self.obs.country, defaultdict(set)
        for (country, mineral, stage), control in self.controls.items():
            if country != me and control.restricts(me):
                restricting[(mineral, stage)].add(country)
        trust, params = self.obs.trust, self.params
        for line, view in self.views.items():
            if view.imports + view.shortage > 1e-9:
                self.risks[line] = supply_risk(view, trust, restricting.get(line, NO_ONE), params)

    # --- questions doctrines ask --------------------------------------------------------

    def control_on(self, exporter: str, line: Line) -> ExportControl | None:
        """The exporter's control on a line, if any."""
        return self.controls.get((exporter, *line))

    def embargoes(self, seller: str, buyer: str, mineral: str) -> bool:
        """True if `seller` bans exports of any stage of `mineral` to `buyer`."""
        controls = self.bans.get((seller, mineral))
        return controls is not None and any(control.bans(buyer) for control in controls)

    def sellers(self, line: Line) -> list[str]:
        """The countries that export or produce on a line of the world picture, in code order."""
        if self.reading is not None:
            return self.reading.sellers_of(line)
        world = self.lines[line]
        return sorted({*world.exporters, *world.producers})

    def capacity_share(self, country: str, line: Line) -> float:
        """The country's share of world capacity on a line (from the world picture)."""
        world = self.lines.get(line)
        if world is None or world.world_capacity <= 0:
            return 0.0
        return world.producers.get(country, 0.0) / world.world_capacity

    def trust(self, country: str) -> float:
        """How far this country trusts another."""
        return self.obs.trust.get(country, 0.0)

    def is_adversary(self, country: str, line: Line) -> bool:
        """A supplier that restricts this line to us, or that we do not trust."""
        control = self.control_on(country, line)
        restricts = control is not None and control.restricts(self.obs.country)
        return restricts or self.trust(country) < self.params.adversary_trust

    def first_stage(self, mineral: str) -> str:
        """The first stage of a mineral's chain (its ore)."""
        stages = self.chains.get(mineral)
        return stages[0] if stages else "mine"

    def reference(self, line: Line) -> float:
        """The reference price of a line, USD/kg (0 if unknown)."""
        view = self.views.get(line)
        return view.reference_price_usd_per_kg if view else 0.0

    def price_of(self, country: str, line: Line) -> float:
        """A country's local price on a line, or the world price if it is not listed."""
        world, view = self.lines.get(line), self.views.get(line)
        fallback = view.world_price_usd_per_kg if view else 0.0
        return world.prices.get(country, fallback) if world else fallback

    def capex_usd_m(self, line: Line, tonnes_per_year: float) -> float:
        """The capital cost of new capacity on the observation's terms (what the engine charges)."""
        return capex_usd_m(tonnes_per_year, self.reference(line), self.obs.terms.capex_revenue_years)

    def spend(self, usd_m: float) -> bool:
        """Commit money from this turn's treasury if it is there; False if not."""
        if usd_m > self.budget_usd_m:
            return False
        self.budget_usd_m -= usd_m
        return True

    def exposure(self, line: Line) -> float:
        """Tonnes per turn to be found abroad on a line (0 if none)."""
        risk = self.risks.get(line)
        return risk.exposure if risk else 0.0

    def per_turn(self, tonnes_per_year: float) -> float:
        """Annual tonnes as tonnes per turn."""
        return tonnes_per_year / TURNS_PER_YEAR
