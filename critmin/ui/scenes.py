"""The scene stack (picker -> briefing -> game -> ...), and the small overlay scenes.

Each scene owns its pygame_gui widgets, handles events, updates on the fixed animation step
and draws. The scene on top gets the events; scenes under a see-through one still draw.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UILabel, UITextBox

from critmin.ui.palette import OCEAN

if TYPE_CHECKING:
    from critmin.ui.options import PlayOptions
    from critmin.ui.session import Session

HELP_TEXT = """<b>Keyboard</b><br>
<b>Enter</b> end your turn (hot-seat: hand over to the next player)<br>
<b>D</b> dashboard · <b>P</b> prices · <b>N</b> news · <b>I</b> diplomacy inbox · <b>L</b> deals ·
<b>T</b> turn report<br>
<b>O</b> orders (export controls, tariffs, investment, programs, stockpile)<br>
<b>M</b> / <b>Shift+M</b> next / previous mineral · <b>G</b> next stage · <b>C</b> next map colouring<br>
<b>A</b> your trade / all flows · <b>F</b> moving dots on / off · <b>R</b> panels back in place<br>
<b>Esc</b> close the last panel (or this help)<br>
<b>Ctrl+S</b> save · <b>Ctrl+O</b> load · <b>Ctrl+R</b> replay a save · <b>Ctrl+Q</b> quit ·
<b>F1</b> or <b>H</b> this help<br>
In the replay viewer: <b>Left</b> / <b>Right</b> one turn back / forward.<br><br>
<b>Mouse</b><br>
Click a country to select it: the dashboard shows it and the deal and order forms aim at it.
Hover a greyed-out button to read why that choice is not possible now. Drag panels by their title.<br><br>
<b>Map</b><br>
Arcs are last turn's trade flows, coloured by mineral, with arrowheads from exporter to importer.
<i>Your trade</i> shows your own flows (wider for more tonnes) and fades the rest; <i>all flows</i>
sums each route's trade by value. Red dashes: exports banned on that route; orange dashes: exports
under licence or quota. The rest of the world (ROW) is not drawn."""


class Window(Protocol):
    """What scenes use of the window that shows them (app.py's `App`)."""

    ui: pygame_gui.UIManager
    scenes: SceneStack
    running: bool

    @property
    def size(self) -> tuple[int, int]:
        """The window's size in pixels."""
        ...

    def message(self, title: str, text: str) -> None:
        """A message window over everything."""
        ...

    def start_game(self, session: Session, options: PlayOptions) -> Scene:
        """Replace the current scene with the game of a session."""
        ...


class Scene:
    """A screen of the game. Subclasses build widgets in `build` and react in `handle`."""

    opaque = True

    def __init__(self, app: Window) -> None:
        self.app = app
        self.elements: list = []

    @property
    def ui(self) -> pygame_gui.UIManager:
        """The app's widget manager."""
        return self.app.ui

    def own(self, element):
        """Register a top-level widget of this scene (hidden, shown and killed with it)."""
        self.elements.append(element)
        return element

    def enter(self) -> None:
        """The scene becomes active."""
        self.build()

    def build(self) -> None:
        """Create the scene's widgets for the current window size."""

    def clear(self) -> None:
        """Kill the scene's widgets."""
        for element in self.elements:
            element.kill()
        self.elements = []

    def exit(self) -> None:
        """The scene leaves the stack."""
        self.clear()

    def pause(self) -> None:
        """Another scene covers this one."""
        for element in self.elements:
            element.hide()

    def resume(self) -> None:
        """The scene is on top again."""
        for element in self.elements:
            element.show()

    def resize(self) -> None:
        """The window changed size: rebuild the widgets."""
        self.clear()
        self.build()

    def handle(self, event: pygame.event.Event) -> None:
        """React to one event."""

    def pointer_on_widget(self, pos: tuple[int, int]) -> None:
        """The mouse moved onto a widget (the map under it is not hovered)."""

    def between_events(self) -> None:
        """After a frame's events: rebuild what they made stale (subclasses)."""

    def update(self, step_s: float) -> None:
        """Advance animations by one fixed step."""

    def draw(self, surface: pygame.Surface) -> None:
        """Draw what is not a widget."""


class SceneStack:
    """Scenes on top of each other; the top one is active."""

    def __init__(self) -> None:
        self.scenes: list[Scene] = []

    @property
    def top(self) -> Scene | None:
        """The active scene."""
        return self.scenes[-1] if self.scenes else None

    def push(self, scene: Scene) -> Scene:
        """Cover the active scene with a new one."""
        if self.top:
            self.top.pause()
        self.scenes.append(scene)
        scene.enter()
        return scene

    def pop(self) -> Scene | None:
        """Remove the active scene; the one below resumes."""
        if not self.scenes:
            return None
        scene = self.scenes.pop()
        scene.exit()
        if self.top:
            self.top.resume()
        return scene

    def replace(self, scene: Scene) -> Scene:
        """Swap the active scene for another."""
        if self.scenes:
            self.scenes.pop().exit()
        self.scenes.append(scene)
        scene.enter()
        return scene

    def visible(self) -> list[Scene]:
        """Scenes to draw, bottom first: the top one and those showing through it."""
        start = len(self.scenes) - 1
        while start > 0 and not self.scenes[start].opaque:
            start -= 1
        return self.scenes[max(start, 0) :]


class HelpOverlay(Scene):
    """Keyboard shortcuts and how to read the map, over the game."""

    opaque = False

    def build(self) -> None:
        """A text box and a Close button in the middle of the window."""
        width, height = self.app.size
        box = pygame.Rect(0, 0, min(760, width - 40), min(470, height - 80))
        box.center = (width // 2, height // 2)
        self.own(UITextBox(HELP_TEXT, box, self.ui, object_id="#help"))
        self.close = self.own(
            UIButton(pygame.Rect(box.centerx - 60, box.bottom + 8, 120, 30), "Close (Esc)", self.ui)
        )

    def handle(self, event: pygame.event.Event) -> None:
        """Esc, F1, H or the button close the help."""
        closing_keys = (pygame.K_ESCAPE, pygame.K_F1, pygame.K_h)
        if (event.type == pygame.KEYDOWN and event.key in closing_keys) or (
            event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.close
        ):
            self.app.scenes.pop()

    def draw(self, surface: pygame.Surface) -> None:
        """Dim what is underneath."""
        shade = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
        shade.fill((0, 0, 0, 150))
        surface.blit(shade, (0, 0))


class HandOverScene(Scene):
    """Hot-seat: hides the last player's screen until the next player is ready."""

    def __init__(self, app: Window, player_name: str) -> None:
        super().__init__(app)
        self.player_name = player_name

    def build(self) -> None:
        """A message and a Ready button."""
        width, height = self.app.size
        self.own(
            UILabel(
                pygame.Rect(0, height // 2 - 60, width, 40),
                f"Pass the keyboard to {self.player_name}",
                self.ui,
                object_id="#big",
            )
        )
        self.ready = self.own(
            UIButton(
                pygame.Rect(width // 2 - 130, height // 2, 260, 40),
                f"I am {self.player_name}: show my turn",
                self.ui,
            )
        )

    def handle(self, event: pygame.event.Event) -> None:
        """Enter or the button reveal the next player's screen."""
        if (event.type == pygame.KEYDOWN and event.key in (pygame.K_RETURN, pygame.K_KP_ENTER)) or (
            event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.ready
        ):
            self.app.scenes.pop()

    def draw(self, surface: pygame.Surface) -> None:
        """An empty screen."""
        surface.fill(OCEAN)
