"""world-2024 with every country on its doctrine stays near its 2024 prices: the AI takes no trade
measure without a reason, and every measure it takes names its reason in its event."""

from __future__ import annotations

import re

import numpy as np
import pytest

from critmin.core.events import REASON_MARK
from critmin.engine.model import WorldModel
from critmin.scenarios import load_scenario

TURNS = 20
SEEDS = (1, 2, 3, 4, 5)
BAND = 0.25
MEASURES = ("control_imposed", "control_eased", "control_lifted", "tariff_set")
REASON = re.compile(rf"\({re.escape(REASON_MARK)}(?P<reason>.*)\)$")


def active_moves(model: WorldModel, start: np.ndarray) -> dict[str, float]:
    """Final price over start price of every active line: a country that produces or uses it."""
    first = model.recorder.countries[0]
    active = (first["production"] > 0) | (first["demand"] > 0) | (first["consumption"] > 0)
    ix = model.index
    return {
        f"{ix.countries[c]}/{ix.minerals[m]}/{ix.stages[s]}": float(
            model.state.price[c, m, s] / start[c, m, s]
        )
        for c, m, s in zip(*np.nonzero(active & (start > 0)), strict=True)
    }


@pytest.fixture(scope="module")
def runs():
    """Per seed: the active lines' price moves and the trade-measure events, AI everywhere."""
    scenario = load_scenario("world-2024")
    assert all(c.controller == "ai" for c in scenario.spec.countries)
    results = {}
    for seed in SEEDS:
        model = WorldModel(scenario, seed=seed)
        start = model.state.price.copy()
        model.run(TURNS)
        results[seed] = active_moves(model, start), [e for e in model.events if e.kind in MEASURES]
    return results


@pytest.mark.parametrize("seed", SEEDS)
def test_nine_in_ten_active_prices_end_within_a_quarter_of_their_start(runs, seed):
    """Seeds 1-5 give 95.5/94.9/98.9/97.3/91.2% of 627 active lines on main at 9df9ef6 (convenience
    yield, own-control storage, overhang; 92.7/91.9/99.2/94.6/87.2% before them: docs/mechanisms.md)."""
    moves, _ = runs[seed]
    within = np.mean([abs(ratio - 1) <= BAND for ratio in moves.values()])
    largest = sorted(moves.items(), key=lambda item: -abs(np.log(item[1])))[:5]
    assert within >= 0.9, f"seed {seed}: {within:.1%} within ±25%; largest moves {largest}"


def reason_of(event) -> str:
    """The reason a trade-measure event gives ('' if none)."""
    found = REASON.search(event.detail)
    return found["reason"].strip() if found else ""


def unreasoned(events) -> list[str]:
    """The sentences of trade-measure events that give no reason."""
    return [e.detail for e in events if not reason_of(e)]


def test_the_ai_takes_no_trade_measure_without_a_reason_in_a_no_shock_world(runs):
    for seed, (_, measures) in runs.items():
        assert not unreasoned(measures), f"seed {seed}"


def test_every_trade_measure_after_a_shock_names_its_reason():
    model = WorldModel("china-ree-controls-2025", seed=1)
    model.run(12)
    measures = [e for e in model.events if e.kind in MEASURES]
    scripted = {str(e.title) for e in model.world_scenario.spec.events}
    by_the_ai = [e for e in measures if reason_of(e) and reason_of(e) not in scripted]
    assert len(by_the_ai) >= 3, "the AI answers the controls with measures of its own"
    assert not unreasoned(measures)
