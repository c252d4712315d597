"""Observation: what a controller sees of the world before deciding. Plain, JSON-ready data.

People (through the UI or a network client), scripts, RL policies and the AI doctrines all
decide on this same record: their own lines in detail, the world's main producers, importers
and prices per line (public trade statistics), the policies in force, their deals, the
proposals waiting for their answer (`inbox`), the proposals they made that wait for an answer
(`outbox`), their trade agreements and the agreement proposals waiting for their answer, and a
log of the diplomatic events that concern them (`diplomacy`).
"""

from __future__ import annotations

import msgspec


class MineralView(msgspec.Struct, frozen=True, kw_only=True):
    """One mineral at one stage, seen from one country (tonnes per turn, USD/kg)."""

    mineral: str
    stage: str
    price_usd_per_kg: float
    world_price_usd_per_kg: float
    reference_price_usd_per_kg: float
    capacity: float
    production: float
    consumption: float
    demand: float
    imports: float
    exports: float
    imports_by_origin: dict[str, float]
    stock: float
    stockpile: float
    shortage: float
    embedded_dependence: float = 0.0  # share of supply through the largest foreign supplier, feed counted
    embedded_supplier: str = ""  # that supplier


LINE_FIGURES = (
    "price_usd_per_kg",
    "capacity",
    "production",
    "consumption",
    "demand",
    "stock",
    "stockpile",
    "shortage",
    "world_price_usd_per_kg",
    "reference_price_usd_per_kg",
    "imports",
    "exports",
)
"""The MineralView figures observations are read from, in the order of the arrays' last axis."""


class WorldLine(msgspec.Struct, frozen=True, kw_only=True):
    """One mineral at one stage worldwide: who can sell it, who buys it, at what local prices.

    Public information every country sees alike (the equivalent of trade statistics and
    industry capacity surveys). Tonnes per turn, USD/kg; only the largest countries are listed.
    """

    mineral: str
    stage: str
    world_capacity: float
    producers: dict[str, float]  # nameplate capacity of the largest producers
    exporters: dict[str, float]  # last turn's exports of the largest exporters
    importers: dict[str, float]  # last turn's imports of the largest importers
    prices: dict[str, float]  # local price in every country listed above


class Terms(msgspec.Struct, frozen=True, kw_only=True):
    """Standing terms of the world that every controller may know: what capacity and deals cost.

    The engine fills them from the scenario's `[market]` table; the defaults are that table's
    (tests/agents/test_valuation.py pins them together).
    """

    capex_revenue_years: float = 1.5  # capital cost of capacity, in years of revenue at reference prices
    partner_capex_share: float = 1.0  # share of a partnership's new capacity the partner finances
    joint_exploration_funding_share: float = (
        0.25  # a joint explorer's funding per turn, share of its entitlement
    )


class Observation(msgspec.Struct, frozen=True, kw_only=True):
    """Everything a country's controller may know at the start of a turn."""

    turn: int
    date: str
    country: str
    treasury_usd_m: float
    budget_per_turn_usd_m: float
    minerals: list[MineralView]
    policies: list[dict]
    deals: list[dict]
    inbox: list[dict]
    news: list[dict]
    trust: dict[str, float]
    outbox: list[dict] = []
    agreements: list[dict] = []  # trade agreements in force this country is a party to
    agreement_inbox: list[dict] = []  # agreement proposals awaiting its answer
    diplomacy: list[dict] = []
    firms: list[dict] = []
    world: list[WorldLine] = []
    lobbying: dict[str, float] = {}  # "mineral/stage" -> how hard short manufacturers lobby, 0..1
    terms: Terms = Terms()
    committed_usd_m: list[float] = []  # what its scenario schedules it to pay in each coming turn

    def view(self, mineral: str, stage: str) -> MineralView | None:
        """The view of one mineral at one stage, if the country deals in it."""
        return next((v for v in self.minerals if (v.mineral, v.stage) == (mineral, stage)), None)

    def line(self, mineral: str, stage: str) -> WorldLine | None:
        """The world's picture of one mineral at one stage."""
        return next((w for w in self.world if (w.mineral, w.stage) == (mineral, stage)), None)
