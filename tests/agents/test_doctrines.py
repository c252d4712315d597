"""Each doctrine's character, reproducibility under a seed, and the controllers a scenario asks for."""

from __future__ import annotations

import copy

import msgspec
import numpy as np
import pytest
from ai_worlds import AUS_REFINERY, TINY_DOCTRINES, ai_controllers, control_event, tiny_with
from msgspec.structs import fields, replace

from critmin.agents.behaviours import leveraged_ores, positions_by_row, unprocessed_ores
from critmin.agents.controllers import DefaultController, QueuedController
from critmin.agents.doctrine_params import COUNTRY_OVERRIDES, DOCTRINES, params_for
from critmin.agents.doctrines import (
    AlignedSupplier,
    DiversifyingImporter,
    DominantProcessor,
    ResourceNationalist,
    make_controller,
)
from critmin.agents.reading import FIGURE
from critmin.core.events import REASON_MARK
from critmin.engine.model import WorldModel
from critmin.engine.save import replay, save_data
from critmin.scenarios import load_scenario
from critmin.scenarios.loader import scenario_from_content

LICENCE_ON_MAGNETS = control_event(
    0, "CHN", "ree_heavy", "magnet", "licence", approval_share=0.25, delay_turns=1
)


def kinds_by(model: WorldModel, kind: str, actor: str) -> list:
    return [e for e in model.events if e.kind == kind and e.actor == actor]


@pytest.mark.parametrize(
    ("controller", "doctrine", "expected"),
    [
        ("ai", "dominant_processor", DominantProcessor),
        ("ai", "resource_nationalist", ResourceNationalist),
        ("ai", "diversifying_importer", DiversifyingImporter),
        ("ai", "aligned_supplier", AlignedSupplier),
        ("ai", "passive", DefaultController),
        ("default", "dominant_processor", DefaultController),
        ("human", "passive", QueuedController),
        ("external", "aligned_supplier", QueuedController),
    ],
)
def test_make_controller_follows_the_scenario(controller, doctrine, expected):
    spec = load_scenario("world-2024").spec.countries[0]
    made = make_controller(
        msgspec.structs.replace(spec, controller=controller, doctrine=doctrine), np.random.default_rng(0)
    )
    assert type(made) is expected


def test_a_scenario_doctrine_table_sets_a_parameter_for_every_country_on_the_doctrine():
    content = copy.deepcopy(load_scenario("world-2024").content)
    content["doctrines"] = {"resource_nationalist": {"price_support_ratio": 0.5, "source": "test case [L]"}}
    model = WorldModel(scenario_from_content(content, "tabled.toml"), seed=1)
    nationalists = [c for c in model.countries.values() if isinstance(c.controller, ResourceNationalist)]
    assert {"COD", "CHL", "IDN"} <= {c.iso3 for c in nationalists}
    for country in nationalists:
        assert country.controller.params.price_support_ratio == 0.5, "the table wins over COD's own 0.8"
        assert country.controller.params.source.endswith("scenario: test case [L]")
    untouched = WorldModel("world-2024", seed=1).countries["COD"].controller.params
    assert untouched == params_for("resource_nationalist", "COD") and untouched.price_support_ratio == 0.8


def test_a_countrys_own_doctrine_params_set_a_parameter_for_that_country_alone():
    content = copy.deepcopy(load_scenario("world-2024").content)
    content["doctrines"] = {"resource_nationalist": {"price_support_ratio": 0.5, "source": "test case [L]"}}
    for country in content["countries"]:
        if country["iso3"] == "IDN":
            country["doctrine_params"] = {"price_support_ratio": 0.6, "source": "Indonesia's own [L]"}
    model = WorldModel(scenario_from_content(content, "tabled.toml"), seed=1)
    indonesia = model.countries["IDN"].controller.params
    assert indonesia.price_support_ratio == 0.6, "the country's own value wins over its doctrine's table"
    assert indonesia.source.endswith("scenario: test case [L]; scenario: Indonesia's own [L]")
    assert model.countries["COD"].controller.params.price_support_ratio == 0.5


def test_every_parameter_set_names_its_source():
    assert all(len(params.source) > 40 for params in DOCTRINES.values() if params.name != "passive")
    for country, (changes, source) in COUNTRY_OVERRIDES.items():
        doctrine = next(d for d in DOCTRINES if set(changes) <= {f.name for f in fields(DOCTRINES[d])})
        assert source in params_for(doctrine, country).source


def test_doctrines_are_deterministic_under_a_seed():
    first, second = (WorldModel("china-ree-controls-2025", seed=4) for _ in range(2))
    first.run(6)
    second.run(6)
    assert first.action_log == second.action_log
    assert first.hashes == second.hashes
    assert sum(len(turn) for turn in first.action_log) > 50


def test_a_game_played_by_ai_replays_from_its_save():
    model = WorldModel("china-ree-controls-2025", seed=4)
    model.run(3)
    _, report = replay(save_data(model))
    assert report.ok, report.problem


def test_a_dominant_processor_licenses_a_line_it_dominates_to_a_country_it_distrusts(tiny):
    model = WorldModel(tiny, seed=1, controllers=ai_controllers(TINY_DOCTRINES))
    model.run(1)
    model.state.trust[model.index.country["CHN"], model.index.country["IND"]] = 0.2
    model.run(8)
    controls = kinds_by(model, "control_imposed", "CHN")
    assert controls and all(e.target == "IND" for e in controls)
    assert all(f"({REASON_MARK}bargaining pressure on IND, trusted" in e.detail for e in controls)
    china = model.countries["CHN"].controller.params
    assert all(c.approval_share == china.leverage_approval_share for c in model.policies.controls.values())


def test_a_dominant_processor_eases_its_licences_when_its_home_market_is_glutted_but_keeps_them(tiny):
    model = WorldModel(
        tiny_with(tiny, "tiny-licence", events=[LICENCE_ON_MAGNETS]),
        seed=1,
        controllers=ai_controllers(TINY_DOCTRINES),
    )
    model.run(16)
    eased = kinds_by(model, "control_eased", "CHN")
    control = model.policies.controls[("CHN", "ree_heavy", "magnet")]
    params = model.countries["CHN"].controller.params
    assert eased and eased[0].turn >= params.ease_after_turns
    assert all("x reference, below 0.8x: licences eased)" in e.detail for e in eased)
    assert 0.25 < control.approval_share <= params.ease_cap
    assert not kinds_by(model, "control_lifted", "CHN")


def eager_nationalist(**changes) -> dict:
    """The tiny world's AI with Australia a resource nationalist that acts on any trigger at once."""
    controllers = ai_controllers({**TINY_DOCTRINES, "AUS": "resource_nationalist"})
    australia = controllers["AUS"]
    australia.params = replace(australia.params, **{"downstream_probability": 1.0, **changes})
    return controllers


LITHIUM_BOOM = {
    "turn": 1,
    "kind": "demand_shock",
    "title": "storage boom",
    "country": "CHN",
    "mineral": "lithium",
    "stage": "refined",
    "share": 1.0,
    "duration_turns": 8,
    "source": "test fixture",
}
CHINESE_LITHIUM_MINE = {**AUS_REFINERY, "country": "CHN", "stage": "mine", "tonnes_per_year": 20000.0}


def test_a_resource_nationalist_imposes_nothing_without_a_trigger(tiny):
    model = WorldModel(tiny, seed=1, controllers=eager_nationalist(price_support_ratio=0.7))
    model.run(8)
    assert not [e for e in model.events if e.kind in ("control_imposed", "tariff_set")]


def test_a_tight_ore_market_makes_a_resource_nationalist_restrict_raw_exports_and_build_processing(tiny):
    model = WorldModel(
        tiny_with(tiny, "tiny-boom", events=[LITHIUM_BOOM]), seed=1, controllers=eager_nationalist()
    )
    model.run(6)
    quota = model.policies.controls.get(("AUS", "lithium", "mine"))
    assert quota is not None and quota.regime == "quota"
    (imposed,) = kinds_by(model, "control_imposed", "AUS")
    assert f"({REASON_MARK}world lithium ore price" in imposed.detail
    built = kinds_by(model, "investment", "AUS") + [
        e for e in kinds_by(model, "deal_proposed", "AUS") if "partnership" in e.detail
    ]
    assert built, "processing at home, or a partner asked to finance it"


def test_a_resource_nationalist_follows_a_peer_restricting_the_same_ore(tiny):
    peer_quota = control_event(2, "CHN", "lithium", "mine", "quota", quota_tonnes_per_year=1000.0)
    scenario = tiny_with(tiny, "tiny-peer", capacity=[CHINESE_LITHIUM_MINE], events=[peer_quota])
    model = WorldModel(scenario, seed=1, controllers=eager_nationalist())
    model.run(5)
    (imposed,) = kinds_by(model, "control_imposed", "AUS")
    assert imposed.turn == 3, "the turn after the peer's move, not before"
    assert f"{REASON_MARK}follows CHN's restriction of raw lithium exports" in imposed.detail


def test_a_big_producer_defends_its_price_only_after_a_sustained_slump(tiny):
    slump = {**LITHIUM_BOOM, "title": "storage bust", "share": -0.6}
    model = WorldModel(
        tiny_with(tiny, "tiny-bust", events=[slump]),
        seed=1,
        controllers=eager_nationalist(downstream_probability=0.0, price_support_ratio=0.9),
    )
    model.run(8)
    imposed = kinds_by(model, "control_imposed", "AUS")
    assert imposed and f"{REASON_MARK}price" in imposed[0].detail and "for 2 turns" in imposed[0].detail


def test_an_aligned_supplier_offers_floor_priced_offtakes(tiny):
    scenario = tiny_with(tiny, "tiny-supplier", capacity=[AUS_REFINERY])
    model = WorldModel(scenario, seed=2, controllers=ai_controllers(TINY_DOCTRINES))
    model.run(6)
    offers = [  # AUS's own proposals (CHN, a buyer, may propose an index-priced offtake from AUS too)
        a for turn in model.action_log for a in turn if a["type"] == "propose_deal" and a["country"] == "AUS"
    ]
    assert offers and all(a["seller"] == "AUS" for a in offers)
    assert all(a["price_rule"] == "floor" and a["price_usd_per_kg"] > 0 for a in offers)
    assert {a["buyer"] for a in offers} <= {"CHN", "IND"}


def test_a_diversifying_importer_with_no_other_supplier_funds_programmes_and_builds(tiny):
    model = WorldModel(
        tiny_with(tiny, "tiny-licence", events=[LICENCE_ON_MAGNETS]),
        seed=1,
        controllers=ai_controllers(TINY_DOCTRINES),
    )
    model.run(8)
    acted = {a["type"] for turn in model.action_log for a in turn if a["country"] == "IND"}
    assert "fund_program" in acted
    assert acted & {"buy_stockpile", "acquire_stake", "invest"}


def test_positions_by_row_are_each_rows_true_positions_in_order():
    """Worked out for every row at once, each row's list equals its own `flatnonzero`."""
    chosen = np.random.default_rng(5).random((6, 11)) < 0.3
    chosen[2] = False  # a row with nothing chosen
    by_row = positions_by_row(chosen)
    assert by_row[2] == [] and any(by_row)
    assert by_row == [np.flatnonzero(row).tolist() for row in chosen]


def test_ores_read_for_every_row_at_once_are_each_rows_own():
    """`leveraged_ores` and `unprocessed_ores` equal the rules as first written, one row at a time."""
    model = WorldModel("world-2024", seed=1)
    model.run(2)
    reading = model.reading()
    seen, figures = reading.seen, reading.rows.figures
    leveraged, unprocessed = leveraged_ores(reading, 0.3), unprocessed_ores(reading)
    for row in range(len(figures)):
        exports, capacity = figures[row, seen.ores, FIGURE["exports"]], figures[row, :, FIGURE["capacity"]]
        shares = reading.rows.capacity_share[row, seen.ores]
        room = capacity[seen.processed] < 0.5 * capacity[seen.ores]
        assert leveraged[row] == np.flatnonzero((exports > 0) & (shares >= 0.3) & room).tolist()
        mined, processed = capacity[seen.ores], capacity[seen.processed]
        assert unprocessed[row] == np.flatnonzero((mined > 0) & (processed < 0.25 * mined)).tolist()
    assert any(leveraged) and any(unprocessed)
