"""The layout adapts: the toolbar reflows at every size, panels stay inside the window, R resets them."""

from __future__ import annotations

import pygame
import pytest

from critmin.ui.options import PlayOptions
from critmin.ui.session import Session


def toolbar(game) -> list:
    """Every control of the top bar."""
    return [
        game.mineral_menu,
        game.stage_menu,
        game.colour_menu,
        game.view_menu,
        *game.panel_buttons,
        *game.action_buttons,
        game.end_button,
    ]


@pytest.mark.parametrize("size", [(800, 560), (1000, 640), (1280, 720), (3840, 2160)])
def test_the_toolbar_reflows_inside_the_window_without_overlaps(driver, size):
    game = driver.app.start_game(Session.start("world-2024", ["IND"]), PlayOptions(panels=["orders"]))
    pygame.event.post(pygame.event.Event(pygame.VIDEORESIZE, w=size[0], h=size[1], size=size))
    driver.frames(3)
    window = pygame.Rect((0, 0), size)
    rects = [element.rect for element in toolbar(game)]
    assert all(window.contains(r) and r.bottom <= game.bar_h for r in rects)
    assert all(r.collidelist(rects[i + 1 :]) < 0 for i, r in enumerate(rects)), "no control covers another"
    assert game.mapview.rect.top == game.bar_h
    orders = next(p for p in game.panels if p.title == "Orders")
    assert game.map_area().contains(orders.frame), "the open panel was laid out inside the map"


def test_panels_dragged_out_come_back_and_r_resets_the_layout(driver):
    game = driver.app.start_game(Session.start("world-2024", ["IND"]), PlayOptions(panels=["news", "orders"]))
    driver.frames(2)
    news = next(p for p in game.panels if p.title == "News")
    home = news.frame
    news.window.set_position((1200, 650))  # mostly off-screen, as a drag past the edge leaves it
    driver.frames(2)
    assert game.map_area().contains(news.frame), "kept inside the window"
    assert news.frame != home
    driver.key(pygame.K_r)
    assert news.frame == home and "layout reset" in game.message
