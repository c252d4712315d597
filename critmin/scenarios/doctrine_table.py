"""The `[doctrines.NAME]` tables of a scenario: the parameters of the AI doctrines, typed and bounded.

`DoctrineParams` is the full parameter record of one doctrine (its values per doctrine and per
country, with their sources, are in `critmin.agents.doctrine_params`). A scenario's
`[doctrines.NAME]` table is a `DoctrineTable`: the same fields, each optional, that replace the
doctrine's own values for every country on that doctrine, plus the `source` of the figures. A
scenario without the table plays the doctrines as documented.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from critmin.core.vocabulary import Mineral

Share = Annotated[float, msgspec.Meta(ge=0, le=1)]
NonNegative = Annotated[float, msgspec.Meta(ge=0)]
Positive = Annotated[float, msgspec.Meta(gt=0)]
Turns = Annotated[int, msgspec.Meta(ge=1, le=200)]
Iso3 = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$")]
Program = Literal["exploration", "recycling", "processing"]
Mandate = Literal["supply_security", "profit", "national_champion"]


class RiskWeights(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How manufacturers read supply risk on a line (weights of a 0..1 score)."""

    shortage: NonNegative = 0.45  # share of need unmet last turn (x3, capped at 1)
    price_spike: NonNegative = 0.25  # local price above the reference price (a doubling counts 1)
    concentration: NonNegative = 0.1  # Herfindahl index of import origins
    adversary: NonNegative = 0.35  # share of imports from suppliers that control or are not trusted
    shortage_gain: Positive = 3.0  # a share of need unmet this many times over counts as a full signal
    spike_cap: Positive = 1.0  # a price this far above reference counts as a full price signal


class DoctrineParams(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Parameters of one doctrine (see docs/ai-and-diplomacy.md for what each one drives).

    Quantities are shares, multiples of reference prices, turns (quarters) or probabilities per
    turn; money shares are of the treasury or of the per-turn budget.
    """

    name: str = "passive"
    # manufacturers: reading and remembering supply risk
    risk: RiskWeights = msgspec.field(default_factory=RiskWeights)
    adversary_trust: Share = 0.45  # a supplier trusted less than this counts as an adversary
    partner_trust: Share = 0.5  # trust needed to seek a partner (offtakes, stakes, partnerships)
    pressure_memory: Share = 0.8  # share of last turn's pressure manufacturers keep up
    act_on_pressure: NonNegative = 0.2  # pressure at which the government acts on a line
    # valuation of deals
    horizon_turns: Turns = 8  # turns of a deal's life a government counts
    security_value: NonNegative = 1.5  # USD per kg of secured supply at risk 1, x the reference price
    outlet_value: NonNegative = 0.03  # seller: an assured outlet, as a share of the contract's value
    leverage_value: NonNegative = 0.0  # seller: leverage given up by contracting a dominated line
    raw_export_aversion: NonNegative = 0.0  # seller: cost of contracting unprocessed (mine-stage) output
    exploration_option: NonNegative = 0.25  # buyer: share of secured value a joint exploration promises
    # importing: contracts, stockpiles, programmes, firms, investment
    offtake_cover: Share = 0.5  # share of exposed imports to cover with contracts
    max_proposals_per_turn: Annotated[int, msgspec.Meta(ge=0, le=20)] = 2
    offtake_duration_turns: Turns = 12
    penalty_quarters: NonNegative = 1.0  # breach penalty asked, in quarters of the contract's value
    stockpile_target_quarters: NonNegative = 0.0  # strategic stock target, in quarters of exposure
    stockpile_budget_share: Share = 0.2  # of the treasury, per turn, for stockpile purchases
    stockpile_price_cap: Positive = 2.5  # highest price paid for the stockpile, x reference
    program_budget_share: Share = 0.25  # of the per-turn budget, for programmes when pressed
    programs: tuple[Program, ...] = ("recycling", "exploration")
    recycling_minerals: tuple[Mineral, ...] = (
        Mineral.LITHIUM, Mineral.COBALT, Mineral.NICKEL, Mineral.COPPER, Mineral.GRAPHITE,
    )  # fmt: skip
    invest_budget_share: Share = 0.3  # of the treasury, for capacity at home or abroad
    reserve_quarters: NonNegative = 1.5  # budget kept back besides the scheduled outlays (agents/reserve.py)
    invest_share_of_exposure: NonNegative = 0.25  # new capacity, as a share of the exposure it answers
    stake_share: Annotated[float, msgspec.Meta(gt=0, le=1)] = 0.05  # share of a line abroad a firm bids for
    stake_every_turns: Turns = 4
    exploration_partners: tuple[Iso3, ...] = ()  # countries sought for joint exploration
    firm_for: dict[str, str] = msgspec.field(default_factory=dict)  # mineral (or "*") -> acting firm id
    retaliation_probability: Share = 0.0  # chance per turn of answering a control or tariff against us
    # dominant processor
    leverage_probability: Share = 0.0  # chance per turn of licensing a dominated line to an adversary
    leverage_approval_share: Share = 0.5
    dominance_share: Share = 0.5  # share of world capacity that makes a line "dominated"
    ease_after_turns: Turns = 4  # a licence regime is reviewed after this many turns
    glut_price_ratio: NonNegative = 0.8  # ... and eased if the home price fell below this x reference
    ease_step: Share = 0.1  # approval share added at each easing
    ease_cap: Share = 0.8  # a dominated line's licence regime is eased up to this, never lifted
    dip_price_ratio: NonNegative = 0.0  # state reserve buys imported inputs below this x reference
    dip_buy_quarters: NonNegative = 0.5  # ... up to this many quarters of imports per turn
    # resource nationalist
    downstream_probability: Share = 0.0  # chance per turn of restricting raw exports once triggered
    downstream_min_share: Share = 0.1  # share of world mine capacity that gives leverage
    downstream_price_ratio: Positive = 1.5  # trigger: the world ore price at this x reference or above
    downstream_follows_peers: bool = True  # trigger: another producer restricts raw exports of the ore
    raw_quota_share: Share = 0.6  # export quota, as a share of recent raw exports
    price_support_share: Share = 0.4  # world share above which a producer defends its price
    price_support_ratio: NonNegative = 0.0  # ... with a quota when its price is below this x reference
    price_support_turns: Turns = 2  # ... for this many turns in a row
    # aligned supplier
    seek_offtake_probability: Share = 0.0  # chance per turn of offering an offtake on a line
    max_share_to_one_buyer: Share = 0.5  # of contracted exports, to balance between blocs
    # timing, sizes and judgements every doctrine shares (critmin assumptions [L])
    release_at_shortage: Share = 0.1  # the stockpile is released when this share of need goes unmet
    acute_shortage: Share = 0.05  # capacity is built at home only when this share of need goes unmet...
    acute_price_spike: NonNegative = 0.25  # ... or the local price is this far above the reference
    invest_every_turns: Turns = 8  # a line gets capacity at home at most this often
    exploration_every_turns: Turns = 8  # joint exploration of a mineral is sought at most this often
    investor_every_turns: Turns = 8  # partners to finance processing are sought at most this often
    repropose_after_turns: Turns = 6  # a counterparty asked on a line is not asked again before this
    retaliation_tariff: Annotated[float, msgspec.Meta(ge=0, le=5)] = 0.25  # rate of a retaliatory tariff
    joint_exploration_turns: Turns = 20  # term of a joint exploration proposed
    joint_exploration_share: NonNegative = 0.2  # the partner's entitlement, as a share of its exposure
    floor_share_of_reference: NonNegative = 0.8  # suppliers' price floor in the offtakes they offer
    min_offer_tonnes_per_year: NonNegative = 1.0  # offers below this are not worth the paperwork
    counter_scales: tuple[Share, ...] = (0.5, 0.25)  # volumes tried in a counter-offer, shares of the offer's
    excess_loss: Share = 0.5  # share of the price lost on contracted tonnes beyond need (held, resold later)
    stock_draw: Share = 0.25  # share of surplus stock a seller counts as available per turn
    capacity_value: NonNegative = 0.5  # a host's value of capacity a partner finances, per USD of capex
    glut_gain: NonNegative = 2.0  # how much more an outlet is worth per unit of price below reference
    source: str = ""


class FirmParams(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The [firm_doctrine] table: how firms' AI decides (agents/firm_doctrine.py).

    Critmin assumptions [L], documented in docs/ai-and-diplomacy.md; a scenario may set any of them.
    """

    act_every_turns: Turns = 4  # a firm takes a decision at most once a year
    spend_share: Share = 0.5  # share of its budget one decision may spend
    max_stake: Share = 0.1  # largest share of a line bought at once
    min_stake: Share = 0.0005  # smaller stakes are not worth the deal
    hurdle_margin: NonNegative = 0.2  # margin over price at long-run prices a profit decision needs
    expand_share: NonNegative = 0.1  # an expansion adds this share of the line's capacity
    payback_years: Positive = 10.0  # horizon over which an ordered stake must pay back
    veto_trust: Share = 0.4  # the government vetoes stakes in countries it trusts less
    bid_margin_share: NonNegative = 0.8  # a block bid's premium: this + loss tolerance, x the mine margin
    partner_offtake_share: Share = 0.2  # an offtake offered to a foreign state firm: share of its output
    partner_memory_turns: Turns = 8  # a firm asked is not asked again for this many turns
    keep_home_import_share: Share = 0.25  # a state firm sells none abroad of a line home imports this much of
    loss_tolerance: dict[Mandate, Share] = msgspec.field(
        default_factory=lambda: {"supply_security": 0.5, "national_champion": 0.25, "profit": 0.0}
    )  # share of an ordered stake's cost the firm accepts not to earn back
    source: str = "critmin assumptions [L] (docs/ai-and-diplomacy.md)"


NOT_IN_TABLE = ("name", "source")

DoctrineTable = msgspec.defstruct(
    "DoctrineTable",
    [
        *(
            (field.name, field.type | None, None)
            for field in msgspec.structs.fields(DoctrineParams)
            if field.name not in NOT_IN_TABLE
        ),
        ("source", Annotated[str, msgspec.Meta(min_length=3)]),
    ],
    kw_only=True,
    frozen=True,
    forbid_unknown_fields=True,
    repr_omit_defaults=True,
    module=__name__,
    namespace={
        "__doc__": "A scenario's [doctrines.NAME] table: doctrine parameters it replaces, and their source."
    },
)


class DoctrineTables(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The [doctrines] table: one optional [doctrines.NAME] table per AI doctrine."""

    dominant_processor: DoctrineTable | None = None  # type: ignore[valid-type]
    resource_nationalist: DoctrineTable | None = None  # type: ignore[valid-type]
    diversifying_importer: DoctrineTable | None = None  # type: ignore[valid-type]
    aligned_supplier: DoctrineTable | None = None  # type: ignore[valid-type]

    def table(self, doctrine: str):
        """The scenario's table for a doctrine, or None."""
        return getattr(self, doctrine, None) if doctrine in self.__struct_fields__ else None


def changes(table) -> dict[str, object]:
    """The parameters a doctrine table sets (those it leaves out keep the doctrine's values)."""
    return {
        name: value
        for name in table.__struct_fields__
        if name not in NOT_IN_TABLE and (value := getattr(table, name)) is not None
    }
