"""The map tells the story: your own trade by default, the world's routes aggregated, a full legend."""

from __future__ import annotations

import pygame
import pytest

from critmin.ui.legend import legend_rows
from critmin.ui.mapstory import ALL_FLOWS, MAX_ROUTES, YOUR_TRADE
from critmin.ui.options import PlayOptions
from critmin.ui.palette import route_colour, scale_colour, use_palette
from critmin.ui.panels import PricesPanel, dashboard_html, line_trends
from critmin.ui.session import Session


@pytest.fixture(scope="module")
def world_after_two_turns():
    """World 2024 with India human, two turns played."""
    session = Session.start("world-2024", ["IND"])
    session.end_turn()
    session.end_turn()
    return session


def test_the_default_view_is_your_trade_with_the_rest_faded(driver, world_after_two_turns):
    game = driver.app.start_game(world_after_two_turns, PlayOptions())
    driver.frames(2)
    assert game.view == YOUR_TRADE
    shown = [arc.flow for arc in game.flows.arcs]
    assert shown and all("IND" in (f.exporter, f.importer) for f in shown)
    assert game.story.faded and not any("IND" in (f.exporter, f.importer) for f in game.story.faded)
    assert len(game.flows.arcs) < len(game.snapshot.flows) / 4, "far fewer lines than the world's"
    rows = legend_rows("role", ["player"], sorted({f.mineral for f in shown}), game.story)
    legend = [text for _, _, label in rows for text in ((label,) if isinstance(label, str) else label)]
    assert {f.mineral.replace("_", " ") for f in shown} <= set(legend), "every mineral drawn is in the legend"
    assert not [label for label in legend if "_" in label], "words in the legend, not identifiers"
    assert any("width" in label for label in legend) and any("direction" in label for label in legend)


def test_all_flows_aggregates_routes_by_value(driver, world_after_two_turns):
    game = driver.app.start_game(world_after_two_turns, PlayOptions())
    driver.key(pygame.K_a)
    assert game.view == ALL_FLOWS and game.view_menu.selected_option[0] == ALL_FLOWS
    pairs = [(arc.flow.exporter, arc.flow.importer) for arc in game.flows.arcs]
    assert len(pairs) == len(set(pairs)) <= MAX_ROUTES, "one line per route, the biggest only"
    assert len(game.snapshot.flows) > 3 * len(pairs)
    assert game.story.width_by == "value"
    driver.key(pygame.K_m)  # one mineral: its flows one by one again
    assert game.story.width_by == "tonnes"


def test_turn_zero_shows_the_starting_figures(driver):
    game = driver.app.start_game(Session.start("world-2024", ["IND"]), PlayOptions())
    html = dashboard_html(game, "IND")
    assert "Starting figures" in html and "needs 0 · can make 0" not in html
    assert "uses 0 · makes 0" not in html


def test_the_colour_blind_palette_repaints_roles_scales_and_routes(driver):
    game = driver.app.start_game(Session.start("china-ree-controls-2025", ["IND"]), PlayOptions())
    standard = game.country_colours()["CHN"]
    try:
        use_palette("colour-blind")
        assert game.country_colours()["CHN"] == (213, 94, 0) != standard
        assert scale_colour(0.0) == (68, 1, 84) and route_colour("ban") == (213, 94, 0)
    finally:
        use_palette("standard")
    assert game.country_colours()["CHN"] == standard


def test_hovering_the_price_chart_reads_the_quarters_prices(driver, world_after_two_turns):
    game = driver.app.start_game(world_after_two_turns, PlayOptions(panels=["prices"]))
    driver.frames(2)
    chart = game.panel(PricesPanel).chart
    driver.hover(chart, seconds=0.1)
    assert "inside China USD" in game.status_text() and "2025Q" in game.status_text()
    assert game.hovered is None, "the country under the chart is not hovered"
    driver.park_mouse()
    assert "inside China" not in game.status_text()


def test_the_prices_panel_charts_the_focused_countrys_dependence_and_cover(world_after_two_turns):
    tables = world_after_two_turns.model.tables()
    turns, dependence, cover, embedded = line_trends(tables, "IND", "lithium", "refined")
    assert turns == [0, 1] and len(dependence) == len(cover) == len(embedded) == 2
    assert all(0 <= d <= 100 for d in dependence) and all(c >= 0 for c in cover)
    assert all(0 <= e <= 100 for e in embedded)
    magnets = line_trends(tables, "IND", "ree_heavy", "magnet")[3]
    assert magnets[-1] > 50, "India's heavy-REE magnets pass through China, feed counted"


def test_the_names_stay_readable_over_the_selections_outline(driver, world_after_two_turns):
    """India is selected from the start: its white outline used to cross its own name."""
    game = driver.app.start_game(world_after_two_turns, PlayOptions())
    driver.frames(2)
    assert game.selected == "IND" and game.label_sprites
    screen = driver.app.screen
    left, top = game.mapview.rect.topleft
    for sprite, (x, y) in game.label_sprites:
        for px in range(sprite.get_width()):
            for py in range(sprite.get_height()):
                colour = sprite.get_at((px, py))
                if colour.a == 255:  # an opaque pixel of the name or its halo is on the screen as drawn
                    assert screen.get_at((x + left + px, y + top + py))[:3] == colour[:3]
