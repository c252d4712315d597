"""Producers under their own country's licence or ban hold out for the expected price
(engine/controlled_storage.py)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from critmin.engine.controlled_storage import storage_price_shares
from critmin.engine.policies import RouteRules
from critmin.scenarios.schema import MarketSettings

SETTINGS = MarketSettings(producer_storage_price_share=0.8, controlled_storage_price_share=1.0)
INDEX = SimpleNamespace(mineral={"ree_heavy": 0}, stage={"mine": 0, "refined": 1})
SHAPE = (3, 1, 2)


def shares_under(**changes) -> np.ndarray:
    """The storage price shares with one market (ree_heavy refined) under the given rules."""
    rules = RouteRules.unrestricted(3)
    for name, (at, value) in changes.items():
        getattr(rules, name)[at] = value
    return storage_price_shares({("ree_heavy", "refined"): rules}, INDEX, SHAPE, SETTINGS)


def test_a_licensing_exporter_holds_out_for_the_expected_price_on_that_line_only():
    shares = shares_under(licensed=((0, 2), True))
    assert shares[0, 0, 1] == pytest.approx(1.0)
    assert shares[0, 0, 0] == pytest.approx(0.8)  # its mines: no control
    assert shares[1:, 0, 1] == pytest.approx(0.8)  # other producers of the line


def test_a_ban_on_one_route_counts_as_the_exporters_own_control():
    assert shares_under(route_open=((1, 0), False))[1, 0, 1] == pytest.approx(1.0)


def test_a_quota_alone_may_not_bind_and_changes_nothing():
    shares = shares_under(export_cap=(0, 100.0))
    assert shares == pytest.approx(np.full(SHAPE, 0.8))
