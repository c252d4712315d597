"""The scenario schema: typed, immutable records a TOML scenario file is converted into.

Field types and bounds live here (checked by msgspec while converting); rules that span
records (known ids, duplicates, shares) live in `validate.py`. Annual figures in the file are
per year; the engine converts them to per-turn (quarter) quantities.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from critmin.core.vocabulary import Mineral, Sector, Stage
from critmin.scenarios.doctrine_table import DoctrineTable, DoctrineTables, FirmParams
from critmin.scenarios.record import (
    Identifier,
    Iso3,
    LeadTurns,
    NonNegative,
    Positive,
    Record,
    Share,
    Source,
    TurnIndex,
)
from critmin.scenarios.substitutes import SUBSTITUTES, SubstituteSpec

Controller = Literal["default", "ai", "human", "external"]
Doctrine = Literal[
    "passive", "dominant_processor", "resource_nationalist", "diversifying_importer",
    "aligned_supplier",
]  # fmt: skip


class ScenarioInfo(Record, kw_only=True):
    """The [scenario] table."""

    id: Identifier
    title: str
    description: str = ""
    start: Annotated[str, msgspec.Meta(pattern=r"^\d{4}Q[1-4]$")]
    turns: Annotated[int, msgspec.Meta(ge=1, le=400)] = 20
    seed: Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)] = 0
    extends: Identifier | None = None
    focus: Iso3 | None = None  # the country the scenario is about: `critmin run` summarises its dependence


class MarketSettings(Record, kw_only=True):
    """The [market] table: behaviour parameters of the world, each overridable, with its source."""

    freight_usd_per_kg_per_1000km: NonNegative = 0.01
    inventory_target_quarters: NonNegative = 0.5
    inventory_price_multiple: Positive = 1.0
    # Convenience yield (theory of storage): routine restocking is bid up to this share above the
    # routine price as stock after use falls below its routine cover, in slices (engine/convenience_yield.py).
    convenience_yield: NonNegative = 0.1
    convenience_yield_blocks: Annotated[int, msgspec.Meta(ge=1, le=20)] = 4
    price_expectation_weight: Annotated[float, msgspec.Meta(gt=0, le=1)] = 0.25
    demand_price_multiples: tuple[Positive, ...] = (
        0.4, 0.5, 0.63, 0.8, 1.0, 1.25, 1.6, 2.0, 2.5, 3.2, 4.0, 5.0, 6.3, 8.0, 10.0, 12.5, 16.0, 20.0,
    )  # fmt: skip
    # Short-run demand at scarcity: above `demand_destruction_multiple` x reference, users cut
    # output (demand destruction) along `destruction_elasticity`; the essential share bids only at
    # the top of the curve, and what it lacks there is a shortage (docs/mechanisms.md).
    demand_destruction_multiple: Annotated[float, msgspec.Meta(ge=1, le=100)] = 2.0
    destruction_elasticity: Annotated[float, msgspec.Meta(le=0, ge=-5)] = -0.45
    substitutes: tuple[SubstituteSpec, ...] = SUBSTITUTES
    substitute_on_shortage: Share | None = None  # makers also switch when short of this share of need
    # Producers store rather than sell below what they expect (docs/mechanisms.md).
    producer_storage_quarters: NonNegative = 0.5
    producer_storage_price_share: Share = 0.8
    # ... and this share under their own country's export licence or ban (engine/controlled_storage.py).
    controlled_storage_price_share: Share = 1.0
    producer_storage_trend_quarters: NonNegative = 4.0  # a falling trend, extrapolated this far, lowers it
    # Procurement: buyers doubt a supplier whose controls reached them and pay this share of the
    # reference price more for its goods (hedging, dual sourcing); doubt fades by
    # `supplier_doubt_memory_per_turn` a turn once the control no longer binds (docs/mechanisms.md).
    supplier_risk_premium: NonNegative = 0.4
    supplier_doubt_memory_per_turn: Share = 0.6
    # Leakage: goods that get round a control through third countries pay this share of the
    # line's reference price above the direct route (engine/leakage.py).
    leakage_cost_share: NonNegative = 0.25
    # Announced controls: buyers exposed to a control announced for a later turn stock up now.
    announcement_exposure: NonNegative = 1.0
    # Processors run at a small loss rather than stand idle (restarts, contracts).
    processor_idle_cost_share: Share = 0.2
    # Squeezed processors (feed at break-even) ask this share of the expected price, to the power
    # 1 + quarters of output held, for what they cannot store (engine/overhang.py).
    overhang_price_share: Share = 0.8
    feed_elasticity: Annotated[float, msgspec.Meta(le=0, ge=-5)] = -0.5
    lead_time_turns: dict[Stage, Annotated[int, msgspec.Meta(ge=0, le=60)]] = msgspec.field(
        default_factory=lambda: {Stage.MINE: 24, Stage.REFINED: 10, Stage.MAGNET: 6}
    )
    capex_revenue_years: Positive = 1.5
    disruption_probability_per_turn: Share = 0.005
    disruption_severity: tuple[Share, Share] = (0.1, 0.5)
    recycling_usd_m_per_tonne_per_year: Positive = 0.05
    recycling_scrap_share: Share = 0.3
    initial_trust: Share = 0.5
    bloc_trust_bonus: Share = 0.2
    trust_loss_on_control: Share = 0.15
    trust_loss_on_breach: Share = 0.2
    trust_gain_per_kept_turn: Share = 0.01
    # Inventories: precautionary and speculative stock of manufacturers (docs/mechanisms.md).
    inventory_target_min_quarters: NonNegative = 0.1
    inventory_target_max_quarters: NonNegative = 1.5
    inventory_adjustment_per_turn: Share = 0.5
    inventory_gain_controls: NonNegative = 1.5
    inventory_gain_shortage: NonNegative = 1.0
    inventory_gain_price: NonNegative = 0.3
    inventory_gain_trend: NonNegative = 0.5
    inventory_affordability_exponent: NonNegative = 1.0
    inventory_bid_premium: NonNegative = 0.5
    control_risk_binding: Share = 1.0
    control_risk_standing: Share = 0.2
    price_trend_weight: Annotated[float, msgspec.Meta(gt=0, le=1)] = 0.8
    # Producers: utilisation on margins, closures in a bust, private investment.
    supply_elasticity: NonNegative = 0.5
    # Idle capacity restarts tranche by tranche: cost dispersion of the tranches (log-normal sd).
    idle_cost_dispersion: Positive = 0.3
    utilisation_max: Share = 0.95
    utilisation_floor_margin: NonNegative = 0.7
    utilisation_adjustment_per_turn: Share = 0.5
    closure_margin: NonNegative = 0.9
    closure_rate_per_turn: Share = 0.02
    new_capacity_utilisation: Share = 0.85
    entrant_cost_share: Positive = 0.7
    long_run_price_weight: Annotated[float, msgspec.Meta(gt=0, le=1)] = 0.1
    investment_price_threshold: Positive = 1.3
    investment_rate_per_year: NonNegative = 0.2
    investment_max_share_per_year: NonNegative = 0.3
    lead_time_spread_turns: dict[Stage, Annotated[int, msgspec.Meta(ge=0, le=12)]] = msgspec.field(
        default_factory=lambda: {Stage.MINE: 4, Stage.REFINED: 2, Stage.MAGNET: 2}
    )
    # Demand: substitution and thrifting under high prices, random demand noise.
    thrifting_max_per_year: Share = 0.05
    thrifting_price_threshold: Positive = 1.5
    thrifting_full_price_multiple: Positive = 4.0
    thrifting_recovery_per_year: Share = 0.02
    thrifting_floor: Share = 0.5
    demand_noise_sd: NonNegative = 0.03
    demand_noise_persistence: Share = 0.7
    # Recycling: private collection of scrap responding to price (programs add capacity).
    recycling_collection_share: Share = 0.01
    recycling_price_elasticity: NonNegative = 1.0
    recycling_collection_max: Share = 0.1
    recycling_cost_share: NonNegative = 0.5
    # Exploration: finds from known reserves, lead times to first output (docs/mechanisms.md, S&P
    # Global and MinEx figures in ../shared/data/calibration/BEHAVIOUR.md section 4).
    exploration_spend_years: Positive = 1.0  # a programme's money is spent over a year (annual budgets)
    discovery_finding_cost_share: Positive = (
        0.01  # cost of finding metal / its mine value: ~0.5% Cu, ~2% Au (MinEx)
    )
    discovery_min_cost_usd_m: Positive = 200.0  # a significant find: USD 136 bn / 647 finds, 2002-12 (MinEx)
    discovery_size_share: tuple[Share, Share] = (0.01, 0.15)  # a find / the country's known reserves [L]
    discovery_mine_life_years: Positive = 20.0  # output = contained / life (Taylor's rule, ~100 Mt of ore)
    greenfield_lead_time_turns: tuple[LeadTurns, LeadTurns] = (40, 70)  # S&P: 15.7 yr mean, 6-32 yr
    brownfield_lead_time_turns: tuple[LeadTurns, LeadTurns] = (4, 12)  # expansions, restarts (BEHAVIOUR 4)
    joint_exploration_partner_share: Share = 0.5  # the partner's share of a find (KABIL-CMFO 50:50)
    # Deals (critmin assumptions): a strategic partner finances this share of the seller's new
    # capacity at signing (MSP-style development finance); a joint-exploration partner puts this
    # share of the reference value of its entitled tonnes into the host's exploration every turn.
    partner_capex_share: Share = 1.0
    joint_exploration_funding_share: Share = 0.25
    # Rules of the game: a stockpile order without a price cap bids up to this multiple of today's
    # local price; a new licence regime refers to the average exports of this many recent turns.
    stockpile_bid_cap_multiple: Annotated[float, msgspec.Meta(ge=1, le=100)] = 2.0
    export_history_turns: Annotated[int, msgspec.Meta(ge=1, le=40)] = 4
    # Block auctions (engine/auctions.py): a block on offer is awarded to the highest premium when
    # at least `auction_min_bidders` firms qualify (India's auction rules annul a first attempt with
    # fewer than three technically qualified bidders); the winner pays `block_upfront_share` of the
    # value of the block's resources at once (0.5% under India's Mineral Auction Rules) and builds
    # the mine: a composite licence explores first for `block_exploration_turns` (three years),
    # then the country's clearances take `regulatory_delay_turns` (India: 3-5 years of environment,
    # forest and wildlife clearances; elsewhere none modelled) and construction
    # `block_construction_turns` (docs/mechanisms.md gives the sources).
    auction_min_bidders: Annotated[int, msgspec.Meta(ge=1, le=20)] = 3
    block_upfront_share: Share = 0.005
    block_exploration_turns: Annotated[int, msgspec.Meta(ge=0, le=40)] = 12
    block_construction_turns: tuple[LeadTurns, LeadTurns] = (8, 12)
    regulatory_delay_turns: dict[Iso3, tuple[LeadTurns, LeadTurns]] = msgspec.field(
        default_factory=lambda: {"IND": (12, 20)}
    )
    # Battery-cell incentives (engine/cells.py): cell plants come on stream after
    # `cell_plant_lead_turns`, run at `new_capacity_utilisation` and use these tonnes of refined
    # material per GWh of cells (a 50:50 LFP / NMC-811 mix, docs/mechanisms.md).
    cell_plant_lead_turns: Annotated[int, msgspec.Meta(ge=0, le=40)] = 8
    cell_materials_t_per_gwh: dict[Mineral, NonNegative] = msgspec.field(
        default_factory=lambda: {
            Mineral.LITHIUM: 100.0,
            Mineral.NICKEL: 340.0,
            Mineral.COBALT: 40.0,
            Mineral.GRAPHITE: 1050.0,
        }
    )
    # Firms keep this share of their lines' cash margin for their own decisions; the rest
    # (dividends, royalties, taxes) stays with the country's industry (critmin assumption [L]).
    firm_retained_share: Share = 0.3
    # Manufacturers: short of `lobby_shortage_share` of need they press hardest, lobbying once
    # their cover falls under `lobby_cover_weeks`; a USD of missing mineral costs
    # `output_value_multiple` USD of final output per sector: orders of magnitude, critmin
    # assumption [L] (cf. the IEA's and the EU CRMA's framing of critical inputs as a small cost
    # with a large output at stake).
    lobby_shortage_share: Annotated[float, msgspec.Meta(gt=0, le=1)] = 0.1
    lobby_cover_weeks: NonNegative = 6.0
    output_value_multiple: dict[Sector, NonNegative] = msgspec.field(
        default_factory=lambda: {
            Sector.EV: 30.0,
            Sector.STORAGE: 20.0,
            Sector.WIND: 25.0,
            Sector.ELECTRONICS: 50.0,
            Sector.DEFENCE: 100.0,
            Sector.INDUSTRY: 10.0,
        }
    )
    source: Source = "critmin defaults; see docs/mechanisms.md for each parameter and its basis"


class MenuSizes(Record, kw_only=True):
    """The [menu] table: sizes of the representative actions a legal menu offers.

    A menu (`WorldModel.legal_actions`, for players and RL policies) shows one action of each kind
    per line, of these sizes; any other size can be submitted. Modelling choices, not figures.
    """

    licence_approval_share: Share = 0.5
    licence_delay_turns: Annotated[int, msgspec.Meta(ge=0, le=8)] = 1
    tariff_rate: Annotated[float, msgspec.Meta(ge=0, le=5)] = 0.25
    subsidy_rate: Share = 0.2  # a production-linked incentive, share of sales value
    stockpile_release_share: Share = 0.5  # of what the stockpile holds
    investment_share_of_world: Share = 0.02  # of world capacity on the line
    program_share_of_budget: Share = 0.05  # of the annual budget
    offtake_share: Share = 0.25  # of last turn's imports (or exports) on the line
    stake_share: Share = 0.05  # a country's firms' stake in the largest foreign mine
    firm_stake_share: Share = 0.01  # a firm seat's stake in the largest foreign line
    firm_expansion_share: Share = 0.1  # a firm seat's expansion, share of its home line
    block_share_of_reserves: Share = 0.02  # a block on offer, share of the country's known reserves
    block_premium: Annotated[float, msgspec.Meta(gt=0, le=5)] = 0.5  # a bid's premium, share of value
    cell_gwh_per_year: Positive = 5.0  # cell plants an incentive brings
    cell_usd_per_kwh: NonNegative = 8.0  # incentive per kWh made
    agreement_co_finance_share: Share = 0.25  # an investment channel's co-financing
    source: Source = "critmin modelling choice: representative sizes; any other can be submitted"


class StagePrice(Record, kw_only=True):
    """One stage of a mineral's chain and its starting price."""

    stage: Stage
    price_usd_per_kg: Positive
    yield_share: Annotated[float, msgspec.Meta(gt=0, le=1)] = 1.0
    source: Source


class MineralSpec(Record, kw_only=True):
    """A mineral, its content basis, its chain and its demand response."""

    id: Mineral
    name: str
    unit: str
    stages: tuple[StagePrice, ...]
    demand_elasticity: Annotated[float, msgspec.Meta(le=0, ge=-5)] = -0.3
    source: Source


class CountrySpec(Record, kw_only=True):
    """A country (or a bloc acting as one, such as the EU)."""

    iso3: Iso3
    name: str
    blocs: tuple[str, ...] = ()
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)]
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)]
    budget_usd_m: NonNegative
    controller: Controller = "default"
    doctrine: Doctrine = "passive"
    # this country's own doctrine parameters, over its doctrine's and the [doctrines.NAME] table's
    doctrine_params: DoctrineTable | None = None  # type: ignore[valid-type]
    source: Source


class CapacitySpec(Record, kw_only=True):
    """Installed capacity of one stage of one mineral in one country."""

    country: Iso3
    mineral: Mineral
    stage: Stage
    tonnes_per_year: NonNegative
    utilisation: Share = 0.85
    unit_cost_usd_per_kg: NonNegative
    growth_per_year: Annotated[float, msgspec.Meta(ge=-0.5, le=2)] = 0.0
    source: Source


class DemandSpec(Record, kw_only=True):
    """What one sector of one country consumes of a mineral at a stage.

    Demand grows by `growth_per_year`; that rate itself shrinks by `growth_decay_per_year` of
    itself each year (an adoption curve flattening), 0 keeping it constant.
    """

    country: Iso3
    sector: Sector
    mineral: Mineral
    stage: Stage
    tonnes_per_year: NonNegative
    growth_per_year: Annotated[float, msgspec.Meta(ge=-0.5, le=2)] = 0.0
    growth_decay_per_year: Share = 0.0
    essential_share: Share = 0.0
    source: Source


class StockSpec(Record, kw_only=True):
    """A stock held at the start: a strategic stockpile or commercial inventory."""

    country: Iso3
    mineral: Mineral
    stage: Stage
    tonnes: NonNegative
    strategic: bool = True
    source: Source


class AssetSpec(Record, kw_only=True):
    """A firm's stake in capacity (at home or abroad), giving it a share of the output."""

    country: Iso3
    mineral: Mineral
    stage: Stage
    share: Share
    ships_home: bool = True
    source: Source


class FirmSpec(Record, kw_only=True):
    """A state firm or a private producer acting for (or beside) a government."""

    id: Identifier
    name: str
    country: Iso3
    kind: Literal["state_firm", "producer"] = "state_firm"
    budget_usd_m: NonNegative = 0.0
    mandate: Literal["supply_security", "profit", "national_champion"] | None = None
    assets: tuple[AssetSpec, ...] = ()
    source: Source

    @property
    def goal(self) -> str:
        """The mandate it acts on: as given, else home supply security for a state firm, profit otherwise."""
        return self.mandate or ("supply_security" if self.kind == "state_firm" else "profit")


class ReserveSpec(Record, kw_only=True):
    """Known reserves (or resources) of a mineral in a country, in tonnes of content.

    What exploration can find there; nothing where a country has no record.
    """

    country: Iso3
    mineral: Mineral
    tonnes: NonNegative
    basis: Literal["reserves", "resources"] = "reserves"
    source: Source


class ExportControlSpec(Record, kw_only=True, tag_field="kind", tag="export_control"):
    """An export control: a ban, a quota or a licence regime, by mineral, stages, destinations."""

    country: Iso3
    mineral: Mineral
    stages: tuple[Stage, ...]
    regime: Literal["ban", "quota", "licence"]
    destinations: tuple[Iso3, ...] = ()
    quota_tonnes_per_year: NonNegative | None = None
    leakage: Share = 0.0
    approval_share: Share = 1.0
    delay_turns: Annotated[int, msgspec.Meta(ge=0, le=8)] = 0
    source: Source


class TariffSpec(Record, kw_only=True, tag_field="kind", tag="tariff"):
    """An import tariff, ad valorem, on a mineral's stages from given origins (all if empty)."""

    country: Iso3
    mineral: Mineral
    stages: tuple[Stage, ...]
    rate: Annotated[float, msgspec.Meta(ge=0, le=5)]
    origins: tuple[Iso3, ...] = ()
    source: Source


class DealSpec(Record, kw_only=True):
    """A signed contract in force at the start: delivered before the spot market."""

    id: Identifier
    kind: Literal["offtake", "joint_exploration", "partnership", "stock_swap"] = "offtake"
    seller: Iso3
    buyer: Iso3
    mineral: Mineral
    stage: Stage
    tonnes_per_year: NonNegative
    price_rule: Literal["fixed", "index"] = "index"
    price_usd_per_kg: NonNegative | None = None
    duration_turns: Annotated[int, msgspec.Meta(ge=1)] = 20
    breach_penalty_usd_m: NonNegative = 0.0
    source: Source


class EventSpec(Record, kw_only=True):
    """A scripted event: an action taken for a country, or a shock, at a given turn.

    A `project` is capacity under construction before the scenario starts (or outside its
    scope) that comes on stream at the event's turn, at `unit_cost_usd_per_kg` if given. An
    event `announced` before its `turn` is known from that turn on: buyers react at the news.
    """

    turn: TurnIndex
    announced: TurnIndex | None = None
    kind: Literal["action", "disruption", "discovery", "demand_shock", "project"]
    title: str
    country: Iso3
    mineral: Mineral | None = None
    stage: Stage | None = None
    action: dict[str, object] | None = None
    share: Annotated[float, msgspec.Meta(ge=-1, le=10)] = 0.0
    duration_turns: Annotated[int, msgspec.Meta(ge=1)] = 1
    tonnes_per_year: NonNegative = 0.0
    unit_cost_usd_per_kg: NonNegative | None = None
    source: Source


class AgreementSpec(Record, kw_only=True):
    """A trade agreement (or a club of several members) in force at the start.

    `duty_free`: no party's tariffs on the covered minerals (all if `minerals` is empty) apply to
    another party's goods; `co_finance_share`: of what one party or its firm invests in another
    party's line of a covered mineral, the other parties pay this share (engine/agreements.py).
    """

    id: Identifier
    name: str
    parties: tuple[Iso3, ...]
    minerals: tuple[Mineral, ...] = ()
    duty_free: bool = True
    co_finance_share: Share = 0.0
    duration_turns: Annotated[int, msgspec.Meta(ge=1)] = 400
    source: Source


class ScoringSpec(Record, kw_only=True):
    """How countries are scored: weights of supply security, budget and welfare."""

    supply_security: NonNegative = 1.0
    budget: NonNegative = 0.1
    trade_balance: NonNegative = 0.0


class ScenarioFile(Record, kw_only=True):
    """A whole scenario file as written (before `extends` is resolved)."""

    scenario: ScenarioInfo
    market: MarketSettings = MarketSettings()
    minerals: tuple[MineralSpec, ...] = ()
    countries: tuple[CountrySpec, ...] = ()
    capacity: tuple[CapacitySpec, ...] = ()
    demand: tuple[DemandSpec, ...] = ()
    stocks: tuple[StockSpec, ...] = ()
    firms: tuple[FirmSpec, ...] = ()
    reserves: tuple[ReserveSpec, ...] = ()
    policies: tuple[ExportControlSpec | TariffSpec, ...] = ()
    deals: tuple[DealSpec, ...] = ()
    agreements: tuple[AgreementSpec, ...] = ()
    events: tuple[EventSpec, ...] = ()
    scoring: ScoringSpec = ScoringSpec()
    doctrines: DoctrineTables = DoctrineTables()
    firm_doctrine: FirmParams = FirmParams()
    menu: MenuSizes = MenuSizes()
