"""The recorder keeps each turn's figures as their non-zero entries and gives back the dense arrays.

What it gives back equals what the dense computations give: flows, measures, the embedded
dependence on the top foreign supplier, and the tables; and it keeps less than 100 KiB a turn
of world-2024.
"""

from __future__ import annotations

import numpy as np
import pytest

from critmin.engine.bench import recorded_bytes
from critmin.engine.dependence import embedded_dependence, top_foreign_supplier, top_foreign_suppliers
from critmin.engine.model import WorldModel
from critmin.engine.records import Sparse, foreign_exports, foreign_imports, off_diagonal

TURNS = 5


@pytest.fixture(scope="module")
def played():
    """world-2024 after TURNS turns, with each turn's dense flows and measures as the turn left them."""
    model = WorldModel("world-2024", seed=2)
    flows, measures = [], []
    for _ in range(TURNS):
        model.step()
        flows.append(model.last.flows.copy())
        measures.append({k: v.copy() for k, v in model.recorder.countries[-1].items()})
    return model, flows, measures


def test_sparse_arrays_give_back_the_same_array_and_dtype():
    rng = np.random.default_rng(0)
    values = np.where(rng.random((4, 3, 5)) < 0.2, rng.normal(size=(4, 3, 5)), 0.0)
    for array in (values, (values * 10).astype(np.int64), np.zeros((2, 2))):
        kept = Sparse.of(array)
        assert kept.at.dtype == np.int32 and kept.values.size == np.count_nonzero(array)
        np.testing.assert_array_equal(kept.dense(), array)
        assert kept.dense().dtype == array.dtype


def test_every_turns_flows_and_measures_read_back_as_they_were(played):
    model, flows, measures = played
    assert len(model.recorder.flows) == len(model.recorder.countries) == TURNS
    for k in range(TURNS):
        np.testing.assert_array_equal(model.recorder.flows[k], flows[k])
        for name, values in measures[k].items():
            np.testing.assert_array_equal(model.recorder.countries[k][name], values, err_msg=name)
        imports = off_diagonal(flows[k]).sum(axis=2).transpose(2, 0, 1)
        np.testing.assert_array_equal(model.recorder.countries[k]["imports"], imports)
    assert [f.shape for f in model.recorder.flows[-2:]] == [flows[-2].shape, flows[-1].shape]


def test_the_embedded_dependence_equals_the_dense_computation(played):
    model, flows, _ = played
    chain = model.constants.chain
    for k in range(TURNS):
        share, supplier = top_foreign_supplier(embedded_dependence(flows[k], chain), flows[k])
        np.testing.assert_allclose(
            model.recorder.countries[k]["embedded_dependence"], share, rtol=0, atol=1e-12
        )
        np.testing.assert_array_equal(model.recorder.countries[k]["embedded_supplier"], supplier)


def test_the_sparse_dependence_follows_the_feed_as_the_dense_one_does():
    flows = np.zeros((1, 3, 3, 3))  # A mines and refines, B makes magnets of A's and C's oxide
    flows[0, 0, 0, 0], flows[0, 1, 0, 1], flows[0, 1, 2, 1] = 10.0, 6.0, 2.0
    flows[0, 2, 1, 1], flows[0, 2, 2, 1] = 4.0, 4.0
    chain = np.ones((1, 3), dtype=bool)
    at = np.flatnonzero(flows)
    share, supplier = top_foreign_suppliers(at, flows.ravel()[at], flows.shape, chain)
    assert share[1, 0, 2] == pytest.approx(0.625) and supplier[1, 0, 2] == 2  # C: its magnets and oxide
    dense_share, dense_supplier = top_foreign_supplier(embedded_dependence(flows, chain), flows)
    np.testing.assert_array_equal(share, dense_share)
    np.testing.assert_array_equal(supplier, dense_supplier)


def test_the_flows_table_lists_every_international_flow_above_zero(played):
    model, flows, _ = played
    table = model.recorder.flows_table().to_pandas()
    expected = sum(int(np.count_nonzero(off_diagonal(f) > 1e-9)) for f in flows)
    assert len(table) == expected
    last = table[table["turn"] == model.recorder.turns[-1]]
    ix = model.index
    for row in last.head(20).itertuples():
        at = (
            ix.mineral[row.mineral],
            ix.stage[row.stage],
            ix.country[row.exporter],
            ix.country[row.importer],
        )
        assert row.tonnes == flows[-1][at]


def test_world_2024_keeps_less_than_100_kib_a_turn():
    model = WorldModel("world-2024", seed=1)
    model.run(2)
    before = recorded_bytes(model.recorder)
    model.run(6)
    per_turn = (recorded_bytes(model.recorder) - before) / 6
    assert 10_000 < per_turn <= 100 * 1024


def test_nothing_recorded_reads_as_empty(tiny):
    model = WorldModel(tiny, seed=0)
    assert not model.recorder.countries and len(model.recorder.flows) == 0
    with pytest.raises(IndexError):
        model.recorder.flows[-1]
    share, supplier = model.recorder.last_embedded()
    assert not share.any() and not supplier.any()


@pytest.mark.parametrize("countries", [9, 37, 148])
def test_imports_and_exports_from_the_non_zero_flows_are_the_dense_sums_bit_for_bit(countries):
    rng = np.random.default_rng(countries)
    shape = (4, 3, countries, countries)
    flows = np.where(rng.random(shape) < 0.2, rng.lognormal(2, 4, shape), 0.0)
    sparse = Sparse.of(flows)
    imports, exports = foreign_imports(sparse), foreign_exports(sparse)
    dense_imports = off_diagonal(flows).sum(axis=2).transpose(2, 0, 1)
    dense_exports = off_diagonal(flows).sum(axis=3).transpose(2, 0, 1)
    assert imports.strides == dense_imports.strides and exports.strides == dense_exports.strides
    assert imports.tobytes() == dense_imports.tobytes() and exports.tobytes() == dense_exports.tobytes()


def test_the_flows_trade_found_are_the_non_zero_entries_of_the_turns_flows():
    model = WorldModel("world-2024", seed=1, record_hashes=False)
    for _ in range(3):
        model.step()
        found, scanned = model.last.flow_entries(), Sparse.of(model.last.flows)
        assert model.last.found_flows is not None and found is model.last.found_flows[1]
        assert (
            found.at.tobytes() == scanned.at.tobytes() and found.values.tobytes() == scanned.values.tobytes()
        )
        assert len(found.at) > 0
    model.last.flows = model.last.flows.copy()  # flows set anew: the entries are scanned again
    assert model.last.flow_entries() is not model.last.found_flows[1]


def test_sparse_among_routes_drops_the_zeros_among_them():
    array = np.zeros((2, 3, 4))
    array.ravel()[[3, 7, 20]] = [1.5, -2.0, 4.0]
    among = Sparse.among(array, np.array([3, 5, 7, 20, 21]))
    assert among.at.tolist() == [3, 7, 20] and among.values.tolist() == [1.5, -2.0, 4.0]
    assert among.at.dtype == Sparse.of(array).at.dtype


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_sparse_dependence_reuses_its_work_arrays_line_after_line_as_fresh_ones(seed):
    rng = np.random.default_rng(seed)
    shape = (4, 3, 9, 9)  # buyers differ from line to line; one chain skips its middle stage
    flows = np.where(rng.random(shape) < 0.25, rng.lognormal(1, 2, shape), 0.0)
    chain = np.ones(shape[:2], dtype=bool)
    chain[2, 1] = False
    at = np.flatnonzero(flows)
    share, supplier = top_foreign_suppliers(at, flows.ravel()[at], shape, chain)
    dense_share, dense_supplier = top_foreign_supplier(embedded_dependence(flows, chain), flows)
    on_chain = np.broadcast_to(chain, share.shape)
    assert share[on_chain].tobytes() == dense_share[on_chain].tobytes()
    assert supplier[on_chain].tobytes() == dense_supplier[on_chain].tobytes()
    assert share[on_chain].any()


def test_a_turn_before_it_trades_reads_shared_read_only_zero_flows():
    model = WorldModel("world-2024", seed=1, record_hashes=False)
    model.step()
    traded = model.last.flows
    model.begin_turn()
    before = model.last.flows
    assert not before.any() and before.shape == traded.shape and not before.flags.writeable
    assert traded.any() and traded.flags.writeable
    model.begin_turn()
    assert model.last.flows is before
