"""Teaching packs load, fit their scenarios, and their injects are playable events."""

from __future__ import annotations

import html
import re

import pytest

from critmin.classroom.debrief import write_debrief
from critmin.classroom.packs import check_pack, load_pack, pack_markdown, pack_names
from critmin.classroom.record import goal_value
from critmin.classroom.session import Session, event_problem
from critmin.classroom.store import Store
from critmin.engine.model import WorldModel
from critmin.scenarios import load_scenario, packaged_names
from critmin.scenarios.loader import scenario_from_content

PACKS = ["china-ree-controls-2025", "india-central-asia-2025"]
ROLES = {
    "india-mines": "IND",
    "kabil": "IND",
    "mofcom": "CHN",
    "kazakhstan": "KAZ",
    "chile-codelco": "CHL",
    "eu": "EUU",
    "usa": "USA",
    "japan": "JPN",
}


def scenario_of(pack):
    """The pack's scenario, or world-2024 (which india-central-asia-2025 builds on) until it ships."""
    name = pack.pack.scenario if pack.pack.scenario in packaged_names() else "world-2024"
    return load_scenario(name)


def test_both_packs_ship():
    assert set(PACKS) <= set(pack_names())


@pytest.mark.parametrize("name", PACKS)
def test_a_pack_fits_its_scenario(name):
    pack = load_pack(name)
    snapshot = WorldModel(scenario_of(pack)).snapshot()
    assert check_pack(pack, set(snapshot.countries), snapshot.chains) == []
    assert {r.id: r.team for r in pack.roles if r.id in ROLES} == ROLES
    for team in pack.pack.teams:
        assert pack.roles_of(team), f"{team} has no role card"
        assert pack.goals_of(team), f"{team} has no goal"
    assert pack.briefing.strip() and pack.objectives and pack.debrief
    assert all(f.source for f in pack.figures) and len(pack.figures) >= 8


@pytest.mark.parametrize("name", PACKS)
def test_injects_are_events_the_engine_accepts(name):
    pack = load_pack(name)
    scenario = scenario_of(pack)
    events = [{**inject.event(), "turn": 1} for inject in pack.injects]
    assert all(event_problem(event) is None for event in events)
    content = {**scenario.content, "events": [*scenario.content.get("events", []), *events]}
    model = WorldModel(scenario_from_content(content, origin="pack.toml"), seed=1)
    model.run(2)
    titles = {e.detail for e in model.events}
    assert {i.title for i in pack.injects if i.kind != "action"} <= titles


def test_a_handout_holds_one_teams_private_information_only():
    pack = load_pack("china-ree-controls-2025")
    handout = pack_markdown(pack, "IND")
    assert "KABIL" in handout and "Ministry of Mines" in handout
    assert all(role.title not in handout for role in pack.roles if role.team != "IND")
    assert all(secret not in handout for role in pack.roles_of("CHN") for secret in role.private)
    assert "Debrief questions" in pack_markdown(pack)


def test_the_debrief_scores_india_against_the_ncmms_own_targets():
    goals = {g.metric: g for g in load_pack("india-central-asia-2025").goals_of("IND")}
    assert goals["assets_abroad"].target == 14.0  # 50 mines abroad over seven years: two years' pace
    assert (goals["stockpile_cover"].target, goals["stockpile_cover"].stage.value) == (2.0, "magnet")
    assert goals["exploration_projects"].target == 343.0  # 1,200 projects over seven years
    assert goals["blocks_auctioned"].target == 29.0  # 100+ blocks over seven years
    model = WorldModel("india-central-asia-2025")
    start = model.snapshot()
    held = goal_value(goals["assets_abroad"], "IND", start, start)
    assert held == 3.0  # KABIL in Catamarca and with Australia's CMFO, GSI in Zambia
    assert goal_value(goals["blocks_auctioned"], "IND", start, start) == 0.0
    model.run(8)
    later = model.snapshot()
    assert goal_value(goals["assets_abroad"], "IND", later, start) > held  # Central Asia, the PSUs' stakes
    magnets = later.figure("IND", "ree_light", "magnet")
    cover = goal_value(goals["stockpile_cover"], "IND", later, start)
    assert magnets.stockpile > 0 and cover == pytest.approx(magnets.stockpile / magnets.demand * 3)
    explored = model.world.programme_spend[("IND", "exploration")]
    projects = goal_value(goals["exploration_projects"], "IND", later, start)
    assert explored >= 300.0 and projects == pytest.approx(
        explored / 0.678
    )  # the mission's Rs 1,000 crore a year
    awarded = [e for e in model.events if e.kind == "block_awarded" and e.target == "IND"]
    assert awarded and goal_value(goals["blocks_auctioned"], "IND", later, start) == len(awarded)
    recycled = goal_value(goals["recycled_tonnes"], "IND", later, start)
    assert recycled == pytest.approx(float(model.last.recycled[model.index.country["IND"]].sum()) * 4)


NCMM_METRICS = (
    "exploration_projects",
    "blocks_auctioned",
    "recycled_tonnes",
    "assets_abroad",
    "stockpile_cover",
)
CELL = "<td>[^<]*</td>"
GOAL_ROW = re.compile(rf"<tr><td>IND</td>{CELL}{CELL}<td>([^<]*)</td><td class=\"num\">([^<]*)</td>")


def final_goal_rows(report: str) -> dict[str, str]:
    """The debrief's goals after the last turn: the target's label -> India's value as printed."""
    table = report.split("Goals after the last turn")[1].split("</table>")[0]
    return {html.unescape(label): value for label, value in GOAL_ROW.findall(table)}


def test_the_debrief_prints_each_ncmm_target_beside_indias_value(tmp_path):
    """A two-turn class as India: the report's goal table names each NCMM target and India's figure."""
    store = Store.in_directory(tmp_path / "state", create=True)
    session = Session.create(
        store,
        load_scenario("india-central-asia-2025"),
        teams=["IND"],
        seed=None,
        turns=2,
        turn_seconds=None,
        pack="india-central-asia-2025",
        code_digests={},
    )
    session.start()
    for _ in range(2):
        session.begin_resolve()
        session.resolve()
    session.store.close()
    report, _ = write_debrief(tmp_path / "state", tmp_path / "debrief.html")
    printed = final_goal_rows(report.read_text(encoding="utf-8"))
    goals = {g.metric: g for g in load_pack("india-central-asia-2025").goals_of("IND")}
    for metric in NCMM_METRICS:
        assert goals[metric].label() in printed, metric
    model = WorldModel("india-central-asia-2025")
    model.run(2)
    projects = model.world.programme_spend[("IND", "exploration")] / goals["exploration_projects"].unit_usd_m
    assert printed[goals["exploration_projects"].label()] == f"{projects:,.0f}"  # 142: Rs 1,000 crore a year
    assert float(printed[goals["assets_abroad"].label()]) >= 3.0  # Catamarca, Australia, Zambia at least
