"""The panels that act: policy orders and diplomacy. Every choice becomes an Action checked by the engine.

The submit buttons are greyed out, with the engine's reason as their tooltip, whenever
`model.check` refuses the Action the form describes; drafted orders go to the session, which
hands them to `model.submit` when the player ends the turn.
"""

from __future__ import annotations

from dataclasses import replace

import pygame
import pygame_gui
from pygame_gui.elements import UIDropDownMenu, UILabel, UITextBox, UITextEntryLine

from critmin.core.actions import ActionBase
from critmin.ui.forms import (
    ALL_PARTNERS,
    DEAL_SIDES,
    NO_STAGE,
    ORDER_KINDS,
    PARTNER_ROLE,
    DealForm,
    OrderForm,
    as_action,
    build_deal,
    build_order,
    default_amount,
    default_deal_tonnes,
    main_supplier,
    top_import,
)
from critmin.ui.indicators import quantity
from critmin.ui.news import plain_detail
from critmin.ui.panels import PAD, ROW, Panel, draft_buttons, fitted_height
from critmin.ui.widgets import ReasonButton, escape, fit, font, reason_button

SHOWN_ORDERS = 6
SHOWN_SUGGESTIONS = 5
SHOWN_PROPOSALS = 4


def country_label(scene, code: str) -> str:
    """'AUS · Australia' (dropdowns start with the code)."""
    return f"{code} · {scene.names.get(code, code)}"


def verdict(scene, action: ActionBase | str) -> str | None:
    """Why an action (or a form that is not one yet) cannot be ordered now, or None.

    Asked of the session: the engine's check as the turn will carry the order out (ui/carried.py).
    """
    return action if isinstance(action, str) else scene.session.check(action)


class ActingPanel(Panel):
    """A panel for the player's decisions: empty in observer mode, forms otherwise."""

    def fill(self) -> None:
        """The player's forms, or a note when nobody plays."""
        self.actions: dict[ReasonButton, ActionBase] = {}
        if self.scene.seat is None:
            self.text("<i>Observer mode: every country is played by the computer.</i>")
            return
        self.fill_forms(self.scene.seat)

    def fill_forms(self, player: str) -> None:
        """Create the forms (subclasses)."""

    def active(self) -> bool:
        """Forms exist only while a human country plays."""
        return self.scene.seat is not None

    def picked(self, event: pygame.event.Event, fields: dict) -> bool:
        """A dropdown of the form changed: set the field it stands for, default the rest, rebuild.

        `fields` maps each dropdown to its form field and how to read the field from its text.
        """
        for widget, (field, value) in fields.items():
            if widget is not None and event.ui_element is widget:
                self.form = self.defaulted(replace(self.form, **{field: value(event.text)}), self.scene.seat)
                self.refresh()
                return True
        return False

    def dropdown(self, options: list[str], current: str, width: int, x: int) -> UIDropDownMenu:
        """A dropdown in the current row."""
        current = current if current in options else options[0]
        return UIDropDownMenu(
            options,
            current,
            self.row(28, width, x),
            self.scene.ui,
            container=self.window,
            expansion_height_limit=260,
        )

    def label(self, text: str, width: int, x: int) -> UILabel:
        """A label in the current row."""
        return UILabel(self.row(28, width, x), text, self.scene.ui, container=self.window)

    def entry(self, text: str, width: int, x: int) -> UITextEntryLine:
        """A one-line text entry in the current row."""
        return UITextEntryLine(
            self.row(28, width, x), self.scene.ui, container=self.window, initial_text=text
        )


class OrdersPanel(ActingPanel):
    """Policy orders: export controls, tariffs, investment, programs, stockpile; and this turn's orders."""

    title = "Orders"
    key = pygame.K_o
    size = (560, 560)

    def __init__(self, scene) -> None:
        super().__init__(scene)
        self.form: OrderForm | None = None

    def start_form(self, player: str) -> OrderForm:
        """The form's first state: a tariff on the player's most valuable import."""
        mineral, stage = top_import(self.scene.snapshot, player)
        return self.defaulted(OrderForm(kind="tariff", mineral=mineral, stage=stage), player)

    def defaulted(self, form: OrderForm, player: str) -> OrderForm:
        """The form with its stage inside the mineral's chain and a default amount."""
        chain = self.scene.snapshot.chains[form.mineral]
        stage = form.stage if form.stage in chain else chain[-1]
        form = replace(form, stage=stage)
        budget = self.scene.model.observe(player).budget_per_turn_usd_m
        return replace(form, amount=default_amount(form, player, self.scene.snapshot, budget))

    def fill_forms(self, player: str) -> None:
        """The order form, this turn's orders and a few suggested legal moves."""
        if self.form is None:
            self.form = self.start_form(player)
        self.form_rows(player)
        self.scheduled(player)
        self.order_rows()
        self.suggestions(player)

    def scheduled(self, player: str) -> None:
        """What the scenario spends of the treasury this quarter, when it spends any."""
        note = scheduled_note(self.scene.model.observe(player))
        if note:
            lines = -(-font(14).size(note)[0] // (self.width - 40))  # wrapped lines, rounded up
            height = 25 * lines + 24
            UITextBox(escape(note), self.row(height), self.scene.ui, container=self.window)
            self.next_row(height)

    def form_rows(self, player: str) -> None:
        """Kind, mineral, stage; option, partner, amount; the Add button."""
        form, snapshot = self.form, self.scene.snapshot
        self.kind = self.dropdown(list(ORDER_KINDS), form.kind, 170, PAD)
        self.mineral = self.dropdown(snapshot.minerals, form.mineral, 170, PAD + 176)
        stages = snapshot.chains[form.mineral] if form.kind not in NO_STAGE else ["-"]
        self.stage = self.dropdown(stages, form.stage, 110, PAD + 352)
        self.next_row(28)
        x = PAD
        self.option = self.partner = self.amount = None
        if form.options():
            self.option = self.dropdown(list(form.options()), form.option, 120, x)
            x += 126
        if form.kind in PARTNER_ROLE:
            self.label(PARTNER_ROLE[form.kind], 40, x)
            partners = [ALL_PARTNERS] + [
                country_label(self.scene, c) for c in snapshot.countries if c != player
            ]
            current = (
                ALL_PARTNERS if form.partner == ALL_PARTNERS else country_label(self.scene, form.partner)
            )
            self.partner = self.dropdown(partners, current, 186, x + 42)
            x += 234
        if form.amount_label():
            self.label(form.amount_label(), 90, x)
            self.amount = self.entry(form.amount, 80, x + 92)
        self.next_row(28)
        self.add = reason_button(self.row(ROW), "Add order", self.scene.ui, self.window)
        self.next_row(ROW)
        self.check_form()

    def built(self) -> ActionBase | str:
        """The order the form describes, or why it is not one."""
        return build_order(self.form, self.scene.seat)

    def check_form(self) -> None:
        """Grey out Add with the engine's reason, or enable it describing the order."""
        action = self.built()
        reason = verdict(self.scene, action)
        words = None if reason else self.scene.words.order(action)
        self.add.explain(reason, words)
        self.add.set_text("Add order" if reason else fit(f"Add order: {words}", self.add.rect.width - 16))

    def order_rows(self) -> None:
        """The orders drafted this turn, each with a Remove button."""
        orders = self.scene.session.orders()
        self.header(f"Orders this turn ({len(orders)}), carried out when you end the turn")
        self.removes, self.order_boxes = {}, []
        for index, action in enumerate(orders[:SHOWN_ORDERS]):
            text = self.scene.words.order(action)
            height = fitted_height(text, self.width - 90)
            box = UITextBox(
                escape(text), self.row(height, self.width - 90), self.scene.ui, container=self.window
            )
            self.order_boxes.append(box)
            button = reason_button(
                self.row(ROW, 84, PAD + self.width - 84), "Remove", self.scene.ui, self.window
            )
            self.removes[button] = index
            self.next_row(height)

    def suggestions(self, player: str) -> None:
        """A few legal moves from the engine's menu, one click to draft."""
        if self.height_left < 2 * ROW:
            return
        self.header("Suggested moves (legal now)")
        shown, drafted = 0, self.scene.session.orders()
        for action in self.scene.model.legal_actions(player):
            if shown == SHOWN_SUGGESTIONS or self.height_left < ROW:
                break
            if action in drafted or self.scene.session.check(action) is not None:
                continue  # drafted already, or refused once the scenario's payments of the quarter are made
            shown += 1
            button = reason_button(
                self.row(ROW),
                fit(f"+ {self.scene.words.order(action)}", self.width - 16),
                self.scene.ui,
                self.window,
                tooltip=self.scene.words.order(action),
            )
            self.actions[button] = action
            self.next_row(ROW)

    def on_event(self, event: pygame.event.Event) -> bool:
        """Form changes, Add, Remove and suggestions."""
        if event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED:
            return self.form_changed(event)
        if event.type == pygame_gui.UI_TEXT_ENTRY_CHANGED and event.ui_element is self.amount:
            self.form = replace(self.form, amount=event.text)
            self.check_form()
            return True
        if event.type != pygame_gui.UI_BUTTON_PRESSED:
            return False
        if event.ui_element is self.add:
            self.scene.draft(self.built())
            return True
        if event.ui_element in self.removes:
            self.scene.session.remove_order(self.removes[event.ui_element])
            self.refresh()
            return True
        return draft_buttons(self, self.actions, event)

    def form_changed(self, event: pygame.event.Event) -> bool:
        """A dropdown of the form changed: update the form and rebuild it."""
        form, text = self.form, event.text
        if event.ui_element is self.kind:
            form = form.with_kind(text)
        elif event.ui_element is self.mineral:
            form = replace(form, mineral=text)
        elif event.ui_element is self.stage and text != "-":
            form = replace(form, stage=text)
        elif event.ui_element is self.option:
            form = replace(form, option=text)
        elif event.ui_element is self.partner:
            form = replace(form, partner=text if text == ALL_PARTNERS else text[:3])
        else:
            return False
        partner = form.partner
        self.form = replace(self.defaulted(form, self.scene.seat), partner=partner)
        self.refresh()
        return True

    def aim_at(self, country: str) -> None:
        """Target a country picked on the map (destination of a control, origin of a tariff)."""
        if self.form is not None and country != self.scene.seat:
            self.form = replace(self.form, partner=country)
            self.refresh()


class DiplomacyPanel(ActingPanel):
    """The inbox (accept / reject), the offtake proposal form, and the diplomatic log."""

    title = "Diplomacy"
    key = pygame.K_i
    size = (580, 540)

    def __init__(self, scene) -> None:
        super().__init__(scene)
        self.form: DealForm | None = None

    def fill_forms(self, player: str) -> None:
        """Inbox, proposal form, log."""
        observation = self.scene.model.observe(player)
        self.inbox_rows(player, observation.inbox)
        self.proposal_rows(player)
        self.log(observation)

    def inbox_rows(self, player: str, inbox: list[dict]) -> None:
        """Each pending proposal to the player, with Accept and Reject."""
        self.header(f"Inbox ({len(inbox)}): proposals waiting for your answer")
        for proposal in inbox[:SHOWN_PROPOSALS]:
            text = offer_text(proposal["offer"], self.scene.words)
            height = fitted_height(text, self.width - 170)
            UITextBox(escape(text), self.row(height, self.width - 170), self.scene.ui, container=self.window)
            for k, accept in enumerate((True, False)):
                action = as_action(
                    {
                        "type": "answer_deal",
                        "country": player,
                        "proposal_id": proposal["id"],
                        "accept": accept,
                    }
                )
                button = reason_button(
                    self.row(ROW, 80, PAD + self.width - 164 + 84 * k),
                    "Accept" if accept else "Reject",
                    self.scene.ui,
                    self.window,
                    verdict(self.scene, action),
                )
                self.actions[button] = action
            self.next_row(height)

    def proposal_rows(self, player: str) -> None:
        """Counterparty, side, mineral, stage; tonnes, duration, Propose."""
        snapshot = self.scene.snapshot
        if self.form is None:  # aimed at the country selected on the map, if it is not the player
            mineral, stage = top_import(snapshot, player)
            aimed = self.scene.selected if self.scene.selected not in (None, player) else ""
            form = DealForm(mineral=mineral, stage=stage, counterparty=aimed)
            self.form = self.defaulted(form, player)
        form = self.form
        self.header("Propose an offtake (index price; they answer next turn)")
        others = [country_label(self.scene, c) for c in snapshot.countries if c != player]
        current = country_label(self.scene, form.counterparty) if form.counterparty else others[0]
        self.counterparty = self.dropdown(others, current, 190, PAD)
        self.side = self.dropdown(list(DEAL_SIDES), form.side, 100, PAD + 196)
        self.mineral = self.dropdown(snapshot.minerals, form.mineral, 140, PAD + 302)
        self.stage = self.dropdown(snapshot.chains[form.mineral], form.stage, 100, PAD + 448)
        self.next_row(28)
        self.label("t/yr", 40, PAD)
        self.tonnes = self.entry(form.tonnes_per_year, 100, PAD + 42)
        self.label("turns", 50, PAD + 150)
        self.turns = self.entry(form.duration_turns, 50, PAD + 202)
        self.propose = reason_button(
            self.row(ROW, self.width - 262, PAD + 262), "Propose", self.scene.ui, self.window
        )
        self.next_row(ROW)
        self.check_form()

    def defaulted(self, form: DealForm, player: str) -> DealForm:
        """The form with a counterparty, a stage in the chain and a default tonnage."""
        snapshot = self.scene.snapshot
        counterparty = (
            form.counterparty
            or main_supplier(snapshot, player, form.mineral, form.stage)
            or next(c for c in snapshot.countries if c != player)
        )
        chain = snapshot.chains[form.mineral]
        form = replace(
            form, counterparty=counterparty, stage=form.stage if form.stage in chain else chain[-1]
        )
        buyer = player if form.side == DEAL_SIDES[0] else counterparty
        need = sum(
            d.tonnes
            for d in self.scene.outline.demand
            if (d.country, d.mineral, d.stage) == (buyer, form.mineral, form.stage)
        )
        return replace(form, tonnes_per_year=default_deal_tonnes(form, player, snapshot, need))

    def check_form(self) -> None:
        """Grey out Propose with the engine's reason."""
        action = build_deal(self.form, self.scene.seat)
        reason = verdict(self.scene, action)
        self.propose.explain(reason, None if reason else self.scene.words.order(action))

    def log(self, observation) -> None:
        """Proposals waiting for others, and the diplomatic events that concern the player."""
        waiting = [f"waiting: {offer_text(p['offer'], self.scene.words)}" for p in observation.outbox]
        events = [
            f"{e['kind'].replace('_', ' ')}: {plain_detail(self.scene.words, e['detail'])}"
            for e in reversed(observation.diplomacy)
        ]
        rows = waiting + events
        self.text("<b>Log</b><br>" + ("<br>".join(escape(r) for r in rows) if rows else "<i>nothing yet</i>"))

    def on_event(self, event: pygame.event.Event) -> bool:
        """Form changes, Propose, Accept / Reject."""
        if event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED:
            return self.form_changed(event)
        if event.type == pygame_gui.UI_TEXT_ENTRY_CHANGED and event.ui_element in (self.tonnes, self.turns):
            field = "tonnes_per_year" if event.ui_element is self.tonnes else "duration_turns"
            self.form = replace(self.form, **{field: event.text})
            self.check_form()
            return True
        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is getattr(self, "propose", None):
            self.scene.draft(build_deal(self.form, self.scene.seat))
            return True
        return draft_buttons(self, self.actions, event)

    def form_changed(self, event: pygame.event.Event) -> bool:
        """A dropdown of the proposal form changed."""
        fields = {
            self.counterparty: ("counterparty", lambda text: text[:3]),
            self.side: ("side", str),
            self.mineral: ("mineral", str),
            self.stage: ("stage", str),
        }
        return self.picked(event, fields)

    def aim_at(self, country: str) -> None:
        """Make the country picked on the map the counterparty."""
        if self.form is not None and self.scene.seat and country != self.scene.seat:
            self.form = self.defaulted(replace(self.form, counterparty=country), self.scene.seat)
            self.refresh()


def offer_text(offer: dict, words=None) -> str:
    """A proposal in a line, in words when it reads as an offer."""
    action = as_action({**offer, "type": "propose_deal"})
    if words is not None and not isinstance(action, str):
        return f"{words.country(offer['country'])}: {words.order(action)}"
    price = offer["price_rule"] + (
        f" {quantity(offer['price_usd_per_kg'])} USD/kg" if offer.get("price_usd_per_kg") else ""
    )
    return (
        f"{offer['country']}: {offer['kind']} {offer['seller']} to {offer['buyer']} {offer['mineral']} "
        f"{offer['stage']} {quantity(offer['tonnes_per_year'])} t/yr, {price}, "
        f"{offer['duration_turns']} turns"
    )


def scheduled_note(observation) -> str:
    """The treasury less what the scenario schedules the country to pay this quarter, or "".

    The scenario's programmes are carried out with the player's orders: an order that needs more
    than is left is refused when the turn is played, although the treasury holds it when drafted.
    """
    scheduled = getattr(observation, "committed_usd_m", None)  # a firm's observation has none
    committed = scheduled[0] if scheduled else 0.0
    if committed < 0.5:
        return ""
    left = observation.treasury_usd_m - committed
    return (
        f"The scenario pays USD {committed:,.0f} m of the treasury this quarter (its scheduled "
        f"programmes): USD {left:,.0f} m is left for your orders; an order needing more is refused "
        "when the turn is played."
    )
