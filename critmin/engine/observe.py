"""Build a country's Observation from the model's public state.

What every country sees alike (world prices, the world's main producers and buyers, policies,
news, the diplomatic log) is computed once per turn and shared by all observations of that turn;
each country's own lines are then read in one vectorised pass.

Figures are those of the last turn played, read from the run's records, so that an observation
taken during the decide phase (after the turn's working figures were reset) shows the same as
one taken between turns.
"""

from __future__ import annotations

import weakref
from bisect import bisect_left
from dataclasses import dataclass
from typing import TYPE_CHECKING

import msgspec
import numpy as np

from critmin.engine.observation import MineralView, Observation, WorldLine

if TYPE_CHECKING:
    from critmin.engine.model import WorldModel

NEWS_TURNS = 2
DIPLOMACY_LOG_TURNS = 4
WORLD_LINE_COUNTRIES = 6
DIPLOMATIC_KINDS = frozenset(
    {
        "deal_proposed",
        "deal_signed",
        "deal_rejected",
        "deal_breached",
        "deal_expired",
        "control_imposed",
        "control_eased",
        "control_lifted",
        "tariff_set",
        "stake_acquired",
    }
)


@dataclass(frozen=True)
class LastTurn:
    """The figures of the last turn played, (C, M, S) unless noted."""

    production: np.ndarray
    consumption: np.ndarray
    demand: np.ndarray
    shortage: np.ndarray
    imports: np.ndarray
    exports: np.ndarray
    flows: np.ndarray  # (M, S, C, C)


@dataclass
class Shared:
    """The parts of this turn's observations that are the same for every country."""

    key: tuple
    last: LastTurn
    chain: tuple[np.ndarray, np.ndarray]
    world_price: np.ndarray
    policies: list[dict]
    news: list[dict]
    diplomacy: dict[str, list[dict]]
    world: list[WorldLine]
    firms: dict[str, list[dict]]


_shared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def observe(world: WorldModel, country: str) -> Observation:
    """What `country` sees at the start of the current turn."""
    c = world.index.country[country]
    shared = shared_view(world)
    return Observation(
        turn=world.turn,
        date=world.date,
        country=country,
        treasury_usd_m=float(world.state.treasury[c]),
        budget_per_turn_usd_m=float(world.constants.budget_per_turn[c]),
        minerals=mineral_views(world, c, shared),
        policies=list(shared.policies),
        deals=[dict(vars(d)) for d in world.deals.involving(country)],
        inbox=proposals(world, lambda offer: offer.counterparty == country),
        news=list(shared.news),
        trust=dict(zip(world.index.countries, world.state.trust[c].tolist(), strict=True)),
        outbox=proposals(world, lambda offer: offer.country == country),
        diplomacy=list(shared.diplomacy.get(country, ())),
        firms=list(shared.firms.get(country, ())),
        world=list(shared.world),
    )


def proposals(world: WorldModel, wanted) -> list[dict]:
    """Pending proposals whose offer satisfies `wanted`, as plain data, in id order."""
    return [
        {"id": p.id, "turn": p.turn, "offer": msgspec.to_builtins(p.action)}
        for _, p in sorted(world.deals.proposals.items())
        if wanted(p.action)
    ]


def shared_view(world: WorldModel) -> Shared:
    """The shared parts of this turn's observations, computed on the first of them."""
    key = (
        world.turn,
        len(world.events),
        len(world.policies.controls),
        len(world.policies.tariffs),
        world.deals.next_number,
        len(world.deals.deals),
        len(world.hashes),
    )
    cached = _shared.get(world)
    if cached is not None and cached.key == key:
        return cached
    chain = np.nonzero(world.constants.chain)
    last = last_turn(world)
    shared = Shared(
        key=key,
        last=last,
        chain=chain,
        world_price=np.median(world.state.price, axis=0),
        policies=world.policies.records(),
        news=[msgspec.to_builtins(e) for e in recent_events(world, NEWS_TURNS)],
        diplomacy=diplomatic_log(world),
        world=world_lines(world, last, chain),
        firms=firms_by_country(world),
    )
    _shared[world] = shared
    return shared


def last_turn(world: WorldModel) -> LastTurn:
    """The last turn's figures from the records (zeros before the first turn)."""
    recorder = world.recorder
    if recorder.countries:
        row = recorder.countries[-1]
        return LastTurn(
            row["production"],
            row["consumption"],
            row["demand"],
            row["shortage"],
            row["imports"],
            row["exports"],
            recorder.flows[-1],
        )
    last = world.last
    return LastTurn(
        last.production + last.recycled,
        last.consumption,
        last.demand,
        last.shortage,
        last.imports(),
        last.exports(),
        last.flows,
    )


def recent_events(world: WorldModel, turns: int) -> list:
    """Events of the last `turns` turns (events are kept in turn order)."""
    start = bisect_left(world.events, world.turn - turns, key=lambda e: e.turn)
    return world.events[start:]


def diplomatic_log(world: WorldModel) -> dict[str, list[dict]]:
    """Per country, the recent diplomatic events that concern it (oldest first).

    An event concerns a country when it acted, when it is named in the target (a control's
    destinations, a tariff's origins, a stake's host), when the target is a proposal or deal it
    is party to, or when a control or tariff names no one (it applies to all).
    """
    log: dict[str, list[dict]] = {}
    everyone = world.index.countries
    for event in recent_events(world, DIPLOMACY_LOG_TURNS):
        if event.kind not in DIPLOMATIC_KINDS:
            continue
        record = msgspec.to_builtins(event)
        for code in concerned(world, event, everyone):
            log.setdefault(code, []).append(record)
    return log


def concerned(world: WorldModel, event, everyone: tuple[str, ...]) -> set[str] | tuple[str, ...]:
    """The countries an event concerns."""
    if not event.target:
        universal = event.kind in ("control_imposed", "control_eased", "control_lifted", "tariff_set")
        return everyone if universal else (event.actor,)
    parties = world.deals.parties.get(event.target)
    if parties is not None:
        return {event.actor, *parties}
    return {event.actor, *event.target.split(",")}


def world_lines(world: WorldModel, last: LastTurn, chain: tuple[np.ndarray, np.ndarray]) -> list[WorldLine]:
    """The world's main producers, exporters and importers per line, with their prices."""
    state, index = world.state, world.index
    imports, exports = last.imports, last.exports
    lines = []
    for m, s in zip(*chain, strict=True):
        producers = largest(state.capacity[:, m, s], index.countries)
        exporters = largest(exports[:, m, s], index.countries)
        importers = largest(imports[:, m, s], index.countries)
        listed = {*producers, *exporters, *importers}
        lines.append(
            WorldLine(
                mineral=index.minerals[m],
                stage=index.stages[s],
                world_capacity=float(state.capacity[:, m, s].sum()),
                producers=producers,
                exporters=exporters,
                importers=importers,
                prices={code: float(state.price[index.country[code], m, s]) for code in sorted(listed)},
            )
        )
    return lines


def largest(values: np.ndarray, countries: tuple[str, ...]) -> dict[str, float]:
    """The WORLD_LINE_COUNTRIES largest positive values, by country, largest first."""
    order = np.argsort(-values, kind="stable")[:WORLD_LINE_COUNTRIES]
    return {countries[i]: float(values[i]) for i in order if values[i] > 1e-9}


def firms_by_country(world: WorldModel) -> dict[str, list[dict]]:
    """Each country's firms: id, name and kind (state firm or producer)."""
    firms: dict[str, list[dict]] = {}
    for firm in world.firms.values():
        firms.setdefault(firm.country, []).append({"id": firm.firm_id, "name": firm.name, "kind": firm.kind})
    return firms


def mineral_views(world: WorldModel, c: int, shared: Shared) -> list[MineralView]:
    """One view per mineral and stage of the chain, from last turn's figures."""
    state, last, index = world.state, shared.last, world.index
    m_at, s_at = shared.chain
    inflow = last.flows[m_at, s_at, :, c]  # (lines, origins)
    outflow = last.flows[m_at, s_at, c, :]
    at = (c, m_at, s_at)
    stock = state.producer_stock[at] + state.feed_stock[at] + state.consumer_stock[at]
    columns = (
        m_at,
        s_at,
        state.price[at],
        shared.world_price[m_at, s_at],
        world.constants.reference_price[m_at, s_at],
        state.capacity[at],
        last.production[at],
        last.consumption[at],
        last.demand[at],
        inflow.sum(axis=1) - inflow[:, c],
        outflow.sum(axis=1) - outflow[:, c],
        stock,
        state.stockpile[at],
        last.shortage[at],
    )
    origins = origin_maps(inflow, c, index.countries)
    views = []
    for k, row in enumerate(zip(*(column.tolist() for column in columns), strict=True)):
        (
            m,
            s,
            price,
            world_price,
            reference,
            capacity,
            production,
            consumption,
            demand,
            imported,
            exported,
            held,
            stockpile,
            shortage,
        ) = row
        views.append(
            MineralView(
                mineral=index.minerals[m],
                stage=index.stages[s],
                price_usd_per_kg=price,
                world_price_usd_per_kg=world_price,
                reference_price_usd_per_kg=reference,
                capacity=capacity,
                production=production,
                consumption=consumption,
                demand=demand,
                imports=imported,
                exports=exported,
                imports_by_origin=origins[k],
                stock=held,
                stockpile=stockpile,
                shortage=shortage,
            )
        )
    return views


def origin_maps(inflow: np.ndarray, c: int, countries: tuple[str, ...]) -> list[dict[str, float]]:
    """Per line, the tonnes received from each foreign origin."""
    maps: list[dict[str, float]] = [{} for _ in range(len(inflow))]
    lines, origins = np.nonzero(inflow > 1e-9)
    for k, i in zip(lines.tolist(), origins.tolist(), strict=True):
        if i != c:
            maps[k][countries[i]] = float(inflow[k, i])
    return maps
