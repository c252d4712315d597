"""Event routing: an event a widget takes never reaches the map.

pygame_gui's `process_events` says whether a widget consumed an event; pointer events over
any visible widget (a panel, a dropdown's open list, a tooltip, a dialog) are the widgets'
too, even where pygame_gui does not report them consumed (mouse motion, for hover).
"""

from __future__ import annotations

import pygame
import pygame_gui

POINTER_EVENTS = frozenset(
    {pygame.MOUSEMOTION, pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP, pygame.MOUSEWHEEL}
)


def over_widget(manager: pygame_gui.UIManager, pos: tuple[int, int]) -> bool:
    """True if a visible widget (other than the root container) lies under `pos`."""
    root = manager.get_root_container()
    return any(
        element is not root and element.visible and covers(element, pos)
        for element in manager.get_sprite_group().sprites()
    )


def covers(element, pos: tuple[int, int]) -> bool:
    """True if a widget's rectangle (shadow included, clipped by its container) contains `pos`."""
    container = element.ui_container
    inside = container is None or container.get_container().get_rect().collidepoint(pos)
    return bool(inside and element.rect.collidepoint(pos))


def event_pos(event: pygame.event.Event) -> tuple[int, int] | None:
    """Where a pointer event happened (the wheel: where the mouse is), else None."""
    if event.type not in POINTER_EVENTS:
        return None
    return getattr(event, "pos", None) or pygame.mouse.get_pos()


def taken_by_widgets(manager: pygame_gui.UIManager, event: pygame.event.Event) -> bool:
    """Give the event to the widgets; True if it is theirs (the map must not see it)."""
    consumed = manager.process_events(event)
    pos = event_pos(event)
    return bool(consumed) or (pos is not None and over_widget(manager, pos))


def descends_from(element, ancestor) -> bool:
    """True if `element` is `ancestor` or lies inside it (through parent elements or containers)."""
    seen = 0
    while element is not None and seen < 32:
        if element is ancestor:
            return True
        element = getattr(element, "parent_element", None) or getattr(element, "ui_container", None)
        seen += 1
    return False


def lift_above_windows(manager: pygame_gui.UIManager, element) -> None:
    """Raise a widget and all inside it above every window (a toolbar dropdown's open list).

    pygame_gui puts windows above the root container's widgets, so a list dropping from the
    top bar would otherwise open underneath the panels and its clicks would go to them.
    """
    windows = manager.get_window_stack().get_full_stack()
    top = max((window.get_top_layer() for window in windows), default=0)
    rise = top + 1 - element.layer
    if rise <= 0:
        return
    for sprite in list(manager.get_sprite_group().sprites()):
        if descends_from(sprite, element):
            sprite.change_layer(sprite.layer + rise)
