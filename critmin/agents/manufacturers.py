"""Manufacturers' supply risk, and the pressure they put on their government.

Battery, magnet, electronics, wind and defence makers buy on the spot market and hold
inventory inside the engine's market clearing. What they *want* — secure supply when shortages
or price spikes hit, or when they depend on a supplier that restricts exports or is not trusted
— reaches the game through their country's decisions: the doctrines read `supply_risks` and act
(stockpile purchases, offtakes, programmes, investment) when the manufacturers' `Pressure` on a
line passes the doctrine's threshold.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import msgspec

from critmin.agents.doctrine_params import DoctrineParams
from critmin.core.observation import MineralView

Line = tuple[str, str]


class SupplyRisk(msgspec.Struct, frozen=True, kw_only=True):
    """Supply risk on one line (mineral, stage) as a country's manufacturers see it.

    Attributes:
        exposure: tonnes per turn that must come from abroad: imports plus unmet need.
        shortage_share: share of last turn's final need left unmet.
        price_spike: how far the local price stands above the reference price (1 = doubled).
        concentration: Herfindahl index of the import origins (1 = a single supplier).
        adversary_share: share of imports from suppliers that restrict exports to the country
            or that it does not trust.
        main_origin: the largest supplier ('' if none).
        score: the weighted risk, 0..1.

    """

    mineral: str
    stage: str
    exposure: float
    shortage_share: float
    price_spike: float
    concentration: float
    adversary_share: float
    main_origin: str
    score: float


def supply_risk(
    view: MineralView, trust: Mapping[str, float], restricting: Collection[str], params: DoctrineParams
) -> SupplyRisk:
    """The risk on one line, from last turn's figures and who restricts or is distrusted.

    Worked out for every line a country imports, every turn, so written for speed: conditional
    expressions stand for `min` and `max` (and give what they give, NaN included), and the loop
    over origins is skipped for the common single origin (same figures).
    """
    imports, shortage = view.imports, view.shortage
    need = view.demand if view.demand > 0 else imports
    shortage_share = shortage / need if need > 0 else 0.0
    reference = view.reference_price_usd_per_kg
    spike = view.price_usd_per_kg / reference - 1.0 if reference > 0 else 0.0
    spike = 0.0 if spike < 0.0 else spike
    origins, adversary_trust = view.imports_by_origin, params.adversary_trust
    if len(origins) == 1:
        ((main_origin, tonnes),) = origins.items()
        share = tonnes / tonnes
        concentration = share * share
        hostile = main_origin in restricting or trust.get(main_origin, 0.0) < adversary_trust
        adversary = share if hostile else 0.0
        main_origin = main_origin if share > 0.0 else ""
    else:
        total = sum(origins.values())
        concentration = adversary = largest = 0.0
        main_origin = ""
        for code, tonnes in origins.items():
            share = tonnes / total
            concentration += share * share
            if code in restricting or trust.get(code, 0.0) < adversary_trust:
                adversary += share
            if share > largest:
                largest, main_origin = share, code
    weights = params.risk
    shortage_signal = weights.shortage_gain * shortage_share
    score = (
        weights.shortage * (1.0 if shortage_signal > 1.0 else shortage_signal)
        + weights.price_spike * (weights.spike_cap if spike > weights.spike_cap else spike)
        + weights.concentration * concentration
        + weights.adversary * adversary
    )
    return SupplyRisk(
        mineral=view.mineral,
        stage=view.stage,
        exposure=imports + shortage,
        shortage_share=shortage_share,
        price_spike=spike,
        concentration=concentration,
        adversary_share=adversary,
        main_origin=main_origin,
        score=min(max(score, 0.0), 1.0),
    )


class Pressure:
    """Manufacturers' pressure on their government, per line: it jumps with risk and fades slowly.

    Deterministic memory kept by a controller between turns.
    """

    def __init__(self, memory: float) -> None:
        self.memory = memory
        self.level: dict[Line, float] = {}

    def update(self, risks: Mapping[Line, SupplyRisk]) -> dict[Line, float]:
        """Pressure now: the higher of today's risk and what is kept of yesterday's."""
        memory = self.memory
        level = {line: memory * kept for line, kept in self.level.items()}
        for line, risk in risks.items():
            kept, score = level.get(line, 0.0), risk.score
            level[line] = kept if kept > score else score  # max(score, kept)
        self.level = level
        return level

    def hear(self, lobbying: Mapping[str, float]) -> None:
        """Manufacturers' lobbying ("mineral/stage" -> 0..1) raises the pressure on those lines."""
        for key, loud in lobbying.items():
            mineral, stage = key.split("/")
            line = (mineral, stage)
            if loud > self.level.get(line, 0.0):
                self.level[line] = loud
