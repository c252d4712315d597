"""A government's reading of its Observation before it decides: lines, controls, deals, risks.

Built once per decision from the observation alone (no engine internals), so that anything a
doctrine concludes a person or a bot could conclude from the same observation.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from critmin.agents.doctrine_params import DoctrineParams
from critmin.agents.manufacturers import Line, SupplyRisk, supply_risk
from critmin.engine.observation import MineralView, Observation, WorldLine
from critmin.engine.vocabulary import TURNS_PER_YEAR

CAPEX_REVENUE_YEARS = 1.5
"""The engine's default capital cost of capacity in years of revenue at reference prices
(`[market] capex_revenue_years`): the AI's estimate of what investment costs."""


NO_ONE: frozenset[str] = frozenset()


def covers(control: dict, country: str) -> bool:
    """True if an export control applies to exports to `country`."""
    return not control["destinations"] or country in control["destinations"]


@dataclass
class Situation:
    """What a government makes of its observation this turn."""

    obs: Observation
    params: DoctrineParams
    views: dict[Line, MineralView] = field(default_factory=dict)
    lines: dict[Line, WorldLine] = field(default_factory=dict)
    controls: dict[tuple[str, str, str], dict] = field(default_factory=dict)
    risks: dict[Line, SupplyRisk] = field(default_factory=dict)
    bought: dict[Line, float] = field(default_factory=lambda: defaultdict(float))
    sold: dict[Line, float] = field(default_factory=lambda: defaultdict(float))
    sold_to: dict[tuple[Line, str], float] = field(default_factory=lambda: defaultdict(float))
    pending: dict[Line, set[str]] = field(default_factory=lambda: defaultdict(set))
    chains: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    bans: dict[tuple[str, str], list[dict]] = field(default_factory=dict)  # (exporter, mineral) -> bans
    budget_usd_m: float = 0.0

    @classmethod
    def read(cls, obs: Observation, params: DoctrineParams) -> Situation:
        """Read an observation."""
        reserve = params.reserve_quarters * obs.budget_per_turn_usd_m
        situation = cls(obs=obs, params=params, budget_usd_m=max(obs.treasury_usd_m - reserve, 0.0))
        views, chains = situation.views, situation.chains
        for view in obs.minerals:
            views[(view.mineral, view.stage)] = view
            chains[view.mineral].append(view.stage)
        situation.lines = {(w.mineral, w.stage): w for w in obs.world}
        situation.read_controls()
        situation.read_deals()
        situation.read_risks()
        return situation

    def read_controls(self) -> None:
        """Export controls in force by (exporter, mineral, stage), and the bans by exporter and mineral."""
        for policy in self.obs.policies:
            if policy.get("kind") == "export_control":
                self.controls[(policy["country"], policy["mineral"], policy["stage"])] = policy
        for (country, mineral, _), control in self.controls.items():
            if control["regime"] == "ban":
                self.bans.setdefault((country, mineral), []).append(control)

    def read_deals(self) -> None:
        """Contracted tonnes per line, in and out, and the counterparties of pending proposals."""
        me = self.obs.country
        for deal in self.obs.deals:
            if deal["kind"] == "equity":
                continue
            line = (deal["mineral"], deal["stage"])
            if deal["buyer"] == me:
                self.bought[line] += deal["tonnes_per_turn"]
            else:
                self.sold[line] += deal["tonnes_per_turn"]
                self.sold_to[(line, deal["buyer"])] += deal["tonnes_per_turn"]
        for item in self.obs.outbox:
            offer = item["offer"]
            self.pending[(offer["mineral"], offer["stage"])].add(offer["counterparty"])

    def read_risks(self) -> None:
        """Manufacturers' supply risk on every line the country must import."""
        me, restricting = self.obs.country, defaultdict(set)
        for (country, mineral, stage), control in self.controls.items():
            if country != me and covers(control, me):
                restricting[(mineral, stage)].add(country)
        trust, params = self.obs.trust, self.params
        for line, view in self.views.items():
            if view.imports + view.shortage > 1e-9:
                self.risks[line] = supply_risk(view, trust, restricting.get(line, NO_ONE), params)

    # --- questions doctrines ask --------------------------------------------------------

    def control_on(self, exporter: str, line: Line) -> dict | None:
        """The exporter's control on a line, if any."""
        return self.controls.get((exporter, *line))

    def embargoes(self, seller: str, buyer: str, mineral: str) -> bool:
        """True if `seller` bans exports of any stage of `mineral` to `buyer`."""
        return any(covers(ban, buyer) for ban in self.bans.get((seller, mineral), ()))

    def capacity_share(self, country: str, line: Line) -> float:
        """The country's share of world capacity on a line (from the world picture)."""
        world = self.lines.get(line)
        if world is None or world.world_capacity <= 0:
            return 0.0
        return world.producers.get(country, 0.0) / world.world_capacity

    def trust(self, country: str) -> float:
        """How far this country trusts another."""
        return self.obs.trust.get(country, 0.0)

    def is_adversary(self, country: str, line: Line) -> bool:
        """A supplier that restricts this line to us, or that we do not trust."""
        control = self.control_on(country, line)
        restricts = control is not None and covers(control, self.obs.country)
        return restricts or self.trust(country) < self.params.adversary_trust

    def first_stage(self, mineral: str) -> str:
        """The first stage of a mineral's chain (its ore)."""
        stages = self.chains.get(mineral)
        return stages[0] if stages else "mine"

    def reference(self, line: Line) -> float:
        """The reference price of a line, USD/kg (0 if unknown)."""
        view = self.views.get(line)
        return view.reference_price_usd_per_kg if view else 0.0

    def price_of(self, country: str, line: Line) -> float:
        """A country's local price on a line, or the world price if it is not listed."""
        world, view = self.lines.get(line), self.views.get(line)
        fallback = view.world_price_usd_per_kg if view else 0.0
        return world.prices.get(country, fallback) if world else fallback

    def capex_usd_m(self, line: Line, tonnes_per_year: float) -> float:
        """The AI's estimate of the capital cost of new capacity."""
        return tonnes_per_year * self.reference(line) * CAPEX_REVENUE_YEARS / 1000

    def spend(self, usd_m: float) -> bool:
        """Commit money from this turn's treasury if it is there; False if not."""
        if usd_m > self.budget_usd_m:
            return False
        self.budget_usd_m -= usd_m
        return True

    def exposure(self, line: Line) -> float:
        """Tonnes per turn to be found abroad on a line (0 if none)."""
        risk = self.risks.get(line)
        return risk.exposure if risk else 0.0

    def per_turn(self, tonnes_per_year: float) -> float:
        """Annual tonnes as tonnes per turn."""
        return tonnes_per_year / TURNS_PER_YEAR
