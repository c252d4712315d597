"""Recent exports: what each country shipped abroad in the last few turns.

They are the reference of a new licence regime (`recent_exports`) and the supply whose
controlled share buyers feel (control exposure, news of controls, firms' import shares).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from critmin.engine import dynamics
from critmin.engine.trade import feed_need, final_need
from critmin.engine.world import World


def remember(world: World, flows: np.ndarray, severity: np.ndarray) -> None:
    """Keep this turn's exports among the last `export_history_turns`; recent supply follows.

    So does buyers' exposure to controls.

    Args:
        world: the world.
        flows: (M, S, C, C) tonnes shipped this turn, domestic on the diagonal.
        severity: (M, S, C, C) how far each route is under control (dynamics.control_severity).

    """
    exports = flows * (1 - np.eye(flows.shape[-1]))
    older = world.export_history[: world.settings.export_history_turns - 1]
    world.export_history = [exports.transpose(2, 0, 1, 3), *older]
    domestic = np.diagonal(flows, axis1=2, axis2=3).transpose(2, 0, 1)
    recent = sum(world.export_history[1:], world.export_history[0]) / len(world.export_history)
    world.state.control_exposure = dynamics.control_exposure(recent, domestic, severity)
    world.recent_supply = (recent, domestic)


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
    return float(np.mean([turn[c, m, s, to].sum() for turn in world.export_history]))


def exportable(world: World, at: tuple[int, int, int]) -> float:
    """Tonnes per turn a line has to export: its output less its own country's use.

    Its own country's use is what its processors and manufacturers need. It is the reference of a
    licence before any exports are on record.
    """
    state = world.state
    home_use = final_need(state)[at] + feed_need(state, world.constants)[at]
    return float(max(state.capacity[at] * state.utilisation[at] - home_use, 0.0))
