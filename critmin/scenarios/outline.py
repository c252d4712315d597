"""The outline of a scenario that front ends read (core/outline.py), built from its spec."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from critmin.core.outline import (
    FirmAsset,
    LineAmount,
    OutlineCountry,
    OutlineFirm,
    OutlineMineral,
    ScriptedEvent,
    WorldOutline,
)
from critmin.scenarios.loader import Scenario


def scenario_outline(scenario: Scenario, *, turns: int | None = None, script: bool = True) -> WorldOutline:
    """The outline of `scenario` played for `turns` (default: its own); `script`: with its timeline."""
    spec = scenario.spec
    info = spec.scenario
    return WorldOutline(
        id=scenario.id,
        title=info.title,
        description=info.description,
        start=info.start,
        turns=info.turns if turns is None else turns,
        countries=[
            OutlineCountry(
                iso3=c.iso3,
                name=c.name,
                lat=c.lat,
                lon=c.lon,
                controller=c.controller,
                doctrine=c.doctrine,
                budget_usd_m=c.budget_usd_m,
                blocs=list(c.blocs),
            )
            for c in spec.countries
        ],
        minerals=[OutlineMineral(id=m.id.value, name=m.name) for m in spec.minerals],
        demand=summed((d.country, d.mineral.value, d.stage.value, d.tonnes_per_year) for d in spec.demand),
        capacity=summed(
            (c.country, c.mineral.value, c.stage.value, c.tonnes_per_year * c.utilisation)
            for c in spec.capacity
        ),
        stocks=summed((s.country, s.mineral.value, s.stage.value, s.tonnes) for s in spec.stocks),
        events=[
            ScriptedEvent(turn=e.turn, kind=e.kind, country=e.country, title=e.title) for e in spec.events
        ]
        if script
        else [],
        firms=[firm_outline(f) for f in spec.firms],
    )


def summed(rows: Iterable[tuple[str, str, str, float]]) -> list[LineAmount]:
    """Quantities summed per country and line (in order of first appearance), to 3 decimals."""
    totals: dict[tuple[str, str, str], float] = defaultdict(float)
    for country, mineral, stage, tonnes in rows:
        totals[(country, mineral, stage)] += tonnes
    return [LineAmount(*key, round(tonnes, 3)) for key, tonnes in totals.items()]


def firm_outline(firm) -> OutlineFirm:
    """A firm of the scenario with its mandate (as it acts on it), budget and assets."""
    return OutlineFirm(
        id=firm.id,
        name=firm.name,
        country=firm.country,
        kind=firm.kind,
        mandate=firm.goal,
        budget_usd_m=firm.budget_usd_m,
        assets=[
            FirmAsset(
                country=a.country,
                mineral=a.mineral.value,
                stage=a.stage.value,
                share=a.share,
                ships_home=a.ships_home,
            )
            for a in firm.assets
        ],
    )
