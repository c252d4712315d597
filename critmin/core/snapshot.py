"""WorldSnapshot: the public, JSON-ready picture of the whole world after a turn.

What front ends, the classroom server and research tools read instead of the model's arrays
(the engine builds it: engine/snapshot.py). Quantities are tonnes per turn, prices USD/kg,
money USD million.
"""

from __future__ import annotations

import msgspec


class Flow(msgspec.Struct, frozen=True):
    """Tonnes shipped last turn from exporter to importer (contracts and spot)."""

    mineral: str
    stage: str
    exporter: str
    importer: str
    tonnes: float


class CountryFigures(msgspec.Struct, frozen=True):
    """One country's position in one mineral at one stage, last turn (fields in this order)."""

    country: str
    mineral: str
    stage: str
    price: float
    capacity: float
    production: float
    consumption: float
    demand: float
    imports: float
    exports: float
    stock: float
    stockpile: float
    shortage: float
    embedded_dependence: float = 0.0  # share of supply through the largest foreign supplier, feed counted
    embedded_supplier: str = ""  # that supplier (engine/dependence.py)


class WorldSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    """The world after the last turn played."""

    scenario: str
    turn: int
    date: str
    countries: list[str]
    country_names: dict[str, str]
    minerals: list[str]
    chains: dict[str, list[str]]
    reference_prices: dict[str, dict[str, float]]
    treasury_usd_m: dict[str, float]
    figures: list[CountryFigures]
    flows: list[Flow]
    policies: list[dict]
    deals: list[dict]
    events: list[dict]
    state_hash: str
    # per country, running totals the debrief scores: USD m put into each programme so far
    # ("exploration", "recycling", "processing", "exploration_abroad", "cells"), "blocks_awarded"
    # (mineral blocks auctioned in it) and "recycled_t_per_year" (critical minerals recovered)
    totals: dict[str, dict[str, float]] = {}

    def figure(self, country: str, mineral: str, stage: str) -> CountryFigures | None:
        """One country's figures for a mineral at a stage."""
        return next(
            (f for f in self.figures if (f.country, f.mineral, f.stage) == (country, mineral, stage)), None
        )
