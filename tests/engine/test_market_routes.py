"""Route arrays kept by market (engine/market_routes.py) read as the dense (K, C, C) array."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.engine import trade
from critmin.engine.market_routes import ByMarket
from critmin.engine.supplier_risk import SupplierRisk


@pytest.mark.parametrize("fill", [0.0, True])
def test_every_read_equals_the_dense_arrays(fill):
    rng = np.random.default_rng(3)
    shape = (7, 5, 5)
    tables = {k: rng.random(shape[1:]) if fill == 0.0 else rng.random(shape[1:]) < 0.5 for k in (1, 4, 6)}
    dense = np.full(shape, fill)
    for k, table in tables.items():
        dense[k] = table
    routes = ByMarket(shape, fill, tables)
    cells = np.flatnonzero(rng.random(shape) < 0.3)
    market, exporter = rng.integers(0, shape[0], 40), rng.integers(0, shape[1], 40)
    assert routes.at(cells).tobytes() == dense.reshape(-1)[cells].tobytes()
    assert routes[market, exporter].tobytes() == dense[market, exporter].tobytes()
    market, exporter = np.nonzero(rng.random(shape[:2]) < 0.5)  # ascending markets: read by runs
    assert routes.rows(market, exporter).tobytes() == dense[market, exporter].tobytes()
    assert all(routes[k].tobytes() == dense[k].tobytes() for k in range(shape[0]))
    assert routes.size == dense.size and routes.at(cells).dtype == dense.dtype


def test_cheapest_landed_is_the_dense_minimum_over_every_members_open_routes():
    """freight + (tariff + risk) summed only where a tariff or a doubt is, plus the local price, inf on a
    closed route, least over each market's members: the dense arrays' minimum, bit for bit."""
    rng = np.random.default_rng(8)
    k, n = 6, 9
    freight = rng.random((n, n))
    np.fill_diagonal(freight, 0.0)
    tables = {1: rng.random((n, n)) * (rng.random((n, n)) < 0.5), 4: rng.random((n, n))}
    tariffs = np.zeros((k, n, n))
    for q, table in tables.items():
        tariffs[q] = table
    risk_cells = np.sort(rng.choice(k * n * n, 30, replace=False))
    risk = np.zeros(k * n * n)
    risk[risk_cells] = rng.random(30)
    routes = trade.RouteCosts(
        freight, ByMarket((k, n, n), 0.0, tables), SupplierRisk((k, n, n), risk_cells, risk[risk_cells])
    )
    opened = {0: rng.random((n, n)) < 0.7, 4: rng.random((n, n)) < 0.7}
    route_open = np.ones((k, n, n), dtype=bool)
    for q, table in opened.items():
        route_open[q] = table
    local = np.where(rng.random((k, n)) < 0.6, rng.lognormal(2, 1, (k, n)), np.inf)
    local[2] = np.inf  # a market without members
    market, exporter = np.nonzero(np.isfinite(local))
    offered = (freight[None] + (tariffs + risk.reshape(k, n, n)))[market, exporter] + local[market, exporter][
        :, None
    ]
    offered[~route_open[market, exporter]] = np.inf
    dense = np.full((k, n), np.inf)
    first = np.flatnonzero(np.diff(market, prepend=-1))
    dense[market[first]] = np.minimum.reduceat(offered, first, axis=0)
    got = trade.cheapest_landed(market, exporter, local, routes, ByMarket((k, n, n), True, opened))
    assert got.tobytes() == dense.tobytes()
    assert np.isinf(got[2]).all() and np.isfinite(got).sum() > k
