"""What the RL environments see, may do and are paid: features, action catalogue, scoring.

Plain numpy over the engine's public data (Scenario records, Observation, Action types), so it
works without gymnasium or pettingzoo; `critmin.research.env` wraps it in their spaces.
docs/rl-environments.md documents every feature, template and score component.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from critmin.core.actions import (
    ActionBase,
    AnswerDeal,
    BuyStockpile,
    FundProgram,
    ImposeExportControl,
    Invest,
    LiftExportControl,
    ProposeDeal,
    ReleaseStockpile,
    SetTariff,
)
from critmin.core.observation import MineralView, Observation
from critmin.core.vocabulary import STAGES, TURNS_PER_YEAR, Mineral, Stage
from critmin.scenarios.loader import Scenario

# --- observation features ----------------------------------------------------------------

LINE_FEATURES: dict[str, tuple[float, float]] = {
    "price_ratio": (0.0, 20.0),
    "world_price_ratio": (0.0, 20.0),
    "import_dependence": (0.0, 1.0),
    "export_share": (0.0, 1.0),
    "stock_cover_turns": (0.0, 20.0),
    "shortage_share": (0.0, 1.0),
    "export_control": (0.0, 1.0),
    "tariff_rate": (0.0, 5.0),
}
GLOBAL_FEATURES: dict[str, tuple[float, float]] = {
    "treasury_years": (-10.0, 100.0),
    "progress": (0.0, 1.0),
    "pending_proposals": (0.0, 8.0),
    "deals_in_force": (0.0, 32.0),
}
MAX_COVER_TURNS = LINE_FEATURES["stock_cover_turns"][1]


def scenario_lines(scenario: Scenario) -> list[tuple[str, str]]:
    """(mineral, stage) of every chain line, in the order of an Observation's `minerals`."""
    lines = []
    for mineral in scenario.spec.minerals:
        chain = {s.stage for s in mineral.stages}
        lines += [(mineral.id.value, stage.value) for stage in STAGES if stage in chain]
    return lines


def feature_names(lines: list[tuple[str, str]]) -> list[str]:
    """Names of the vector's components: `mineral.stage.feature` per line, then the globals."""
    per_line = [f"{m}.{s}.{name}" for m, s in lines for name in LINE_FEATURES]
    return per_line + list(GLOBAL_FEATURES)


def feature_bounds(n_lines: int) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of the vector (float32), matching `feature_names`."""
    bounds = [*LINE_FEATURES.values()] * n_lines + [*GLOBAL_FEATURES.values()]
    low, high = np.array(bounds, dtype=np.float32).T
    return low.copy(), high.copy()


def share(part: float, whole: float) -> float:
    """Part / whole, 0 when the whole is empty."""
    return part / whole if whole > 0 else 0.0


def stock_cover(view: MineralView) -> float:
    """Turns of need held in stock and stockpile (need: final demand, else throughput)."""
    held = view.stock + view.stockpile
    need = view.demand if view.demand > 0 else view.production + view.imports
    if need <= 0:
        return MAX_COVER_TURNS if held > 0 else 0.0
    return held / need


def line_features(view: MineralView | None, controlled: bool, tariff: float) -> list[float]:
    """The LINE_FEATURES of one mineral stage, unclipped (market figures 0 if the line is not seen)."""
    return [*market_features(view), float(controlled), tariff]


def market_features(view: MineralView | None) -> list[float]:
    """Prices, trade shares, stock cover and shortage of one line."""
    if view is None:
        return [0.0] * (len(LINE_FEATURES) - 2)
    reference = view.reference_price_usd_per_kg
    supply = view.production + view.imports
    return [
        share(view.price_usd_per_kg, reference),
        share(view.world_price_usd_per_kg, reference),
        share(view.imports, supply),
        share(view.exports, supply + view.stock),
        stock_cover(view),
        share(view.shortage, view.demand),
    ]


def own_policies(observation: Observation) -> tuple[set[tuple[str, str]], dict[tuple[str, str], float]]:
    """The observing country's export controls and tariff rates, by (mineral, stage)."""
    mine = [p for p in observation.policies if p["country"] == observation.country]
    controls = {(p["mineral"], p["stage"]) for p in mine if p["kind"] == "export_control"}
    tariffs = {(p["mineral"], p["stage"]): float(p["rate"]) for p in mine if p["kind"] == "tariff"}
    return controls, tariffs


def encode(observation: Observation, lines: list[tuple[str, str]], progress: float) -> np.ndarray:
    """The observation as a fixed-length float32 vector, clipped to `feature_bounds`.

    Args:
        observation: what the country sees at the start of a turn.
        lines: the scenario's (mineral, stage) lines (`scenario_lines`); a line missing from
            the observation reads as zeros.
        progress: share of the episode played (turns played / episode turns).

    """
    controls, tariffs = own_policies(observation)
    views = {(view.mineral, view.stage): view for view in observation.minerals}
    values: list[float] = []
    for key in lines:
        values += line_features(views.get(key), key in controls, tariffs.get(key, 0.0))
    budget_year = observation.budget_per_turn_usd_m * TURNS_PER_YEAR
    values += [
        share(observation.treasury_usd_m, budget_year),
        progress,
        float(len(observation.inbox)),
        float(len(observation.deals)),
    ]
    low, high = feature_bounds(len(lines))
    return np.clip(np.array(values, dtype=np.float32), low, high)


# --- the action catalogue ----------------------------------------------------------------

TARIFF_RATE = 0.25
LICENCE_APPROVAL_SHARE = 0.5
INVEST_SHARE_OF_WORLD = 0.02
OFFTAKE_SHARE_OF_NEED = 0.25
OFFTAKE_TURNS = 8
PROGRAM_SHARE_OF_BUDGET = 0.05
PROGRAMS = ("exploration", "recycling", "processing")


@dataclass(frozen=True)
class Template:
    """One entry of a country's fixed action catalogue; `instantiate` makes it an Action.

    Quantities fixed at construction (tonnes per year or per order, USD m) come from the
    scenario's starting figures; those that depend on the turn (stockpile held, the proposal
    to answer) are read from the observation.
    """

    kind: str
    label: str
    mineral: str = ""
    stage: str = ""
    program: str = ""
    counterparty: str = ""
    tonnes: float = 0.0
    usd_m: float = 0.0


@dataclass
class StartFigures:
    """Tonnes per year by (country, mineral, stage) at the scenario's start."""

    capacity: dict[tuple[str, str, str], float]
    demand: dict[tuple[str, str, str], float]
    budget_usd_m: dict[str, float]

    @classmethod
    def of(cls, scenario: Scenario) -> StartFigures:
        """Sum the scenario's capacity and demand records."""
        spec = scenario.spec
        capacity: dict[tuple[str, str, str], float] = defaultdict(float)
        demand: dict[tuple[str, str, str], float] = defaultdict(float)
        for record in spec.capacity:
            capacity[record.country, record.mineral.value, record.stage.value] += record.tonnes_per_year
        for record in spec.demand:
            demand[record.country, record.mineral.value, record.stage.value] += record.tonnes_per_year
        return cls(dict(capacity), dict(demand), {c.iso3: c.budget_usd_m for c in spec.countries})

    def world_capacity(self, mineral: str, stage: str) -> float:
        """World capacity of a line, tonnes per year."""
        return sum(t for (_, m, s), t in self.capacity.items() if (m, s) == (mineral, stage))

    def main_producer(self, mineral: str, stage: str, besides: str) -> str:
        """The country with the most capacity on a line, other than `besides` ('' if none)."""
        rivals = {
            c: t
            for (c, m, s), t in self.capacity.items()
            if (m, s) == (mineral, stage) and c != besides and t > 0
        }
        return max(sorted(rivals), key=rivals.__getitem__, default="")


def need_tonnes(figures: StartFigures, country: str, lines: list[tuple[str, str]], line: int) -> float:
    """What a country takes from a line per year: final demand, or feed for its next stage."""
    mineral, stage = lines[line]
    feed = 0.0
    if line + 1 < len(lines) and lines[line + 1][0] == mineral:
        feed = figures.capacity.get((country, mineral, lines[line + 1][1]), 0.0)
    return max(figures.demand.get((country, mineral, stage), 0.0), feed)


def producer_templates(mineral: str, stage: str) -> list[Template]:
    """Export policy on a line the country produces."""
    where = f"{mineral} {stage}"
    return [
        Template("ban", f"ban {where} exports", mineral, stage),
        Template("licence", f"licence {where} exports", mineral, stage),
        Template("lift", f"lift controls on {where} exports", mineral, stage),
    ]


def consumer_templates(mineral: str, stage: str, need: float, supplier: str) -> list[Template]:
    """Import policy, stockpile and offtake on a line the country uses."""
    where = f"{mineral} {stage}"
    templates = [
        Template("tariff", f"{TARIFF_RATE:.0%} tariff on {where} imports", mineral, stage),
        Template("untariff", f"lift tariff on {where} imports", mineral, stage),
        Template(
            "buy",
            f"stockpile a quarter's {where} need",
            mineral,
            stage,
            tonnes=max(need / TURNS_PER_YEAR, 1.0),
        ),
        Template("release", f"release half the {where} stockpile", mineral, stage),
    ]
    if supplier:
        templates.append(
            Template(
                "propose",
                f"propose {where} offtake to {supplier}",
                mineral,
                stage,
                counterparty=supplier,
                tonnes=max(need * OFFTAKE_SHARE_OF_NEED, 1.0),
            )
        )
    return templates


def line_templates(
    figures: StartFigures, country: str, lines: list[tuple[str, str]], line: int
) -> list[Template]:
    """The templates of one line: producer's, user's and an investment, where relevant."""
    mineral, stage = lines[line]
    templates: list[Template] = []
    if figures.capacity.get((country, mineral, stage), 0.0) > 0:
        templates += producer_templates(mineral, stage)
    need = need_tonnes(figures, country, lines, line)
    if need > 0:
        templates += consumer_templates(mineral, stage, need, figures.main_producer(mineral, stage, country))
    world = figures.world_capacity(mineral, stage)
    if templates and world > 0:
        templates.append(
            Template(
                "invest",
                f"invest in {mineral} {stage} capacity",
                mineral,
                stage,
                tonnes=INVEST_SHARE_OF_WORLD * world,
            )
        )
    return templates


def catalogue(scenario: Scenario, country: str) -> list[Template]:
    """A country's fixed action catalogue; index 0 is the no-op."""
    figures = StartFigures.of(scenario)
    lines = scenario_lines(scenario)
    templates = [Template("noop", "do nothing")]
    for line in range(len(lines)):
        templates += line_templates(figures, country, lines, line)
    usd_m = figures.budget_usd_m[country] * PROGRAM_SHARE_OF_BUDGET
    involved = dict.fromkeys(t.mineral for t in templates if t.mineral)
    if usd_m > 0:
        templates += [
            Template("program", f"fund {program} for {mineral}", mineral, program=program, usd_m=usd_m)
            for mineral in involved
            for program in PROGRAMS
        ]
    templates += [
        Template("accept", "accept the oldest proposal"),
        Template("reject", "reject the oldest proposal"),
    ]
    return templates


OwnPolicies = tuple[set[tuple[str, str]], dict[tuple[str, str], float]]
"""The observing country's export controls and tariff rates (`own_policies`)."""


def instantiate(template: Template, observation: Observation) -> ActionBase | None:
    """The Action a template stands for now, or None (no-op, or nothing to act on)."""
    return BUILDERS[template.kind](template, observation, own_policies(observation))


FIXED_KINDS = frozenset({"noop", "ban", "licence", "buy", "propose", "invest", "program"})
"""Templates whose builders read nothing of the observation but its country: the same action all episode."""


def instantiate_all(
    templates: list[Template], observation: Observation, fixed: list[ActionBase | None]
) -> list[ActionBase | None]:
    """Every template's action now: `fixed` (built once, for the same country) for FIXED_KINDS."""
    policies = own_policies(observation)
    return [
        fixed[k] if template.kind in FIXED_KINDS else BUILDERS[template.kind](template, observation, policies)
        for k, template in enumerate(templates)
    ]


def build_noop(template: Template, observation: Observation, policies: OwnPolicies) -> None:
    """Nothing."""
    return None


def build_control(template: Template, observation: Observation, policies: OwnPolicies) -> ActionBase:
    """A ban or a licence regime on all destinations."""
    licence = template.kind == "licence"
    return ImposeExportControl(
        country=observation.country,
        mineral=Mineral(template.mineral),
        stages=(Stage(template.stage),),
        regime="licence" if licence else "ban",
        approval_share=LICENCE_APPROVAL_SHARE if licence else 1.0,
        delay_turns=1 if licence else 0,
    )


def build_lift(template: Template, observation: Observation, policies: OwnPolicies) -> ActionBase | None:
    """Lift the country's control on the line, if one is in force."""
    controls, _ = policies
    if (template.mineral, template.stage) not in controls:
        return None
    return LiftExportControl(
        country=observation.country, mineral=Mineral(template.mineral), stages=(Stage(template.stage),)
    )


def build_tariff(template: Template, observation: Observation, policies: OwnPolicies) -> ActionBase | None:
    """Set the tariff to TARIFF_RATE (or to 0 for `untariff`), if that changes it."""
    _, tariffs = policies
    rate = TARIFF_RATE if template.kind == "tariff" else 0.0
    if tariffs.get((template.mineral, template.stage), 0.0) == rate:
        return None
    return SetTariff(
        country=observation.country,
        mineral=Mineral(template.mineral),
        stages=(Stage(template.stage),),
        rate=rate,
    )


def build_buy(template: Template, observation: Observation, policies: OwnPolicies) -> ActionBase:
    """Buy a quarter's need for the stockpile (price cap: the engine's default)."""
    return BuyStockpile(
        country=observation.country,
        mineral=Mineral(template.mineral),
        stage=Stage(template.stage),
        tonnes=template.tonnes,
    )


def build_release(template: Template, observation: Observation, policies: OwnPolicies) -> ActionBase | None:
    """Release half the stockpile, if any."""
    view = observation.view(template.mineral, template.stage)
    if view is None or view.stockpile <= 0:
        return None
    return ReleaseStockpile(
        country=observation.country,
        mineral=Mineral(template.mineral),
        stage=Stage(template.stage),
        tonnes=view.stockpile / 2,
    )


def build_propose(template: Template, observation: Observation, policies: OwnPolicies) -> ActionBase:
    """An index-priced offtake from the line's main producer, as buyer."""
    return ProposeDeal(
        country=observation.country,
        counterparty=template.counterparty,
        seller=template.counterparty,
        buyer=observation.country,
        mineral=Mineral(template.mineral),
        stage=Stage(template.stage),
        tonnes_per_year=template.tonnes,
        duration_turns=OFFTAKE_TURNS,
    )


def build_invest(template: Template, observation: Observation, policies: OwnPolicies) -> ActionBase:
    """New capacity at home."""
    return Invest(
        country=observation.country,
        mineral=Mineral(template.mineral),
        stage=Stage(template.stage),
        tonnes_per_year=template.tonnes,
    )


def build_program(template: Template, observation: Observation, policies: OwnPolicies) -> ActionBase:
    """Fund a program for a mineral."""
    return FundProgram(
        country=observation.country,
        program=template.program,
        mineral=Mineral(template.mineral),
        usd_m=template.usd_m,
    )


def build_answer(template: Template, observation: Observation, policies: OwnPolicies) -> ActionBase | None:
    """Answer the oldest proposal in the inbox, if any."""
    if not observation.inbox:
        return None
    return AnswerDeal(
        country=observation.country, proposal_id=observation.inbox[0]["id"], accept=template.kind == "accept"
    )


BUILDERS: dict[str, Callable[[Template, Observation, OwnPolicies], ActionBase | None]] = {
    "noop": build_noop,
    "ban": build_control,
    "licence": build_control,
    "lift": build_lift,
    "tariff": build_tariff,
    "untariff": build_tariff,
    "buy": build_buy,
    "release": build_release,
    "propose": build_propose,
    "invest": build_invest,
    "program": build_program,
    "accept": build_answer,
    "reject": build_answer,
}


# --- scoring -----------------------------------------------------------------------------


def supply_security(observation: Observation) -> float:
    """1 - the share of final needs unmet last turn, valued at reference prices (1 if none)."""
    need = sum(v.demand * v.reference_price_usd_per_kg for v in observation.minerals)
    short = sum(v.shortage * v.reference_price_usd_per_kg for v in observation.minerals)
    return 1.0 - share(short, need)


def budget_balance(before: Observation, after: Observation) -> float:
    """Change of the treasury over the turn beyond the turn's allocation, in turn budgets.

    0 when nothing was spent; -1 when a whole turn's budget was spent; positive when money came
    in (a breach penalty received, a stake sold).
    """
    budget = before.budget_per_turn_usd_m
    return share(after.treasury_usd_m - before.treasury_usd_m - budget, budget)


def trade_balance(observation: Observation) -> float:
    """(exports - imports) / (exports + imports), valued at local prices; 0 without trade."""
    exports = sum(v.exports * v.price_usd_per_kg for v in observation.minerals)
    imports = sum(v.imports * v.price_usd_per_kg for v in observation.minerals)
    return share(exports - imports, exports + imports)


@dataclass(frozen=True)
class ScenarioScore:
    """The reward of a turn from a scenario's [scoring] weights."""

    supply_security: float = 1.0
    budget: float = 0.1
    trade_balance: float = 0.0

    @classmethod
    def of(cls, scenario: Scenario) -> ScenarioScore:
        """The weights of a scenario's [scoring] table."""
        scoring = scenario.spec.scoring
        return cls(scoring.supply_security, scoring.budget, scoring.trade_balance)

    def components(self, before: Observation, after: Observation) -> dict[str, float]:
        """The unweighted components of the turn that led from `before` to `after`."""
        return {
            "supply_security": supply_security(after),
            "budget": budget_balance(before, after),
            "trade_balance": trade_balance(after),
        }

    def __call__(self, before: Observation, after: Observation) -> float:
        """The weighted sum of the components."""
        parts = self.components(before, after)
        weights = {
            "supply_security": self.supply_security,
            "budget": self.budget,
            "trade_balance": self.trade_balance,
        }
        return float(sum(weights[name] * value for name, value in parts.items()))


# --- default agents ----------------------------------------------------------------------

DEFAULT_AGENTS = 5
REST_OF_WORLD = "ROW"


def default_countries(scenario: Scenario, n: int = DEFAULT_AGENTS) -> list[str]:
    """The `n` countries with the largest final demand at reference prices (scenario order on ties).

    The residual "rest of the world" (ROW) is no one's country and is never picked by default.
    """
    prices = {
        (m.id.value, p.stage.value): p.price_usd_per_kg for m in scenario.spec.minerals for p in m.stages
    }
    codes = (c.iso3 for c in scenario.spec.countries if c.iso3 != REST_OF_WORLD)
    value: dict[str, float] = dict.fromkeys(codes, 0.0)
    for record in scenario.spec.demand:
        if record.country in value:
            value[record.country] += record.tonnes_per_year * prices[record.mineral.value, record.stage.value]
    ranked = sorted(value, key=lambda code: -value[code])
    return ranked[:n]
