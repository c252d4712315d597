"""Trade agreements: proposed, signed or declined, in force, expiring; and what they do.

An agreement among its parties covers some minerals (all when none are named). Duty-free: no
party's tariff on a covered mineral applies to another party's goods; tariffs in force are
rewritten without the partners when the agreement is signed, and later ones leave them out
(`duty_free_origins`, read by tariffs.py). An investment channel: of what one party's firm pays
for a stake, or one party for a partnership's new capacity, in another party's line of a covered
mineral, the other parties pay `co_finance_share` (a bilateral agreement: the host; a club such as
the Minerals Security Partnership: its other members, by their budgets), as far as their
treasuries hold it (`co_finance`). A club's agreements come from the scenario; a bilateral one is
proposed (`ProposeAgreement`) and signed or declined by the counterparty (`AnswerAgreement`).
"""

from __future__ import annotations

from collections.abc import Iterator

from critmin.core.actions import AnswerAgreement, ProposeAgreement
from critmin.core.events import with_reason
from critmin.engine.agreement_book import Agreement
from critmin.engine.policies import Tariff
from critmin.engine.world import World


def check_propose(world: World, action: ProposeAgreement) -> Iterator[str]:
    """A country proposes to another; the covered minerals are in the scenario."""
    if action.counterparty == action.country:
        yield "a country cannot propose an agreement to itself"
    for mineral in action.minerals:
        if mineral.value not in world.index.mineral:
            yield f"mineral {mineral.value!r} is not in this scenario"


def check_answer(world: World, action: AnswerAgreement) -> Iterator[str]:
    """Only the addressee answers a pending proposal."""
    proposal = world.agreements.proposals.get(action.proposal_id)
    if proposal is None:
        yield f"no pending agreement proposal {action.proposal_id!r}"
    elif proposal.action.counterparty != action.country:
        yield f"agreement proposal {action.proposal_id} is addressed to {proposal.action.counterparty}"


def propose(world: World, action: ProposeAgreement) -> None:
    """Deliver the proposal to the counterparty."""
    proposal = world.agreements.propose(action, world.turn)
    world.emit(
        "agreement_proposed",
        action.country,
        with_reason(
            f"{action.country} proposes the {action.name} to {action.counterparty} ({proposal.id})",
            action.reason,
        ),
        target=action.counterparty,
    )


def answer(world: World, action: AnswerAgreement) -> None:
    """Sign the agreement (from this turn), or decline it; the event gives the answer's reason."""
    offer = world.agreements.proposals.pop(action.proposal_id).action
    if not action.accept:
        detail = f"{action.country} declines the {offer.name} proposed by {offer.country}"
        world.emit(
            "agreement_declined", action.country, with_reason(detail, action.reason), target=offer.country
        )
        return
    agreement = Agreement(
        id=world.agreements.new_id("A"),
        name=offer.name,
        parties=(offer.country, offer.counterparty),
        minerals=tuple(m.value for m in offer.minerals),
        duty_free=offer.duty_free,
        co_finance_share=offer.co_finance_share,
        start_turn=world.turn,
        end_turn=world.turn + offer.duration_turns,
    )
    sign(world, agreement)
    detail = f"{offer.country} and {action.country} sign the {offer.name} ({agreement.id})"
    world.emit("agreement_signed", action.country, with_reason(detail, action.reason), target=offer.country)


def sign(world: World, agreement: Agreement) -> None:
    """Put an agreement in force; duty-free, it takes the partners out of the tariffs in force."""
    world.agreements.sign(agreement)
    if not agreement.duty_free:
        return
    for key, tariff in list(world.policies.tariffs.items()):
        if tariff.country in agreement.parties and agreement.covers(tariff.mineral):
            origins = duty_free_origins(world, tariff.country, tariff.mineral, tariff.origins)
            rate = tariff.rate if origins is not None else 0.0  # only partners were taxed: none now
            world.policies.set_tariff(Tariff(*key, rate, origins or ()))


def starting_agreement(record) -> Agreement:
    """An agreement in force at the start, from the scenario's record."""
    return Agreement(
        id=record.id,
        name=record.name,
        parties=tuple(record.parties),
        minerals=tuple(m.value for m in record.minerals),
        duty_free=record.duty_free,
        co_finance_share=record.co_finance_share,
        end_turn=record.duration_turns,
    )


def duty_free_origins(
    world: World, importer: str, mineral: str, origins: tuple[str, ...]
) -> tuple[str, ...] | None:
    """The origins a tariff applies to once the importer's duty-free partners are left out.

    Origins `()` mean all countries; they stay `()` when the importer has no duty-free partner.
    None: the tariff named only partners, so it applies to no one.
    """
    partners = {
        party
        for agreement in world.agreements.between(world.turn, importer, mineral=mineral)
        if agreement.duty_free
        for party in agreement.parties
        if party != importer
    }
    if not partners:
        return origins
    named = origins or tuple(c for c in world.index.countries if c != importer)
    left = tuple(sorted(set(named) - partners))
    return left or None


def co_financing(world: World, investor: str, host: str, mineral: str) -> Agreement | None:
    """The agreement that co-finances an investment by `investor` in `host`'s `mineral`, or None.

    The one in force with the largest share counts: shares do not add up.
    """
    if investor == host:
        return None
    agreements = world.agreements.between(world.turn, investor, host, mineral=mineral)
    best = max(agreements, key=lambda a: a.co_finance_share, default=None)
    return best if best is not None and best.co_finance_share > 0 else None


def co_financiers(world: World, investor: str, host: str, mineral: str) -> tuple[float, dict[str, float]]:
    """The co-financed share of an investment by `investor` in `host`, and who pays it (payer -> share).

    The parties other than the investor pay: the host alone in a bilateral agreement, a club's
    members by their budgets.
    """
    agreement = co_financing(world, investor, host, mineral)
    if agreement is None:
        return 0.0, {}
    payers = [party for party in agreement.parties if party != investor]
    budgets = {p: float(world.constants.budget_per_turn[world.index.country[p]]) for p in payers}
    total = sum(budgets.values()) or 1.0
    return agreement.co_finance_share, {p: budget / total for p, budget in budgets.items()}


def co_finance_usd_m(
    world: World, investor: str, host: str, mineral: str, cost_usd_m: float
) -> dict[str, float]:
    """What each co-financier pays of an investment costing `cost_usd_m` (within its treasury)."""
    share, payers = co_financiers(world, investor, host, mineral)
    treasury = world.state.treasury
    return {
        payer: min(share * part * cost_usd_m, max(float(treasury[world.index.country[payer]]), 0.0))
        for payer, part in payers.items()
        if share * part * cost_usd_m > 0
    }


def co_finance(world: World, investor: str, host: str, mineral: str, cost_usd_m: float) -> float:
    """The co-financiers pay their part (to the investment, as the investor would); returns the total."""
    paid = co_finance_usd_m(world, investor, host, mineral, cost_usd_m)
    for payer, usd_m in paid.items():
        world.state.treasury[world.index.country[payer]] -= usd_m
    total = sum(paid.values())
    if total > 0:
        agreement = co_financing(world, investor, host, mineral)
        world.emit(
            "co_financed",
            investor,
            f"under the {agreement.name}, {', '.join(sorted(paid))} co-finance USD {total:,.2f} m of "
            f"{investor}'s investment in {host}'s {mineral}",
            target=host,
            mineral=mineral,
        )
    return total


def expire(world: World) -> None:
    """Agreements whose term is over end; proposals left unanswered for two turns lapse."""
    book = world.agreements
    for agreement in [a for _, a in sorted(book.agreements.items()) if a.end_turn <= world.turn]:
        del book.agreements[agreement.id]
        world.emit(
            "agreement_expired", agreement.parties[0], f"the {agreement.name} ends", target=agreement.id
        )
    for proposal_id in [p.id for _, p in sorted(book.proposals.items()) if world.turn - p.turn >= 2]:
        del book.proposals[proposal_id]
