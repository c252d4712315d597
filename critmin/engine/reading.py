"""The AI's reading of a turn (agents/reading.py), built from the observation book's arrays.

Every country gets a row: its figures, its foreign imports by origin, its trust, its
manufacturers' lobbying, its share of world capacity, the controls that restrict it, and its
own part of the observation (money, trust, deals, proposals, diplomatic log), read only when
a doctrine asks for that country. The numbers are those its Observation would carry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial

import numpy as np

from critmin.agents.reading import Lines, Own, Rows, TrustRow, WorldReading, public_part


class OwnParts(dict):
    """Each country's own part of its observation, made when first asked."""

    def __init__(self, make: Callable[[str], Own]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, country: str) -> Own:
        own = self[country] = self.make(country)
        return own


def ai_reading(book) -> WorldReading:
    """The turn's reading from an observation book (engine/observe.ObservationBook), a row per country."""
    view = book.view
    countries = view.names.countries
    public = public_part(book.lines_of_world, book.policies, dict(sorted(view.controls.items())))
    seen = Lines.of(book.lines)
    imports = replace(book.imports, restricted=np.zeros_like(book.imports.restricted))
    imports.restrict(book.route_controls.of(public["controls"], seen, countries, view.names.country))
    rows = Rows(
        at=view.names.country,
        countries=countries,
        figures=book.figures,
        imports=imports,
        trust=view.trust,
        lobbying=book.lobbying,
        capacity_share=book.capacity_share,
        treasury=view.treasury,
        budget_per_turn=view.budget_per_turn,
        committed=view.committed,
        own=OwnParts(partial(own_part, replace(book))),  # a copy without the reading: no cycle
    )
    return WorldReading(**public, seen=seen, rows=rows)


def own_part(book, country: str) -> Own:
    """A country's own part of the observation book: what its Observation carries besides figures."""
    view = book.view
    c = view.names.country[country]
    return Own(
        country=country,
        turn=view.turn,
        treasury_usd_m=float(view.treasury[c]),
        budget_per_turn_usd_m=float(view.budget_per_turn[c]),
        trust=TrustRow(view.names.country, view.trust[c]),
        deals=book.deals.get(country, []),
        inbox=book.inbox.get(country, []),
        offers=book.offers,
        outbox=book.outbox.get(country, []),
        agreements=book.agreements.get(country, []),
        agreement_inbox=book.agreement_inbox.get(country, []),
        diplomacy=book.diplomacy.get(country, []),
        firms=book.firms.get(country, []),
        policies=book.policies,
        terms=view.terms,
        committed_usd_m=tuple(view.committed[c].tolist()),
    )
