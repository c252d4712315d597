"""China's 2025 licence regime: once it bites, heavy-REE prices outside China rise above their
world-2024 level while China's domestic price does not."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.engine.model import WorldModel

TURNS = 6
OUTSIDE = ("JPN", "IND", "USA", "EUU", "KOR")


@pytest.fixture(scope="module")
def runs():
    base, controlled = WorldModel("world-2024", seed=5), WorldModel("china-ree-controls-2025", seed=5)
    base.run(TURNS)
    controlled.run(TURNS)
    return base, controlled


@pytest.mark.parametrize("stage", ["refined", "magnet"])
def test_heavy_ree_prices_rise_outside_china_but_not_inside(runs, stage):
    base, controlled = runs
    china, m, s = base.position("CHN", "ree_heavy", stage)
    outside = [base.index.country[c] for c in OUTSIDE]
    assert controlled.state.price[outside, m, s].min() > 1.5 * base.state.price[outside, m, s].max()
    assert controlled.state.price[china, m, s] <= base.state.price[china, m, s]


def test_licence_cuts_chinese_exports_and_leaves_importers_short(runs):
    base, controlled = runs
    china, m, s = base.position("CHN", "ree_heavy", "magnet")
    assert controlled.last.exports()[china, m, s] < 0.7 * base.last.exports()[china, m, s]
    importers = [base.index.country[c] for c in OUTSIDE]
    short = controlled.last.shortage[importers, m, s].sum()
    assert short > 0.05 * controlled.last.demand[importers, m, s].sum()
    assert np.isclose(
        base.last.shortage[importers, m, s].sum(), 0.0, atol=0.05 * base.last.demand[importers, m, s].sum()
    )
