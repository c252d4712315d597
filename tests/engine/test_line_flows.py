"""Last turn's flows on the chain's lines from their non-zero entries (engine/line_flows.py) equal
the dense sums and entries they replace, bit for bit; so are the observation book's line figures."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.core.observation import LINE_FIGURES
from critmin.engine.bench_worlds import copies_of_the_countries
from critmin.engine.line_flows import LineFlows
from critmin.engine.model import WorldModel
from critmin.engine.observe import line_figures
from critmin.engine.pairwise_sum import entry_row_sums
from critmin.engine.records import Sparse


def dense_figures(flows: np.ndarray, chain: np.ndarray):
    """Imports, exports and foreign import entries as the observation book summed them densely."""
    m_at, s_at = np.nonzero(chain)
    lines = flows[m_at, s_at]  # (lines, origins, destinations)
    inflow = np.ascontiguousarray(lines.transpose(2, 0, 1))  # (destinations, lines, origins)
    domestic = np.arange(flows.shape[-1])
    imports = inflow.sum(axis=2) - inflow[domestic, :, domestic]
    exports = lines.sum(axis=2).T - lines[:, domestic, domestic].T
    at = np.flatnonzero(inflow > 1e-9)
    countries, line, origins = np.unravel_index(at, inflow.shape)
    foreign = countries != origins
    entries = (countries[foreign], line[foreign], origins[foreign], inflow.ravel()[at[foreign]])
    return imports, exports, entries


def random_flows(seed: int, countries: int) -> tuple[np.ndarray, np.ndarray]:
    """(M, S, C, C) flows of mixed scale, a few hundred non-zero, tiny and domestic ones among them."""
    rng = np.random.default_rng(seed)
    minerals, stages = 9, 3
    chain = rng.random((minerals, stages)) < 0.7
    flows = np.zeros((minerals, stages, countries, countries))
    at = rng.integers(0, flows.size, 40 * countries)
    flows.ravel()[at] = rng.random(len(at)) * 10 ** rng.uniform(-12, 6, len(at))
    for c in range(0, countries, 3):
        flows[:, :, c, c] = rng.random((minerals, stages)) * 1e3
    return flows, chain


def assert_listed_as(listed, entries) -> None:
    """The listed foreign imports are `entries` (countries, lines, origins, tonnes) bit for bit."""
    for got, expected in zip((listed.row, listed.line, listed.origin, listed.tonnes), entries, strict=True):
        assert got.tobytes() == expected.tobytes()


@pytest.mark.parametrize(("seed", "countries"), [(0, 5), (1, 37), (2, 40), (3, 148)])
def test_line_flows_are_the_dense_sums_and_entries_bit_for_bit(seed, countries):
    flows, chain = random_flows(seed, countries)
    imports, exports, entries = dense_figures(flows, chain)
    line_flows = LineFlows.of(Sparse.of(flows), chain)
    assert line_flows.imports().tobytes() == imports.tobytes()
    assert line_flows.exports().tobytes() == exports.tobytes()
    assert_listed_as(line_flows.foreign_imports(), entries)


def test_a_world_without_flows_has_no_imports_or_exports():
    flows, chain = np.zeros((4, 3, 6, 6)), np.ones((4, 3), dtype=bool)
    line_flows = LineFlows.of(Sparse.of(flows), chain)
    assert not line_flows.imports().any() and not line_flows.exports().any()
    assert len(line_flows.foreign_imports().row) == 0


def stacked_line_figures(view, imports: np.ndarray, exports: np.ndarray) -> np.ndarray:
    """observe.line_figures as it was: the (C, M, S) arrays stacked, indexed, copied transposed."""
    chain, last = np.nonzero(view.chain), view.last
    own = (view.price, view.capacity, last.production, last.consumption, last.demand, view.stock)
    columns = np.empty((len(LINE_FIGURES), len(view.names.countries), len(chain[0])))
    columns[:8] = np.stack([*own, view.stockpile, last.shortage])[:, :, chain[0], chain[1]]
    columns[8] = np.median(columns[0], axis=0)
    columns[9] = view.reference_price[chain]
    columns[10], columns[11] = imports, exports
    return np.ascontiguousarray(columns.transpose(1, 2, 0))


@pytest.mark.parametrize(("copies", "turns"), [(1, 5), (4, 2)])
def test_a_played_worlds_line_figures_are_the_dense_ones_every_turn(copies, turns):
    world = "world-2024" if copies == 1 else copies_of_the_countries("world-2024", copies)
    model = WorldModel(world, seed=0)
    for _ in range(turns):
        model.step()
        view = model.views.turn_view()
        flows = model.views.last_flows(view)
        imports, exports, entries = dense_figures(flows.dense(), view.chain)
        line_flows = LineFlows.of(flows, view.chain)
        figures = line_figures(view, np.nonzero(view.chain), line_flows)
        assert figures.tobytes() == stacked_line_figures(view, imports, exports).tobytes()
        assert len(entries[0]) > 0
        assert_listed_as(line_flows.foreign_imports(), entries)


@pytest.mark.parametrize("length", [3, 8, 37, 128, 129, 148, 300, 1000])
def test_row_sums_from_entries_are_numpys_sums_of_the_dense_rows(length):
    rng = np.random.default_rng(length)
    dense = np.zeros((40, length))
    at = rng.integers(0, dense.size, 6 * length)
    signs = rng.choice([-1, 1], len(at))
    dense.ravel()[at] = signs * rng.random(len(at)) * 10 ** rng.uniform(-12, 6, len(at))
    dense[7] = rng.random(length)  # a full row
    rows, columns = np.nonzero(dense)
    order = rng.permutation(40)[rows].argsort(kind="stable")  # rows in a shuffled order, columns ascending
    totals = np.full(40, np.nan)
    entry_row_sums(rows, columns, dense[rows, columns], order, length, totals)
    filled = np.unique(rows)
    assert totals[filled].tobytes() == dense.sum(axis=1)[filled].tobytes()


def unravelled_entries(flows: Sparse, chain: np.ndarray) -> tuple[np.ndarray, ...]:
    """LineFlows.of's entries as it first found them: np.unravel_index, then the chain's lines kept."""
    line_at = np.full(chain.shape, -1, dtype=np.int64)
    line_at[chain] = np.arange(int(chain.sum()))
    mineral, stage, origin, destination = np.unravel_index(flows.at, flows.shape)
    line = line_at[mineral, stage]
    on = line >= 0
    return line[on], origin[on], destination[on], flows.values[on].astype(np.float64)


@pytest.mark.parametrize(
    ("seed", "countries", "dtype"), [(4, 5, np.float64), (5, 37, np.float32), (6, 148, np.float64)]
)
def test_the_chain_entries_are_the_unravelled_ones(seed, countries, dtype):
    flows, chain = random_flows(seed, countries)
    sparse = Sparse.of(flows.astype(dtype))
    line_flows = LineFlows.of(sparse, chain)
    found = (line_flows.line, line_flows.origin, line_flows.destination, line_flows.tonnes)
    for got, expected in zip(found, unravelled_entries(sparse, chain), strict=True):
        assert got.dtype == expected.dtype and got.tobytes() == expected.tobytes()
