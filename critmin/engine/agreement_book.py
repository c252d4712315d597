"""The agreement book: trade agreements in force (bilateral, or a club of several members) and proposals."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from critmin.core.actions import ProposeAgreement, action_to_dict
from critmin.engine.deals import Proposal


@dataclass(frozen=True)
class Agreement:
    """A trade agreement among its parties on some minerals (all when `minerals` is empty).

    `duty_free`: no party's tariffs on the covered minerals apply to another party's goods.
    `co_finance_share`: of what one party (or its firm) invests in another party's line of a
    covered mineral, the other parties pay this share (engine/agreements.py).
    """

    id: str
    name: str
    parties: tuple[str, ...]
    minerals: tuple[str, ...] = ()
    duty_free: bool = True
    co_finance_share: float = 0.0
    start_turn: int = 0
    end_turn: int = 10**6

    def covers(self, mineral: str) -> bool:
        """True if the agreement covers `mineral`."""
        return not self.minerals or mineral in self.minerals

    def joins(self, *countries: str) -> bool:
        """True if every one of `countries` is a party."""
        return all(country in self.parties for country in countries)


@dataclass
class AgreementBook:
    """Agreements in force and proposals pending, with deterministic ids."""

    agreements: dict[str, Agreement] = field(default_factory=dict)
    proposals: dict[str, Proposal] = field(default_factory=dict)  # offers of an agreement
    next_number: int = 1

    def new_id(self, prefix: str) -> str:
        """A fresh id such as 'A0003'."""
        number, self.next_number = self.next_number, self.next_number + 1
        return f"{prefix}{number:04d}"

    def sign(self, agreement: Agreement) -> None:
        """Put an agreement in force."""
        self.agreements[agreement.id] = agreement

    def propose(self, action: ProposeAgreement, turn: int) -> Proposal:
        """Record a proposal for the counterparty's next decision."""
        proposal = Proposal(self.new_id("Q"), turn, action)
        self.proposals[proposal.id] = proposal
        return proposal

    def in_force(self, turn: int) -> list[Agreement]:
        """Agreements in force this turn, in id order."""
        return [a for _, a in sorted(self.agreements.items()) if a.start_turn <= turn < a.end_turn]

    def between(self, turn: int, *countries: str, mineral: str = "") -> list[Agreement]:
        """Agreements in force that all `countries` are parties to (and that cover `mineral`, if given)."""
        return [a for a in self.in_force(turn) if a.joins(*countries) and (not mineral or a.covers(mineral))]

    def records(self) -> dict:
        """Canonical plain data (for hashing, saving and observations)."""
        return {
            "agreements": [asdict(a) for _, a in sorted(self.agreements.items())],
            "proposals": [
                {"id": p.id, "turn": p.turn, "offer": action_to_dict(p.action)}
                for _, p in sorted(self.proposals.items())
            ],
            "next_number": self.next_number,
        }
