"""A scripted playthrough: three turns as India in China's rare-earth licences, with screenshots.

It plays through the window as a player would (real pygame events at the widgets' places:
keys, clicks on buttons and dropdown options) and writes a screenshot at each step into a
folder. `python -m critmin.ui.tour docs/images` renders the player's guide's pictures.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SCENARIO = "china-ree-controls-2025"
SHOTS = {
    "tour-1-orders.png": "Turn 1: the orders panel, a tariff drafted with Add order, a suggested move",
    "tour-2-turn-report.png": "After turn 1: the turn report says what changed for India",
    "tour-3-your-trade.png": "Turn 2: India's own trade on the map (the rest faded), with the dashboard",
    "tour-4-prices.png": "After turn 3: heavy rare-earth magnet prices inside and outside China; the news",
}


class Player:
    """Posts real pygame events to an App and runs frames, as a person at the window would."""

    def __init__(self, app) -> None:
        self.app = app

    def frames(self, count: int = 3) -> None:
        """Run frames at the fixed step."""
        from critmin.ui.app import STEP_S

        for _ in range(count):
            self.app.frame(STEP_S)

    def click(self, element, frames: int = 4) -> None:
        """A left click in the middle of a widget."""
        import pygame

        pos = element.rect.center
        pygame.mouse.set_pos(pos)
        pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0)))
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1))
        self.frames(frames)

    def choose(self, dropdown, option: str) -> None:
        """Open a dropdown and click one of its options."""
        self.click(dropdown)
        items = dropdown.current_state.options_selection_list.item_list
        self.click(next(i["button_element"] for i in items if i["text"] == option), frames=6)

    def key(self, key: int, frames: int = 4) -> None:
        """Press and release a key."""
        import pygame

        for kind in (pygame.KEYDOWN, pygame.KEYUP):
            pygame.event.post(pygame.event.Event(kind, key=key, mod=0, unicode="", scancode=0))
        self.frames(frames)

    def park(self) -> None:
        """Move the mouse to the status bar's corner (no hover, no tooltip), let particles spread."""
        import pygame

        pos = (self.app.size[0] - 2, self.app.size[1] - 2)
        pygame.mouse.set_pos(pos)
        pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0)))
        self.frames(40)


def playthrough(folder: Path, size: tuple[int, int] = (1280, 720)) -> list[Path]:
    """Play three turns as India, writing the SHOTS into `folder`; returns their paths."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    import pygame

    from critmin.ui.app import App
    from critmin.ui.options import PlayOptions
    from critmin.ui.orders import OrdersPanel
    from critmin.ui.panels import DashboardPanel, NewsPanel, PricesPanel, ReportPanel
    from critmin.ui.session import Session

    folder = Path(folder)
    app, written = App(size), []
    try:
        game = app.start_game(Session.start(SCENARIO, ["IND"]), PlayOptions(scenario=SCENARIO, size=size))
        player = Player(app)
        player.frames(2)

        def shot(name: str) -> None:
            player.park()
            written.append(app.screenshot(folder / name))

        # turn 1: a tariff on refined lithium through the form, and a suggested move
        player.key(pygame.K_o)
        orders = game.panel(OrdersPanel)
        player.choose(orders.mineral, "lithium")
        player.choose(orders.stage, "refined")
        player.click(orders.add)
        player.click(next(iter(orders.actions)))
        shot("tour-1-orders.png")
        player.click(game.end_button)
        shot("tour-2-turn-report.png")
        # turn 2: the map of India's trade, with the dashboard
        player.key(pygame.K_t)
        player.key(pygame.K_o)
        player.key(pygame.K_d)
        shot("tour-3-your-trade.png")
        player.key(pygame.K_d)
        player.click(game.end_button)
        player.key(pygame.K_t)
        player.click(game.end_button)
        # after turn 3: heavy rare-earth magnet prices and the news
        player.key(pygame.K_t)
        player.choose(game.mineral_menu, "ree_heavy")
        player.key(pygame.K_p)
        player.key(pygame.K_n)
        shot("tour-4-prices.png")
        assert game.model.turn == 3 and game.panel(PricesPanel).is_open and game.panel(NewsPanel).is_open
        assert not game.panel(DashboardPanel).is_open and not game.panel(ReportPanel).is_open
        return written
    finally:
        app.close()


if __name__ == "__main__":
    for path in playthrough(Path(sys.argv[1] if len(sys.argv) > 1 else "tour")):
        print(path)
