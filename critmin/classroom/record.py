"""What a session left behind, as tidy tables: read from its store, plus the AI-only run.

The debrief report and the grading CSVs are built from these tables. The counterfactual is the
same scenario, seed and injected events played for as many turns with every seat left to its
AI doctrine: the difference is what the teams' decisions changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from critmin.classroom.packs import Goal, Pack, load_optional_pack
from critmin.classroom.seats import event_words, play_turn, seat_names, seated_world
from critmin.classroom.store import Store, StoreError, SubmissionRecord, TurnRecord
from critmin.core.event_words import EventWords
from critmin.core.snapshot import WorldSnapshot
from critmin.scenarios.loader import Scenario, scenario_from_content

SESSION, AI_ONLY = "session", "ai_only"
MONTHS_PER_TURN = 3
HOLDINGS = ("equity", "joint_exploration", "partnership")  # deal kinds that give a team a line abroad
DEAL_EVENTS = ("deal_signed", "deal_breached", "deal_expired", "deal_rejected")
WORLD_EVENTS = (
    "control_imposed",
    "control_lifted",
    "control_eased",
    "disruption",
    "discovery",
    "demand_shock",
    "action",
)


@dataclass
class SessionRecord:
    """A session's store read into memory, with the AI-only counterfactual."""

    meta: dict[str, Any]
    turns: list[TurnRecord]
    snapshots: list[WorldSnapshot]
    submissions: list[SubmissionRecord]
    messages: list[dict[str, Any]]
    injections: list[dict[str, Any]]
    journal: list[dict[str, Any]]
    initial: WorldSnapshot
    ai_only: list[WorldSnapshot] = field(default_factory=list)
    pack: Pack | None = None
    names: dict[str, str] = field(default_factory=dict)  # every seat's name: countries and firms
    words: EventWords | None = None  # names for codes in event sentences (core/event_words.py)

    @property
    def teams(self) -> list[str]:
        """The session's teams."""
        return list(self.meta["teams"])

    def worlds(self) -> dict[str, list[WorldSnapshot]]:
        """Snapshots per turn of the session and of the AI-only run."""
        return {SESSION: self.snapshots, AI_ONLY: self.ai_only}


def read_session(state_dir: Path, *, counterfactual: bool = True) -> SessionRecord:
    """Read a state directory's session (and play its AI-only counterfactual)."""
    store = Store.in_directory(state_dir, create=False)
    try:
        meta, injections = store.meta(), store.injections()
        turns = store.turns(with_snapshots=True)
        submissions, messages, journal = store.submissions(), store.messages(), store.journal()
    finally:
        store.close()
    if not meta:
        raise StoreError(f"{state_dir}: the session database holds no session")
    scenario = session_scenario(meta, injections)
    model, _ = seated_world(scenario, int(meta["seed"]), meta["teams"])
    return SessionRecord(
        meta=meta,
        turns=turns,
        snapshots=[msgspec.json.decode(t.snapshot, type=WorldSnapshot) for t in turns],
        submissions=submissions,
        messages=messages,
        injections=injections,
        journal=journal,
        initial=model.snapshot(),
        pack=load_optional_pack(meta.get("pack")),
        ai_only=ai_only_run(scenario, meta, len(turns)) if counterfactual else [],
        names=seat_names(scenario),
        words=event_words(scenario),
    )


def session_scenario(meta: dict[str, Any], injections: list[dict[str, Any]]) -> Scenario:
    """The session's scenario with the injected events."""
    content = dict(meta["scenario_content"])
    content["events"] = [*content.get("events", []), *injections]
    return scenario_from_content(content, origin=f"{meta['scenario_id']}.toml")


def ai_only_run(scenario: Scenario, meta: dict[str, Any], turns: int) -> list[WorldSnapshot]:
    """The same seed and events with every seat played by its AI doctrine."""
    model, _ = seated_world(scenario, int(meta["seed"]), meta["teams"])
    snapshots = []
    for _ in range(turns):
        play_turn(model, {})
        snapshots.append(model.snapshot())
    return snapshots


# --- tables -------------------------------------------------------------------------------


def decisions(record: SessionRecord) -> list[dict[str, Any]]:
    """Every action the teams' seats carried out and whether the team or its AI chose it.

    A firm's own moves are its seat's (a country team's only if it plays the firm). Each row also
    names who sent the team's orders and the reasoning they attached.
    """
    sent = {(s.team, s.submission_id): s for s in record.submissions}
    rows = []
    for turn in record.turns:
        for action in turn.actions:
            team = action.get("_firm") or action.get("country")
            if team not in record.teams or action.get("_scripted"):
                continue  # scripted events and firms no team plays
            source = "team" if team in turn.orders else "AI default"
            rows.append(
                {
                    "turn": turn.turn,
                    "date": turn.date,
                    "team": team,
                    "source": source,
                    "submission_id": turn.orders.get(team, {}).get("submission_id", ""),
                    "type": action.get("type", ""),
                    "summary": describe(action),
                    **authorship(sent.get((team, turn.orders.get(team, {}).get("submission_id", "")))),
                }
            )
    return rows


def authorship(submission: SubmissionRecord | None) -> dict[str, str]:
    """Who sent a team's orders and why (empty for default orders)."""
    return {
        "sent_by": submission.name if submission else "",
        "reasoning": submission.reasoning if submission else "",
    }


def comparison(record: SessionRecord) -> list[dict[str, Any]]:
    """Per team, world and turn: price index, dependence on the top supplier, supply security, budget.

    The price index is the mean over the team's demanded lines of local price / reference price;
    dependence is the share of the team's imports (at reference prices) from its largest supplier;
    embedded dependence follows the feed of the team's own processors up the chain.
    """
    rows = []
    for world, snapshots in record.worlds().items():
        for turn, snapshot in enumerate(snapshots):
            for team in record.teams:
                supplier, dependence = top_supplier(snapshot, team)
                rows.append(
                    {
                        "turn": turn,
                        "world": world,
                        "team": team,
                        "price_index": price_index(snapshot, team),
                        "dependence": dependence,
                        "top_supplier": supplier,
                        "embedded": embedded_dependence(snapshot, team),
                        "security": overall_security(snapshot, team),
                        "treasury_usd_m": snapshot.treasury_usd_m.get(team),
                    }
                )
    return rows


def price_index(snapshot: WorldSnapshot, team: str) -> float | None:
    """Mean local price over reference price of the lines a team demands."""
    ratios = [
        f.price / snapshot.reference_prices[f.mineral][f.stage]
        for f in snapshot.figures
        if f.country == team and f.demand > 0 and snapshot.reference_prices[f.mineral][f.stage] > 0
    ]
    return sum(ratios) / len(ratios) if ratios else None


def embedded_dependence(snapshot: WorldSnapshot, team: str) -> float | None:
    """A team's embedded dependence on its top foreign supplier, over the lines it uses.

    The mean of each demanded line's embedded share (engine/dependence.py: the feed of the team's
    own processors counted), weighted by the line's demand at reference prices.
    """
    weighted = total = 0.0
    for f in snapshot.figures:
        if f.country == team and f.demand > 0:
            value = f.demand * snapshot.reference_prices[f.mineral][f.stage]
            weighted += value * f.embedded_dependence
            total += value
    return weighted / total if total else None


def top_supplier(snapshot: WorldSnapshot, team: str) -> tuple[str, float | None]:
    """A team's largest supplier and its share of the team's imports at reference prices."""
    by_origin: dict[str, float] = {}
    for flow in snapshot.flows:
        if flow.importer == team and flow.exporter != team:
            value = flow.tonnes * snapshot.reference_prices[flow.mineral][flow.stage]
            by_origin[flow.exporter] = by_origin.get(flow.exporter, 0.0) + value
    total = sum(by_origin.values())
    if not total:
        return "", None
    origin = max(by_origin, key=by_origin.__getitem__)
    return origin, by_origin[origin] / total


def describe(action: dict[str, Any]) -> str:
    """A short reading of an action, e.g. 'licence on ree_heavy refined+magnet to all'."""
    kind = action.get("type", "")
    line = " ".join(str(x) for x in (action.get("mineral", ""), "+".join(action.get("stages", ()))) if x)
    if kind == "impose_export_control":
        to = ", ".join(action.get("destinations", ())) or "all"
        return f"{action.get('regime')} on {line} exports to {to}"
    if kind == "propose_deal":
        return (
            f"proposes {action.get('kind')} to {action.get('counterparty')}: {action.get('mineral')} "
            f"{action.get('stage')}, {action.get('tonnes_per_year', 0):,.0f} t/yr"
        )
    if kind == "answer_deal":
        return f"{'accepts' if action.get('accept') else 'rejects'} proposal {action.get('proposal_id')}"
    amounts = [amount(k, v) for k, v in action.items() if k in AMOUNTS and isinstance(v, int | float)]
    extra = " ".join(str(action[k]) for k in ("program", "host", "deal_id") if k in action)
    return " ".join(x for x in (kind.replace("_", " "), extra, line, ", ".join(amounts)) if x)


AMOUNTS = ("tonnes", "tonnes_per_year", "usd_m", "share", "rate")


def amount(key: str, value: float) -> str:
    """One quantity of an action, e.g. 'share 5%' or 'usd m 120'."""
    text = f"{value:.0%}" if key in ("share", "rate") else f"{value:,.0f}"
    return f"{key.replace('_', ' ')} {text}"


def events(record: SessionRecord) -> list[dict[str, Any]]:
    """Every event of the session, flagged when it came from an injection."""
    injected = {(e["turn"], e["title"]) for e in record.injections}
    rows = []
    for turn in record.turns:
        for event in turn.events:
            rows.append(
                {
                    "turn": turn.turn,
                    "date": turn.date,
                    "kind": event["kind"],
                    "actor": event["actor"],
                    "target": event.get("target", ""),
                    "mineral": event.get("mineral", ""),
                    "detail": event["detail"],
                    "injected": (turn.turn, event["detail"]) in injected,
                }
            )
    return rows


def notable(record: SessionRecord, row: dict[str, Any]) -> bool:
    """Events worth a line in the timeline: about a team, a deal, a control or a shock."""
    teams = set(record.teams)
    return (
        row["injected"]
        or row["kind"] in WORLD_EVENTS
        or (row["actor"] in teams and row["kind"] != "action_rejected")
        or row["target"] in teams
    )


def deals(record: SessionRecord) -> list[dict[str, Any]]:
    """Deals signed, broken, expired or rejected that involve a team."""
    teams = set(record.teams)
    return [
        row
        for row in events(record)
        if row["kind"] in DEAL_EVENTS and (row["actor"] in teams or any(t in row["detail"] for t in teams))
    ]


def prices(record: SessionRecord, lines: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Local prices of key lines in every team's country, per turn, session and AI-only."""
    rows = []
    for world, snapshots in record.worlds().items():
        for turn, snapshot in enumerate(snapshots):
            for figure in snapshot.figures:
                if figure.country in record.teams and (figure.mineral, figure.stage) in lines:
                    rows.append(
                        {
                            "turn": turn,
                            "date": record_date(record, turn),
                            "world": world,
                            "country": figure.country,
                            "mineral": figure.mineral,
                            "stage": figure.stage,
                            "price_usd_per_kg": figure.price,
                        }
                    )
    return rows


def flows(record: SessionRecord) -> list[dict[str, Any]]:
    """International flows into or out of a team's country, per turn, session and AI-only."""
    teams = set(record.teams)
    rows = []
    for world, snapshots in record.worlds().items():
        for turn, snapshot in enumerate(snapshots):
            for flow in snapshot.flows:
                if flow.exporter in teams or flow.importer in teams:
                    rows.append(
                        {
                            "turn": turn,
                            "date": record_date(record, turn),
                            "world": world,
                            "mineral": flow.mineral,
                            "stage": flow.stage,
                            "exporter": flow.exporter,
                            "importer": flow.importer,
                            "tonnes": flow.tonnes,
                        }
                    )
    return rows


def supply(record: SessionRecord) -> list[dict[str, Any]]:
    """Each team's final demand lines per turn: demand, consumption, shortage, security."""
    rows = []
    for world, snapshots in record.worlds().items():
        for turn, snapshot in enumerate(snapshots):
            for figure in snapshot.figures:
                if figure.country in record.teams and figure.demand > 0:
                    rows.append(
                        {
                            "turn": turn,
                            "date": record_date(record, turn),
                            "world": world,
                            "team": figure.country,
                            "mineral": figure.mineral,
                            "stage": figure.stage,
                            "demand": figure.demand,
                            "consumption": figure.consumption,
                            "shortage": figure.shortage,
                            "security": figure.consumption / figure.demand,
                        }
                    )
    return rows


def overall_security(snapshot: WorldSnapshot, team: str) -> float | None:
    """A team's supply security weighted by value: consumption / demand at reference prices."""
    wanted = used = 0.0
    for figure in snapshot.figures:
        if figure.country == team and figure.demand > 0:
            price = snapshot.reference_prices[figure.mineral][figure.stage]
            wanted += figure.demand * price
            used += figure.consumption * price
    return used / wanted if wanted else None


def goal_value(goal: Goal, team: str, snapshot: WorldSnapshot, initial: WorldSnapshot) -> float | None:
    """A goal's metric for a team after a turn (None when it does not apply yet)."""
    mineral = goal.mineral.value if goal.mineral else ""
    stage = goal.stage.value if goal.stage else ""
    if goal.metric == "treasury":
        start = initial.treasury_usd_m.get(team, 0.0)
        return snapshot.treasury_usd_m.get(team, 0.0) / start if start else None
    if goal.metric == "assets_abroad":
        return float(len(assets_abroad(snapshot, team)))
    totals = snapshot.totals.get(team, {})
    if goal.metric == "exploration_projects":
        return totals.get("exploration_usd_m", 0.0) / (goal.unit_usd_m or 1.0)
    if goal.metric == "blocks_auctioned":
        return totals.get("blocks_awarded", 0.0)
    if goal.metric == "recycled_tonnes":
        return totals.get("recycled_t_per_year", 0.0)
    if goal.metric in ("supply_security", "stockpile_cover"):
        figure = snapshot.figure(team, mineral, stage)
        if figure is None or figure.demand <= 0:
            return None
        if goal.metric == "stockpile_cover":
            return figure.stockpile / figure.demand * MONTHS_PER_TURN
        return figure.consumption / figure.demand
    line = [f for f in snapshot.flows if (f.mineral, f.stage) == (mineral, stage)]
    if goal.metric == "import_share":
        imports = [f for f in line if f.importer == team]
        total = sum(f.tonnes for f in imports)
        return sum(f.tonnes for f in imports if f.exporter == goal.origin) / total if total else 0.0
    total = sum(f.tonnes for f in line)
    return sum(f.tonnes for f in line if f.exporter == team) / total if total else None


def assets_abroad(snapshot: WorldSnapshot, team: str) -> set[tuple[str, str]]:
    """(host, mineral) lines abroad a team holds through stakes, joint explorations or partnerships."""
    return {
        (deal["seller"], deal["mineral"])
        for deal in snapshot.deals
        if deal["buyer"] == team and deal["seller"] != team and deal["kind"] in HOLDINGS
    }


def met(goal: Goal, value: float | None) -> bool | None:
    """Whether a goal's value meets its target (None when there is no value)."""
    if value is None:
        return None
    return value <= goal.target if goal.at_most else value >= goal.target


def goals(record: SessionRecord) -> list[dict[str, Any]]:
    """Each team's pack goals per turn: value, met or not, and the AI-only value."""
    if record.pack is None:
        return []
    rows = []
    for team in record.teams:
        for role in record.pack.roles_of(team):
            for goal in role.goals:
                for turn, snapshot in enumerate(record.snapshots):
                    value = goal_value(goal, team, snapshot, record.initial)
                    ai_value = (
                        goal_value(goal, team, record.ai_only[turn], record.initial)
                        if turn < len(record.ai_only)
                        else None
                    )
                    rows.append(
                        {
                            "turn": turn,
                            "date": record_date(record, turn),
                            "team": team,
                            "role": role.id,
                            "goal": goal.text,
                            "label": goal.label(),
                            "metric": goal.metric,
                            "target": goal.target,
                            "value": value,
                            "met": met(goal, value),
                            "ai_only_value": ai_value,
                            "ai_only_met": met(goal, ai_value),
                        }
                    )
    return rows


def scores(record: SessionRecord) -> list[dict[str, Any]]:
    """One grading row per team: goals met, supply security and treasury against the AI-only run."""
    goal_rows = goals(record)
    rows = []
    for team in record.teams:
        mine = [g for g in goal_rows if g["team"] == team and g["met"] is not None]
        ai_mine = [g for g in goal_rows if g["team"] == team and g["ai_only_met"] is not None]
        rows.append(
            {
                "team": team,
                "turns_played": len(record.turns),
                "turns_with_default_orders": sum(team in t.defaulted for t in record.turns),
                "goal_checks_met": f"{sum(g['met'] for g in mine)}/{len(mine)}",
                "goal_share_met": share(sum(g["met"] for g in mine), len(mine)),
                "ai_only_goal_share_met": share(sum(g["ai_only_met"] for g in ai_mine), len(ai_mine)),
                "mean_supply_security": mean_security(record.snapshots, team),
                "ai_only_mean_supply_security": mean_security(record.ai_only, team),
                "treasury_end_usd_m": end_treasury(record.snapshots, team),
                "ai_only_treasury_end_usd_m": end_treasury(record.ai_only, team),
                "deals_signed": count_events(record, "deal_signed", team),
                "deals_breached": count_events(record, "deal_breached", team),
                "messages_sent": sum(m["sender"] == team for m in record.messages),
            }
        )
    return rows


def share(part: float, whole: int) -> float | None:
    """Part / whole, or None when whole is 0."""
    return part / whole if whole else None


def mean_security(snapshots: list[WorldSnapshot], team: str) -> float | None:
    """A team's value-weighted supply security averaged over turns."""
    values = [v for v in (overall_security(s, team) for s in snapshots) if v is not None]
    return sum(values) / len(values) if values else None


def end_treasury(snapshots: list[WorldSnapshot], team: str) -> float | None:
    """A team's treasury after the last turn."""
    return snapshots[-1].treasury_usd_m.get(team) if snapshots else None


def count_events(record: SessionRecord, kind: str, team: str) -> int:
    """Events of a kind that a team took part in."""
    return sum(
        1
        for t in record.turns
        for e in t.events
        if e["kind"] == kind and (e["actor"] == team or team in e["detail"])
    )


def record_date(record: SessionRecord, turn: int) -> str:
    """The quarter of a played turn."""
    if turn < len(record.turns):
        return record.turns[turn].date
    return ""


def key_lines(record: SessionRecord, limit: int = 4) -> list[tuple[str, str]]:
    """The mineral lines the debrief charts: the pack's goal lines first, then the rare earths."""
    lines: list[tuple[str, str]] = []
    if record.pack is not None:
        for role in record.pack.roles:
            for goal in role.goals:
                if goal.mineral and goal.stage and (goal.mineral.value, goal.stage.value) not in lines:
                    lines.append((goal.mineral.value, goal.stage.value))
    for fallback in (
        ("ree_heavy", "magnet"),
        ("ree_light", "magnet"),
        ("lithium", "refined"),
        ("copper", "refined"),
    ):
        if fallback not in lines and fallback[0] in record.initial.chains:
            lines.append(fallback)
    return lines[:limit]


def security(record: SessionRecord) -> list[dict[str, Any]]:
    """Each team's value-weighted supply security per turn, session and AI-only."""
    rows = []
    for world, snapshots in record.worlds().items():
        for turn, snapshot in enumerate(snapshots):
            for team in record.teams:
                value = overall_security(snapshot, team)
                if value is not None:
                    rows.append(
                        {
                            "turn": turn,
                            "date": record_date(record, turn),
                            "world": world,
                            "team": team,
                            "security": value,
                        }
                    )
    return rows
