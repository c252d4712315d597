"""The world's state as numpy arrays indexed country x mineral x stage, built from a scenario.

Quantities are tonnes per turn (one quarter) or tonnes held; prices USD/kg; money USD million.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields

import numpy as np

from critmin.core.vocabulary import SECTORS, STAGES, TURNS_PER_YEAR, Stage
from critmin.engine.new_scrap import new_scrap_shares
from critmin.engine.substitution import Substitutes
from critmin.scenarios.loader import Scenario

MAX_DELAY = 9
MAX_LEAD = 71


@dataclass
class Index:
    """Positions of countries, minerals and stages in the state arrays."""

    countries: tuple[str, ...]
    minerals: tuple[str, ...]
    country: dict[str, int]
    mineral: dict[str, int]
    stage: dict[str, int] = field(default_factory=lambda: {s.value: i for i, s in enumerate(STAGES)})
    stages: tuple[str, ...] = tuple(s.value for s in STAGES)

    @classmethod
    def of(cls, scenario: Scenario) -> Index:
        """The index of a scenario's countries and minerals, in file order."""
        countries = tuple(c.iso3 for c in scenario.spec.countries)
        minerals = tuple(m.id.value for m in scenario.spec.minerals)
        return cls(
            countries=countries,
            minerals=minerals,
            country={code: i for i, code in enumerate(countries)},
            mineral={name: i for i, name in enumerate(minerals)},
        )


@dataclass
class WorldState:
    """Everything that changes during a run, as arrays (hashed for reproducibility)."""

    capacity: np.ndarray  # (C, M, S) tonnes per turn, nameplate
    capacity_growth: np.ndarray  # (C, M, S) growth per turn from expansions under way at the start
    utilisation: np.ndarray  # (C, M, S) share of nameplate run
    unit_cost: np.ndarray  # (C, M, S) USD/kg: cash cost at a mine, conversion cost (feed excluded) beyond
    disruption: np.ndarray  # (C, M, S) share of capacity lost to shocks this turn
    disruption_turns: np.ndarray  # (C, M, S) turns of disruption left
    producer_stock: np.ndarray  # (C, M, S) unsold output
    feed_stock: np.ndarray  # (C, M, S) stage-s material held by processors of the next stage
    consumer_stock: np.ndarray  # (C, M, S) manufacturers' inventory
    stockpile: np.ndarray  # (C, M, S) strategic stockpile
    in_transit: np.ndarray  # (MAX_DELAY, C, M, S) licensed exports arriving in k turns
    stockpile_in_transit: np.ndarray  # (MAX_DELAY, C, M, S) the part of in_transit bought for stockpiles
    construction: np.ndarray  # (MAX_LEAD, C, M, S) capacity arriving in k turns
    final_demand: np.ndarray  # (K, C, M, S) tonnes per turn wanted at the reference price
    demand_growth: np.ndarray  # (K, C, M, S) growth per turn
    demand_growth_decay: np.ndarray  # (K, C, M, S) share of the growth rate lost per turn
    essential_share: np.ndarray  # (K, C, M, S)
    demand_shock: np.ndarray  # (C, M) multiplier on final demand
    demand_shock_turns: np.ndarray  # (C, M)
    price: np.ndarray  # (C, M, S) last clearing price, USD/kg
    expected_price: np.ndarray  # (C, M, S) what traders expect: a moving average of the price
    long_run_price: np.ndarray  # (C, M, S) what investors expect: a slower moving average
    price_trend: np.ndarray  # (C, M, S) smoothed log change of the price per turn
    normal_utilisation: np.ndarray  # (C, M, S) utilisation at reference prices
    inventory_target: np.ndarray  # (C, M, S) quarters of use manufacturers want in stock
    supply_risk: np.ndarray  # (C, M, S) risk buyers feel (controls, shortages, high prices)
    control_exposure: np.ndarray  # (C, M, S) share of recent supply over controlled routes
    intensity: np.ndarray  # (C, M, S) demand intensity after thrifting (1 at start)
    adoption: np.ndarray  # (O, C, S) share of use switched to each substitution option
    substitution: np.ndarray  # (C, M, S) share of use switched to alternatives, all options together
    news_exposure: np.ndarray  # (C, M, S) share of supply cut by controls announced or imposed this turn
    news_market: np.ndarray  # (C, M, S) share of the supply of each country's market such news cuts
    demand_noise: np.ndarray  # (C, M) random demand multiplier (1 at start)
    recycling: np.ndarray  # (C, M) secondary supply capacity, tonnes per turn (refined stage)
    exploration: np.ndarray  # (C, M) exploration money not yet spent, USD m
    reserves: np.ndarray  # (C, M) known reserves not yet taken by a find, tonnes
    treasury: np.ndarray  # (C,) government money, USD m
    industry: np.ndarray  # (C,) private sector money from mineral trade, USD m
    trust: np.ndarray  # (C, C) how far i trusts j, 0..1
    supplier_doubt: np.ndarray  # (C, C, M, S) how unreliable buyers in i deem supplier j of m at s, 0..1
    firm_cash: (
        np.ndarray
    )  # (F,) each firm's own money, USD m (spent on stakes and capacity, earned on its assets)
    supplier_doubt_cells: np.ndarray = field(  # ascending flat positions of supplier_doubt's non-zero cells
        default_factory=lambda: np.zeros(0, dtype=np.int64), metadata={"derived_from": "supplier_doubt"}
    )

    def __post_init__(self) -> None:
        for array in (self.supplier_doubt, self.supplier_doubt_cells):  # set whole: the cells never go stale
            array.flags.writeable = False

    def set_supplier_doubt(self, doubt: np.ndarray) -> None:
        """Set the doubt to a copy of a (C, C, M, S) array; its non-zero cells are found by a scan."""
        self.supplier_doubt = np.array(doubt, dtype=float, order="C")  # the state's own, written in place
        self.supplier_doubt_cells = np.flatnonzero(self.supplier_doubt.reshape(-1) != 0)
        self.__post_init__()

    def write_supplier_doubt(self, cells: np.ndarray, values: np.ndarray) -> None:
        """The doubt's `values` at ascending flat positions `cells`, every other cell 0, in place.

        Only last turn's non-zero cells are set back to 0: no fresh 16 MB array (at 4x) a turn.
        """
        self.supplier_doubt.flags.writeable = True
        doubt = self.supplier_doubt.reshape(-1)
        doubt[self.supplier_doubt_cells] = 0.0
        doubt[cells] = values
        self.supplier_doubt_cells = cells
        self.__post_init__()

    def running(self, cells: np.ndarray | None = None) -> np.ndarray:
        """(C, M, S) tonnes a turn the lines run: capacity x utilisation, less what shocks disrupt.

        Only at the flat (C, M, S) positions `cells`, when given.
        """
        lines = (self.capacity, self.utilisation, self.disruption)
        capacity, utilisation, disruption = lines if cells is None else (a.reshape(-1)[cells] for a in lines)
        return capacity * utilisation * (1 - disruption)

    def commercial_stock(self) -> np.ndarray:
        """(C, M, S) tonnes held along the chain: producers', processors', manufacturers' (no stockpile)."""
        return self.producer_stock + self.feed_stock + self.consumer_stock

    def copy(self) -> WorldState:
        """A deep copy (arrays copied; the doubt read-only outside `write_supplier_doubt`)."""
        return WorldState(**{f.name: getattr(self, f.name).copy() for f in fields(self)})

    def digest(self) -> hashlib._Hash:
        """A running sha256 over every array's bytes, in field order.

        The pipelines (construction, goods in transit) are long and mostly empty: only their
        non-empty turns are hashed, each with its position. Fields derived from another
        (`supplier_doubt_cells`) add nothing and are left out.
        """
        digest = hashlib.sha256()
        for item in HASHED_FIELDS:
            array = getattr(self, item.name)
            if item.name in ("construction", "in_transit", "stockpile_in_transit"):
                busy = np.flatnonzero(array.reshape(len(array), -1).any(axis=1))
                digest.update(busy.tobytes())
                array = array[busy]
            digest.update(np.ascontiguousarray(array).data)
        return digest


HASHED_FIELDS = tuple(item for item in fields(WorldState) if "derived_from" not in item.metadata)


@dataclass(frozen=True)
class Constants:
    """What the scenario fixes for the whole run."""

    chain: np.ndarray  # (M, S) bool: stage in the mineral's chain
    final_stage: np.ndarray  # (M,) index of the last stage of each chain
    reference_price: np.ndarray  # (M, S) starting price, USD/kg (0 off-chain)
    yield_share: np.ndarray  # (M, S) output tonnes per tonne of input from the previous stage
    distance_km: np.ndarray  # (C, C) great-circle distance
    same_bloc: np.ndarray  # (C, C) bool
    budget_per_turn: np.ndarray  # (C,) USD m
    demand_elasticity: np.ndarray  # (M,)
    substitutes: Substitutes  # the substitution options for the scenario's minerals
    working_cover: np.ndarray | float = 0.0  # (C, M, S) quarters of use the chain holds beyond routine
    new_scrap_share: np.ndarray | float = 0.0  # (C, M) share of use met by the users' own new scrap


def build(scenario: Scenario) -> tuple[Index, Constants, WorldState]:
    """Index, constants and the starting state of a scenario."""
    index = Index.of(scenario)
    constants = build_constants(scenario, index)
    return index, constants, build_state(scenario, index, constants)


def build_constants(scenario: Scenario, index: Index) -> Constants:
    """Chains, reference prices, distances and budgets."""
    spec = scenario.spec
    n_minerals, n_stages = len(index.minerals), len(STAGES)
    chain = np.zeros((n_minerals, n_stages), dtype=bool)
    price = np.zeros((n_minerals, n_stages))
    yields = np.ones((n_minerals, n_stages))
    for m, mineral in enumerate(spec.minerals):
        for stage in mineral.stages:
            s = index.stage[stage.stage.value]
            chain[m, s], price[m, s], yields[m, s] = True, stage.price_usd_per_kg, stage.yield_share
    final = np.array([np.flatnonzero(row).max() for row in chain])
    blocs = [set(c.blocs) for c in spec.countries]
    same_bloc = np.array([[bool(a & b) for b in blocs] for a in blocs])
    return Constants(
        chain=chain,
        final_stage=final,
        reference_price=price,
        yield_share=yields,
        distance_km=great_circle_km(spec.countries),
        same_bloc=same_bloc,
        budget_per_turn=np.array([c.budget_usd_m for c in spec.countries]) / TURNS_PER_YEAR,
        demand_elasticity=np.array([m.demand_elasticity for m in spec.minerals]),
        substitutes=Substitutes.of(spec.market.substitutes, index.mineral, index.stage, start_year(spec)),
        new_scrap_share=new_scrap_shares(spec.demand, index),
    )


def start_year(spec) -> float:
    """The scenario's start as a fractional year (2025Q2 -> 2025.25)."""
    year, quarter = spec.scenario.start.split("Q")
    return int(year) + (int(quarter) - 1) / 4


def great_circle_km(countries) -> np.ndarray:
    """Pairwise great-circle distances between the countries' central points."""
    lat = np.radians([c.lat for c in countries])
    lon = np.radians([c.lon for c in countries])
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def build_state(scenario: Scenario, index: Index, constants: Constants) -> WorldState:
    """The starting state: capacity, demand, stocks, prices, money and trust."""
    spec = scenario.spec
    shape = (len(index.countries), len(index.minerals), len(STAGES))
    zeros = lambda *lead: np.zeros((*lead, *shape))  # noqa: E731
    state = WorldState(
        capacity=zeros(), capacity_growth=zeros(), utilisation=zeros(), unit_cost=zeros(), disruption=zeros(),
        disruption_turns=zeros(), producer_stock=zeros(), feed_stock=zeros(),
        consumer_stock=zeros(), stockpile=zeros(), in_transit=zeros(MAX_DELAY),
        stockpile_in_transit=zeros(MAX_DELAY),
        construction=zeros(MAX_LEAD), final_demand=zeros(len(SECTORS)),
        demand_growth=zeros(len(SECTORS)), demand_growth_decay=zeros(len(SECTORS)),
        essential_share=zeros(len(SECTORS)),
        demand_shock=np.ones(shape[:2]), demand_shock_turns=np.zeros(shape[:2]),
        price=np.broadcast_to(constants.reference_price, shape).copy(),
        expected_price=np.broadcast_to(constants.reference_price, shape).copy(),
        long_run_price=np.broadcast_to(constants.reference_price, shape).copy(),
        price_trend=zeros(), normal_utilisation=zeros(),
        inventory_target=np.full(shape, spec.market.inventory_target_quarters),
        supply_risk=zeros(), control_exposure=zeros(), intensity=np.ones(shape),
        adoption=np.zeros((len(constants.substitutes.names), shape[0], shape[2])),
        substitution=zeros(), news_exposure=zeros(), news_market=zeros(),
        demand_noise=np.ones(shape[:2]),
        recycling=np.zeros(shape[:2]), exploration=np.zeros(shape[:2]), reserves=np.zeros(shape[:2]),
        treasury=constants.budget_per_turn * TURNS_PER_YEAR,
        industry=np.zeros(shape[0]),
        trust=initial_trust(spec.market, constants.same_bloc),
        supplier_doubt=np.zeros((shape[0], *shape)),
        firm_cash=np.array([firm.budget_usd_m for firm in spec.firms], dtype=float),
    )  # fmt: skip
    fill_capacity(state, spec.capacity, index)
    state.normal_utilisation = state.utilisation.copy()
    fill_demand(state, spec.demand, index)
    fill_stocks(state, spec.stocks, index)
    for record in spec.reserves:
        state.reserves[index.country[record.country], index.mineral[record.mineral.value]] = record.tonnes
    fill_pipeline(state, constants, spec.market.inventory_target_quarters)
    return state


def feed_need(state: WorldState, constants: Constants) -> np.ndarray:
    """Input processors of stage s+1 want to hold, in stage-s tonnes, (C, M, S)."""
    running = state.running()
    need = np.zeros_like(running)
    need[:, :, :-1] = running[:, :, 1:] / constants.yield_share[None, :, 1:]
    need[:, :, :-1] *= constants.chain[None, :, 1:]
    return need


def fill_pipeline(state: WorldState, constants: Constants, inventory_quarters: float) -> None:
    """A running start: processors hold one turn of feed, manufacturers their inventory target."""
    running = state.capacity * state.utilisation
    state.feed_stock[:, :, :-1] += running[:, :, 1:] / constants.yield_share[None, :, 1:]
    state.feed_stock *= constants.chain[None]
    state.consumer_stock += state.final_demand.sum(axis=0) * inventory_quarters


def initial_trust(market, same_bloc: np.ndarray) -> np.ndarray:
    """Trust starts neutral, higher inside a bloc, full towards oneself."""
    trust = np.full(same_bloc.shape, market.initial_trust) + market.bloc_trust_bonus * same_bloc
    np.fill_diagonal(trust, 1.0)
    return np.clip(trust, 0.0, 1.0)


def fill_capacity(state: WorldState, lines, index: Index) -> None:
    """Capacity, utilisation and unit cost per line (annual figures to per turn)."""
    for line in lines:
        at = position(index, line.country, line.mineral, line.stage)
        state.capacity[at] = line.tonnes_per_year / TURNS_PER_YEAR
        state.utilisation[at] = line.utilisation
        state.unit_cost[at] = line.unit_cost_usd_per_kg
        state.capacity_growth[at] = (1 + line.growth_per_year) ** (1 / TURNS_PER_YEAR) - 1


def fill_demand(state: WorldState, lines, index: Index) -> None:
    """Final demand per sector, with growth per turn and the essential share."""
    sector = {s.value: k for k, s in enumerate(SECTORS)}
    for line in lines:
        at = (sector[line.sector.value], *position(index, line.country, line.mineral, line.stage))
        state.final_demand[at] += line.tonnes_per_year / TURNS_PER_YEAR
        state.demand_growth[at] = (1 + line.growth_per_year) ** (1 / TURNS_PER_YEAR) - 1
        state.demand_growth_decay[at] = 1 - (1 - line.growth_decay_per_year) ** (1 / TURNS_PER_YEAR)
        state.essential_share[at] = line.essential_share


def fill_stocks(state: WorldState, lines, index: Index) -> None:
    """Strategic stockpiles at the start (commercial stocks: `engine/chain_stocks.py`, in start.build)."""
    for line in lines:
        if line.strategic:
            state.stockpile[position(index, line.country, line.mineral, line.stage)] += line.tonnes


def position(index: Index, country: str, mineral, stage: Stage | str) -> tuple[int, int, int]:
    """(country, mineral, stage) array position."""
    stage_name = stage.value if isinstance(stage, Stage) else stage
    mineral_name = getattr(mineral, "value", mineral)
    return index.country[country], index.mineral[mineral_name], index.stage[stage_name]
