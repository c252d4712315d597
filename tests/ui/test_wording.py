"""Plain language: orders and refusals in the player's words and units, never validator text."""

from __future__ import annotations

from critmin.core.actions import BuyStockpile, ImposeExportControl, ProposeDeal, SetTariff
from critmin.ui.chart import axis_range, nice_ticks, tick_labels
from critmin.ui.forms import OrderForm, build_order
from critmin.ui.news import plain_detail
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


def test_chart_axes_have_round_distinct_ticks_in_one_format():
    for values in ([841.0], [841.0, 841.0001], [9740.0, 19480.0], [0.031, 0.034], [0.0]):
        ticks = nice_ticks(*axis_range(values))
        labels = tick_labels(ticks)
        assert len(set(labels)) == len(labels) >= 2, labels
        assert ticks[0] <= min(values) and ticks[-1] >= max(values)
        assert len({len(label.split(".")[-1]) if "." in label else 0 for label in labels}) == 1, labels
    assert tick_labels(nice_ticks(*axis_range([9740.0, 19480.0]))) == [
        "5,000",
        "10,000",
        "15,000",
        "20,000",
        "25,000",
    ]


def test_engine_sentences_in_the_news_read_with_names():
    assert plain_detail(WORDS, "disruption cuts IND's ree_heavy mine output by 27%") == (
        "India: mined heavy rare earths output cut by 27%"
    )
    assert plain_detail(WORDS, "CHN and IND sign a offtake on lithium (D0001)") == (
        "China and India sign an offtake on lithium (D0001)"
    )
