"""Property tests of the world's invariants under random legal play.

Mass balance, nothing on a banned route, quotas held up to their leakage, no negative stock,
money conserved except declared sinks.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from critmin.agents.controllers import QueuedController
from critmin.core.actions import ImposeExportControl
from critmin.core.vocabulary import Mineral, Stage
from critmin.engine.model import WorldModel

TOLERANCE = 1e-6
COUNTRIES = ("CHN", "IND", "AUS")
EXTRA_ACTIONS = [
    ImposeExportControl(
        country="CHN",
        mineral=Mineral.REE_HEAVY,
        stages=(Stage.MAGNET,),
        regime="quota",
        quota_tonnes_per_year=100.0,
        leakage=0.2,
    ),
    ImposeExportControl(
        country="CHN", mineral=Mineral.LITHIUM, stages=(Stage.REFINED,), regime="ban", destinations=("IND",)
    ),
    ImposeExportControl(
        country="AUS",
        mineral=Mineral.LITHIUM,
        stages=(Stage.MINE,),
        regime="licence",
        approval_share=0.3,
        delay_turns=2,
    ),
]


def goods(model: WorldModel) -> np.ndarray:
    """Every tonne held anywhere, per (mineral, stage)."""
    s = model.state
    held = s.producer_stock + s.feed_stock + s.consumer_stock + s.stockpile + s.in_transit.sum(axis=0)
    return held.sum(axis=0)


def money(model: WorldModel) -> float:
    """Governments', industries' and firms' money."""
    state = model.state
    return float(state.treasury.sum() + state.industry.sum() + state.firm_cash.sum())


def check_turn(model: WorldModel, goods_before, money_before, ledger_before) -> None:
    last, state = model.last, model.state
    made = (last.production + last.recycled - last.feed_used - last.consumption).sum(axis=0)
    np.testing.assert_allclose(goods(model) - goods_before, made, atol=TOLERANCE * (1 + np.abs(made).max()))
    for array in (
        state.producer_stock,
        state.feed_stock,
        state.consumer_stock,
        state.stockpile,
        state.in_transit,
    ):
        assert array.min() >= -TOLERANCE
    assert last.flows.min() >= -TOLERANCE
    sinks = sum(model.ledger.values()) - ledger_before
    assert abs(money(model) - money_before + sinks) < 1e-6 * (1 + abs(money_before))
    for (country, mineral, stage), control in model.policies.controls.items():
        c, m, s = model.position(country, mineral, stage)
        exports = last.flows[m, s, c].copy()
        exports[c] = 0.0
        banned = [j for code, j in model.index.country.items() if control.bans(code)]
        assert not banned or exports[banned].max() <= TOLERANCE
        assert exports.sum() <= control.cap() + TOLERANCE  # a quota, leakage included (inf otherwise)


def recycled_over_checked_turns(model: WorldModel, turns: int) -> float:
    """Play `turns` turns, checking mass and money each turn; the tonnes recycled over them."""
    recycled = 0.0
    for _ in range(turns):
        before = (goods(model), money(model), sum(model.ledger.values()))
        model.step()
        check_turn(model, *before)
        recycled += model.last.recycled.sum()
    return recycled


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), seed=st.integers(0, 2**16))
def test_invariants_hold_under_random_legal_play(tiny, data, seed):
    controllers = {code: QueuedController() for code in COUNTRIES}
    model = WorldModel(tiny, seed=seed, controllers=controllers)
    for _ in range(6):
        for code in COUNTRIES:
            menu = model.legal_actions(code) + [a for a in EXTRA_ACTIONS if a.country == code]
            picks = data.draw(st.lists(st.sampled_from(menu), max_size=3), label=f"{code} turn {model.turn}")
            model.submit(code, picks)
        before = (goods(model), money(model), sum(model.ledger.values()))
        model.step()
        check_turn(model, *before)
