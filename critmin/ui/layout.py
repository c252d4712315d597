"""What the window shows, as data: every visible widget's rectangle and the scene's state.

Tools and tests that drive the real window (xdotool under Xvfb) read it to click widgets at
their on-screen rectangles: `critmin play --layout-file FILE` (or CRITMIN_LAYOUT_FILE) makes
the app write it after every frame.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import numpy as np
import pygame
from pygame_gui.core import UIElement
from pygame_gui.elements import UIButton, UIDropDownMenu, UILabel, UITextBox

LAYOUT_ENV = "CRITMIN_LAYOUT_FILE"


def widget_entry(element: UIElement, scene) -> dict:
    """One widget: rectangle, text, enabled, and the country under its centre (if any)."""
    rect = element.rect
    mapview = getattr(scene, "mapview", None)
    entry = {
        "rect": [rect.x, rect.y, rect.w, rect.h],
        "kind": type(element).__name__,
        "over": mapview.country_at(rect.center) if mapview is not None else None,
    }
    if isinstance(element, UIButton):
        entry |= {"text": element.text, "enabled": bool(element.is_enabled), "tooltip": element.tool_tip_text}
    if isinstance(element, UILabel):
        entry["text"] = element.text
    if isinstance(element, UITextBox):
        entry |= {"text": element.html_text, "clipped": clipped(element)}
    if isinstance(element, UIDropDownMenu):
        entry |= {
            "text": element.selected_option[0],
            "expanded": element.current_state is element.menu_states["expanded"],
        }
    return entry


def clipped(box: UITextBox) -> bool:
    """True when a text box cannot show all of its text at once (a line cut, or a scroll bar)."""
    layout = box.text_box_layout
    if layout is None or box.text_wrap_rect is None:
        return False
    bottom = max((row.top + row.text_chunk_height for row in layout.layout_rows), default=0)
    return box.scroll_bar is not None or bottom > box.text_wrap_rect[3]


def alive(element) -> bool:
    """A widget still in its manager and visible."""
    return isinstance(element, UIElement) and element.alive() and bool(element.visible)


def named_widgets(owner, prefix: str) -> dict[str, UIElement]:
    """An object's widget attributes (and buttons in its dict attributes, widgets in its lists), by name."""
    found: dict[str, UIElement] = {}
    for name, value in vars(owner).items():
        if alive(value):
            found[f"{prefix}{name}"] = value
        elif isinstance(value, list):
            found |= {f"{prefix}{name}[{k}]": item for k, item in enumerate(value) if alive(item)}
        elif isinstance(value, dict):
            for key in value:
                if alive(key) and isinstance(key, UIButton):
                    found[f"{prefix}{name}[{key.text}]"] = key
    return found


def dropdown_options(widgets: dict[str, UIElement]) -> dict[str, UIElement]:
    """The option buttons of the dropdowns that are open."""
    options = {}
    for name, element in widgets.items():
        if isinstance(element, UIDropDownMenu) and element.current_state is element.menu_states["expanded"]:
            for item in element.current_state.options_selection_list.item_list:
                button = item.get("button_element")
                if alive(button):
                    options[f"{name}.option[{item['text']}]"] = button
    return options


def scene_widgets(scene) -> dict[str, UIElement]:
    """Every named widget of a scene and of its open panels."""
    widgets = named_widgets(scene, "")
    for panel in getattr(scene, "panels", ()):
        if panel.window is not None:
            widgets |= named_widgets(panel, f"{panel.title}.")
            widgets[f"{panel.title}.close"] = panel.window.close_window_button
    dialog = getattr(scene, "dialog", None)
    if alive(dialog):
        widgets |= {"dialog.ok": dialog.ok_button, "dialog.cancel": dialog.cancel_button}
    return widgets | dropdown_options(widgets)


def free_points(scene, manager) -> dict[str, list[int]]:
    """A point of each country that no widget covers (where a click selects it)."""
    mapview = getattr(scene, "mapview", None)
    if mapview is None or mapview.pick is None:
        return {}
    pick = pygame.surfarray.array3d(mapview.pick).astype(np.int32)
    index = pick[..., 0] + 256 * pick[..., 1]  # indexed [x, y]
    root = manager.get_root_container()
    for element in manager.get_sprite_group().sprites():
        if element is not root and element.visible:
            r = element.rect.move(-mapview.rect.x, -mapview.rect.y).clip(
                pygame.Rect((0, 0), mapview.rect.size)
            )
            index[r.left : r.right, r.top : r.bottom] = 0
    points = {}
    for k, code in enumerate(mapview.countries, start=1):
        xs, ys = np.nonzero(index == k)
        if len(xs):
            middle = int(np.argsort(xs + ys)[len(xs) // 2])
            points[code] = [int(xs[middle]) + mapview.rect.x, int(ys[middle]) + mapview.rect.y]
    return points


def form_data(panel) -> dict | None:
    """A panel's form as plain data (orders and diplomacy)."""
    form = getattr(panel, "form", None)
    return dataclasses.asdict(form) if dataclasses.is_dataclass(form) else None


def scene_state(scene) -> dict:
    """What a test asserts on: selection, hover, player, turn, drafted orders, panels, message."""
    session = getattr(scene, "session", None)
    panels = getattr(scene, "panels", ())
    return {
        "scene": type(scene).__name__,
        "selected": getattr(scene, "selected", None),
        "hovered": getattr(scene, "hovered", None),
        "player": getattr(scene, "player", None),
        "turn": scene.model.turn if hasattr(scene, "model") else None,
        "orders": [scene.words.order(a) for a in session.orders()] if session is not None else [],
        "open_panels": [p.title for p in panels if p.is_open],
        "forms": {p.title: form_data(p) for p in panels if form_data(p) is not None},
        "bar_h": getattr(scene, "bar_h", None),
        "dialog": getattr(scene, "dialog_purpose", "") if alive(getattr(scene, "dialog", None)) else "",
        "message": getattr(scene, "message", ""),
        "status": scene.status_text() if hasattr(scene, "status_text") else "",
        "legend": getattr(scene, "legend_line", ""),
        "firm": scene.firm_state() if hasattr(scene, "firm_state") else None,
    }


def layout(app, frame: int) -> dict:
    """The window's size, the top scene's state and widgets, and free points of each country."""
    scene = app.scenes.top
    data = {"frame": frame, "size": list(app.size)}
    if scene is None:
        return data
    widgets = scene_widgets(scene)
    return data | {
        "state": scene_state(scene),
        "widgets": {name: widget_entry(element, scene) for name, element in widgets.items()},
        "country_points": free_points(scene, app.ui),
    }


def write_layout(app, frame: int, path: Path) -> None:
    """Write the layout as JSON atomically (readers never see half a file)."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(layout(app, frame)))
    os.replace(temporary, path)
