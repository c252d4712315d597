"""Manufacturers' decisions per country and sector, read from one set of arrays per turn.

After each turn's consumption the manufacturers of every country and sector (EVs, storage, wind,
electronics, defence, industry) look at what they got:

- substitution: they switch to a named alternative (critmin/engine/substitution.py) when the
  mineral stays dear and, if the scenario sets `[market] substitute_on_shortage`, also when they
  are short of more than that share of their need (supply they cannot get is dearer than any
  price); their choice drives `state.adoption`, and each start is an event with its reason;
- procurement and stock: whom they doubt (`doubt_suppliers`: a supplier whose control cut
  them, hedged at a premium the market charges on its goods, so they buy from others and from
  their own plants), the share of their supply still from doubted suppliers, the share of their
  need under contract, their inventory cover in weeks against the cover they aim for (their
  inventory target, engine/dynamics.py); when cover falls under `LOBBY_COVER_WEEKS` while short
  they lobby their government (an event, and `ManufacturerTurn.lobbying`, a (C, M, S) signal 0..1);
- lost output: what shortages cost them, counted per sector in value of final goods
  (`OUTPUT_VALUE_MULTIPLE` times the value of the missing mineral at reference prices).

The engine's market clearing buys for them on the spot market, reading their doubt of each
supplier and their inventory targets; the rest of these decisions sit beside the market.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from critmin.core.vocabulary import SECTORS

if TYPE_CHECKING:
    from critmin.engine.model import WorldModel

LOBBY_SHORTAGE = 0.1
"""Share of need left unmet at which short manufacturers press their government hardest. [L]"""

LOBBY_COVER_WEEKS = 6.0
"""Inventory cover under which short manufacturers lobby their government. critmin assumption [L]."""

WEEKS_PER_TURN = 13.0

OUTPUT_VALUE_MULTIPLE = {
    "ev": 30.0,
    "storage": 20.0,
    "wind": 25.0,
    "electronics": 50.0,
    "defence": 100.0,
    "industry": 10.0,
}
"""Value of final output lost per USD of critical mineral missing, by sector: a magnet or a cell
is a small share of a car's, turbine's, phone's or missile's value but stops its assembly.
Orders of magnitude, critmin assumption [L] (cf. the IEA's and the EU CRMA's framing of
critical inputs as small cost, large output at stake)."""


@dataclass
class ManufacturerTurn:
    """The manufacturers' figures of one turn, as arrays."""

    lost_output_usd_m: np.ndarray  # (K, C) value of final output lost to shortages
    contract_share: np.ndarray  # (C, M, S) share of need contracted
    cover_weeks: np.ndarray  # (C, M, S) inventory cover after use
    cover_target_weeks: np.ndarray  # (C, M, S) the cover they aim for (their inventory target)
    doubted_share: np.ndarray  # (C, M, S) share of this turn's supply from suppliers they doubt
    lobbying: np.ndarray  # (C, M, S) 0..1: how hard they press their government


def pressed_to_substitute(world: WorldModel, shortage_share: np.ndarray) -> np.ndarray | None:
    """(O, C, S) True where makers are short enough to switch to each option (None: price alone)."""
    threshold = world.settings.substitute_on_shortage
    if threshold is None:
        return None
    substitutes = world.constants.substitutes
    return shortage_share[:, substitutes.mineral, :].transpose(1, 0, 2) > threshold


def doubt_suppliers(state, settings, severity: np.ndarray) -> None:
    """Buyers choose whom to doubt: a supplier whose controls reached them, and for how long.

    `severity` (M, S, C_exporter, C_importer) is how far each route was under control this turn
    (a ban or a binding quota or licence 1, a standing one `control_risk_standing`). A buyer's
    doubt of a supplier of a mineral at a stage jumps to the severity of a control that cuts it,
    stays while a control stands on the route (a licence once withheld can be withheld again)
    and, once the control is lifted, keeps `supplier_doubt_memory_per_turn` of itself a turn: buyers
    remember (Japan's users diversified away from China for years after 2010, BEHAVIOUR.md 1c).
    The market reads it as the premium buyers pay to hedge that supplier (engine/trade.py), so a
    control moves their procurement to other suppliers, their own plants and contracts.
    """
    route = severity.transpose(3, 2, 0, 1)  # (C_importer, C_exporter, M, S)
    cut = np.where(route >= settings.control_risk_binding, route, 0.0)  # controls that cut supply
    memory = np.where(route > 0, 1.0, settings.supplier_doubt_memory_per_turn)  # kept while one stands
    state.supplier_doubt = np.maximum(cut, state.supplier_doubt * memory)


def read_turn(world: WorldModel, need: np.ndarray, shortage: np.ndarray) -> ManufacturerTurn:
    """Lost output, contract share, cover and lobbying of every country and sector, at once."""
    state, constants = world.state, world.constants
    demand = state.final_demand  # (K, C, M, S)
    total = demand.sum(axis=0)
    sector_share = np.divide(demand, total[None], out=np.zeros_like(demand), where=total[None] > 0)
    missing_value = shortage * constants.reference_price[None] / 1000
    multiple = np.array([OUTPUT_VALUE_MULTIPLE[s.value] for s in SECTORS])
    lost = np.einsum("kcms,cms->kc", sector_share, missing_value) * multiple[:, None]
    contracted = np.zeros_like(need)
    for deal in world.deals.active(world.turn):
        if deal.kind != "equity":
            contracted[world.position(deal.buyer, deal.mineral, deal.stage)] += deal.tonnes_per_turn
    contract_share = np.minimum(np.divide(contracted, need, out=np.zeros_like(need), where=need > 0), 1.0)
    cover = np.divide(state.consumer_stock, need, out=np.zeros_like(need), where=need > 0) * WEEKS_PER_TURN
    short = np.divide(shortage, need, out=np.zeros_like(need), where=need > 0)
    lobbying = np.where(cover < LOBBY_COVER_WEEKS, np.clip(short / LOBBY_SHORTAGE, 0.0, 1.0), 0.0)
    target = state.inventory_target * WEEKS_PER_TURN
    return ManufacturerTurn(lost, contract_share, cover, target, doubted_share(world), lobbying)


def doubted_share(world: WorldModel) -> np.ndarray:
    """(C, M, S) share of each buyer's supply this turn that came from suppliers it doubts."""
    flows = world.last.flows  # (M, S, C_exporter, C_importer)
    doubted = world.state.supplier_doubt.transpose(2, 3, 1, 0) > 0  # (M, S, C_exporter, C_importer)
    total = flows.sum(axis=2)
    share = np.divide((flows * doubted).sum(axis=2), total, out=np.zeros_like(total), where=total > 0)
    return share.transpose(2, 0, 1)


def main_sector(world: WorldModel, c: int, m: int) -> str:
    """The sector that uses most of a mineral in a country."""
    use = world.state.final_demand[:, c, m].sum(axis=1)
    return SECTORS[int(np.argmax(use))].value


def report(world: WorldModel, before: np.ndarray, shortage_share: np.ndarray, turn: ManufacturerTurn) -> None:
    """Events for the decisions that changed: substitutions begun, lobbying begun."""
    substitutes, index = world.constants.substitutes, world.index
    after = world.state.adoption
    began = (before.sum(axis=2) == 0) & (after.sum(axis=2) > 0)  # (O, C)
    ratio = world.state.expected_price / np.maximum(world.constants.reference_price[None], 1e-12)
    for o, c in zip(*np.nonzero(began), strict=True):
        m = int(substitutes.mineral[o])
        short, dear = float(shortage_share[c, m].max()), float(ratio[c, m].max())
        threshold = world.settings.substitute_on_shortage
        why = (
            f"short of {short:.0%} of need"
            if threshold is not None and short > threshold and dear <= substitutes.price_multiple[o]
            else f"price {dear:.1f}x reference, above the option's {substitutes.price_multiple[o]:.1f}x"
            + (f", short of {short:.0%} of need" if short > 0.005 else "")
        )
        world.emit(
            "manufacturer_substitutes",
            f"{index.countries[c]}:{main_sector(world, c, m)}",
            f"{index.countries[c]}'s {index.minerals[m]} users begin switching to "
            f"{substitutes.names[o]} (reason: {why})",
            mineral=index.minerals[m],
        )
    lobbying = turn.lobbying.max(axis=2)
    for c, m in zip(*np.nonzero((lobbying >= 1.0) & (world.lobbying_before < 1.0)), strict=True):
        world.emit(
            "manufacturer_lobbies",
            f"{index.countries[c]}:{main_sector(world, c, m)}",
            f"{index.countries[c]}'s {index.minerals[m]} users lobby for supply (reason: short of "
            f"{shortage_share[c, m].max():.0%} of need with {turn.cover_weeks[c, m].min():.0f} weeks "
            f"of cover against {turn.cover_target_weeks[c, m].max():.0f} wanted, "
            f"{turn.contract_share[c, m].max():.0%} under contract, "
            f"{turn.doubted_share[c, m].max():.0%} from suppliers they doubt)",
            target=index.countries[c],
            mineral=index.minerals[m],
        )
    world.lobbying_before = lobbying
