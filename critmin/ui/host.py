"""What panels read of the scene that shows them (MapScene and GameScene provide it).

Panels sit below the scenes: they see them through these protocols, so that neither module
imports the other both ways.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import pygame
import pygame_gui

from critmin.core.actions import ActionBase
from critmin.core.outline import WorldOutline
from critmin.core.snapshot import WorldSnapshot
from critmin.core.world_view import WorldView
from critmin.ui.indicators import Filter, PriceSeries
from critmin.ui.wording import Wording

if TYPE_CHECKING:
    from critmin.ui.session import Session


class MapHost(Protocol):
    """A map scene as its panels read it: the world shown, the filter, the focus, the layout."""

    ui: pygame_gui.UIManager
    chosen: Filter
    selected: str | None
    snapshot: WorldSnapshot

    @property
    def model(self) -> WorldView:
        """The world shown."""
        ...

    @property
    def outline(self) -> WorldOutline:
        """Its scenario."""
        ...

    @property
    def names(self) -> dict[str, str]:
        """Country names by ISO3."""
        ...

    @property
    def words(self) -> Wording:
        """Plain language for this scenario now."""
        ...

    @property
    def player(self) -> str | None:
        """The country the screen is centred on: the human country deciding now, or the firm's home."""
        ...

    @property
    def seat(self) -> str | None:
        """Who decides from this screen: the player's country, or the firm it runs."""
        ...

    @property
    def focus(self) -> str | None:
        """The country the dashboard describes."""
        ...

    @property
    def start_date(self) -> str:
        """The scenario's first quarter."""
        ...

    def filter_text(self) -> str:
        """The filter in words."""
        ...

    def role(self, country: str) -> str:
        """'player', 'human' or a country's AI doctrine."""
        ...

    def history(self) -> dict[tuple[str, str], PriceSeries]:
        """Price history per line."""
        ...

    def panel_rect(self, panel) -> pygame.Rect:
        """Where a panel opens."""
        ...

    def opened(self, panel) -> None:
        """A panel was opened."""
        ...


class GameHost(MapHost, Protocol):
    """A scene where a seat plays: its session, its drafting, its last turn for the report."""

    session: Session
    turn_start: WorldSnapshot | None
    refused: dict[str, list]

    def draft(self, action: ActionBase | str) -> None:
        """Add an order for the player (or say why it cannot be)."""
        ...
