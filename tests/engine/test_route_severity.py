"""The routes under control kept sparse (engine/route_severity.py) read as the dense severity did."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.engine.dynamics import control_exposure
from critmin.engine.route_exports import RouteExports
from critmin.engine.route_severity import RouteSeverity


def random_severity(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """(M, S, C, C) severity on a few exporters' rows: standing, binding, banned, some routes 0."""
    severity = np.zeros(shape)
    for _ in range(6):
        m, s, exporter = rng.integers(shape[0]), rng.integers(shape[1]), rng.integers(shape[2])
        severity[m, s, exporter] = rng.choice([0.0, 0.25, 0.8, 1.0], size=shape[3]) * rng.random(shape[3])
        severity[m, s, exporter, exporter] = 0.0
    return severity


SHAPES = [(5, 2, 2), (9, 4, 2), (37, 20, 3), (148, 20, 3)]  # countries, minerals, stages


@pytest.mark.parametrize(("countries", "minerals", "stages"), SHAPES)
def test_exposure_over_the_controlled_routes_equals_the_dense_einsum_bit_for_bit(countries, minerals, stages):
    rng = np.random.default_rng(countries)
    shape = (minerals, stages, countries, countries)
    history = rng.lognormal(3, 2, shape) * (rng.random(shape) < 0.5)
    recent = history.transpose(2, 0, 1, 3)  # laid out as the export history's mean is
    severity = random_severity(rng, shape)
    domestic = rng.lognormal(3, 2, (countries, minerals, stages))
    routes = np.flatnonzero(history)  # the routes shipped on, as the export history keeps them
    shipped = RouteExports(routes, history.reshape(-1)[routes], shape)
    exposure = control_exposure(shipped, domestic, RouteSeverity.of_dense(severity))
    controlled = np.einsum("imsj,msij->jms", recent, severity)  # the dense rule it replaces
    supply = recent.sum(axis=0).transpose(2, 0, 1) + domestic
    expected = np.divide(controlled, supply, out=np.zeros_like(supply), where=supply > 0)
    assert exposure.tobytes() == expected.tobytes()
    assert (exposure > 0).any()


def test_no_route_under_control_exposes_no_one():
    recent = RouteExports.of_flows(np.ones((2, 1, 3, 3)))
    exposure = control_exposure(recent, np.ones((3, 2, 1)), RouteSeverity.none())
    assert exposure.dtype == np.float64 and not exposure.any()


def test_the_markets_severities_keep_their_non_zero_routes_in_the_dense_layout():
    rng = np.random.default_rng(5)
    shape = (4, 3, 6, 6)
    dense = random_severity(rng, shape)
    lines = np.nonzero(dense.any(axis=(2, 3)))  # ascending by mineral, then stage
    kept = RouteSeverity.of_markets(lines, dense[lines], shape[1])
    assert np.array_equal(kept.at, np.flatnonzero(dense))
    assert kept.dense(shape).tobytes() == dense.tobytes()
    assert (kept.values > 0).all()
