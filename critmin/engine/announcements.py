"""News of export controls: buyers react when a control is announced or imposed, not when it bites.

A scenario event (an export control or a disruption) may be `announced` some turns before it
takes effect (the Wa tin halt was announced on 15 April 2023 and in force from 1 August). From
the announcement until it is in force, and in the turn a control is imposed, each buyer measures
the share of its recent supply that the control will cut (its exposure to the news); the
inventory target then rises at once (precautionary buying, export rushes before the effective
date), so prices move in the quarter the news breaks (BEHAVIOUR.md section 3: tin +8-9% in a day
at the Wa announcement).
"""

from __future__ import annotations

import numpy as np

from critmin.engine import dynamics
from critmin.engine.exports import known_supply
from critmin.engine.world import World


def hear_announcements(world: World) -> None:
    """At the start of a turn: the exposure of every buyer to the cuts announced and not yet in force."""
    pending = pending_controls(world.scenario.spec.events, world.turn)
    state = world.state
    state.news_exposure, state.news_market = news_exposure(pending, world.index, *known_supply(world))


def react_to_news(world: World, imposed: list[dict]) -> None:
    """Buyers stock up at once on the controls announced, or imposed this turn (as action dicts).

    A scripted disruption that strikes unannounced this turn is news as it strikes.
    """
    state = world.state
    news = [*imposed, *breaking_disruptions(world.scenario.spec.events, world.turn)]
    exposure, market = news_exposure(news, world.index, *known_supply(world))
    state.news_exposure = np.maximum(state.news_exposure, exposure)
    state.news_market = np.maximum(state.news_market, market)
    if state.news_market.any():
        dynamics.react_to_news(state, world.constants, world.settings)


def cut_share(control: dict, recent_exports: float) -> float:
    """How much of its exports a control cuts: all for a ban, the refused share for a licence.

    A quota cuts what recent exports exceed it by (quota per year against exports per turn).
    """
    regime = control.get("regime")
    if regime == "ban":
        return 1.0
    if regime == "licence":
        return 1.0 - float(control.get("approval_share", 1.0))
    quota = control.get("quota_tonnes_per_year")
    if quota is None or recent_exports <= 0:
        return 0.0
    return float(np.clip(1.0 - quota / 4.0 / recent_exports, 0.0, 1.0))


def news_exposure(
    controls: list[dict], index, recent_exports, domestic: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(C, M, S) share of each buyer's supply that announced or new controls will cut, and of its market's.

    The first is what a buyer stocks up against; the second, the share of the whole supply of
    the countries the control reaches (outside the exporter), is what moves everyone's price
    expectation there, exporters to those countries included: markets are one.

    Args:
        controls: impose_export_control actions as dicts (country, mineral, stages, regime, ...).
        index: the model's Index.
        recent_exports: average tonnes per turn of late over routes (engine/exports.py `RouteExports`).
        domestic: (C, M, S) tonnes bought at home last turn.

    """
    exposure, market = np.zeros(domestic.shape), np.zeros(domestic.shape)
    if not controls:
        return exposure, market  # no news: nobody's supply is cut
    reached_by = np.zeros(domestic.shape[:2], dtype=bool)  # (C, M) markets some control reaches
    supply = recent_exports.imports() + domestic  # (C, M, S)
    for control in controls:
        exporter, m = index.country[control["country"]], index.mineral[control["mineral"]]
        targets = [index.country[d] for d in control.get("destinations", ()) if d in index.country]
        for stage in control["stages"]:
            s = index.stage[stage]
            shipped = recent_exports.row(m, s, exporter)
            if targets:
                mask = np.zeros_like(shipped, dtype=bool)
                mask[targets] = True
                shipped = np.where(mask, shipped, 0.0)
            shipped[exporter] = 0.0
            cut = cut_share(control, float(recent_exports.row(m, s, exporter).sum()))
            share = np.divide(shipped, supply[:, m, s], out=np.zeros_like(shipped), where=supply[:, m, s] > 0)
            exposure[:, m, s] = np.maximum(exposure[:, m, s], cut * share)
            reached = (
                np.ones(len(shipped), dtype=bool)
                if not targets
                else np.isin(np.arange(len(shipped)), targets)
            )
            reached[exporter] = False
            reached_by[:, m] |= reached
            total = supply[reached, m, s].sum()
            if total > 0:
                market[reached, m, s] = np.maximum(market[reached, m, s], cut * shipped.sum() / total)
    exposure = np.clip(exposure, 0.0, 1.0)
    market = np.clip(market, 0.0, 1.0)
    return exposure, down_the_chain(exposure, market, reached_by, recent_exports, domestic)


def down_the_chain(exposure, market, reached_by, recent_exports, domestic) -> np.ndarray:
    """News of a cut in processors' feed is news of a cut in what they make, stage by stage.

    The market of stage s + 1 learns the cut tonnes of the feed exposure of its processors,
    weighted by what each supplies, over the line's supply in the markets the controls reach
    (`reached_by`, (C, M): the exporter's own market excluded, as for the cut itself), and
    passes it on to the next stage: a ban on the DRC's cobalt
    hydroxide moves expectations of cobalt metal, as it did in 2025 (metal +43% in the first weeks,
    hydroxide +84%: metals-wire, March 2025) [M]. A buyer's own exposure stays that of its own
    routes: its suppliers still hold feed (counting it too sent 2025Q1's metal to 1.6x, band
    0.85-1.35).
    """
    if not exposure.any():
        return market  # no cut to pass on
    recent_exports = recent_exports.by_exporter()  # (C_exporter, M, S, C_importer)
    supply = recent_exports.sum(axis=0).transpose(2, 0, 1) + domestic  # (C, M, S)
    feed_cut = exposure.copy()  # share of each processor's feed cut, passed on stage by stage
    for s in range(exposure.shape[2] - 1):
        from_feed = np.einsum("pmj,pm->jm", recent_exports[:, :, s + 1], feed_cut[:, :, s])
        cut = from_feed + domestic[:, :, s + 1] * feed_cut[:, :, s]  # (C, M) tonnes
        line = supply[:, :, s + 1]
        share = np.divide(cut, line, out=np.zeros_like(cut), where=line > 0)
        feed_cut[:, :, s + 1] = np.maximum(feed_cut[:, :, s + 1], np.clip(share, 0.0, 1.0))
        total = (line * reached_by).sum(axis=0)
        whole = np.divide((cut * reached_by).sum(axis=0), total, out=np.zeros_like(total), where=total > 0)
        heard = np.where(reached_by, np.clip(whole, 0.0, 1.0)[None], 0.0)
        market[:, :, s + 1] = np.maximum(market[:, :, s + 1], heard)
    return market


def pending_controls(events, turn: int) -> list[dict]:
    """Cuts announced by now that are not yet in force (announced <= turn < turn of effect).

    Export controls as written; an announced disruption (a mining halt) as a cut of its share
    of the producer's shipments to everyone.
    """
    pending = []
    for event in events:
        if event.announced is None or not event.announced <= turn < event.turn:
            continue
        if event.kind == "action" and (event.action or {}).get("type") == "impose_export_control":
            pending.append({"country": event.country, **event.action})
        elif event.kind == "disruption" and event.mineral is not None:
            pending.append(disruption_as_cut(event))
    return pending


def breaking_disruptions(events, turn: int) -> list[dict]:
    """Scripted disruptions that strike this turn unannounced: the news breaks as they happen.

    (An announced one was news at its announcement.) Each as a cut of its share of the
    producer's shipments to everyone, like an announced one.
    """
    return [
        disruption_as_cut(event)
        for event in events
        if event.kind == "disruption" and event.turn == turn and event.announced is None and event.mineral
    ]


def disruption_as_cut(event) -> dict:
    """A disruption event as the control-like cut the news measures."""
    stage = event.stage.value if event.stage is not None else "mine"
    return {
        "country": event.country,
        "mineral": event.mineral.value,
        "stages": [stage],
        "regime": "licence",
        "approval_share": 1.0 - min(event.share, 1.0),
    }
