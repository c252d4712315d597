"""`critmin debrief`: a self-contained HTML report of a session, and CSV files for grading.

The report opens without network access: inline CSS, charts as PNG data URIs, no scripts and
no external links. Sections: overview, the teams compared (prices, dependence, supply security,
budget), a short timeline (headlines, who sent each team's orders and why), prices, flows, supply
security against each team's goals, deals signed and broken, messages, the AI-only
counterfactual, the grading files, and the pack's debrief questions.
"""

from __future__ import annotations

import csv
import html
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from critmin.classroom import charts
from critmin.classroom import record as tables
from critmin.classroom.record import SessionRecord, read_session

TIMELINE_EVENTS_PER_TURN = 25
TIMELINE_HEADLINES_PER_TURN = 3
SECTIONS = (
    "overview",
    "compare",
    "timeline",
    "prices",
    "flows",
    "supply-security",
    "deals",
    "messages",
    "counterfactual",
    "grading",
    "questions",
    "full-log",
)

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1100px;
       color: #1d232a; line-height: 1.45; padding: 0 1rem; }
h1 { margin-bottom: 0.2rem; }
h2 { border-bottom: 2px solid #d6dde4; padding-bottom: 0.2rem; margin-top: 2.2rem; }
nav a { margin-right: 0.8rem; } .muted { color: #66717d; }
table { border-collapse: collapse; width: 100%; font-size: 0.86rem; margin: 0.6rem 0; }
th, td { border-bottom: 1px solid #e3e8ec; padding: 0.25rem 0.45rem; text-align: left; vertical-align: top; }
th { background: #f3f6f8; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.met { color: #17803d; font-weight: 600; } .missed { color: #b42318; font-weight: 600; }
.tag { font-size: 0.75rem; padding: 0 0.35rem; border-radius: 0.3rem; background: #eef2f5; }
.default { background: #fff4d6; } .injected { background: #fde8e8; }
img { max-width: 100%; } details { margin: 0.4rem 0; }
"""


def write_debrief(state_dir: Path, out: Path, csv_dir: Path | None = None) -> tuple[Path, list[Path]]:
    """Write the HTML report and the CSV files; returns their paths."""
    record = read_session(state_dir)
    csv_dir = csv_dir or out.with_name(f"{out.stem}-csv")
    csv_paths = write_csvs(record, csv_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        report_html(
            record, [p.relative_to(out.parent) if p.is_relative_to(out.parent) else p for p in csv_paths]
        ),
        encoding="utf-8",
    )
    return out, csv_paths


def grading_tables(record: SessionRecord) -> dict[str, list[dict[str, Any]]]:
    """The CSV exports by file name."""
    return {
        "scores.csv": tables.scores(record),
        "goals.csv": tables.goals(record),
        "decisions.csv": tables.decisions(record),
        "supply.csv": tables.supply(record),
        "prices.csv": tables.prices(record, tables.key_lines(record, limit=50)),
        "flows.csv": tables.flows(record),
        "deals.csv": tables.deals(record),
        "events.csv": tables.events(record),
        "messages.csv": record.messages,
    }


def write_csvs(record: SessionRecord, directory: Path) -> list[Path]:
    """One CSV file per grading table."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, rows in grading_tables(record).items():
        path = directory / name
        fields = list(rows[0]) if rows else ["empty"]
        with path.open("w", newline="", encoding="utf-8") as stream:
            writer = csv.DictWriter(stream, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
        paths.append(path)
    return paths


# --- html ---------------------------------------------------------------------------------


def report_html(record: SessionRecord, csv_paths: list[Path]) -> str:
    """The whole report as one HTML document."""
    title = f"Debrief — {record.meta['scenario_id']}"
    body = [
        f"<h1>{esc(title)}</h1>",
        "<nav>" + "".join(f'<a href="#{s}">{s.replace("-", " ")}</a>' for s in SECTIONS) + "</nav>",
        overview(record),
        compare_section(record),
        timeline(record),
        prices_section(record),
        flows_section(record),
        supply_section(record),
        deals_section(record),
        messages_section(record),
        counterfactual_section(record),
        grading_section(csv_paths),
        questions_section(record),
        full_log(record),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def esc(value: Any) -> str:
    """HTML-escaped text."""
    return html.escape(str(value), quote=True)


def section(anchor: str, heading: str, *parts: str) -> str:
    """A titled section."""
    return f'<section id="{anchor}"><h2>{esc(heading)}</h2>\n' + "\n".join(parts) + "</section>"


def table(headers: Iterable[str], rows: Iterable[Iterable[Any]], classes: Iterable[str] | None = None) -> str:
    """An HTML table of escaped cells (numbers right-aligned)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    lines = []
    for row, css in zip(rows, classes or _forever(""), strict=False):
        cells = "".join(cell(v) for v in row)
        lines.append(f'<tr class="{css}">{cells}</tr>' if css else f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(lines)}</tbody></table>"


def _forever(value: str):
    """An endless supply of `value`."""
    while True:
        yield value


def cell(value: Any) -> str:
    """One table cell; numbers formatted, booleans as met/missed."""
    if isinstance(value, bool):
        return f'<td class="{"met" if value else "missed"}">{"met" if value else "missed"}</td>'
    if isinstance(value, float):
        text = f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
        return f'<td class="num">{text}</td>'
    if isinstance(value, int):
        return f'<td class="num">{value:,}</td>'
    return f"<td>{esc('' if value is None else value)}</td>"


def image(uri: str | None, alt: str) -> str:
    """An inline chart."""
    return f'<img src="{uri}" alt="{esc(alt)}">' if uri else ""


def overview(record: SessionRecord) -> str:
    """What was played, by whom, and how long."""
    meta, turns = record.meta, record.turns
    names = record.names
    pack = record.pack
    facts = [
        ("scenario", f"{meta['scenario_id']}: {meta['scenario_content']['scenario'].get('title', '')}"),
        ("teams", ", ".join(f"{t} ({names.get(t, t)})" for t in record.teams)),
        (
            "turns played",
            f"{len(turns)} of {meta['turns_total']}"
            + (f" ({turns[0].date} to {turns[-1].date})" if turns else ""),
        ),
        ("seed", str(meta["seed"])),
        ("teaching pack", pack.pack.title if pack else "none"),
        ("events injected", str(len(record.injections))),
        ("messages", str(len(record.messages))),
        ("report made", time.strftime("%Y-%m-%d %H:%M")),
    ]
    parts = [table(("", ""), facts)]
    if pack is not None:
        parts.append(
            "<h3>Learning objectives</h3><ul>"
            + "".join(f"<li>{esc(o)}</li>" for o in pack.objectives)
            + "</ul>"
        )
    return section("overview", "Overview", *parts)


def compare_section(record: SessionRecord) -> str:
    """The teams side by side: prices, dependence, supply security and budget over the turns."""
    if not record.turns:
        return section("compare", "Teams compared", "<p>No turn was played.</p>")
    rows = tables.comparison(record)
    last = [r for r in rows if r["world"] == tables.SESSION and r["turn"] == len(record.turns) - 1]
    return section(
        "compare",
        "Teams compared",
        image(charts.comparison_chart(rows, record.teams), "teams compared"),
        "<h3>After the last turn</h3>",
        table(
            ("team", "price index", "top supplier", "dependence", "embedded dependence", "supply security",
             "treasury USD m"),
            [
                (r["team"], r["price_index"], r["top_supplier"], r["dependence"], r["embedded"],
                 r["security"], r["treasury_usd_m"])
                for r in last
            ],
        ),
    )  # fmt: skip


def plain(record: SessionRecord, detail: str) -> str:
    """An event sentence with the scenario's names (as recorded where the record has none)."""
    return record.words.sentence(detail) if record.words else detail


def timeline(record: SessionRecord) -> str:
    """Short: per turn, the headline events and one line per team (who sent its orders and why)."""
    decisions = defaultdict(list)
    for row in tables.decisions(record):
        decisions[(row["turn"], row["team"])].append(row)
    headlines = defaultdict(list)
    for row in tables.events(record):
        if row["injected"] or row["kind"] in tables.WORLD_EVENTS or row["kind"] in tables.DEAL_EVENTS:
            headlines[row["turn"]].append(row)
    parts = []
    for turn in record.turns:
        shown = headlines[turn.turn][:TIMELINE_HEADLINES_PER_TURN]
        lines = [f"<li>{esc(plain(record, e['detail']))}</li>" for e in shown]
        teams = [team_line(team, turn, decisions[(turn.turn, team)]) for team in record.teams]
        parts.append(
            f"<h3>Turn {turn.turn} — {esc(turn.date)}</h3>"
            + (f"<ul>{''.join(lines)}</ul>" if lines else '<p class="muted">No headline event.</p>')
            + table(("team", "orders", "reasoning"), teams)
        )
    return section(
        "timeline",
        "Timeline",
        '<p class="muted">Headline events and each team\'s orders; every decision and event is in the '
        '<a href="#full-log">full log</a> at the end (and in decisions.csv, events.csv).</p>',
        *parts or ["<p>No turn was played.</p>"],
    )


def team_line(team: str, turn, rows: list[dict]) -> tuple[str, str, str]:
    """One team's turn in a line: who sent how many decisions, or default orders; its reasoning."""
    if team in turn.defaulted:
        return team, f"default orders (AI), {len(rows)} decisions", ""
    sender = rows[0]["sent_by"] if rows else ""
    return (
        team,
        f"{len(rows)} decisions" + (f", sent by {sender}" if sender else ""),
        (rows[0]["reasoning"] if rows else ""),
    )


def full_log(record: SessionRecord) -> str:
    """Every turn's decisions, notable events and instructor acts (collapsed)."""
    decisions = defaultdict(list)
    for row in tables.decisions(record):
        decisions[row["turn"]].append(row)
    events = defaultdict(list)
    for row in tables.events(record):
        if tables.notable(record, row):
            events[row["turn"]].append(row)
    parts = []
    for turn in record.turns:
        acts = [
            r
            for r in record.journal
            if r["turn"] == turn.turn and r["kind"] in ("inject", "withdraw", "undo", "rollback", "seat")
        ]
        parts.append(turn_block(turn, decisions[turn.turn], events[turn.turn], acts))
    return section(
        "full-log",
        "Full log of decisions and events",
        '<p class="muted">Yellow rows are default orders (the team\'s AI doctrine played); '
        "red rows are events the instructor injected.</p>",
        *parts or ["<p>No turn was played.</p>"],
    )


def turn_block(turn, decisions: list[dict], events: list[dict], acts: list[dict]) -> str:
    """One turn of the timeline."""
    defaults = f" — default orders for {', '.join(turn.defaulted)}" if turn.defaulted else ""
    decision_table = table(
        ("team", "by", "decision"),
        [(d["team"], d["source"], d["summary"]) for d in decisions],
        ["default" if d["source"] != "team" else "" for d in decisions],
    )
    shown = events[:TIMELINE_EVENTS_PER_TURN]
    more = len(events) - len(shown)
    event_table = table(
        ("event", "actor", "what happened"),
        [(e["kind"], e["actor"], e["detail"]) for e in shown],
        ["injected" if e["injected"] else "" for e in shown],
    )
    tail = f'<p class="muted">… and {more} more events (events.csv).</p>' if more > 0 else ""
    instructor = "".join(f"<li>instructor: {esc(a['kind'])} {esc(a['detail'])}</li>" for a in acts)
    summary = f"<summary><strong>Turn {turn.turn} — {esc(turn.date)}</strong>{esc(defaults)}</summary>"
    acted = f"<ul>{instructor}</ul>" if instructor else ""
    decided = decision_table if decisions else '<p class="muted">No decisions.</p>'
    return f"<details>{summary}{acted}{decided}{event_table}{tail}</details>"


def prices_section(record: SessionRecord) -> str:
    """Local prices of the key lines in each team's country."""
    lines = tables.key_lines(record)
    rows = tables.prices(record, lines)
    if not record.turns:
        return section("prices", "Prices over time", "<p>No turn was played.</p>")
    last = [r for r in rows if r["world"] == tables.SESSION and r["turn"] == len(record.turns) - 1]
    return section(
        "prices",
        "Prices over time",
        image(charts.price_chart(rows, lines, record.teams), "prices"),
        "<h3>After the last turn</h3>",
        table(
            ("country", "mineral", "stage", "price USD/kg"),
            [(r["country"], r["mineral"], r["stage"], r["price_usd_per_kg"]) for r in last],
        ),
    )


def flows_section(record: SessionRecord) -> str:
    """Imports of the key lines per team over time, and the largest flows of the last turn."""
    if not record.turns:
        return section("flows", "Flows over time", "<p>No turn was played.</p>")
    lines = tables.key_lines(record)
    rows = tables.flows(record)
    last = sorted(
        (
            r
            for r in rows
            if r["world"] == tables.SESSION
            and r["turn"] == len(record.turns) - 1
            and (r["mineral"], r["stage"]) in lines
        ),
        key=lambda r: -r["tonnes"],
    )[:30]
    return section(
        "flows",
        "Flows over time",
        image(charts.imports_chart(rows, lines, record.teams), "imports"),
        "<h3>Largest flows of the key lines in the last turn (t/turn)</h3>",
        table(
            ("mineral", "stage", "from", "to", "tonnes"),
            [(r["mineral"], r["stage"], r["exporter"], r["importer"], r["tonnes"]) for r in last],
        ),
    )


def supply_section(record: SessionRecord) -> str:
    """Supply security per team, and each goal of the pack against its target."""
    if not record.turns:
        return section("supply-security", "Supply security against goals", "<p>No turn was played.</p>")
    goal_rows = tables.goals(record)
    last_turn = len(record.turns) - 1
    final = [g for g in goal_rows if g["turn"] == last_turn]
    parts = [image(charts.security_chart(tables.security(record), record.teams), "supply security")]
    if record.pack is None:
        parts.append("<p>No teaching pack: the teams had no written goals.</p>")
    else:
        parts += [
            image(charts.goals_chart(goal_rows, record.teams), "goals"),
            "<h3>Goals after the last turn</h3>",
            table(
                ("team", "role", "goal", "target", "value", "", "AI only", ""),
                [
                    (
                        g["team"],
                        g["role"],
                        g["goal"],
                        g["label"],
                        g["value"],
                        g["met"],
                        g["ai_only_value"],
                        g["ai_only_met"],
                    )
                    for g in final
                ],
            ),
        ]
    return section("supply-security", "Supply security against goals", *parts)


def deals_section(record: SessionRecord) -> str:
    """Deals signed, broken, expired and rejected that involve the teams."""
    rows = tables.deals(record)
    counts = defaultdict(int)
    for row in rows:
        counts[row["kind"]] += 1
    summary = ", ".join(f"{k.replace('deal_', '')}: {v}" for k, v in sorted(counts.items())) or "none"
    return section(
        "deals",
        "Deals signed and broken",
        f"<p>{esc(summary)}</p>",
        table(
            ("turn", "date", "what", "detail"), [(r["turn"], r["date"], r["kind"], r["detail"]) for r in rows]
        ),
    )


def messages_section(record: SessionRecord) -> str:
    """The messages between teams (public and private), as logged."""
    rows = [(m["turn"], m["sender"], m.get("name", ""), m["to"], m["text"]) for m in record.messages]
    return section(
        "messages",
        "Messages between teams",
        "<p class=\"muted\">Public messages went to 'all'; private ones to one team. "
        "All were logged for this debrief.</p>",
        table(("turn", "from", "by", "to", "text"), rows) if rows else "<p>No messages.</p>",
    )


def counterfactual_section(record: SessionRecord) -> str:
    """The session against the same seed with the AI playing every seat."""
    score_rows = tables.scores(record)
    rows = [
        (
            s["team"],
            s["mean_supply_security"],
            s["ai_only_mean_supply_security"],
            s["goal_share_met"],
            s["ai_only_goal_share_met"],
            s["treasury_end_usd_m"],
            s["ai_only_treasury_end_usd_m"],
        )
        for s in score_rows
    ]
    return section(
        "counterfactual",
        "Counterfactual: the same seed with AI only",
        "<p>The same scenario, seed and injected events, replayed with every team's seat played by "
        "its AI doctrine. Dashed lines in the charts above are this run.</p>",
        table(
            ("team", "supply security", "AI only", "goals met", "AI only", "treasury USD m", "AI only"), rows
        ),
    )


def grading_section(csv_paths: list[Path]) -> str:
    """The CSV files written beside the report."""
    items = "".join(f"<li><code>{esc(path)}</code></li>" for path in csv_paths)
    return section(
        "grading",
        "Grading exports",
        f"<p>CSV files written with this report (one row per team, goal, decision, …):</p><ul>{items}</ul>",
    )


def questions_section(record: SessionRecord) -> str:
    """The pack's debrief questions."""
    questions = (
        record.pack.debrief
        if record.pack
        else (
            "Which decision changed your country's supply security most, and why?",
            "Where did the session differ from the AI-only run, and what explains the difference?",
            "Which deals were broken, by whom, and what did it cost in trust?",
        )
    )
    return section(
        "questions", "Debrief questions", "<ol>" + "".join(f"<li>{esc(q)}</li>" for q in questions) + "</ol>"
    )
