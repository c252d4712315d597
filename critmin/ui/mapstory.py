"""Which flows the map tells: the player's own trade (the rest faded), or the world's routes aggregated.

No pygame: plain choices over the engine's snapshot. "your trade" keeps the flows into and out
of the player's country; "all flows" with every mineral sums each exporter-importer pair's trade
by value (coloured by its biggest mineral) instead of drawing hundreds of lines.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from critmin.core.snapshot import Flow, WorldSnapshot

YOUR_TRADE, ALL_FLOWS = "your trade", "all flows"
VIEWS = (YOUR_TRADE, ALL_FLOWS)
MAX_ROUTES = 80  # aggregated routes drawn in the all-flows view, the biggest by value
AGGREGATE = "all"  # the stage of an aggregated flow


@dataclass(frozen=True)
class Story:
    """The flows drawn in full, the flows drawn faded, and how line width is measured."""

    shown: list[Flow]
    faded: list[Flow]
    width_by: str  # "tonnes" (relative to the largest flow of its mineral) or "value"
    note: str = ""


def flow_values(snapshot: WorldSnapshot) -> dict[tuple[str, str], float]:
    """USD per tonne of each line, from the mean price countries paid last turn."""
    prices: dict[tuple[str, str], list[float]] = defaultdict(list)
    for f in snapshot.figures:
        if f.price > 0:
            prices[(f.mineral, f.stage)].append(f.price)
    return {line: 1000 * sum(p) / len(p) for line, p in prices.items()}


def aggregate(flows: list[Flow], values: dict[tuple[str, str], float]) -> list[Flow]:
    """One flow per exporter-importer pair: its trade's value (USD m per turn), its biggest mineral."""
    totals: dict[tuple[str, str], float] = defaultdict(float)
    by_mineral: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for f in flows:
        value = f.tonnes * values.get((f.mineral, f.stage), 0.0) / 1e6
        totals[(f.exporter, f.importer)] += value
        by_mineral[(f.exporter, f.importer)][f.mineral] += value
    return [
        Flow(max(by_mineral[pair], key=by_mineral[pair].get), AGGREGATE, pair[0], pair[1], total)
        for pair, total in totals.items()
        if total > 0
    ]


def story(
    snapshot: WorldSnapshot, flows: list[Flow], view: str, player: str | None, every_mineral: bool
) -> Story:
    """What to draw of `flows` (already filtered) for a view."""
    if view == YOUR_TRADE and player is not None:
        yours = [f for f in flows if player in (f.exporter, f.importer)]
        others = [f for f in flows if player not in (f.exporter, f.importer)]
        return Story(yours, others, "tonnes", f"{len(yours)} flows of yours")
    if every_mineral and len(flows) > MAX_ROUTES:
        routes = sorted(aggregate(flows, flow_values(snapshot)), key=lambda f: -f.tonnes)
        note = f"{min(len(routes), MAX_ROUTES)} biggest of {len(routes)} routes, {len(flows)} flows"
        return Story(routes[:MAX_ROUTES], [], "value", note)
    return Story(flows, [], "tonnes", f"{len(flows)} flows")
