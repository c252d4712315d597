"""The turn views: what controllers read, as arrays built once by the engine.

`TurnView` is the world at the start of a turn as every country's and firm's controller may see
it: prices, capacity, money, trust, last turn's figures, the firms and what they own, and the
export controls in force; observations are picked from it (engine/observe.py) and firms decide on
it (agents/firm_doctrine.py). `MakersView` is what manufacturers read after the turn's
consumption (agents/manufacturer_doctrine.py). Both are plain data: numpy arrays indexed country
C x mineral M x stage S (tonnes per turn, USD/kg, USD million), with the names of each axis, so
that a doctrine can read them for all countries at once.

The engine builds a view once and never changes it; a `TurnView` carries the World version it
was built on, so its owner knows when to build a new one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from critmin.core.actions import ProposeDeal
from critmin.core.export_control import ExportControl
from critmin.core.observation import Terms
from critmin.core.worked_out import WorkedOnce


@dataclass(frozen=True, eq=False)
class Names:
    """The names along the arrays' axes, and each name's position."""

    countries: tuple[str, ...]
    minerals: tuple[str, ...]
    stages: tuple[str, ...]
    country: dict[str, int]
    mineral: dict[str, int]
    stage: dict[str, int]

    def position(self, country: str, mineral: str, stage: str) -> tuple[int, int, int]:
        """The array position of a (country, mineral, stage) line."""
        return self.country[country], self.mineral[mineral], self.stage[stage]


@dataclass(frozen=True, eq=False)
class LastTurn:
    """The figures of the last turn played, (C, M, S) unless noted (zeros before the first)."""

    production: np.ndarray
    consumption: np.ndarray
    demand: np.ndarray
    shortage: np.ndarray
    imports: np.ndarray
    exports: np.ndarray
    flows: np.ndarray  # (M, S, C_seller, C_buyer), domestic purchases on the diagonal
    embedded: np.ndarray  # embedded dependence on each country's largest foreign supplier
    embedded_supplier: np.ndarray  # that supplier's position


class Deferred:
    """An array of a frozen record worked out when first read, by the record's `deferred[name]`."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, record, owner: type | None = None) -> np.ndarray | Deferred:
        if record is None:
            return self
        array = record.__dict__[self.name] = record.deferred[self.name]()  # read from there on
        return array


@dataclass(frozen=True, eq=False)
class FirmArrays:
    """The firms and what every firm reads alike, F firms in scenario order.

    `free`, `restricted`, `contracted` and `contracted_in` are worked out when first read (most
    turns few firms read them), each by its `deferred` work on what the engine held when it
    built the view, so they show the world as it was then.
    """

    ids: tuple[str, ...]
    names: tuple[str, ...]
    countries: tuple[str, ...]  # each firm's home
    kinds: tuple[str, ...]  # "state_firm" or "producer"
    mandates: tuple[str, ...]  # "supply_security", "profit" or "national_champion"
    cash: np.ndarray  # (F,) USD m each firm holds
    shares: np.ndarray  # (F, C, M, S) share of each line's output each firm owns
    import_share: np.ndarray  # (C, M, S) share of recent supply that came from abroad
    need_value: np.ndarray  # (C, M, S) USD m a turn of final and feed need at reference prices
    margin: np.ndarray  # (C, M, S) USD/kg cash margin at long-run prices
    margin_share: np.ndarray  # (C, M, S) that margin over the long-run price
    index: dict[str, int]  # each firm's position along the firm axis
    deferred: Mapping[str, Callable[[], np.ndarray]]  # the work of each array made when first read

    free = Deferred()  # (C, M, S) share of each line not yet held through stakes
    restricted = Deferred()  # (C_exporter, C_importer, M) bool: the exporter restricts the mineral
    contracted = Deferred()  # (C, M, S) tonnes per turn each line sells under contracts in force
    contracted_in = Deferred()  # (C, M, S) tonnes per turn each country buys under contracts in force


@dataclass(frozen=True)
class BlockOnOffer:
    """A mineral block on offer at auction, as bidders see it."""

    id: str
    country: str
    mineral: str
    contained_tonnes: float
    tonnes_per_year: float  # what its mine would produce
    licence: str  # "composite" (exploration first) or "mining_lease"
    entry_usd_m: float  # what a bidder's budget must hold to qualify: upfront payment and the mine


@dataclass(frozen=True, eq=False)
class TurnView(WorkedOnce):
    """The world at the start of a turn, as every country's and firm's controller may see it."""

    turn: int
    date: str
    version: int  # the World version it was built on
    names: Names
    chain: np.ndarray  # (M, S) bool: stage in the mineral's chain
    reference_price: np.ndarray  # (M, S) USD/kg
    terms: Terms
    price: np.ndarray  # (C, M, S) local price, USD/kg
    long_run_price: np.ndarray  # (C, M, S) what investors expect, USD/kg
    capacity: np.ndarray  # (C, M, S) tonnes per turn, nameplate
    utilisation: np.ndarray  # (C, M, S) share of nameplate run
    stock: np.ndarray  # (C, M, S) producers', processors' and manufacturers' stocks
    stockpile: np.ndarray  # (C, M, S) strategic stockpiles
    final_demand: np.ndarray  # (K, C, M, S) tonnes per turn each sector wants at reference prices
    treasury: np.ndarray  # (C,) USD m
    budget_per_turn: np.ndarray  # (C,) USD m
    committed: np.ndarray  # (C, H) USD m its scenario schedules it to pay in each coming turn, this one first
    trust: np.ndarray  # (C, C) how far i trusts j
    lobbying: np.ndarray  # (C, M, S) how hard short manufacturers lobby their government, 0..1
    controls: dict[tuple[str, str, str], ExportControl]  # in force, by (exporter, mineral, stage)
    last: LastTurn
    firms: FirmArrays
    blocks: tuple[BlockOnOffer, ...] = ()  # mineral blocks on offer at auction
    firm_offers: dict[str, tuple[tuple[str, ProposeDeal], ...]] = field(default_factory=dict)  # firm -> inbox
    worked_out: dict[tuple, object] = field(default_factory=dict, repr=False)  # `once`'s results, by key


@dataclass(frozen=True, eq=False)
class MakersView:
    """What manufacturers read after the turn's consumption, (C, M, S) unless noted."""

    turn: int
    names: Names
    reference_price: np.ndarray  # (M, S) USD/kg
    final_demand: np.ndarray  # (K, C, M, S) tonnes per turn wanted at reference prices, by sector
    need: np.ndarray  # final need this turn
    shortage: np.ndarray  # what the need lacked this turn
    stock: np.ndarray  # manufacturers' stock after use
    contracted: np.ndarray  # tonnes per turn under contract this turn
    expected_price: np.ndarray  # USD/kg
    lobbying_before: np.ndarray  # (C, M) how hard they lobbied last turn
    substitute_mineral: np.ndarray  # (O,) position of the mineral each substitution option replaces
    substitute_price_multiple: np.ndarray  # (O,) price over reference at which it pays
    substitute_names: tuple[str, ...]
    substitute_on_shortage: float | None  # share of need short at which makers switch regardless
    lobby_shortage_share: float  # short of this share of need, makers press their government hardest
    lobby_cover_weeks: float  # ... once their inventory cover falls under this
    output_value_multiple: np.ndarray  # (K,) USD of final output lost per USD of mineral missing
    inventory_target: np.ndarray  # turns of need they aim to hold
    flows: np.ndarray  # (M, S, C_exporter, C_importer) tonnes received this turn
    route_severity: tuple[np.ndarray, np.ndarray]  # flat (M, S, C_exp, C_imp) routes under control, severity
    supplier_doubt: np.ndarray  # (C_importer, C_exporter, M, S) their doubt of each supplier so far, 0..1
    supplier_doubt_cells: np.ndarray  # ascending flat positions of supplier_doubt's non-zero cells
    control_risk_binding: float  # severity of a control that cuts supply
    supplier_doubt_memory_per_turn: float  # share of doubt kept a turn once no control stands
