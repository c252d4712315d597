"""SupplierRisk reads the values of the dense (K, C, C) `trade.supplier_risk_costs`, bit for bit."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from critmin.engine import trade
from critmin.engine.sorted_positions import values_at
from critmin.engine.supplier_risk import SupplierRisk


def test_every_way_of_reading_supplier_risk_gives_the_dense_arrays_values():
    rng = np.random.default_rng(3)
    n, n_m, n_s = 23, 4, 3
    doubt = np.where(rng.random((n, n, n_m, n_s)) < 0.3, rng.random((n, n, n_m, n_s)), 0.0)
    state = SimpleNamespace(supplier_doubt=doubt, supplier_doubt_cells=np.flatnonzero(doubt))
    constants = SimpleNamespace(reference_price=rng.lognormal(2, 1, (n_m, n_s)))
    settings = SimpleNamespace(supplier_risk_premium=0.15)
    lines = (np.array([0, 0, 1, 3, 3]), np.array([0, 2, 1, 0, 2]))
    dense = trade.supplier_risk_costs(state, constants, settings, lines)
    risk = SupplierRisk.of(state, constants, settings, lines)
    assert risk.shape == dense.shape
    assert all(risk[k].tobytes() == dense[k].tobytes() for k in range(len(dense)))
    market, exporter = rng.integers(0, len(dense), 40), rng.integers(0, n, 40)
    assert risk[market, exporter].tobytes() == dense[market, exporter].tobytes()
    market, exporter = np.nonzero(rng.random((len(dense), n)) < 0.5)  # distinct pairs, ascending
    assert risk[market, exporter].tobytes() == dense[market, exporter].tobytes()
    cells = np.sort(rng.choice(dense.size, 500, replace=False))
    assert risk.at(cells).tobytes() == dense.reshape(-1)[cells].tobytes()
    assert risk.at_routes(cells).tobytes() == dense.reshape(-1)[cells].tobytes()
    none = SupplierRisk(risk.shape, np.zeros(0, dtype=np.int64), np.zeros(0))
    assert none.at_routes(cells).tobytes() == np.zeros(len(cells)).tobytes()
    routes = np.unravel_index(cells, dense.shape)
    assert risk[routes].tobytes() == dense[routes].tobytes()


def test_values_at_many_ascending_positions_equal_the_lookup_one_by_one():
    """Few kept positions read at many ascending ones (`sorted_positions.scattered`) as by `searchsorted`."""
    rng = np.random.default_rng(5)
    at = np.sort(rng.choice(10_000, 40, replace=False))
    values = rng.random(40)
    wanted = np.sort(rng.choice(10_000, 3_000, replace=False))
    dense = np.zeros(10_000)
    dense[at] = values
    assert (wanted[np.isin(wanted, at)]).size > 5
    assert values_at(at, values, wanted).tobytes() == dense[wanted].tobytes()
    assert values_at(at, values, wanted[::-1]).tobytes() == dense[wanted[::-1]].tobytes()
