"""Plain language: orders and refusals in the player's words and units, never validator text."""

from __future__ import annotations

from critmin.engine.actions import BuyStockpile, ImposeExportControl, ProposeDeal, SetTariff
from critmin.ui.forms import OrderForm, build_order
from critmin.ui.wording import Wording, amount, mineral_name, plain_reason

WORDS = Wording(
    {"IND": "India", "CHN": "China", "RUS": "Russia"},
    {"lithium": "Lithium", "ree_heavy": "Rare earths, heavy (Dy+Tb oxide)"},
    {("lithium", "refined"): 12.0},
)


def test_a_tariff_of_5000_percent_is_refused_in_the_forms_words():
    action = build_order(OrderForm("tariff", "lithium", "refined", amount="5000"), "IND")
    assert isinstance(action, str) and "Expected" in action  # what the engine says...
    assert plain_reason(action) == "the tariff rate must be at most 500%"  # ...and what the player reads


def test_other_validator_texts_never_show_through():
    assert (
        plain_reason("bad action: Expected `float` > 0.0 - at `$.tonnes`")
        == "the quantity must be more than 0 t"
    )
    assert plain_reason("bad action: Invalid enum value 'x' - at `$.regime`") == "the regime is not valid"
    assert plain_reason("bad action: Object missing required field `stage`") == "the order is not valid"
    assert plain_reason("a quota needs quota_tonnes_per_year") == "a quota needs a yearly tonnage"
    assert plain_reason("IND has no export control on lithium at those stages").startswith("IND has no")


def test_orders_read_as_sentences_with_units_and_costs():
    tariff = SetTariff(country="IND", mineral="lithium", stages=("refined",), rate=0.25, origins=("RUS",))
    assert WORDS.order(tariff) == "25% tariff on refined lithium imports from Russia"
    ban = ImposeExportControl(country="IND", mineral="ree_heavy", stages=("magnet",), regime="ban")
    assert WORDS.order(ban) == "ban exports of heavy rare earths magnets to all countries"
    stock = BuyStockpile(country="IND", mineral="lithium", stage="refined", tonnes=500)
    assert (
        WORDS.order(stock)
        == "buy 500 t of refined lithium for the stockpile (about USD 6 m at today's price)"
    )
    offer = ProposeDeal(
        country="IND", counterparty="CHN", seller="CHN", buyer="IND", mineral="lithium", stage="refined",
        tonnes_per_year=576,
    )  # fmt: skip
    assert WORDS.order(offer) == (
        "offer to buy 576 t/yr of refined lithium from China for 8 turns at the index price"
    )


def test_amounts_hide_solver_dust_and_names_read_naturally():
    assert amount(2.88e-06) == "< 0.01" and amount(19480.2, " t") == "19,480 t" and amount(9.03) == "9.03"
    assert mineral_name("Graphite (natural)") == "graphite"
