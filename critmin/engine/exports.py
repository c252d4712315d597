"""Recent exports: what each country shipped abroad in the last few turns.

They are the reference of a new licence regime (`recent_exports`) and the supply whose
controlled share buyers feel (control exposure, news of controls, firms' import shares).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from critmin.engine import dynamics
from critmin.engine.chain_stocks import start_use
from critmin.engine.route_exports import RouteExports
from critmin.engine.route_sums import merged_sums
from critmin.engine.state import feed_need
from critmin.engine.trade import final_need
from critmin.engine.world import World


def remember(world: World, flows: np.ndarray, severity, entries=None) -> None:
    """Keep this turn's exports among the last `export_history_turns`; recent supply follows.

    So does buyers' exposure to controls.

    Args:
        world: the world.
        flows: (M, S, C, C) tonnes shipped this turn, domestic on the diagonal.
        severity: the routes under control (engine/route_severity.py).
        entries: the flows' non-zero entries (`records.Sparse`), if known.

    """
    keep = world.settings.export_history_turns
    shipped = RouteExports.of_flows(flows) if entries is None else RouteExports.of_entries(entries)
    world.export_history = [shipped, *world.export_history[: keep - 1]]
    domestic = np.diagonal(flows, axis1=2, axis2=3) if entries is None else home_tonnes(entries)
    domestic = domestic.transpose(2, 0, 1)
    recent = mean_of(world.export_history)
    world.state.control_exposure = dynamics.control_exposure(recent, domestic, severity)
    world.recent_supply = (recent, domestic)


def home_tonnes(entries) -> np.ndarray:
    """(M, S, C) the domestic diagonal of the (M, S, C, C) flows, from their non-zero entries (`Sparse`).

    The values of `np.diagonal(flows, axis1=2, axis2=3)` (the flows hold no -0.0: they start at
    +0.0 and only tonnes are added) in a small array laid out as that view: the countries' axis
    apart from the (M, S) ones (each line's row padded by one), so that numpy walks it, and what
    is added to it, in the same order as the view into the dense flows, whose scattered reads it saves.
    """
    lines, n = entries.shape[:2], entries.shape[-1]
    at = entries.at.astype(np.int64)
    home = at // n % n == at % n
    padded = np.zeros((*lines, n + 1))
    padded.reshape(-1, n + 1)[at[home] // (n * n), at[home] % n] = entries.values[home]
    return padded[..., :n]


def mean_of(turns: list[RouteExports]) -> RouteExports:
    """The turns' mean over the routes shipped on: added first to last, the values of `sum(dense) / len`.

    Each turn's routes ascend, so one pass merges them (engine/route_sums.py).
    """
    routes, total = merged_sums([(turn.at, turn.tonnes) for turn in turns])
    return RouteExports(routes, total / len(turns), turns[0].shape)


def recent_exports(
    world: World, country: str, mineral: str, stage: str, destinations: Sequence[str]
) -> float:
    """Average tonnes per turn exported recently to `destinations` (all if empty).

    Before the first turn, what the line has to export (`exportable`), to any destination.
    """
    c, m, s = world.position(country, mineral, stage)
    if world.turn == 0:
        return exportable(world, (c, m, s))
    to = [world.index.country[d] for d in destinations] if destinations else slice(None)
    return float(np.mean([turn.row(m, s, c)[to].sum() for turn in world.export_history]))


def exportable(world: World, at: tuple[int, int, int]) -> float:
    """Tonnes per turn a line has to export: its output less its own country's use.

    Its own country's use is what its processors and manufacturers need. It is the reference of a
    licence before any exports are on record.
    """
    state = world.state
    home_use = final_need(state)[at] + feed_need(state, world.constants)[at]
    return float(max(state.capacity[at] * state.utilisation[at] - home_use, 0.0))


def known_supply(world: World) -> tuple[RouteExports, np.ndarray]:
    """The recent supply news is measured against: recent trade, or before any, the start's.

    Returns the exports per turn over routes (`RouteExports`) and (C, M, S) bought at home.
    """
    if world.export_history:
        return world.recent_supply
    exports, domestic = start_supply(world.state, world.constants)
    return RouteExports.of_flows(exports.transpose(1, 2, 0, 3)), domestic


def start_supply(state, constants) -> tuple[np.ndarray, np.ndarray]:
    """Who supplies whom before any turn has traded: each line's surplus shared over its importers.

    Each country uses its own output first; what it lacks it imports from the countries with a
    surplus, in proportion to their surpluses (every importer buys the same mix), so a control
    imposed on the first turn is news to its buyers (announcements.py).
    """
    final, feed = start_use(state, constants)
    use, output = final + feed, state.running()
    surplus, deficit = np.maximum(output - use, 0.0), np.maximum(use - output, 0.0)
    total = surplus.sum(axis=0)  # (M, S)
    shares = np.divide(surplus, total, out=np.zeros_like(surplus), where=total > 0)
    exports = shares[..., None] * deficit.transpose(1, 2, 0)[None]  # (C_exp, M, S, C_imp)
    return exports, np.minimum(output, use)
