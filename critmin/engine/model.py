"""WorldModel: the world as a mesa.Model. One `step()` is one turn (a quarter).

The turn runs eight phases in a fixed order (see docs/architecture.md):
events, decide, diplomacy, policy, produce, trade, consume, account.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import mesa
import msgspec
import numpy as np

from critmin.agents.actors import Country, Manufacturer, StateFirm
from critmin.agents.controllers import Controller, QueuedController
from critmin.core.actions import (
    ActionBase,
    ActionFormatError,
    AnswerDeal,
    BreakDeal,
    ProposeDeal,
    action_to_dict,
    scripted_action,
    validated,
)
from critmin.core.events import Event
from critmin.core.vocabulary import SECTORS, TURNS_PER_YEAR, quarter_label
from critmin.engine import dynamics, exploration, firm_accounts, rules
from critmin.engine.announcements import breaking_disruptions, news_exposure, pending_controls
from critmin.engine.deals import Deal, DealBook, deal_from_terms
from critmin.engine.legal import legal_actions
from critmin.engine.observe import observe
from critmin.engine.policies import ExportControl, PolicyBook, Tariff, quota_per_turn
from critmin.engine.records import Recorder, TurnFigures
from critmin.engine.snapshot import WorldSnapshot, snapshot
from critmin.engine.state import build, position
from critmin.engine.trade import Orders, feed_need, final_need, run_spot_markets
from critmin.scenarios.loader import Scenario, load_scenario

DIPLOMATIC = (ProposeDeal, AnswerDeal, BreakDeal)
EXPORT_HISTORY_TURNS = 4


def world_shortage_share(model: WorldModel) -> float:
    """Share of the world's final needs left unmet last turn, valued at reference prices."""
    value = model.constants.reference_price[None]
    need = float((model.last.demand * value).sum())
    return float((model.last.shortage * value).sum()) / need if need > 0 else 0.0


MODEL_REPORTERS = {"turn": "turn", "date": "date", "world_shortage_share": world_shortage_share}


class WorldModel(mesa.Model):
    """The critmin world. Public API: observe, legal_actions, check, submit, step, state_hash.

    Args:
        scenario: a loaded Scenario, a packaged scenario name or a path to a TOML file.
        seed: seeds every random draw of the run (the scenario's default seed if None).
        controllers: controllers by ISO3 for countries not played by the default controller.
        record_hashes: keep the state hash of every turn (saves, replays and the classroom need
            them; a batch run that only keeps metrics can leave them out).

    """

    def __init__(
        self,
        scenario: Scenario | str | Path,
        *,
        seed: int | None = None,
        controllers: Mapping[str, Controller] | None = None,
        record_hashes: bool = True,
    ) -> None:
        self.world_scenario = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        spec = self.world_scenario.spec
        self.seed = spec.scenario.seed if seed is None else int(seed)
        super().__init__(rng=np.random.default_rng(np.random.SeedSequence(self.seed)))
        self.settings = spec.market
        self.index, self.constants, self.state = build(self.world_scenario)
        self.turn = 0
        self.policies = PolicyBook()
        self.deals = DealBook()
        self.orders = Orders()
        self.events: list[Event] = []
        self.action_log: list[list[dict]] = []
        self.hashes: list[str] = []
        self.record_hashes = record_hashes
        self.ledger: dict[str, float] = {}
        self.export_history: list[np.ndarray] = []  # (C, M, S, C) exports of recent turns, newest first
        self.recorder = Recorder(self.index, self.constants)
        self.last = TurnFigures.empty(self.state)
        self.price_before = self.state.price.copy()
        self.stock_bought = np.zeros_like(self.state.consumer_stock)
        shape = self.state.capacity.shape
        self.recent_supply = (np.zeros((shape[0], *shape[1:], shape[0])), np.zeros(shape))
        self.route_severity = np.zeros((*shape[1:], shape[0], shape[0]))  # (M, S, C, C), set by trade
        self.refused: set[str] = set()  # contracts whose buyer refuses this turn's tonnes
        self.delivered: dict[str, float] = {}  # tonnes delivered so far, by deal id
        self.firm_actions: dict[int, str] = {}  # id of an action a firm decided -> the firm
        self.lost_output: list[np.ndarray] = []  # per turn, (K, C) USD m of final output lost
        self.lobbying_before = np.zeros(shape[:2])  # (C, M) manufacturers' lobbying last turn
        self.create_agents(controllers or {})
        self.firm_shares = np.zeros((len(self.firms), *shape))
        self.datacollector = mesa.DataCollector(model_reporters=MODEL_REPORTERS)
        self.load_policies_and_deals()
        self.firm_shares = firm_accounts.owned_shares(self)

    # --- set-up ---------------------------------------------------------------------------

    def create_agents(self, controllers: Mapping[str, Controller]) -> None:
        """Countries with their controllers, firms (a firm id may name a controller too), manufacturers."""
        spec = self.world_scenario.spec
        unknown = sorted(set(controllers) - set(self.index.country) - {f.id for f in spec.firms})
        if unknown:
            raise ValueError(
                f"controllers given for countries or firms not in the scenario: {', '.join(unknown)}"
            )
        self.countries = {
            c.iso3: Country(self, c.iso3, c.name, controllers.get(c.iso3) or self.scenario_controller(c))
            for c in spec.countries
        }
        self.firm_index = {f.id: i for i, f in enumerate(spec.firms)}
        self.firms = {
            f.id: StateFirm(self, f.id, f.name, f.country, f.kind, f.goal, controllers.get(f.id))
            for f in spec.firms
        }
        demand = self.state.final_demand.sum(axis=(2, 3))
        for k, c in zip(*np.nonzero(demand), strict=True):
            Manufacturer(self, self.index.countries[c], SECTORS[k].value)

    def scenario_controller(self, country) -> Controller:
        """The controller a scenario names for a country: its AI doctrine, or the default."""
        from critmin.agents.doctrines import make_controller

        return make_controller(country, self.decision_rng(country.iso3), self.world_scenario.spec.doctrines)

    def decision_rng(self, country: str) -> np.random.Generator:
        """A country's own random stream for decisions, apart from the world's draws.

        Replays that script decisions therefore leave the world's random draws unchanged.
        """
        position_of_country = self.index.country[country]
        return np.random.default_rng(np.random.SeedSequence([self.seed, position_of_country, 1]))

    def load_policies_and_deals(self) -> None:
        """Controls, tariffs, contracts and firms' stakes in force at the start."""
        spec = self.world_scenario.spec
        for policy in spec.policies:
            for stage in policy.stages:
                if policy.__struct_config__.tag == "tariff":
                    self.policies.set_tariff(
                        Tariff(
                            policy.country,
                            policy.mineral.value,
                            stage.value,
                            policy.rate,
                            tuple(sorted(policy.origins)),
                        )
                    )
                else:
                    self.policies.impose(self.starting_control(policy, stage.value))
        for deal in spec.deals:
            self.deals.sign(deal_from_terms(deal.id, deal))
        for firm in spec.firms:
            for asset in firm.assets:
                if asset.ships_home and asset.country != firm.country:
                    self.acquire_stake(
                        firm.id,
                        asset.country,
                        asset.mineral.value,
                        asset.stage.value,
                        asset.share,
                        announce=False,
                    )

    def starting_control(self, policy, stage: str) -> ExportControl:
        """A control in force at the start.

        A licence refers to what the line has to export: its output less what the country's
        own processors and manufacturers use.
        """
        at = position(self.index, policy.country, policy.mineral, stage)
        home_use = final_need(self.state)[at] + feed_need(self.state, self.constants)[at]
        reference = max(self.state.capacity[at] * self.state.utilisation[at] - home_use, 0.0)
        return ExportControl(
            country=policy.country,
            mineral=policy.mineral.value,
            stage=stage,
            regime=policy.regime,
            destinations=tuple(sorted(policy.destinations)),
            quota_tonnes_per_turn=quota_per_turn(policy.quota_tonnes_per_year),
            leakage=policy.leakage,
            approval_share=policy.approval_share,
            delay_turns=policy.delay_turns,
            reference_tonnes=float(reference),
        )

    # --- the public API -------------------------------------------------------------------

    @property
    def date(self) -> str:
        """The calendar quarter of the current turn, e.g. '2025Q2'."""
        year, quarter = self.world_scenario.spec.scenario.start.split("Q")
        return quarter_label(int(year), int(quarter), self.turn)

    def observe(self, country: str):
        """What `country` (or a firm, by its id) sees at the start of the current turn."""
        if country in self.firms:
            from critmin.agents.firm_doctrine import FirmView

            return self.firms[country].observe(FirmView.of(self))
        return observe(self, country)

    def legal_actions(self, country: str) -> list[ActionBase]:
        """A menu of legal actions for `country` (or a firm, by its id) now (representative sizes)."""
        if country in self.firms:
            from critmin.engine.firm_legal import firm_menu

            return firm_menu(self, country)
        return legal_actions(self, country)

    def snapshot(self) -> WorldSnapshot:
        """The public, JSON-ready picture of the world now (for front ends and tools)."""
        return snapshot(self)

    def tables(self) -> dict:
        """The run so far as tidy pyarrow tables: flows, prices, countries, events."""
        from critmin.engine.outputs import run_tables

        return run_tables(self)

    def embedded_dependence(self, supplier: str) -> np.ndarray:
        """(C, M, S) share of each country's supply last turn that passed through `supplier`.

        Counts the feed of a country's own processors (engine/dependence.py): magnets made at
        home from Chinese oxide depend on China.
        """
        from critmin.engine.dependence import embedded_dependence

        return embedded_dependence(self.last.flows, self.constants.chain)[:, self.index.country[supplier]]

    def check(self, action: ActionBase | dict) -> str | None:
        """Why `action` is malformed or illegal now, or None."""
        try:
            return rules.check(self, validated(action))
        except ActionFormatError as error:
            return str(error)

    def submit(self, country: str, actions: Sequence[ActionBase | dict]) -> list[str | None]:
        """Queue actions of a human or external controller for the coming turn.

        Returns one verdict per action: None when accepted for the turn, else the reason it
        was refused. Refused actions change nothing.
        """
        seat = self.firms.get(country) or self.countries.get(country)
        if seat is None:
            known = ", ".join([*self.countries, *self.firms])
            raise ValueError(f"submit: unknown country or firm {country!r} (this scenario has {known})")
        controller = seat.controller
        if not isinstance(controller, QueuedController):
            raise ValueError(f"{country} is not played through submissions (its controller decides)")
        verdicts, accepted = [], []
        for item in actions:
            try:
                action = validated(item)
            except ActionFormatError as error:
                verdicts.append(str(error))
                continue
            reason = self.seat_problem(country, action) or self.check(action)
            verdicts.append(reason)
            if reason is None:
                accepted.append(action)
        controller.submit(accepted)
        return verdicts

    def seat_problem(self, seat: str, action: ActionBase) -> str | None:
        """Why a seat may not submit `action` (another country's, or not a firm's move), or None."""
        if seat in self.firms:
            from critmin.engine.firm_legal import firm_problem

            return firm_problem(self, seat, action)
        return "acts for another country" if action.country != seat else None

    def step(self) -> None:
        """Play one turn: the eight phases in order."""
        self.begin_turn()
        actions = [*self.apply_events(), *self.decide()]
        self.conduct_diplomacy(actions)
        self.apply_policies(actions)
        self.produce()
        self.trade()
        self.consume()
        self.account()

    def run(self, turns: int) -> None:
        """Play `turns` turns."""
        for _ in range(turns):
            self.step()

    def state_hash(self) -> str:
        """sha256 of the whole state: arrays, policies, deals, turn."""
        digest = self.state.digest()
        digest.update(msgspec.json.encode((self.turn, self.policies.records(), self.deals.records())))
        return digest.hexdigest()

    # --- the phases -----------------------------------------------------------------------

    def begin_turn(self) -> None:
        """Clear this turn's orders and figures."""
        self.orders = Orders()
        self.last = TurnFigures.empty(self.state)
        self.price_before = self.state.price.copy()
        self.stock_bought = np.zeros_like(self.state.consumer_stock)
        self.turn_actions: list[dict] = []
        self.refused = set()

    def apply_events(self) -> list[ActionBase]:
        """1. Scripted events of this turn and random shocks; returns scripted actions."""
        actions = []
        self.event_actions: list[ActionBase] = actions
        for event in self.world_scenario.spec.events:
            if event.turn != self.turn:
                continue
            if event.kind == "action":
                actions.append(scripted_action(event.country, event.action, event.title))
            else:
                self.shock(event)
        self.random_disruptions()
        dynamics.draw_demand_noise(self.state, self.settings, self.rng)
        pending = pending_controls(self.world_scenario.spec.events, self.turn)
        self.state.news_exposure, self.state.news_market = news_exposure(
            pending, self.index, *self.recent_supply
        )
        return actions

    def decide(self) -> list[ActionBase]:
        """2. Every controller decides on the same observation; then the firms, on one shared view.

        A firm reviews what its government orders it to do and may refuse (with a reason); its
        government may veto the firm's own moves (agents/firm_doctrine.py).
        """
        proposed = [a for country in self.countries.values() for a in country.decide()]
        self.firm_actions = {}
        if not self.firms:
            return proposed
        from critmin.agents.firm_doctrine import FirmView

        self.firm_view = FirmView.of(self)
        kept = [a for a in proposed if self.firm_accepts(a)]
        self.firm_proposals: list[ActionBase] = []
        for firm in self.firms.values():
            firm.step()
        return kept + self.firm_proposals

    def firm_accepts(self, action: ActionBase) -> bool:
        """False (with a refusal event) when the firm a government order names refuses it."""
        from critmin.agents.firm_doctrine import review_order

        firm = self.firms.get(getattr(action, "firm", "") or "")
        if firm is None or not hasattr(firm.controller, "params"):
            return True
        cash = float(self.state.firm_cash[self.firm_index[firm.firm_id]])
        reason = review_order(self.firm_view, firm.mandate, cash, action, firm.controller.params)
        if reason is not None:
            self.emit("firm_refused", firm.firm_id, f"{firm.name} refuses {action.country}'s order: {reason}")
        return reason is None

    def propose_for_firm(self, firm: StateFirm, action: ActionBase) -> None:
        """A firm's own move, unless its government vetoes it (an event says why)."""
        from critmin.agents.firm_doctrine import FirmParams, government_veto

        params = getattr(firm.controller, "params", FirmParams())
        veto = government_veto(self.firm_view, action, params)
        if veto is not None:
            self.emit("firm_vetoed", firm.country, veto, target=firm.firm_id, mineral=action.mineral.value)
            if hasattr(firm.controller, "vetoed_by_government"):
                firm.controller.vetoed_by_government(action)
            return
        self.firm_actions[id(action)] = firm.firm_id
        self.firm_proposals.append(action)

    def conduct_diplomacy(self, actions: list[ActionBase]) -> None:
        """3. Proposals delivered, answers applied, deals broken or expired."""
        self.carry_out([a for a in actions if isinstance(a, DIPLOMATIC)])
        for deal in self.deals.expired(self.turn):
            self.deals.end(deal.id)
            self.emit(
                "deal_expired",
                deal.seller,
                f"deal {deal.id} ({deal.mineral}) expires",
                target=deal.buyer,
                mineral=deal.mineral,
            )
        for proposal in self.deals.stale_proposals(self.turn):
            self.deals.reject(proposal.id)

    def apply_policies(self, actions: list[ActionBase]) -> None:
        """4. Controls, tariffs, subsidies, programs, investments and stockpile orders take effect."""
        for ended in self.policies.end_subsidies(self.turn):
            detail = f"{ended.country}'s {ended.mineral} {ended.stage} production subsidy ends"
            self.emit("subsidy_ended", ended.country, detail, mineral=ended.mineral)
        self.carry_out([a for a in actions if not isinstance(a, DIPLOMATIC)])

    def produce(self) -> None:
        """5. Producers respond to margins; mines produce; processors process their feed.

        Utilisation, closures and investment orders follow margins; refiners and magnet makers
        process the feed they bought last turn, within capacity; scrap is recycled.
        """
        state = self.state
        self.respond_to_margins()
        self.grow_capacity()
        output = self.run_lines()
        self.last.production = output
        state.producer_stock += output
        recycled, recycling_cost = self.recycled_supply()
        self.last.recycled = recycled
        state.producer_stock += recycled
        cost = (output * state.unit_cost).sum(axis=(1, 2)) / 1000 + recycling_cost
        state.industry -= cost
        self.book("production_cost", float(cost.sum()))

    def grow_capacity(self) -> None:
        """Expansions under way grow capacity; what was built arrives; the pipeline moves on."""
        state = self.state
        state.capacity *= 1 + state.capacity_growth
        state.capacity += state.construction[0]
        state.construction[:-1] = state.construction[1:]
        state.construction[-1] = 0.0

    def run_lines(self) -> np.ndarray:
        """(C, M, S) output: mines at running capacity, processors within their feed."""
        state, constants = self.state, self.constants
        running = state.capacity * state.utilisation * (1 - state.disruption)
        output = running.copy()
        for s in range(1, output.shape[2]):
            feed = state.feed_stock[:, :, s - 1] * constants.yield_share[None, :, s]
            output[:, :, s] = np.minimum(running[:, :, s], feed)
            used = np.divide(output[:, :, s], constants.yield_share[None, :, s])
            state.feed_stock[:, :, s - 1] -= used
            self.last.feed_used[:, :, s - 1] = used
        return output * constants.chain[None]

    def respond_to_margins(self) -> None:
        """Utilisation follows margins; losing capacity closes; investors order new capacity."""
        state, constants, settings = self.state, self.constants, self.settings
        dynamics.adjust_utilisation(state, constants, settings)
        dynamics.close_capacity(state, constants, settings)
        orders = dynamics.investment_orders(state, constants, settings)
        if not orders.any():
            return
        capex = (
            (orders * constants.reference_price[None]).sum(axis=(1, 2)) * settings.capex_revenue_years / 1000
        )
        state.industry -= capex
        self.book("investment", float(capex.sum()))
        self.queue_construction(orders / TURNS_PER_YEAR)

    def trade(self) -> None:
        """6. Contract deliveries first (a control can force a breach), then spot clearing."""
        self.last.demand = final_need(self.state)
        self.react_to_news()
        self.arrive_in_transit()
        contract_flows = self.deliver_contracts()
        stock_before = self.state.producer_stock.copy()
        spot = run_spot_markets(
            self.state, self.constants, self.settings, self.policies, self.index, self.orders, contract_flows
        )
        self.book("transport", spot.transport_usd_m)
        self.book("supplier_risk", spot.supplier_risk_usd_m)
        self.book("re_export", spot.re_export_usd_m)
        self.stock_bought = spot.stock_bought
        self.route_severity = spot.severity
        flows = spot.flows + contract_flows
        self.last.flows = flows
        self.last.sold_spot = stock_before - self.state.producer_stock
        exports = flows * (1 - np.eye(flows.shape[-1]))
        older = self.export_history[: EXPORT_HISTORY_TURNS - 1]
        self.export_history = [exports.transpose(2, 0, 1, 3), *older]
        domestic = np.diagonal(flows, axis1=2, axis2=3).transpose(2, 0, 1)
        recent = sum(self.export_history[1:], self.export_history[0]) / len(self.export_history)
        self.state.control_exposure = dynamics.control_exposure(recent, domestic, spot.severity)
        self.recent_supply = (recent, domestic)

    def react_to_news(self) -> None:
        """Buyers stock up at once on controls announced or imposed this turn (announcements.py)."""
        imposed = [a for a in self.turn_actions if a.get("type") == "impose_export_control"]
        imposed += breaking_disruptions(self.world_scenario.spec.events, self.turn)
        state = self.state
        exposure, market = news_exposure(imposed, self.index, *self.recent_supply)
        state.news_exposure = np.maximum(state.news_exposure, exposure)
        state.news_market = np.maximum(state.news_market, market)
        if state.news_market.any():
            dynamics.react_to_news(state, self.constants, self.settings)

    def consume(self) -> None:
        """7. Manufacturers use what they hold; what is missing is a shortage.

        What they bought this turn for stock is kept, not used; need priced out counts as
        missing.
        """
        state = self.state
        need = final_need(state)
        used = np.minimum(state.consumer_stock - self.stock_bought, need).clip(min=0.0)
        state.consumer_stock -= used
        self.last.consumption = used
        self.last.demand = need
        self.last.shortage = need - used
        dynamics.thrift(state, self.constants, self.settings)
        self.manufacturers_decide(need, need - used)
        state.final_demand *= 1 + state.demand_growth
        state.demand_growth *= 1 - state.demand_growth_decay
        self.tick_shocks()
        self.report_shortages()

    def manufacturers_decide(self, need: np.ndarray, shortage: np.ndarray) -> None:
        """Manufacturers of every country and sector decide at once (agents/manufacturer_doctrine.py)."""
        from critmin.agents import manufacturer_doctrine as makers

        shortage_share = np.divide(shortage, need, out=np.zeros_like(need), where=need > 0)
        self.manufacturer_turn = makers.read_turn(self, need, shortage)
        self.lost_output.append(self.manufacturer_turn.lost_output_usd_m)
        makers.doubt_suppliers(self.state, self.settings, self.route_severity)
        before = self.state.adoption.copy()
        dynamics.substitute(
            self.state, self.constants, self.turn, makers.pressed_to_substitute(self, shortage_share)
        )
        makers.report(self, before, shortage_share, self.manufacturer_turn)

    def account(self) -> None:
        """8. Budgets, trust, records and the state hash of the turn."""
        state, settings = self.state, self.settings
        state.treasury += self.constants.budget_per_turn
        self.firm_earnings = firm_accounts.earn(self)  # (F,) USD m kept by each firm this turn
        dynamics.update_expectations(state, settings, self.price_before)
        need, short = self.last.demand, self.last.shortage
        shortage_share = np.divide(short, need, out=np.zeros_like(short), where=need > 0)
        dynamics.update_inventory_targets(state, self.constants, settings, shortage_share)
        self.book("budget_allocation", -float(self.constants.budget_per_turn.sum()))
        self.recorder.record_turn(self.turn, self.last, self.state)
        self.action_log.append(self.turn_actions)
        self.turn += 1
        if self.record_hashes:
            self.hashes.append(self.state_hash())
        self.collect_data()
        self.running = self.turn < self.world_scenario.spec.scenario.turns

    def collect_data(self) -> None:
        """Collect this turn's model reporters (`datacollector`, as `mesa.batch_run` reads it)."""
        self.datacollector.collect(self)

    # --- helpers the phases and rules use -------------------------------------------------

    def carry_out(self, actions: list[ActionBase]) -> None:
        """Check each action against the current state, apply it or reject it with a reason."""
        for proposed in actions:
            firm = self.firm_actions.get(id(proposed))
            try:
                action = validated(proposed)
            except ActionFormatError as error:
                actor = firm or str(getattr(proposed, "country", ""))
                self.emit("action_rejected", actor, f"rejected: {error}")
                continue
            reason = rules.check(self, action)
            if reason is None:
                rules.apply(self, action)
                scripted = any(proposed is a for a in self.event_actions)
                mark = {"_scripted": True} if scripted else {"_firm": firm} if firm else {}
                self.turn_actions.append(action_to_dict(action) | mark)
            else:
                self.emit(
                    "action_rejected", firm or action.country, f"rejected {type(action).__name__}: {reason}"
                )

    def position(self, country: str, mineral: str, stage: str) -> tuple[int, int, int]:
        """Array position of a (country, mineral, stage) line."""
        return position(self.index, country, mineral, stage)

    def emit(self, kind: str, actor: str, detail: str, *, target: str = "", mineral: str = "") -> None:
        """Record an event of this turn."""
        self.events.append(
            Event(turn=self.turn, kind=kind, actor=actor, detail=detail, target=target, mineral=mineral)
        )

    def book(self, account: str, usd_m: float) -> None:
        """Money leaving the modelled accounts (positive) or entering them (negative)."""
        self.ledger[account] = self.ledger.get(account, 0.0) + usd_m

    def spend(self, country: str, usd_m: float, account: str) -> None:
        """The treasury pays into a declared sink."""
        self.state.treasury[self.index.country[country]] -= usd_m
        self.book(account, usd_m)

    def transfer(self, payer: str, payee: str, usd_m: float) -> None:
        """Treasury to treasury."""
        self.state.treasury[self.index.country[payer]] -= usd_m
        self.state.treasury[self.index.country[payee]] += usd_m

    def build(
        self,
        country: str,
        mineral: str,
        stage: str,
        tonnes_per_year: float,
        lead_turns: int | None = None,
        unit_cost: float | None = None,
    ) -> None:
        """Queue new capacity: it arrives over the stage's lead time, +/- its spread.

        With `lead_turns` it arrives after exactly that many turns (0: at once).
        """
        at = self.position(country, mineral, stage)
        self.open_line(at, unit_cost)
        if lead_turns == 0:
            self.state.capacity[at] += tonnes_per_year / TURNS_PER_YEAR
            return
        order = np.zeros_like(self.state.capacity)
        order[at] = tonnes_per_year / TURNS_PER_YEAR
        self.queue_construction(order, lead_turns)

    def queue_construction(self, tonnes_per_turn: np.ndarray, lead_turns: int | None = None) -> None:
        """Add (C, M, S) capacity to the pipeline, spread over each stage's lead time."""
        settings, pipeline = self.settings, self.state.construction
        for s, stage in enumerate(self.index.stages):
            c, m = np.nonzero(tonnes_per_turn[:, :, s])
            if not len(c):
                continue
            if lead_turns is None:
                lead = settings.lead_time_turns.get(stage, 8)
                weights = dynamics.arrival_weights(lead, settings.lead_time_spread_turns.get(stage, 0))
            else:
                weights = dynamics.arrival_weights(lead_turns, 0)
            pipeline[: len(weights), c, m, s] += weights[:, None] * tonnes_per_turn[c, m, s][None, :]

    def open_line(self, at: tuple[int, int, int], unit_cost: float | None = None) -> None:
        """A line new to a country gets a unit cost (given, or the typical one) and a utilisation."""
        state = self.state
        if unit_cost is not None:
            state.unit_cost[at] = unit_cost
        elif state.unit_cost[at] == 0:
            state.unit_cost[at] = self.typical_cost(at[1], at[2])
        if state.normal_utilisation[at] == 0:
            state.normal_utilisation[at] = self.settings.new_capacity_utilisation
            state.utilisation[at] = self.settings.new_capacity_utilisation

    def typical_cost(self, m: int, s: int) -> float:
        """Median unit cost of the producers of a mineral at a stage (new entrants' cost)."""
        costs = self.state.unit_cost[:, m, s][self.state.capacity[:, m, s] > 0]
        if costs.size:
            return float(np.median(costs))
        return self.settings.entrant_cost_share * self.constants.reference_price[m, s]

    def fund(self, country: str, program: str, mineral: str, usd_m: float) -> None:
        """Exploration raises discovery odds; recycling adds secondary supply; processing builds."""
        c, m = self.index.country[country], self.index.mineral[mineral]
        if program == "exploration":
            self.state.exploration[c, m] += usd_m
        elif program == "recycling":
            tonnes_per_year = usd_m / self.settings.recycling_usd_m_per_tonne_per_year
            self.state.recycling[c, m] += tonnes_per_year / TURNS_PER_YEAR
        else:
            stage = self.index.stages[
                int(np.flatnonzero(self.constants.chain[m])[min(1, self.constants.chain[m].sum() - 1)])
            ]
            price = self.constants.reference_price[m, self.index.stage[stage]]
            self.build(country, mineral, stage, usd_m * 1000 / (price * self.settings.capex_revenue_years))
        self.emit(
            "program_funded",
            country,
            f"{country} funds {program} for {mineral}: USD {usd_m:,.0f} m",
            mineral=mineral,
        )

    def stakes_in(self, host: str, mineral: str, stage: str) -> float:
        """Share of a capacity line already held through equity deals."""
        return sum(
            d.share
            for d in self.deals.deals.values()
            if d.kind == "equity" and (d.seller, d.mineral, d.stage) == (host, mineral, stage)
        )

    def acquire_stake(
        self,
        firm_id: str,
        host: str,
        mineral: str,
        stage: str,
        share: float,
        announce: bool = True,
        reason: str = "",
    ) -> None:
        """A firm's stake abroad: its share of output ships home each turn and earns it a margin."""
        firm = self.firms[firm_id]
        deal_id = self.deals.new_id("E")
        self.deals.sign(rules.equity_deal(deal_id, firm.country, host, mineral, stage, share, firm=firm_id))
        at = self.position(host, mineral, stage)
        self.firm_shares[(self.firm_index[firm_id], *at)] += share
        if announce:
            self.emit(
                "stake_acquired",
                firm_id,
                rules.with_reason(
                    f"{firm.name} ({firm.country}) buys {share:.2%} of {host}'s {mineral} {stage} capacity",
                    reason,
                ),
                target=host,
                mineral=mineral,
            )

    def recent_exports(self, country: str, mineral: str, stage: str, destinations) -> float:
        """Average tonnes per turn exported recently to `destinations` (all if empty)."""
        c, m, s = self.position(country, mineral, stage)
        if self.turn == 0:
            return float(self.state.capacity[c, m, s] * self.state.utilisation[c, m, s])
        to = [self.index.country[d] for d in destinations] if destinations else slice(None)
        return float(np.mean([turn[c, m, s, to].sum() for turn in self.export_history]))

    def lose_trust(self, offender: str, victims: Sequence[str], amount: float) -> None:
        """Victims (all other countries if none named) trust the offender less."""
        o = self.index.country[offender]
        rows = [self.index.country[v] for v in victims] or [
            i for i in range(len(self.index.countries)) if i != o
        ]
        self.state.trust[rows, o] = np.clip(self.state.trust[rows, o] - amount, 0.0, 1.0)

    def breach(self, deal: Deal, breaker: str, reason: str) -> None:
        """A deal broken: the breaker pays the penalty to the other party and loses its trust."""
        other = deal.buyer if breaker == deal.seller else deal.seller
        if deal.breach_penalty_usd_m > 0:
            self.transfer(breaker, other, deal.breach_penalty_usd_m)
        self.lose_trust(breaker, [other], self.settings.trust_loss_on_breach)
        self.emit(
            "deal_breached",
            breaker,
            f"{breaker} breaches deal {deal.id} with {other} ({reason}); "
            f"penalty USD {deal.breach_penalty_usd_m:,.1f} m",
            target=deal.id,
            mineral=deal.mineral,
        )

    def shock(self, event) -> None:
        """A scripted disruption, discovery or demand shock."""
        c = self.index.country[event.country]
        if event.kind == "demand_shock":
            m = self.index.mineral[event.mineral.value]
            self.state.demand_shock[c, m] = 1 + event.share
            self.state.demand_shock_turns[c, m] = event.duration_turns
        elif event.kind == "disruption":
            at = self.position(event.country, event.mineral.value, event.stage.value)
            self.state.disruption[at] = min(1.0, event.share)
            self.state.disruption_turns[at] = event.duration_turns
        elif event.kind == "project":
            stage = getattr(event.stage, "value", "mine")
            self.build(
                event.country,
                event.mineral.value,
                stage,
                event.tonnes_per_year,
                lead_turns=0,
                unit_cost=event.unit_cost_usd_per_kg,
            )
        else:
            self.build(event.country, event.mineral.value, (event.stage or "mine"), event.tonnes_per_year)
            exploration.scripted_find(self, event.country, event.mineral.value, event.tonnes_per_year)
        self.emit(event.kind, event.country, event.title, mineral=getattr(event.mineral, "value", ""))

    def random_disruptions(self) -> None:
        """Strikes, floods and accidents: each producing line may lose part of its capacity."""
        state, settings = self.state, self.settings
        draws = self.rng.random(state.capacity.shape)
        severity = self.rng.uniform(*settings.disruption_severity, size=state.capacity.shape)
        hit = (
            (draws < settings.disruption_probability_per_turn)
            & (state.capacity > 0)
            & (state.disruption_turns == 0)
        )
        state.disruption[hit] = severity[hit]
        state.disruption_turns[hit] = 1
        for c, m, s in zip(*np.nonzero(hit), strict=True):
            self.emit(
                "disruption",
                self.index.countries[c],
                f"disruption cuts {self.index.countries[c]}'s "
                f"{self.index.minerals[m]} {self.index.stages[s]} output by {severity[c, m, s]:.0%}",
                mineral=self.index.minerals[m],
            )
        self.discoveries()

    def discoveries(self) -> None:
        """Exploration money turns into finds where reserves are known (`exploration`)."""
        exploration.discover(self)

    def tick_shocks(self) -> None:
        """Disruptions and demand shocks wear off."""
        state = self.state
        state.disruption_turns = np.maximum(state.disruption_turns - 1, 0)
        state.disruption[state.disruption_turns == 0] = 0.0
        state.demand_shock_turns = np.maximum(state.demand_shock_turns - 1, 0)
        state.demand_shock[state.demand_shock_turns == 0] = 1.0

    def recycled_supply(self) -> tuple[np.ndarray, np.ndarray]:
        """Secondary supply at the refined stage, and its cost per country (USD m).

        Scrap (a share of final use) is collected by private recyclers, more at higher prices,
        and by funded recycling capacity; what is collected cannot exceed the scrap.
        """
        state, settings = self.state, self.settings
        recycled = np.zeros_like(state.capacity)
        refined = self.index.stage["refined"]
        scrap = final_need(state).sum(axis=2) * settings.recycling_scrap_share
        private = scrap * dynamics.collection_share(state, self.constants, settings, refined)
        collected = np.minimum(private + state.recycling, scrap) * self.constants.chain[None, :, refined]
        recycled[:, :, refined] = collected
        private_cost = np.minimum(private, collected) * state.expected_price[:, :, refined]
        return recycled, private_cost.sum(axis=1) * settings.recycling_cost_share / 1000

    def arrive_in_transit(self) -> None:
        """Licensed exports whose delay is over reach their buyers."""
        state = self.state
        arriving = state.in_transit[0]
        has_final = final_need(state) > 0
        state.consumer_stock += np.where(has_final, arriving, 0.0)
        state.feed_stock += np.where(has_final, 0.0, arriving)
        self.last.arrived = arriving.copy()
        state.in_transit = np.roll(state.in_transit, -1, axis=0)
        state.in_transit[-1] = 0.0

    def deliver_contracts(self) -> np.ndarray:
        """Deliver every deal in force before the spot market; a ban forces a breach."""
        from critmin.engine.contracts import deliver

        return deliver(self)

    def report_shortages(self) -> None:
        """An event for each country short of more than a tenth of a final need."""
        need, short = self.last.demand, self.last.shortage
        ratio = np.divide(short, need, out=np.zeros_like(short), where=need > 0)
        for c, m, s in zip(*np.nonzero(ratio > 0.1), strict=True):
            self.emit(
                "shortage",
                self.index.countries[c],
                f"{self.index.countries[c]} is short of "
                f"{ratio[c, m, s]:.0%} of its {self.index.minerals[m]} ({self.index.stages[s]}) needs",
                mineral=self.index.minerals[m],
            )

    def sector_demand(self, country: str, sector: str) -> dict[tuple[str, str], float]:
        """Tonnes per turn one sector of one country wants, by (mineral, stage)."""
        k = [s.value for s in SECTORS].index(sector)
        demand = self.state.final_demand[k, self.index.country[country]]
        return {
            (self.index.minerals[m], self.index.stages[s]): float(demand[m, s])
            for m, s in zip(*np.nonzero(demand), strict=True)
        }

    def __repr__(self) -> str:
        return f"WorldModel({self.world_scenario.id!r}, seed={self.seed}, turn={self.turn})"
