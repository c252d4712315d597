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
    x, y = pos
    return any(
        element is not root and element.visible and element.hover_point(x, y)
        for element in manager.get_sprite_group().sprites()
    )


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
