"""Plain language for players: orders, refusals and quantities in the player's words and units.

The engine speaks in field names (`rate 0.25`, "Expected `float` <= 5.0 - at `$.rate`"); the
player typed "rate %" and thinks in tonnes per year. Everything the UI says about an order or
a refusal goes through here, so validator text never reaches the screen.
"""

from __future__ import annotations

import re

from critmin.core.actions import (
    AcquireStake,
    ActionBase,
    AnswerAgreement,
    AnswerDeal,
    AuctionBlock,
    BidForBlock,
    BreakDeal,
    BuyStockpile,
    FundProgram,
    ImposeExportControl,
    Invest,
    LiftExportControl,
    ProposeAgreement,
    ProposeDeal,
    ReleaseStockpile,
    SetSubsidy,
    SetTariff,
    SubsidiseCells,
)
from critmin.core.event_words import STAGE_WORDS, EventWords, mineral_name, short_firm_name
from critmin.core.outline import WorldOutline
from critmin.core.snapshot import WorldSnapshot

TINY = 0.05  # tonnes: less than this is "none" for a player (solver dust)
FIELDS = {  # field: (what the player's form calls it, factor from the engine's unit to the form's)
    "rate": ("tariff rate", 100.0, "%"),
    "approval_share": ("approved share", 100.0, "%"),
    "leakage": ("leakage", 100.0, "%"),
    "share": ("share", 100.0, "%"),
    "tonnes_per_year": ("yearly quantity", 1.0, " t/yr"),
    "quota_tonnes_per_year": ("quota", 1.0, " t/yr"),
    "tonnes": ("quantity", 1.0, " t"),
    "usd_m": ("amount", 1.0, " USD m"),
    "duration_turns": ("duration", 1.0, " turns"),
    "delay_turns": ("licence delay", 1.0, " turns"),
    "price_usd_per_kg": ("price", 1.0, " USD/kg"),
}
BOUND = re.compile(r"Expected `\w+` (>=|<=|>|<) (-?[\d.eE+-]+) - at `\$\.(\w+)`")
BOUND_WORDS = {">=": "at least", "<=": "at most", ">": "more than", "<": "less than"}
ENGINE_WORDS = {"a quota needs quota_tonnes_per_year": "a quota needs a yearly tonnage"}


def amount(value: float, unit: str = "") -> str:
    """A quantity for people: thousands separated, three significant digits below 100."""
    if value == 0:
        text = "0"
    elif abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) < 0.01:
        text = "< 0.01" if value > 0 else "> -0.01"
    else:
        text = f"{value:.3g}"
    return text + unit


def plain_reason(reason: str) -> str:
    """A refusal in the player's words: validator messages become the form's field and limit."""
    text = reason.removeprefix("bad action: ")
    match = BOUND.search(text)
    if match:
        op, bound, field = match.groups()
        label, factor, unit = FIELDS.get(field, (field.replace("_", " "), 1.0, ""))
        return f"the {label} must be {BOUND_WORDS[op]} {amount(float(bound) * factor)}{unit}"
    field = re.search(r"at `\$\.(\w+)", text)
    if field or text != reason:
        label = FIELDS.get(field[1], (field[1].replace("_", " "),))[0] if field else "order"
        return f"the {label} is not valid"
    return ENGINE_WORDS.get(text, text)


class Wording:
    """Orders in words, with the scenario's country and mineral names and the current prices.

    Args:
        countries: country names by ISO3.
        minerals: mineral names by id (the scenario's, e.g. 'Rare earths, heavy (Dy+Tb oxide)').
        prices: USD/kg by (mineral, stage), for costs shown with an order.
        firms: firm names by id.

    """

    def __init__(
        self,
        countries: dict[str, str] | None = None,
        minerals: dict[str, str] | None = None,
        prices: dict[tuple[str, str], float] | None = None,
        firms: dict[str, str] | None = None,
    ) -> None:
        self.countries = countries or {}
        self.firms = firms or {}
        self.minerals = {k: mineral_name(v) for k, v in (minerals or {}).items()}
        self.prices = prices or {}
        self.events = EventWords(self.countries, minerals or {}, self.firms)

    def sentence(self, detail: str) -> str:
        """An engine event's sentence with names for codes (core/event_words.py)."""
        return self.events.sentence(detail)

    def country(self, code: str) -> str:
        """A country's name."""
        return self.countries.get(code, code)

    def firm(self, firm_id: str) -> str:
        """A firm's short name: 'KABIL' for 'Khanij Bidesh India Ltd (KABIL)'."""
        return short_firm_name(self.firms.get(firm_id, firm_id))

    def mineral(self, mineral) -> str:
        """A mineral in words."""
        key = getattr(mineral, "value", mineral)
        return self.minerals.get(key, key.replace("_", " "))

    def line(self, mineral, stages) -> str:
        """'refined lithium', 'mined cobalt', 'heavy rare earths magnets'."""
        if isinstance(stages, tuple | list):
            return " and ".join(self.line(mineral, s) for s in stages) or self.mineral(mineral)
        stage = getattr(stages, "value", stages)
        name = self.mineral(mineral)
        return STAGE_WORDS[stage].format(name) if stage in STAGE_WORDS else f"{name} ({stage})"

    def places(self, codes, everyone: str = "all countries") -> str:
        """'China and Japan', or `everyone` when the list is empty."""
        names = [self.country(c) for c in codes]
        if not names:
            return everyone
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    def cost(self, mineral, stage, tonnes: float) -> str:
        """' (about USD 1.2 m at today's price)' or ''."""
        price = self.prices.get((getattr(mineral, "value", mineral), getattr(stage, "value", stage)))
        if not price:
            return ""
        return f" (about USD {amount(tonnes * price / 1000)} m at today's price)"

    def goods(self, action: ActionBase) -> str:
        """The line an order is about ('refined lithium'), '' if none."""
        stages = getattr(action, "stages", None) or getattr(action, "stage", None) or ()
        mineral = getattr(action, "mineral", None)
        return self.line(mineral, stages) if mineral is not None else ""

    def order(self, action: ActionBase) -> str:
        """One order in the player's words, with units."""
        goods = self.goods(action)
        if isinstance(action, SetTariff):
            rate, origin = amount(action.rate * 100), self.places(action.origins)
            return f"{rate}% tariff on {goods} imports from {origin}"
        if isinstance(action, ImposeExportControl):
            return self.control(action)
        if isinstance(action, LiftExportControl):
            return f"lift your export controls on {goods}"
        if isinstance(action, Invest):
            payer = f" (paid by {self.firm(action.firm)})" if action.firm else ""
            return f"invest in {amount(action.tonnes_per_year)} t/yr of new {goods} capacity{payer}"
        if isinstance(action, BuyStockpile):
            cost = self.cost(action.mineral, action.stage, action.tonnes)
            return f"buy {amount(action.tonnes)} t of {goods} for the stockpile{cost}"
        if isinstance(action, ReleaseStockpile):
            return f"release {amount(action.tonnes)} t of {goods} from the stockpile"
        if isinstance(action, FundProgram):
            return f"fund USD {amount(action.usd_m)} m of {action.program} for {self.mineral(action.mineral)}"
        if isinstance(action, ProposeDeal):
            return self.proposal(action)
        if isinstance(action, AnswerDeal):
            return f"{'accept' if action.accept else 'reject'} proposal {action.proposal_id}"
        if isinstance(action, BreakDeal):
            return f"break deal {action.deal_id} (you pay the penalty and lose trust)"
        if isinstance(action, AcquireStake):
            share, host = amount(action.share * 100), self.country(action.host)
            return f"{self.firm(action.firm)} buys {share}% of {goods} capacity in {host}"
        return self.lever(action)

    def lever(self, action: ActionBase) -> str:
        """The orders of issue 20's levers (auctions, agreements, cell incentives) in words."""
        if isinstance(action, AuctionBlock):
            licence = "composite licence" if action.licence == "composite" else "mining lease"
            tonnes = amount(action.contained_tonnes)
            return (
                f"auction {action.blocks} {self.mineral(action.mineral)} block(s) of {tonnes} t ({licence})"
            )
        if isinstance(action, BidForBlock):
            premium = amount(action.premium * 100)
            return f"{self.firm(action.firm)} bids a {premium}% premium for block {action.block_id}"
        if isinstance(action, ProposeAgreement):
            channel = (
                f", co-financing {amount(action.co_finance_share * 100)}%" if action.co_finance_share else ""
            )
            return f"propose the {action.name} to {self.country(action.counterparty)}{channel}"
        if isinstance(action, AnswerAgreement):
            return f"{'sign' if action.accept else 'decline'} agreement proposal {action.proposal_id}"
        if isinstance(action, SetSubsidy):
            rate, goods = amount(action.rate * 100), self.goods(action)
            return f"pay your {goods} makers {rate}% of their sales for {action.turns} turns"
        if isinstance(action, SubsidiseCells):
            return (
                f"pay USD {amount(action.usd_per_kwh)}/kWh for {action.turns} turns on "
                f"{amount(action.gwh_per_year)} GWh/yr of home cell plants"
            )
        return type(action).__name__

    def control(self, action: ImposeExportControl) -> str:
        """An export control in words."""
        goods, where = self.line(action.mineral, action.stages), self.places(action.destinations)
        if action.regime == "ban":
            return f"ban exports of {goods} to {where}"
        if action.regime == "quota":
            return f"cap exports of {goods} to {where} at {amount(action.quota_tonnes_per_year or 0)} t/yr"
        return f"license exports of {goods} to {where} ({amount(action.approval_share * 100)}% approved)"

    def proposal(self, action: ProposeDeal) -> str:
        """A deal offer in words."""
        buying = action.buyer == action.country
        verb, other = ("buy", action.seller) if buying else ("sell", action.buyer)
        price = "at the index price" if action.price_rule == "index" else f"at a {action.price_rule} price"
        if action.price_usd_per_kg:
            price += f" of {amount(action.price_usd_per_kg)} USD/kg"
        preposition = "from" if buying else "to"
        tonnes, goods = amount(action.tonnes_per_year), self.goods(action)
        whom = self.country(other) + (f" ({self.firm(action.with_firm)})" if action.with_firm else "")
        kind = "" if action.kind == "offtake" else f" ({action.kind.replace('_', ' ')})"
        return (
            f"offer to {verb} {tonnes} t/yr of {goods} {preposition} {whom} "
            f"for {action.duration_turns} turns {price}{kind}"
        )


def wording_for(snapshot: WorldSnapshot, outline: WorldOutline) -> Wording:
    """The Wording of a scenario (its outline), with the snapshot's prices."""
    prices = {(f.mineral, f.stage): f.price for f in snapshot.figures if f.price}
    firms = {f.id: f.name for f in outline.firms}
    return Wording(snapshot.country_names, outline.mineral_names(), prices, firms)
