"""Building the WorldSnapshot (core/snapshot.py): the public picture of the whole world after a turn."""

from __future__ import annotations

import msgspec
import numpy as np

from critmin.core.snapshot import CountryFigures, Flow, WorldSnapshot
from critmin.core.vocabulary import TURNS_PER_YEAR
from critmin.engine.records import Recorder, off_diagonal
from critmin.engine.world import World

__all__ = ["CountryFigures", "Flow", "WorldSnapshot", "snapshot"]


def snapshot(world: World, recorder: Recorder, state_hash: str) -> WorldSnapshot:
    """The public picture of `world` now; `state_hash` is the hash of the turn played last ("": none)."""
    index, constants, state, scenario = world.index, world.constants, world.state, world.scenario
    chain_positions = list(zip(*np.nonzero(constants.chain), strict=True))
    return WorldSnapshot(
        scenario=scenario.id,
        turn=world.turn,
        date=world.date,
        countries=list(index.countries),
        country_names={c.iso3: c.name for c in scenario.spec.countries},
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
        figures=country_figures(world, recorder, chain_positions),
        flows=last_flows(world),
        policies=world.policies.records(),
        deals=world.deals.records()["deals"],
        events=[msgspec.to_builtins(e) for e in world.events if e.turn == world.turn - 1],
        state_hash=state_hash,
        totals=country_totals(world),
    )


def country_totals(world: World) -> dict[str, dict[str, float]]:
    """Per country with any: programme money so far, blocks awarded, recycled tonnes a year."""
    totals: dict[str, dict[str, float]] = {}
    for (country, programme), usd_m in sorted(world.programme_spend.items()):
        totals.setdefault(country, {})[f"{programme}_usd_m"] = usd_m
    for award in world.auctions.awards:
        row = totals.setdefault(award.block.country, {})
        row["blocks_awarded"] = row.get("blocks_awarded", 0.0) + 1.0
    recycled = world.last.recycled.sum(axis=(1, 2)) * TURNS_PER_YEAR
    for c in np.flatnonzero(recycled > 0):
        totals.setdefault(world.index.countries[c], {})["recycled_t_per_year"] = float(recycled[c])
    return totals


def country_figures(world: World, recorder: Recorder, chain_positions) -> list[CountryFigures]:
    """Figures of every country with any activity in a mineral stage (by country, then market)."""
    index, state, last = world.index, world.state, world.last
    stock = state.commercial_stock()
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
    share, supplier = recorder.last_embedded()
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


def last_flows(world: World) -> list[Flow]:
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
