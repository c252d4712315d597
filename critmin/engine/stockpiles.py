"""Strategic stockpiles: a government buys for its stockpile or releases from it on the spot market.

Orders are placed for the turn (`world.orders`) and cleared with everyone else's bids and
offers (trade.all_bids, trade.all_offers): a purchase bids up to its price cap and is paid by
the treasury; a release offers the stockpiled tonnes and the treasury receives the sales.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from critmin.core.actions import BuyStockpile, ReleaseStockpile
from critmin.core.units import usd_m
from critmin.engine.treasury import affordable
from critmin.engine.world import World


def price_cap(world: World, action: BuyStockpile) -> float:
    """The highest price an order pays, USD/kg: its own cap, else `stockpile_bid_cap_multiple` x today's."""
    at = world.position(action.country, action.mineral.value, action.stage.value)
    return action.max_price_usd_per_kg or world.settings.stockpile_bid_cap_multiple * world.state.price[at]


@dataclass(frozen=True)
class Orders:
    """Many stockpile orders as arrays: who pays, where, how many tonnes, up to what price (NaN: none)."""

    payers: np.ndarray  # (N,) country position
    at: np.ndarray  # (N,) flat (country, mineral, stage) position of the line bought
    tonnes: np.ndarray
    max_price: np.ndarray

    @classmethod
    def of(cls, world: World, orders: list[BuyStockpile]) -> Orders:
        """The arrays of a list of orders."""
        shape = world.state.price.shape
        lines = [world.position(o.country, o.mineral.value, o.stage.value) for o in orders]
        return cls(
            np.array([world.index.country[o.country] for o in orders], dtype=np.int64),
            np.array([np.ravel_multi_index(line, shape) for line in lines], dtype=np.int64),
            np.array([o.tonnes for o in orders], dtype=float),
            np.array([o.max_price_usd_per_kg or np.nan for o in orders], dtype=float),
        )


def order_costs(world: World, orders: Orders) -> np.ndarray:
    """What each order costs at its price cap (`price_cap`), USD m: the check of many orders at once."""
    caps = world.settings.stockpile_bid_cap_multiple * world.state.price.flat[orders.at]
    caps = np.where(np.isnan(orders.max_price), caps, orders.max_price)
    return usd_m(orders.tonnes, caps)


def check_buy(world: World, action: BuyStockpile) -> Iterator[str]:
    """The treasury covers the order at its price cap."""
    yield from affordable(world, action.country, usd_m(action.tonnes, price_cap(world, action)))


def check_release(world: World, action: ReleaseStockpile) -> Iterator[str]:
    """Only what the stockpile holds can be released."""
    held = world.state.stockpile[world.position(action.country, action.mineral.value, action.stage.value)]
    if not releasable(action.tonnes, held):
        yield f"the stockpile holds {held:,.1f} t, less than {action.tonnes:,.1f} t"


def releasable(tonnes, held):
    """True where `tonnes` are no more than the `held` stock (to 1e-9 t); numbers or arrays alike."""
    return tonnes <= held + 1e-9


def buy(world: World, action: BuyStockpile) -> None:
    """Place a strategic bid on this turn's spot market (orders on one line add up)."""
    at = world.position(action.country, action.mineral.value, action.stage.value)
    cap = price_cap(world, action)
    tonnes, old_cap = world.orders.buy.get(at, (0.0, cap))
    world.orders.buy[at] = (tonnes + action.tonnes, max(cap, old_cap))


def release(world: World, action: ReleaseStockpile) -> None:
    """Offer stockpiled tonnes on this turn's spot market."""
    at = world.position(action.country, action.mineral.value, action.stage.value)
    world.orders.release[at] = world.orders.release.get(at, 0.0) + action.tonnes
