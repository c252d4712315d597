"""The turn report and the news: what changed for the player, scripted events labelled, shortages grouped."""

from __future__ import annotations

from pathlib import Path

import pygame
import pytest

from critmin.core.actions import Invest
from critmin.ui.forms import as_action
from critmin.ui.news import news_items
from critmin.ui.options import PlayOptions
from critmin.ui.orders import OrdersPanel, scheduled_note
from critmin.ui.panels import ReportPanel, news_html, report_html
from critmin.ui.scenes import HandOverScene
from critmin.ui.session import Session

TINY = Path(__file__).parents[1] / "data" / "tiny.toml"
TARIFF = {"type": "set_tariff", "country": "IND", "mineral": "lithium", "stages": ["refined"], "rate": 0.25}


@pytest.fixture
def licences(driver):
    """China's rare-earth licences as India: a tariff on Russian refined lithium, then two turns."""
    game = driver.app.start_game(Session.start("china-ree-controls-2025", ["IND"]), PlayOptions())
    assert game.session.add_order(as_action(TARIFF | {"origins": ["RUS"]})) is None
    driver.key(pygame.K_RETURN)
    return game


def test_the_turn_report_opens_after_the_turn_and_says_what_your_orders_did(driver, licences):
    game = licences
    assert game.panel(ReportPanel).is_open
    html = report_html(game)
    assert "carried out: 25% tariff on refined lithium imports from Russia" in html
    for heading in ("Your orders", "Around the world, for you", "Prices on your lines", "Your shortages"):
        assert heading in html
    world = html.split("Around the world, for you")[1].split("Prices on your lines")[0]
    assert "25% tariff" not in world, "your own orders are told once, under Your orders"
    assert "e-0" not in html and "_" not in html.replace("<br>", ""), "no solver dust, no engine identifiers"


def test_an_order_refused_when_carried_out_is_named_once_with_its_kind(driver):
    """The flagship pays its scheduled programmes first: an investment India could afford when it
    drafted it is refused when the turn carries it out; the report says which order, once."""
    game = driver.app.start_game(Session.start("india-central-asia-2025", ["IND"]), PlayOptions())
    treasury = game.model.observe("IND").treasury_usd_m
    invest = next(
        a for a in game.model.legal_actions("IND") if isinstance(a, Invest) and a.mineral == "lithium"
    )
    refused = game.session.add_order(invest)  # the session now asks the check as carried out
    assert refused is not None and "scheduled programmes have paid USD 29 m" in refused, refused
    game.session.drafts["IND"].append(invest)  # drafted anyway (as a save or a script could)
    driver.key(pygame.K_RETURN)
    html = report_html(game)
    orders = html.split("Your orders")[1].split("Around the world, for you")[0]
    world = html.split("Around the world, for you")[1].split("Prices on your lines")[0]
    assert "refused when carried out, your invest order: costs USD" in orders
    assert f"treasury holds USD {treasury:,.1f} m" not in orders, (
        "refused on the treasury left after the script"
    )
    assert "rejected" not in world and "costs USD" not in world, "the refusal is told once, under Your orders"


def test_the_orders_panel_says_what_the_scenario_spends_of_the_treasury_this_quarter(driver):
    game = driver.app.start_game(Session.start("india-central-asia-2025", ["IND"]), PlayOptions())
    observation = game.model.observe("IND")
    committed = observation.committed_usd_m[0]
    note = scheduled_note(observation)
    assert f"pays USD {committed:,.0f} m" in note
    assert f"USD {observation.treasury_usd_m - committed:,.0f} m is left for your orders" in note
    driver.key(pygame.K_o)
    panel = game.panel(OrdersPanel)
    texts = [getattr(e, "html_text", "") for e in panel.window.get_container().elements]
    assert any("left for your orders" in text for text in texts)
    assert scheduled_note(Session.start(TINY, ["IND"]).model.observe("IND")) == ""
    firm = Session.start("india-central-asia-2025", ["kabil"])
    assert scheduled_note(firm.model.observe("kabil")) == "", "a firm's seat pays nothing scheduled"


def test_news_labels_the_scenarios_own_orders_and_words_yours_exactly(driver, licences):
    game = licences
    driver.key(pygame.K_RETURN)  # the script's licences come on the second turn
    items = news_items(game.model, game.words)
    ours = [i for i in items if i.kind == "tariff_set" and "IND" in i.countries]
    assert [(i.text, i.scripted) for i in ours] == [
        ("India: 25% tariff on refined lithium imports from Russia", False)
    ]
    chinese = [i for i in items if i.kind == "control_imposed" and i.countries[0] == "CHN"]
    assert chinese and all(i.scripted for i in chinese), (
        "the scenario's licences are marked as the scenario's"
    )
    assert "scenario</font>" in news_html(game)


def test_news_groups_shortages_of_one_mineral_into_one_line(driver, licences):
    game = licences
    driver.key(pygame.K_RETURN)
    shortages = [i for i in news_items(game.model, game.words) if i.kind == "shortage"]
    grouped = [i for i in shortages if len(i.countries) >= 3]
    assert grouped, "many countries short of one mineral make one line"
    assert all(i.text.startswith(f"{len(i.countries)} countries short of") for i in grouped)
    per_turn = {(i.turn, i.mineral) for i in grouped}
    assert len(per_turn) == len(grouped), "one line per mineral and turn"


def test_hot_seat_hands_over_a_clean_screen(driver):
    game = driver.app.start_game(Session.start(TINY, ["IND", "AUS"]), PlayOptions())
    assert game.session.add_order(as_action(TARIFF)) is None
    driver.key(pygame.K_RETURN)
    assert isinstance(driver.scene, HandOverScene)
    driver.key(pygame.K_RETURN)
    assert game.player == "AUS" and game.selected == "AUS"
    assert game.message == "" and game.session.orders() == [], "nothing of India's turn is shown to Australia"
