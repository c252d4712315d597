"""The debrief of the acceptance session: its sections, no network resources, grading CSVs."""

from __future__ import annotations

import csv
import re

import pytest

from critmin.classroom.debrief import SECTIONS
from critmin.cli import main
from tests.classroom.conftest import BOT_TEAMS, SILENT, TEAMS, TURNS

EXTERNAL = re.compile(
    r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import""",
    re.I,
)


@pytest.fixture(scope="module")
def debrief(played_session, tmp_path_factory):
    out = tmp_path_factory.mktemp("debrief") / "report.html"
    assert main(["debrief", str(played_session.server.state), "--out", str(out)]) == 0
    return out, out.read_text(encoding="utf-8"), out.with_name("report-csv")


def test_the_report_holds_every_section(debrief):
    _, html, _ = debrief
    for anchor in SECTIONS:
        assert f'id="{anchor}"' in html
    for heading in (
        "Teams compared",
        "Timeline",
        "Full log of decisions and events",
        "Prices over time",
        "Flows over time",
        "Supply security against goals",
        "Deals signed and broken",
        "Counterfactual: the same seed with AI only",
    ):
        assert heading in html
    assert html.count("data:image/png;base64,") >= 4


def test_the_report_needs_no_network(debrief):
    _, html, _ = debrief
    assert not EXTERNAL.search(html)
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html.lower()


def test_the_timeline_shows_every_turn_and_the_silent_teams_default_orders(debrief):
    _, html, _ = debrief
    for turn in range(TURNS):
        assert f"Turn {turn} — " in html
    assert html.count(f"default orders for {SILENT}") == TURNS


def test_grading_csvs_cover_every_team(debrief):
    _, _, csv_dir = debrief
    with (csv_dir / "scores.csv").open() as stream:
        scores = {row["team"]: row for row in csv.DictReader(stream)}
    assert set(scores) == set(TEAMS)
    assert scores[SILENT]["turns_with_default_orders"] == str(TURNS)
    assert all(scores[t]["turns_with_default_orders"] == "0" for t in BOT_TEAMS)
    with (csv_dir / "goals.csv").open() as stream:
        goals = list(csv.DictReader(stream))
    assert {row["team"] for row in goals} == set(TEAMS)
    with (csv_dir / "decisions.csv").open() as stream:
        decisions = list(csv.DictReader(stream))
    assert {row["source"] for row in decisions if row["team"] == SILENT} <= {"AI default"}
    assert {row["source"] for row in decisions if row["team"] in BOT_TEAMS} == {"team"}
    for name in ("prices.csv", "flows.csv", "supply.csv", "events.csv", "deals.csv", "messages.csv"):
        assert (csv_dir / name).is_file()
