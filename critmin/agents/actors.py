"""The Mesa agents: countries, state firms and manufacturers.

The world's quantities live in the model's arrays; agents hold identity and behaviour, decide
on what the model hands them (an observation, the turn's view) and read their slice of it. They
know the model only through `Host`: the agents layer imports nothing of the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

import mesa
import numpy as np

from critmin.agents.controllers import Controller, DefaultController
from critmin.agents.firm_doctrine import (
    FirmDoctrine,
    FirmObservation,
    FirmParams,
    government_veto,
    review_order,
)
from critmin.core.actions import ActionBase
from critmin.core.turn_view import Names, TurnView
from critmin.core.vocabulary import SECTORS, Sector


class Host(Protocol):
    """What the agents ask of the model they live in (engine.model.WorldModel)."""

    lost_output: list[np.ndarray]  # per turn, (K, C) USD m of final output lost to shortages

    def observe(self, country: str):
        """What a country sees now."""
        ...

    def legal_actions(self, country: str) -> list[ActionBase]:
        """A country's or a firm's menu of legal actions now."""
        ...

    def turn_view(self) -> TurnView:
        """The world as controllers see it at the start of the turn."""
        ...

    def propose_for_firm(self, firm: StateFirm, action: ActionBase, view: TurnView) -> None:
        """Pass a firm's own move on, unless its government vetoes it."""
        ...

    @property
    def index(self) -> Names:
        """The names along the world's axes."""
        ...


class LegalMenu(Sequence):
    """The legal actions of a country, computed only if a controller looks at them."""

    def __init__(self, compute: Callable[[], list[ActionBase]]):
        self._compute = compute
        self._actions: list[ActionBase] | None = None

    @property
    def actions(self) -> list[ActionBase]:
        """The menu (computed on first use)."""
        if self._actions is None:
            self._actions = self._compute()
        return self._actions

    def __getitem__(self, index):
        return self.actions[index]

    def __len__(self) -> int:
        return len(self.actions)


class Country(mesa.Agent):
    """A country (or a bloc acting as one) and the controller that decides for it."""

    model: Host

    def __init__(self, model: mesa.Model, iso3: str, name: str, controller: Controller | None = None):
        super().__init__(model)
        self.iso3 = iso3
        self.name = name
        self.controller: Controller = controller or DefaultController()

    def decide(self) -> list[ActionBase]:
        """Ask the controller for this turn's actions, on this turn's observation."""
        if getattr(self.controller, "passive", False):
            return []
        observation = self.model.observe(self.iso3)
        return self.controller.decide(observation, LegalMenu(lambda: self.model.legal_actions(self.iso3)))


class StateFirm(mesa.Agent):
    """A firm acting for (or beside) its government: KABIL, IREL, Codelco, ...

    It decides with its own budget on its mandate (agents/firm_doctrine.py), through its
    controller: the firm AI by default, or a seat (`controllers={"kabil": QueuedController()}`).
    """

    model: Host

    def __init__(
        self,
        model: mesa.Model,
        firm_id: str,
        name: str,
        country: str,
        kind: str,
        mandate: str,
        controller: Controller | None = None,
    ):
        super().__init__(model)
        self.firm_id = firm_id
        self.name = name
        self.country = country
        self.kind = kind
        self.mandate = mandate
        if controller is None:
            controller = FirmDoctrine()
        self.controller: Controller = controller

    def observe(self, view: TurnView):
        """What the firm sees this turn, on the turn's view."""
        cash = float(view.firms.cash[view.firms.index[self.firm_id]])
        return FirmObservation(
            turn=view.turn,
            firm=self.firm_id,
            country=self.country,
            mandate=self.mandate,
            cash_usd_m=cash,
            view=view,
        )

    def step(self, view: TurnView) -> None:
        """Decide this turn on the turn's view; proposals go to the model."""
        if getattr(self.controller, "passive", False):
            return
        observation = self.observe(view)
        menu = LegalMenu(lambda: self.model.legal_actions(self.firm_id))
        for action in self.controller.decide(observation, menu):
            self.model.propose_for_firm(self, action, view)

    def refuses(self, view: TurnView, order: ActionBase) -> str | None:
        """Why the firm refuses what its government orders it to do (its AI reviews it), or None."""
        params = getattr(self.controller, "params", None)
        if params is None:
            return None
        cash = float(view.firms.cash[view.firms.index[self.firm_id]])
        return review_order(view, self.mandate, cash, order, params)

    def vetoed(self, view: TurnView, action: ActionBase) -> str | None:
        """Why the firm's government vetoes its own move, or None; the firm's AI remembers a veto."""
        veto = government_veto(view, action, getattr(self.controller, "params", FirmParams()))
        if veto is not None and hasattr(self.controller, "vetoed_by_government"):
            self.controller.vetoed_by_government(action)
        return veto


class Manufacturer(mesa.Agent):
    """The manufacturers of one sector in one country (battery makers, magnet users, ...).

    Their demand lives in the model's arrays (grown each turn in one vectorised step); their
    decisions (substitution when short, lobbying) are taken for all at once on the turn's arrays;
    the agent names the slice and reports on it.
    """

    model: Host

    def __init__(self, model: mesa.Model, country: str, sector: str):
        super().__init__(model)
        self.country = country
        self.sector = sector

    def demand_tonnes(self) -> dict[tuple[str, str], float]:
        """Tonnes per turn this sector wants, by (mineral, stage), at reference prices (this turn)."""
        view = self.model.turn_view()
        names = view.names
        demand = view.final_demand[self.sector_position, names.country[self.country]]
        return {
            (names.minerals[m], names.stages[s]): float(demand[m, s])
            for m, s in zip(*np.nonzero(demand), strict=True)
        }

    def lost_output_usd_m(self) -> float:
        """Value of this sector's final output lost to shortages last turn (USD m).

        All manufacturers decide at once on shared arrays (agents/manufacturer_doctrine.py,
        called by the model each turn); the agent reads its slice.
        """
        if not self.model.lost_output:
            return 0.0
        return float(self.model.lost_output[-1][self.sector_position, self.model.index.country[self.country]])

    @property
    def sector_position(self) -> int:
        """The sector's position along the sector axis."""
        return SECTORS.index(Sector(self.sector))


def populate(
    model: mesa.Model, spec, controllers: Mapping[str, Controller], scenario_controller: Callable
) -> tuple[dict[str, Country], dict[str, StateFirm]]:
    """A scenario's countries and firms as agents of `model`, by ISO3 code and firm id.

    `controllers` name the controller of some countries or firms; the other countries get
    `scenario_controller(country record)`, the other firms their AI on the scenario's
    `[firm_doctrine]` parameters.

    Raises:
        ValueError: a controller is given for a country or firm not in the scenario.

    """
    unknown = sorted(set(controllers) - {c.iso3 for c in spec.countries} - {f.id for f in spec.firms})
    if unknown:
        raise ValueError(
            f"controllers given for countries or firms not in the scenario: {', '.join(unknown)}"
        )
    countries = {
        c.iso3: Country(model, c.iso3, c.name, controllers.get(c.iso3) or scenario_controller(c))
        for c in spec.countries
    }
    firm_ai = spec.firm_doctrine
    firms = {
        f.id: StateFirm(
            model, f.id, f.name, f.country, f.kind, f.goal, controllers.get(f.id) or FirmDoctrine(firm_ai)
        )
        for f in spec.firms
    }
    return countries, firms


def add_manufacturers(model: mesa.Model, use: np.ndarray, countries: Sequence[str]) -> None:
    """The manufacturers of every sector and country that uses critical minerals ((K, C) `use` > 0)."""
    for k, c in zip(*np.nonzero(use), strict=True):
        Manufacturer(model, countries[c], SECTORS[k].value)
