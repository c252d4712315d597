"""Panels over the map (pygame_gui windows): dashboard, prices, news and deals.

A panel reads the scene's public picture of the world (snapshot, observation, price history)
and rebuilds its contents when the turn, the player or the selected country changes. Panels
that act (the deals panel's Break buttons, the orders and diplomacy panels in `orders.py`)
only draft Actions through the session, which checks them with `model.check`.
"""

from __future__ import annotations

import pygame
import pygame_gui
from pygame_gui.elements import UIDropDownMenu, UIImage, UILabel, UITextBox, UIWindow

from critmin.core.actions import ActionBase
from critmin.core.vocabulary import quarter_label
from critmin.ui.chart import point_at, price_chart, trend_chart
from critmin.ui.forms import as_action, largest_import
from critmin.ui.host import GameHost, MapHost
from critmin.ui.indicators import WEEKS_PER_TURN, reference_price
from critmin.ui.palette import ROLE_LABELS
from critmin.ui.widgets import ReasonButton, escape, font, reason_button
from critmin.ui.wording import TINY, Wording, amount

PAD = 8
ROW = 30
EVENT_COLOURS = {
    "control_imposed": "#FF7070",
    "control_lifted": "#70E070",
    "shortage": "#FFB050",
    "deal_signed": "#80C0FF",
    "deal_breached": "#FF7070",
    "deal_proposed": "#A0A0FF",
    "disruption": "#FFB050",
    "discovery": "#70E070",
    "action_rejected": "#FF9090",
    "tariff_set": "#FFD070",
}
NEWS_TURNS = 4
TURNS_PER_YEAR = 4  # a turn is a quarter
NEWS_ITEMS = 80


class Panel:
    """A window over the map that can be toggled, refreshed and closed."""

    title = "Panel"
    key = pygame.K_UNKNOWN
    size = (460, 440)

    def __init__(self, scene: MapHost) -> None:
        self.scene = scene
        self.window: UIWindow | None = None
        self.y = PAD
        self.stale = False

    @property
    def is_open(self) -> bool:
        """True while the window is on screen."""
        return self.window is not None

    def toggle(self) -> None:
        """Open if closed, close if open."""
        if self.is_open:
            self.close()
        else:
            self.open()

    def open(self) -> None:
        """Create the window and fill it."""
        if self.window is None:
            self.window = UIWindow(
                self.scene.panel_rect(self),
                self.scene.ui,
                self.title,
                object_id=f"#panel_{type(self).__name__.lower()}",
            )
            self.scene.opened(self)
            self.rebuild()

    def close(self) -> None:
        """Remove the window."""
        if self.window is not None:
            window, self.window = self.window, None
            window.kill()

    def refresh(self) -> None:
        """Ask for new contents: they are rebuilt after this frame's events (`rebuild_if_stale`).

        Rebuilding at once would destroy the widget whose event is being handled (a button
        pressed, a dropdown changed) while pygame_gui still processes it.
        """
        self.stale = self.window is not None

    def rebuild_if_stale(self) -> None:
        """Rebuild the contents if a refresh was asked for."""
        if self.stale:
            self.rebuild()

    def rebuild(self) -> None:
        """Rebuild the contents now from the scene's current picture of the world."""
        self.stale = False
        if self.window is None:
            return
        self.window.get_container().clear()
        self.y = PAD
        self.fill()

    @property
    def frame(self) -> pygame.Rect | None:
        """The window as drawn (its rectangle without the shadow around it), None when closed."""
        if self.window is None:
            return None
        shadow = self.window.shadow_width
        return self.window.rect.inflate(-2 * shadow, -2 * shadow)

    def place(self, frame: pygame.Rect) -> None:
        """Move the window so that it is drawn at `frame`'s top-left."""
        shadow = self.window.shadow_width
        self.window.set_position((frame.x - shadow, frame.y - shadow))

    @property
    def width(self) -> int:
        """Usable width inside the window."""
        return int(self.window.get_container().get_size()[0]) - 2 * PAD

    @property
    def height_left(self) -> int:
        """Usable height below the current row."""
        return int(self.window.get_container().get_size()[1]) - self.y - PAD

    def row(self, height: int = ROW, width: int | None = None, x: int = PAD) -> pygame.Rect:
        """The next row's rectangle inside the window (advances when starting at the left edge)."""
        rect = pygame.Rect(x, self.y, width or self.width, height)
        return rect

    def next_row(self, height: int = ROW) -> None:
        """Move down past a row."""
        self.y += height + 4

    def header(self, text: str) -> UILabel:
        """A one-line bold heading across the window."""
        label = UILabel(self.row(24), text, self.scene.ui, container=self.window, object_id="#header")
        self.next_row(24)
        return label

    def text(self, html: str, height: int | None = None) -> UITextBox:
        """A text box filling the row (or the rest of the window)."""
        height = height or self.height_left
        box = UITextBox(html, self.row(height), self.scene.ui, container=self.window)
        self.next_row(height)
        return box

    def fill(self) -> None:
        """Create the contents (subclasses)."""

    def handle(self, event: pygame.event.Event) -> bool:
        """React to an event of this panel's widgets; True if it was one."""
        if event.type == pygame_gui.UI_WINDOW_CLOSE and event.ui_element is self.window:
            self.window = None
            return True
        return self.is_open and self.active() and self.on_event(event)

    def active(self) -> bool:
        """True when the panel's widgets react (acting panels: only while someone plays)."""
        return True

    def on_event(self, event: pygame.event.Event) -> bool:
        """React to widget events (subclasses)."""
        return False


class DashboardPanel(Panel):
    """The focused country: money, and per line its use, output, imports by source, stock cover, shortage."""

    title = "Dashboard"
    key = pygame.K_d
    size = (500, 470)

    def fill(self) -> None:
        """One text box of the focused country's figures."""
        self.text(dashboard_html(self.scene, self.scene.focus))


def dashboard_html(scene: MapHost, country: str | None) -> str:
    """The dashboard of one country as pygame_gui HTML (the lines the map's filter selects)."""
    if country is None:
        return "Click a country on the map to see its dashboard."
    observation = scene.model.observe(country)
    if observation is None:  # a network seat sees only its own country's figures
        name = escape(scene.names.get(country, country))
        alone = "In a classroom session you see only your own country's figures."
        return f"<b>{name} ({country})</b><br><i>{alone}</i>"
    role = ROLE_LABELS.get(scene.role(country), scene.role(country))
    lines = [
        f"<b>{escape(scene.names.get(country, country))} ({country})</b> · {escape(role)}",
        f"Treasury USD {observation.treasury_usd_m:,.0f} m · budget USD "
        f"{observation.budget_per_turn_usd_m:,.0f} m per turn · {observation.date}",
        f"<b>Lines: {escape(scene.filter_text())}</b> (t/yr at last quarter's pace; cover in weeks of use)",
    ]
    if scene.model.turn == 0:
        return "<br>".join(lines[:2] + starting_lines(scene, country))
    views = [
        v
        for v in observation.minerals
        if scene.chosen.accepts(v.mineral, v.stage)
        and (v.consumption or v.production or v.imports or v.demand or v.stock)
    ]
    views.sort(key=lambda v: -(max(v.consumption, v.demand, v.production) * v.reference_price_usd_per_kg))
    lines += [line_html(view, scene.words) for view in views] or ["<i>no activity in these lines</i>"]
    return "<br>".join(lines)


def starting_lines(scene: MapHost, country: str) -> list[str]:
    """Before the first turn: the scenario's starting figures (needs, capacity, stocks) per line."""
    outline = scene.outline
    need, make, stock = (
        {(line.mineral, line.stage): line.tonnes for line in lines if line.country == country}
        for lines in (outline.demand, outline.capacity, outline.stocks)
    )
    keys = [k for k in {**need, **make, **stock} if scene.chosen.accepts(*k)]
    keys.sort(key=lambda k: -(max(need.get(k, 0.0), make.get(k, 0.0)) * reference_price(scene.snapshot, *k)))
    rows = [
        f"<b>Starting figures: {escape(scene.filter_text())}</b> (t/yr; the first trade happens when you "
        "end the turn)"
    ]
    for key in keys:
        parts = [f"needs {amount(need.get(key, 0.0))}", f"can make {amount(make.get(key, 0.0))}"]
        if stock.get(key):
            parts.append(f"stock {amount(stock[key])} t")
        rows.append(f"<b>{escape(scene.words.line(*key))}</b>: " + " · ".join(parts))
    return rows if keys else [*rows, "<i>no activity in these lines</i>"]


def line_html(view, words=None) -> str:
    """One mineral line of the dashboard (quantities in t/yr at the last quarter's pace)."""
    use = max(view.consumption, view.demand, view.production + view.imports - view.exports)
    cover = (view.stock + view.stockpile) / use * WEEKS_PER_TURN if use > 0 else float("inf")
    sources = sorted(view.imports_by_origin.items(), key=lambda item: -item[1])[:3]
    total = sum(view.imports_by_origin.values()) or 1.0
    parts = [f"uses {amount(use * TURNS_PER_YEAR)}", f"makes {amount(view.production * TURNS_PER_YEAR)}"]
    if view.imports:
        origin = ", ".join(f"{code} {tonnes / total:.0%}" for code, tonnes in sources)
        parts.append(f"imports {amount(view.imports * TURNS_PER_YEAR)}" + (f" ({origin})" if origin else ""))
    if view.exports:
        parts.append(f"exports {amount(view.exports * TURNS_PER_YEAR)}")
    if use > 0:
        parts.append(f"cover {cover:,.1f} wk")
    if view.embedded_dependence > 0.005:
        parts.append(f"embedded dependence on {view.embedded_supplier} {view.embedded_dependence:.0%}")
    parts.append(f"USD {amount(view.price_usd_per_kg)}/kg")
    name = words.line(view.mineral, view.stage) if words is not None else f"{view.mineral} {view.stage}"
    text = f"<b>{escape(name)}</b>: " + " · ".join(parts)
    if view.shortage > TINY:
        text += f" · <font color='#FF6060'>short {amount(view.shortage * TURNS_PER_YEAR)} t/yr</font>"
    return text


class PricesPanel(Panel):
    """One line over time: its price inside and outside China, the focused country's dependence and cover."""

    title = "Prices"
    key = pygame.K_p
    size = (480, 560)

    def __init__(self, scene: MapHost) -> None:
        super().__init__(scene)
        self.line: tuple[str, str] | None = None
        self.why = ""  # why the panel opened on its line, until the player picks another

    def lines(self) -> list[tuple[str, str]]:
        """Every (mineral, stage) of the scenario."""
        chains = self.scene.snapshot.chains
        return [(m, s) for m in self.scene.snapshot.minerals for s in chains[m]]

    def fill(self) -> None:
        """A line picker and the chart."""
        lines = self.lines()
        if self.line not in lines:
            self.line, self.why = opening_line(self.scene, lines)
        labels = [f"{m} {s}" for m, s in lines]
        self.picker = UIDropDownMenu(
            labels,
            f"{self.line[0]} {self.line[1]}",
            self.row(28, 260),
            self.scene.ui,
            container=self.window,
            expansion_height_limit=220,
        )
        self.next_row(28)
        if self.why:
            text = f"Shown: {self.why} (pick another line above)"
            self.why_label = UILabel(self.row(22), text, self.scene.ui, container=self.window)
            self.next_row(22)  # the label's font is 20 px high: 18 cut its descenders
        price_height = max(self.height_left // 2, 120)
        size = (self.width, price_height)
        series = self.scene.history().get(self.line)
        image = price_chart(series, size, f"{self.line[0]} {self.line[1]}, USD/kg", self.scene.start_date)
        self.chart = UIImage(self.row(size[1]), image, self.scene.ui, container=self.window)
        self.series, self.chart_size = series, size
        self.next_row(price_height)
        self.trends()

    def trends(self) -> None:
        """The focused country's import and embedded dependence and stock cover on the line, per quarter.

        Embedded dependence counts the feed of the country's own processors (engine/dependence.py):
        magnets made at home from imported oxide still depend on the oxide's supplier.
        """
        country, height = self.scene.focus, (self.height_left - 6) // 3
        if country is None or height < 70:
            return
        turns, dependence, cover, embedded = line_trends(self.scene.model.tables(), country, *self.line)
        name = self.scene.names.get(country, country)
        for values, title, ceiling in (
            (dependence, f"{name}: import dependence, % of supply", 100.0),
            (embedded, f"{name}: embedded dependence on its top foreign supplier, %", 100.0),
            (cover, f"{name}: stock cover, weeks of use", None),
        ):
            size = (self.width, height)
            image = trend_chart(turns, values, size, title, self.scene.start_date, ceiling)
            UIImage(self.row(height), image, self.scene.ui, container=self.window)
            self.next_row(height)

    def value_at(self, pos: tuple[int, int]) -> str | None:
        """The prices of the quarter under the mouse on the chart, in words (None elsewhere)."""
        chart = getattr(self, "chart", None)
        if self.window is None or chart is None or not chart.alive() or not chart.rect.collidepoint(pos):
            return None
        k = point_at(self.series, self.chart_size, pos[0] - chart.rect.x)
        if k is None:
            return None
        year, quarter = self.scene.start_date.split("Q")
        when = quarter_label(int(year), int(quarter), self.series.turns[k])
        inside, outside = self.series.china[k], self.series.outside[k]
        return (
            f"{self.scene.words.line(*self.line)}, {when}: inside China USD {amount(inside)}/kg · "
            f"outside China USD {amount(outside)}/kg"
        )

    def on_event(self, event: pygame.event.Event) -> bool:
        """A new line picked: redraw."""
        if event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED and event.ui_element is self.picker:
            mineral, stage = event.text.rsplit(" ", 1)
            self.line, self.why = (mineral, stage), ""
            self.refresh()
            return True
        return False


def opening_line(scene: MapHost, lines: list[tuple[str, str]]) -> tuple[tuple[str, str], str]:
    """The line the Prices panel opens on, and why, among the lines the map's filter shows.

    The focused country's largest import by value last quarter; before any quarter is played, its
    largest need by value at starting prices; else the filter's first line.
    """
    matching = [ln for ln in lines if scene.chosen.accepts(*ln)] or lines
    country = scene.focus
    name = scene.names.get(country, country)
    top = largest_import(scene.snapshot, country, set(matching))
    if top is not None:
        return top, f"{name}'s largest import by value"
    needs = [d for d in scene.outline.demand if d.country == country and (d.mineral, d.stage) in matching]
    if needs:
        need = max(needs, key=lambda d: d.tonnes * line_price(scene.snapshot, d))
        return (need.mineral, need.stage), f"{name}'s largest need by value"
    filtered = scene.chosen.mineral != "all" or scene.chosen.stage != "all"
    return matching[0], "the first line of the map's filter" if filtered else "the scenario's first line"


def line_price(snapshot, line) -> float:
    """A country's price on a line now (USD/kg; 0 where the snapshot has none)."""
    figure = snapshot.figure(line.country, line.mineral, line.stage)
    return figure.price if figure is not None else 0.0


def line_trends(tables: dict, country: str, mineral: str, stage: str) -> tuple[list, list, list, list]:
    """Turns, import dependence, stock cover and embedded dependence of one line.

    Import dependence is % of production plus imports; stock cover is in weeks of use; embedded
    dependence is % of supply through the largest foreign supplier, its feed counted.
    """
    rows = tables["countries"].to_pandas()
    rows = rows[(rows["country"] == country) & (rows["mineral"] == mineral) & (rows["stage"] == stage)]
    rows = rows.sort_values("turn")
    supply = rows["production"] + rows["imports"]
    use = rows[["consumption", "demand"]].max(axis=1)
    nan = float("nan")
    dependence = [100 * i / s if s > 0 else nan for i, s in zip(rows["imports"], supply, strict=True)]
    stocks = rows["stock"] + rows["stockpile"]
    cover = [st / u * WEEKS_PER_TURN if u > 0 else nan for st, u in zip(stocks, use, strict=True)]
    embedded = (100 * rows["embedded_dependence"]).tolist()
    return rows["turn"].tolist(), dependence, cover, embedded


class NewsPanel(Panel):
    """Events of the last turns, newest first."""

    title = "News"
    key = pygame.K_n
    size = (520, 380)

    def fill(self) -> None:
        """One text box of events."""
        self.text(news_html(self.scene))


def news_html(scene: MapHost) -> str:
    """Recent events as pygame_gui HTML, newest turn first: the scenario's marked, shortages grouped."""
    from critmin.ui.news import news_items

    model = scene.model
    since = model.turn - NEWS_TURNS
    items = news_items(model, scene.words, since_turn=since, script=scene.outline.events)[-NEWS_ITEMS:]
    if not items:
        return "<i>Nothing has happened yet. End a turn to see the news.</i>"
    year, quarter = scene.start_date.split("Q")
    rows, last_turn = [], None
    for item in sorted(items, key=lambda i: -i.turn):
        if item.turn != last_turn:
            rows.append(f"<b>{quarter_label(int(year), int(quarter), item.turn)}</b>")
            last_turn = item.turn
        colour = EVENT_COLOURS.get(item.kind, "#C8C8C8")
        label = "<font color='#E0A0FF'>scenario</font> · " if item.scripted else ""
        kind = item.kind.replace("_", " ")
        rows.append(f"{label}<font color='{colour}'>{kind}</font> {escape(item.text)}")
    return "<br>".join(rows)


class ReportPanel(Panel):
    """The turn report: what the last turn changed for the player (opens after each turn)."""

    title = "Report"
    key = pygame.K_t
    size = (540, 470)

    def fill(self) -> None:
        """The report's sections, or the starting position before the first turn."""
        self.body = self.text(report_html(self.scene))


def report_html(scene: GameHost) -> str:
    """The turn report of the player as pygame_gui HTML."""
    from critmin.ui.report import turn_report

    player, before = scene.player, scene.turn_start
    if player is None:
        return "<i>Observer mode: the turn report is for a player.</i>"
    if before is None or scene.model.turn == 0:
        return "<i>Your first turn report appears when you end the turn.</i>"
    refused = scene.refused.get(player, [])
    sections = turn_report(scene.model, player, scene.words, before, refused, script=scene.outline.events)
    name = escape(scene.names.get(player, player))
    rows = [f"<b>{name}: what {escape(before.date)} changed for you</b>"]
    for heading, lines in sections:
        rows.append(f"<br><b>{escape(heading)}</b>")
        rows += [f"· {escape(line)}" for line in lines]
    return "<br>".join(rows)


class DealsPanel(Panel):
    """Deals in force: the focused country's (with Break buttons for the player) and the world's."""

    title = "Deals"
    key = pygame.K_l
    size = (540, 420)
    shown = 6

    def fill(self) -> None:
        """The focused country's deals, then all deals in force."""
        self.breaks: dict = {}
        country = self.scene.focus
        mine = (
            [d for d in self.scene.snapshot.deals if country in (d["seller"], d["buyer"])] if country else []
        )
        if country:
            self.header(f"{self.scene.names.get(country, country)}: deals in force {len(mine)}")
        for deal in mine[: self.shown]:
            self.deal_row(deal)
        deals = self.scene.snapshot.deals
        self.text(
            f"<b>All deals in force: {len(deals)}</b><br>"
            + "<br>".join(escape(deal_text(d, self.scene.words)) for d in deals[:80])
        )

    def deal_row(self, deal: dict) -> None:
        """One deal, with a Break button when the player is a party."""
        player = self.scene.player if self.scene.seat == self.scene.player else None  # a country's seat
        width = self.width - 90 if player else self.width
        text = deal_text(deal, self.scene.words)
        height = fitted_height(text, width)
        UITextBox(escape(text), self.row(height, width), self.scene.ui, container=self.window)
        if player and deal["kind"] != "equity":
            action = as_action({"type": "break_deal", "country": player, "deal_id": deal["id"]})
            reason = action if isinstance(action, str) else self.scene.session.check(action)
            button = reason_button(
                self.row(ROW, 84, x=PAD + width + 6),
                "Break",
                self.scene.ui,
                self.window,
                reason,
                "breach the deal: pay the penalty, lose trust",
            )
            self.breaks[button] = action
        self.next_row(height)

    def on_event(self, event: pygame.event.Event) -> bool:
        """A Break button: draft the BreakDeal order."""
        return draft_buttons(self, getattr(self, "breaks", {}), event)


def deal_text(deal: dict, words=None) -> str:
    """One deal in words: who sells what to whom, how much, until when."""
    words = words or Wording()
    line = words.line(deal["mineral"], deal["stage"])
    seller, buyer = words.country(deal["seller"]), words.country(deal["buyer"])
    if deal["kind"] == "equity":
        return f"{deal['id']} stake: {buyer} owns {deal['share']:.0%} of {seller}'s {line}"
    tonnes = amount(deal["tonnes_per_turn"] * TURNS_PER_YEAR)
    until = f"until turn {deal['end_turn']}"
    return f"{deal['id']} {deal['kind']}: {seller} sells {buyer} {tonnes} t/yr of {line} {until}"


def fitted_height(text: str, width: int, size: int = 14) -> int:
    """A text box's height for `text` in `width` pixels: one line, or two when it wraps.

    The theme's text box takes 9 px above and below its text (shadow, border, padding) and sets
    a line 20 px tall, the next 25 px below: a line less would cut descenders or add a scroll bar.
    """
    lines = 1 if font(size).size(text)[0] <= width - 14 else 2
    return 2 * 9 + 20 + 25 * (lines - 1)


def draft_buttons(panel: Panel, actions: dict[ReasonButton, ActionBase], event: pygame.event.Event) -> bool:
    """Draft the action of a pressed button among `actions`; True if one was pressed."""
    if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element in actions:
        panel.scene.draft(actions[event.ui_element])
        return True
    return False
