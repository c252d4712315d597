"""`GameScene`: playing a scenario on the map — orders, diplomacy, end turn, hot-seat, save, load.

Clicks become Actions drafted through the session, which checks them with `model.check` and
hands them to `model.submit` at the end of the player's turn; the scene never changes the
model itself.
"""

from __future__ import annotations

from pathlib import Path

import pygame
import pygame_gui
from pygame_gui.elements import UIButton
from pygame_gui.windows import UIConfirmationDialog, UIFileDialog

from critmin.core.actions import ActionBase
from critmin.engine.save import SaveError
from critmin.ui.mapscene import MapScene
from critmin.ui.options import PlayOptions
from critmin.ui.orders import DiplomacyPanel, OrdersPanel
from critmin.ui.panels import DealsPanel, ReportPanel
from critmin.ui.scenes import HandOverScene
from critmin.ui.session import ReplayCursor, Session
from critmin.ui.toolbar import right_aligned
from critmin.ui.widgets import reason_button
from critmin.ui.wording import plain_reason

END_TURN_W = 180


class GameScene(MapScene):
    """Playing a scenario: orders, diplomacy, end turn, hot-seat, save, load, replay."""

    panel_types = (*MapScene.panel_types, DiplomacyPanel, OrdersPanel, ReportPanel)
    plays_firm = False  # firm.py's FirmScene plays a firm

    def __init__(
        self, app, session: Session, save_dir: Path | None = None, selected: str | None = None
    ) -> None:
        super().__init__(app, selected)
        self.session = session
        self.save_dir = Path(save_dir or Path.cwd())
        self.dialog: UIFileDialog | None = None
        self.confirm: UIConfirmationDialog | None = None
        self.turn_start = None  # the world before the turn last played, for the turn report
        self.refused: dict[str, list] = {}
        self.dialog_purpose = ""

    @property
    def model(self):
        """The session's world."""
        return self.session.model

    @property
    def player(self) -> str | None:
        """The human country deciding now."""
        return self.session.player

    @property
    def seat(self) -> str | None:
        """The human seat deciding now."""
        return self.session.player

    @property
    def humans(self) -> list[str]:
        """All human countries."""
        return self.session.humans

    def title_text(self) -> str:
        """Scenario, date, turn, who plays."""
        model, spec = self.model, self.outline
        who = (
            f"{self.names.get(self.player, self.player)} to play"
            if self.player
            else "observer: every country is AI"
        )
        turn = f"turn {model.turn + 1} of {spec.turns}" if not self.session.finished else "game over"
        return f"{spec.title} · {model.date} · {turn} · {who}"

    def actions(self) -> list[tuple[str, int, object]]:
        """The first row's buttons: label, width, command."""
        return [
            ("Save", 64, self.ask_save),
            ("Load", 64, self.ask_load),
            ("Replay", 76, self.ask_replay),
            ("Help (F1)", 84, self.show_help),
        ]

    def build_actions(self, width: int) -> int:
        """Save, Load, Replay, Help and End turn, right-aligned on the first row."""
        actions = self.actions()
        rects = right_aligned([w for _, w, _ in actions] + [END_TURN_W], width)
        self.action_buttons = {
            self.own(UIButton(rect, label, self.ui)): command
            for rect, (label, _, command) in zip(rects, actions, strict=False)
        }
        self.end_button = self.own(reason_button(rects[-1], "End turn", self.ui, object_id="#end_turn"))
        self.update_end_button()
        return rects[0].left

    def world_changed(self) -> None:
        """Also update the End turn button."""
        super().world_changed()
        self.update_end_button()

    def update_end_button(self) -> None:
        """End turn, greyed out once the scenario is over; 'next player' in hot-seat."""
        reason = "the scenario's last turn has been played" if self.session.finished else None
        self.end_button.explain(reason)  # its label says it all: a tooltip would cover the panels' ×
        humans = self.session.humans
        last = self.session.player_index == len(humans) - 1
        label = "End turn (Enter)" if len(humans) <= 1 or last else "Done: next player (Enter)"
        self.end_button.set_text(label)

    # --- acting -----------------------------------------------------------------------------

    def draft(self, action: ActionBase | str) -> None:
        """Add an order for the player (the session checks it with the engine)."""
        reason = action if isinstance(action, str) else self.session.add_order(action)
        if reason is None:
            self.say(f"order added: {self.words.order(action)}")
        else:
            self.say(f"not possible: {plain_reason(reason)}")
        for panel in self.panels:
            if isinstance(panel, OrdersPanel | DiplomacyPanel | DealsPanel):
                panel.refresh()

    def reset_forms(self) -> None:
        """The order and deal forms start afresh (new player, loaded game)."""
        for panel in self.panels:
            if isinstance(panel, OrdersPanel | DiplomacyPanel):
                panel.form = None

    def end_turn(self) -> None:
        """Submit the player's orders; play the turn after the last player; hand over in hot-seat."""
        if self.session.finished:
            self.say("the scenario is over: save it, or replay it")
            return
        player, before = self.player, self.model.snapshot()
        if self.session.player_index == 0:
            self.turn_start, self.refused = before, {}
        report = self.session.end_turn()
        self.refused[player] = report.refused
        hot_seat = len(self.session.humans) > 1
        if hot_seat:  # the next player starts afresh from their own country: nothing of the last one's
            self.selected = self.session.player
            self.reset_forms()
        refused = "; ".join(f"{self.words.order(a)}: {plain_reason(r)}" for a, r in report.refused)
        if hot_seat and not report.stepped:
            self.say("")
        elif refused:
            self.say(f"refused by the engine: {refused}")
        else:
            self.say(f"turn played: now {self.model.date}" if report.stepped else "orders submitted")
        self.world_changed()
        if report.stepped and self.player is not None:
            self.after_turn()
        if len(self.session.humans) > 1:
            self.app.scenes.push(HandOverScene(self.app, self.names.get(self.player, self.player)))

    def after_turn(self) -> None:
        """The world stepped: show the player what the turn changed."""
        self.panel(ReportPanel).open()

    def button_pressed(self, element) -> None:
        """End turn, Save, Load, Replay, Help, and the panel toggles."""
        if element is self.end_button:
            self.end_turn()
        elif element in self.action_buttons:
            self.action_buttons[element]()
        else:
            super().button_pressed(element)

    def handle(self, event: pygame.event.Event) -> None:
        """File dialogs' answers, then the usual."""
        if event.type == pygame_gui.UI_CONFIRMATION_DIALOG_CONFIRMED and event.ui_element is self.confirm:
            self.confirm = None
            self.pick_save_to_load()
            return
        if event.type == pygame_gui.UI_FILE_DIALOG_PATH_PICKED and event.ui_element is self.dialog:
            self.dialog = None
            self.path_picked(Path(event.text))
            return
        super().handle(event)

    def ctrl_shortcuts(self) -> dict:
        """Ctrl+S save, Ctrl+O load, Ctrl+R replay."""
        return {pygame.K_s: self.ask_save, pygame.K_o: self.ask_load, pygame.K_r: self.ask_replay}

    def other_key(self, event: pygame.event.Event) -> None:
        """Enter ends the turn."""
        if event.key in (pygame.K_RETURN, pygame.K_KP_ENTER):
            self.end_turn()

    # --- files --------------------------------------------------------------------------------

    def ask_save(self) -> None:
        """Pick where to save."""
        name = f"{self.outline.id}-{self.model.date}.json"
        self.open_dialog("save", "Save the game", self.save_dir / name, existing_only=False)

    def ask_load(self) -> None:
        """Pick a save to resume; first ask whether to drop the game in progress, if there is one."""
        if self.model.turn == 0 and not any(self.session.drafts.values()):
            self.pick_save_to_load()
            return
        width, height = self.app.size
        rect = pygame.Rect(0, 0, 420, 200)
        rect.center = (width // 2, height // 2)
        self.confirm = UIConfirmationDialog(
            rect,
            "Loading a save ends the game in progress: what you have not saved is lost.",
            self.ui,
            window_title="Load a saved game?",
            action_short_name="Load",
        )

    def pick_save_to_load(self) -> None:
        """The file dialog of Load."""
        self.open_dialog("load", "Load a saved game", self.latest_save(), existing_only=True)

    def ask_replay(self) -> None:
        """Pick a save to watch in the replay viewer."""
        self.open_dialog("replay", "Replay a saved game", self.latest_save(), existing_only=True)

    def latest_save(self) -> Path:
        """The newest save in the save directory (or the directory itself)."""
        saves = sorted(self.save_dir.glob("*.json"), key=lambda p: p.stat().st_mtime)
        return saves[-1] if saves else self.save_dir

    def open_dialog(self, purpose: str, title: str, path: Path, *, existing_only: bool) -> None:
        """A pygame_gui file dialog; its answer comes back as UI_FILE_DIALOG_PATH_PICKED."""
        if self.dialog is not None:
            self.dialog.kill()
        width, height = self.app.size
        rect = pygame.Rect(0, 0, min(560, width - 40), min(440, height - 80))
        rect.center = (width // 2, height // 2)
        self.dialog = UIFileDialog(
            rect,
            self.ui,
            title,
            initial_file_path=str(path),
            allow_existing_files_only=existing_only,
            allowed_suffixes={".json"},
        )
        self.dialog_purpose = purpose

    def path_picked(self, path: Path) -> None:
        """Save to, load from or replay the picked file."""
        try:
            if self.dialog_purpose == "save":
                self.session.save(path)
                self.save_dir = path.parent
                self.say(f"saved to {path}")
            elif self.dialog_purpose == "load":
                self.load(path)
            else:
                from critmin.ui.replay import ReplayScene

                self.app.scenes.push(ReplayScene(self.app, ReplayCursor.open(path), path.name))
        except (SaveError, OSError) as error:
            self.app.message("Could not open the save", str(error))

    def load(self, path: Path) -> None:
        """Resume a saved game in this scene (in a firm's scene if a firm plays it, or back)."""
        session = Session.load(path)
        if (session.firm is not None) != self.plays_firm:
            self.app.start_game(session, PlayOptions(save_dir=self.save_dir))
            self.app.message("Loaded", f"{path.name}: {session.model.date}, turn {session.model.turn + 1}")
            return
        self.session = session
        if self.selected not in self.model.snapshot().countries:
            self.selected = self.player
        self.reset_forms()
        self.resize()  # the new game may have other countries: rebuild the bar, map and panels
        self.say(f"loaded {path.name}: {self.model.date}, turn {self.model.turn + 1}")
