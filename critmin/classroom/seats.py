"""Seats: the controller of a team's country, or of a state firm, in a classroom session.

A seat plays what the team submitted for the turn. When the team sent nothing (absent, silent,
or replaced by the instructor) it plays its country's AI doctrine (a firm's: the firm's AI)
instead: the default orders. The doctrine decides every turn, even when its orders are not used,
so that its memory (supply pressure, past offers) follows the game and a replay of the same
orders gives the same moves. A seat is named by the country's ISO3 code or the firm's id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import msgspec

from critmin.agents.controllers import Controller, QueuedController
from critmin.agents.doctrines import make_controller
from critmin.core.actions import ActionBase
from critmin.core.event_words import EventWords
from critmin.core.observation import Observation
from critmin.engine.model import WorldModel
from critmin.scenarios.loader import Scenario


class Seat(QueuedController):
    """A team's country: its submitted orders if any, else its AI doctrine's (default orders)."""

    def __init__(self) -> None:
        super().__init__()
        self.fallback: Controller | None = None
        self.has_orders = False

    def submit(self, actions: Sequence[ActionBase]) -> None:
        """The team's orders for the coming turn (an empty list is a decision to do nothing)."""
        super().submit(actions)
        self.has_orders = True

    def decide(self, observation: Observation, legal: Sequence[ActionBase]) -> list[ActionBase]:
        """The team's orders, or the doctrine's when the team sent none."""
        default_orders = self.fallback.decide(observation, legal) if self.fallback else []
        orders = super().decide(observation, legal)
        chosen = orders if self.has_orders else default_orders
        self.has_orders = False
        return chosen


def ai_controller(scenario: Scenario, country: str, model: WorldModel) -> Controller:
    """The AI controller a seat would have with the computer playing it (its doctrine, a firm's AI)."""
    if country in model.firms:
        from critmin.agents.firm_doctrine import FirmDoctrine

        return FirmDoctrine()
    spec = next(c for c in scenario.spec.countries if c.iso3 == country)
    ai = msgspec.structs.replace(spec, controller="ai")
    return make_controller(ai, model.decision_rng(country), scenario.spec.doctrines)


def seat_names(scenario: Scenario) -> dict[str, str]:
    """Every seat a team may take: countries by ISO3 and firms by id, with their names."""
    spec = scenario.spec
    return {c.iso3: c.name for c in spec.countries} | {f.id: f"{f.name}, {f.country}" for f in spec.firms}


def event_words(scenario: Scenario) -> EventWords:
    """The scenario's names for rewording event sentences on pages and in the debrief."""
    spec = scenario.spec
    return EventWords(
        {c.iso3: c.name for c in spec.countries},
        {m.id: m.name for m in spec.minerals},
        {f.id: f.name for f in spec.firms},
    )


def seat_of(scenario: Scenario, name: str) -> str | None:
    """The seat a name means, whatever its case ('kabil', 'KABIL', 'ind'), or None."""
    by_fold = {seat.casefold(): seat for seat in seat_names(scenario)}
    return by_fold.get(name.strip().casefold())


def seated_world(scenario: Scenario, seed: int, teams: Sequence[str]) -> tuple[WorldModel, dict[str, Seat]]:
    """A new world whose teams' countries are seats backed by their AI doctrine."""
    seats = {team: Seat() for team in teams}
    model = WorldModel(scenario, seed=seed, controllers=seats)
    for team, seat in seats.items():
        seat.fallback = ai_controller(scenario, team, model)
    return model, seats


def play_turn(model: WorldModel, orders: Mapping[str, Sequence[dict]]) -> None:
    """Queue the orders of the teams that submitted, then play the turn."""
    for team, actions in orders.items():
        model.submit(team, list(actions))
    model.step()
