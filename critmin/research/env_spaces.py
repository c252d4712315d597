"""What the RL environments see, may do and are paid: features, action catalogue, scoring.

Plain numpy over the engine's public data (Scenario records, Observation, Action types), so it
works without gymnasium or pettingzoo; `critmin.research.env` wraps it in their spaces.
docs/rl-environments.md documents every feature, template and score component.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

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
from critmin.core.observation import Observation
from critmin.core.vocabulary import STAGES, TURNS_PER_YEAR, Mineral, Stage
from critmin.research.env_rows import OwnPolicies, Rows, policies_of, rows_of_observation
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
    low, high = read_only_bounds(n_lines)
    return low.copy(), high.copy()


@cache
def read_only_bounds(n_lines: int) -> tuple[np.ndarray, np.ndarray]:
    """`feature_bounds`, made once per line count and read-only (the encoding reads them every step)."""
    bounds = [*LINE_FEATURES.values()] * n_lines + [*GLOBAL_FEATURES.values()]
    low, high = np.array(bounds, dtype=np.float32).T
    low, high = low.copy(), high.copy()
    low.flags.writeable = high.flags.writeable = False
    return low, high


def shares(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """Part / whole, 0 where the whole is empty."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(whole > 0, part / whole, 0.0)


def share(part: float, whole: float) -> float:
    """Part / whole, 0 when the whole is empty (`shares` of one value)."""
    return float(shares(np.float64(part), np.float64(whole)))


def stock_cover(rows: Rows) -> np.ndarray:
    """(A, L) turns of need held in stock and stockpile (need: final demand, else throughput)."""
    held = rows.on_lines("stock") + rows.on_lines("stockpile")
    demand = rows.on_lines("demand")
    need = np.where(demand > 0, demand, rows.on_lines("production") + rows.on_lines("imports"))
    with np.errstate(divide="ignore", invalid="ignore"):
        cover = held / need
    return np.where(need <= 0, np.where(held > 0, MAX_COVER_TURNS, 0.0), cover)


def market_features(rows: Rows) -> list[np.ndarray]:
    """(A, L) prices, trade shares, stock cover and shortage of every line (0 where not seen)."""
    reference, supply = rows.on_lines("reference_price_usd_per_kg"), rows.on_lines("production")
    supply = supply + rows.on_lines("imports")
    features = [
        shares(rows.on_lines("price_usd_per_kg"), reference),
        shares(rows.on_lines("world_price_usd_per_kg"), reference),
        shares(rows.on_lines("imports"), supply),
        shares(rows.on_lines("exports"), supply + rows.on_lines("stock")),
        stock_cover(rows),
        shares(rows.on_lines("shortage"), rows.on_lines("demand")),
    ]
    return [np.where(rows.seen(), feature, 0.0) for feature in features]


def own_policies(observation: Observation) -> OwnPolicies:
    """The observing country's export controls and tariff rates, by (mineral, stage)."""
    return policies_of(observation.policies, observation.country)


def encode_rows(rows: Rows, progress: float) -> np.ndarray:
    """(A, features) every row as the fixed-length float32 vector `encode` describes."""
    per_line = np.stack([*market_features(rows), rows.controlled.astype(float), rows.tariff], axis=2)
    budget_year = rows.budget * TURNS_PER_YEAR
    globals_ = [shares(rows.treasury, budget_year), np.full(len(rows.budget), progress)]
    globals_ += [np.array([float(len(inbox)) for inbox in rows.inbox]), rows.deals]
    values = np.concatenate([per_line.reshape(len(per_line), -1), np.stack(globals_, axis=1)], axis=1)
    low, high = read_only_bounds(len(rows.at))
    return np.clip(values.astype(np.float32), low, high)


def encode(observation: Observation, lines: list[tuple[str, str]], progress: float) -> np.ndarray:
    """The observation as a fixed-length float32 vector, clipped to `feature_bounds`.

    Args:
        observation: what the country sees at the start of a turn.
        lines: the scenario's (mineral, stage) lines (`scenario_lines`); a line missing from
            the observation reads as zeros.
        progress: share of the episode played (turns played / episode turns).

    """
    return encode_rows(rows_of_observation(observation, lines), progress)[0]


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


Builder = Callable[[Template, Observation, OwnPolicies], ActionBase | None]


def instantiate(template: Template, observation: Observation) -> ActionBase | None:
    """The Action a template stands for now, or None (no-op, or nothing to act on)."""
    return BUILDERS[template.kind](template, observation, own_policies(observation))


FIXED_KINDS = frozenset({"noop", "ban", "licence", "buy", "propose", "invest", "program"})
"""Templates whose builders read nothing of the observation but its country: the same action all episode."""
STANDING_KINDS = frozenset({*FIXED_KINDS, "lift", "tariff", "untariff"})
"""Templates that stand for the same action all episode whenever they stand for one (`standing_action`)."""


def build_noop(template: Template, country: str) -> None:
    """Nothing."""
    return None


def build_control(template: Template, country: str) -> ActionBase:
    """A ban or a licence regime on all destinations."""
    licence = template.kind == "licence"
    return ImposeExportControl(
        country=country,
        mineral=Mineral(template.mineral),
        stages=(Stage(template.stage),),
        regime="licence" if licence else "ban",
        approval_share=LICENCE_APPROVAL_SHARE if licence else 1.0,
        delay_turns=1 if licence else 0,
    )


def build_lift(template: Template, observation: Observation, policies: OwnPolicies) -> ActionBase | None:
    """Lift the country's control on the line, if one is in force."""
    return lift_action(template, observation.country) if lift_stands(template, policies) else None


def lift_stands(template: Template, policies: OwnPolicies) -> bool:
    """A control is in force on the template's line (something to lift)."""
    controls, _ = policies
    return (template.mineral, template.stage) in controls


def lift_action(template: Template, country: str) -> ActionBase:
    """Lift the country's control on the template's line."""
    return LiftExportControl(
        country=country, mineral=Mineral(template.mineral), stages=(Stage(template.stage),)
    )


def build_tariff(template: Template, observation: Observation, policies: OwnPolicies) -> ActionBase | None:
    """Set the tariff to TARIFF_RATE (or to 0 for `untariff`), if that changes it."""
    return tariff_action(template, observation.country) if tariff_stands(template, policies) else None


def tariff_stands(template: Template, policies: OwnPolicies) -> bool:
    """The template's rate would change the tariff on its line."""
    _, tariffs = policies
    return tariffs.get((template.mineral, template.stage), 0.0) != tariff_rate(template)


def tariff_rate(template: Template) -> float:
    """The rate a tariff template sets: TARIFF_RATE, or 0 for `untariff`."""
    return TARIFF_RATE if template.kind == "tariff" else 0.0


def tariff_action(template: Template, country: str) -> ActionBase:
    """Set the tariff on the template's line to its rate."""
    return SetTariff(
        country=country,
        mineral=Mineral(template.mineral),
        stages=(Stage(template.stage),),
        rate=tariff_rate(template),
    )


def standing_action(template: Template, country: str) -> ActionBase | None:
    """The action a STANDING_KINDS template of `country` stands for whenever it stands for one.

    None for the other kinds.
    """
    if template.kind == "lift":
        return lift_action(template, country)
    if template.kind in ("tariff", "untariff"):
        return tariff_action(template, country)
    if template.kind in FIXED_BUILDERS:
        return FIXED_BUILDERS[template.kind](template, country)
    return None


def build_buy(template: Template, country: str) -> ActionBase:
    """Buy a quarter's need for the stockpile (price cap: the engine's default)."""
    return BuyStockpile(
        country=country,
        mineral=Mineral(template.mineral),
        stage=Stage(template.stage),
        tonnes=template.tonnes,
    )


def build_release(template: Template, observation: Observation, policies: OwnPolicies) -> ActionBase | None:
    """Release half the stockpile, if any."""
    view = observation.view(template.mineral, template.stage)
    return release_action(template, observation.country, view.stockpile if view is not None else 0.0)


def release_action(template: Template, country: str, stockpile: float) -> ActionBase | None:
    """Release half the `stockpile` held on the template's line, if any."""
    if stockpile <= 0:
        return None
    return ReleaseStockpile(
        country=country,
        mineral=Mineral(template.mineral),
        stage=Stage(template.stage),
        tonnes=stockpile / 2,
    )


def build_propose(template: Template, country: str) -> ActionBase:
    """An index-priced offtake from the line's main producer, as buyer."""
    return ProposeDeal(
        country=country,
        counterparty=template.counterparty,
        seller=template.counterparty,
        buyer=country,
        mineral=Mineral(template.mineral),
        stage=Stage(template.stage),
        tonnes_per_year=template.tonnes,
        duration_turns=OFFTAKE_TURNS,
    )


def build_invest(template: Template, country: str) -> ActionBase:
    """New capacity at home."""
    return Invest(
        country=country,
        mineral=Mineral(template.mineral),
        stage=Stage(template.stage),
        tonnes_per_year=template.tonnes,
    )


def build_program(template: Template, country: str) -> ActionBase:
    """Fund a program for a mineral."""
    return FundProgram(
        country=country,
        program=template.program,
        mineral=Mineral(template.mineral),
        usd_m=template.usd_m,
    )


STANDS: dict[str, Callable[[Template, OwnPolicies], bool]] = {
    "lift": lift_stands,
    "tariff": tariff_stands,
    "untariff": tariff_stands,
}
"""When a template of a STANDING_KINDS kind beyond FIXED_KINDS stands for its action."""


def build_answer(template: Template, observation: Observation, policies: OwnPolicies) -> ActionBase | None:
    """Answer the oldest proposal in the inbox, if any."""
    return answer_action(template, observation.country, observation.inbox)


def answer_action(template: Template, country: str, inbox: list[dict]) -> ActionBase | None:
    """Answer the oldest proposal of `inbox`, if any."""
    if not inbox:
        return None
    return AnswerDeal(country=country, proposal_id=inbox[0]["id"], accept=template.kind == "accept")


FIXED_BUILDERS: dict[str, Callable[[Template, str], ActionBase | None]] = {
    "noop": build_noop,
    "ban": build_control,
    "licence": build_control,
    "buy": build_buy,
    "propose": build_propose,
    "invest": build_invest,
    "program": build_program,
}
"""The builders of FIXED_KINDS templates: they read nothing but the template and the country."""


def on_country(build: Callable[[Template, str], ActionBase | None]) -> Builder:
    """A FIXED_BUILDERS builder read as a builder of the observation's country."""
    return lambda template, observation, policies: build(template, observation.country)


BUILDERS: dict[str, Builder] = {
    **{kind: on_country(build) for kind, build in FIXED_BUILDERS.items()},
    "lift": build_lift,
    "tariff": build_tariff,
    "untariff": build_tariff,
    "release": build_release,
    "accept": build_answer,
    "reject": build_answer,
}


@dataclass(frozen=True)
class Menu:
    """A country's catalogue read on the agents' rows: what each template stands for now.

    `instantiate` of every template, as arrays: a STANDING_KINDS template stands for its
    `standing_action` (built once) when its condition holds; a release for half the stockpile
    held, an answer for the oldest proposal.
    """

    templates: list[Template]
    standing: list[ActionBase | None]  # each template's standing_action
    country: str
    line: np.ndarray  # (T,) each template's line among the rows' lines (0 for none)
    fixed: np.ndarray  # (T,) True for FIXED_KINDS templates standing for an action
    lift: np.ndarray  # (T,) True for lift templates
    tariff: np.ndarray  # (T,) True for tariff and untariff templates
    rate: np.ndarray  # (T,) the rate a tariff template sets
    release: np.ndarray  # (T,) True for release templates
    answer: np.ndarray  # (T,) True for accept and reject templates

    @classmethod
    def of(cls, templates: list[Template], country: str, lines: list[tuple[str, str]]) -> Menu:
        """The menu of a country's catalogue on `lines` (the scenario's lines)."""
        where = {line: k for k, line in enumerate(lines)}
        standing = [standing_action(t, country) for t in templates]
        kinds = [t.kind for t in templates]
        fixed = [k in FIXED_KINDS and action is not None for k, action in zip(kinds, standing, strict=True)]
        return cls(
            templates=templates,
            standing=standing,
            country=country,
            line=np.array([where.get((t.mineral, t.stage), 0) for t in templates], dtype=np.int64),
            fixed=np.array(fixed, dtype=bool),
            lift=np.array([k == "lift" for k in kinds]),
            tariff=np.array([k in ("tariff", "untariff") for k in kinds]),
            rate=np.array([tariff_rate(t) for t in templates]),
            release=np.array([k == "release" for k in kinds]),
            answer=np.array([k in ("accept", "reject") for k in kinds]),
        )

    def built(self, rows: Rows, r: int) -> np.ndarray:
        """(T,) True where the template stands for an action in row `r` now."""
        stockpile = rows.on_lines("stockpile")[r]
        return (
            self.fixed
            | (self.lift & rows.controlled[r, self.line])
            | (self.tariff & (rows.tariff[r, self.line] != self.rate))
            | (self.release & (stockpile[self.line] > 0))
            | (self.answer & bool(rows.inbox[r]))
        )

    def action(self, k: int, rows: Rows, r: int) -> ActionBase | None:
        """The action template `k` stands for in row `r` now (None if none)."""
        template = self.templates[k]
        if self.release[k]:
            return release_action(template, self.country, float(rows.on_lines("stockpile")[r, self.line[k]]))
        if self.answer[k]:
            return answer_action(template, self.country, rows.inbox[r])
        return self.standing[k] if self.built(rows, r)[k] else None


# --- scoring -----------------------------------------------------------------------------


def row_sums(values: np.ndarray) -> np.ndarray:
    """(A,) each row's sum, added up in order as Python's `sum` does."""
    return np.array([sum(row) for row in values.tolist()], dtype=float).reshape(len(values))


def valued(rows: Rows, tonnes: str, price: str) -> np.ndarray:
    """(A,) the rows' tonnes of one figure valued at one price, over every line they see."""
    return row_sums(rows.figure(tonnes) * rows.figure(price))


def supply_security_rows(rows: Rows) -> np.ndarray:
    """(A,) 1 - the share of final needs unmet last turn, valued at reference prices (1 if none)."""
    need = valued(rows, "demand", "reference_price_usd_per_kg")
    return 1.0 - shares(valued(rows, "shortage", "reference_price_usd_per_kg"), need)


def budget_balance_rows(before: Rows, after: Rows) -> np.ndarray:
    """(A,) change of the treasury over the turn beyond the turn's allocation, in turn budgets.

    0 when nothing was spent; -1 when a whole turn's budget was spent; positive when money came
    in (a breach penalty received, a stake sold).
    """
    return shares(after.treasury - before.treasury - before.budget, before.budget)


def trade_balance_rows(rows: Rows) -> np.ndarray:
    """(A,) (exports - imports) / (exports + imports), valued at local prices; 0 without trade."""
    exports = valued(rows, "exports", "price_usd_per_kg")
    imports = valued(rows, "imports", "price_usd_per_kg")
    return shares(exports - imports, exports + imports)


def supply_security(observation: Observation) -> float:
    """`supply_security_rows` of one observation."""
    return float(supply_security_rows(rows_of_observation(observation))[0])


def budget_balance(before: Observation, after: Observation) -> float:
    """`budget_balance_rows` of one country's turn."""
    return float(budget_balance_rows(rows_of_observation(before), rows_of_observation(after))[0])


def trade_balance(observation: Observation) -> float:
    """`trade_balance_rows` of one observation."""
    return float(trade_balance_rows(rows_of_observation(observation))[0])


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

    def parts(self, before: Rows, after: Rows) -> dict[str, np.ndarray]:
        """(A,) each unweighted component of the turn that led from `before` to `after`."""
        return {
            "supply_security": supply_security_rows(after),
            "budget": budget_balance_rows(before, after),
            "trade_balance": trade_balance_rows(after),
        }

    def of_rows(self, before: Rows, after: Rows) -> np.ndarray:
        """(A,) the weighted sum of the components, added in their order."""
        weights = {
            "supply_security": self.supply_security,
            "budget": self.budget,
            "trade_balance": self.trade_balance,
        }
        total = np.zeros(len(after.treasury))
        for name, value in self.parts(before, after).items():
            total = total + weights[name] * value
        return total

    def components(self, before: Observation, after: Observation) -> dict[str, float]:
        """The unweighted components of the turn that led from `before` to `after`."""
        parts = self.parts(rows_of_observation(before), rows_of_observation(after))
        return {name: float(value[0]) for name, value in parts.items()}

    def __call__(self, before: Observation, after: Observation) -> float:
        """The weighted sum of the components."""
        return float(self.of_rows(rows_of_observation(before), rows_of_observation(after))[0])


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
