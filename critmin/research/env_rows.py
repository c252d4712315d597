"""What the RL agents see, a row per agent: the arrays features, rewards and masks are read from.

`rows_of_world` reads them once a step from the current view with the observation book's own
functions (engine/observe.py), for every agent at once, without building an Observation per
agent or the book; `rows_of_observation` reads the same from one Observation, so that
features and scores have one definition (critmin/research/env_spaces.py) whatever they are read
from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from critmin.core.observation import LINE_FIGURES, Observation
from critmin.core.turn_view import LastTurn, Names
from critmin.engine.line_flows import LineFlows
from critmin.engine.observe import deals_by_country, line_figures, pending_proposals
from critmin.engine.policies import PolicyBook
from critmin.engine.views import last_turn, names

if TYPE_CHECKING:
    from critmin.engine.model import WorldModel

FIGURE = {name: k for k, name in enumerate(LINE_FIGURES)}
"""Position of each figure on the last axis of `Rows.figures`."""

Line = tuple[str, str]
OwnPolicies = tuple[set[Line], dict[Line, float]]
"""A country's export controls and tariff rates, by (mineral, stage) (`policies_of`)."""


@dataclass(frozen=True)
class Rows:
    """Every agent's own figures and books now, a row per agent."""

    figures: np.ndarray  # (A, N, LINE_FIGURES): each agent's figures on the N lines it sees
    at: np.ndarray  # (L,) each asked line's position among the N, -1 where it is not seen
    controlled: np.ndarray  # (A, L) True where the agent controls its exports of the line
    tariff: np.ndarray  # (A, L) the agent's tariff rate on the line's imports (0 if none)
    treasury: np.ndarray  # (A,) USD m
    budget: np.ndarray  # (A,) USD m a turn
    inbox: list[list[dict]]  # each agent's proposals to answer, oldest first
    deals: np.ndarray  # (A,) deals in force the agent is party to

    def figure(self, name: str) -> np.ndarray:
        """(A, N) one figure of every seen line."""
        return self.figures[:, :, FIGURE[name]]

    @cached_property
    def lines_table(self) -> np.ndarray:
        """(A, L, LINE_FIGURES) the figures on the asked lines (0 where a line is not seen)."""
        table = self.figures[:, np.maximum(self.at, 0)]
        table[:, self.at < 0] = 0.0
        return table

    def on_lines(self, name: str) -> np.ndarray:
        """(A, L) one figure on the asked lines (0 where a line is not seen)."""
        return self.lines_table[:, :, FIGURE[name]]

    def seen(self) -> np.ndarray:
        """(L,) True where the asked line is seen."""
        return self.at >= 0


def policies_of(records: list[dict], country: str) -> OwnPolicies:
    """A country's export controls and tariff rates among the world's policy records."""
    mine = [p for p in records if p["country"] == country]
    controls = {(p["mineral"], p["stage"]) for p in mine if p["kind"] == "export_control"}
    tariffs = {(p["mineral"], p["stage"]): float(p["rate"]) for p in mine if p["kind"] == "tariff"}
    return controls, tariffs


def book_policies(book: PolicyBook, countries: Sequence[str]) -> list[OwnPolicies]:
    """`policies_of` each of `countries`, read from the policy book's keys instead of its records."""
    controls: dict[str, set[Line]] = {c: set() for c in countries}
    tariffs: dict[str, dict[Line, float]] = {c: {} for c in countries}
    for country, mineral, stage in book.controls:
        if country in controls:
            controls[country].add((mineral, stage))
    for (country, mineral, stage), tariff in book.tariffs.items():
        if country in tariffs:
            tariffs[country][(mineral, stage)] = float(tariff.rate)
    return [(controls[c], tariffs[c]) for c in countries]


def policy_arrays(policies: Sequence[OwnPolicies], lines: Sequence[Line]) -> tuple[np.ndarray, np.ndarray]:
    """(A, L) controlled and tariff rate of each agent's policies on each line."""
    controlled = np.array([[line in controls for line in lines] for controls, _ in policies], dtype=bool)
    tariff = np.array([[tariffs.get(line, 0.0) for line in lines] for _, tariffs in policies], dtype=float)
    return controlled.reshape(len(policies), len(lines)), tariff.reshape(len(policies), len(lines))


def positions(seen: Sequence[Line], lines: Sequence[Line]) -> np.ndarray:
    """(L,) each line's position in `seen`, -1 where it is not there."""
    where = {line: k for k, line in enumerate(seen)}
    return np.array([where.get(line, -1) for line in lines], dtype=np.int64)


@dataclass(frozen=True)
class LineInputs:
    """What `observe.line_figures` reads of a turn view, read from the world without the rest.

    The whole view (engine/views.build) reads every firm's arrays as well (~0.3 ms of its
    ~0.35 a step on world-2024), which the rows never show.
    """

    names: Names
    chain: np.ndarray
    reference_price: np.ndarray
    price: np.ndarray
    capacity: np.ndarray
    stock: np.ndarray  # as the view sums it: producers', processors' and manufacturers'
    stockpile: np.ndarray
    treasury: np.ndarray
    budget_per_turn: np.ndarray
    last: LastTurn

    @classmethod
    def of(cls, model: WorldModel) -> LineInputs:
        """The world's figures now, as a view built now would show them."""
        world = model.world
        state, constants = world.state, world.constants
        return cls(
            names=names(world),
            chain=constants.chain,
            reference_price=constants.reference_price,
            price=state.price,
            capacity=state.capacity,
            stock=state.commercial_stock(),
            stockpile=state.stockpile,
            treasury=state.treasury,
            budget_per_turn=constants.budget_per_turn,
            last=last_turn(world, model.recorder),
        )


def rows_of_world(model: WorldModel, countries: Sequence[str], lines: Sequence[Line]) -> Rows:
    """What each of `countries` sees now, as its Observation would show it, on `lines`.

    Read with the observation book's own functions (engine/observe.py), but only the parts the
    rows hold: neither the book nor the whole turn view is built, since the next turn's events
    change the world before the AI countries read theirs (one book and one view a step saved).
    """
    view, world = LineInputs.of(model), model.world
    chain = np.nonzero(view.chain)
    figures = line_figures(view, chain, LineFlows.of(model.views.last_flows(view), view.chain))
    at = [view.names.country[c] for c in countries]
    controlled, tariff = policy_arrays(book_policies(world.policies, countries), lines)
    inbox, deals = pending_proposals(world)["inbox"], deals_by_country(world)
    seen = [(view.names.minerals[m], view.names.stages[s]) for m, s in zip(*chain, strict=True)]
    return Rows(
        figures=figures[at],
        at=positions(seen, lines),
        controlled=controlled,
        tariff=tariff,
        treasury=view.treasury[at],
        budget=view.budget_per_turn[at],
        inbox=[list(inbox.get(c, ())) for c in countries],
        deals=np.array([len(deals.get(c, ())) for c in countries], dtype=float),
    )


def rows_of_observation(observation: Observation, lines: Sequence[Line] = ()) -> Rows:
    """What one Observation shows, as a single row, on `lines`."""
    figures = [[getattr(view, name) for name in LINE_FIGURES] for view in observation.minerals]
    seen = [(view.mineral, view.stage) for view in observation.minerals]
    controls, tariffs = policies_of(observation.policies, observation.country)
    controlled, tariff = policy_arrays([(controls, tariffs)], lines)
    return Rows(
        figures=np.array(figures, dtype=float).reshape(1, len(seen), len(LINE_FIGURES)),
        at=positions(seen, lines),
        controlled=controlled,
        tariff=tariff,
        treasury=np.array([observation.treasury_usd_m]),
        budget=np.array([observation.budget_per_turn_usd_m]),
        inbox=[list(observation.inbox)],
        deals=np.array([len(observation.deals)], dtype=float),
    )
