"""The deal book: contracts in force, pending proposals, and their lifecycle."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable
from dataclasses import dataclass, field

from critmin.core.actions import ProposeAgreement, ProposeDeal, action_to_dict
from critmin.core.vocabulary import TURNS_PER_YEAR


@dataclass(frozen=True)
class Find:
    """A deposit found in `turn`: its annual output once developed and the turn it comes on stream."""

    country: str
    mineral: str
    turn: int
    contained_tonnes: float
    tonnes_per_year: float
    on_stream_turn: int
    brownfield: bool


@dataclass(frozen=True)
class Deal:
    """A signed contract: the seller delivers `tonnes_per_turn` to the buyer before the spot market.

    `kind` "equity" marks a firm's share of output abroad shipped home; it has no penalty.
    """

    id: str
    kind: str
    seller: str
    buyer: str
    mineral: str
    stage: str
    tonnes_per_turn: float
    price_rule: str = "index"
    price_usd_per_kg: float | None = None
    start_turn: int = 0
    end_turn: int = 10**6
    take_or_pay: float = 0.0
    breach_penalty_usd_m: float = 0.0
    share: float = 0.0  # equity deals: share of the host line's output instead of fixed tonnes
    firm: str = ""  # equity deals: the firm that owns the stake


@dataclass(frozen=True)
class Proposal:
    """An offer waiting for the counterparty's answer: a deal's, or a trade agreement's."""

    id: str
    turn: int
    action: ProposeDeal | ProposeAgreement


@dataclass
class DealBook:
    """Deals in force and proposals pending, with deterministic ids.

    `deals` changes through `sign` and `end` only: they keep its ids sorted (`_ids`), from which
    the readers' deals in id order (`in_id_order`) are listed again after a change, and the
    equity deals by line (`_equity`, listed when first read) up to date; `end` drops a deal's
    kept row (`rows_of`).
    """

    deals: dict[str, Deal] = field(default_factory=dict)
    proposals: dict[str, Proposal] = field(default_factory=dict)
    next_number: int = 1
    parties: dict[str, tuple[str, str]] = field(default_factory=dict)  # every id ever used -> its two parties
    finds: dict[tuple[str, str], list[Find]] = field(default_factory=dict)  # (country, mineral) -> finds
    _ids: list[str] = field(init=False, repr=False, compare=False)
    _in_id_order: list[Deal] | None = field(default=None, init=False, repr=False, compare=False)
    _equity: dict[tuple[str, str, str], list[Deal]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _rows: dict[str, tuple[Deal, tuple]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._ids = sorted(self.deals)

    def new_id(self, prefix: str) -> str:
        """A fresh id such as 'P0007'."""
        number, self.next_number = self.next_number, self.next_number + 1
        return f"{prefix}{number:04d}"

    def sign(self, deal: Deal) -> None:
        """Put a deal in force (a deal signed again under its id takes its place)."""
        new = deal.id not in self.deals
        if new:
            insort(self._ids, deal.id)
        self.deals[deal.id] = deal
        self.parties[deal.id] = (deal.seller, deal.buyer)
        self._in_id_order = None
        if not new:
            self._equity = None  # signed again under its id: listed afresh when next read
        elif self._equity is not None and deal.kind == "equity":
            self._equity.setdefault((deal.seller, deal.mineral, deal.stage), []).append(deal)

    def propose(self, action: ProposeDeal, turn: int) -> Proposal:
        """Record a proposal for the counterparty's next decision."""
        proposal = Proposal(id=self.new_id("P"), turn=turn, action=action)
        self.proposals[proposal.id] = proposal
        self.parties[proposal.id] = (action.country, action.counterparty)
        return proposal

    def accept(self, proposal_id: str, turn: int) -> Deal:
        """Turn a pending proposal into a deal in force from the next turn."""
        offer = self.proposals.pop(proposal_id).action
        deal = deal_from_terms(self.new_id("D"), offer, start_turn=turn + 1)
        self.sign(deal)
        return deal

    def reject(self, proposal_id: str) -> Proposal:
        """Drop a pending proposal."""
        return self.proposals.pop(proposal_id)

    def end(self, deal_id: str) -> Deal:
        """Remove a deal from force (broken or expired)."""
        deal = self.deals.pop(deal_id)
        del self._ids[bisect_left(self._ids, deal_id)]
        self._rows.pop(deal_id, None)
        self._in_id_order = None
        if self._equity is not None and deal.kind == "equity":
            self._equity[(deal.seller, deal.mineral, deal.stage)].remove(deal)
        return deal

    def equity_on(self, seller: str, mineral: str, stage: str) -> list[Deal]:
        """The equity deals on a line, in the book's order (not to be changed)."""
        if self._equity is None:
            self._equity = {}
            for deal in self.deals.values():
                if deal.kind == "equity":
                    self._equity.setdefault((deal.seller, deal.mineral, deal.stage), []).append(deal)
        return self._equity.get((seller, mineral, stage), [])

    def rows_of(self, deals: list[Deal], make: Callable[[Deal], tuple]) -> list[tuple]:
        """`make(deal)` for each deal, made once for the deal in force (anew for a deal signed again).

        A deal's row is its own, unchanging data (it is frozen): one kind of row per book, the
        contracts' terms (engine/contracts.py); ending the deal drops it.
        """
        kept, rows = self._rows, []
        for deal in deals:
            entry = kept.get(deal.id)
            if entry is None or entry[0] is not deal:
                entry = kept[deal.id] = (deal, make(deal))
            rows.append(entry[1])
        return rows

    def in_id_order(self) -> list[Deal]:
        """The deals in force in id order (listed once after each change; not to be changed)."""
        if self._in_id_order is None:
            self._in_id_order = [self.deals[deal_id] for deal_id in self._ids]
        return self._in_id_order

    def active(self, turn: int) -> list[Deal]:
        """Deals delivering this turn, in id order."""
        return [d for d in self.in_id_order() if d.start_turn <= turn < d.end_turn]

    def expired(self, turn: int) -> list[Deal]:
        """Deals whose term is over."""
        return [d for d in self.in_id_order() if d.end_turn <= turn]

    def stale_proposals(self, turn: int, patience: int = 2) -> list[Proposal]:
        """Proposals left unanswered for `patience` turns."""
        return [p for _, p in sorted(self.proposals.items()) if turn - p.turn >= patience]

    def involving(self, country: str) -> list[Deal]:
        """Deals in force to which `country` is a party, in id order."""
        return [d for d in self.in_id_order() if country in (d.seller, d.buyer)]

    def records(self) -> dict:
        """Canonical plain data (for hashing, saving and observations).

        `parties` and `finds` are rebuilt when a save is replayed and are left out.
        """
        return {
            "deals": [dict(vars(d)) for d in self.in_id_order()],
            "proposals": [
                {"id": p.id, "turn": p.turn, "offer": action_to_dict(p.action)}
                for _, p in sorted(self.proposals.items())
            ],
            "next_number": self.next_number,
        }


def deal_from_terms(deal_id: str, terms, start_turn: int = 0) -> Deal:
    """A deal in force from `start_turn` on the terms of a proposal or a scenario's deal record."""
    return Deal(
        id=deal_id,
        kind=terms.kind,
        seller=terms.seller,
        buyer=terms.buyer,
        mineral=terms.mineral.value,
        stage=terms.stage.value,
        tonnes_per_turn=terms.tonnes_per_year / TURNS_PER_YEAR,
        price_rule=terms.price_rule,
        price_usd_per_kg=terms.price_usd_per_kg,
        start_turn=start_turn,
        end_turn=start_turn + terms.duration_turns,
        take_or_pay=getattr(terms, "take_or_pay", 0.0),
        breach_penalty_usd_m=terms.breach_penalty_usd_m,
    )
