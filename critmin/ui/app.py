"""The window, the main loop and the entry points of `critmin play` (interactive, autoplay, screenshot).

`App.frame(dt)` is one frame: events to the widgets and the top scene, fixed animation steps
for the time elapsed, drawing. Tests and the benchmark call it directly with a fixed `dt`.
"""

from __future__ import annotations

import os
import time
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import pygame
import pygame_gui
from pygame_gui.windows import UIMessageWindow

from critmin.ui.options import MIN_SIZE, PlayOptions
from critmin.ui.routing import taken_by_widgets
from critmin.ui.scenes import SceneStack
from critmin.ui.widgets import escape

if TYPE_CHECKING:
    from critmin.ui.session import Session

FPS = 60
STEP_S = 1.0 / FPS  # fixed animation step, independent of turns and of the frame rate
MAX_STEPS_PER_FRAME = 5
SETTLE_FRAMES = 40  # frames drawn before an autoplay screenshot, so particles spread along the arcs
FIRST_FRAME_ENV = "CRITMIN_FIRST_FRAME_FILE"  # the time of the first frame is written there
FONTS = [{"name": "noto_sans", "point_size": 14, "style": "italic"}]  # the theme loads the others


class App:
    """The pygame window with its widget manager and scene stack."""

    def __init__(
        self, size: tuple[int, int], caption: str = "critmin", layout_file: Path | None = None
    ) -> None:
        try:
            pygame.display.init()
            self.screen = pygame.display.set_mode(size, pygame.RESIZABLE)
        except pygame.error:
            pygame.display.quit()
            raise
        pygame.font.init()
        pygame.display.set_caption(caption)
        theme = resources.files("critmin.ui") / "assets" / "theme.json"
        with resources.as_file(theme) as theme_path:
            self.ui = pygame_gui.UIManager(size, str(theme_path))
        self.ui.preload_fonts(FONTS)
        self.scenes = SceneStack()
        self.running = True
        self.accumulator = 0.0
        self.clock = pygame.time.Clock()
        self.frames = 0
        self.map_shown = False
        self.layout_file = layout_file

    @property
    def size(self) -> tuple[int, int]:
        """The window's size in pixels."""
        return self.screen.get_size()

    def frame(self, dt_s: float) -> None:
        """One frame: events, fixed animation steps, drawing."""
        events = pygame.event.get()
        for event in events:
            self.dispatch(event)
        for scene in self.scenes.scenes:
            scene.between_events()  # widgets are rebuilt here, never while an event is handled
        self.ui.update(dt_s)
        self.accumulator = min(self.accumulator + dt_s, MAX_STEPS_PER_FRAME * STEP_S)
        while self.accumulator >= STEP_S:
            self.accumulator -= STEP_S
            for scene in self.scenes.visible():
                scene.update(STEP_S)
        self.draw()
        self.flip()
        if self.layout_file is not None:
            from critmin.ui.layout import write_layout

            write_layout(self, self.frames, self.layout_file)

    def flip(self) -> None:
        """Show the frame drawn; note the first frame and the first of a map (`critmin play --bench`)."""
        pygame.display.flip()
        self.frames += 1
        marker = os.environ.get(FIRST_FRAME_ENV)
        if marker and self.frames == 1:
            Path(marker).write_text(repr(time.time()))
        if marker and not self.map_shown and hasattr(self.scenes.top, "mapview"):
            self.map_shown = True
            Path(marker + ".map").write_text(repr(time.time()))

    def loading(self, what: str) -> None:
        """A frame saying what is loading (the world model takes a few seconds to start)."""
        from critmin.ui.widgets import draw_text

        self.screen.fill((16, 24, 38))
        width, height = self.size
        draw_text(self.screen, f"Loading {what}…", (width // 2 - 160, height // 2 - 20), 24, bold=True)
        self.flip()

    def dispatch(self, event: pygame.event.Event) -> None:
        """Give an event to the window, the widgets and the top scene."""
        if event.type == pygame.QUIT:
            self.running = False
            return
        if event.type == pygame.VIDEORESIZE:
            self.resize((event.w, event.h))
            return
        top = self.scenes.top
        if taken_by_widgets(self.ui, event):
            if top is not None and event.type == pygame.MOUSEMOTION:
                top.pointer_on_widget(event.pos)
        elif top is not None:
            top.handle(event)

    def draw(self) -> None:
        """The visible scenes, bottom first, then the widgets."""
        self.screen.fill((16, 24, 38))
        for scene in self.scenes.visible():
            scene.draw(self.screen)
        self.ui.draw_ui(self.screen)

    def resize(self, size: tuple[int, int]) -> None:
        """The window was resized: every scene lays itself out again."""
        size = (max(size[0], MIN_SIZE[0]), max(size[1], MIN_SIZE[1]))
        self.screen = pygame.display.set_mode(size, pygame.RESIZABLE)
        self.ui.set_window_resolution(size)
        for scene in self.scenes.scenes:
            scene.resize()

    def run(self) -> None:
        """The main loop, until the window closes or no scene is left."""
        while self.running and self.scenes.top is not None:
            self.frame(self.clock.tick(FPS) / 1000.0)

    def settle(self, frames: int = SETTLE_FRAMES) -> None:
        """Draw frames at the fixed step (no waiting): lets widgets settle and particles move."""
        for _ in range(frames):
            self.frame(STEP_S)

    def message(self, title: str, text: str) -> None:
        """A message window over everything."""
        width, height = self.size
        rect = pygame.Rect(0, 0, 460, 240)
        rect.center = (width // 2, height // 2)
        UIMessageWindow(rect, escape(text), self.ui, window_title=title)

    def start_game(self, session: Session, options: PlayOptions):
        """Replace the current scene with the game (a firm's if the player runs a firm)."""
        from critmin.ui.firm import FirmScene
        from critmin.ui.game import GameScene
        from critmin.ui.indicators import Filter

        focus = session.acting_country or (options.countries[0] if options.countries else None)
        scene_type = FirmScene if session.firm is not None else GameScene
        scene = scene_type(self, session, options.save_dir, selected=focus)
        if options.mineral or options.colour:
            scene.chosen = Filter(options.mineral or scene.chosen.mineral, scene.chosen.stage)
            scene.colour_mode = options.colour or scene.colour_mode
        self.scenes.replace(scene)
        for panel in scene.panels:
            if panel.title.lower() in options.panels:
                panel.open()
        return scene

    def screenshot(self, path: Path) -> Path:
        """Write what the window shows as a PNG."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        pygame.image.save(self.screen, str(path))
        return path

    def close(self) -> None:
        """Close the window."""
        pygame.display.quit()


def first_scene(app: App, options: PlayOptions) -> None:
    """Picker, briefing, game or replay viewer, depending on the options."""
    from critmin.ui.picker import BriefingScene, PickerScene

    if options.replay is not None:
        from critmin.ui.replay import ReplayScene
        from critmin.ui.session import ReplayCursor

        app.scenes.push(ReplayScene(app, ReplayCursor.open(options.replay), options.replay.name))
    elif options.autoplay is not None:
        from critmin.ui.session import Session

        session = Session.start(options.scenario, options.countries, options.seed)
        session.model.run(options.autoplay)  # the AI plays; countries played with --as stay idle
        app.start_game(session, options)
    elif options.scenario and options.countries:
        from critmin.scenarios import load_scenario

        app.scenes.push(BriefingScene(app, load_scenario(options.scenario), options.countries, options))
    else:
        app.scenes.push(PickerScene(app, options))


def play(options: PlayOptions) -> int:
    """`critmin play`: open the window and play until it closes (or write a screenshot and exit)."""
    from critmin.ui.palette import use_palette

    use_palette(options.palette)
    app = App(options.size, layout_file=options.layout_file)
    try:
        if options.replay is not None or options.autoplay is not None:
            app.loading(options.replay.name if options.replay is not None else f"{options.scenario}")
        first_scene(app, options)
        if options.screenshot is not None:
            app.settle()
            app.screenshot(options.screenshot)
            return 0
        app.run()
        return 0
    finally:
        app.close()
