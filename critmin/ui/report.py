"""The turn report: what the last turn changed for the player, in plain words with units (no pygame).

Built from the engine's public picture before and after the turn (two snapshots), its event
list and its action log: what your orders did, the scenario's events, new controls and deals
that touch you, price moves on your lines, and your shortages with their likely causes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from critmin.core.actions import action_from_dict
from critmin.core.outline import ScriptedEvent
from critmin.core.snapshot import WorldSnapshot
from critmin.ui.news import REWORDED, news_items
from critmin.ui.wording import TINY, Wording, amount, plain_reason

PRICE_MOVE = 0.02  # price changes smaller than this are not news
SHOWN_PRICES = 6
CONTROLS = frozenset({"control_imposed", "control_eased", "control_lifted", "tariff_set"})
REGIME_VERBS = {"ban": "bans", "licence": "licenses", "quota": "caps"}
REJECTED = re.compile(r"rejected (\w+): (.*)", re.DOTALL)  # the engine's action_rejected detail
YOURS = REWORDED | {"action_rejected"}


def your_lines(snapshot: WorldSnapshot, player: str) -> dict[tuple[str, str], object]:
    """The player's figures on every line the player uses, makes or imports."""
    return {
        (f.mineral, f.stage): f
        for f in snapshot.figures
        if f.country == player and (f.consumption or f.demand or f.production or f.imports)
    }


def orders_section(model, player: str, words: Wording, refused: list) -> list[str]:
    """What the player's orders did: carried out, or refused and why."""
    turn = model.turn - 1
    logged = model.action_log[turn] if 0 <= turn < len(model.action_log) else []
    done = [
        words.order(action_from_dict({k: v for k, v in d.items() if not k.startswith("_")}))
        for d in logged
        if d.get("country") == player and not d.get("_scripted") and not d.get("_firm")
    ]
    lines = [f"carried out: {text}" for text in done]
    lines += [f"refused: {words.order(a)} ({plain_reason(r)})" for a, r in refused]
    rejected = [
        e for e in model.events if e.turn == turn and e.kind == "action_rejected" and e.actor == player
    ]
    lines += [refused_when_carried_out(e.detail) for e in rejected]
    return (lines or ["you gave no orders"]) + firms_line(player, logged, words)


def firms_line(player: str, logged: list[dict], words: Wording) -> list[str]:
    """One line for the moves the player's firms made on their own (not the player's orders), or none."""
    moves = Counter(d["_firm"] for d in logged if d.get("country") == player and d.get("_firm"))
    if not moves:
        return []
    firms = f"{len(moves)} of your firms" if len(moves) > 1 else words.firm(next(iter(moves)))
    return [f"not your orders: {firms} made {sum(moves.values())} moves of their own (told below)"]


def refused_when_carried_out(detail: str) -> str:
    """An order the engine refused when the turn carried it out, named by its kind, with the reason."""
    match = REJECTED.match(detail)
    if match is None:
        return f"refused when carried out: {plain_reason(detail.split(': ', 1)[-1])}"
    kind = re.sub(r"(?<!^)(?=[A-Z])", " ", match[1]).lower()  # BuyStockpile -> buy stockpile
    return f"refused when carried out, your {kind} order: {plain_reason(match[2])}"


def world_section(
    model, player: str, words: Wording, lines: dict, script: Sequence[ScriptedEvent] | None = None
) -> list[str]:
    """The scenario's events, what others did to or with the player, and controls on the player's lines."""
    minerals = {m for m, _ in lines}
    rows = []
    for item in news_items(model, words, since_turn=model.turn - 1, script=script):
        if item.countries[:1] == (player,) and item.kind in YOURS and not item.scripted:
            continue  # your own orders and their refusals: told above
        yours = player in item.countries and item.kind != "shortage"  # your shortages: told below
        on_your_lines = item.kind in CONTROLS and item.mineral in minerals
        if item.scripted or yours or on_your_lines:
            rows.append(("scenario event: " if item.scripted else "") + item.text)
    return rows or ["nothing that touches you"]


def price_section(before: WorldSnapshot, after: WorldSnapshot, player: str, words: Wording) -> list[str]:
    """The biggest price moves on the player's lines."""
    old = {(f.mineral, f.stage): f.price for f in before.figures if f.country == player}
    moves = []
    for key, figure in your_lines(after, player).items():
        if old.get(key) and figure.price:
            change = figure.price / old[key] - 1
            if abs(change) >= PRICE_MOVE:
                moves.append((abs(change), key, old[key], figure.price, change))
    moves.sort(reverse=True)
    return [
        f"{words.line(*key)}: USD {amount(a)} to {amount(b)} per kg ({change:+.0%})"
        for _, key, a, b, change in moves[:SHOWN_PRICES]
    ] or ["no price on your lines moved by more than 2%"]


def shortage_section(after: WorldSnapshot, player: str, words: Wording) -> list[str]:
    """The player's shortages, each with its suppliers and the export controls on the line."""
    rows = []
    for (mineral, stage), figure in your_lines(after, player).items():
        if figure.shortage <= TINY:
            continue
        need = max(figure.demand, figure.consumption + figure.shortage)
        share = f" ({figure.shortage / need:.0%} of your need)" if need > 0 else ""
        causes = [
            f"{words.country(p['country'])} {REGIME_VERBS.get(p['regime'], p['regime'])} exports"
            for p in after.policies
            if p.get("kind") == "export_control" and (p["mineral"], p["stage"]) == (mineral, stage)
            and p["country"] != player and (not p["destinations"] or player in p["destinations"])
        ]  # fmt: skip
        why = f"; {', '.join(causes)}" if causes else "; not enough on offer at the price"
        rows.append(
            f"short of {amount(figure.shortage)} t of {words.line(mineral, stage)} this turn{share}{why}"
        )
    return rows or ["none: every need was met"]


def turn_report(
    model,
    player: str,
    words: Wording,
    before: WorldSnapshot,
    refused: list | None = None,
    script: Sequence[ScriptedEvent] | None = None,
) -> list[tuple[str, list[str]]]:
    """Sections of the report on the turn just played, each a heading and its lines.

    `script` is the scenario's scripted timeline (default: the world's outline's).
    """
    after = model.snapshot()
    lines = your_lines(after, player)
    return [
        ("Your orders", orders_section(model, player, words, refused or [])),
        ("Around the world, for you", world_section(model, player, words, lines, script)),
        ("Prices on your lines", price_section(before, after, player, words)),
        ("Your shortages", shortage_section(after, player, words)),
    ]
