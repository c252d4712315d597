"""Network seats: the game screens on a classroom session, for a team and for the instructor.

A seat is a `RoomView` (core/world_view.py): a `WorldView` of the session's world, which the map
scenes read as they read a local model, and the room around it (phase, clock, who has sent
orders, chat, the instructor's commands). The launcher (critmin/launcher.py) hands these screens
a joined seat: `critmin join` opens a team's, `critmin instructor HOST:PORT --code C view` the
room. `RemoteSession` is the game's `Session` with End turn sending the team's orders to the
server instead of stepping a local model, so `RemoteGameScene` is the `GameScene` of `critmin
play` with the network's clock in the title. `InstructorScene` shows the room over the map: who
has submitted, the countdown, the controls (start, advance, pause, resume, extend, inject,
replace) and a projector mode (map, flows, big timer). Every change goes through the server.
"""

from __future__ import annotations

import os

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UIDropDownMenu

from critmin.core.world_view import CommandOutcome, RoomError, RoomTimeoutError, RoomView
from critmin.ui.game import GameScene
from critmin.ui.mapscene import STATUS_H, MapScene
from critmin.ui.palette import MUTED_TEXT, TEXT
from critmin.ui.session import Session, TurnReport
from critmin.ui.toolbar import right_aligned
from critmin.ui.widgets import draw_text
from critmin.ui.wording import plain_reason

SIZE = (1280, 720)
TITLE_REFRESH_S = 0.25
EXTEND_SECONDS = 60.0
NO_INJECTS = "no pack events"
HEADLESS_DRIVERS = ("offscreen", "dummy")


def option_text(menu: UIDropDownMenu) -> str:
    """The option a dropdown shows (pygame_gui keeps it as text or as (text, id))."""
    option = menu.selected_option
    return option[0] if isinstance(option, tuple) else option


def countdown(seconds: float | None) -> str:
    """'4:05', or '–' without a clock."""
    if seconds is None:
        return "–"
    whole = int(seconds + 0.999)
    return f"{whole // 60}:{whole % 60:02d}"


class RemoteSession(Session):
    """A team's game over the network: drafting as in `Session`, End turn = submit to the server.

    The drafts stay after sending (sending again replaces the team's orders for the turn) and
    are cleared when the server opens the next turn.
    """

    def __init__(self, world: RoomView) -> None:
        super().__init__(world, [world.seat])
        self.world = world
        self.sent_turn: int | None = None

    @property
    def finished(self) -> bool:
        """True once the session is over."""
        return self.world.phase == "finished" or self.world.turn >= self.world.turns_total

    @property
    def sent(self) -> bool:
        """True once this turn's orders were acknowledged by the server."""
        return self.sent_turn == self.model.turn

    def end_turn(self) -> TurnReport:
        """Send the drafts as the team's orders for the open turn (raises RoomError)."""
        orders = list(self.drafts[self.player])
        verdicts = self.world.submit(self.player, orders)
        self.sent_turn = self.model.turn
        return TurnReport(refused=[(a, v) for a, v in zip(orders, verdicts, strict=True) if v is not None])

    def new_turn(self) -> None:
        """The server opened another turn: fresh drafts."""
        self.drafts = {h: [] for h in self.humans}
        self.sent_turn = None

    def save(self, path):
        """Refused: the server keeps the session (see `critmin debrief`)."""
        raise RoomError("a classroom session is saved by its server")


class RoomMixin:
    """Hearing the room each frame: new states, the clock, chat, results."""

    world: RoomView
    title_age: float = 0.0

    def poll_world(self, step_s: float) -> None:
        """Handle what arrived; refresh the title (the countdown) a few times a second."""
        for notice in self.world.poll():
            if notice.kind == "turn":
                self.new_state()
            else:
                self.say(notice.text if notice.kind == "chat" else f"server: {notice.text}")
        self.title_age += step_s
        if self.title_age >= TITLE_REFRESH_S:
            self.title_age = 0.0
            self.show_title()

    def room_text(self) -> str:
        """Phase, clock and whose orders are in."""
        clock = self.world.seconds_left()
        left = f" · {countdown(clock)} left" if clock is not None else ""
        submitted = ", ".join(self.world.submitted()) or "none yet"
        return f"{self.world.phase}{left} · orders in: {submitted}"

    def new_state(self) -> None:
        """A new turn (or an undo) arrived."""


class RemoteGameScene(RoomMixin, GameScene):
    """`GameScene` on a network seat: End turn sends the orders; the server's new state redraws."""

    def __init__(self, app, session: RemoteSession) -> None:
        super().__init__(app, session, selected=session.player)
        self.world = session.world

    def title_text(self) -> str:
        """Scenario, date, turn, the team, the clock and who has submitted."""
        spec = self.outline
        turn = f"turn {self.model.turn + 1} of {spec.turns}" if not self.session.finished else "game over"
        sent = " · your orders are in" if self.session.sent else ""
        who = f"you play {self.player}{sent}"
        return f"{spec.title} · {self.model.date} · {turn} · {who} · {self.room_text()}"

    def role(self, country: str) -> str:
        """The team, the other teams (human or AI seats), then the scenario's doctrines."""
        if country == self.player:
            return "player"
        if self.world.seats().get(country) == "human":
            return "human"
        return super().role(country)

    def actions(self) -> list[tuple[str, int, object]]:
        """Help only (the server keeps the game: no save or load)."""
        return [("Help (F1)", 84, self.show_help)]

    def world_changed(self) -> None:
        """Also say whether the orders were sent."""
        super().world_changed()
        if not self.session.finished:
            label = "Send again (Enter)" if self.session.sent else "End turn (Enter)"
            self.end_button.set_text(label)

    def ctrl_shortcuts(self) -> dict:
        """No saving or loading on a network seat."""
        return {}

    def end_turn(self) -> None:
        """Send the drafts as the team's orders; the server resolves the turn when the instructor says."""
        if self.session.finished:
            self.say("the session is over")
            return
        try:
            report = self.session.end_turn()
        except RoomTimeoutError:
            self.say("no answer from the server yet: your orders are resent when the connection is back")
            return
        except (RoomError, PermissionError) as error:
            self.say(f"orders not sent: {error}")
            return
        self.refused = {self.player: report.refused}
        refused = "; ".join(f"{self.words.order(a)}: {plain_reason(r)}" for a, r in report.refused)
        self.say(
            f"sent, but the server refused: {refused}"
            if refused
            else "orders sent: the turn is played when the instructor (or the clock) says so"
        )
        self.world_changed()

    def new_state(self) -> None:
        """The next turn: fresh drafts, forms and screens; the turn report compares with the last."""
        self.turn_start = self.snapshot
        self.session.new_turn()
        self.reset_forms()
        self.world_changed()
        self.say(f"the server opened {self.model.date} (turn {self.model.turn + 1})")

    def update(self, step_s: float) -> None:
        """The server's messages, then the animation."""
        self.poll_world(step_s)
        super().update(step_s)


class InstructorScene(RoomMixin, MapScene):
    """The instructor's screen: the map and flows, the room, the controls; projector mode.

    Args:
        app: the window.
        world: the instructor's seat.
        projector: start in projector mode (map, flows and a big timer; `V` toggles).

    """

    def __init__(self, app, world: RoomView, projector: bool = False) -> None:
        self.world = world
        self.projector = projector
        self.controls: dict = {}
        self.last_result = ""
        super().__init__(app)

    @property
    def model(self) -> RoomView:
        """The session's world as the server shows it."""
        return self.world

    def title_text(self) -> str:
        """Scenario, date, turn and the room."""
        turn = f"turn {self.model.turn + 1} of {self.world.turns_total}"
        return f"Instructor · {self.world.title} · {self.model.date} · {turn} · {self.room_text()}"

    def role(self, country: str) -> str:
        """Human teams stand out; AI seats and other countries by their doctrine."""
        if self.world.seats().get(country) == "human":
            return "human"
        return super().role(country)

    # --- building ------------------------------------------------------------------------

    def build_actions(self, width: int) -> int:
        """Projector and Help on the first row."""
        projector, help_rect = right_aligned([110, 110], width)
        self.projector_button = self.own(UIButton(projector, "Projector (V)", self.ui))
        self.help_button = self.own(UIButton(help_rect, "Help (F1)", self.ui))
        return projector.left

    def build(self) -> None:
        """The bar and the map, then the room's controls at the right of the map."""
        super().build()
        width = self.app.size[0]
        x, y, w = width - 236, self.bar_h + 8, 228
        self.controls = {}
        buttons = (
            ("Start", "start"),
            ("Advance", "advance"),
            ("Pause", "pause"),
            ("Resume", "resume"),
            (f"Extend +{EXTEND_SECONDS:.0f} s", "extend"),
            ("Undo last turn", "undo"),
        )
        for index, (label, name) in enumerate(buttons):
            rect = pygame.Rect(x + (index % 2) * (w // 2 + 2), y + (index // 2) * 32, w // 2 - 2, 28)
            self.controls[self.own(UIButton(rect, label, self.ui))] = name
        y += 3 * 32 + 6
        injects = self.world.injects()
        self.inject_menu = self.own(
            UIDropDownMenu(
                injects or [NO_INJECTS], (injects or [NO_INJECTS])[0], pygame.Rect(x, y, w - 84, 28), self.ui
            )
        )
        self.inject_button = self.own(UIButton(pygame.Rect(x + w - 80, y, 80, 28), "Inject", self.ui))
        if not injects:
            self.inject_button.disable()
        y += 32
        teams = self.world.teams
        self.replace_menu = self.own(UIDropDownMenu(teams, teams[0], pygame.Rect(x, y, w - 84, 28), self.ui))
        self.replace_button = self.own(UIButton(pygame.Rect(x + w - 80, y, 80, 28), "AI plays", self.ui))
        self.room_top = y + 36
        self.control_elements = [
            *self.controls,
            self.inject_menu,
            self.inject_button,
            self.replace_menu,
            self.replace_button,
        ]
        self.show_controls()

    def show_controls(self) -> None:
        """Controls hidden in projector mode."""
        for element in self.control_elements:
            element.hide() if self.projector else element.show()

    def resume(self) -> None:
        """Back from the help: keep the projector's choice."""
        super().resume()
        self.show_controls()

    # --- acting --------------------------------------------------------------------------

    def run_command(self, name: str, **fields) -> CommandOutcome | None:
        """Send an instructor command; the result goes to the status bar."""
        if name == "advance":  # the turn on screen: a double click cannot resolve the next one too
            fields.setdefault("turn", self.model.turn)
        try:
            result = self.world.command(name, **fields)
        except RoomError as error:
            self.say(f"{name}: {error}")
            return None
        self.last_result = f"{name}: {result.detail}" if result.ok else f"{name} refused: {result.detail}"
        self.say(self.last_result)
        return result

    def button_pressed(self, element) -> None:
        """The room's controls, projector, help and the panel toggles."""
        if element in self.controls:
            name = self.controls[element]
            self.run_command(name, **({"seconds": EXTEND_SECONDS} if name == "extend" else {}))
        elif element is self.inject_button:
            self.run_command("inject", event=option_text(self.inject_menu))
        elif element is self.replace_button:
            self.run_command("replace", team=option_text(self.replace_menu))
        elif element is self.projector_button:
            self.toggle_projector()
        elif element is self.help_button:
            self.show_help()
        else:
            super().button_pressed(element)

    def toggle_projector(self) -> None:
        """Projector mode on or off."""
        self.projector = not self.projector
        self.show_controls()
        if self.projector:
            for panel in self.panels:
                panel.close()

    def other_key(self, event: pygame.event.Event) -> None:
        """V: projector mode."""
        if event.key == pygame.K_v:
            self.toggle_projector()

    def handle(self, event: pygame.event.Event) -> None:
        """Dropdowns of the controls change nothing by themselves."""
        if event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED and event.ui_element in (
            self.inject_menu,
            self.replace_menu,
        ):
            return
        super().handle(event)

    # --- frame ---------------------------------------------------------------------------

    def new_state(self) -> None:
        """A turn was resolved (or undone): redraw the world."""
        self.world_changed()

    def update(self, step_s: float) -> None:
        """The server's messages, then the animation."""
        self.poll_world(step_s)
        super().update(step_s)

    def room_rows(self) -> list[tuple[str, str, tuple[int, int, int]]]:
        """One row per team: code and name, its state, a colour."""
        seats, connected = self.world.seats(), self.world.connected()
        submitted = set(self.world.submitted())
        rows = []
        for team in self.world.teams:
            name = self.world.team_names.get(team, team)
            if team in submitted:
                state, colour = "orders in", (120, 220, 120)
            elif seats.get(team) == "ai":
                state, colour = "AI plays", MUTED_TEXT
            else:
                state, colour = "waiting", (240, 200, 90)
            if connected and not connected.get(team) and seats.get(team) != "ai":
                state += " · away"
            rows.append((f"{team} {name}", state, colour))
        return rows

    def submitted(self) -> list[str]:
        """Teams whose orders for the open turn are in."""
        return self.world.submitted()

    def draw(self, surface: pygame.Surface) -> None:
        """The map, then the room: a side column, or the projector's big timer and team chips."""
        super().draw(surface)
        width, height = surface.get_size()
        clock = countdown(self.world.seconds_left())
        phase = self.world.phase
        if self.projector:
            self.draw_projector(surface, clock, phase)
            return
        box = pygame.Rect(width - 240, self.bar_h + 4, 236, height - self.bar_h - STATUS_H - 8)
        box.height = min(box.height, self.room_top - box.y + 60 + 22 * len(self.world.teams))
        shade = pygame.Surface(box.size, pygame.SRCALPHA)
        shade.fill((10, 14, 22, 200))
        surface.blit(shade, box.topleft)
        y = self.room_top
        draw_text(surface, f"{clock}  {phase}", (box.x + 8, y), 30, TEXT)
        y += 38
        for label, state, colour in self.room_rows():
            draw_text(surface, f"{label[:15]}: {state}", (box.x + 8, y), 14, colour)
            y += 22

    def draw_projector(self, surface: pygame.Surface, clock: str, phase: str) -> None:
        """The big timer and one chip per team, over the southern oceans (the map stays readable)."""
        width, height = surface.get_size()
        box = pygame.Rect(270, height - STATUS_H - 136, min(width - 280, 780), 130)
        shade = pygame.Surface(box.size, pygame.SRCALPHA)
        shade.fill((10, 14, 22, 215))
        surface.blit(shade, box.topleft)
        draw_text(surface, clock, (box.x + 12, box.y - 2), 88, TEXT)
        draw_text(surface, f"{self.model.date} · {phase}", (box.x + 16, box.y + 100), 18, MUTED_TEXT)
        rows = self.room_rows()
        columns = max(1, -(-len(rows) // 3))
        column_w = (box.width - 260) // columns
        for index, (label, state, colour) in enumerate(rows):
            x, y = box.x + 260 + (index // 3) * column_w, box.y + 10 + (index % 3) * 38
            draw_text(surface, f"{label.split()[0]} {state.replace(' · ', ', ')}", (x, y), 22, colour)


# --- entry points -------------------------------------------------------------------------


def open_window(size: tuple[int, int] = SIZE, caption: str = "critmin"):
    """The app's window, or None when no display is available (unless SDL_VIDEODRIVER asks for one)."""
    from critmin.ui.app import App

    try:
        app = App(size, caption)
    except pygame.error:
        return None
    if pygame.display.get_driver() in HEADLESS_DRIVERS and not os.environ.get("SDL_VIDEODRIVER"):
        app.close()  # SDL fell back to an invisible window: nobody could play in it
        return None
    return app


def play_remote(world: RoomView, size: tuple[int, int] = SIZE) -> int | None:
    """`critmin join`: the game screens for the team of a joined seat, until the window closes.

    Returns 0, or None when no window can be opened (the caller falls back to the text client).
    """
    app = open_window(size, f"critmin · {world.seat}")
    if app is None:
        return None
    try:
        app.scenes.push(RemoteGameScene(app, RemoteSession(world)))
        briefs = world.role_briefs()
        if briefs:
            app.message("Your role", "\n\n".join(briefs))
        app.run()
        return 0
    finally:
        world.close()
        app.close()


def instructor_window(
    world: RoomView, *, projector: bool = False, size: tuple[int, int] = SIZE
) -> int | None:
    """`critmin instructor HOST:PORT --code C view [--projector]`: the room over the map.

    Returns 0 when the window closes, None when no window can be opened.
    """
    app = open_window(size, "critmin · instructor")
    if app is None:
        return None
    try:
        app.scenes.push(InstructorScene(app, world, projector))
        app.run()
    finally:
        app.close()
    return 0
