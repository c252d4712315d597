"""Import tariffs: an importer's ad-valorem duty on a line, from all origins or named ones.

The market adds the tariff to the route's cost (trade.pose_markets) and the importer's
treasury keeps it (trade.pay_for_goods).
"""

from __future__ import annotations

from critmin.engine.policies import Tariff


def starting_tariff(policy, stage: str) -> Tariff:
    """A tariff in force at the start, from the scenario's policy record."""
    return Tariff(policy.country, policy.mineral.value, stage, policy.rate, tuple(sorted(policy.origins)))
