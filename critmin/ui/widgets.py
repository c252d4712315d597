"""Small helpers over pygame_gui: a button that explains why it is greyed out, fonts, text."""

from __future__ import annotations

from functools import cache
from importlib import resources

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UITextEntryLine

from critmin.ui.palette import TEXT
from critmin.ui.wording import plain_reason


class ReasonButton(UIButton):
    """A button that, greyed out, still shows its tooltip: the reason the choice is illegal.

    pygame_gui does not hover disabled buttons, so their tooltips never appear; this one
    hovers (showing the tooltip) but keeps its disabled look and ignores clicks.
    """

    def can_hover(self) -> bool:
        """Disabled buttons hover too (for their tooltip)."""
        return not self.is_enabled or super().can_hover()

    def on_hovered(self) -> None:
        """Keep the disabled look while hovered."""
        super().on_hovered()
        if not self.is_enabled and self.drawable_shape is not None:
            self.drawable_shape.set_active_state("disabled")

    def explain(self, reason: str | None, tooltip: str | None = None) -> None:
        """Enable the button (with `tooltip`) if `reason` is None, else grey it out with the reason."""
        if reason is None:
            self.enable()
            self.set_tooltip(tooltip, delay=0.4)
        else:
            self.disable()
            self.set_tooltip(f"Not possible: {plain_reason(reason)}", delay=0.2, wrap_width=320)


def reason_button(
    rect,
    text: str,
    manager,
    container=None,
    reason: str | None = None,
    tooltip: str | None = None,
    object_id: str | None = None,
) -> ReasonButton:
    """A ReasonButton, enabled or greyed out with `reason`."""
    button = ReasonButton(pygame.Rect(rect), text, manager, container=container, object_id=object_id)
    button.explain(reason, tooltip)
    return button


def typing_in(manager: pygame_gui.UIManager) -> bool:
    """True while a text entry has the keyboard (shortcuts must then stay quiet)."""
    focused = manager.get_focus_set() or ()
    return any(isinstance(element, UITextEntryLine) for element in focused)


@cache
def font(size: int, bold: bool = False) -> pygame.font.Font:
    """The UI's font (Noto Sans, shipped with pygame_gui) at a pixel size."""
    name = "NotoSans-Bold.ttf" if bold else "NotoSans-Regular.ttf"
    with resources.as_file(resources.files("pygame_gui.data") / name) as path:
        return pygame.font.Font(str(path), size)


def draw_text(
    surface: pygame.Surface, text: str, pos: tuple[int, int], size: int = 14, colour=TEXT, bold: bool = False
) -> pygame.Rect:
    """Render one line of text at `pos` (top-left); returns its rectangle."""
    image = font(size, bold).render(text, True, colour)
    return surface.blit(image, pos)


def fit(text: str, width: int, size: int = 14, bold: bool = False) -> str:
    """`text` shortened with an ellipsis to fit `width` pixels (a button's label)."""
    face = font(size, bold)
    if face.size(text)[0] <= width:
        return text
    while text and face.size(text + "…")[0] > width:
        text = text[:-1]
    return text.rstrip() + "…"


def escape(text: str) -> str:
    """Text made safe for pygame_gui's HTML-like text boxes."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
