"""The routes under control kept sparse (engine/route_severity.py) read as the dense severity did."""

from __future__ import annotations

from dataclasses import fields
from types import SimpleNamespace

import numpy as np
import pytest

from critmin.engine.dynamics import control_exposure, control_severity
from critmin.engine.policies import RouteRules
from critmin.engine.route_exports import RouteExports
from critmin.engine.route_severity import RouteSeverity
from critmin.engine.trade import controls_severity
from critmin.scenarios.schema import MarketSettings


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


def test_the_rows_severities_keep_their_non_zero_routes_in_the_dense_layout():
    rng = np.random.default_rng(5)
    shape = (4, 3, 6, 6)
    dense = random_severity(rng, shape)
    rows = np.flatnonzero(dense.any(axis=3))  # flat (M, S, C_exporter), ascending
    kept = RouteSeverity.of_rows(rows, dense.reshape(-1, shape[3])[rows])
    assert np.array_equal(kept.at, np.flatnonzero(dense))
    assert kept.dense(shape).tobytes() == dense.tobytes()
    assert (kept.values > 0).all()


def random_rules(rng: np.random.Generator, n: int) -> RouteRules:
    """One market's rules: a few exporters under a quota, a licence or a ban on some routes."""
    rules = RouteRules.unrestricted(n)
    quota, licence, ban = rng.choice(n, 3, replace=False)
    rules.export_cap[quota] = rng.uniform(0, 50)
    rules.licensed[licence, rng.random(n) < 0.5] = True
    rules.licence_cap[licence] = rng.uniform(0, 50)
    rules.route_open[ban, rng.random(n) < 0.3] = False
    return rules


@pytest.mark.parametrize("n", [6, 30, 148])  # 148 > 128: numpy's row sums split in halves
def test_severity_on_the_controlled_exporters_rows_equals_the_markets_stack(n):
    rng = np.random.default_rng(11)
    settings = MarketSettings()
    rules = [random_rules(rng, n) for _ in range(4)]
    flows = np.where(rng.random((4, n, n)) < 0.4, rng.lognormal(2, 2, (4, n, n)), 0.0)
    stack = RouteRules(
        **{item.name: np.array([getattr(r, item.name) for r in rules]) for item in fields(RouteRules)}
    )
    stacked = control_severity(stack, flows, settings)  # the markets' (K, C, C) rule, as settling used it
    batch = SimpleNamespace(
        full_rules=[*rules, None], mineral=np.array([0, 1, 1, 2, 2]), stage=np.array([1, 0, 2, 0, 1])
    )
    turn_flows = np.zeros((3, 3, n, n))
    turn_flows[batch.mineral[:4], batch.stage[:4]] = flows
    kept = controls_severity(batch, turn_flows, settings)
    dense = np.zeros(turn_flows.shape)
    dense[batch.mineral[:4], batch.stage[:4]] = stacked
    assert kept.dense(turn_flows.shape).tobytes() == dense.tobytes()
    assert 0 < len(kept.at) < stacked.size
    assert np.array_equal(np.unique(kept.at // n), np.sort(np.flatnonzero(dense.any(axis=3))))
