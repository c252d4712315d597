"""Manufacturers substitute when short and count the output they lose, per sector, in value."""

from __future__ import annotations

import copy

import msgspec
import numpy as np
import pytest

from critmin.agents.manufacturers import Pressure
from critmin.engine.model import WorldModel
from critmin.scenarios import load_scenario
from critmin.scenarios.loader import scenario_from_content
from critmin.scenarios.substitutes import SUBSTITUTES

TURNS = 12
MAGNET_BAN = {
    "turn": 1,
    "kind": "action",
    "country": "CHN",
    "title": "China bans heavy rare-earth oxide and magnet exports",
    "source": "test fixture",
    "action": {
        "type": "impose_export_control",
        "mineral": "ree_heavy",
        "stages": ["refined", "magnet"],
        "regime": "ban",
    },
}


def banned_world(substitutes: bool | list[dict], turns: int = TURNS, **market) -> WorldModel:
    """The 2025 scenario with a heavy-REE ban: default substitutes (True), none (False) or those given."""
    content = copy.deepcopy(load_scenario("china-ree-controls-2025").content)
    content["events"] = [*content.get("events", []), MAGNET_BAN]
    content.setdefault("market", {}).update(market)
    if substitutes is not True:
        content["market"]["substitutes"] = substitutes or []
    model = WorldModel(scenario_from_content(content, f"magnet-ban-{substitutes}.toml"))
    model.run(turns)
    return model


@pytest.fixture(scope="module")
def with_and_without():
    return banned_world(True), banned_world(False)


def lost_outside_china(model: WorldModel) -> float:
    china = model.index.country["CHN"]
    return float(sum(turn.sum() - turn[:, china].sum() for turn in model.lost_output))


def test_under_a_heavy_ree_magnet_ban_makers_outside_china_substitute_and_lose_less(with_and_without):
    on, off = with_and_without
    options = on.constants.substitutes
    heavy = [o for o, m in enumerate(options.mineral) if on.index.minerals[m] == "ree_heavy"]
    china = on.index.country["CHN"]
    adopted = on.state.adoption[heavy].copy()
    adopted[:, china] = 0.0
    assert adopted.max() > 0
    began = [e for e in on.events if e.kind == "manufacturer_substitutes" and not e.actor.startswith("CHN")]
    assert began and all("reason: " in e.detail for e in began)
    assert 0 < lost_outside_china(on) < lost_outside_china(off)


def test_lost_output_is_a_table_per_turn_country_and_sector(with_and_without):
    on, _ = with_and_without
    table = on.tables()["sectors"].to_pylist()
    assert {row["sector"] for row in table} >= {"ev", "wind", "defence"}
    assert len({row["turn"] for row in table}) == TURNS
    ind_ev = sum(r["lost_output_usd_m"] for r in table if (r["country"], r["sector"]) == ("IND", "ev"))
    assert ind_ev == pytest.approx(float(sum(t[0, on.index.country["IND"]] for t in on.lost_output)))
    ind = next(a for a in on.agents if getattr(a, "sector", "") == "ev" and a.country == "IND")
    assert ind.lost_output_usd_m() == pytest.approx(float(on.lost_output[-1][0, on.index.country["IND"]]))


def test_short_manufacturers_lobby_their_government_with_reasons(with_and_without):
    on, _ = with_and_without
    lobbying = [e for e in on.events if e.kind == "manufacturer_lobbies"]
    assert lobbying and all("reason: short of" in e.detail for e in lobbying)


def test_makers_short_of_supply_switch_sooner_when_the_scenario_lets_shortage_drive_them():
    """With alternatives only worth it at 100x the price, makers switch only when shortage drives them."""
    dear = [msgspec.to_builtins(s) | {"price_multiple": 100.0} for s in SUBSTITUTES]
    on_price, on_shortage = (
        banned_world(dear, turns=2),
        banned_world(dear, turns=2, substitute_on_shortage=0.1),
    )
    assert on_price.state.adoption.sum() == 0.0
    assert on_shortage.state.adoption.sum() > 0.0
    reasons = [e.detail for e in on_shortage.events if e.kind == "manufacturer_substitutes"]
    assert any("(reason: short of" in detail for detail in reasons)


def test_lobbying_reaches_the_governments_observation_and_raises_its_pressure(with_and_without):
    on, _ = with_and_without
    levels = on.manufacturer_turn.lobbying
    assert levels.max() > 0
    c, m, s = np.argwhere(levels > 0)[0]
    mineral, stage = on.index.minerals[m], on.index.stages[s]
    heard = on.observe(on.index.countries[c]).lobbying
    assert heard[f"{mineral}/{stage}"] == pytest.approx(levels[c, m, s])
    pressure = Pressure(memory=0.5)
    pressure.update({})
    pressure.hear({f"{mineral}/{stage}": 0.8})
    assert pressure.level[(mineral, stage)] == 0.8
