"""State firms' own decisions: what a firm does with its budget, by its mandate, and why.

Every firm reads the turn's view (core/turn_view.py: `TurnView`, its firm arrays included), built
once per turn by the engine, and decides at most every `act_every_turns` turns:

- supply_security (state firms by default): buy a stake in the largest foreign mine of the
  mineral its home country imports most (by value), so that its share of output ships home, and
  offer an offtake to the foreign state firm best placed to sell it (agents/firm_offers.py);
- profit (producers by default): expand its own home line with the best margin at long-run
  prices if that margin clears the hurdle;
- national_champion: build the next stage at home where the country imports it, else as profit.

Every turn a firm also answers the offers addressed to it and bids for the mineral blocks on offer
at home (agents/firm_offers.py). Its government can veto a stake in a country it distrusts
(`government_veto`), and a firm reviews what its government orders it to do (`review_order`): it
refuses an order it cannot pay or whose margin would not pay back enough of the cost within
`payback_years`, and says why.
Each decision is an ordinary action carrying its reason; the engine checks and applies it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from critmin.agents.firm_offers import answer_offers, bids, partner_offer
from critmin.core.actions import AcquireStake, ActionBase, Invest
from critmin.core.turn_view import TurnView
from critmin.core.units import capex_usd_m, tonnes_for_usd_m, usd_m
from critmin.core.vocabulary import TURNS_PER_YEAR, Mineral, Stage
from critmin.scenarios.doctrine_table import FirmParams


@dataclass
class FirmObservation:
    """What a firm sees: itself, its budget, and the turn's view."""

    turn: int
    firm: str
    country: str
    mandate: str
    cash_usd_m: float
    view: TurnView = field(repr=False)


class FirmDoctrine:
    """The AI of a firm: acts on its mandate with its own budget, at most every few turns."""

    def __init__(self, params: FirmParams | None = None) -> None:
        self.params = params or FirmParams()
        self.last_turn = -(10**6)
        self.vetoed: set[tuple[str, str]] = set()  # (host, mineral) its government refused
        self.asked: dict[str, int] = {}  # foreign firm -> the turn it was last offered an offtake

    def decide(self, observation: FirmObservation, legal: Sequence[ActionBase]) -> list[ActionBase]:
        """Answers to the offers addressed to it, bids for blocks, and the decision of the turn, if any."""
        view, firm, mandate = observation.view, observation.firm, observation.mandate
        actions: list[ActionBase] = [*answer_offers(view, firm, mandate, self.params)]
        actions += bids(view, firm, mandate, observation.cash_usd_m, self.params)
        if observation.turn - self.last_turn < self.params.act_every_turns or observation.cash_usd_m <= 0:
            return actions
        choose = {"profit": profit_move, "national_champion": champion_move}.get(mandate, security_move)
        moves = [choose(observation, self.params, self.vetoed)]
        if mandate == "supply_security":
            moves.append(partner_offer(view, firm, self.params, self.asked))
        moves = [move for move in moves if move is not None]
        if moves:
            self.last_turn = observation.turn
        return [*actions, *moves]

    def vetoed_by_government(self, action: ActionBase) -> None:
        """Remember a refused host so as to look elsewhere next time."""
        if isinstance(action, AcquireStake):
            self.vetoed.add((action.host, action.mineral.value))
            self.last_turn = -(10**6)


def line_capex_usd_m(view: TurnView, m: int, s: int, tonnes_per_year: float) -> float:
    """The engine's capital cost of capacity on a line, on the view's terms."""
    return capex_usd_m(tonnes_per_year, view.reference_price[m, s], view.terms.capex_revenue_years)


def stake_cost_usd_m(view: TurnView, action: AcquireStake) -> float:
    """What a stake costs: its share of the line's replacement cost (as the engine's stakes.py)."""
    host, m, s = view.names.position(action.host, action.mineral.value, action.stage.value)
    return action.share * line_capex_usd_m(view, m, s, view.capacity[host, m, s] * TURNS_PER_YEAR)


def budget(observation: FirmObservation, params: FirmParams) -> float:
    """What one decision may spend."""
    return params.spend_share * observation.cash_usd_m


def stake(
    observation: FirmObservation, params: FirmParams, host: int, m: int, s: int, reason: str
) -> AcquireStake | None:
    """A stake in a foreign line, as large as the budget and the free share allow."""
    share = stake_share(observation, params, host, m, s)
    return None if share is None else stake_of(observation, host, m, s, share, reason)


def stake_share(observation: FirmObservation, params: FirmParams, host: int, m: int, s: int) -> float | None:
    """The share of a foreign line the firm can buy (budget, free share, `max_stake`), or None.

    None when it is below `min_stake`.
    """
    view = observation.view
    line_cost = line_capex_usd_m(view, m, s, view.capacity[host, m, s] * TURNS_PER_YEAR)
    if line_cost <= 0:
        return None
    share = min(params.max_stake, view.firms.free[host, m, s], budget(observation, params) / line_cost)
    return None if share < params.min_stake else float(share)


def stake_of(
    observation: FirmObservation, host: int, m: int, s: int, share: float, reason: str
) -> AcquireStake:
    """The firm's action buying `share` of a foreign line, with its reason."""
    names = observation.view.names
    return AcquireStake(
        country=observation.country,
        firm=observation.firm,
        host=names.countries[host],
        mineral=Mineral(names.minerals[m]),
        stage=Stage(names.stages[s]),
        share=round(share, 6),
        reason=reason[:300],
    )


def security_move(observation: FirmObservation, params: FirmParams, vetoed) -> AcquireStake | None:
    """A stake upstream of what home imports most, in the largest producer that does not restrict it."""
    view, names, firms = observation.view, observation.view.names, observation.view.firms
    home = names.country[observation.country]
    imported, order = view.once(home_imports).of(home)
    for m in order:
        if imported[m] <= 0:
            break
        s = int(view.chain[m].argmax())  # the first stage of its chain
        mineral = names.minerals[m]
        capacity = view.capacity[:, m, s] * (firms.free[:, m, s] >= params.min_stake)
        capacity = capacity * ~firms.restricted[:, home, m]
        capacity[home] = 0.0
        for code, _ in vetoed:
            if (code, mineral) in vetoed:
                capacity[names.country[code]] = 0.0
        if capacity.max() <= 0:
            continue
        host = int(np.argmax(capacity))
        share = stake_share(observation, params, host, m, s)
        if share is not None:  # the reason written only for the stake taken
            imports = float(firms.import_share[home, m].max())
            reason = (
                f"home supply security: {observation.country} imports {imports:.0%} of its {mineral}; "
                f"{names.countries[host]} is the largest producer open to it"
            )
            return stake_of(observation, host, m, s, share, reason)
    return None


@dataclass
class HomeImports:
    """What each home imports, worked out for a home when a firm of it first asks (once a view)."""

    view: TurnView
    homes: dict[int, tuple[list[float], list[int]]] = field(default_factory=dict)

    def of(self, home: int) -> tuple[list[float], list[int]]:
        """The home's imports per mineral, and its minerals from the most imported (ties in order).

        Imports are USD m a turn of its need at reference prices, by import share.
        """
        known = self.homes.get(home)
        if known is None:
            firms = self.view.firms
            imported = (firms.import_share[home] * firms.need_value[home]).sum(axis=1)  # (M,)
            known = self.homes[home] = imported.tolist(), np.argsort(-imported, kind="stable").tolist()
        return known


def home_imports(view: TurnView) -> HomeImports:
    """The view's `HomeImports` (firms of one home read the same figures)."""
    return HomeImports(view)


def profit_move(observation: FirmObservation, params: FirmParams, vetoed) -> ActionBase | None:
    """Expand the home line it owns with the best margin at long-run prices, if it clears the hurdle.

    A profit-seeking firm does not buy abroad here: a stake's output ships home, and a firm
    after margins has no home use for it.
    """
    view = observation.view
    f = view.firms.index[observation.firm]
    best_line, best_margin = view.once(best_home_margins)
    m, s = np.unravel_index(int(best_line[f]), view.chain.shape)
    if best_margin[f] < params.hurdle_margin:
        return None
    return expansion(observation, params, int(m), int(s), "profit", float(best_margin[f]))


def best_home_margins(view: TurnView) -> tuple[np.ndarray, np.ndarray]:
    """Every firm's home line with the best margin share among those it owns with capacity, once a view.

    (F,) its flat (M, S) position (the first of equal margins) and that margin (-inf if none).
    """
    firms = view.firms
    count = len(firms.ids)
    homes = np.array([view.names.country[country] for country in firms.countries], dtype=np.int64)
    owned = firms.shares[np.arange(count), homes] > 0  # (F, M, S)
    margins = np.where(owned & (view.capacity[homes] > 0), firms.margin_share[homes], -np.inf)
    margins = margins.reshape(count, -1)
    best = np.argmax(margins, axis=1)
    return best, margins[np.arange(count), best]


def champion_move(observation: FirmObservation, params: FirmParams, vetoed) -> ActionBase | None:
    """Build at home the next stage of a chain it works in, where the country imports that stage."""
    view, names, firms = observation.view, observation.view.names, observation.view.firms
    home = names.country[observation.country]
    chain = view.chain
    owned = firms.shares[firms.index[observation.firm], home] > 0
    downstream = np.zeros_like(owned)
    downstream[:, 1:] = owned[:, :-1] & chain[:, 1:]
    gap = np.where(downstream, firms.import_share[home] * firms.need_value[home], 0.0)
    m, s = np.unravel_index(int(np.argmax(gap)), gap.shape)
    if gap[m, s] <= 0:
        return profit_move(observation, params, vetoed)
    reason = (
        f"national champion: {observation.country} imports {firms.import_share[home, m, s]:.0%} of its "
        f"{names.minerals[m]} {names.stages[s]}; the firm builds it at home"
    )
    return expansion(observation, params, int(m), int(s), reason, None)


def expansion(
    observation: FirmObservation, params: FirmParams, m: int, s: int, reason: str, margin: float | None
) -> Invest | None:
    """New capacity on a home line: a share of the line (or of home need), within the budget."""
    view, names = observation.view, observation.view.names
    home = names.country[observation.country]
    capacity = view.capacity[home, m, s] * TURNS_PER_YEAR
    reference = max(view.reference_price[m, s], 1e-9)
    need = tonnes_for_usd_m(view.firms.need_value[home, m, s], reference)
    tonnes = params.expand_share * (capacity if capacity > 0 else need * TURNS_PER_YEAR)
    cost = line_capex_usd_m(view, m, s, tonnes)
    limit = budget(observation, params)
    if cost > limit:
        tonnes *= limit / cost
    if tonnes < 1.0:
        return None
    if margin is not None:
        reason = (
            f"profit: its {names.minerals[m]} {names.stages[s]} line earns {margin:.0%} of its "
            f"price at long-run prices, above the {params.hurdle_margin:.0%} hurdle"
        )
    return Invest(
        country=observation.country,
        firm=observation.firm,
        mineral=Mineral(names.minerals[m]),
        stage=Stage(names.stages[s]),
        tonnes_per_year=round(float(tonnes), 3),
        reason=reason[:300],
    )


def government_veto(view: TurnView, action: ActionBase, params: FirmParams) -> str | None:
    """Why the firm's government vetoes its stake (a host it distrusts), or None."""
    if not isinstance(action, AcquireStake):
        return None
    country = view.names.country
    trust = float(view.trust[country[action.country], country[action.host]])
    if trust < params.veto_trust:
        return (
            f"{action.country} vetoes {action.firm}'s stake in {action.host}: "
            f"trust {trust:.2f} below {params.veto_trust:.2f}"
        )
    return None


def review_order(view: TurnView, mandate: str, cash_usd_m: float, action: ActionBase, params: FirmParams):
    """Why a firm refuses what its government orders (unaffordable, or loss-making), or None."""
    if not isinstance(action, AcquireStake):
        return None
    cost = stake_cost_usd_m(view, action)
    if cost > cash_usd_m + 1e-9:
        return f"its budget of USD {cash_usd_m:,.1f} m does not cover the USD {cost:,.1f} m stake"
    at = view.names.position(action.host, action.mineral.value, action.stage.value)
    output = view.capacity[at] * view.utilisation[at] * TURNS_PER_YEAR
    earned = usd_m(action.share * output, max(float(view.firms.margin[at]), 0.0)) * params.payback_years
    needed = (1 - params.loss_tolerance.get(mandate, 0.0)) * cost
    if earned < needed:
        return (
            f"loss-making: the stake would earn USD {earned:,.1f} m in {params.payback_years:.0f} years "
            f"against a cost of USD {cost:,.1f} m ({mandate.replace('_', ' ')} mandate)"
        )
    return None
