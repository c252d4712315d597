"""Manufacturers' decisions per country and sector, read from one set of arrays per turn.

After each turn's consumption the manufacturers of every country and sector (EVs, storage, wind,
electronics, defence, industry) look at what they got:

- substitution: they switch to a named alternative (the `[market]` substitutes) when the
  mineral stays dear and, if the scenario sets `[market] substitute_on_shortage`, also when they
  are short of more than that share of their need (supply they cannot get is dearer than any
  price); their choice drives `state.adoption`, and each start is an event with its reason;
- procurement and stock: whom they doubt (`doubt_suppliers`: a supplier whose control cut
  them, hedged at a premium the market charges on its goods, so they buy from others and from
  their own plants), the share of their supply still from doubted suppliers, the share of their
  need under contract, their inventory cover in weeks against the cover they aim for (their
  inventory target, engine/dynamics.py); when cover falls under `[market] lobby_cover_weeks`
  while short they lobby their government (an event, and `ManufacturerTurn.lobbying`, a (C, M, S)
  signal 0..1);
- lost output: what shortages cost them, counted per sector in value of final goods
  (`[market] output_value_multiple` times the value of the missing mineral at reference prices).

The engine's market clearing buys for them on the spot market, reading their doubt of each
supplier and their inventory targets; the rest of these decisions sit beside the market.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

import numpy as np

from critmin.agents.maker_figures import line_figures, sector_shares
from critmin.core.events import Event
from critmin.core.turn_view import MakersView
from critmin.core.units import usd_m
from critmin.core.vocabulary import SECTORS


@dataclass
class ManufacturerTurn:
    """The manufacturers' figures of one turn, as arrays."""

    lost_output_usd_m: np.ndarray  # (K, C) value of final output lost to shortages
    contract_share: np.ndarray  # (C, M, S) share of need contracted
    cover_weeks: np.ndarray  # (C, M, S) inventory cover after use
    cover_target_weeks: np.ndarray  # (C, M, S) the cover they aim for (their inventory target)
    doubted_share: np.ndarray  # (C, M, S) share of this turn's supply from suppliers they doubt
    lobbying: np.ndarray  # (C, M, S) 0..1: how hard they press their government
    shortage_share: np.ndarray  # (C, M, S) share of need left unmet (`shortage_share`)


def pressed_to_substitute(view: MakersView, shortage: np.ndarray) -> np.ndarray | None:
    """(O, C, S) True where makers are short enough to switch to each option (None: price alone).

    `shortage` is the turn's (C, M, S) `shortage_share`.
    """
    threshold = view.substitute_on_shortage
    if threshold is None:
        return None
    return shortage[:, view.substitute_mineral, :].transpose(1, 0, 2) > threshold


def doubt_suppliers(view: MakersView) -> tuple[np.ndarray, np.ndarray]:
    """Whom buyers doubt after this turn, and how far, 0..1: the doubt's non-zero cells and values.

    The cells are ascending flat positions of the (C_importer, C_exporter, M, S) doubt; every other
    cell is 0.

    `view.route_severity` (flat (M, S, C_exporter, C_importer) positions of the routes under some
    control, ascending, and their severity) is how far each route was under control this turn (a
    ban or a binding quota or licence 1, a standing one `control_risk_standing`). A buyer's doubt
    of a supplier of a mineral at a stage jumps to the severity of a control that
    cuts it, stays while a control stands on the route (a licence once withheld can be withheld
    again) and, once the control is lifted, keeps `supplier_doubt_memory_per_turn` of itself a
    turn: buyers remember (Japan's users diversified away from China for years after 2010,
    BEHAVIOUR.md 1c). The market reads it as the premium buyers pay to hedge that supplier
    (engine/trade.py), so a control moves their procurement to other suppliers, their own plants
    and contracts. Only last turn's non-zero cells (`view.supplier_doubt_cells`) and the
    controlled routes can be non-zero, so only they are worked out (zero times the memory is zero).
    """
    before = view.supplier_doubt.reshape(-1)
    routes, severity = view.route_severity  # the few routes under control
    importers, exporters, minerals, stages = view.supplier_doubt.shape
    m, s, exporter, importer = np.unravel_index(routes, (minerals, stages, exporters, importers))
    controlled = np.ravel_multi_index((importer, exporter, m, s), view.supplier_doubt.shape)
    cells = sorted_unique(np.concatenate((view.supplier_doubt_cells, controlled)))
    doubt = before[cells] * view.supplier_doubt_memory_per_turn  # fading where no control stands
    cut = np.where(severity >= view.control_risk_binding, severity, 0.0)  # controls that cut supply
    doubt[np.searchsorted(cells, controlled)] = np.maximum(cut, before[controlled])
    kept = doubt != 0
    return cells[kept], doubt[kept]


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """`np.unique(values)` of a few thousand integers, by a sort and a mask (~3x faster: numpy 2.5.5)."""
    ordered = np.sort(values)
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))] if len(ordered) else ordered


def read_turn(view: MakersView) -> ManufacturerTurn:
    """Lost output, contract share, cover and lobbying of every country and sector, at once."""
    sector_share = sector_shares(view.final_demand)  # (K, C, M, S)
    missing_value = usd_m(view.shortage, view.reference_price[None])
    lost = np.einsum("kcms,cms->kc", sector_share, missing_value) * view.output_value_multiple[:, None]
    line = line_figures(view)  # one compiled pass (agents/maker_figures.py)
    doubted, short = doubted_share(view), line.shortage_share
    return ManufacturerTurn(lost, line.contract_share, line.cover, line.target, doubted, line.lobbying, short)


def doubted_share(view: MakersView) -> np.ndarray:
    """(C, M, S) share of each buyer's supply this turn that came from suppliers it doubts.

    Only the lines with a doubted supplier are read (the others' share is 0), and their doubted
    flows are added up from the few doubts above 0 (`doubted_flows`), not marked on dense copies.
    """
    flows = view.flows  # (M, S, C_exporter, C_importer)
    share = np.zeros((*flows.shape[:2], flows.shape[3]))
    importer, exporter, line = doubted_routes(view.supplier_doubt, view.supplier_doubt_cells)
    present = np.bincount(line, minlength=flows.shape[0] * flows.shape[1]) > 0
    doubted = np.flatnonzero(present)  # the positions of the lines with a doubted supplier, in order
    at = (np.cumsum(present) - 1)[line]  # each doubted route's line among them
    m, s = np.unravel_index(doubted, flows.shape[:2])
    total = flows[m, s].sum(axis=1)
    part = doubted_flows(flows, m[at], s[at], exporter, importer, at, len(doubted))
    share[m, s] = np.divide(part, total, out=np.zeros_like(total), where=total > 0)
    return share.transpose(2, 0, 1)


def doubted_flows(flows, m, s, exporter, importer, at, lines: int) -> np.ndarray:
    """(lines, C_importer) the flows of the doubted routes added up per line `at` and importer.

    The routes come in the doubt's order (importer, then exporter), so each buyer's doubted
    suppliers are added from 0 in exporter order, as a sum over the exporter axis adds them.
    """
    importers = flows.shape[3]
    tonnes = flows[m, s, exporter, importer]
    added = np.bincount(at * importers + importer, weights=tonnes, minlength=lines * importers)
    return added.reshape(lines, importers)


def doubted_routes(doubt: np.ndarray, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(importer, exporter, flat (mineral, stage) line) of every doubt above 0, in array order.

    `cells` are the ascending flat positions of the doubt's non-zero cells (no scan of the dense array).
    """
    cells = cells[doubt.reshape(-1)[cells] > 0]
    importer, exporter, m, s = np.unravel_index(cells, doubt.shape)
    return importer, exporter, m * doubt.shape[3] + s


def main_sector(view: MakersView, c: int, m: int) -> str:
    """The sector that uses most of a mineral in a country."""
    use = view.final_demand[:, c, m].sum(axis=1)
    return SECTORS[int(np.argmax(use))].value


def report(view: MakersView, before: np.ndarray, after: np.ndarray, turn: ManufacturerTurn) -> list[Event]:
    """Events for the decisions that changed: substitutions begun, lobbying begun.

    `before` and `after` are the (O, C, S) adoption of every substitution option.
    """
    return [*substitutions_begun(view, before, after, turn.shortage_share), *lobbying_begun(view, turn)]


def substitutions_begun(
    view: MakersView, before: np.ndarray, after: np.ndarray, shortage: np.ndarray
) -> list[Event]:
    """An event for each country whose users of a mineral began switching to an option.

    `shortage` is the turn's (C, M, S) `shortage_share`.
    """
    names, events = view.names, []
    began = (before.sum(axis=2) == 0) & (after.sum(axis=2) > 0)  # (O, C)
    ratio = view.expected_price / np.maximum(view.reference_price[None], 1e-12)
    threshold = view.substitute_on_shortage
    for o, c in zip(*np.nonzero(began), strict=True):
        m = int(view.substitute_mineral[o])
        short, dear, multiple = (
            float(shortage[c, m].max()),
            float(ratio[c, m].max()),
            view.substitute_price_multiple[o],
        )
        why = (
            f"short of {short:.0%} of need"
            if threshold is not None and short > threshold and dear <= multiple
            else f"price {dear:.1f}x reference, above the option's {multiple:.1f}x"
            + (f", short of {short:.0%} of need" if short > 0.005 else "")
        )
        events.append(
            Event(
                turn=view.turn,
                kind="manufacturer_substitutes",
                actor=f"{names.countries[c]}:{main_sector(view, c, m)}",
                detail=f"{names.countries[c]}'s {names.minerals[m]} users begin switching to "
                f"{view.substitute_names[o]} (reason: {why})",
                mineral=names.minerals[m],
            )
        )
    return events


def lobbying_begun(view: MakersView, turn: ManufacturerTurn) -> list[Event]:
    """An event for each country whose users of a mineral began lobbying their government."""
    names, events, shortage = view.names, [], turn.shortage_share
    lobbying = stage_max(turn.lobbying)
    for c, m in zip(*np.nonzero((lobbying >= 1.0) & (view.lobbying_before < 1.0)), strict=True):
        events.append(
            Event(
                turn=view.turn,
                kind="manufacturer_lobbies",
                actor=f"{names.countries[c]}:{main_sector(view, c, m)}",
                detail=f"{names.countries[c]}'s {names.minerals[m]} users lobby for supply (reason: short of "
                f"{shortage[c, m].max():.0%} of need with {turn.cover_weeks[c, m].min():.0f} weeks "
                f"of cover against {turn.cover_target_weeks[c, m].max():.0f} wanted, "
                f"{turn.contract_share[c, m].max():.0%} under contract, "
                f"{turn.doubted_share[c, m].max():.0%} from suppliers they doubt)",
                target=names.countries[c],
                mineral=names.minerals[m],
            )
        )
    return events


def stage_max(figures: np.ndarray) -> np.ndarray:
    """The largest of a (C, M, S) array's figures over its few stages, as `max(axis=2)` finds.

    One `np.maximum` per stage: numpy's reduction over a last axis of 3 costs ~10x as much.
    """
    return reduce(np.maximum, (figures[..., s] for s in range(figures.shape[2])))
