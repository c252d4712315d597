"""`MapScene`: the world map with animated flows, filters, selection and the viewing panels.

It renders a `WorldView` (core/world_view.py: the outline, `snapshot`, `observe`, `tables`, the
events), local or remote alike, and never changes the world. The game (`game.py`), the replay
viewer (`replay.py`) and the network seats (`remote.py`) are MapScenes.
"""

from __future__ import annotations

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UIDropDownMenu, UILabel

from critmin.core.outline import WorldOutline
from critmin.core.world_view import WorldView
from critmin.ui.flows import FlowLayer
from critmin.ui.indicators import (
    ALL,
    COLOUR_MODES,
    Filter,
    controlled_routes,
    indicator_labels,
    indicator_shares,
    mapped_countries,
    price_history,
    shown_flows,
)
from critmin.ui.legend import legend_surface
from critmin.ui.mapstory import ALL_FLOWS, VIEWS, YOUR_TRADE, story
from critmin.ui.mapview import MapView
from critmin.ui.palette import MUTED_TEXT, NO_DATA, ROLE_COLOURS, TEXT, scale_colour
from critmin.ui.panels import DashboardPanel, DealsPanel, NewsPanel, Panel, PricesPanel
from critmin.ui.routing import lift_above_windows
from critmin.ui.scenes import HelpOverlay, Scene
from critmin.ui.toolbar import Flow
from critmin.ui.widgets import draw_text, fit, font, typing_in
from critmin.ui.wording import Wording, wording_for

STATUS_H = 24
TITLE_FONT = 15  # the theme's #title: Noto Sans bold
BAR_COLOUR = (28, 34, 46)
ALL_MINERALS, ALL_STAGES = "all minerals", "all stages"
MESSAGE_SECONDS = 6.0
LABELS_BY_NAME = 14  # more countries than this are labelled by their codes


class MapScene(Scene):
    """The world map with animated flows, filters, hover and selection, and the viewing panels."""

    panel_types: tuple[type[Panel], ...] = (DashboardPanel, PricesPanel, NewsPanel, DealsPanel)

    def __init__(self, app, selected: str | None = None) -> None:
        super().__init__(app)
        self.chosen = Filter()
        self.colour_mode = "role"
        self.selected = selected
        self.hovered: str | None = None
        self.message, self.message_age = "", 0.0
        self.flows = FlowLayer()
        self.panels = [cls(self) for cls in self.panel_types]
        self.open_order: list[Panel] = []
        self.history_cache: tuple[int, dict] | None = None
        self.mapview: MapView | None = None
        self.bar_h = 70
        self.view: str | None = None  # "your trade" once a player is known, else "all flows"
        self.words_cache: tuple[int, Wording] | None = None
        self.outline_cache: tuple[WorldView, WorldOutline] | None = None
        self.chart_value: str | None = None
        self.story = None
        self.label_sprites: list[tuple[pygame.Surface, tuple[int, int]]] = []  # drawn over outlines too
        self.legend_line = ""  # the legend's flows line: whose flows and the filter

    # --- what the scene shows -------------------------------------------------------------

    @property
    def model(self) -> WorldView:
        """The world shown (subclasses)."""
        raise NotImplementedError

    @property
    def outline(self) -> WorldOutline:
        """The scenario of the world shown (read once per world)."""
        if self.outline_cache is None or self.outline_cache[0] is not self.model:
            self.outline_cache = (self.model, self.model.outline())
        return self.outline_cache[1]

    @property
    def player(self) -> str | None:
        """The human country deciding now (None: nobody acts from this screen)."""
        return None

    @property
    def seat(self) -> str | None:
        """Who decides from this screen: the player (a country), or a firm (see firm.py)."""
        return self.player

    @property
    def humans(self) -> list[str]:
        """Every human seat (subclasses)."""
        return []

    @property
    def focus(self) -> str | None:
        """The country the dashboard describes: the selected one, else the player."""
        return self.selected or self.player

    @property
    def names(self) -> dict[str, str]:
        """Country names by ISO3."""
        return self.snapshot.country_names

    @property
    def start_date(self) -> str:
        """The scenario's first quarter, e.g. '2025Q1'."""
        return self.outline.start

    @property
    def words(self) -> Wording:
        """Plain language for this scenario at the current turn (orders, refusals, quantities)."""
        if self.words_cache is None or self.words_cache[0] != self.model.turn:
            self.words_cache = (self.model.turn, wording_for(self.model.snapshot(), self.outline))
        return self.words_cache[1]

    def role(self, country: str) -> str:
        """'player', 'human' or the AI doctrine of a country (its map colour in role mode)."""
        if country == self.player:
            return "player"
        if country in self.humans:
            return "human"
        spec = self.outline.country(country)
        return spec.doctrine if spec is not None and spec.controller == "ai" else "passive"

    def history(self) -> dict:
        """Price history per line (computed once per turn)."""
        if self.history_cache is None or self.history_cache[0] != self.model.turn:
            self.history_cache = (self.model.turn, price_history(self.model.tables()))
        return self.history_cache[1]

    def title_text(self) -> str:
        """The first line of the top bar (subclasses)."""
        return ""

    # --- building -------------------------------------------------------------------------

    def enter(self) -> None:
        """Build the widgets and show the world."""
        self.build()
        self.world_changed()

    def build(self) -> None:
        """Top bar widgets and the map layout for the current window size."""
        width = self.app.size[0]
        actions_left = self.build_actions(width)
        title = pygame.Rect(8, 4, max(actions_left - 16, 120), 28)
        self.title = self.own(UILabel(title, "", self.ui, object_id="#title"))
        flow = Flow(width)
        self.build_filters(flow)
        self.bar_h = flow.bottom
        if self.mapview is None or set(self.mapview.countries) != set(self.model.snapshot().countries):
            self.mapview = MapView(self.model.snapshot().countries)
        self.mapview.layout(self.map_area())

    def map_area(self) -> pygame.Rect:
        """The window below the top bar and above the status bar."""
        width, height = self.app.size
        return pygame.Rect(0, self.bar_h, width, height - self.bar_h - STATUS_H)

    def build_actions(self, width: int) -> int:
        """Buttons at the right of the first row (subclasses); returns where they start."""
        return width

    def build_filters(self, flow: Flow) -> None:
        """Mineral, stage and colour dropdowns, then the panel buttons, flowing from the second row."""
        snapshot = self.model.snapshot()
        stages = sorted(
            {s for chain in snapshot.chains.values() for s in chain}, key=["mine", "refined", "magnet"].index
        )
        self.mineral_menu = self.own(
            UIDropDownMenu(
                [ALL_MINERALS, *snapshot.minerals],
                self.chosen.mineral if self.chosen.mineral != ALL else ALL_MINERALS,
                flow.take(140),
                self.ui,
                expansion_height_limit=420,
            )
        )
        self.stage_menu = self.own(
            UIDropDownMenu(
                [ALL_STAGES, *stages],
                self.chosen.stage if self.chosen.stage != ALL else ALL_STAGES,
                flow.take(100),
                self.ui,
            )
        )
        self.colour_menu = self.own(
            UIDropDownMenu(list(COLOUR_MODES), self.colour_mode, flow.take(160), self.ui)
        )
        views = list(VIEWS) if self.player else [ALL_FLOWS]
        self.view_menu = self.own(
            UIDropDownMenu(views, self.view if self.view in views else views[0], flow.take(100), self.ui)
        )
        self.panel_buttons = {}
        for panel in self.panels:
            label = f"{panel.title} ({pygame.key.name(panel.key).upper()})"
            self.panel_buttons[self.own(UIButton(flow.take(102), label, self.ui))] = panel

    def resize(self) -> None:
        """Rebuild the bar and the map at the new size; reopen the panels where they fit."""
        reopen = [p for p in self.panels if p.is_open]
        for panel in reopen:
            panel.close()
        self.open_order = []
        super().resize()
        self.world_changed()
        for panel in reopen:
            panel.open()

    def exit(self) -> None:
        """Close the panels too."""
        for panel in self.panels:
            panel.close()
        super().exit()

    def pause(self) -> None:
        """Hide the panels with the bar (hot-seat must not show the last player's screen)."""
        super().pause()
        for panel in self.panels:
            if panel.window is not None:
                panel.window.hide()

    def resume(self) -> None:
        """Show the panels again, up to date."""
        super().resume()
        for panel in self.panels:
            if panel.window is not None:
                panel.window.show()
                panel.refresh()

    # --- reacting to the world ------------------------------------------------------------

    def world_changed(self) -> None:
        """A new turn, a load or another player: new snapshot, map, flows, panels, title."""
        self.snapshot = self.model.snapshot()
        self.repaint()
        self.show_title()
        for panel in self.panels:
            panel.refresh()

    def show_title(self) -> None:
        """The title, shortened with an ellipsis where it would run under the buttons on its right."""
        self.title.set_text(fit(self.title_text(), self.title.rect.width - 8, TITLE_FONT, bold=True))

    def repaint(self) -> None:
        """Paint the countries and rebuild the flows for the current filter, view and colouring."""
        base = self.mapview.paint(self.country_colours())
        spec = {c.iso3: c for c in self.outline.countries}
        anchors = {
            code: self.mapview.anchor(spec[code].lon, spec[code].lat) for code in self.snapshot.countries
        }
        mapped = mapped_countries(self.snapshot)
        flows = shown_flows(self.snapshot, self.chosen, mapped)
        if self.view is None or (self.view == YOUR_TRADE and not self.player):
            self.view = YOUR_TRADE if self.player else ALL_FLOWS
        told = story(self.snapshot, flows, self.view, self.player, self.chosen.mineral == ALL)
        routes = controlled_routes(self.snapshot, self.chosen, mapped)
        if self.view == YOUR_TRADE and self.player:
            routes = [r for r in routes if self.player in (r.exporter, r.importer)]
        self.story = told
        self.flows.build(base, told.shown, routes, anchors, told.faded, overall=told.width_by == "value")
        self.label_countries(told, anchors)
        roles = sorted({self.role(c) for c in mapped})
        minerals = sorted(
            {f.mineral for f in told.shown},
            key=lambda m: -sum(x.tonnes for x in told.shown if x.mineral == m),
        )
        self.indicator_labels = indicator_labels(self.snapshot, self.colour_mode, self.chosen)
        self.legend_line = self.flows_text()
        legend = legend_surface(
            self.colour_mode,
            roles,
            minerals,
            self.legend_line,
            told,
            self.mapview.rect.height - 16,
        )
        self.flows.background.blit(legend, (8, self.mapview.rect.height - legend.get_height() - 8))

    def label_countries(self, told, anchors: dict[str, tuple[float, float]]) -> None:
        """Names at the player's, the selection's and the shown flows' countries (codes when crowded)."""
        involved = {c for f in told.shown for c in (f.exporter, f.importer)} | {self.player, self.selected}
        involved &= mapped_countries(self.snapshot)
        crowded = len(involved) > LABELS_BY_NAME or self.mapview.rect.width < 1000
        taken: list[pygame.Rect] = []
        self.label_sprites = []
        for code in sorted(involved, key=lambda c: c != self.player):  # yours first, never hidden
            name = code if crowded and code != self.player else self.names.get(code, code)
            x, y = (int(v) for v in anchors[code])
            size = font(12, bold=True).size(name)
            spot = next(
                (
                    r
                    for r in (pygame.Rect(x + 5, y - 8 + dy, *size) for dy in (0, 12, -12))
                    if r.collidelist(taken) < 0
                ),
                None,
            )
            pygame.draw.circle(self.flows.background, TEXT, (x, y), 2)
            if spot is None:
                continue  # no room: the status bar names it on hover
            taken.append(spot)
            sprite = label_sprite(name)
            self.flows.background.blit(sprite, (spot.x - 1, spot.y - 1))
            self.label_sprites.append((sprite, (spot.x - 1, spot.y - 1)))

    def country_colours(self) -> dict[str, tuple[int, int, int]]:
        """Map colour of every scenario country for the colouring chosen."""
        countries = self.snapshot.countries
        if self.colour_mode == "role":
            return {c: ROLE_COLOURS[self.role(c)] for c in countries}
        shares = indicator_shares(self.snapshot, self.colour_mode, self.chosen)
        return {c: scale_colour(shares[c]) if c in shares else NO_DATA for c in countries}

    def flows_text(self) -> str:
        """Whose flows the map shows and the filter: 'yours · copper, refined' (the legend's line)."""
        whose = "yours" if self.view == YOUR_TRADE else "everyone's"
        return f"{whose} · {self.filter_text()}"

    def filter_text(self) -> str:
        """The filter in words."""
        mineral = ALL_MINERALS if self.chosen.mineral == ALL else self.chosen.mineral
        stage = ALL_STAGES if self.chosen.stage == ALL else self.chosen.stage
        return f"{mineral}, {stage}"

    def set_filter(
        self,
        mineral: str | None = None,
        stage: str | None = None,
        mode: str | None = None,
        view: str | None = None,
    ) -> None:
        """Change the filter or colouring (keyboard), rebuild the dropdowns to match, and repaint."""
        self.chosen = Filter(mineral or self.chosen.mineral, stage or self.chosen.stage)
        self.colour_mode = mode or self.colour_mode
        self.view = view or self.view
        self.clear()  # the dropdowns show the new choice: the bar is built again
        self.build()
        self.show_title()
        self.filters_changed()

    def filters_changed(self) -> None:
        """Repaint the map; the price chart follows the mineral filter."""
        self.repaint()
        for panel in self.panels:
            if isinstance(panel, PricesPanel):
                panel.line = None
            if isinstance(panel, PricesPanel | DashboardPanel):
                panel.refresh()

    def say(self, text: str) -> None:
        """Show a message in the status bar for a few seconds."""
        self.message, self.message_age = text, 0.0

    # --- panels -----------------------------------------------------------------------------

    def panel_rect(self, panel: Panel) -> pygame.Rect:
        """Where a panel opens: docked at the right, below the open ones, else docked at the left."""
        area = self.map_area().inflate(-12, -12)
        w, h = min(panel.size[0], area.width), min(panel.size[1], area.height)
        taken = [p.frame for p in self.panels if p.window is not None and p is not panel]
        xs = [area.right - w, area.left]
        ys = [area.top, *(r.bottom + 6 for r in taken)]
        for x in xs:
            for y in ys:
                rect = pygame.Rect(x, y, w, h)
                if area.contains(rect) and rect.collidelist(taken) < 0:
                    return rect
        k = len(taken) % 5
        return pygame.Rect(area.right - w - 24 * k, area.top + 24 * k, w, h)

    def opened(self, panel: Panel) -> None:
        """Remember the order panels were opened (Esc closes the last)."""
        self.open_order = [p for p in self.open_order if p.is_open and p is not panel] + [panel]

    def close_last_panel(self) -> bool:
        """Close the most recently opened panel still open; False if none."""
        self.open_order = [p for p in self.open_order if p.is_open]
        if not self.open_order:
            return False
        self.open_order.pop().close()
        return True

    def panel(self, cls: type[Panel]) -> Panel | None:
        """The panel of a type in this scene."""
        return next((p for p in self.panels if isinstance(p, cls)), None)

    # --- events -----------------------------------------------------------------------------

    def handle(self, event: pygame.event.Event) -> None:
        """Panels first, then the bar, then the keyboard and the map."""
        if any(panel.handle(event) for panel in self.panels):
            return
        if event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED:
            self.menu_changed(event)
        elif event.type == pygame_gui.UI_BUTTON_PRESSED:
            self.button_pressed(event.ui_element)
        elif event.type == pygame.KEYDOWN and not typing_in(self.ui):
            self.key_pressed(event)
        elif event.type == pygame.MOUSEMOTION:
            self.hovered, self.chart_value = self.mapview.country_at(event.pos), None
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and event.pos[1] > self.bar_h:
            self.select(self.mapview.country_at(event.pos))

    def menu_changed(self, event: pygame.event.Event) -> None:
        """A filter or colouring dropdown changed."""
        if event.ui_element is self.mineral_menu:
            self.chosen = Filter(ALL if event.text == ALL_MINERALS else event.text, self.chosen.stage)
        elif event.ui_element is self.stage_menu:
            self.chosen = Filter(self.chosen.mineral, ALL if event.text == ALL_STAGES else event.text)
        elif event.ui_element is self.colour_menu:
            self.colour_mode = event.text
        elif event.ui_element is self.view_menu:
            self.view = event.text
        else:
            return
        self.filters_changed()

    def button_pressed(self, element) -> None:
        """Panel toggles (subclasses add their own buttons)."""
        if element in self.panel_buttons:
            self.panel_buttons[element].toggle()

    def key_pressed(self, event: pygame.event.Event) -> None:
        """Keyboard shortcuts (see the help overlay)."""
        if event.mod & pygame.KMOD_CTRL:
            command = {pygame.K_q: self.quit, **self.ctrl_shortcuts()}.get(event.key)
            if command is not None:
                command()
        elif event.key == pygame.K_m:
            self.cycle_mineral(-1 if event.mod & pygame.KMOD_SHIFT else 1)
        elif event.key in self.shortcuts():
            self.shortcuts()[event.key]()
        else:
            self.other_key(event)

    def shortcuts(self) -> dict:
        """Plain keys and what they do."""
        return {
            pygame.K_F1: self.show_help,
            pygame.K_h: self.show_help,
            pygame.K_ESCAPE: self.escape,
            pygame.K_g: self.next_stage,
            pygame.K_c: self.next_colouring,
            pygame.K_f: self.toggle_flows,
            pygame.K_r: self.reset_layout,
            pygame.K_a: self.toggle_view,
            **{panel.key: panel.toggle for panel in self.panels},
        }

    def ctrl_shortcuts(self) -> dict:
        """Ctrl+key shortcuts (subclasses)."""
        return {}

    def quit(self) -> None:
        """Close the window."""
        self.app.running = False

    def show_help(self) -> None:
        """The help overlay."""
        self.app.scenes.push(HelpOverlay(self.app))

    def cycle_mineral(self, direction: int) -> None:
        """The next (or previous) mineral in the filter."""
        minerals = [ALL, *self.snapshot.minerals]
        self.set_filter(mineral=minerals[(minerals.index(self.chosen.mineral) + direction) % len(minerals)])

    def next_stage(self) -> None:
        """The next stage in the filter."""
        stages = [ALL, *dict.fromkeys(s for chain in self.snapshot.chains.values() for s in chain)]
        self.set_filter(stage=stages[(stages.index(self.chosen.stage) + 1) % len(stages)])

    def next_colouring(self) -> None:
        """The next way of colouring countries."""
        self.set_filter(mode=COLOUR_MODES[(COLOUR_MODES.index(self.colour_mode) + 1) % len(COLOUR_MODES)])

    def toggle_view(self) -> None:
        """Your trade (the rest faded) or all flows (A)."""
        if self.player:
            self.set_filter(view=ALL_FLOWS if self.view == YOUR_TRADE else YOUR_TRADE)

    def toggle_flows(self) -> None:
        """Show or hide the moving particles."""
        self.flows.visible = not self.flows.visible

    def other_key(self, event: pygame.event.Event) -> None:
        """Keys only some scenes use (subclasses)."""

    def escape(self) -> None:
        """Esc closes the last panel."""
        self.close_last_panel()

    def select(self, country: str | None) -> None:
        """Select a country on the map: the dashboard follows, forms aim at it."""
        self.selected = country
        for panel in self.panels:
            if hasattr(panel, "aim_at") and country:
                panel.aim_at(country)
            elif isinstance(panel, DashboardPanel | DealsPanel | PricesPanel):
                panel.refresh()
        if country:
            self.say(f"selected {self.names.get(country, country)} ({country})")

    def pointer_on_widget(self, pos: tuple[int, int]) -> None:
        """The mouse is over a widget: no country is hovered; over the price chart, its values show."""
        self.hovered = None
        prices = self.panel(PricesPanel)
        self.chart_value = prices.value_at(pos) if prices is not None else None

    def between_events(self) -> None:
        """Rebuild the panels the events made stale; bring panels dragged out back inside the window."""
        for panel in self.panels:
            panel.rebuild_if_stale()
        for menu in (self.mineral_menu, self.stage_menu, self.colour_menu, self.view_menu):
            if menu.current_state is menu.menu_states["expanded"]:
                lift_above_windows(self.ui, menu.current_state.options_selection_list)
        if not pygame.mouse.get_pressed()[0]:  # not while one is being dragged
            area = self.map_area()
            for panel in self.panels:
                if panel.window is not None and not area.contains(panel.frame):
                    panel.place(panel.frame.clamp(area))

    def reset_layout(self) -> None:
        """Every open panel back to its own place inside the window (the R key)."""
        reopen = [p for p in self.panels if p.is_open]
        for panel in reopen:
            panel.close()
        for panel in reopen:
            panel.open()
        self.say("layout reset: panels back in their places")

    # --- frame ------------------------------------------------------------------------------

    def update(self, step_s: float) -> None:
        """Animate the flows; age the status message."""
        self.flows.advance(step_s)
        self.message_age += step_s

    def draw(self, surface: pygame.Surface) -> None:
        """Bar background, map with flows, selection, status bar."""
        width, height = surface.get_size()
        surface.fill(BAR_COLOUR, (0, 0, width, self.bar_h))
        self.flows.draw(surface, self.mapview.rect.topleft)
        outlined = False
        for code, colour in ((self.hovered, MUTED_TEXT), (self.selected, (250, 250, 250))):
            if code:
                self.mapview.outline(surface, code, colour)
                outlined = True
        if outlined:  # the names stay readable over the selection's outline
            left, top = self.mapview.rect.topleft
            surface.blits(
                [(sprite, (x + left, y + top)) for sprite, (x, y) in self.label_sprites], doreturn=False
            )
        surface.fill(BAR_COLOUR, (0, height - STATUS_H, width, STATUS_H))
        draw_text(surface, self.status_text(), (8, height - STATUS_H + 3), 13, TEXT)

    def status_text(self) -> str:
        """The status bar: a recent message, else what is under the mouse."""
        if self.chart_value:
            return self.chart_value
        if self.message and self.message_age < MESSAGE_SECONDS:
            return self.message
        code = self.hovered
        if not code:
            hint = " (flows appear once a turn has been played)" if self.model.turn == 0 else ""
            shown = self.story.note if self.story is not None else f"{len(self.flows.arcs)} flows"
            toggle = " · A: your trade / all flows" if self.player else ""  # an observer has no trade
            return f"{self.view}: {shown} ({self.filter_text()}){hint}{toggle} · F1 help"
        text = f"{self.names.get(code, code)} ({code})"
        if self.colour_mode != "role":
            text += f" · {self.colour_mode}: {self.indicator_labels.get(code, 'no data')}"
        return text


def label_sprite(name: str) -> pygame.Surface:
    """A country's name in bold white with a black halo, on a transparent patch."""
    width, height = font(12, bold=True).size(name)
    sprite = pygame.Surface((width + 2, height + 2), pygame.SRCALPHA)
    for dx, dy in ((2, 2), (0, 0), (2, 0), (0, 2)):
        draw_text(sprite, name, (dx, dy), 12, (0, 0, 0), bold=True)
    draw_text(sprite, name, (1, 1), 12, TEXT, bold=True)
    return sprite
