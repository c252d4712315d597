"""The auction book: mineral blocks on offer, the bids on them, and the blocks awarded or failed."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Block:
    """A mineral block on offer: known resources of a country, under a licence, until a turn."""

    id: str
    country: str
    mineral: str
    contained_tonnes: float
    licence: str  # "composite" (exploration first) or "mining_lease"
    offered_turn: int
    closes_turn: int


@dataclass(frozen=True)
class Bid:
    """A firm's bid: the premium, a share of the value of what the block will despatch."""

    firm: str
    premium: float
    turn: int


@dataclass(frozen=True)
class Award:
    """A block won: by whom, at what premium, against how many bidders, and when it produces."""

    block: Block
    firm: str
    premium: float
    bidders: int
    turn: int
    tonnes_per_year: float
    on_stream_turn: int


@dataclass
class AuctionBook:
    """Blocks on offer with their bids, blocks awarded, blocks whose auction failed."""

    open: dict[str, Block] = field(default_factory=dict)
    bids: dict[str, dict[str, Bid]] = field(default_factory=dict)  # block id -> firm -> its last bid
    awards: list[Award] = field(default_factory=list)
    failed: list[tuple[Block, str]] = field(default_factory=list)  # (block, why)
    next_number: int = 1

    def offer(self, country: str, mineral: str, tonnes: float, licence: str, turn: int) -> Block:
        """Put a block on offer; bids close at the next turn's policy phase."""
        block = Block(f"B{self.next_number:04d}", country, mineral, tonnes, licence, turn, turn + 1)
        self.next_number += 1
        self.open[block.id] = block
        self.bids[block.id] = {}
        return block

    def bid(self, block_id: str, bid: Bid) -> None:
        """Record a firm's bid (a later bid of the same firm replaces its earlier one)."""
        self.bids[block_id][bid.firm] = bid

    def closing(self, turn: int) -> list[tuple[Block, list[Bid]]]:
        """Blocks whose bidding closes this turn, each with its bids, taken off the book's open list."""
        closing = [block for _, block in sorted(self.open.items()) if block.closes_turn <= turn]
        for block in closing:
            del self.open[block.id]
        return [(block, list(self.bids.pop(block.id).values())) for block in closing]

    def awarded_in(self, country: str) -> list[Award]:
        """Blocks of a country awarded so far."""
        return [award for award in self.awards if award.block.country == country]

    def records(self) -> dict:
        """Canonical plain data (for hashing and saving)."""
        return {
            "open": [asdict(b) for _, b in sorted(self.open.items())],
            "bids": {k: [asdict(b) for _, b in sorted(v.items())] for k, v in sorted(self.bids.items())},
            "awards": [asdict(a) for a in self.awards],
            "failed": [[asdict(b), why] for b, why in self.failed],
            "next_number": self.next_number,
        }
