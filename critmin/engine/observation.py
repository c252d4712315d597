"""Observation: what a controller sees of the world before deciding. Plain, JSON-ready data."""

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

    def view(self, mineral: str, stage: str) -> MineralView | None:
        """The view of one mineral at one stage, if the country deals in it."""
        return next((v for v in self.minerals if (v.mineral, v.stage) == (mineral, stage)), None)
