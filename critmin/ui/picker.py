"""The first screens: pick a scenario and the countries to play, then read the briefing."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UILabel, UISelectionList, UITextBox
from pygame_gui.windows import UIFileDialog

from critmin.scenarios import ScenarioError, load_scenario, packaged_names
from critmin.ui.geo import REST_OF_WORLD
from critmin.ui.options import PlayOptions
from critmin.ui.palette import OCEAN
from critmin.ui.scenes import Scene
from critmin.ui.widgets import escape, reason_button
from critmin.ui.wording import amount as quantity

BRIEFING_NEEDS = 6


def country_item(spec) -> str:
    """'India (IND)' as the country list shows it."""
    return f"{spec.name} ({spec.iso3})"


def scenario_label(name: str) -> str:
    """A packaged scenario's name, or a scenario file's name without its directory."""
    return Path(name).name if name.endswith(".toml") else name


def item_code(item: str) -> str:
    """The ISO3 code at the end of a country list item."""
    return item.rsplit("(", 1)[1].rstrip(")")


class PickerScene(Scene):
    """Choose a scenario and one country (or several, hot-seat) to play; or watch, or replay a save."""

    def __init__(self, app, options: PlayOptions) -> None:
        super().__init__(app)
        self.options = options
        self.names = list(packaged_names())
        if options.scenario and options.scenario not in self.names:
            self.names.insert(0, options.scenario)
        self.scenario_name = options.scenario or (self.names[0] if self.names else "")
        self.chosen: list[str] = list(options.countries)
        self.scenario = self.load(self.scenario_name)
        self.dialog: UIFileDialog | None = None

    def load(self, name: str):
        """The scenario, or None (with a message) if it does not load."""
        try:
            return load_scenario(name)
        except ScenarioError as error:
            self.app.message("Scenario not loaded", str(error))
            return None

    def build(self) -> None:
        """Title, lists, description, buttons."""
        width, height = self.app.size
        self.own(
            UILabel(
                pygame.Rect(20, 16, width - 40, 40),
                "critmin — pick a scenario and your country",
                self.ui,
                object_id="#big",
            )
        )
        self.build_lists(pygame.Rect(20, 70, width - 40, height - 150))
        y = height - 66
        self.start = self.own(reason_button((20, y, 200, 40), "Briefing »", self.ui))
        self.watch = self.own(UIButton(pygame.Rect(230, y, 200, 40), "Watch (all AI)", self.ui))
        self.replay = self.own(UIButton(pygame.Rect(440, y, 200, 40), "Replay a save…", self.ui))
        self.quit = self.own(UIButton(pygame.Rect(width - 140, y, 120, 40), "Quit", self.ui))
        self.update_start()

    def build_lists(self, area: pygame.Rect) -> None:
        """Scenarios, the chosen scenario's countries, and its description, side by side in `area`."""
        top, list_height = area.top, area.height
        labels = [scenario_label(n) for n in self.names]
        current = scenario_label(self.scenario_name) if self.scenario_name else None
        self.scenario_list = self.own(
            UISelectionList(
                pygame.Rect(20, top, 260, list_height), labels, self.ui, default_selection=current
            )
        )
        items = (
            [country_item(c) for c in self.scenario.spec.countries if c.iso3 != REST_OF_WORLD]
            if self.scenario
            else []
        )
        chosen = [i for i in items if item_code(i) in self.chosen]
        self.country_list = self.own(
            UISelectionList(
                pygame.Rect(290, top, 280, list_height),
                items,
                self.ui,
                allow_multi_select=True,
                allow_double_clicks=False,
                default_selection=chosen or None,
            )
        )
        self.own(UITextBox(self.description(), pygame.Rect(580, top, area.right - 580, list_height), self.ui))

    def description(self) -> str:
        """The chosen scenario in a few lines, and how to pick countries."""
        if self.scenario is None:
            return "No scenario loaded."
        info = self.scenario.spec.scenario
        return (
            f"<b>{escape(info.title)}</b><br>{info.start}, {info.turns} quarterly turns, "
            f"{len(self.scenario.spec.countries)} countries, "
            f"{counted(len(self.scenario.spec.minerals), 'mineral')}<br><br>"
            f"{escape(info.description)}<br><br>Click one country to play it; click several for hot-seat "
            "(one player after another on this computer). The computer plays everyone else."
        )

    def update_start(self) -> None:
        """Briefing needs at least one country."""
        reason = None if self.chosen else "pick at least one country to play (or Watch)"
        who = ", ".join(self.chosen)
        self.start.explain(reason, f"play {who}" if who else None)
        self.start.set_text(f"Briefing: {who} »" if who else "Briefing »")

    def handle(self, event: pygame.event.Event) -> None:
        """List selections and buttons."""
        if event.type in (
            pygame_gui.UI_SELECTION_LIST_NEW_SELECTION,
            pygame_gui.UI_SELECTION_LIST_DROPPED_SELECTION,
        ):
            self.selection_changed(event)
        elif event.type == pygame_gui.UI_BUTTON_PRESSED:
            self.pressed(event.ui_element)
        elif event.type == pygame_gui.UI_FILE_DIALOG_PATH_PICKED and event.ui_element is self.dialog:
            self.open_replay(Path(event.text))
        elif event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE:
            self.app.running = False

    def selection_changed(self, event: pygame.event.Event) -> None:
        """A scenario picked (reload the lists) or countries picked."""
        if (
            event.ui_element is self.scenario_list
            and event.type == pygame_gui.UI_SELECTION_LIST_NEW_SELECTION
        ):
            self.scenario_name = next(n for n in self.names if scenario_label(n) == event.text)
            self.chosen = []
            self.scenario = self.load(self.scenario_name)
            self.resize()
        elif event.ui_element is self.country_list:
            self.chosen = [item_code(i) for i in self.country_list.get_multi_selection()]
            self.update_start()

    def pressed(self, element) -> None:
        """Briefing, Watch, Replay, Quit."""
        if element is self.start and self.scenario is not None:
            self.app.scenes.replace(BriefingScene(self.app, self.scenario, self.chosen, self.options))
        elif element is self.watch and self.scenario is not None:
            from critmin.ui.session import Session  # the engine loads when a game starts

            self.app.start_game(Session.start(self.scenario, (), self.options.seed), self.options)
        elif element is self.replay:
            rect = pygame.Rect(0, 0, 560, 440)
            rect.center = (self.app.size[0] // 2, self.app.size[1] // 2)
            self.dialog = UIFileDialog(
                rect,
                self.ui,
                "Replay a saved game",
                initial_file_path=str(self.options.save_dir),
                allow_existing_files_only=True,
                allowed_suffixes={".json"},
            )
        elif element is self.quit:
            self.app.running = False

    def open_replay(self, path: Path) -> None:
        """The replay viewer on a save."""
        from critmin.engine.save import SaveError
        from critmin.ui.replay import ReplayScene
        from critmin.ui.session import ReplayCursor

        try:
            self.app.scenes.push(ReplayScene(self.app, ReplayCursor.open(path), path.name))
        except SaveError as error:
            self.app.message("Could not open the save", str(error))


class BriefingScene(Scene):
    """The scenario and each player's position before the game starts."""

    def __init__(self, app, scenario, humans: list[str], options: PlayOptions) -> None:
        super().__init__(app)
        self.scenario = scenario
        self.humans = list(humans)
        self.options = options

    def build(self) -> None:
        """The briefing text and Back / Start."""
        width, height = self.app.size
        self.own(
            UILabel(
                pygame.Rect(20, 16, width - 40, 40),
                f"Briefing — {self.scenario.spec.scenario.title}",
                self.ui,
                object_id="#big",
            )
        )
        self.own(
            UITextBox(
                briefing_html(self.scenario, self.humans),
                pygame.Rect(20, 64, width - 40, height - 140),
                self.ui,
            )
        )
        self.back = self.own(UIButton(pygame.Rect(20, height - 62, 160, 40), "« Back", self.ui))
        self.begin = self.own(
            UIButton(pygame.Rect(width - 240, height - 62, 220, 40), "Start the game »", self.ui)
        )

    def handle(self, event: pygame.event.Event) -> None:
        """Back to the picker, or start (Enter)."""
        start_key = event.type == pygame.KEYDOWN and event.key in (pygame.K_RETURN, pygame.K_KP_ENTER)
        if start_key or (event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.begin):
            from critmin.ui.session import Session  # the engine loads when a game starts

            self.app.start_game(Session.start(self.scenario, self.humans, self.options.seed), self.options)
        elif event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.back:
            options = PlayOptions(**{**vars(self.options), "countries": self.humans})
            self.app.scenes.replace(PickerScene(self.app, options))

    def draw(self, surface: pygame.Surface) -> None:
        """Plain background."""
        surface.fill(OCEAN)


def briefing_html(scenario, humans: list[str]) -> str:
    """The scenario's story, then for each player: budget, needs and who supplies them, policies."""
    spec = scenario.spec
    parts = [
        f"<b>{escape(spec.scenario.title)}</b> — from {spec.scenario.start}, {spec.scenario.turns} "
        f"quarterly turns.<br>{escape(spec.scenario.description)}"
    ]
    producers = world_producers(spec)
    firms = {firm.id: firm for firm in spec.firms}
    for code in humans:
        parts.append(firm_brief(firms[code]) if code in firms else player_brief(spec, code, producers))
    parts.append(
        "Each turn: look at the map and the firm's dashboard (B), draft bids (O), then end the turn "
        "(Enter). Your government may veto a stake in a country it distrusts; every move is paid from "
        "the firm's budget. F1 shows every shortcut."
        if any(code in firms for code in humans)
        else "Each turn: look at the map and the dashboard, draft orders (O) and offers (I), then end the "
        "turn (Enter). All countries decide at the same time; the world then produces, trades and "
        "consumes. F1 shows every shortcut."
    )
    return "<br><br>".join(parts)


def firm_brief(firm) -> str:
    """A firm's position: home, mandate, budget and assets."""
    kind = "state firm" if firm.kind == "state_firm" else "producer"
    mandate = firm.goal.replace("_", " ")
    rows = [
        f"<b>You run {escape(firm.name)}</b> — a {kind} of {firm.country}, mandate {mandate}, "
        f"budget USD {firm.budget_usd_m:,.0f} m"
    ]
    for asset in firm.assets:
        where = "at home" if asset.country == firm.country else f"in {asset.country}"
        ships = "" if asset.ships_home else " (an option: its output does not ship home yet)"
        rows.append(f"· {asset.share:.1%} of {asset.mineral.value} {asset.stage.value} {where}{ships}")
    rows.append(
        "· Your moves: buy a stake in a line abroad (its share of output ships home and earns the firm a "
        "margin), or add capacity to a line you own at home."
    )
    return "<br>".join(rows)


def world_producers(spec) -> dict[tuple[str, str], dict[str, float]]:
    """Producing capacity per line and country (tonnes per year at utilisation)."""
    producers: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for line in spec.capacity:
        key = (line.mineral.value, line.stage.value)
        producers[key][line.country] = (
            producers[key].get(line.country, 0.0) + line.tonnes_per_year * line.utilisation
        )
    return producers


def player_brief(spec, code: str, producers) -> str:
    """One player: budget, biggest needs by value with the leading producer, controls aimed at them."""
    country = next(c for c in spec.countries if c.iso3 == code)
    needs: dict[tuple[str, str], float] = defaultdict(float)
    for line in spec.demand:
        if line.country == code:
            needs[(line.mineral.value, line.stage.value)] += line.tonnes_per_year
    rows = [
        f"<b>You play {escape(country.name)} ({code})</b> — budget USD {country.budget_usd_m:,.0f} m a year"
        + (f", blocs {', '.join(country.blocs)}" if country.blocs else "")
    ]
    prices = {(m.id.value, s.stage.value): s.price_usd_per_kg for m in spec.minerals for s in m.stages}
    worth = {key: tonnes * prices.get(key, 0.0) / 1000 for key, tonnes in needs.items()}  # USD m a year
    for mineral, stage in sorted(needs, key=lambda key: -worth[key])[:BRIEFING_NEEDS]:
        tonnes = needs[(mineral, stage)]
        makers = producers.get((mineral, stage), {})
        total = sum(makers.values()) or 1.0
        own = makers.get(code, 0.0)
        leader = max(makers, key=makers.get) if makers else None
        lead = f"; {leader} makes {makers[leader] / total:.0%} of the world's" if leader else ""
        rows.append(
            f"· {mineral.replace('_', ' ')} {stage}: you need {quantity(tonnes)} t/yr "
            f"(USD {quantity(worth[(mineral, stage)])} m a year at starting prices), "
            f"you make {quantity(own)}{lead}"
        )
    controls = [
        p
        for p in spec.policies
        if p.__struct_config__.tag == "export_control"
        and (not p.destinations or code in p.destinations)
        and p.country != code
    ]
    for policy in controls[:BRIEFING_NEEDS]:
        stages = ", ".join(s.value for s in policy.stages)
        mineral = policy.mineral.value.replace("_", " ")
        rows.append(
            f"· <font color='#FF8080'>{policy.country} controls {mineral} ({stages}) "
            f"exports: {policy.regime}</font>"
        )
    return "<br>".join(rows)


def counted(n: int, noun: str) -> str:
    """'1 mineral', '30 minerals'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
