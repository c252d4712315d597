"""The AI's side of the diplomacy protocol: answer the inbox, counter, and make offers.

The protocol, on the engine's action API: a country sends `ProposeDeal`; the proposal reaches
the counterparty's inbox and the counterparty answers in its next decision with `AnswerDeal`
(accept or reject) — possibly followed by a counter-offer, a new `ProposeDeal` with changed
terms; an accepted proposal is signed by the engine and delivers from the next turn; an
unanswered one lapses after two turns. AI governments accept only what their own valuation
scores non-negative (`valuation.value_offer`) and at most one offer per line and role a turn.
A proposed trade agreement is signed with a partner trusted at least `partner_trust`.
"""

from __future__ import annotations

from collections.abc import Iterator

import msgspec

from critmin.agents.situation import MINERAL_NAMED, STAGE_NAMED, Situation, offer_line
from critmin.agents.valuation import DealValue, value_offer
from critmin.core.actions import ActionBase, AnswerAgreement, AnswerDeal, ProposeDeal
from critmin.core.units import usd_m
from critmin.core.vocabulary import TURNS_PER_YEAR

Line = tuple[str, str]


def answer_inbox(situation: Situation) -> list[ActionBase]:
    """Accept the best acceptable offer per line and role, reject the rest; counter where it helps.

    Proposed trade agreements are answered too (`answer_agreement`).
    """
    me = situation.obs.country
    if not situation.obs.inbox and not situation.obs.agreement_inbox:
        return []
    offers = inbox_offers(situation)
    values = {pid: value_offer(situation, offer) for pid, offer in offers}
    chosen = best_per_line(situation, offers, values)
    actions: list[ActionBase] = [answer_agreement(situation, item) for item in situation.obs.agreement_inbox]
    for pid, offer in offers:
        accept = pid in chosen and commit(situation, offer)
        actions.append(AnswerDeal(country=me, proposal_id=pid, accept=accept))
        if not accept and not values[pid].blocked:
            counter = counter_offer(situation, offer)
            if counter is not None:
                actions.append(counter)
    return actions


def inbox_offers(situation: Situation) -> list[tuple[str, ProposeDeal]]:
    """(proposal id, offer) of every inbox record: the engine's own offer where it lends it, else rebuilt."""
    held = situation.obs.offers or {}
    return [(item["id"], held.get(item["id"]) or inbox_offer(item["offer"])) for item in situation.obs.inbox]


def inbox_offer(offer: dict) -> ProposeDeal:
    """The `ProposeDeal` of an inbox offer's plain form.

    The engine validated the proposal before it took it (rules.validated), so its plain form holds
    the types the struct's fields want: it is built back without msgspec's checks, the struct
    `msgspec.convert` would give.
    """
    fields = offer.copy()
    del fields["type"]
    fields["mineral"], fields["stage"] = MINERAL_NAMED[fields["mineral"]], STAGE_NAMED[fields["stage"]]
    return ProposeDeal(**fields)


def answer_agreement(situation: Situation, item: dict) -> AnswerAgreement:
    """Sign an agreement with a partner it trusts (`partner_trust`), decline it otherwise; say why."""
    offer, me = item["offer"], situation.obs.country
    trust, needed = situation.trust(offer["country"]), situation.params.partner_trust
    accept = trust >= needed
    verdict = "at least" if accept else "below"
    reason = f"{me} trusts {offer['country']} at {trust:.2f}, {verdict} the {needed:.2f} it asks of a partner"
    return AnswerAgreement(country=me, proposal_id=item["id"], accept=accept, reason=reason)


def best_per_line(situation: Situation, offers, values: dict[str, DealValue]) -> set[str]:
    """Ids of the most valuable acceptable offer for each (line, role)."""
    best: dict[tuple, tuple[float, str]] = {}
    for pid, offer in offers:
        value = values[pid]
        if not value.acceptable:
            continue
        key = (*offer_line(offer), offer.seller == situation.obs.country)
        if key not in best or value.total_usd_m > best[key][0]:
            best[key] = (value.total_usd_m, pid)
    return {pid for _, pid in best.values()}


def commit(situation: Situation, offer: ProposeDeal) -> bool:
    """Book an accepted offer in the situation (money, tonnes); False if the money is not there."""
    line = offer_line(offer)
    tonnes = situation.per_turn(offer.tonnes_per_year)
    if offer.buyer == situation.obs.country:
        if offer.kind == "partnership":
            financing = situation.obs.terms.partner_capex_share * situation.capex_usd_m(
                line, offer.tonnes_per_year
            )
            if not situation.spend(financing):
                return False
        situation.bought[line] += tonnes
    else:
        situation.sold[line] += tonnes
        situation.sold_to[(line, offer.buyer)] += tonnes
    return True


def counter_offer(situation: Situation, offer: ProposeDeal) -> ProposeDeal | None:
    """Terms this country would accept instead: an index price, or a smaller volume."""
    for variant in counter_terms(situation, offer):
        if value_offer(situation, variant).acceptable:
            situation.pending[offer_line(offer)].add(offer.country)
            return variant
    return None


def counter_terms(situation: Situation, offer: ProposeDeal) -> Iterator[ProposeDeal]:
    """The counter-offers tried, in turn: the offer at an index price, then at each `counter_scales`.

    Each is made only when the one before is refused; volumes below `min_offer_tonnes_per_year`
    are skipped.
    """
    if offer.price_rule != "index" and offer.tonnes_per_year >= situation.params.min_offer_tonnes_per_year:
        yield with_terms(offer, price_rule="index", price_usd_per_kg=None)
    for share in situation.params.counter_scales:
        if offer.tonnes_per_year * share >= situation.params.min_offer_tonnes_per_year:
            yield scaled(offer, share)


def scaled(offer: ProposeDeal, share: float) -> ProposeDeal:
    """The counter-offer: the same deal at a share of the volume and penalty."""
    return with_terms(
        offer,
        tonnes_per_year=offer.tonnes_per_year * share,
        breach_penalty_usd_m=offer.breach_penalty_usd_m * share,
    )


def with_terms(offer: ProposeDeal, **terms) -> ProposeDeal:
    """The offer sent back by its counterparty with changed terms (no firm named on either side)."""
    return msgspec.structs.replace(
        offer, country=offer.counterparty, counterparty=offer.country, firm="", with_firm="", **terms
    )


# --- offers a government makes -------------------------------------------------------------


def make_offer(
    situation: Situation,
    counterparty: str,
    line: Line,
    tonnes_per_turn: float,
    *,
    kind: str = "offtake",
    selling: bool = False,
    floor_share: float | None = None,
    duration_turns: int | None = None,
) -> ProposeDeal | None:
    """A proposal to `counterparty` that this country's own valuation accepts, or None."""
    me, params = situation.obs.country, situation.params
    tonnes_per_year = tonnes_per_turn * TURNS_PER_YEAR
    if (
        tonnes_per_year < situation.params.min_offer_tonnes_per_year
        or counterparty in situation.pending[line]
    ):
        return None
    seller, buyer = (me, counterparty) if selling else (counterparty, me)
    price = situation.price_of(seller, line)
    floor = None if floor_share is None else floor_share * situation.reference(line)
    offer = ProposeDeal(
        country=me,
        counterparty=counterparty,
        kind=kind,
        seller=seller,
        buyer=buyer,
        mineral=MINERAL_NAMED[line[0]],
        stage=STAGE_NAMED[line[1]],
        tonnes_per_year=tonnes_per_year,
        price_rule="index" if floor is None else "floor",
        price_usd_per_kg=floor,
        duration_turns=duration_turns or params.offtake_duration_turns,
        breach_penalty_usd_m=round(usd_m(params.penalty_quarters * tonnes_per_turn, price), 3),
    )
    if not value_offer(situation, offer).acceptable:
        return None
    situation.pending[line].add(counterparty)
    return offer


def choose_supplier(situation: Situation, line: Line) -> tuple[str, float] | None:
    """The most trusted supplier with tonnes to spare on a line, and what it could sell a turn."""
    world = situation.lines.get(line)
    if world is None:
        return None
    me, params, pending = situation.obs.country, situation.params, situation.pending[line]
    best = None
    for code in situation.sellers(line):  # the cheapest tests first: each only rules a seller out
        if code == me or code in pending:
            continue
        trust = situation.trust(code)
        if trust < params.partner_trust or situation.is_adversary(code, line):
            continue
        if situation.embargoes(code, me, line[0]):
            continue
        sellable = 0.5 * world.exporters.get(code, 0.0) + 0.1 * world.producers.get(code, 0.0)
        score = trust * sellable
        if sellable > 0 and (best is None or score > best[0]):
            best = (score, code, sellable)
    return None if best is None else (best[1], best[2])


def choose_buyer(situation: Situation, line: Line) -> tuple[str, float] | None:
    """An importer to offer tonnes to, balancing between buyers: none above its share of sales."""
    world = situation.lines.get(line)
    if world is None:
        return None
    me, params, pending = situation.obs.country, situation.params, situation.pending[line]
    total_sold = sum(situation.sold.values()) or 0.0
    best = None
    for code, imports in sorted(world.importers.items()):
        if code == me or code in pending:
            continue
        trust = situation.trust(code)
        if trust < params.partner_trust or situation.embargoes(me, code, line[0]):
            continue
        share = situation.sold_to.get((line, code), 0.0) / total_sold if total_sold > 0 else 0.0
        if share >= params.max_share_to_one_buyer:
            continue
        score = imports * trust
        if best is None or score > best[0]:
            best = (score, code, imports)
    return None if best is None else (best[1], best[2])
