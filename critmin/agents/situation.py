"""A government's reading of its observation before it decides: lines, controls, deals, risks.

Read from its country's row of the turn's `WorldReading` (agents/reading.py): the engine's
arrays of every country's observation, or a reading of one Observation alone, with the same
numbers. A situation asks nothing of the engine, so that anything a doctrine concludes a person
or a bot could conclude from the same observation. Per-line figures and risks are read from the
row's arrays when a move asks for a line; moves that look at every line read the arrays whole.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from operator import attrgetter

import numpy as np

from critmin.agents.doctrine_params import DoctrineParams
from critmin.agents.manufacturers import Line, RiskBoard, SupplyRisk
from critmin.agents.reading import FIGURE, LineViews, Own, WorldReading
from critmin.agents.reserve import discretionary_usd_m, uncommitted_usd_m
from critmin.core.actions import ProposeDeal
from critmin.core.export_control import ExportControl
from critmin.core.observation import Observation, WorldLine
from critmin.core.units import capex_usd_m
from critmin.core.vocabulary import TURNS_PER_YEAR, Mineral, Stage

MINERAL_NAMED: dict[str, Mineral] = {mineral.value: mineral for mineral in Mineral}
STAGE_NAMED: dict[str, Stage] = {stage.value: stage for stage in Stage}
LINE_OF = attrgetter("mineral", "stage")  # a MineralView's or WorldLine's line

__all__ = ["MINERAL_NAMED", "STAGE_NAMED", "Risks", "Situation", "WorldReading", "offer_line"]


def offer_line(offer: ProposeDeal) -> Line:
    """The (mineral, stage) line of an offer, as plain strings."""
    return offer.mineral._value_, offer.stage._value_


class Risks(Mapping):
    """A country's supply risk on the lines it imports or went short on, read from its risk board."""

    def __init__(self, board: RiskBoard, row: int, reading: WorldReading) -> None:
        self.board, self.row, self.reading = board, row, reading
        self.active = board.active[row]
        self.read: dict[Line, SupplyRisk] = {}

    def __getitem__(self, line: Line) -> SupplyRisk:
        risk = self.get(line)
        if risk is None:
            raise KeyError(line)
        return risk

    def __contains__(self, line: object) -> bool:
        k = self.reading.seen.at.get(line)  # type: ignore[arg-type]
        return k is not None and bool(self.active[k])

    def get(self, line: Line, default=None):
        """The line's risk, or `default` where the country neither imports nor went short."""
        risk = self.read.get(line)
        if risk is None:
            k = self.reading.seen.at.get(line)
            if k is None or not self.active[k]:
                return default
            risk = self.read[line] = self.board.risk(self.row, k, line, self.reading.rows.countries)
        return risk

    def exposure_and_score(self, line: Line) -> tuple[float, float]:
        """The line's exposure and score, (0, 0) where it is not at risk, without making its record."""
        risk = self.read.get(line)
        if risk is not None:
            return risk.exposure, risk.score
        k = self.reading.seen.at.get(line)
        if k is None or not self.active[k]:
            return 0.0, 0.0
        return float(self.board.exposure[self.row, k]), float(self.board.score[self.row, k])

    def __iter__(self) -> Iterator[Line]:
        order = self.reading.seen.order
        return (order[k] for k in np.flatnonzero(self.active).tolist())

    def __len__(self) -> int:
        return int(self.active.sum())


@dataclass(slots=True)
class Situation:
    """What a government makes of its observation this turn."""

    obs: Own  # its own part of the observation: country, turn, money, trust, deals, proposals, ...
    params: DoctrineParams
    reading: WorldReading  # the turn's reading (shared by every country read from it)
    row: int  # the country's row in it
    views: LineViews  # its figures by line, read as asked
    risks: Risks
    figures: np.ndarray  # (L, LINE_FIGURES) its row of figures
    lines: Mapping[Line, WorldLine] = field(default_factory=dict)  # lines, controls, chains, bans: shared
    controls: dict[tuple[str, str, str], ExportControl] = field(default_factory=dict)
    bought: dict[Line, float] = field(default_factory=lambda: defaultdict(float))
    sold: dict[Line, float] = field(default_factory=lambda: defaultdict(float))
    sold_to: dict[tuple[Line, str], float] = field(default_factory=lambda: defaultdict(float))
    pending: dict[Line, set[str]] = field(default_factory=lambda: defaultdict(set))
    chains: dict[str, list[str]] = field(default_factory=dict)
    bans: dict[tuple[str, str], list[ExportControl]] = field(default_factory=dict)
    budget_usd_m: float = 0.0

    @classmethod
    def read(cls, obs: Observation, params: DoctrineParams, shared: WorldReading | None = None) -> Situation:
        """Read an observation, on the turn's `shared` reading if it is the reading of this observation."""
        reading = shared if shared is not None and shared.reads(obs) else WorldReading.of(obs)
        return cls.of_row(reading, obs.country, params)

    @classmethod
    def of_row(cls, reading: WorldReading, country: str, params: DoctrineParams) -> Situation:
        """The situation of a country from its row of a reading."""
        own, row = reading.rows.own[country], reading.rows.at[country]
        figures = reading.rows.figures[row]
        situation = cls(
            obs=own,
            params=params,
            reading=reading,
            row=row,
            views=LineViews(figures, reading.seen),
            risks=Risks(reading.risk_board(params.adversary_trust, params.risk), row, reading),
            figures=figures,
            lines=reading.lines,
            controls=reading.controls,
            chains=reading.seen.chains,
            bans=reading.bans,
            budget_usd_m=discretionary_usd_m(own, params, float(reading.once(uncommitted_usd_m)[row])),
        )
        situation.read_deals()
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

    # --- the row's arrays, for moves that look at every line --------------------------------

    def column(self, name: str) -> np.ndarray:
        """(L,) one figure of every line (a MineralView field name)."""
        return self.figures[:, FIGURE[name]]

    def rows_of(self, work, *args) -> np.ndarray:
        """The country's row of `work(reading, *args)`, worked out once for every country of the reading."""
        return self.reading.once(work, *args)[self.row]

    @property
    def line_order(self) -> list[Line]:
        """The lines of the row's arrays, in order."""
        return self.reading.seen.order

    @property
    def capacity_shares(self) -> np.ndarray:
        """(L,) the country's share of world capacity on each line (from the world picture)."""
        return self.reading.rows.capacity_share[self.row]

    def foreign_from(self, country: str) -> np.ndarray:
        """(L,) tonnes received last turn from a foreign origin, per line (0 if none or unknown)."""
        rows = self.reading.rows
        o = rows.countries.index(country) if country in rows.countries else -1
        return rows.imports.received(self.row, o, len(self.line_order))

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
        return self.reading.sellers_of(line)

    def capacity_share(self, country: str, line: Line) -> float:
        """The country's share of world capacity on a line (from the world picture).

        Its own share is read from its row (the same quotient), without making the world line.
        """
        k = self.reading.seen.at.get(line)
        if country == self.obs.country and k is not None:
            return float(self.reading.rows.capacity_share[self.row, k])
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
        k = self.reading.seen.at.get(line)
        at_risk = k is not None and self.risks.active[k]
        return float(self.risks.board.exposure[self.row, k]) if at_risk else 0.0

    def per_turn(self, tonnes_per_year: float) -> float:
        """Annual tonnes as tonnes per turn."""
        return tonnes_per_year / TURNS_PER_YEAR
