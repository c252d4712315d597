"""Export controls: a ban, a quota or a licence regime on one country's exports of a line.

What a control means for a route is `core.export_control.ExportControl`'s to say; this file
puts controls in force and takes them away.
"""

from __future__ import annotations

from critmin.engine.policies import ExportControl, quota_per_turn
from critmin.engine.trade import feed_need, final_need
from critmin.engine.world import World


def starting_control(world: World, policy, stage: str) -> ExportControl:
    """A control in force at the start, from the scenario's policy record.

    A licence refers to what the line has to export: its output less what the country's own
    processors and manufacturers use.
    """
    at = world.position(policy.country, policy.mineral.value, stage)
    state = world.state
    home_use = final_need(state)[at] + feed_need(state, world.constants)[at]
    reference = max(state.capacity[at] * state.utilisation[at] - home_use, 0.0)
    return ExportControl(
        country=policy.country,
        mineral=policy.mineral.value,
        stage=stage,
        regime=policy.regime,
        destinations=tuple(sorted(policy.destinations)),
        quota_tonnes_per_turn=quota_per_turn(policy.quota_tonnes_per_year),
        leakage=policy.leakage,
        approval_share=policy.approval_share,
        delay_turns=policy.delay_turns,
        reference_tonnes=float(reference),
    )
