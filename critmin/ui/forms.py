"""The order and deal forms of the front end, as plain data turned into engine Actions (no pygame).

A form holds what the player picked (strings, as the widgets give them); `build` turns it
into an Action through `action_from_dict`, so the Action's own validation applies, or returns
the reason it cannot. Whether the Action is legal now is the engine's call (`model.check`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from critmin.core.actions import ActionBase, ActionFormatError, action_from_dict
from critmin.core.snapshot import WorldSnapshot

ALL_PARTNERS = "all countries"
ORDER_KINDS: dict[str, str] = {
    "export control": "impose_export_control",
    "lift control": "lift_export_control",
    "tariff": "set_tariff",
    "invest": "invest",
    "fund program": "fund_program",
    "buy stockpile": "buy_stockpile",
    "release stockpile": "release_stockpile",
}
OPTIONS: dict[str, tuple[str, ...]] = {
    "export control": ("ban", "licence", "quota"),
    "fund program": ("exploration", "recycling", "processing"),
}
PARTNER_ROLE = {"export control": "to", "tariff": "from"}
NO_STAGE = frozenset({"fund program"})
LICENCE_DELAY_TURNS = 1
DEAL_SIDES = ("we buy", "we sell")


@dataclass(frozen=True)
class OrderForm:
    """A policy order being drafted: its kind and parameters as the widgets show them."""

    kind: str = "tariff"
    mineral: str = ""
    stage: str = ""
    option: str = ""
    partner: str = ALL_PARTNERS
    amount: str = ""

    def options(self) -> tuple[str, ...]:
        """The choices of the option field (regime or program), if the kind has one."""
        return OPTIONS.get(self.kind, ())

    def amount_label(self) -> str:
        """What the amount field means for this kind of order ('' when it has none)."""
        if self.kind == "export control":
            return {"quota": "quota t/yr", "licence": "approved %"}.get(self.option, "")
        return {
            "tariff": "rate %",
            "invest": "t/yr",
            "fund program": "USD m",
            "buy stockpile": "tonnes",
            "release stockpile": "tonnes",
        }.get(self.kind, "")

    def with_kind(self, kind: str) -> OrderForm:
        """The form switched to another kind of order (option reset)."""
        options = OPTIONS.get(kind, ())
        return replace(self, kind=kind, option=options[0] if options else "")


def build_order(form: OrderForm, country: str) -> ActionBase | str:
    """The Action a policy form describes, or why it cannot be built."""
    data: dict = {"type": ORDER_KINDS[form.kind], "country": country, "mineral": form.mineral}
    partners = [] if form.partner == ALL_PARTNERS else [form.partner]
    try:
        amount = float(form.amount) if form.amount_label() else 0.0
    except ValueError:
        return f"{form.amount_label()}: {form.amount!r} is not a number"
    if form.kind == "export control":
        data |= {"stages": [form.stage], "regime": form.option, "destinations": partners}
        if form.option == "quota":
            data["quota_tonnes_per_year"] = amount
        elif form.option == "licence":
            data |= {"approval_share": amount / 100, "delay_turns": LICENCE_DELAY_TURNS}
    elif form.kind == "lift control":
        data["stages"] = [form.stage]
    elif form.kind == "tariff":
        data |= {"stages": [form.stage], "rate": amount / 100, "origins": partners}
    elif form.kind == "invest":
        data |= {"stage": form.stage, "tonnes_per_year": amount}
    elif form.kind == "fund program":
        data |= {"program": form.option, "usd_m": amount}
    else:
        data |= {"stage": form.stage, "tonnes": amount}
    return as_action(data)


def as_action(data: dict) -> ActionBase | str:
    """An Action from plain data, or the reason the data is not one."""
    try:
        return action_from_dict(data)
    except ActionFormatError as error:
        return str(error)


def top_import(snapshot: WorldSnapshot, country: str) -> tuple[str, str]:
    """The (mineral, stage) a country spent most on importing last turn (else the first line)."""
    top = largest_import(snapshot, country)
    if top is not None:
        return top
    first = snapshot.minerals[0]
    return first, snapshot.chains[first][-1]


def largest_import(snapshot: WorldSnapshot, country: str | None, among=None) -> tuple[str, str] | None:
    """The (mineral, stage) a country spent most on importing last turn, of the lines `among`.

    All lines if `among` is None; None if it imported none of them.
    """
    imports = [
        f
        for f in snapshot.figures
        if f.country == country and f.imports > 0 and (among is None or (f.mineral, f.stage) in among)
    ]
    if not imports:
        return None
    top = max(imports, key=lambda f: f.imports * f.price)
    return top.mineral, top.stage


def main_supplier(snapshot: WorldSnapshot, country: str, mineral: str, stage: str) -> str | None:
    """The country that shipped most of a line to `country` last turn, if any."""
    flows = [f for f in snapshot.flows if f.importer == country and (f.mineral, f.stage) == (mineral, stage)]
    return max(flows, key=lambda f: f.tonnes).exporter if flows else None


def default_amount(form: OrderForm, country: str, snapshot: WorldSnapshot, budget_usd_m: float) -> str:
    """A sensible starting amount for the form, from the country's figures on the line."""
    figure = snapshot.figure(country, form.mineral, form.stage)
    use_per_turn = (figure.demand or figure.imports or figure.production) if figure else 0.0
    world_capacity = sum(
        f.capacity for f in snapshot.figures if (f.mineral, f.stage) == (form.mineral, form.stage)
    )
    amounts = {
        "tariff": 25.0,
        "invest": 0.02 * world_capacity * 4,
        "fund program": 0.05 * budget_usd_m * 4,
        "buy stockpile": use_per_turn,
        "release stockpile": (figure.stockpile / 2) if figure else 0.0,
    }
    if form.kind == "export control":
        exports = figure.exports if figure else 0.0
        amounts["export control"] = {"quota": exports * 4 / 2, "licence": 50.0}.get(form.option, 0.0)
    return plain_number(amounts.get(form.kind, 0.0))


@dataclass(frozen=True)
class DealForm:
    """An offtake offer being drafted for another country."""

    counterparty: str = ""
    side: str = DEAL_SIDES[0]
    mineral: str = ""
    stage: str = ""
    tonnes_per_year: str = "1000"
    duration_turns: str = "8"


def build_deal(form: DealForm, country: str) -> ActionBase | str:
    """The ProposeDeal a deal form describes (index-priced offtake), or why it cannot be built."""
    if not form.counterparty:
        return "pick a counterparty (click a country on the map)"
    try:
        tonnes, duration = float(form.tonnes_per_year), int(form.duration_turns)
    except ValueError:
        return "tonnes per year and duration must be numbers"
    buyer, seller = (
        (country, form.counterparty) if form.side == DEAL_SIDES[0] else (form.counterparty, country)
    )
    return as_action(
        {
            "type": "propose_deal",
            "country": country,
            "counterparty": form.counterparty,
            "kind": "offtake",
            "seller": seller,
            "buyer": buyer,
            "mineral": form.mineral,
            "stage": form.stage,
            "tonnes_per_year": tonnes,
            "price_rule": "index",
            "duration_turns": duration,
        }
    )


def default_deal_tonnes(
    form: DealForm, country: str, snapshot: WorldSnapshot, yearly_need: float = 0.0
) -> str:
    """Tonnes per year to offer: a quarter of the buyer's yearly use of the line.

    Falls back on the buyer's need in the scenario, then on the seller's output.
    """
    buyer = country if form.side == DEAL_SIDES[0] else form.counterparty
    figure = snapshot.figure(buyer, form.mineral, form.stage)
    use = max(figure.demand, figure.imports) if figure else 0.0
    use = use or yearly_need / 4
    if not use:
        seller = form.counterparty if form.side == DEAL_SIDES[0] else country
        seller_figure = snapshot.figure(seller, form.mineral, form.stage)
        use = seller_figure.production if seller_figure else 0.0
    return plain_number(max(use * 4 * 0.25, 1.0))


def plain_number(value: float) -> str:
    """A number a text entry can show and parse back: whole above 100, three digits below."""
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"


FIRM_MOVES = ("stake", "invest")  # what a firm's seat may order (engine/firm_legal.py)
FIRM_AMOUNTS = {"stake": "share %", "invest": "t/yr"}


@dataclass(frozen=True)
class FirmForm:
    """A firm's move being drafted: a stake in a line abroad, or new capacity on a line at home."""

    kind: str = "stake"
    host: str = ""
    mineral: str = ""
    stage: str = ""
    amount: str = "1"


def build_firm_order(form: FirmForm, firm: str, home: str) -> ActionBase | str:
    """The AcquireStake or Invest a firm's form describes (paid by the firm), or why it cannot be built."""
    try:
        amount = float(form.amount)
    except ValueError:
        return f"{FIRM_AMOUNTS[form.kind]}: {form.amount!r} is not a number"
    data = {"country": home, "firm": firm, "mineral": form.mineral, "stage": form.stage}
    if form.kind == "stake":
        return as_action({**data, "type": "acquire_stake", "host": form.host, "share": amount / 100})
    return as_action({**data, "type": "invest", "tonnes_per_year": amount})


def firm_form_of(action: ActionBase, kind: str) -> FirmForm:
    """A firm's form filled from a move of its menu."""
    share = getattr(action, "share", 0.0)
    amount = share * 100 if kind == "stake" else getattr(action, "tonnes_per_year", 0.0)
    return FirmForm(
        kind=kind,
        host=getattr(action, "host", ""),
        mineral=action.mineral.value,
        stage=action.stage.value,
        amount=plain_number(amount),
    )


def default_firm_amount(form: FirmForm, home: str, snapshot: WorldSnapshot) -> str:
    """1% of the host's line for a stake; a tenth of the home line (t/yr) for new capacity."""
    if form.kind == "stake":
        return "1"
    figure = snapshot.figure(home, form.mineral, form.stage)
    return plain_number(0.1 * figure.capacity * 4 if figure else 0.0)
