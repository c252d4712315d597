"""Observations: what each country sees, picked from the turn's view (core/turn_view.py).

What every country sees alike (world prices, the world's main producers and buyers, policies,
news, the diplomatic log, each country's deals and proposals) is gathered once per view into an
`ObservationBook`, together with every country's own figures per line, read for all countries
in one vectorised pass; an observation then only picks its country's rows. The model keeps the
book of its current view (WorldModel.observation_book) and the event records it reads.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import msgspec
import numpy as np

from critmin.agents.reading import Imports, KeptRouteControls, Line, WorldReading
from critmin.core.actions import ProposeDeal
from critmin.core.observation import LINE_FIGURES, MineralView, Observation, WorldLine
from critmin.core.turn_view import Names, TurnView
from critmin.engine.largest import largest_columns, scatter_shares
from critmin.engine.line_columns import gather_lines, gather_rows
from critmin.engine.line_flows import LineFlows
from critmin.engine.reading import ai_reading
from critmin.engine.records import Sparse
from critmin.engine.world import World

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
        "agreement_proposed",
        "agreement_signed",
        "agreement_declined",
    }
)


@dataclass(frozen=True, eq=False)
class ObservationBook:
    """The observations of one view: what all countries see alike, and each one's own rows."""

    view: TurnView
    lines: list[tuple[str, str]]  # (mineral, stage) of every line of the chain
    figures: np.ndarray  # (C, lines, LINE_FIGURES) each country's own figures per line
    imports: Imports  # (country, line, origin) entries of the tonnes received from each foreign origin
    capacity_share: np.ndarray  # (C, lines) each country's listed share of world capacity
    lobbying: np.ndarray  # (C, lines) how hard each country's manufacturers lobbied
    policies: list[dict]
    news: list[dict]
    diplomacy: dict[str, list[dict]]
    lines_of_world: WorldLines  # the world lines by (mineral, stage), each made when first read
    firms: dict[str, list[dict]]
    deals: dict[str, list[dict]]
    inbox: dict[str, list[dict]]
    offers: dict[str, ProposeDeal]  # the offer of each inbox record, by proposal id, as the engine holds it
    outbox: dict[str, list[dict]]
    agreements: dict[str, list[dict]]  # each country's agreements in force
    agreement_inbox: dict[str, list[dict]]  # agreement proposals awaiting each country's answer
    embedded: np.ndarray  # (C, lines) embedded dependence on the largest foreign supplier
    embedded_supplier: np.ndarray  # (C, lines) that supplier's position
    route_controls: KeptRouteControls  # the controls on the routes, kept from the last reading's

    @cached_property
    def reading(self) -> WorldReading:
        """The AI's reading of the book, a row per country (agents/reading.py), made when first asked."""
        return ai_reading(self)

    @cached_property
    def world(self) -> list[WorldLine]:
        """Every world line in chain order, for observations (the objects the reading's lines hold)."""
        return list(self.lines_of_world.values())

    @cached_property
    def origins(self) -> ImportOrigins:
        """Every country's foreign imports as lists, for its observation's `imports_by_origin`."""
        return ImportOrigins.of(self.imports, len(self.figures))


@dataclass(frozen=True)
class ImportOrigins:
    """Every country's foreign imports per line and origin, flattened by country (C order)."""

    starts: list[int]  # country c's entries are [starts[c], starts[c + 1])
    lines: list[int]
    origins: list[int]
    tonnes: list[float]

    @classmethod
    def of(cls, imports: Imports, countries: int) -> ImportOrigins:
        """From the entries of what every country received from abroad, in (country, line, origin) order."""
        starts = np.searchsorted(imports.row, np.arange(countries + 1))
        return cls(starts.tolist(), imports.line.tolist(), imports.origin.tolist(), imports.tonnes.tolist())

    def maps(self, c: int, line_count: int, countries: tuple[str, ...]) -> list[dict[str, float]]:
        """Per line, the tonnes country `c` received from each foreign origin."""
        maps: list[dict[str, float]] = [{} for _ in range(line_count)]
        start, end = self.starts[c], self.starts[c + 1]
        entries = zip(self.lines[start:end], self.origins[start:end], self.tonnes[start:end], strict=True)
        for k, i, tonnes in entries:
            maps[k][countries[i]] = tonnes
        return maps


@dataclass
class EventRecords:
    """Recent events as plain data, with the countries each diplomatic event concerns, worked out once.

    The model's event log only grows, and the proposals and deals an event names are registered
    before the event is emitted, so neither changes once read. Events that fall out of the
    observed window are forgotten.
    """

    events: list
    first: int = 0  # index in `events` of the first record kept
    records: list[dict] = field(default_factory=list)
    concerned: list[tuple[str, ...]] = field(default_factory=list)  # () for non-diplomatic events

    def window(self, world: World, start: int) -> None:
        """Keep the events from index `start` on (it only moves forward), reading the new ones."""
        read = self.first + len(self.records)
        if start > self.first:
            del self.records[: start - self.first]
            del self.concerned[: start - self.first]
            self.first = start
        everyone = world.index.countries
        new = self.events[max(read, start) :]
        self.records += msgspec.to_builtins(new)
        for event in new:
            diplomatic = event.kind in DIPLOMATIC_KINDS
            self.concerned.append(tuple(concerned(world, event, everyone)) if diplomatic else ())

    def follows(self, events: list, start: int) -> bool:
        """True if these records read `events` as it is, and the window has not moved back."""
        return self.events is events and self.first <= start and self.first + len(self.records) <= len(events)

    def since(self, start: int) -> list[dict]:
        """The records of the events from index `start` on."""
        return self.records[start - self.first :]


def observe(book: ObservationBook, country: str) -> Observation:
    """What `country` sees at the start of the current turn."""
    view = book.view
    c = view.names.country[country]
    return Observation(
        turn=view.turn,
        date=view.date,
        country=country,
        treasury_usd_m=float(view.treasury[c]),
        budget_per_turn_usd_m=float(view.budget_per_turn[c]),
        minerals=mineral_views(book, c),
        policies=list(book.policies),
        deals=list(book.deals.get(country, ())),
        inbox=list(book.inbox.get(country, ())),
        news=list(book.news),
        trust=dict(zip(view.names.countries, view.trust[c].tolist(), strict=True)),
        outbox=list(book.outbox.get(country, ())),
        agreements=list(book.agreements.get(country, ())),
        agreement_inbox=list(book.agreement_inbox.get(country, ())),
        diplomacy=list(book.diplomacy.get(country, ())),
        firms=list(book.firms.get(country, ())),
        world=list(book.world),
        lobbying=lobbying(view, c),
        terms=view.terms,
        committed_usd_m=view.committed[c].tolist(),
    )


def lobbying(view: TurnView, c: int) -> dict[str, float]:
    """Last turn's lobbying of the country's manufacturers by "mineral/stage" (manufacturer_doctrine)."""
    levels, names = view.lobbying[c], view.names
    return {
        f"{names.minerals[m]}/{names.stages[s]}": float(levels[m, s])
        for m, s in zip(*np.nonzero(levels), strict=True)
    }


def observation_book(
    world: World, view: TurnView, events: EventRecords, flows: Sparse, routes: KeptRouteControls | None = None
) -> ObservationBook:
    """The observations of `view`: what everyone sees alike, and every country's own figures.

    `events` are the model's event records, brought up to date (`read_events`); `flows` are the
    view's last flows as their non-zero entries; `routes` the model's kept route controls.
    """
    m_at, s_at = np.nonzero(view.chain)
    line_flows = LineFlows.of(flows, view.chain)
    names = view.names
    lines = [(names.minerals[m], names.stages[s]) for m, s in zip(m_at.tolist(), s_at.tolist(), strict=True)]
    public_lines, producers = world_lines(view, (m_at, s_at), lines)
    return ObservationBook(
        view=view,
        lines=lines,
        figures=line_figures(view, (m_at, s_at), line_flows),
        imports=line_flows.foreign_imports(),
        capacity_share=producers,
        lobbying=view.lobbying[:, m_at, s_at],
        policies=world.policies.records(),
        news=events.since(recent_start(world, NEWS_TURNS)),
        diplomacy=diplomatic_log(world, events),
        lines_of_world=public_lines,
        firms=firms_by_country(view),
        deals=deals_by_country(world),
        **pending_proposals(world),
        **agreements_by_country(world),
        embedded=view.last.embedded[:, m_at, s_at],
        embedded_supplier=view.last.embedded_supplier[:, m_at, s_at],
        route_controls=routes if routes is not None else KeptRouteControls(),
    )


def line_figures(view: TurnView, chain: tuple[np.ndarray, np.ndarray], flows: LineFlows) -> np.ndarray:
    """(C, lines, LINE_FIGURES): every country's own figures on every line of the chain.

    Imports and exports are the sums of each country's row of the dense flows (engine/line_flows.py).
    """
    last = view.last
    figures = np.empty((len(view.names.countries), len(chain[0]), len(LINE_FIGURES)))
    own = (view.price, view.capacity, last.production, last.consumption, last.demand, view.stock)
    gather_lines(figures, *chain, *own, view.stockpile, last.shortage)
    figures[:, :, 8] = column_median(figures[:, :, 0])  # the world price: the median local price
    figures[:, :, 9] = view.reference_price[chain]
    figures[:, :, 10] = flows.imports()
    figures[:, :, 11] = flows.exports()
    return figures


def read_events(records: EventRecords | None, world: World) -> EventRecords:
    """The events of the observed window as plain data, brought up to date (new records if need be)."""
    start = recent_start(world, max(NEWS_TURNS, DIPLOMACY_LOG_TURNS))
    if records is None or not records.follows(world.events, start):
        records = EventRecords(world.events)
    records.window(world, start)
    return records


def column_median(values: np.ndarray) -> np.ndarray:
    """np.median(values, axis=0) of finite values (the middle one, or the mean of the middle pair)."""
    ranked = np.sort(values, axis=0)
    middle = len(values) // 2
    return ranked[middle] if len(values) % 2 else (ranked[middle - 1] + ranked[middle]) / 2


def recent_start(world: World, turns: int) -> int:
    """Index of the first event of the last `turns` turns (events are kept in turn order)."""
    return bisect_left(world.events, world.turn - turns, key=lambda e: e.turn)


def diplomatic_log(world: World, events: EventRecords) -> dict[str, list[dict]]:
    """Per country, the recent diplomatic events that concern it (oldest first).

    An event concerns a country when it acted, when it is named in the target (a control's
    destinations, a tariff's origins, a stake's host), when the target is a proposal or deal it
    is party to, or when a control or tariff names no one (it applies to all).
    """
    log: dict[str, list[dict]] = defaultdict(list)
    start = recent_start(world, DIPLOMACY_LOG_TURNS) - events.first
    for record, countries in zip(events.records[start:], events.concerned[start:], strict=True):
        for code in countries:
            log[code].append(record)
    return log


def concerned(world: World, event, everyone: tuple[str, ...]) -> set[str] | tuple[str, ...]:
    """The countries an event concerns."""
    if not event.target:
        universal = event.kind in ("control_imposed", "control_eased", "control_lifted", "tariff_set")
        return everyone if universal else (event.actor,)
    parties = world.deals.parties.get(event.target)
    if parties is not None:
        return {event.actor, *parties}
    return {event.actor, *event.target.split(",")}


def world_lines(
    view: TurnView, chain: tuple[np.ndarray, np.ndarray], lines: list[Line]
) -> tuple[WorldLines, np.ndarray]:
    """The world's main producers, exporters and importers per line, with their prices.

    Also (C, lines) each country's share of world capacity as the lines show it: its listed
    capacity over the world's (0 where it is not listed).
    """
    last = view.last
    # (capacity, exports, imports) x lines x C, rows contiguous: a row sums as one line's column does
    figures = np.empty((3, len(chain[0]), len(view.names.countries)))
    gather_rows(figures, *chain, view.capacity, last.exports, last.imports)
    top = Largest.of(figures)
    capacity = figures[0].sum(axis=1)
    prices = view.price[:, chain[0], chain[1]].T  # (lines, C) local prices
    return WorldLines(lines, top, capacity.tolist(), prices, view.names), top.shares(0, capacity)


class WorldLines(Mapping):
    """The world lines of a view by (mineral, stage), each made when first read.

    A turn's doctrines read a third of the lines or fewer. The largest countries of every line
    are ranked at once (`Largest`); a line's listings are made from its ranks when it is read.
    """

    def __init__(
        self, lines: list[Line], top: Largest, capacity: list[float], prices: np.ndarray, names: Names
    ) -> None:
        self.at = {line: k for k, line in enumerate(lines)}
        # per figure: every line's countries and values, largest first, line after line in one flat
        # list (`width` a line: a few lists a turn, not one per line), and how many are listed
        figures, self.width = len(top.columns), top.columns.shape[-1]
        counts = top.positive.sum(axis=-1).tolist()
        listed = np.array(names.countries, dtype=object)[top.columns.reshape(figures, -1)].tolist()
        self.ranked = list(zip(listed, top.values.reshape(figures, -1).tolist(), counts, strict=True))
        self.capacity, self.prices, self.names = capacity, prices, names
        self.made: dict[Line, WorldLine] = {}

    def __getitem__(self, line: Line) -> WorldLine:
        made = self.made.get(line)
        if made is None:
            made = self.made[line] = self.make(line, self.at[line])
        return made

    def get(self, line: Line, default=None):
        """The line, or `default` if the world has no such line."""
        made = self.made.get(line)
        if made is None:
            k = self.at.get(line)
            if k is None:
                return default
            made = self.made[line] = self.make(line, k)
        return made

    def __contains__(self, line: object) -> bool:
        return line in self.at

    def __iter__(self) -> Iterator[Line]:
        return iter(self.at)

    def __len__(self) -> int:
        return len(self.at)

    def make(self, line: Line, k: int) -> WorldLine:
        """Line `k`: its listed producers, exporters and importers, and their local prices in code order."""
        start = k * self.width
        producers, exporters, importers = (
            dict(zip(listed[start : start + counts[k]], values[start : start + counts[k]], strict=True))
            for listed, values, counts in self.ranked
        )
        price, at = self.prices[k].tolist(), self.names.country
        return WorldLine(
            mineral=line[0],
            stage=line[1],
            world_capacity=self.capacity[k],
            producers=producers,
            exporters=exporters,
            importers=importers,
            prices={code: price[at[code]] for code in sorted({*producers, *exporters, *importers})},
        )


@dataclass(frozen=True)
class Largest:
    """The WORLD_LINE_COUNTRIES largest positive values of each row of (figures, lines, C) values."""

    columns: np.ndarray  # (figures, lines, WORLD_LINE_COUNTRIES): the country of each, largest first
    values: np.ndarray
    positive: np.ndarray  # sorted largest first: a row's positive values lead it
    countries: int  # C

    @classmethod
    def of(cls, values: np.ndarray) -> Largest:
        """The largest values of every row, in a stable descending sort's order (engine/largest.py)."""
        columns, top = largest_columns(values.reshape(-1, values.shape[-1]), WORLD_LINE_COUNTRIES)
        shape = (*values.shape[:-1], columns.shape[1])
        columns, top = columns.reshape(shape), top.reshape(shape)
        return cls(columns, top, top > 1e-9, values.shape[-1])

    def shares(self, figure: int, totals: np.ndarray) -> np.ndarray:
        """(C, lines) each listed value of a figure over its line's total (0 unlisted, or no total)."""
        shares = np.zeros((self.countries, self.positive.shape[1]))
        scatter_shares(self.columns[figure], self.values[figure], self.positive[figure], totals, shares)
        return shares


def firms_by_country(view: TurnView) -> dict[str, list[dict]]:
    """Each country's firms: id, name, kind (state firm or producer), mandate and budget left."""
    firms: dict[str, list[dict]] = {}
    arrays = view.firms
    for f, firm_id in enumerate(arrays.ids):
        firms.setdefault(arrays.countries[f], []).append(
            {
                "id": firm_id,
                "name": arrays.names[f],
                "kind": arrays.kinds[f],
                "mandate": arrays.mandates[f],
                "cash_usd_m": float(arrays.cash[f]),
            }
        )
    return firms


def deals_by_country(world: World) -> dict[str, list[dict]]:
    """Each country's deals in force as plain data, in id order.

    Read from the book's kept id order (no sort), into a plain dict (no default factory to call).
    """
    deals: dict[str, list[dict]] = {}
    for deal in world.deals.in_id_order():
        record = deal.__dict__.copy()
        for party in (deal.seller,) if deal.buyer == deal.seller else (deal.seller, deal.buyer):
            held = deals.get(party)
            if held is None:
                deals[party] = [record]
            else:
                held.append(record)
    return deals


def pending_proposals(world: World) -> dict[str, dict]:
    """Pending proposals as plain data, in id order: each country's inbox (to answer) and outbox (made).

    Also the offers of the inbox records as the engine holds them (`offers`, by proposal id).
    """
    inbox: dict[str, list[dict]] = defaultdict(list)
    outbox: dict[str, list[dict]] = defaultdict(list)
    held: dict[str, ProposeDeal] = {}
    proposals = [proposal for _, proposal in sorted(world.deals.proposals.items())]
    offers = msgspec.to_builtins([proposal.action for proposal in proposals])
    for proposal, offer in zip(proposals, offers, strict=True):
        record = {"id": proposal.id, "turn": proposal.turn, "offer": offer}
        if not proposal.action.with_firm:  # an offer to a firm is the firm's to answer
            inbox[proposal.action.counterparty].append(record)
            held[proposal.id] = proposal.action
        outbox[proposal.action.country].append(record)
    return {"inbox": inbox, "offers": held, "outbox": outbox}


def agreements_by_country(world: World) -> dict[str, dict[str, list[dict]]]:
    """Each country's trade agreements in force, and the agreement proposals awaiting its answer."""
    records = world.agreements.records()
    in_force: dict[str, list[dict]] = defaultdict(list)
    for agreement in records["agreements"]:
        if agreement["start_turn"] <= world.turn < agreement["end_turn"]:
            for party in agreement["parties"]:
                in_force[party].append(agreement)
    pending: dict[str, list[dict]] = defaultdict(list)
    for proposal in records["proposals"]:
        pending[proposal["offer"]["counterparty"]].append(proposal)
    return {"agreements": in_force, "agreement_inbox": pending}


def mineral_views(book: ObservationBook, c: int) -> list[MineralView]:
    """One view per mineral and stage of the chain, from last turn's figures."""
    countries = book.view.names.countries
    origins = book.origins.maps(c, len(book.lines), countries)
    views = []
    embedded = zip(book.embedded[c].tolist(), book.embedded_supplier[c].tolist(), strict=True)
    rows = zip(book.lines, book.figures[c].tolist(), origins, embedded, strict=True)
    for (mineral, stage), row, origin, (embedded_share, supplier) in rows:
        (
            price,
            capacity,
            production,
            consumption,
            demand,
            stock,
            stockpile,
            shortage,
            world_price,
            reference,
            imported,
            exported,
        ) = row
        views.append(
            MineralView(
                mineral=mineral,
                stage=stage,
                price_usd_per_kg=price,
                world_price_usd_per_kg=world_price,
                reference_price_usd_per_kg=reference,
                capacity=capacity,
                production=production,
                consumption=consumption,
                demand=demand,
                imports=imported,
                exports=exported,
                imports_by_origin=origin,
                stock=stock,
                stockpile=stockpile,
                shortage=shortage,
                embedded_dependence=embedded_share,
                embedded_supplier=countries[supplier] if embedded_share > 0 else "",
            )
        )
    return views
