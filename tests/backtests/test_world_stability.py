"""world-2024 and world-2023 without new controls stay near their starting prices: the dynamics
add no drift of their own when nothing happens."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.agents.controllers import DefaultController
from critmin.engine.model import WorldModel
from critmin.scenarios import load_scenario

TURNS = 20
SEEDS = (0, 1, 2)


@pytest.fixture(scope="module", params=["world-2024", "world-2023"])
def final_prices(request):
    """Final-stage price of each mineral over reference, median over countries, per seed."""
    scenario = load_scenario(request.param)
    controllers = {c.iso3: DefaultController() for c in scenario.spec.countries}
    ratios = []
    for seed in SEEDS:
        model = WorldModel(scenario, seed=seed, controllers=controllers)
        model.run(TURNS)
        minerals = np.arange(len(model.index.minerals))
        stages = model.constants.final_stage
        prices = np.median(model.state.price[:, minerals, stages], axis=0)
        ratios.append(prices / model.constants.reference_price[minerals, stages])
    return model.index.minerals, np.median(ratios, axis=0)


def test_every_mineral_ends_within_half_and_twice_its_reference_price(final_prices):
    minerals, ratios = final_prices
    outside = {m: round(float(r), 2) for m, r in zip(minerals, ratios, strict=True) if not 0.5 <= r <= 2.0}
    assert not outside, f"final-stage prices off their starting level after {TURNS} turns: {outside}"
