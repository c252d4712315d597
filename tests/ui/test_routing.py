"""Event routing with SDL's dummy driver: clicks and hover on every panel's widgets over land stay theirs."""

from __future__ import annotations

import pygame
import pygame_gui
import pytest
from pygame_gui.core import UIContainer
from pygame_gui.elements import UIButton, UIDropDownMenu, UITextEntryLine

from critmin.ui.options import PlayOptions
from critmin.ui.routing import descends_from
from critmin.ui.session import Session

PANELS = ("Dashboard", "Prices", "News", "Deals", "Diplomacy", "Orders", "Report")


@pytest.fixture(scope="module")
def world_after_a_turn():
    """World 2024 with India human, one turn played (deals, news and prices exist)."""
    session = Session.start("world-2024", ["IND"])
    session.end_turn()
    return session


def over_eurasia(scene, panel) -> None:
    """Move a panel's window over Russia and China (where the default places put them)."""
    area = scene.map_area()
    window = panel.window
    x = min(area.centerx + 40, area.right - window.rect.width)
    window.set_position((x, area.top + 4))


def panel_widgets(scene, panel) -> list:
    """The widgets inside a panel (not its title bar) whose centre lies over a country."""
    inside = panel.window.get_container()
    return [
        element
        for element in scene.ui.get_sprite_group().sprites()
        if element is not inside
        and not isinstance(element, UIContainer)
        and descends_from(element, inside)
        and element.visible
        and inside.rect.collidepoint(element.rect.center)
        and scene.mapview.country_at(element.rect.center)
    ]


def recorder(monkeypatch, scene) -> list:
    """Widget events the scene receives, in order."""
    seen = []
    handle = scene.handle

    def recording(event):
        if event.type >= pygame.USEREVENT and hasattr(event, "ui_element"):
            seen.append((event.type, event.ui_element))
        handle(event)

    monkeypatch.setattr(scene, "handle", recording)
    return seen


@pytest.mark.parametrize("title", PANELS)
def test_every_panel_over_land_keeps_its_clicks_and_hover(driver, monkeypatch, world_after_a_turn, title):
    game = driver.app.start_game(world_after_a_turn, PlayOptions(panels=[title.lower()]))
    driver.frames(2)
    panel = next(p for p in game.panels if p.title == title)
    over_eurasia(game, panel)
    driver.frames(2)
    widgets = panel_widgets(game, panel)
    assert widgets, f"{title}: some widget lies over land"
    seen = recorder(monkeypatch, game)
    selected = game.selected
    for element in widgets:
        if not element.alive():  # an earlier click rebuilt the panel
            continue
        name = f"{title}: {type(element).__name__} at {element.rect}"
        driver.click(element)
        assert game.selected == selected, f"{name}: the click reached the map"
        assert game.hovered is None, f"{name}: the country beneath is hovered"
        if isinstance(element, UIButton) and element.is_enabled and element.alive():
            assert (pygame_gui.UI_BUTTON_PRESSED, element) in seen, f"{name} was pressed"
        elif isinstance(element, UIDropDownMenu):
            assert element.current_state is element.menu_states["expanded"], f"{name} opened"
            driver.click(element)  # closes it again
        elif isinstance(element, UITextEntryLine):
            assert element.is_focused, f"{name} has the keyboard"
    # the window's own background over land is the panel's too
    driver.click_at((panel.frame.right - 12, panel.frame.bottom - 12))
    assert game.selected == selected
