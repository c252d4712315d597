"""Load the engine's compiled market kernel when the server starts, not in the first advance.

The kernel is compiled once per checkout and then loaded from numba's disk cache, which takes
about 0.7 s on a 2-core machine: done at start, the class's first turn resolves as fast as the
others. A two-country market is cleared through the engine's public API and thrown away.
"""

from __future__ import annotations

import numpy as np

from critmin.engine.market import MarketProblem, clear_markets


def warm_up() -> None:
    """Clear one tiny market (nothing of any session is touched)."""
    clear_markets(
        [
            MarketProblem(
                supply_country=np.array([0]),
                supply_tonnes=np.array([1.0]),
                supply_price=np.array([1.0]),
                demand_country=np.array([1]),
                demand_tonnes=np.array([1.0]),
                demand_price=np.array([2.0]),
                demand_required=np.array([False]),
                route_cost=np.zeros((2, 2)),
                route_open=np.ones((2, 2), dtype=bool),
                export_cap=np.full(2, np.inf),
                licensed=np.zeros((2, 2), dtype=bool),
                licence_cap=np.full(2, np.inf),
            )
        ]
    )
