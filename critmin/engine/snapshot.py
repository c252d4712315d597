"""Building the WorldSnapshot (core/snapshot.py): the public picture of the whole world after a turn."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec
import numpy as np

from critmin.core.snapshot import CountryFigures, Flow, WorldSnapshot
from critmin.engine.records import off_diagonal

if TYPE_CHECKING:
    from critmin.engine.model import WorldModel

__all__ = ["CountryFigures", "Flow", "WorldSnapshot", "snapshot"]


def snapshot(world: WorldModel) -> WorldSnapshot:
    """The public picture of `world` now."""
    index, constants, state = world.index, world.constants, world.state
    chain_positions = list(zip(*np.nonzero(constants.chain), strict=True))
    return WorldSnapshot(
        scenario=world.world_scenario.id,
        turn=world.turn,
        date=world.date,
        countries=list(index.countries),
        country_names={c.iso3: c.name for c in world.world_scenario.spec.countries},
        minerals=list(index.minerals),
        chains={
            index.minerals[m]: [index.stages[s] for s in np.flatnonzero(constants.chain[m])]
            for m in range(len(index.minerals))
        },
        reference_prices={
            index.minerals[m]: {
                index.stages[s]: float(constants.reference_price[m, s])
                for s in np.flatnonzero(constants.chain[m])
            }
            for m in range(len(index.minerals))
        },
        treasury_usd_m={code: float(state.treasury[c]) for c, code in enumerate(index.countries)},
        figures=country_figures(world, chain_positions),
        flows=last_flows(world),
        policies=world.policies.records(),
        deals=world.deals.records()["deals"],
        events=[msgspec.to_builtins(e) for e in world.events if e.turn == world.turn - 1],
        state_hash=current_hash(world),
    )


def current_hash(world: WorldModel) -> str:
    """The state hash after the last turn ("" if the world keeps no hashes)."""
    if world.hashes:
        return world.hashes[-1]
    return world.state_hash() if world.record_hashes else ""


def country_figures(world: WorldModel, chain_positions) -> list[CountryFigures]:
    """Figures of every country with any activity in a mineral stage (by country, then market)."""
    index, state, last = world.index, world.state, world.last
    stock = state.producer_stock + state.feed_stock + state.consumer_stock
    columns = {
        "price": state.price,
        "capacity": state.capacity,
        "production": last.production,
        "consumption": last.consumption,
        "demand": last.demand,
        "imports": last.imports(),
        "exports": last.exports(),
        "stock": stock,
        "stockpile": state.stockpile,
        "shortage": last.shortage,
    }
    activity = ("capacity", "production", "demand", "imports", "exports", "stock", "stockpile")
    m, s = (np.array(axis, dtype=int).reshape(-1) for axis in zip(*chain_positions, strict=True))
    active = np.any([columns[name][:, m, s] != 0 for name in activity], axis=0)
    share, supplier = world.recorder.last_embedded()
    columns["embedded_dependence"] = share
    c, k = np.nonzero(active)
    values = [columns[name][c, m[k], s[k]].tolist() for name in columns]
    countries, minerals, stages = index.countries, index.minerals, index.stages
    suppliers = [
        countries[x] if v > 0 else "" for x, v in zip(supplier[c, m[k], s[k]], values[-1], strict=True)
    ]
    return [
        CountryFigures(countries[ci], minerals[mi], stages[si], *row, embedded_supplier=who)
        for ci, mi, si, who, *row in zip(
            c.tolist(), m[k].tolist(), s[k].tolist(), suppliers, *values, strict=True
        )
    ]


def last_flows(world: WorldModel) -> list[Flow]:
    """International flows of the last turn, largest first."""
    flows = off_diagonal(world.last.flows)
    m, s, i, j = np.nonzero(flows > 1e-9)
    tonnes = flows[m, s, i, j]
    order = np.argsort(-tonnes, kind="stable")
    index = world.index
    return [
        Flow(index.minerals[mk], index.stages[sk], index.countries[ik], index.countries[jk], t)
        for mk, sk, ik, jk, t in zip(*(a[order].tolist() for a in (m, s, i, j, tonnes)), strict=True)
    ]
