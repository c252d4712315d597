"""The replay viewer: step through a saved game turn by turn on the map, checking state hashes."""

from __future__ import annotations

import pygame
from pygame_gui.elements import UIButton

from critmin.ui.mapscene import MapScene
from critmin.ui.session import ReplayCursor
from critmin.ui.toolbar import right_aligned


class ReplayScene(MapScene):
    """A saved game, one turn at a time: map, flows, dashboard, prices, news and deals as they were."""

    def __init__(self, app, cursor: ReplayCursor, name: str = "save") -> None:
        super().__init__(app)
        self.cursor = cursor
        self.name = name

    @property
    def model(self):
        """The replayed world at the current turn."""
        return self.cursor.model

    def title_text(self) -> str:
        """File, date, turn, hash check."""
        check = f"WARNING: {self.cursor.problem}" if self.cursor.problem else "state hashes match the save"
        turn = f"turn {self.cursor.turn} of {self.cursor.turns}"
        return f"Replay of {self.name} · {self.model.date} · {turn} · {check}"

    def build_actions(self, width: int) -> int:
        """Back, Forward, Close, right-aligned on the first row."""
        back, forward, close = right_aligned([130, 150, 120], width)
        self.back_button = self.own(UIButton(back, "« Back (Left)", self.ui))
        self.forward_button = self.own(UIButton(forward, "Forward (Right) »", self.ui))
        self.close_button = self.own(UIButton(close, "Close viewer", self.ui))
        return back.left

    def step(self, forward: bool) -> None:
        """One turn forward or back."""
        moved = self.cursor.forward() if forward else self.cursor.back()
        if moved:
            self.world_changed()
        else:
            self.say("end of the save" if forward else "start of the game")

    def button_pressed(self, element) -> None:
        """Back, Forward, Close, and the panel toggles."""
        if element is self.back_button:
            self.step(False)
        elif element is self.forward_button:
            self.step(True)
        elif element is self.close_button:
            self.app.scenes.pop()
        else:
            super().button_pressed(element)

    def other_key(self, event: pygame.event.Event) -> None:
        """Left and Right arrows step."""
        if event.key in (pygame.K_LEFT, pygame.K_RIGHT):
            self.step(event.key == pygame.K_RIGHT)

    def escape(self) -> None:
        """Esc closes the last panel, then the viewer."""
        if not self.close_last_panel():
            self.app.scenes.pop()
