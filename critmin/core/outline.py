"""WorldOutline: what a front end needs to know of a scenario, beside each turn's snapshot.

Its title, start and length; its countries with their place on the map, budget and who plays
them; its minerals' names; each country's needs, capacity and stocks at the start per line; the
scripted timeline (left out where players must not read ahead, as in a classroom); and its firms
with their mandate, budget and assets. Plain, JSON-ready data: a local world builds it from the
scenario (scenarios/outline.py), a classroom server sends it with its Welcome.
"""

from __future__ import annotations

import msgspec


class OutlineCountry(msgspec.Struct, frozen=True, kw_only=True):
    """A country: its place on the map, its budget, and who plays it ('ai' follows its doctrine)."""

    iso3: str
    name: str
    lat: float
    lon: float
    controller: str = "default"
    doctrine: str = "passive"
    budget_usd_m: float = 0.0
    blocs: list[str] = []


class LineAmount(msgspec.Struct, frozen=True, array_like=True):
    """A country's quantity on one line, sent as [country, mineral, stage, tonnes]."""

    country: str
    mineral: str
    stage: str
    tonnes: float


class OutlineMineral(msgspec.Struct, frozen=True, kw_only=True):
    """A mineral's id and its name for people."""

    id: str
    name: str


class ScriptedEvent(msgspec.Struct, frozen=True, kw_only=True):
    """An event of the scenario's script: its turn, kind, country and title."""

    turn: int
    kind: str
    country: str
    title: str


class FirmAsset(msgspec.Struct, frozen=True, kw_only=True):
    """A firm's share of a line at the start; `ships_home` when its share of output goes home."""

    country: str
    mineral: str
    stage: str
    share: float
    ships_home: bool = True


class OutlineFirm(msgspec.Struct, frozen=True, kw_only=True):
    """A state firm or producer: its home, mandate, starting budget and assets."""

    id: str
    name: str
    country: str
    kind: str
    mandate: str
    budget_usd_m: float
    assets: list[FirmAsset] = []


class WorldOutline(msgspec.Struct, frozen=True, kw_only=True):
    """A scenario as front ends read it (quantities: t/yr for demand and capacity, tonnes for stocks)."""

    id: str
    title: str
    start: str
    turns: int
    countries: list[OutlineCountry]
    description: str = ""
    minerals: list[OutlineMineral] = []
    demand: list[LineAmount] = []  # per country and line, summed over sectors
    capacity: list[LineAmount] = []  # at the line's utilisation
    stocks: list[LineAmount] = []
    events: list[ScriptedEvent] = []
    firms: list[OutlineFirm] = []

    def country(self, iso3: str) -> OutlineCountry | None:
        """A country by its code."""
        return next((c for c in self.countries if c.iso3 == iso3), None)

    def firm(self, firm_id: str) -> OutlineFirm | None:
        """A firm by its id."""
        return next((f for f in self.firms if f.id == firm_id), None)

    def mineral_names(self) -> dict[str, str]:
        """Mineral names by id."""
        return {m.id: m.name for m in self.minerals}

    def seats(self) -> list[str]:
        """Who can be played: the countries' codes, then the firms' ids."""
        return [c.iso3 for c in self.countries] + [f.id for f in self.firms]
