"""The turn views controllers read (core/turn_view.py), built from the World once per turn.

The arrays are copied, so a view shows the world as it was when built whatever the turn does
next. Last turn's figures come from the run's records, so a view built during the decide phase
(after the turn's working figures were reset) shows the same as one built between turns.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from critmin.agents.manufacturer_doctrine import stage_max
from critmin.agents.reading import KeptRouteControls, WorldReading, restricted_among
from critmin.core.actions import ProposeDeal
from critmin.core.observation import Observation, Terms
from critmin.core.turn_view import BlockOnOffer, FirmArrays, LastTurn, MakersView, Names, TurnView
from critmin.core.vocabulary import SECTORS
from critmin.engine import auctions
from critmin.engine.commitments import committed_outlays
from critmin.engine.deals import DealBook
from critmin.engine.firm_figures import firm_figures
from critmin.engine.observe import EventRecords, ObservationBook, observation_book, read_events
from critmin.engine.records import Recorder, Sparse
from critmin.engine.state import Index
from critmin.engine.world import World

CONTRACTED = ("contracted", "contracted_in")
LAST_TURN_FIGURES = ("production", "consumption", "demand", "shortage", "imports", "exports")


class TurnViews:
    """A model's views of its world, each built again once the world has changed (its `version`).

    The turn view, the book observations are picked from, the event records they read and the
    controls on the readings' routes.
    """

    def __init__(self, world: World, recorder: Recorder) -> None:
        self.world, self.recorder = world, recorder
        self.view: TurnView | None = None
        self.book: ObservationBook | None = None
        self.events: EventRecords | None = None
        self.routes = KeptRouteControls()  # the controls on the readings' routes, while they stand

    def turn_view(self) -> TurnView:
        """The world as controllers see it now."""
        if self.view is None or self.view.version != self.world.version:
            self.view = build(self.world, self.recorder)
        return self.view

    def observation_book(self) -> ObservationBook:
        """What every country's observation is picked from, for the current view."""
        view = self.turn_view()
        if self.book is None or self.book.view is not view:
            self.events = read_events(self.events, self.world)
            self.book = observation_book(self.world, view, self.events, self.last_flows(view), self.routes)
        return self.book

    def last_flows(self, view: TurnView) -> Sparse:
        """The view's last flows as their non-zero entries: the records' own when it shows the records."""
        latest = self.recorder.latest
        if latest is not None and latest[1] is view.last.flows:
            return self.recorder.flow_rows[-1]
        return Sparse.of(view.last.flows)

    def shared_reading(self, observation: Observation) -> WorldReading | None:
        """The reading of what every country sees alike, if `observation` was picked from the book."""
        book = self.book
        return book.reading if book is not None and book.reading.reads(observation) else None


def build(world: World, recorder: Recorder) -> TurnView:
    """The view of the world now."""
    state, constants = world.state, world.constants
    return TurnView(
        turn=world.turn,
        date=world.date,
        version=world.version,
        names=names(world),
        chain=constants.chain,
        reference_price=constants.reference_price,
        terms=terms(world.settings),
        price=state.price.copy(),
        long_run_price=state.long_run_price.copy(),
        capacity=state.capacity.copy(),
        utilisation=state.utilisation.copy(),
        stock=state.commercial_stock(),
        stockpile=state.stockpile.copy(),
        final_demand=state.final_demand.copy(),
        treasury=state.treasury.copy(),
        budget_per_turn=constants.budget_per_turn,
        committed=committed_outlays(world),
        trust=state.trust.copy(),
        lobbying=world.lobbying.copy(),
        controls=dict(world.policies.controls),
        last=last_turn(world, recorder),
        firms=firm_arrays(world) if world.firms else no_firms(world),
        blocks=blocks_on_offer(world),
        firm_offers=firm_offers(world),
    )


def blocks_on_offer(world: World) -> tuple[BlockOnOffer, ...]:
    """The mineral blocks on offer at auction, with what a bidder must hold to qualify."""
    return tuple(
        BlockOnOffer(
            id=block.id,
            country=block.country,
            mineral=block.mineral,
            contained_tonnes=block.contained_tonnes,
            tonnes_per_year=auctions.output_tonnes_per_year(world, block),
            licence=block.licence,
            entry_usd_m=auctions.entry_cost_usd_m(world, block),
        )
        for _, block in sorted(world.auctions.open.items())
    )


def firm_offers(world: World) -> dict[str, tuple[tuple[str, ProposeDeal], ...]]:
    """Each firm's inbox: the pending offers addressed to it, (proposal id, offer), in id order."""
    offers: dict[str, list[tuple[str, ProposeDeal]]] = {}
    for proposal_id, proposal in sorted(world.deals.proposals.items()):
        if proposal.action.with_firm:
            offers.setdefault(proposal.action.with_firm, []).append((proposal_id, proposal.action))
    return {firm: tuple(items) for firm, items in offers.items()}


def terms(settings) -> Terms:
    """The standing terms of the world, from the scenario's `[market]` settings."""
    return Terms(**{name: getattr(settings, name) for name in Terms.__struct_fields__})


def names(world: World) -> Names:
    """The names along the World's axes."""
    index = world.index
    return Names(index.countries, index.minerals, index.stages, index.country, index.mineral, index.stage)


def last_turn(world: World, recorder: Recorder) -> LastTurn:
    """The last turn's figures from the records (the working figures before the first turn)."""
    share, supplier = recorder.last_embedded()
    if recorder.countries:
        row = recorder.countries[-1]
        figures = [
            row[name] for name in ("production", "consumption", "demand", "shortage", "imports", "exports")
        ]
        return LastTurn(*figures, recorder.flows[-1], share, supplier)
    last = world.last
    return LastTurn(
        last.production + last.recycled,
        last.consumption,
        last.demand,
        last.shortage,
        last.imports(),
        last.exports(),
        last.flows,
        share,
        supplier,
    )


def firm_arrays(world: World) -> FirmArrays:
    """The firms, and what each reads alike: import shares, need, margins, free shares, restrictions."""
    state, firms = world.state, list(world.firms.values())
    recent_exports, domestic = world.recent_supply  # over routes (exports.RouteExports) and (C, M, S)
    figures = firm_figures(state, world.constants, recent_exports.imports(), domestic)
    margin, margin_share, import_share, need_value = figures
    return FirmArrays(
        ids=tuple(firm.id for firm in firms),
        names=tuple(firm.name for firm in firms),
        countries=tuple(firm.country for firm in firms),
        kinds=tuple(firm.kind for firm in firms),
        mandates=tuple(firm.goal for firm in firms),
        cash=state.firm_cash.copy(),
        shares=world.lent_firm_shares(),  # replaced at the next change, never written in place: no copy
        import_share=import_share,
        need_value=need_value,
        margin=margin,
        margin_share=margin_share,
        index=dict(world.firm_index),
        deferred=deferred_firm_arrays(world),
    )


def deferred_firm_arrays(world: World) -> dict[str, partial]:
    """The work of the firm arrays made when first read, on the deals and controls as they are now.

    Deals and controls are frozen: copies of the books that hold them keep what they are now.
    """
    deals = DealBook(deals=dict(world.deals.deals))
    at = Deals(deals, world.turn, world.index, world.state.capacity.shape)
    controls = dict(world.policies.controls)
    return {
        "free": partial(free_shares, at),
        "restricted": partial(restrictions, controls, world.index, world.state.trust.shape),
        "contracted": partial(contracted_tonnes, at, "seller"),
        "contracted_in": partial(contracted_tonnes, at, "buyer"),
    }


def no_firms(world: World) -> FirmArrays:
    """The firm part of a world without firms: nothing to read."""
    zeros = np.zeros_like(world.state.capacity)
    restricted = np.zeros((*world.state.trust.shape, zeros.shape[1]), dtype=bool)
    return FirmArrays(
        ids=(),
        names=(),
        countries=(),
        kinds=(),
        mandates=(),
        cash=np.zeros(0),
        shares=np.zeros((0, *zeros.shape)),
        import_share=zeros,
        need_value=zeros,
        margin=zeros,
        margin_share=zeros,
        index={},
        deferred={"free": zeros.copy, "restricted": restricted.copy} | dict.fromkeys(CONTRACTED, zeros.copy),
    )


@dataclass(frozen=True)
class Deals:
    """The deals of a turn, with the index and shape of the arrays they are added into."""

    book: DealBook
    turn: int
    index: Index
    shape: tuple[int, int, int]  # (C, M, S)


def contracted_tonnes(deals: Deals, party: str) -> np.ndarray:
    """(C, M, S) tonnes a turn each country sells (`party` "seller") or buys ("buyer") by contract.

    The contracts delivering this turn, added deal by deal in the order of the active deals
    (`np.add.at` adds repeated cells in turn).
    """
    tonnes = np.zeros(deals.shape)
    active = [deal for deal in deals.book.active(deals.turn) if deal.kind != "equity"]
    if not active:
        return tonnes
    country, mineral, stage = deals.index.country, deals.index.mineral, deals.index.stage
    c = np.array([country[getattr(deal, party)] for deal in active])
    m = np.array([mineral[deal.mineral] for deal in active])
    s = np.array([stage[deal.stage] for deal in active])
    np.add.at(tonnes, (c, m, s), np.array([deal.tonnes_per_turn for deal in active], dtype=float))
    return tonnes


def free_shares(deals: Deals) -> np.ndarray:
    """(C, M, S) share of each line not yet held through stakes (equity deals)."""
    held = np.zeros(deals.shape)
    country, mineral, stage = deals.index.country, deals.index.mineral, deals.index.stage
    for deal in deals.book.deals.values():
        if deal.kind == "equity":
            held[country[deal.seller], mineral[deal.mineral], stage[deal.stage]] += deal.share
    return np.clip(1.0 - held, 0.0, 1.0)


def restrictions(controls: dict, index: Index, pairs: tuple[int, int]) -> np.ndarray:
    """(C_exporter, C_importer, M) True where an export control restricts a mineral to an importer."""
    restricted = np.zeros((*pairs, len(index.minerals)), dtype=bool)
    for (country, mineral, _), control in controls.items():
        restricted[index.country[country], :, index.mineral[mineral]] |= restricted_among(
            control, index.countries
        )
    return restricted


def makers_view(world: World, need: np.ndarray, shortage: np.ndarray) -> MakersView:
    """What manufacturers read after consumption: their need, shortage, stock, contracts, prices."""
    state, constants, settings = world.state, world.constants, world.settings
    contracted = contracted_tonnes(Deals(world.deals, world.turn, world.index, state.capacity.shape), "buyer")
    substitutes = constants.substitutes
    return MakersView(
        turn=world.turn,
        names=names(world),
        reference_price=constants.reference_price,
        final_demand=state.final_demand.copy(),
        need=need,
        shortage=shortage,
        stock=state.consumer_stock.copy(),
        contracted=contracted,
        expected_price=state.expected_price.copy(),
        lobbying_before=stage_max(world.lobbying),
        substitute_mineral=substitutes.mineral,
        substitute_price_multiple=substitutes.price_multiple,
        substitute_names=substitutes.names,
        substitute_on_shortage=settings.substitute_on_shortage,
        lobby_shortage_share=settings.lobby_shortage_share,
        lobby_cover_weeks=settings.lobby_cover_weeks,
        output_value_multiple=np.array([settings.output_value_multiple[sector] for sector in SECTORS]),
        inventory_target=state.inventory_target.copy(),
        flows=world.last.flows,
        route_severity=world.route_severity,
        supplier_doubt=state.supplier_doubt,  # read-only; the state writes it once the makers have read it
        supplier_doubt_cells=state.supplier_doubt_cells,
        control_risk_binding=settings.control_risk_binding,
        supplier_doubt_memory_per_turn=settings.supplier_doubt_memory_per_turn,
    )
