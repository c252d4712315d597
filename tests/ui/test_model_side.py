"""The UI's pygame-free parts: projection, indicators, forms, the session (hot-seat, save, load, replay)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from critmin.core.actions import ProposeDeal, SetTariff
from critmin.engine.save import SaveError, read_save, replay
from critmin.ui.forms import DealForm, OrderForm, build_deal, build_order
from critmin.ui.geo import EU_BLOC, Projection, map_code, world_outlines
from critmin.ui.indicators import (
    ALL,
    Filter,
    controlled_routes,
    import_dependence,
    mapped_countries,
    shown_flows,
)
from critmin.ui.session import ReplayCursor, Session, describe

TINY = Path(__file__).parents[1] / "data" / "tiny.toml"


def test_projection_round_trips_and_keeps_the_aspect_ratio():
    projection = Projection(0, 0, 1280, 630)
    x, y = projection.point(79.0, 22.0)
    assert projection.lon_lat(x, y) == pytest.approx((79.0, 22.0))
    left, top = projection.point(-180, 84)
    right, bottom = projection.point(180, -58)
    assert (right - left) / (bottom - top) == pytest.approx(360 / 142)


def test_eu_members_are_drawn_as_the_eu_bloc_and_the_rest_of_the_world_is_not_drawn():
    codes = {"EUU", "IND", "ROW"}
    assert map_code("FRA", codes) == EU_BLOC
    assert map_code("DEU", codes) == EU_BLOC
    assert map_code("IND", codes) == "IND"
    assert map_code("NOR", codes) is None
    assert map_code("ROW", codes) is None
    outlines = {o.iso3 for o in world_outlines()}
    assert {"IND", "CHN", "AUS", "FRA"} <= outlines
    assert "ATA" not in outlines


def test_filters_select_flows_and_controls_mark_routes():
    session = Session.start("china-ree-controls-2025")
    session.model.run(3)
    snapshot = session.model.snapshot()
    mapped = mapped_countries(snapshot)
    assert "ROW" not in mapped
    heavy = Filter("ree_heavy", ALL)
    flows = shown_flows(snapshot, heavy, mapped)
    assert flows and {f.mineral for f in flows} == {"ree_heavy"}
    routes = controlled_routes(snapshot, heavy, mapped)
    assert any(r.exporter == "CHN" and r.regime == "licence" for r in routes)
    dependence = import_dependence(snapshot, Filter("ree_light", "magnet"))
    assert min(dependence.values()) >= 0.0 and max(dependence.values()) <= 1.0


def test_order_and_deal_forms_build_actions_the_engine_can_check():
    tariff = build_order(OrderForm(kind="tariff", mineral="lithium", stage="refined", amount="30"), "IND")
    assert isinstance(tariff, SetTariff) and tariff.rate == pytest.approx(0.3)
    assert "not a number" in build_order(
        OrderForm(kind="tariff", mineral="lithium", stage="refined", amount="lots"), "IND"
    )
    deal = build_deal(
        DealForm(counterparty="AUS", mineral="lithium", stage="mine", tonnes_per_year="500"), "IND"
    )
    assert isinstance(deal, ProposeDeal) and (deal.buyer, deal.seller) == ("IND", "AUS")
    session = Session.start(TINY, ["IND"])
    assert session.model.check(deal) is None
    lift = build_order(OrderForm(kind="lift control", mineral="lithium", stage="refined"), "IND")
    assert "no export control" in session.model.check(lift)


def test_hot_seat_submits_each_players_orders_then_plays_the_turn():
    session = Session.start(TINY, ["IND", "AUS"])
    tariff = build_order(OrderForm(kind="tariff", mineral="lithium", stage="refined", amount="25"), "IND")
    assert session.add_order(tariff) is None
    assert session.add_order(tariff) == "already among this turn's orders"
    first = session.end_turn()
    assert not first.stepped and session.player == "AUS" and session.model.turn == 0
    assert "IND's turn" not in (session.add_order(tariff) or "")  # AUS cannot order for India
    second = session.end_turn()
    assert second.stepped and session.player == "IND" and session.model.turn == 1
    assert ("IND", "lithium", "refined") in session.model.policies.tariffs


def test_a_saved_game_loads_to_the_same_state_and_goes_on_identically(tmp_path):
    session = Session.start("china-ree-controls-2025", ["IND"])
    deal = build_deal(
        DealForm(counterparty="AUS", mineral="ree_light", stage="mine", tonnes_per_year="100"), "IND"
    )
    session.add_order(deal)
    for _ in range(3):
        session.end_turn()
    path = session.save(tmp_path / "game.json")
    loaded = Session.load(path)
    assert loaded.humans == ["IND"] and loaded.model.hashes == session.model.hashes
    session.end_turn()
    loaded.end_turn()
    assert loaded.model.hashes == session.model.hashes
    other_players = Session.load(path, humans=["JPN"])
    assert other_players.model.hashes == session.model.hashes[:3]


def test_a_bad_save_is_refused_with_a_reason(tmp_path):
    session = Session.start(TINY, ["IND"])
    session.end_turn()
    path = session.save(tmp_path / "game.json")
    data = json.loads(path.read_text())
    data["turns"][0]["state_hash"] = "0" * 64
    path.write_text(json.dumps(data))
    with pytest.raises(SaveError, match="state hash"):
        Session.load(path)


def test_replay_cursor_steps_forward_and_back_with_matching_hashes(tmp_path):
    session = Session.start(TINY, ["IND"])
    session.add_order(
        build_order(OrderForm(kind="tariff", mineral="lithium", stage="refined", amount="25"), "IND")
    )
    for _ in range(3):
        session.end_turn()
    cursor = ReplayCursor.open(session.save(tmp_path / "game.json"))
    while cursor.forward():
        pass
    assert cursor.turn == 3 and cursor.problem is None
    assert cursor.model.hashes == session.model.hashes
    assert cursor.back() and cursor.turn == 2
    assert np.array_equal(cursor.model.hashes, session.model.hashes[:2])


def test_describe_names_the_order():
    tariff = build_order(OrderForm(kind="tariff", mineral="lithium", stage="refined", amount="25"), "IND")
    assert describe(tariff) == "set tariff: mineral lithium, stages refined, rate 0.25"


def test_the_engines_replay_accepts_a_save_with_human_orders(tmp_path):
    session = Session.start(TINY, ["IND"])
    session.add_order(
        build_order(OrderForm(kind="tariff", mineral="lithium", stage="refined", amount="25"), "IND")
    )
    session.end_turn()
    _, report = replay(read_save(session.save(tmp_path / "game.json")))
    assert report.ok
