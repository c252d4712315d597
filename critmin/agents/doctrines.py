"""AI doctrines: the decision rules of countries played by the computer.

Every doctrine is a `Controller` like any other: it sees only its country's Observation and
returns Actions, which the engine checks like anyone's. A decision runs in four steps:

1. read the observation (`Situation.read`) — lines, controls, deals, manufacturers' risks;
2. let manufacturers press (`Pressures`, every AI country's row at once): pressure jumps with
   supply risk and fades slowly;
3. answer the inbox (`diplomacy.answer_inbox`): accept only what the country's own valuation
   scores non-negative, never deliver to a country it embargoes, counter where it helps;
4. play the doctrine (`play`): the moves of `behaviours` its character calls for.

Doctrines (parameters in `doctrine_params`, per country where a source gives a figure):

- `DominantProcessor` (China): licences on the lines it dominates as leverage against
  distrusted countries and in retaliation; eases its licence regimes when its home market is
  glutted; its reserve buys imported inputs when cheap; its champions buy stakes in mines abroad.
- `ResourceNationalist` (DRC, Indonesia, Bolivia, Chile, ...): restricts raw exports of the
  minerals it has leverage in and builds (or gets partners to build) processing at home;
  defends its price with quotas; dislikes contracting unprocessed ore; picks trusted partners.
- `DiversifyingImporter` (India, Japan, the EU, the USA, Korea, ...): offtakes with trusted
  suppliers, co-financed partnerships, joint exploration, stockpiles, recycling, exploration and
  processing programmes, stakes abroad through its state firms, capacity at home.
- `AlignedSupplier` (Australia, Canada, Argentina, Kazakhstan, ...): offers floor-priced
  offtakes to importers without letting one buyer take most of its contracts, and seeks
  partners to finance its processing.

`make_controller` picks the controller a scenario asks for, with the scenario's `[doctrines.NAME]`
tables over the doctrines' parameters. The AI draws randomness only from
the country's own decision stream, so a run is reproducible under its seed. A controller the
engine makes reads the turn's shared `WorldReading` (`shared_reading`, WorldModel.shared_reading)
instead of reading every observation's public part again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from critmin.agents import behaviours as moves
from critmin.agents.controllers import Controller, DefaultController, QueuedController
from critmin.agents.diplomacy import answer_inbox
from critmin.agents.doctrine_params import DoctrineParams, params_for
from critmin.agents.pressures import Pressures
from critmin.agents.reading import WorldReading
from critmin.agents.situation import Situation
from critmin.agents.valuation import DealValue, value_offer
from critmin.core.actions import ActionBase, ProposeDeal
from critmin.core.observation import Observation
from critmin.scenarios.doctrine_table import DoctrineTables

SharedReading = Callable[[Observation], WorldReading | None]
"""The turn's shared reading of an observation's public part, if the engine has one for it."""


class DoctrineController:
    """An AI government: reads, lets its manufacturers press, answers its inbox, plays its doctrine."""

    doctrine = "passive"

    def __init__(
        self,
        country: str,
        params: DoctrineParams,
        rng: np.random.Generator,
        shared_reading: SharedReading | None = None,
        pressures: Pressures | None = None,
    ) -> None:
        self.country = country
        self.params = params
        self.rng = rng
        self.shared_reading = shared_reading
        self.pressures = pressures if pressures is not None else Pressures()  # the model's, or its own
        self.pressures.join(country, params)
        self.memory = moves.Memory()

    def decide(self, observation: Observation, legal: Sequence[ActionBase]) -> list[ActionBase]:
        """The actions of this turn (the legal menu is not needed: the engine checks every action)."""
        return self.decide_on(self.read(observation))

    def decide_on_reading(
        self, reading: WorldReading, country: str, legal: Sequence[ActionBase]
    ) -> list[ActionBase]:
        """The actions of this turn, on the country's row of the turn's reading (no Observation made)."""
        return self.decide_on(Situation.of_row(reading, country, self.params))

    def decide_on(self, situation: Situation) -> list[ActionBase]:
        """The actions of this turn on the situation read."""
        moves.recall_proposals(situation, self.memory)
        pressed = self.pressures.pressed(situation.reading, self.country)
        actions = answer_inbox(situation)
        actions += self.play(situation, pressed)
        moves.remember_proposals(actions, situation.obs.turn, self.memory)
        return actions

    def valuation(self, observation: Observation, offer: ProposeDeal) -> DealValue:
        """What `offer` is worth to this country, judged on `observation` alone."""
        return value_offer(self.read(observation), offer)

    def read(self, observation: Observation) -> Situation:
        """The situation of an observation, on the turn's shared reading where there is one."""
        shared = self.shared_reading(observation) if self.shared_reading is not None else None
        return Situation.read(observation, self.params, shared)

    def play(self, situation: Situation, pressed) -> list[ActionBase]:
        """The doctrine's own moves (none for the base class)."""
        return []

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.country!r})"


class DiversifyingImporter(DoctrineController):
    """Partnerships, offtakes, stockpiles, programmes, stakes abroad and capacity at home."""

    doctrine = "diversifying_importer"

    def play(self, situation: Situation, pressed) -> list[ActionBase]:
        """Secure supply where manufacturers press, in order of what it costs the treasury."""
        offences = moves.new_offences(situation, self.memory)
        return [
            *moves.release_in_shortage(situation),
            *moves.secure_supply(situation, pressed),
            *moves.joint_exploration(situation, pressed, self.memory, self.rng),
            *moves.build_stockpile(situation, pressed),
            *moves.fund_programme(situation, pressed),
            *moves.firm_moves(situation, pressed, self.memory),
            *moves.retaliate_with_tariffs(situation, offences, self.rng),
        ]


class DominantProcessor(DoctrineController):
    """Leverage through licences, managed easing, reserve buying and stakes in mines abroad."""

    doctrine = "dominant_processor"

    def play(self, situation: Situation, pressed) -> list[ActionBase]:
        """Press adversaries and offenders, manage its regimes, secure its feed."""
        offences = moves.new_offences(situation, self.memory)
        targets = moves.leverage_targets(situation, offences, self.rng)
        return [
            *moves.release_in_shortage(situation),
            *moves.ease_controls(situation),
            *moves.leverage(situation, targets),
            *moves.secure_supply(situation, pressed),
            *moves.buy_the_dip(situation),
            *moves.firm_moves(situation, pressed, self.memory),
        ]


class ResourceNationalist(DoctrineController):
    """Raw-export restrictions, processing at home, price defence, trusted partners only."""

    doctrine = "resource_nationalist"

    def play(self, situation: Situation, pressed) -> list[ActionBase]:
        """Defend prices, push processing home, and cover its own imports."""
        return [
            *moves.release_in_shortage(situation),
            *moves.price_support(situation, self.memory),
            *moves.downstream(situation, self.memory, self.rng),
            *moves.secure_supply(situation, pressed),
            *moves.fund_programme(situation, pressed),
        ]


class AlignedSupplier(DoctrineController):
    """Offtakes offered to importers, balanced between buyers; partners sought for processing."""

    doctrine = "aligned_supplier"

    def play(self, situation: Situation, pressed) -> list[ActionBase]:
        """Sell forward, court investors, and cover its own imports."""
        return [
            *moves.release_in_shortage(situation),
            *moves.seek_offtakes(situation, self.rng),
            *moves.seek_investors(situation, self.memory),
            *moves.secure_supply(situation, pressed),
            *moves.fund_programme(situation, pressed),
        ]


DOCTRINE_CONTROLLERS: dict[str, type[DoctrineController]] = {
    cls.doctrine: cls
    for cls in (DiversifyingImporter, DominantProcessor, ResourceNationalist, AlignedSupplier)
}


def doctrine_controller(
    doctrine: str,
    country: str,
    rng: np.random.Generator,
    tables: Sequence = (),
    shared_reading: SharedReading | None = None,
    pressures: Pressures | None = None,
) -> Controller:
    """The AI controller of a doctrine for a country (the default controller for 'passive').

    `tables` are the scenario's `DoctrineTable`s over the doctrine's parameters, in order (None
    for none): its `[doctrines.NAME]` table, the country's own `doctrine_params`. `pressures`
    is the model's book of its AI countries' pressure (the controller keeps its own without).
    """
    cls = DOCTRINE_CONTROLLERS.get(doctrine)
    if cls is None:
        return DefaultController()
    return cls(country, params_for(doctrine, country, *tables), rng, shared_reading, pressures)


def make_controller(
    country,
    rng: np.random.Generator,
    doctrines: DoctrineTables | None = None,
    shared_reading: SharedReading | None = None,
    pressures: Pressures | None = None,
) -> Controller:
    """The controller for a scenario's country record (`controller`, `doctrine` fields).

    'ai' plays the named doctrine, with the scenario's `[doctrines]` tables and the country's own
    `doctrine_params` over its parameters;
    'human' and 'external' play what is submitted through the public API; 'default' keeps
    current policies.
    """
    if country.controller in ("human", "external"):
        return QueuedController()
    if country.controller == "ai":
        table = doctrines.table(country.doctrine) if doctrines is not None else None
        tables = (table, country.doctrine_params)
        return doctrine_controller(country.doctrine, country.iso3, rng, tables, shared_reading, pressures)
    return DefaultController()
