"""Actions: frozen, JSON-serialisable records of one decision by one country.

Every controller (AI doctrine, human in the UI, network client, RL policy) returns these and
nothing else. The engine checks each one against the state (`engine/rules.py`: `check`) and rejects
an illegal one with a reason, changing nothing. Imports only the vocabulary.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import msgspec

from critmin.core.vocabulary import Mineral, Stage

MAX_FIGURE = 1e12  # tonnes, USD m and prices above this are not physical
Tonnes = Annotated[float, msgspec.Meta(ge=0, le=MAX_FIGURE)]
UsdMillion = Annotated[float, msgspec.Meta(ge=0, le=MAX_FIGURE)]
Iso3 = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$")]
Regime = Literal["ban", "quota", "licence"]
DealKind = Literal["offtake", "joint_exploration", "partnership", "stock_swap"]
Program = Literal["exploration", "recycling", "processing"]
Reason = Annotated[str, msgspec.Meta(max_length=300)]
"""Why a government takes a trade measure (a price trigger, a rival's move, a bargaining aim):
optional, shown in the measure's event."""


class ActionBase(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag_field="type"):
    """Common to all actions: the acting country."""

    country: Iso3


class ImposeExportControl(ActionBase, kw_only=True, tag="impose_export_control"):
    """Ban, cap (quota) or license exports of a mineral's stages, to some or all destinations."""

    mineral: Mineral
    stages: tuple[Stage, ...]
    regime: Regime
    destinations: tuple[Iso3, ...] = ()
    quota_tonnes_per_year: Tonnes | None = None
    leakage: Annotated[float, msgspec.Meta(ge=0, le=1)] = 0.0
    approval_share: Annotated[float, msgspec.Meta(ge=0, le=1)] = 1.0
    delay_turns: Annotated[int, msgspec.Meta(ge=0, le=8)] = 0
    reason: Reason = ""


class LiftExportControl(ActionBase, kw_only=True, tag="lift_export_control"):
    """Remove the country's export controls on a mineral's stages."""

    mineral: Mineral
    stages: tuple[Stage, ...]
    reason: Reason = ""


class SetTariff(ActionBase, kw_only=True, tag="set_tariff"):
    """Set the ad-valorem import tariff on a mineral's stages from origins (all if empty); 0 lifts it."""

    mineral: Mineral
    stages: tuple[Stage, ...]
    rate: Annotated[float, msgspec.Meta(ge=0, le=5)]
    origins: tuple[Iso3, ...] = ()
    reason: Reason = ""


class SetSubsidy(ActionBase, kw_only=True, tag="set_subsidy"):
    """Pay home producers of a mineral's stages a share of their sales value for some turns; 0 lifts it.

    A production-linked incentive (India's magnet scheme pays sales-linked incentives): producers
    accept a lower market price by that share, and the treasury pays the difference.
    """

    mineral: Mineral
    stages: tuple[Stage, ...]
    rate: Annotated[float, msgspec.Meta(ge=0, le=0.9)]
    turns: Annotated[int, msgspec.Meta(ge=1, le=80)] = 20
    reason: Reason = ""


FirmId = Annotated[str, msgspec.Meta(max_length=64)]


class ProposeDeal(ActionBase, kw_only=True, tag="propose_deal"):
    """Offer a contract to another country; it answers in its next decision.

    With `firm` named, one of the proposer's firms makes the offer (a partnership's co-financing
    or a joint exploration's funding is then paid from its budget); with `with_firm` named, the
    offer is addressed to one of the counterparty's firms (Codelco, YLB, a provincial miner),
    whose own doctrine answers it.
    """

    counterparty: Iso3
    kind: DealKind = "offtake"
    seller: Iso3
    buyer: Iso3
    mineral: Mineral
    stage: Stage
    tonnes_per_year: Annotated[float, msgspec.Meta(gt=0, le=MAX_FIGURE)]
    price_rule: Literal["fixed", "index", "floor", "ceiling"] = "index"
    price_usd_per_kg: Annotated[float, msgspec.Meta(ge=0, le=MAX_FIGURE)] | None = None
    duration_turns: Annotated[int, msgspec.Meta(ge=1, le=200)] = 8
    take_or_pay: Annotated[float, msgspec.Meta(ge=0, le=1)] = 0.0
    breach_penalty_usd_m: UsdMillion = 0.0
    firm: FirmId = ""
    with_firm: FirmId = ""


class AnswerDeal(ActionBase, kw_only=True, tag="answer_deal"):
    """Accept or reject a pending proposal addressed to this country (or, `firm` named, to its firm)."""

    proposal_id: str
    accept: bool
    firm: FirmId = ""
    reason: Reason = ""


class BreakDeal(ActionBase, kw_only=True, tag="break_deal"):
    """Walk away from a deal in force; the penalty is charged and trust falls."""

    deal_id: str


class Invest(ActionBase, kw_only=True, tag="invest"):
    """Build capacity at home; it arrives after the stage's lead time.

    With `firm` named, one of the country's firms builds and pays from its own budget.
    """

    mineral: Mineral
    stage: Stage
    tonnes_per_year: Annotated[float, msgspec.Meta(gt=0, le=MAX_FIGURE)]
    firm: str = ""
    reason: Reason = ""


class AcquireStake(ActionBase, kw_only=True, tag="acquire_stake"):
    """A firm of this country buys a share of a capacity line abroad, paid from the firm's budget."""

    firm: str
    host: Iso3
    mineral: Mineral
    stage: Stage
    share: Annotated[float, msgspec.Meta(gt=0, le=1)]
    reason: Reason = ""


class RefuseDelivery(ActionBase, kw_only=True, tag="refuse_delivery"):
    """The buyer declines this turn's tonnes of a contract; take-or-pay makes it pay its share."""

    deal_id: str
    reason: Reason = ""


class BuyStockpile(ActionBase, kw_only=True, tag="buy_stockpile"):
    """Buy for the strategic stockpile on this turn's spot market (up to a price cap)."""

    mineral: Mineral
    stage: Stage
    tonnes: Annotated[float, msgspec.Meta(gt=0, le=MAX_FIGURE)]
    max_price_usd_per_kg: Annotated[float, msgspec.Meta(gt=0, le=MAX_FIGURE)] | None = None


class ReleaseStockpile(ActionBase, kw_only=True, tag="release_stockpile"):
    """Sell from the strategic stockpile on this turn's spot market."""

    mineral: Mineral
    stage: Stage
    tonnes: Annotated[float, msgspec.Meta(gt=0, le=MAX_FIGURE)]


class FundProgram(ActionBase, kw_only=True, tag="fund_program"):
    """Fund exploration (discovery odds), recycling (secondary supply) or processing (capacity)."""

    program: Program
    mineral: Mineral
    usd_m: Annotated[float, msgspec.Meta(gt=0, le=MAX_FIGURE)]


class AuctionBlock(ActionBase, kw_only=True, tag="auction_block"):
    """Offer mineral blocks with known resources at auction; firms bid next turn.

    Each of `blocks` holds `contained_tonnes` of the country's known reserves of the mineral. A
    composite licence (`licence` "composite") still needs exploration before a mining lease; a
    mining lease goes straight to clearances and construction. The highest premium wins when
    enough bidders qualify (engine/auctions.py).
    """

    mineral: Mineral
    contained_tonnes: Annotated[float, msgspec.Meta(gt=0, le=MAX_FIGURE)]
    blocks: Annotated[int, msgspec.Meta(ge=1, le=50)] = 1
    licence: Literal["composite", "mining_lease"] = "composite"
    reason: Reason = ""


class BidForBlock(ActionBase, kw_only=True, tag="bid_for_block"):
    """A firm bids for a block on offer: the premium, a share of the value of what it will despatch."""

    firm: FirmId
    block_id: str
    premium: Annotated[float, msgspec.Meta(gt=0, le=5)]
    reason: Reason = ""


class ProposeAgreement(ActionBase, kw_only=True, tag="propose_agreement"):
    """Propose a trade agreement covering some minerals (all if empty) to another country.

    `duty_free`: neither party's tariffs on the covered minerals apply to the other's goods.
    `co_finance_share`: the investment channel: of what a party's firm pays for a stake, or a
    party for a partnership, in the other's lines of a covered mineral, the other party pays
    this share.
    """

    counterparty: Iso3
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    minerals: tuple[Mineral, ...] = ()
    duty_free: bool = True
    co_finance_share: Annotated[float, msgspec.Meta(ge=0, le=1)] = 0.0
    duration_turns: Annotated[int, msgspec.Meta(ge=1, le=400)] = 40
    reason: Reason = ""


class AnswerAgreement(ActionBase, kw_only=True, tag="answer_agreement"):
    """Sign or decline a pending trade-agreement proposal addressed to this country."""

    proposal_id: str
    accept: bool
    reason: Reason = ""


class SubsidiseCells(ActionBase, kw_only=True, tag="subsidise_cells"):
    """Pay home battery-cell makers an incentive per kWh made, for cell plants the scheme brings.

    The plants come on stream after the cell-plant lead time; from then the treasury pays
    `usd_per_kwh` on their output for `turns` turns, and the cells' lithium, nickel, cobalt and
    graphite are bought at home instead of arriving inside imported cells (engine/cells.py).
    """

    gwh_per_year: Annotated[float, msgspec.Meta(gt=0, le=10_000)]
    usd_per_kwh: Annotated[float, msgspec.Meta(ge=0, le=100)]
    turns: Annotated[int, msgspec.Meta(ge=1, le=80)] = 20
    reason: Reason = ""


Action = (
    ImposeExportControl
    | LiftExportControl
    | SetTariff
    | SetSubsidy
    | ProposeDeal
    | AnswerDeal
    | BreakDeal
    | Invest
    | AcquireStake
    | RefuseDelivery
    | BuyStockpile
    | ReleaseStockpile
    | FundProgram
    | AuctionBlock
    | BidForBlock
    | ProposeAgreement
    | AnswerAgreement
    | SubsidiseCells
)
ACTION_TYPES: tuple[type[ActionBase], ...] = ActionBase.__subclasses__()  # type: ignore[assignment]
REASONED: tuple[type[ActionBase], ...] = tuple(t for t in ACTION_TYPES if "reason" in t.__struct_fields__)

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Action)


class ActionFormatError(ValueError):
    """Data that is not a well-formed action; the message says what is wrong."""


def action_to_dict(action: ActionBase) -> dict:
    """Plain JSON-ready data, with its `type` tag."""
    return msgspec.to_builtins(action)


def action_from_dict(data: object) -> Action:
    """An action from plain data; raises ActionFormatError naming the bad field."""
    if not all_finite(data):
        raise ActionFormatError("bad action: a number is NaN or infinite")
    try:
        return msgspec.convert(data, Action)
    except msgspec.ValidationError as error:
        raise ActionFormatError(f"bad action: {error}") from None


def scripted_action(country: str, data: dict, title: str) -> Action:
    """A scenario event's action; a trade measure given no reason takes the event's title as one."""
    action = action_from_dict({"country": country, **data})
    if isinstance(action, REASONED) and not action.reason:  # type: ignore[attr-defined]
        return msgspec.structs.replace(action, reason=title[:300])
    return action


def validated(action: object) -> Action:
    """An action checked exactly as its dict form would be: types, enums, bounds, finite numbers.

    Action objects built in Python skip msgspec's checks (a Struct does not validate on
    construction), so the engine passes every action through here before judging it.
    """
    if isinstance(action, dict):
        return action_from_dict(action)
    if not isinstance(action, ActionBase):
        raise ActionFormatError(f"bad action: expected an action or a dict, got {type(action).__name__}")
    checked = round_trip(action)
    if checked is not None:
        return checked
    try:
        data = msgspec.to_builtins(action)
    except (TypeError, ValueError) as error:
        raise ActionFormatError(f"bad action: {error}") from None
    if not all_finite(data):
        raise ActionFormatError(f"bad action: {type(action).__name__} has a non-finite number")
    return action_from_dict(data)


def round_trip(action: ActionBase) -> Action | None:
    """The action decoded from its own JSON when that decodes to an equal action, else None.

    Decoding checks types, enums and bounds as `action_from_dict` does, ten times faster than
    converting its dict to the union. JSON has no NaN or infinity (msgspec writes null), so an
    action with one never equals its round trip: every doubtful case returns None, and
    `validated` then finds and names the problem.
    """
    try:
        decoded = _decoder.decode(_encoder.encode(action))
    except (msgspec.ValidationError, msgspec.DecodeError, TypeError, ValueError, OverflowError):
        return None
    return decoded if decoded == action else None


def all_finite(data: object) -> bool:
    """True when no float in plain data is NaN or infinite."""
    if isinstance(data, float):
        return math.isfinite(data)
    if isinstance(data, dict):
        return all(all_finite(v) for v in data.values())
    if isinstance(data, list | tuple):
        return all(all_finite(v) for v in data)
    return True


def action_to_json(action: ActionBase) -> bytes:
    """Compact JSON bytes."""
    return _encoder.encode(action)


def action_from_json(data: bytes | str) -> Action:
    """An action from JSON; raises ActionFormatError on anything malformed."""
    try:
        return _decoder.decode(data)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        raise ActionFormatError(f"bad action: {error}") from None
