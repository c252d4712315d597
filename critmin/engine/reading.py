"""The AI's reading of a turn (agents/reading.py), built from the observation book's arrays.

Every country gets a row: its figures, its foreign imports by origin, its trust, its
manufacturers' lobbying, its share of world capacity, the controls that restrict it, and its
own part of the observation (money, trust, deals, proposals, diplomatic log), read only when
a doctrine asks for that country. The numbers are those its Observation would carry.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from critmin.agents.reading import Imports, Lines, Own, Rows, WorldReading, public_part


class OwnParts(dict):
    """Each country's own part of its observation, made when first asked."""

    def __init__(self, make: Callable[[str], Own]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, country: str) -> Own:
        own = self[country] = self.make(country)
        return own


def ai_reading(
    parts: dict, foreign: np.ndarray, imports: Imports, capacity_share: np.ndarray, lobbying: np.ndarray
) -> WorldReading:
    """The turn's reading from the observation book's parts (engine/observe.py), a row per country.

    `foreign` (C, lines, C) is what each country received from each foreign origin (`imports`
    its entries), `capacity_share` (C, lines) each country's listed share of world capacity,
    `lobbying` (C, lines) its manufacturers' lobbying.
    """
    view = parts["view"]
    countries = view.names.countries
    public = public_part(parts["world"], parts["policies"])
    seen = Lines.of(parts["lines"])
    imports.restrict(public["controls"], seen, list(countries), view.names.country)
    rows = Rows(
        at=view.names.country,
        countries=countries,
        figures=parts["figures"],
        foreign=foreign,
        imports=imports,
        trust=view.trust,
        lobbying=lobbying,
        capacity_share=capacity_share,
        own=OwnParts(lambda country: own_part(parts, country)),
    )
    return WorldReading(**public, seen=seen, rows=rows)


def own_part(parts: dict, country: str) -> Own:
    """A country's own part of the observation book: what its Observation carries besides figures."""
    view = parts["view"]
    c = view.names.country[country]
    return Own(
        country=country,
        turn=view.turn,
        treasury_usd_m=float(view.treasury[c]),
        budget_per_turn_usd_m=float(view.budget_per_turn[c]),
        trust=dict(zip(view.names.countries, view.trust[c].tolist(), strict=True)),
        deals=parts["deals"].get(country, []),
        inbox=parts["inbox"].get(country, []),
        outbox=parts["outbox"].get(country, []),
        diplomacy=parts["diplomacy"].get(country, []),
        firms=parts["firms"].get(country, []),
        policies=parts["policies"],
        terms=view.terms,
    )
