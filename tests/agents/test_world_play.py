"""AI everywhere for 24 turns: under China's 2025 licences importers turn to other suppliers,
and India buys a smaller share of its heavy rare earths from China than in the 2024 world."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.engine.model import WorldModel

TURNS = 24
SEED = 11
IMPORTERS = ("IND", "USA", "EUU", "JPN", "KOR", "GBR")


def india_heavy_ree_share_from_china(model: WorldModel, last_turns: int = 4) -> float:
    """China's share of India's heavy-REE imports (refined + magnet) over the last turns."""
    india, china = model.index.country["IND"], model.index.country["CHN"]
    m = model.index.mineral["ree_heavy"]
    stages = [model.index.stage["refined"], model.index.stage["magnet"]]
    inflow = np.array([flows[m][stages][:, :, india] for flows in model.recorder.flows[-last_turns:]])
    inflow[..., india] = 0.0
    return float(inflow[..., china].sum() / inflow.sum())


@pytest.fixture(scope="module")
def runs():
    base, controlled = WorldModel("world-2024", seed=SEED), WorldModel("china-ree-controls-2025", seed=SEED)
    base.run(TURNS)
    controlled.run(TURNS)
    return base, controlled


def test_importers_sign_deals_with_suppliers_other_than_china(runs):
    _, controlled = runs
    signed = [controlled.deals.parties[e.target] for e in controlled.events if e.kind == "deal_signed"]
    with_others = {(seller, buyer) for seller, buyer in signed if buyer in IMPORTERS and seller != "CHN"}
    assert len({buyer for _, buyer in with_others}) >= 3, with_others
    assert any(buyer == "IND" for _, buyer in with_others)


def test_india_buys_less_of_its_heavy_rare_earths_from_china_than_in_2024(runs):
    base, controlled = runs
    before, after = india_heavy_ree_share_from_china(base), india_heavy_ree_share_from_china(controlled)
    assert before > 0.9
    assert after < before - 0.1


def test_ai_actions_are_mostly_legal(runs):
    _, controlled = runs
    acted = sum(len(turn) for turn in controlled.action_log)
    rejected = sum(e.kind == "action_rejected" for e in controlled.events)
    assert acted > 100
    assert rejected <= 0.05 * acted
