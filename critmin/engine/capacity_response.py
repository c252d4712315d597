"""Producers' response to margins (`capacity.respond_to_margins`) in two compiled passes.

The rules are dynamics' `adjust_utilisation`, `close_capacity` and `investment_orders` on one
`Margins`, restated cell by cell with numpy's operations in the same order (numpy's maximum,
minimum and clip, its division rules, the pipeline summed row after row as numpy sums axis 0):
the first pass works out the margin ratios and the relative margin at expected prices, numpy
the share of idle capacity in the money (log and erf stay numpy's), the second pass the rest.
tests/engine/test_capacity_response.py holds the result to the array rules bit for bit.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from critmin.core.vocabulary import TURNS_PER_YEAR
from critmin.engine import dynamics
from critmin.engine.margin_ratios import margin_ratios
from critmin.engine.numpy_scalars import maximum, minimum
from critmin.engine.state import Constants, WorldState


def respond(state: WorldState, constants: Constants, settings) -> np.ndarray:
    """Utilisation and capacity after this turn's margins (set in the state); returns the investment orders.

    The values of `adjust_utilisation`, `close_capacity` and `investment_orders` called in turn:
    a new utilisation array, capacity closed in place, (C, M, S) tonnes per year ordered.
    """
    read_flat = (state.capacity, state.utilisation, state.normal_utilisation, state.construction)
    if not all(array.flags.c_contiguous for array in read_flat):  # the second pass reads them flat
        margins = dynamics.Margins(state, constants)
        dynamics.adjust_utilisation(state, constants, settings, margins)
        dynamics.close_capacity(state, constants, settings, margins)
        return dynamics.investment_orders(state, constants, settings, margins)
    shape = state.capacity.shape
    reference = np.ascontiguousarray(np.broadcast_to(constants.reference_price[None], shape))
    prices = (
        reference,
        np.ascontiguousarray(state.expected_price),
        np.ascontiguousarray(state.long_run_price),
    )
    ratios, margin = np.empty((4, *shape)), np.empty(shape)
    on_chain = constants.chain.astype(float)
    relative_margins(
        *prices, state.unit_cost, constants.yield_share, on_chain, constants.reference_price, ratios, margin
    )
    restarted = dynamics.idle_in_the_money(margin, settings.idle_cost_dispersion)
    floor = settings.utilisation_floor_margin
    numbers = np.array(
        [
            settings.utilisation_max,
            floor,
            max(1.0 - floor, 1e-9),
            settings.utilisation_adjustment_per_turn,
            settings.closure_margin,
            settings.closure_rate_per_turn,
            settings.investment_rate_per_year,
            settings.investment_price_threshold,
            settings.investment_max_share_per_year,
            TURNS_PER_YEAR,
        ],
        dtype=np.float64,
    )
    leads = dynamics.lead_years(settings, shape[2])
    utilisation, orders = np.empty(shape), np.empty(shape)
    capacity_moves(
        ratios, restarted, state.normal_utilisation, state.utilisation, state.capacity, state.construction,
        leads, numbers, utilisation, orders,
    )  # fmt: skip
    state.utilisation = utilisation
    return orders


@nb.njit(cache=True, nogil=True, error_model="numpy")
def relative_margins(
    reference, expected, long_run, unit_cost, yields, on_chain, reference_line, ratios, margin
):
    """The margin ratios and the relative margin at expected prices, into `ratios` and `margin`.

    `ratios`: at reference, expected (plain, then feed at break-even) and long-run prices;
    `margin`: `quotient_or` of the expected and reference ratios, 1.0 where not > 0.
    """
    margin_ratios(reference, unit_cost, yields, on_chain, reference_line, False, ratios[0])
    margin_ratios(expected, unit_cost, yields, on_chain, reference_line, False, ratios[1])
    margin_ratios(expected, unit_cost, yields, on_chain, reference_line, True, ratios[2])
    margin_ratios(long_run, unit_cost, yields, on_chain, reference_line, False, ratios[3])
    at_reference, at_expected = ratios[0].reshape(-1), ratios[1].reshape(-1)
    out = margin.reshape(-1)
    for i in range(out.size):
        out[i] = at_expected[i] / at_reference[i] if at_reference[i] > 0 else 1.0


@nb.njit(cache=True, nogil=True, error_model="numpy")
def capacity_moves(
    ratios, restarted, normal, utilisation, capacity, pipeline, leads, numbers, new_utilisation, orders
):
    """Cell by cell: the new utilisation, capacity closed (in place) and the investment orders."""
    ceiling_max, floor, floor_span, adjustment = numbers[0], numbers[1], numbers[2], numbers[3]
    closure_margin, closure_rate, invest_rate = numbers[4], numbers[5], numbers[6]
    threshold, max_share, turns_per_year = numbers[7], numbers[8], numbers[9]
    n_stages = capacity.shape[2]
    ordered = pipeline[0].copy().reshape(-1)  # the pipeline's sum over its rows, row after row
    for k in range(1, len(pipeline)):
        row = pipeline[k].reshape(-1)
        for i in range(ordered.size):
            ordered[i] += row[i]
    at_reference, at_expected = ratios[0].reshape(-1), ratios[1].reshape(-1)
    at_break_even, at_long_run = ratios[2].reshape(-1), ratios[3].reshape(-1)
    normal, utilisation, restarted = normal.reshape(-1), utilisation.reshape(-1), restarted.reshape(-1)
    capacity, new_utilisation, orders = capacity.reshape(-1), new_utilisation.reshape(-1), orders.reshape(-1)
    for cell in range(capacity.size // n_stages):
        for s in range(n_stages):
            i = cell * n_stages + s
            cover_reference = minimum(at_reference[i], 1.0)
            has_cover = cover_reference > 0
            cover = at_break_even[i] / cover_reference if has_cover else 1.0  # run_cover at expected prices
            ceiling = maximum(ceiling_max, normal[i])
            shutting = minimum(maximum((cover - floor) / floor_span, 0.0), 1.0)
            target = (normal[i] + (ceiling - normal[i]) * restarted[i]) * shutting
            step = adjustment * (target - utilisation[i])
            new_utilisation[i] = utilisation[i] + step if capacity[i] > 0 else utilisation[i]
            cover = at_expected[i] / cover_reference if has_cover else 1.0  # cost_cover at expected prices
            if cover < closure_margin and capacity[i] > 0:
                capacity[i] -= capacity[i] * closure_rate
            else:
                capacity[i] -= 0.0
            margin = at_long_run[i] / at_reference[i] if at_reference[i] > 0 else 1.0
            rate = minimum(maximum(invest_rate * (margin - threshold), 0.0), max_share)
            room = max_share * leads[s] * capacity[i] * turns_per_year
            room = maximum(room - ordered[i] * turns_per_year, 0.0)
            full = new_utilisation[i] >= normal[i]
            orders[i] = minimum(rate * capacity[i], room) if full else 0.0
