"""A country that licenses or bans its exports holds the glut at home rather than dump it.

Producers store rather than sell below `producer_storage_price_share` of the price they expect
(trade.producer_storage). Where their own country's licence or ban stands on their line, they
hold out for `controlled_storage_price_share` of it instead: the state that cuts exports also
curbs output and stocks what its licences leave at home, so the control raises prices abroad
without breaking its own. Observed: China's Dy/Tb oxide flat inside China under the 2025 licences
while buyers outside paid ~3x (issue 12) [M]; China's quotas on rare-earth and tungsten mining
beside its export controls [L]; its State Reserve Bureau buying when prices are low (BEHAVIOUR.md
3) [M]. A quota counts only by the licences and bans beside it: a quota may stand without binding
(China's 2009 rare-earth quota), and then it leaves no glut at home.
"""

from __future__ import annotations

import numpy as np


def storage_price_shares(ruled: dict, index, shape: tuple[int, ...], settings) -> np.ndarray:
    """(C, M, S) share of the expected price below which each producer stores rather than sells.

    `ruled` maps (mineral, stage) to that market's RouteRules (engine/policies.py).
    """
    shares = np.full(shape, settings.producer_storage_price_share)
    for (mineral, stage), rules in ruled.items():
        if not rules.controlled:  # a tariff alone: every route open, none licensed
            continue
        own_control = rules.licensing_or_banning
        shares[own_control, index.mineral[mineral], index.stage[stage]] = (
            settings.controlled_storage_price_share
        )
    return shares
