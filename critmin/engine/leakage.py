"""Leakage: goods that get round an export control through third countries, at a higher cost.

A quota, licence or ban caps what an exporter may ship on its controlled routes. Some goods get
round it all the same: smuggled, re-labelled or re-exported through a third country (rare earths
out of China in 2010-11, exports above the quota, BEHAVIOUR.md 3; Chinese gallium and germanium
through third countries after 2023). critmin poses that as a second, dearer route: the exporter's
`leak_cap` tonnes a turn (`RouteRules.leak_cap`, from the control's `leakage`) may leave through a
hub, a market member of its own that holds those tonnes and ships them to any destination the
control's regime covers (banned ones included; not those of a ban standing beside the regime,
`RouteRules.leak_open`) at the route's cost plus `leakage_cost_share` of the line's reference price,
or back home at no cost. So leakage is a route that costs more, not a loss, and the clearing
(engine/flow.py) is unchanged.

The hub's tonnes are carved from the exporter's cheapest offers (small illegal mines sell at
their cash cost). The posing is exact whenever the exporter's home sales and its leaked tonnes
together take at least the carved tonnes, as under a binding control (tests/engine/test_market.py
checks it against a linear program with a leak gate of its own).
"""

from __future__ import annotations

import numpy as np


def leaking_exporters(leak_cap: np.ndarray, members: np.ndarray, supply_local: np.ndarray) -> np.ndarray:
    """Local positions of the members with leak room and offers in this market, in order."""
    offering = np.zeros(len(members), dtype=bool)
    offering[supply_local] = True
    return np.flatnonzero(offering & (leak_cap[members] > 0))


def carve(
    offers: tuple[np.ndarray, ...], hubs: np.ndarray, room: np.ndarray, n_members: int, producer: int = 0
):
    """Offers with up to `room` tonnes of each hub exporter's cheapest producer offers moved to its hub.

    `offers` are (local country, tonnes, price, global country, owner) per offer (owner
    `producer` for producers' stock: a government's stockpile does not leak); the hub of the
    exporter at local position `hubs[h]` gets local position `n_members + h`. Returns the same
    columns, the carved entries appended (their global country stays the exporter's, so what
    they sell comes out of its stock).
    """
    local, tonnes, price, country, owner = offers
    tonnes = tonnes.copy()
    extra = []
    for h, exporter in enumerate(hubs):
        left = room[h]
        own = (local == exporter) & (owner == producer)
        for k in np.flatnonzero(own)[np.argsort(price[own], kind="stable")]:
            taken = min(left, tonnes[k])
            if taken <= 0:
                break
            tonnes[k] -= taken
            left -= taken
            extra.append((n_members + h, taken, price[k], country[k], owner[k]))
    if not extra:
        return offers
    added = [np.array(column) for column in zip(*extra, strict=True)]
    return tuple(
        np.concatenate([a, b.astype(a.dtype)])
        for a, b in zip((local, tonnes, price, country, owner), added, strict=True)
    )


def hub_routes(route_cost, route_open, leak_open, hubs: np.ndarray, premium: float):
    """The route arrays of a market with one hub row and column per leaking exporter appended.

    A hub ships where its exporter's leak may go (`leak_open`: destinations its regime covers,
    banned ones included, not those of a ban standing beside it) at the exporter's route cost
    plus `premium` USD/kg, and home at no cost; nothing ships into a hub.
    """
    k, h = len(route_cost), len(hubs)
    cost = np.zeros((k + h, k + h))
    cost[:k, :k] = route_cost
    cost[k:, :k] = route_cost[hubs] + premium
    cost[k + np.arange(h), hubs] = 0.0
    opened = np.zeros((k + h, k + h), dtype=bool)
    opened[:k, :k] = route_open
    opened[k:, :k] = leak_open[hubs]
    opened[k + np.arange(h), hubs] = True
    return cost, opened


def fold(flows: np.ndarray, hubs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(k, k) flows with each hub's shipments counted as its exporter's, and the hubs' part alone.

    Goods that left through a hub came from the exporter: that is where trade records and
    embedded dependence place them.
    """
    k = len(flows) - len(hubs)
    leaked = np.zeros((k, k))
    np.add.at(leaked, hubs, flows[k:, :k])
    return flows[:k, :k] + leaked, leaked
