"""Exports kept over the routes shipped on (engine/route_exports.py) read as the dense arrays did."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.engine.exports import home_tonnes, mean_of
from critmin.engine.model import WorldModel
from critmin.engine.records import Sparse
from critmin.engine.route_exports import RouteExports


def dense(exports: RouteExports) -> np.ndarray:
    """The (M, S, C, C) array the routes stand for."""
    out = np.zeros(exports.shape)
    out.reshape(-1)[exports.at] = exports.tonnes
    return out


def random_flows(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """(M, S, C, C) flows, most routes empty, some domestic."""
    return np.where(rng.random(shape) < 0.2, rng.lognormal(2, 3, shape), 0.0)


@pytest.mark.parametrize("turns", [1, 2, 4])
def test_mean_of_the_history_is_the_dense_sum_over_its_length_bit_for_bit(turns):
    rng = np.random.default_rng(turns)
    shape = (3, 2, 9, 9)
    flows = [random_flows(rng, shape) for _ in range(turns)]
    foreign = [turn * (1 - np.eye(shape[-1])) for turn in flows]
    expected = sum(foreign[1:], foreign[0]) / len(foreign)  # the dense mean, added first to last
    mean = mean_of([RouteExports.of_flows(turn) for turn in flows])
    assert dense(mean).tobytes() == expected.tobytes()
    assert (np.diff(mean.at) > 0).all() and (mean.tonnes != 0).all()


@pytest.mark.parametrize("countries", [5, 37, 148])
def test_imports_rows_and_routes_read_as_the_dense_recent_exports(countries):
    rng = np.random.default_rng(countries)
    shape = (4, 3, countries, countries)
    exports = mean_of([RouteExports.of_flows(random_flows(rng, shape)) for _ in range(4)])
    recent = dense(exports).transpose(2, 0, 1, 3)  # (C_exporter, M, S, C_importer), as the history's mean was
    assert exports.imports().tobytes() == recent.sum(axis=0).transpose(2, 0, 1).tobytes()
    for m, s, exporter in [(0, 0, 0), (3, 2, countries - 1), (1, 1, countries // 2)]:
        row = exports.row(m, s, exporter)
        assert row.tobytes() == recent[exporter, m, s].tobytes() and row.sum() == recent[exporter, m, s].sum()
    routes = rng.choice(np.prod(shape), 50, replace=False)
    routes.sort()
    assert exports.at_routes(routes).tobytes() == dense(exports).reshape(-1)[routes].tobytes()
    assert not RouteExports.none(shape).at_routes(routes).any()


def test_the_history_keeps_each_turns_foreign_exports():
    model = WorldModel("world-2024", seed=0)
    flows = []
    for _ in range(model.world.settings.export_history_turns + 2):
        model.step()
        flows.append(model.world.last.flows.copy())
    history = model.world.export_history
    assert len(history) == model.world.settings.export_history_turns
    for turn, kept in zip(reversed(flows), history, strict=False):
        assert dense(kept).tobytes() == (turn * (1 - np.eye(turn.shape[-1]))).tobytes()


def test_exports_of_the_non_zero_entries_are_those_of_the_dense_flows():
    flows = random_flows(np.random.default_rng(4), (3, 2, 6, 6))
    of_entries, of_flows = RouteExports.of_entries(Sparse.of(flows)), RouteExports.of_flows(flows)
    assert of_entries.at.tobytes() == of_flows.at.tobytes()
    assert of_entries.tonnes.tobytes() == of_flows.tonnes.tobytes() and of_entries.shape == of_flows.shape


@pytest.mark.parametrize("countries", [5, 37, 148])
def test_home_tonnes_are_the_flows_diagonal_laid_out_as_numpy_walks_it(countries):
    rng = np.random.default_rng(countries)
    shape = (4, 3, countries, countries)
    flows = np.where(rng.random(shape) < 0.2, rng.lognormal(2, 2, shape), 0.0)
    view = np.diagonal(flows, axis1=2, axis2=3).transpose(2, 0, 1)
    home = home_tonnes(Sparse.of(flows)).transpose(2, 0, 1)
    assert home.tobytes() == view.tobytes() and view.any()
    assert np.argsort(home.strides).tolist() == np.argsort(view.strides).tolist()  # the same axis order
    other = rng.lognormal(1, 1, view.shape)
    for total in (lambda d: d.sum(), lambda d: d.sum(axis=0), lambda d: (other + d).sum(axis=(1, 2))):
        assert total(home).tobytes() == total(view).tobytes()
