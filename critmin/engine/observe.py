"""Build a country's Observation from the model's public state."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec
import numpy as np

from critmin.engine.observation import MineralView, Observation

if TYPE_CHECKING:
    from critmin.engine.model import WorldModel

NEWS_TURNS = 2


def observe(world: WorldModel, country: str) -> Observation:
    """What `country` sees at the start of the current turn."""
    c = world.index.country[country]
    return Observation(
        turn=world.turn,
        date=world.date,
        country=country,
        treasury_usd_m=float(world.state.treasury[c]),
        budget_per_turn_usd_m=float(world.constants.budget_per_turn[c]),
        minerals=mineral_views(world, c),
        policies=world.policies.records(),
        deals=[d for d in world.deals.records()["deals"] if country in (d["seller"], d["buyer"])],
        inbox=[p for p in world.deals.records()["proposals"] if p["offer"]["counterparty"] == country],
        news=[msgspec.to_builtins(e) for e in world.events if e.turn >= world.turn - NEWS_TURNS],
        trust={code: float(world.state.trust[c, j]) for j, code in enumerate(world.index.countries)},
    )


def mineral_views(world: WorldModel, c: int) -> list[MineralView]:
    """One view per mineral and stage of the chain, from last turn's figures."""
    state, last, index = world.state, world.last, world.index
    imports, exports = last.imports(), last.exports()
    stock = state.producer_stock + state.feed_stock + state.consumer_stock
    world_price = np.median(state.price, axis=0)
    views = []
    for m, s in zip(*np.nonzero(world.constants.chain), strict=True):
        inflow = last.flows[m, s, :, c]
        views.append(MineralView(
            mineral=index.minerals[m], stage=index.stages[s],
            price_usd_per_kg=float(state.price[c, m, s]),
            world_price_usd_per_kg=float(world_price[m, s]),
            reference_price_usd_per_kg=float(world.constants.reference_price[m, s]),
            capacity=float(state.capacity[c, m, s]), production=float(last.production[c, m, s]),
            consumption=float(last.consumption[c, m, s]), demand=float(last.demand[c, m, s]),
            imports=float(imports[c, m, s]), exports=float(exports[c, m, s]),
            imports_by_origin={index.countries[i]: float(inflow[i]) for i in np.flatnonzero(inflow > 1e-9) if i != c},
            stock=float(stock[c, m, s]), stockpile=float(state.stockpile[c, m, s]),
            shortage=float(last.shortage[c, m, s]),
        ))  # fmt: skip
    return views
