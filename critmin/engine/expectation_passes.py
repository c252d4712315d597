"""The account phase's expectations and inventory targets in two compiled passes.

The rules are dynamics' `update_expectations`, then the shortage share and
`update_inventory_targets` (`supply_risk`, `desired_inventory`), restated cell by cell with
numpy's operations in the same order (numpy's maximum, minimum and clip, its masked divisions):
the first pass moves the expected and long-run prices and works out what the logarithms and the
power take, numpy takes them (`log` and `**` stay numpy's), the second pass does the rest.
tests/engine/test_expectation_passes.py holds the result to the array rules bit for bit (a NaN, which
no played state holds, keeps no sign or payload of its own: the compiler may take either operand's).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from critmin.engine import dynamics
from critmin.engine.dynamics import TINY_PRICE
from critmin.engine.numpy_scalars import maximum, minimum
from critmin.engine.state import Constants, WorldState
from critmin.engine.world import World


def update_world(world: World) -> None:
    """`update` at the turn's prices before clearing and the share of final needs left short."""
    last = world.last
    update(world.state, world.constants, world.settings, world.price_before, last.shortage, last.demand)


def update(
    state: WorldState, constants: Constants, settings, previous_price: np.ndarray, short, need
) -> None:
    """`update_expectations`, then `update_inventory_targets` with the share of `need` left `short`.

    The expected, long-run prices, trend and inventory target move in place; the supply risk is
    a new array, as the rules leave them.
    """
    written = (state.expected_price, state.long_run_price, state.price_trend, state.inventory_target)
    if not all(array.flags.c_contiguous for array in written):  # the passes write them through flat views
        dynamics.update_expectations(state, settings, previous_price)
        share = np.divide(short, need, out=np.zeros_like(short), where=need > 0)
        dynamics.update_inventory_targets(state, constants, settings, share)
        return
    shape = state.price.shape
    previous_price, short, need = (np.ascontiguousarray(a) for a in (previous_price, short, need))
    working = np.ascontiguousarray(np.broadcast_to(constants.working_cover, shape), dtype=np.float64)
    weights = np.array(
        [settings.price_expectation_weight, settings.long_run_price_weight, settings.announcement_exposure],
        dtype=np.float64,
    )
    moves = np.empty((5, *shape))  # what the two logs and the power take; the exposure; the shortage share
    state_parts = (state.price, *written[:2], state.control_exposure)
    state_parts = tuple(np.ascontiguousarray(a) for a in (*state_parts, state.news_exposure))
    first_pass(*state_parts, previous_price, short, need, constants.reference_price, weights, moves)
    change, ratio = np.log(moves[0]), np.log(moves[1])
    held = moves[2] ** settings.inventory_affordability_exponent
    numbers = np.array(
        [
            settings.price_trend_weight,
            settings.inventory_gain_controls,
            settings.inventory_gain_shortage,
            settings.inventory_gain_price,
            settings.inventory_target_quarters,
            settings.inventory_gain_trend,
            settings.inventory_target_min_quarters,
            settings.inventory_target_max_quarters,
            settings.inventory_adjustment_per_turn,
        ],
        dtype=np.float64,
    )
    risk = np.empty(shape)
    second_pass(
        change,
        ratio,
        held,
        moves[3],
        moves[4],
        working,
        numbers,
        state.price_trend,
        state.inventory_target,
        risk,
    )
    state.supply_risk = risk


@nb.njit(cache=True, nogil=True, error_model="numpy")
def first_pass(
    price,
    expected,
    long_run,
    control_exposure,
    news_exposure,
    previous,
    short,
    need,
    reference,
    weights,
    moves,
):
    """Expected and long-run prices moved (in place), and into `moves` what the second pass reads.

    `moves`: the price change and the price ratio the logs take, the affordable share the power
    takes, the exposure to controls and the shortage share.
    """
    lines = reference.reshape(-1)  # (M, S): the (C, M, S) cell i = c M S + j is on line j
    expected_weight, long_run_weight, announced = weights[0], weights[1], weights[2]
    price, expected, long_run = price.reshape(-1), expected.reshape(-1), long_run.reshape(-1)
    control_exposure, news_exposure = control_exposure.reshape(-1), news_exposure.reshape(-1)
    previous, short, need = previous.reshape(-1), short.reshape(-1), need.reshape(-1)
    change, ratio, affordable = moves[0].reshape(-1), moves[1].reshape(-1), moves[2].reshape(-1)
    exposure, shortage = moves[3].reshape(-1), moves[4].reshape(-1)
    for c in range(price.size // lines.size):
        for j in range(lines.size):
            i, line_reference = c * lines.size + j, lines[j]
            expected[i] += expected_weight * (price[i] - expected[i])
            long_run[i] += long_run_weight * (price[i] - long_run[i])
            change[i] = maximum(price[i], TINY_PRICE) / maximum(previous[i], TINY_PRICE)
            ratio[i] = maximum(expected[i] / line_reference if line_reference > 0 else 1.0, TINY_PRICE)
            affordable[i] = minimum(long_run[i] / price[i] if price[i] > 0 else 1.0, 1.0)
            exposure[i] = maximum(control_exposure[i], announced * news_exposure[i])
            shortage[i] = short[i] / need[i] if need[i] > 0 else 0.0


@nb.njit(cache=True, nogil=True, error_model="numpy")
def second_pass(change, ratio, held, exposure, shortage, working, numbers, trend, target, risk):
    """The price trend and inventory target moved (in place), the supply risk into `risk`."""
    trend_weight, gain_controls, gain_shortage, gain_price = numbers[0], numbers[1], numbers[2], numbers[3]
    base, gain_trend, low, high, adjustment = numbers[4], numbers[5], numbers[6], numbers[7], numbers[8]
    change, ratio, held, exposure, shortage = (
        change.reshape(-1),
        ratio.reshape(-1),
        held.reshape(-1),
        exposure.reshape(-1),
        shortage.reshape(-1),
    )
    working, trend, target, risk = (
        working.reshape(-1),
        trend.reshape(-1),
        target.reshape(-1),
        risk.reshape(-1),
    )
    for i in range(trend.size):
        trend[i] += trend_weight * (change[i] - trend[i])
        premium = maximum(ratio[i], 0.0)
        risk[i] = gain_controls * exposure[i] + gain_shortage * shortage[i] + gain_price * premium
        desired = base * (1 + risk[i] * held[i]) + gain_trend * trend[i] + working[i]
        desired = minimum(maximum(desired, low + working[i]), high + working[i])
        target[i] += adjustment * (desired - target[i])
