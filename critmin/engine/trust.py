"""Trust between countries: lost to controls and breaches, regained by kept deliveries.

`state.trust[i, j]` is how far country i trusts country j, 0..1 (the scenario sets where it
starts: `[market] initial_trust`, higher inside a bloc).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from critmin.engine.world import World


def lose_trust(world: World, offender: str, victims: Sequence[str], amount: float) -> None:
    """Victims (all other countries if none named) trust the offender less."""
    o = world.index.country[offender]
    rows = [world.index.country[v] for v in victims] or [
        i for i in range(len(world.index.countries)) if i != o
    ]
    world.state.trust[rows, o] = np.clip(world.state.trust[rows, o] - amount, 0.0, 1.0)


def gain_trust(world: World, truster: int, trusted: int) -> None:
    """A delivery kept: the buyer trusts the seller a little more (`trust_gain_per_kept_turn`)."""
    trust = world.state.trust
    trust[truster, trusted] = min(1.0, trust[truster, trusted] + world.settings.trust_gain_per_kept_turn)
