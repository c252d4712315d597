"""Route arrays kept by market (engine/market_routes.py) read as the dense (K, C, C) array."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.engine.market_routes import ByMarket


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
    assert all(routes[k].tobytes() == dense[k].tobytes() for k in range(shape[0]))
    assert routes.size == dense.size and routes.at(cells).dtype == dense.dtype
