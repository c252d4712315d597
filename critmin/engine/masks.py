"""Which of many actions are legal now: a fixed list read once, then judged on the state's arrays.

An RL environment asks every step whether each of its ~1,500 catalogue actions is legal.
`Catalogue(world, actions)` reads the list once and judges what cannot change in a run: each
action's form (`validated`), its names and stages (`rules.problems`' name checks) and the whole
check of a rule that reads nothing but the action (`rules.Rule.reads_state`). `legal(world)`
then judges the rest in the state of the moment, a rule at a time: what stockpile orders,
investments and programmes cost against each treasury in a few array operations
(stockpiles.order_costs, treasury.affordable_each), any other rule one action at a time
through its own rule's check. `Releases` judges stockpile releases of any tonnes on the
stockpile's array. Each verdict is `WorldModel.check(action) is None`
(tests/research/test_env.py::test_mask_allows_exactly_what_the_engine_accepts).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from critmin.core.actions import (
    MAX_FIGURE,
    ActionBase,
    ActionFormatError,
    BuyStockpile,
    FundProgram,
    Invest,
    ReleaseStockpile,
    validated,
)
from critmin.core.vocabulary import Mineral, Stage
from critmin.engine import rules, stockpiles, treasury
from critmin.engine.world import World


class Catalogue:
    """A fixed list of actions (None: no action), judged legal or not in any state of one run."""

    def __init__(self, world: World, actions: Sequence[ActionBase | None]) -> None:
        self.count = len(actions)
        self.standing = np.zeros(self.count, dtype=bool)  # could be legal in some state of the run
        orders: list[tuple[int, BuyStockpile]] = []
        costs: list[tuple[int, str, float]] = []  # paid by the treasury: investments, programmes
        self.others: list[tuple[int, ActionBase]] = []  # judged by their rule's check, one by one
        for k, action in enumerate(actions):
            checked = standing(world, action)
            if checked is None:
                continue
            self.standing[k] = True
            cost = treasury_cost(world, checked)
            if isinstance(checked, BuyStockpile):
                orders.append((k, checked))
            elif cost is not None:
                costs.append((k, checked.country, cost))
            elif rules.RULES[type(checked)].reads_state:
                self.others.append((k, checked))
        self.orders = stockpiles.Orders.of(world, [action for _, action in orders])
        self.order_at = np.array([k for k, _ in orders], dtype=np.int64)
        self.cost_at = np.array([k for k, _, _ in costs], dtype=np.int64)
        self.payers = np.array([world.index.country[c] for _, c, _ in costs], dtype=np.int64)
        self.costs = np.array([cost for _, _, cost in costs], dtype=float)

    def legal(self, world: World, asked: np.ndarray | None = None) -> np.ndarray:
        """(actions,) True where the action is legal in the world's state now.

        Actions judged one by one are judged only where `asked` ((actions,) bool) is True, if
        given; elsewhere they read False.
        """
        legal = self.standing.copy()
        order_costs = stockpiles.order_costs(world, self.orders)
        legal[self.order_at] &= treasury.affordable_each(world, self.orders.payers, order_costs)
        legal[self.cost_at] &= treasury.affordable_each(world, self.payers, self.costs)
        for k, action in self.others:
            legal[k] = (asked is None or bool(asked[k])) and rule_allows(world, action)
        return legal


class Releases:
    """Releases from the stockpile on fixed (country, mineral, stage) lines, judged for any tonnes.

    A release's names are fixed in a run and judged once; its tonnes against the bounds of the
    action's form (`validated`: > 0, <= MAX_FIGURE, finite) and `stockpiles.check_release` (no
    more than the stockpile holds) on the stockpile's array. Each verdict is
    `WorldModel.check(ReleaseStockpile(...)) is None` (tests/engine/test_masks.py).
    """

    def __init__(self, world: World, lines: Sequence[tuple[str, str, str]]) -> None:
        probes = [
            ReleaseStockpile(country=c, mineral=Mineral(m), stage=Stage(s), tonnes=1.0) for c, m, s in lines
        ]
        self.named = np.array([standing(world, probe) is not None for probe in probes], dtype=bool)
        shape = world.state.stockpile.shape
        self.at = np.array(
            [
                np.ravel_multi_index(world.position(*line), shape) if named else 0
                for line, named in zip(lines, self.named, strict=True)
            ],
            dtype=np.int64,
        ).reshape(len(lines))

    def legal(self, world: World, tonnes: np.ndarray) -> np.ndarray:
        """(lines,) True where releasing `tonnes` ((lines,)) from the line's stockpile is legal now."""
        held = world.state.stockpile.flat[self.at]
        return self.named & (tonnes > 0) & (tonnes <= MAX_FIGURE) & stockpiles.releasable(tonnes, held)


def rule_allows(world: World, action: ActionBase) -> bool:
    """True if the action's own rule allows it now (its names judged already: `standing`)."""
    return next(iter(rules.RULES[type(action)].check(world, action)), None) is None


def treasury_cost(world: World, action: ActionBase) -> float | None:
    """What a programme or an investment the treasury pays costs it (None for other actions)."""
    if isinstance(action, FundProgram):
        return action.usd_m
    if isinstance(action, Invest) and not action.firm:
        return treasury.capex_usd_m(world, action.mineral.value, action.stage.value, action.tonnes_per_year)
    return None


def standing(world: World, action: ActionBase | None) -> ActionBase | None:
    """The action as the engine reads it if nothing that stays fixed in a run forbids it, else None."""
    if action is None:
        return None
    try:
        checked = validated(action)
    except ActionFormatError:
        return None
    if next(rules.name_problems(world, checked), None) is not None:
        return None
    if not rules.RULES[type(checked)].reads_state and rules.check(world, checked) is not None:
        return None
    return checked
