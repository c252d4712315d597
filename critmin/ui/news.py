"""The news in the player's words: scripted events labelled as the scenario's, like events grouped.

Events come from the engine's public event list; an event that an order caused is re-worded
from that order (so "a 25% tariff on lithium imports" names the stage and the origin), and
marked as the scenario's when the scenario's script gave the order.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from critmin.core.actions import action_from_dict
from critmin.core.outline import ScriptedEvent
from critmin.core.world_view import WorldView
from critmin.ui.wording import Wording

ORDER_OF_EVENT = {
    "control_imposed": "impose_export_control",
    "control_eased": "impose_export_control",
    "control_lifted": "lift_export_control",
    "tariff_set": "set_tariff",
    "investment": "invest",
    "deal_breached": "break_deal",
    "deal_proposed": "propose_deal",
    "program_funded": "fund_program",
}
REWORDED = frozenset(
    {
        "control_imposed",
        "control_eased",
        "control_lifted",
        "tariff_set",
        "investment",
        "deal_proposed",
        "program_funded",
    }
)
DISRUPTION = re.compile(r"disruption cuts (\w{3})'s (\w+) (\w+) output by (\d+%)")
DISCOVERY = re.compile(r"(\w{3}) finds a (\w+) deposit: (.*)")
STAKE = re.compile(r"(.+) \(\w{3}\) buys ([\d.]+%) of (\w{3})'s (\w+) (\w+) capacity(.*)")
SHOCKS = frozenset({"disruption", "discovery", "demand_shock", "project"})
GROUP_FROM = 3  # this many countries short of the same thing make one line


@dataclass(frozen=True)
class NewsItem:
    """One line of news: its turn, kind, words, whether the scenario's script did it, countries."""

    turn: int
    kind: str
    text: str
    scripted: bool = False
    countries: tuple[str, ...] = ()
    mineral: str = ""


def order_for(event, logged: list[dict], used: set[int]) -> dict | None:
    """The logged order (action dict) that caused an event, if any (each order explains one event)."""
    wanted = ORDER_OF_EVENT.get(event.kind)
    for k, data in enumerate(logged):
        if k in used or data.get("type") != wanted or data.get("country") != event.actor:
            continue
        if event.mineral and data.get("mineral", event.mineral) != event.mineral:
            continue
        used.add(k)
        return data
    return None


def scripted_shock(script: Sequence[ScriptedEvent], event) -> str | None:
    """The title of the scenario's scripted shock behind an event, if it is one."""
    for spec in script:
        if spec.turn == event.turn and spec.kind == event.kind and spec.country == event.actor:
            return spec.title
    return None


def news_items(
    world: WorldView, words: Wording, since_turn: int = 0, script: Sequence[ScriptedEvent] | None = None
) -> list[NewsItem]:
    """Events from `since_turn` on, re-worded, labelled and grouped, oldest first.

    `script` is the scenario's scripted timeline (default: the world's outline's).
    """
    script = world.outline().events if script is None else script
    by_turn: dict[int, list] = defaultdict(list)
    for event in world.events:
        if event.turn >= since_turn:
            by_turn[event.turn].append(event)
    items: list[NewsItem] = []
    log = world.action_log
    for turn in sorted(by_turn):
        logged = log[turn] if turn < len(log) else []
        items += turn_items(script, words, by_turn[turn], logged)
    return items


def turn_items(
    script: Sequence[ScriptedEvent], words: Wording, events: list, logged: list[dict]
) -> list[NewsItem]:
    """One turn's events as news items: shortages grouped by line, the rest one by one."""
    used: set[int] = set()
    scripted_actors = {d.get("country") for d in logged if d.get("_scripted")}
    items, grouped = [], defaultdict(list)
    for event in events:
        if event.kind in GROUPED:
            grouped[(event.kind, event.mineral)].append(event)
            continue
        items.append(event_item(script, words, event, order_for(event, logged, used), scripted_actors))
    for (kind, mineral), similar in grouped.items():
        items += grouped_items(words, kind, mineral, similar)
    return items


def event_item(
    script: Sequence[ScriptedEvent], words: Wording, event, order: dict | None, scripted_actors: set
) -> NewsItem:
    """One event in words."""
    who = words.country(event.actor)
    text, scripted = plain_detail(words, event.detail), False
    if order is not None:
        scripted = bool(order.get("_scripted"))
        if event.kind in REWORDED:
            action = action_from_dict({k: v for k, v in order.items() if not k.startswith("_")})
            text = f"{who}: {words.order(action)}"
    elif event.kind in SHOCKS:
        title = scripted_shock(script, event)
        scripted = title is not None
        text = f"{title}: {text}" if title else text
    elif event.kind == "deal_breached" and "export ban" in event.detail:
        scripted = event.actor in scripted_actors  # forced by a ban the script imposed
    parties = (event.actor, *(c for c in event.target.split(",") if len(c) == 3 and c.isupper()))
    return NewsItem(event.turn, event.kind, text, scripted, parties, event.mineral)


def plain_detail(words: Wording, detail: str) -> str:
    """The engine's sentence with names instead of codes and identifiers."""
    if match := DISRUPTION.fullmatch(detail):
        country, mineral, stage, share = match.groups()
        return f"{words.country(country)}: {words.line(mineral, stage)} output cut by {share}"
    if match := DISCOVERY.fullmatch(detail):
        country, mineral, rest = match.groups()
        return f"{words.country(country)} finds a {words.mineral(mineral)} deposit: {rest}"
    if match := STAKE.fullmatch(detail):
        firm, share, host, mineral, stage, rest = match.groups()
        return f"{firm} buys {share} of {words.country(host)}'s {words.line(mineral, stage)} capacity{rest}"
    return words.sentence(detail)


GROUPED = {  # events that many countries share in a turn: one line per kind and mineral
    "shortage": "countries short of {mineral} (over a tenth of their needs)",
    "manufacturer_substitutes": "countries' users of {mineral} begin switching to substitutes",
    "manufacturer_lobbies": "countries' users of {mineral} press their government",
}


def grouped_items(words: Wording, kind: str, mineral: str, events: list) -> list[NewsItem]:
    """'12 countries short of heavy rare earths: ...' or one line per country when few."""
    turn = events[0].turn
    if len(events) < GROUP_FROM:
        return [NewsItem(turn, kind, e.detail, countries=(e.actor,), mineral=mineral) for e in events]
    codes = tuple(sorted({e.actor.split(":")[0] for e in events}))  # a manufacturer is "IND:ev"
    names = ", ".join(words.country(c) for c in codes[:8]) + (" and others" if len(codes) > 8 else "")
    what = GROUPED[kind].format(mineral=words.mineral(mineral))
    return [NewsItem(turn, kind, f"{len(codes)} {what}: {names}", countries=codes, mineral=mineral)]
