"""WorldModel: the world as a mesa.Model. One `step()` is one turn (a quarter).

The turn runs eight phases in a fixed order (see docs/architecture.md):
events, decide, diplomacy, policy, produce, trade, consume, account.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path

import mesa
import msgspec
import numpy as np

from critmin.agents.actors import StateFirm, add_manufacturers, populate
from critmin.agents.controllers import Controller, QueuedController
from critmin.agents.doctrines import make_controller
from critmin.agents.pressures import Pressures
from critmin.agents.reading import WorldReading
from critmin.core.actions import ActionBase, ActionFormatError, validated
from critmin.core.observation import Observation
from critmin.core.outline import WorldOutline
from critmin.core.turn_view import TurnView
from critmin.engine import (
    announcements,
    auctions,
    cells,
    consumption,
    contracts,
    controls,
    diplomacy,
    dynamics,
    expectation_passes,
    exploration,
    exports,
    firm_accounts,
    production,
    rules,
    shocks,
    start,
    subsidies,
    treasury,
    views,
)
from critmin.engine.dependence import embedded_dependence
from critmin.engine.firm_legal import firm_menu, firm_problem
from critmin.engine.legal import legal_actions
from critmin.engine.observe import ObservationBook, observe
from critmin.engine.outputs import run_tables
from critmin.engine.records import Recorder
from critmin.engine.snapshot import WorldSnapshot, snapshot
from critmin.engine.trade import final_need, run_spot_markets
from critmin.engine.world import WorldHolder
from critmin.scenarios.loader import Scenario, load_scenario
from critmin.scenarios.outline import scenario_outline

MODEL_REPORTERS = {
    "turn": "turn",
    "date": "date",
    "world_shortage_share": lambda model: consumption.world_shortage_share(model.world),
}


class WorldModel(WorldHolder, mesa.Model):
    """The critmin world. Public API: observe, legal_actions, check, submit, step, state_hash.

    Args:
        scenario: a loaded Scenario, a packaged scenario name or a path to a TOML file.
        seed: seeds every random draw of the run (the scenario's default seed if None).
        controllers: controllers by ISO3 for countries not played by the default controller.
        record_hashes: keep the state hash of every turn (saves, replays and the classroom need
            them; a batch run that only keeps metrics can leave them out).

    """

    first_world = staticmethod(start.build)  # (scenario, rng) -> its first World (RL resets copy one)

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
        self.world = self.first_world(self.world_scenario, self.rng)
        self.action_log: list[list[dict]] = []
        self.hashes: list[str] = []
        self.record_hashes = record_hashes
        self.firm_actions: dict[int, str] = {}  # id of an action a firm decided -> the firm
        self.recorder = Recorder(self.index, self.constants)
        self.views = views.TurnViews(self.world, self.recorder)  # what controllers read this turn
        self.pressures = Pressures()  # the AI countries' manufacturers' pressure, a row each
        self.countries, self.firms = populate(self, spec, controllers or {}, self.scenario_controller)
        add_manufacturers(self, self.state.final_demand.sum(axis=(2, 3)), self.index.countries)
        self.datacollector = mesa.DataCollector(model_reporters=MODEL_REPORTERS)

    # --- set-up ---------------------------------------------------------------------------

    def scenario_controller(self, country) -> Controller:
        """The controller a scenario names for a country: its AI doctrine, or the default."""
        rng, doctrines = self.decision_rng(country.iso3), self.world_scenario.spec.doctrines
        return make_controller(country, rng, doctrines, self.shared_reading, self.pressures)

    def decision_rng(self, country: str) -> np.random.Generator:
        """A country's own random stream for decisions, apart from the world's draws.

        Replays that script decisions therefore leave the world's random draws unchanged.
        """
        position_of_country = self.index.country[country]
        return np.random.default_rng(np.random.SeedSequence([self.seed, position_of_country, 1]))

    # --- the public API -------------------------------------------------------------------

    def outline(self) -> WorldOutline:
        """The scenario as front ends read it: countries, minerals, starting lines, script, firms."""
        return scenario_outline(self.world_scenario)

    def observe(self, country: str):
        """What `country` (or a firm, by its id) sees at the start of the current turn."""
        if country in self.firms:
            return self.firms[country].observe(self.turn_view())
        return observe(self.observation_book(), country)

    def turn_view(self) -> TurnView:
        """The world as controllers see it now (core/turn_view.py), built again once it changed."""
        return self.views.turn_view()

    def observation_book(self) -> ObservationBook:
        """What every country's observation is picked from now (engine/observe.py)."""
        return self.views.observation_book()

    def reading(self) -> WorldReading:
        """The AI's reading of what every country sees now (agents/reading.py), a row per country."""
        return self.observation_book().reading

    def shared_reading(self, observation: Observation) -> WorldReading | None:
        """The turn's reading of what every country sees alike, if `observation` was made from it."""
        return self.views.shared_reading(observation)

    def legal_actions(self, country: str) -> list[ActionBase]:
        """A menu of legal actions for `country` (or a firm, by its id) now (representative sizes)."""
        if country in self.firms:
            return firm_menu(self.world, country)
        return legal_actions(self.world, self.turn_view().last, country)

    def snapshot(self) -> WorldSnapshot:
        """The public, JSON-ready picture of the world now (for front ends and tools)."""
        state_hash = self.hashes[-1] if self.hashes else self.state_hash() if self.record_hashes else ""
        return snapshot(self.world, self.recorder, state_hash)

    def tables(self) -> dict:
        """The run so far as tidy pyarrow tables: flows, prices, countries, events, sectors."""
        return run_tables(self.world, self.recorder)

    def embedded_dependence(self, supplier: str) -> np.ndarray:
        """(C, M, S) share of each country's supply last turn that passed through `supplier`.

        Counts the feed of a country's own processors (engine/dependence.py): magnets made at
        home from Chinese oxide depend on China.
        """
        return embedded_dependence(self.last.flows, self.constants.chain)[:, self.index.country[supplier]]

    def check(self, action: ActionBase | dict) -> str | None:
        """Why `action` is malformed or illegal now, or None."""
        try:
            return rules.check(self.world, validated(action))
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
        verdicts, accepted = rules.verdicts(self.world, actions, partial(self.seat_problem, country))
        controller.submit(accepted)
        return verdicts

    def seat_problem(self, seat: str, action: ActionBase) -> str | None:
        """Why a seat may not submit `action` (another country's, or not a firm's move), or None."""
        if seat in self.firms:
            return firm_problem(self.world, seat, action)
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
        books = (self.turn, self.policies.records(), self.deals.records(), self.world.books())
        digest.update(msgspec.json.encode(books))
        return digest.hexdigest()

    # --- the phases -----------------------------------------------------------------------

    def begin_turn(self) -> None:
        """Clear this turn's orders, figures and actions."""
        self.world.begin_turn()
        self.turn_actions: list[dict] = []

    def apply_events(self) -> list[ActionBase]:
        """1. Scripted events of this turn and random shocks; returns scripted actions."""
        world = self.world
        self.event_actions = shocks.scripted_events(world)
        shocks.random_disruptions(world)
        exploration.discover(world)
        dynamics.draw_demand_noise(world.state, world.settings, world.rng)
        announcements.hear_announcements(world)
        return self.event_actions

    def decide(self) -> list[ActionBase]:
        """2. Every controller decides on the same observation; then the firms, on one shared view.

        A firm reviews what its government orders it to do and may refuse (with a reason); its
        government may veto the firm's own moves (agents/firm_doctrine.py).
        """
        proposed = [a for country in self.countries.values() for a in country.decide()]
        self.firm_actions = {}
        if not self.firms:
            return proposed
        view = self.turn_view()
        kept = [a for a in proposed if self.firm_accepts(view, a)]
        self.firm_proposals: list[ActionBase] = []
        for firm in self.firms.values():
            firm.step(view)
        return kept + self.firm_proposals

    def firm_accepts(self, view: TurnView, action: ActionBase) -> bool:
        """False (with a refusal event) when the firm a government order names refuses it."""
        firm = self.firms.get(getattr(action, "firm", "") or "")
        reason = firm.refuses(view, action) if firm is not None else None
        if reason is not None:
            self.emit("firm_refused", firm.firm_id, f"{firm.name} refuses {action.country}'s order: {reason}")
        return reason is None

    def propose_for_firm(self, firm: StateFirm, action: ActionBase, view: TurnView) -> None:
        """A firm's own move, unless its government vetoes it (an event says why)."""
        veto = firm.vetoed(view, action)
        if veto is not None:
            self.emit("firm_vetoed", firm.country, veto, target=firm.firm_id, mineral=action.mineral.value)
            return
        self.firm_actions[id(action)] = firm.firm_id
        self.firm_proposals.append(action)

    def conduct_diplomacy(self, actions: list[ActionBase]) -> None:
        """3. Proposals delivered, answers applied, deals broken or expired."""
        self.carry_out([a for a in actions if isinstance(a, rules.DIPLOMATIC)])
        diplomacy.expire(self.world)

    def apply_policies(self, actions: list[ActionBase]) -> None:
        """4. Controls, tariffs, subsidies, programs, investments, auctions, stockpile orders take effect."""
        subsidies.end_subsidies(self.world)
        self.carry_out([a for a in actions if not isinstance(a, rules.DIPLOMATIC)])
        auctions.close(self.world)
        cells.run(self.world)

    def produce(self) -> None:
        """5. Producers respond to margins; mines produce; processors process their feed (production.py)."""
        production.produce(self.world)
        auctions.collect_premiums(self.world)

    def trade(self) -> None:
        """6. Licensed shipments arrive; contracts deliver (a control may force a breach); spot clears."""
        world = self.world
        world.last.demand = final_need(world.state)
        imposed = [a for a in self.turn_actions if a.get("type") == "impose_export_control"]
        announcements.react_to_news(world, imposed)
        controls.arrive_in_transit(world)
        contract_flows, contract_routes = contracts.deliver(world)
        stock_before = world.state.producer_stock.copy()
        books = (world.state, world.constants, world.settings, world.policies, world.index, world.orders)
        spot = run_spot_markets(*books, contract_flows)
        treasury.book(world, "transport", spot.transport_usd_m)
        treasury.book(world, "supplier_risk", spot.supplier_risk_usd_m)
        treasury.book(world, "re_export", spot.re_export_usd_m)
        world.stock_bought = spot.stock_bought
        world.route_severity = spot.severity
        # contract deliveries, with the spot tonnes added in place: nothing off their routes
        world.last.set_flows(spot.flows, np.union1d(contract_routes, spot.routes))
        world.last.sold_spot = stock_before - world.state.producer_stock
        exports.remember(world, world.last.flows, spot.severity, world.last.flow_entries())

    def consume(self) -> None:
        """7. Manufacturers use what they hold; what is missing is a shortage; they decide; demand grows."""
        world = self.world
        need, shortage = consumption.use_stock(world)
        dynamics.thrift(world.state, world.constants, world.settings)
        self.manufacturer_turn = consumption.manufacturers_decide(world, need, shortage)
        consumption.grow_demand(world)
        shocks.wear_off(world)
        consumption.report_shortages(world)

    def account(self) -> None:
        """8. Budgets, firms' earnings, expectations, records and the state hash of the turn."""
        world, state = self.world, self.world.state
        treasury.allocate_budgets(world)
        self.firm_earnings = firm_accounts.earn(world)  # (F,) USD m kept by each firm this turn
        expectation_passes.update_world(world)  # dynamics.update_expectations, update_inventory_targets
        self.recorder.record_turn(world.turn, world.last, state)
        self.action_log.append(self.turn_actions)
        world.turn += 1
        world.version += 1
        if self.record_hashes:
            self.hashes.append(self.state_hash())
        self.collect_data()
        self.running = world.turn < self.world_scenario.spec.scenario.turns

    def collect_data(self) -> None:
        """Collect this turn's model reporters (`datacollector`, as `mesa.batch_run` reads it)."""
        self.datacollector.collect(self)

    # --- helpers the phases and rules use -------------------------------------------------

    def carry_out(self, actions: list[ActionBase]) -> None:
        """Check each action against the current state, apply it or reject it with a reason."""
        self.turn_actions += rules.carry_out(self.world, actions, self.firm_actions, self.event_actions)

    def __repr__(self) -> str:
        return f"WorldModel({self.world_scenario.id!r}, seed={self.seed}, turn={self.turn})"
