"""Block auctions: a government offers blocks of its known resources; firms bid; the best premium wins.

A block holds part of the country's known reserves of a mineral (`state.reserves`, which it takes
out of what exploration can find while on offer, and for good once awarded). Firms bid for it in
the turn after it is offered (`BidForBlock`): a premium, the share of the value of what the block
will despatch that the winner pays the state. Bidding closes at that turn's policy phase
(`close`): a bidder qualifies when its budget holds the upfront payment and the mine's capital
cost; with fewer than `auction_min_bidders` qualified bidders the auction fails and the reserves
return. The winner pays `block_upfront_share` of the value of the block's resources to the
treasury and the mine's capital cost, and owns the mine. It produces the contained tonnes over
`discovery_mine_life_years` and comes on stream after the licence's exploration (a composite
licence), the country's clearances (`regulatory_delay_turns`: India 12-20 quarters) and
construction, drawn from the world's generator. On stream, it pays its premium on the value it
produces to the treasury (`collect_premiums`).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from critmin.core.actions import AuctionBlock, BidForBlock
from critmin.core.events import with_reason
from critmin.core.units import usd_m
from critmin.core.vocabulary import TURNS_PER_YEAR
from critmin.engine import firm_accounts
from critmin.engine.auction_book import Award, Bid, Block
from critmin.engine.capacity import build, own_capacity
from critmin.engine.treasury import book, capex_usd_m
from critmin.engine.world import World


def check_auction(world: World, action: AuctionBlock) -> Iterator[str]:
    """The mineral is mined in this scenario and the blocks fit in the country's known reserves."""
    m = world.index.mineral[action.mineral.value]
    if not world.constants.chain[m, world.index.stage["mine"]]:
        yield f"{action.mineral.value} has no mine stage in this scenario"
        return
    known = float(world.state.reserves[world.index.country[action.country], m])
    wanted = action.blocks * action.contained_tonnes
    if wanted > known + 1e-9:
        yield (
            f"{action.country}'s known {action.mineral.value} resources not yet found or offered are "
            f"{known:,.0f} t, less than the {wanted:,.0f} t of these blocks"
        )


def offer(world: World, action: AuctionBlock) -> None:
    """Put the blocks on offer (their resources leave what exploration can find)."""
    c, m = world.index.country[action.country], world.index.mineral[action.mineral.value]
    mineral = action.mineral.value
    ids = []
    for _ in range(action.blocks):
        block = world.auctions.offer(
            action.country, mineral, action.contained_tonnes, action.licence, world.turn
        )
        world.state.reserves[c, m] -= action.contained_tonnes
        ids.append(block.id)
    licence = "composite licence" if action.licence == "composite" else "mining lease"
    world.emit(
        "blocks_offered",
        action.country,
        with_reason(
            f"{action.country} offers {action.blocks} {mineral} block(s) of {action.contained_tonnes:,.0f} t "
            f"contained at auction ({licence}; {', '.join(ids)}); bids close next turn",
            action.reason,
        ),
        mineral=mineral,
    )


def check_bid(world: World, action: BidForBlock) -> Iterator[str]:
    """The firm is the country's, the block on offer, and the firm's budget qualifies it."""
    firm = world.firms.get(action.firm)
    if firm is None or firm.country != action.country:
        yield f"{action.country} has no firm {action.firm!r}"
        return
    block = world.auctions.open.get(action.block_id)
    if block is None:
        yield f"no block {action.block_id!r} on offer"
        return
    yield from firm_accounts.affordable(world, action.firm, entry_cost_usd_m(world, block))


def bid(world: World, action: BidForBlock) -> None:
    """Record the sealed bid (the premium is revealed when the block is awarded)."""
    world.auctions.bid(action.block_id, Bid(action.firm, action.premium, world.turn))
    block = world.auctions.open[action.block_id]
    world.emit(
        "block_bid",
        action.firm,
        with_reason(
            f"{world.firms[action.firm].name} bids for block {block.id} ({block.mineral})", action.reason
        ),
        target=block.country,
        mineral=block.mineral,
    )


def output_tonnes_per_year(world: World, block: Block) -> float:
    """What a block's mine produces a year: its contained tonnes over the mine life."""
    return float(block.contained_tonnes / world.settings.discovery_mine_life_years)


def upfront_usd_m(world: World, block: Block) -> float:
    """The upfront payment: a share of the value of the block's resources at the mine price."""
    price = world.constants.reference_price[world.index.mineral[block.mineral], world.index.stage["mine"]]
    return world.settings.block_upfront_share * usd_m(block.contained_tonnes, price)


def entry_cost_usd_m(world: World, block: Block) -> float:
    """What a bidder must hold to qualify: the upfront payment and the mine's capital cost."""
    capex = capex_usd_m(world, block.mineral, "mine", output_tonnes_per_year(world, block))
    return upfront_usd_m(world, block) + capex


def close(world: World) -> None:
    """Award the blocks whose bidding closes this turn, or declare their auctions failed."""
    for block, bids in world.auctions.closing(world.turn):
        cost = entry_cost_usd_m(world, block)
        qualified = [b for b in bids if not list(firm_accounts.affordable(world, b.firm, cost))]
        if len(qualified) < world.settings.auction_min_bidders:
            fail(world, block, len(qualified))
        else:
            winner = max(qualified, key=lambda b: (b.premium, -list(world.firms).index(b.firm)))
            award(world, block, winner, len(qualified))


def fail(world: World, block: Block, qualified: int) -> None:
    """No award: the reserves return to what exploration can find."""
    c, m = world.index.country[block.country], world.index.mineral[block.mineral]
    world.state.reserves[c, m] += block.contained_tonnes
    why = f"{qualified} qualified bidder(s), fewer than {world.settings.auction_min_bidders}"
    world.auctions.failed.append((block, why))
    world.emit(
        "block_auction_failed",
        block.country,
        f"the auction of block {block.id} ({block.mineral}) fails: {why}",
        mineral=block.mineral,
    )


def award(world: World, block: Block, winner: Bid, bidders: int) -> None:
    """The winner pays the upfront payment and the mine, owns it; it produces after its lead time."""
    tonnes_per_year = output_tonnes_per_year(world, block)
    upfront, capex = upfront_usd_m(world, block), capex_usd_m(world, block.mineral, "mine", tonnes_per_year)
    firm_accounts.pay(world, winner.firm, upfront + capex)
    world.state.treasury[world.index.country[block.country]] += upfront
    book(world, "investment", capex)
    lead = lead_turns(world, block)
    line = world.position(block.country, block.mineral, "mine")
    own_capacity(world, winner.firm, line, tonnes_per_year)
    build(world, block.country, block.mineral, "mine", tonnes_per_year, lead_turns=lead + 1)
    award = Award(block, winner.firm, winner.premium, bidders, world.turn, tonnes_per_year, world.turn + lead)
    world.auctions.awards.append(award)
    world.emit(
        "block_awarded",
        winner.firm,
        f"{world.firms[winner.firm].name} wins block {block.id} ({block.mineral}, "
        f"{block.contained_tonnes:,.0f} t contained) at a {winner.premium:.0%} premium among {bidders} "
        f"qualified bidders: {tonnes_per_year:,.0f} t/yr from turn {award.on_stream_turn}",
        target=block.country,
        mineral=block.mineral,
    )


def lead_turns(world: World, block: Block) -> int:
    """Turns from award to output: exploration (composite licence), clearances, construction."""
    settings, rng = world.settings, world.rng
    exploration = settings.block_exploration_turns if block.licence == "composite" else 0
    low, high = settings.regulatory_delay_turns.get(block.country, (0, 0))
    clearances = int(rng.integers(low, high + 1)) if high > 0 else 0
    low, high = settings.block_construction_turns
    return exploration + clearances + int(rng.integers(low, high + 1))


def collect_premiums(world: World) -> None:
    """Blocks on stream pay their premium on the value of their output to the state."""
    state = world.state
    for award in world.auctions.awards:
        if world.turn < award.on_stream_turn:
            continue
        line = world.position(award.block.country, award.block.mineral, "mine")
        capacity = float(state.capacity[line])
        if capacity <= 0:
            continue
        share = min(award.tonnes_per_year / TURNS_PER_YEAR / capacity, 1.0)
        paid = award.premium * usd_m(share * float(world.last.production[line]), float(state.price[line]))
        state.industry[line[0]] -= paid
        state.treasury[line[0]] += paid


def blocks_awarded(world: World) -> np.ndarray:
    """(C,) blocks awarded so far in each country."""
    counts = np.zeros(len(world.index.countries))
    for award in world.auctions.awards:
        counts[world.index.country[award.block.country]] += 1
    return counts
