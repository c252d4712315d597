"""Stakes abroad: a firm's share of a foreign line, whose output ships home as an equity deal."""

from __future__ import annotations

from critmin.engine.deals import Deal
from critmin.engine.world import World


def equity_deal(
    deal_id: str, owner_country: str, host: str, mineral: str, stage: str, share: float, firm: str = ""
) -> Deal:
    """The standing delivery of a firm's share of a line's output to its home country."""
    return Deal(
        firm=firm,
        id=deal_id,
        kind="equity",
        seller=host,
        buyer=owner_country,
        mineral=mineral,
        stage=stage,
        tonnes_per_turn=0.0,
        share=share,
    )


def sign_stake(world: World, firm_id: str, host: str, mineral: str, stage: str, share: float) -> None:
    """Put a firm's stake in force: an equity deal, and the firm's share of the line's output."""
    deal_id = world.deals.new_id("E")
    world.deals.sign(
        equity_deal(deal_id, world.firms[firm_id].country, host, mineral, stage, share, firm=firm_id)
    )
    world.firm_shares[(world.firm_index[firm_id], *world.position(host, mineral, stage))] += share
