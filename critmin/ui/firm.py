"""A firm's seat: a person runs a state firm (KABIL, IREL, Codelco, …) on the map.

`critmin play india-central-asia-2025 --as kabil`. The map is centred on the firm's home country.
The Firm panel (B) shows the firm's budget against its start, its mandate, what it holds (its
lines at home, its stakes abroad) and its record: every event that names it (stakes bought,
investments, moves the engine refused, stakes its government vetoed, orders it refused). The
Bids panel (O) drafts the firm's own moves, paid from its budget: a stake in a line abroad, or new
capacity on a line it owns at home; the engine checks each one as it is drafted, and the panel
offers the moves of the firm's menu (`legal_actions(firm)`) in one click.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pygame

from critmin.core.events import Event
from critmin.core.outline import OutlineFirm
from critmin.core.snapshot import WorldSnapshot
from critmin.core.vocabulary import quarter_label
from critmin.core.world_view import FirmReading
from critmin.ui.forms import (
    FIRM_AMOUNTS,
    FIRM_MOVES,
    FirmForm,
    build_firm_order,
    default_firm_amount,
    firm_form_of,
)
from critmin.ui.game import GameScene
from critmin.ui.host import GameHost
from critmin.ui.mapscene import MapScene
from critmin.ui.news import plain_detail
from critmin.ui.orders import OrdersPanel, country_label
from critmin.ui.panels import PAD, ROW, Panel
from critmin.ui.widgets import escape, reason_button
from critmin.ui.wording import Wording, amount

RECORD_SHOWN = 12
MANDATES = {
    "supply_security": "secure its home country's supply",
    "profit": "earn a margin on its lines",
    "national_champion": "build the next stage of the chain at home",
}


@dataclass(frozen=True)
class Holding:
    """A share of a line the firm holds: where, what, how much, and whether its output ships home."""

    country: str
    mineral: str
    stage: str
    share: float
    ships_home: bool
    deal: str = ""  # the equity deal of a stake abroad


def holdings(firm: OutlineFirm, snapshot: WorldSnapshot) -> list[Holding]:
    """The firm's lines: its assets at start, then its stakes in force (bought since, or at start)."""
    stakes = [
        Holding(d["seller"], d["mineral"], d["stage"], d["share"], True, d["id"])
        for d in snapshot.deals
        if d["kind"] == "equity" and d.get("firm") == firm.id
    ]
    staked = {(h.country, h.mineral, h.stage) for h in stakes}
    assets = [
        Holding(a.country, a.mineral, a.stage, a.share, a.ships_home)
        for a in firm.assets
        if (a.country, a.mineral, a.stage) not in staked
    ]
    return assets + stakes


def record(events, firm_id: str) -> list[Event]:
    """The events that name the firm as actor or target, newest first."""
    return [e for e in reversed(events) if firm_id in (e.actor, e.target)]


def firm_html(scene: GameHost, firm: OutlineFirm) -> str:
    """The firm's dashboard as pygame_gui HTML: budget, mandate, record (newest first), holdings."""
    words, reading = scene.words, scene.model.observe(firm.id)
    kind = "state firm" if firm.kind == "state_firm" else "producer"
    cash = reading.cash_usd_m if isinstance(reading, FirmReading) else None
    budget = (
        f"Budget USD {cash:,.1f} m (USD {firm.budget_usd_m:,.1f} m at the start)"
        if cash is not None
        else f"Budget USD {firm.budget_usd_m:,.1f} m at the start"
    )
    rows = [
        f"<b>{escape(firm.name)}</b> · {kind} of {escape(words.country(firm.country))} · {scene.model.date}",
        f"{budget} · mandate: {escape(MANDATES.get(firm.mandate, firm.mandate))}",
    ]
    shown = record(scene.model.events, firm.id)[:RECORD_SHOWN]
    rows.append(f"<b>Record</b> ({len(shown)} latest)")
    rows += [f"{quarter(scene, e)}: {escape(plain_detail(words, e.detail))}" for e in shown] or [
        "<i>nothing yet: draft a bid (O) and end the turn</i>"
    ]
    rows.append("<b>Holdings</b> (share of each line's output)")
    rows += [escape(holding_text(h, firm.country, words)) for h in holdings(firm, scene.snapshot)] or [
        "<i>none yet</i>"
    ]
    return "<br>".join(rows)


def holding_text(holding: Holding, home: str, words: Wording) -> str:
    """One holding in words."""
    where = "at home" if holding.country == home else f"in {words.country(holding.country)}"
    text = f"{amount(holding.share * 100)}% of {words.line(holding.mineral, holding.stage)} {where}"
    if holding.deal:
        return f"{text}, shipped home (deal {holding.deal})"
    return text if holding.ships_home else f"{text} (an option: not shipped home)"


def quarter(scene: GameHost, event: Event) -> str:
    """The quarter an event happened in."""
    year, q = scene.start_date.split("Q")
    return quarter_label(int(year), int(q), event.turn)


class FirmPanel(Panel):
    """The firm's dashboard: budget, mandate, holdings and record."""

    title = "Firm"
    key = pygame.K_b
    size = (500, 440)

    def fill(self) -> None:
        """One text box."""
        self.text(firm_html(self.scene, self.scene.firm))


class BidsPanel(OrdersPanel):
    """The firm's moves: a stake in a line abroad, or new capacity at home, paid from its budget."""

    title = "Bids"
    size = (560, 400)

    def start_form(self, player: str) -> FirmForm:
        """The form's first state: the first move of the firm's menu, else a stake in its first line."""
        menu = self.scene.model.legal_actions(player)
        if menu:
            return firm_form_of(menu[0], "stake" if hasattr(menu[0], "host") else "invest")
        mineral = self.scene.snapshot.minerals[0]
        hosts = [c for c in self.scene.snapshot.countries if c != self.scene.firm.country]
        return self.defaulted(FirmForm(host=hosts[0], mineral=mineral), player)

    def defaulted(self, form: FirmForm, player: str) -> FirmForm:
        """The form with its stage in the mineral's chain and a default amount."""
        chain = self.scene.snapshot.chains[form.mineral]
        form = replace(form, stage=form.stage if form.stage in chain else chain[0])
        return replace(form, amount=default_firm_amount(form, self.scene.firm.country, self.scene.snapshot))

    def form_rows(self, player: str) -> None:
        """Move, host (of a stake), mineral, stage; the amount; the Add button."""
        form, snapshot, home = self.form, self.scene.snapshot, self.scene.firm.country
        self.kind = self.dropdown(list(FIRM_MOVES), form.kind, 100, PAD)
        self.option = self.partner = None
        x = PAD + 106
        if form.kind == "stake":
            hosts = [country_label(self.scene, c) for c in snapshot.countries if c != home]
            self.partner = self.dropdown(hosts, country_label(self.scene, form.host), 170, x)
            x += 176
        self.mineral = self.dropdown(snapshot.minerals, form.mineral, 140, x)
        self.stage = self.dropdown(snapshot.chains[form.mineral], form.stage, 100, x + 146)
        self.next_row(28)
        self.label(FIRM_AMOUNTS[form.kind], 70, PAD)
        self.amount = self.entry(form.amount, 90, PAD + 72)
        self.add = reason_button(
            self.row(ROW, self.width - 170, PAD + 170), "Add order", self.scene.ui, self.window
        )
        self.next_row(ROW)
        self.check_form()

    def built(self):
        """The firm's move the form describes, or why it is not one."""
        firm = self.scene.firm
        return build_firm_order(self.form, firm.id, firm.country)

    def form_changed(self, event: pygame.event.Event) -> bool:
        """A dropdown of the form changed: update the form and rebuild it."""
        fields = {
            self.kind: ("kind", str),
            self.partner: ("host", lambda text: text[:3]),
            self.mineral: ("mineral", str),
            self.stage: ("stage", str),
        }
        return self.picked(event, fields)

    def aim_at(self, country: str) -> None:
        """A country picked on the map hosts the stake."""
        if self.form is not None and country != self.scene.firm.country:
            self.form = replace(self.form, kind="stake", host=country)
            self.refresh()


class FirmScene(GameScene):
    """Playing a firm: the map around its home, its dashboard and its bids; end turn as in the game."""

    panel_types = (*MapScene.panel_types, FirmPanel, BidsPanel)
    plays_firm = True

    @property
    def firm(self) -> OutlineFirm:
        """The firm played."""
        return self.session.firm

    @property
    def player(self) -> str | None:
        """The firm's home country (the map's 'you')."""
        return self.session.acting_country

    @property
    def seat(self) -> str | None:
        """The firm's id."""
        return self.session.player

    def title_text(self) -> str:
        """The firm, date, turn, scenario."""
        turn = "game over" if self.session.finished else f"turn {self.model.turn + 1} of {self.outline.turns}"
        who = f"{self.words.firm(self.firm.id)} ({self.firm.country}) to play"
        return f"{who} · {self.model.date} · {turn} · {self.outline.title}"

    def firm_state(self) -> dict:
        """The dashboard's figures as data (for tools driving the window): cash, holdings, record."""
        reading = self.model.observe(self.seat)
        return {
            "id": self.seat,
            "cash_usd_m": reading.cash_usd_m if isinstance(reading, FirmReading) else None,
            "holdings": [vars(h) for h in holdings(self.firm, self.snapshot)],
            "record": [e.kind for e in record(self.model.events, self.seat)],
        }

    def after_turn(self) -> None:
        """The world stepped: the firm's dashboard shows what became of its bids."""
        self.panel(FirmPanel).open()
