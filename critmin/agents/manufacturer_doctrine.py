"""Manufacturers' decisions per country and sector, read from one set of arrays per turn.

After each turn's consumption the manufacturers of every country and sector (EVs, storage, wind,
electronics, defence, industry) look at what they got:

- substitution: they switch to a named alternative (the `[market]` substitutes) when the
  mineral stays dear and, if the scenario sets `[market] substitute_on_shortage`, also when they
  are short of more than that share of their need (supply they cannot get is dearer than any
  price); their choice drives `state.adoption`, and each start is an event with its reason;
- procurement and stock: the share of their need under contract and their inventory cover in
  weeks; when cover falls under `[market] lobby_cover_weeks` while short they lobby their government
  (an event, and `ManufacturerTurn.lobbying`, a (C, M, S) signal 0..1);
- lost output: what shortages cost them, counted per sector in value of final goods
  (`[market] output_value_multiple` times the value of the missing mineral at reference prices).

The engine's market clearing still buys for them on the spot market; these decisions are the
part of their behaviour the market does not already carry.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from critmin.core.events import Event
from critmin.core.turn_view import MakersView
from critmin.core.units import usd_m
from critmin.core.vocabulary import SECTORS

WEEKS_PER_TURN = 13.0


@dataclass
class ManufacturerTurn:
    """The manufacturers' figures of one turn, as arrays."""

    lost_output_usd_m: np.ndarray  # (K, C) value of final output lost to shortages
    contract_share: np.ndarray  # (C, M, S) share of need contracted
    cover_weeks: np.ndarray  # (C, M, S) inventory cover after use
    lobbying: np.ndarray  # (C, M, S) 0..1: how hard they press their government


def pressed_to_substitute(view: MakersView) -> np.ndarray | None:
    """(O, C, S) True where makers are short enough to switch to each option (None: price alone)."""
    threshold = view.substitute_on_shortage
    if threshold is None:
        return None
    return shortage_share(view)[:, view.substitute_mineral, :].transpose(1, 0, 2) > threshold


def shortage_share(view: MakersView) -> np.ndarray:
    """(C, M, S) share of need left unmet this turn."""
    need = view.need
    return np.divide(view.shortage, need, out=np.zeros_like(need), where=need > 0)


def read_turn(view: MakersView) -> ManufacturerTurn:
    """Lost output, contract share, cover and lobbying of every country and sector, at once."""
    need, demand = view.need, view.final_demand  # (K, C, M, S)
    total = demand.sum(axis=0)
    sector_share = np.divide(demand, total[None], out=np.zeros_like(demand), where=total[None] > 0)
    missing_value = usd_m(view.shortage, view.reference_price[None])
    lost = np.einsum("kcms,cms->kc", sector_share, missing_value) * view.output_value_multiple[:, None]
    contracted = view.contracted
    contract_share = np.minimum(np.divide(contracted, need, out=np.zeros_like(need), where=need > 0), 1.0)
    cover = np.divide(view.stock, need, out=np.zeros_like(need), where=need > 0) * WEEKS_PER_TURN
    short = np.divide(view.shortage, need, out=np.zeros_like(need), where=need > 0)
    pressing = np.clip(short / view.lobby_shortage_share, 0.0, 1.0)
    lobbying = np.where(cover < view.lobby_cover_weeks, pressing, 0.0)
    return ManufacturerTurn(lost, contract_share, cover, lobbying)


def main_sector(view: MakersView, c: int, m: int) -> str:
    """The sector that uses most of a mineral in a country."""
    use = view.final_demand[:, c, m].sum(axis=1)
    return SECTORS[int(np.argmax(use))].value


def report(view: MakersView, before: np.ndarray, after: np.ndarray, turn: ManufacturerTurn) -> list[Event]:
    """Events for the decisions that changed: substitutions begun, lobbying begun.

    `before` and `after` are the (O, C, S) adoption of every substitution option.
    """
    return [*substitutions_begun(view, before, after), *lobbying_begun(view, turn)]


def substitutions_begun(view: MakersView, before: np.ndarray, after: np.ndarray) -> list[Event]:
    """An event for each country whose users of a mineral began switching to an option."""
    names, events = view.names, []
    began = (before.sum(axis=2) == 0) & (after.sum(axis=2) > 0)  # (O, C)
    ratio = view.expected_price / np.maximum(view.reference_price[None], 1e-12)
    shortage, threshold = shortage_share(view), view.substitute_on_shortage
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
    names, events, shortage = view.names, [], shortage_share(view)
    lobbying = turn.lobbying.max(axis=2)
    for c, m in zip(*np.nonzero((lobbying >= 1.0) & (view.lobbying_before < 1.0)), strict=True):
        events.append(
            Event(
                turn=view.turn,
                kind="manufacturer_lobbies",
                actor=f"{names.countries[c]}:{main_sector(view, c, m)}",
                detail=f"{names.countries[c]}'s {names.minerals[m]} users lobby for supply (reason: short of "
                f"{shortage[c, m].max():.0%} of need with {turn.cover_weeks[c, m].min():.0f} weeks "
                f"of cover, {turn.contract_share[c, m].max():.0%} under contract)",
                target=names.countries[c],
                mineral=names.minerals[m],
            )
        )
    return events
