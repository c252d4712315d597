"""The World: everything a run holds, as data.

Index, constants, settings and state arrays (engine/state.py), the policy, deal, agreement and
auction books, the cell schemes, the money put into each programme so far, this turn's stockpile
orders and figures, the ledger of declared sinks, the events of the run, the
firm registry and the shares of output firms own, and a version. `start.build(scenario)` makes
the World of a scenario's first turn; each rule (controls.py, tariffs.py, capacity.py, ...)
checks actions against it and changes it; `WorldModel` runs the turn's phases over it.

`version` grows whenever something a controller could see changes (an action carried out, an
event, a turn begun or ended), so a view built on the World knows when it is stale.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from critmin.core.events import Event
from critmin.core.vocabulary import quarter_label
from critmin.engine import cell_book
from critmin.engine.agreement_book import AgreementBook
from critmin.engine.auction_book import AuctionBook
from critmin.engine.cell_book import CellScheme
from critmin.engine.deals import DealBook
from critmin.engine.policies import PolicyBook
from critmin.engine.records import TurnFigures
from critmin.engine.route_exports import RouteExports
from critmin.engine.route_severity import RouteSeverity
from critmin.engine.state import Constants, Index, WorldState, position
from critmin.engine.trade import Orders
from critmin.scenarios.loader import Scenario
from critmin.scenarios.schema import FirmSpec, MarketSettings


@dataclass(eq=False)
class World:
    """A run's whole world: what the scenario fixes, what changes, and the books kept on it."""

    scenario: Scenario
    index: Index
    constants: Constants
    state: WorldState
    rng: np.random.Generator  # the model's generator: every random draw of the world comes from it
    firms: dict[str, FirmSpec]  # the firm registry, by id, in scenario order
    firm_shares: np.ndarray = field(init=False)  # (F, C, M, S) each firm's share of each line's output
    firm_index: dict[str, int] = field(init=False)  # each firm's position in the firm arrays
    policies: PolicyBook = field(default_factory=PolicyBook)
    deals: DealBook = field(default_factory=DealBook)
    agreements: AgreementBook = field(default_factory=AgreementBook)  # trade agreements and clubs
    auctions: AuctionBook = field(default_factory=AuctionBook)  # mineral blocks on offer and awarded
    cell_schemes: list[CellScheme] = field(default_factory=list)  # incentives for home cell plants
    programme_spend: dict[tuple[str, str], float] = field(default_factory=dict)  # USD m so far
    orders: Orders = field(default_factory=Orders)  # this turn's stockpile orders
    last: TurnFigures = field(init=False)  # this turn's figures (goods produced, traded, used)
    turn: int = 0
    version: int = 0
    events: list[Event] = field(default_factory=list)
    ledger: dict[str, float] = field(default_factory=dict)  # USD m into declared sinks (< 0: from sources)
    export_history: list[RouteExports] = field(default_factory=list)  # exports of recent turns, newest first
    recent_supply: tuple[RouteExports, np.ndarray] = field(init=False)  # mean exports, (C, M, S) home
    scripted_actions: tuple | None = field(default=None, repr=False)  # (events, parsed): commitments.py
    price_before: np.ndarray = field(init=False)  # (C, M, S) prices when the turn began
    stock_bought: np.ndarray = field(init=False)  # (C, M, S) manufacturers' purchases for stock this turn
    route_severity: RouteSeverity = field(init=False)  # the routes under control this turn, and how far
    refused: set[str] = field(default_factory=set)  # contracts whose buyer refuses this turn's tonnes
    delivered: dict[str, float] = field(default_factory=dict)  # tonnes delivered so far, by deal id
    lost_output: list[np.ndarray] = field(default_factory=list)  # per turn, (K, C) USD m of output lost
    lobbying: np.ndarray = field(init=False)  # (C, M, S) how hard manufacturers lobbied last turn, 0..1
    share_rows: tuple | None = field(default=None, init=False, repr=False)  # see firm_share_rows

    def __post_init__(self) -> None:
        shape = self.state.capacity.shape
        self.firm_index = {firm_id: f for f, firm_id in enumerate(self.firms)}
        self.firm_shares = np.zeros((len(self.firms), *shape))
        self.last = TurnFigures.empty(self.state)
        self.recent_supply = (RouteExports.none((*shape[1:], shape[0], shape[0])), np.zeros(shape))
        self.price_before = self.state.price.copy()
        self.stock_bought = np.zeros_like(self.state.consumer_stock)
        self.route_severity = RouteSeverity.none()  # set by trade
        self.lobbying = np.zeros(shape)

    @property
    def settings(self) -> MarketSettings:
        """The scenario's `[market]` settings: the behaviour parameters of the world."""
        return self.scenario.spec.market

    @property
    def date(self) -> str:
        """The calendar quarter of the current turn, e.g. '2025Q2'."""
        year, quarter = self.scenario.spec.scenario.start.split("Q")
        return quarter_label(int(year), int(quarter), self.turn)

    def begin_turn(self) -> None:
        """A new turn: no orders, figures, purchases for stock or refusals yet."""
        self.orders = Orders()
        self.last = TurnFigures.empty(self.state)
        self.price_before = self.state.price.copy()
        self.stock_bought = np.zeros_like(self.state.consumer_stock)
        self.refused = set()
        self.version += 1

    def books(self) -> dict:
        """The agreements, auctions and cell schemes as canonical plain data (for hashing)."""
        return {
            "agreements": self.agreements.records(),
            "auctions": self.auctions.records(),
            "cells": cell_book.records(self.cell_schemes),
            "programmes": sorted([*key, round(usd_m, 9)] for key, usd_m in self.programme_spend.items()),
        }

    def spent_on(self, country: str, programme: str, usd_m: float) -> None:
        """Count money a country put into a programme (exploration, recycling, ...), for the records."""
        key = (country, programme)
        self.programme_spend[key] = self.programme_spend.get(key, 0.0) + float(usd_m)

    def set_firm_share(self, at: tuple[int, int, int, int], share: float) -> None:
        """A firm's share of a line's output, at (firm, country, mineral, stage).

        A `firm_shares` lent to a turn view (`lent_firm_shares`, read-only from then on) is
        replaced by a copy at the next change, never written in place; later changes write
        into that copy, so a turn's many changes copy the (F, C, M, S) array once.
        """
        rows = self.firm_share_rows()
        if not self.firm_shares.flags.writeable:
            self.firm_shares = self.firm_shares.copy()
        self.firm_shares[at] = share
        row = at[0] * self.firm_shares.shape[1] + at[1]
        if share != 0 and row not in rows:
            rows = np.union1d(rows, [row])
        self.share_rows = (self.firm_shares, rows)

    def firm_share_rows(self) -> np.ndarray:
        """Flat (F, C) positions, ascending, of the (firm, country) rows of `firm_shares` with a share.

        Every other row is all zeros. Found by a scan when `firm_shares` was set, then kept up to
        date by `set_firm_share` (the one writer of its values).
        """
        shares = self.firm_shares
        if self.share_rows is None or self.share_rows[0] is not shares:
            flat = shares.reshape(shares.shape[0] * shares.shape[1], -1)
            self.share_rows = (shares, np.flatnonzero(flat.any(axis=1)))
        return self.share_rows[1]

    def lent_firm_shares(self) -> np.ndarray:
        """`firm_shares` for a reader that keeps it without a copy: read-only, replaced at the next change."""
        self.firm_shares.flags.writeable = False
        return self.firm_shares

    def position(self, country: str, mineral: str, stage: str) -> tuple[int, int, int]:
        """Array position of a (country, mineral, stage) line."""
        return position(self.index, country, mineral, stage)

    def emit(self, kind: str, actor: str, detail: str, *, target: str = "", mineral: str = "") -> None:
        """Record an event of this turn."""
        self.events.append(
            Event(turn=self.turn, kind=kind, actor=actor, detail=detail, target=target, mineral=mineral)
        )
        self.version += 1


class WorldField:
    """An attribute of an object holding a World that is the World's: `model.state` is `model.world.state`."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, holder, owner=None):
        return self if holder is None else getattr(holder.world, self.name)

    def __set__(self, holder, value) -> None:
        setattr(holder.world, self.name, value)


class WorldHolder:
    """What holds a World (`world`) offers its fields and helpers: `model.state` is `model.world.state`."""

    world: World
    index = WorldField()
    constants = WorldField()
    settings = WorldField()
    state = WorldField()
    policies = WorldField()
    deals = WorldField()
    events = WorldField()
    ledger = WorldField()
    last = WorldField()
    turn = WorldField()
    date = WorldField()
    firm_index = WorldField()
    firm_shares = WorldField()
    delivered = WorldField()
    lost_output = WorldField()
    stock_bought = WorldField()
    position = WorldField()
    emit = WorldField()
