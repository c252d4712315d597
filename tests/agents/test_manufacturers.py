"""Manufacturers substitute when short and count the output they lose, per sector, in value."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import msgspec
import numpy as np
import pytest

from critmin.agents.doctrine_params import BASE
from critmin.agents.maker_figures import line_figures, sector_shares
from critmin.agents.manufacturer_doctrine import doubted_share, stage_max
from critmin.agents.pressures import Pressures
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
    reading = on.reading()  # what the government's AI reads: the same lobbying, line by line
    lobbying = reading.rows.lobbying[reading.rows.at[on.index.countries[c]]]
    assert lobbying[reading.seen.at[(mineral, stage)]] == heard[f"{mineral}/{stage}"]
    pressures = Pressures()  # a government acting at the lobbying's level presses that line
    acting = msgspec.structs.replace(BASE, act_on_pressure=float(heard[f"{mineral}/{stage}"]))
    pressures.join(on.index.countries[c], acting)
    pressed = dict(pressures.pressed(reading, on.index.countries[c]))
    assert pressed[(mineral, stage)] >= heard[f"{mineral}/{stage}"]


def test_buyers_doubt_a_supplier_whose_control_cut_them_while_it_stands_and_then_forget():
    from types import SimpleNamespace

    from critmin.agents.manufacturer_doctrine import doubt_suppliers
    from critmin.engine.route_severity import RouteSeverity
    from critmin.scenarios.schema import MarketSettings

    settings = MarketSettings()
    severity = np.zeros((1, 1, 2, 2))  # (M, S, exporter, importer)
    view = SimpleNamespace(
        supplier_doubt=np.zeros((2, 2, 1, 1)),  # (importer, exporter, M, S)
        supplier_doubt_cells=np.zeros(0, dtype=np.int64),
        control_risk_binding=settings.control_risk_binding,
        supplier_doubt_memory_per_turn=settings.supplier_doubt_memory_per_turn,
    )

    def doubt_after(severity: np.ndarray) -> np.ndarray:
        view.route_severity = RouteSeverity.of_dense(severity)  # as trade keeps it
        view.supplier_doubt_cells, values = doubt_suppliers(view)
        doubt = np.zeros(view.supplier_doubt.shape)
        doubt.reshape(-1)[view.supplier_doubt_cells] = values
        assert values.all()  # only the non-zero cells
        return doubt

    severity[0, 0, 0, 1] = settings.control_risk_binding  # 0's licence binds on its sales to 1
    view.supplier_doubt = doubt_after(severity)
    assert view.supplier_doubt[1, 0, 0, 0] == 1.0 and view.supplier_doubt[0, 1, 0, 0] == 0.0
    severity[0, 0, 0, 1] = settings.control_risk_standing  # the licence stands, no longer binding
    view.supplier_doubt = doubt_after(severity)
    assert view.supplier_doubt[1, 0, 0, 0] == 1.0
    severity[:] = 0.0  # lifted
    view.supplier_doubt = doubt_after(severity)
    assert view.supplier_doubt[1, 0, 0, 0] == pytest.approx(settings.supplier_doubt_memory_per_turn)


def test_a_doubted_supplier_costs_its_buyers_a_premium_in_the_market_and_in_money():
    from critmin.engine.trade import supplier_risk_cost

    trusting, doubting = WorldModel("world-2024", seed=1), WorldModel("world-2024", seed=1)
    china, m, s = doubting.position("CHN", "ree_heavy", "magnet")
    india = doubting.index.country["IND"]
    doubt = doubting.state.supplier_doubt.copy()
    doubt[india, china, m, s] = 1.0
    doubting.state.set_supplier_doubt(doubt)  # its non-zero cells found by a scan
    cost = supplier_risk_cost(doubting.state, doubting.constants, doubting.settings, m, s)
    premium = doubting.settings.supplier_risk_premium * doubting.constants.reference_price[m, s]
    assert cost[china, india] == pytest.approx(premium) and cost[india, china] == 0.0
    trusting.step()
    doubting.step()
    assert trusting.last.flows[m, s, china, india] > 0  # India buys Chinese magnets when it trusts China
    assert doubting.last.flows[m, s, china, india] < trusting.last.flows[m, s, china, india]
    assert doubting.state.price[india, m, s] > trusting.state.price[india, m, s]
    hedged = doubting.last.flows[m, s, china, india] * premium / 1000  # USD m, the only doubted route
    assert (
        doubting.ledger["supplier_risk"] == pytest.approx(hedged) and trusting.ledger["supplier_risk"] == 0.0
    )


def test_under_chinas_licences_buyers_doubt_china_and_report_what_they_still_buy_from_it():
    trusting, controlled = WorldModel("world-2024", seed=3), WorldModel("china-ree-controls-2025", seed=3)
    trusting.run(4)
    controlled.run(4)
    japan, m, s = controlled.position("JPN", "ree_heavy", "refined")
    china = controlled.index.country["CHN"]
    assert controlled.state.supplier_doubt[japan, china, m, s] == 1.0
    assert trusting.state.supplier_doubt[japan, china, m, s] == 0.0
    assert trusting.manufacturer_turn.doubted_share[japan, m, s] == 0.0
    doubted = controlled.state.supplier_doubt[japan, :, m, s] > 0
    flows = controlled.last.flows[m, s, :, japan]
    share = controlled.manufacturer_turn.doubted_share[japan, m, s]
    assert share == pytest.approx(flows[doubted].sum() / flows.sum())
    wanted = controlled.manufacturer_turn.cover_target_weeks[japan, m, s]
    assert wanted > trusting.manufacturer_turn.cover_target_weeks[japan, m, s]  # more cover against the risk


def test_the_doubted_share_is_the_share_of_supply_from_doubted_suppliers_on_every_line():
    """Read from the few doubts above 0, it equals the dense rule on every buyer and line."""
    rng = np.random.default_rng(3)
    importers, minerals, stages = 7, 4, 3
    flows = rng.random((minerals, stages, importers, importers)) * (
        rng.random((1, 1, importers, importers)) < 0.6
    )
    doubt = rng.random((importers, importers, minerals, stages)) * (
        rng.random((importers, importers, 1, 1)) < 0.1
    )
    view = SimpleNamespace(flows=flows, supplier_doubt=doubt, supplier_doubt_cells=np.flatnonzero(doubt))
    doubted = doubt.transpose(2, 3, 1, 0) > 0  # (M, S, C_exporter, C_importer)
    total = flows.sum(axis=2)
    expected = np.divide((flows * doubted).sum(axis=2), total, out=np.zeros_like(total), where=total > 0)
    assert doubted.any() and not doubted.all()
    assert np.array_equal(doubted_share(view), expected.transpose(2, 0, 1))


def test_stage_max_is_the_largest_figure_over_the_stages():
    """One np.maximum per stage finds what max(axis=2) finds, NaN included."""
    figures = np.random.default_rng(4).random((5, 4, 3)) - 0.5
    figures[1, 2, 1] = np.nan
    assert np.array_equal(stage_max(figures), figures.max(axis=2), equal_nan=True)
    assert np.isnan(stage_max(figures)[1, 2])


def test_the_doubts_non_zero_cells_worked_out_alone_are_the_dense_rules_bit_for_bit():
    """Last turn's cells faded and the controlled routes set, every other cell 0, as over the dense array."""
    from critmin.agents.manufacturer_doctrine import doubt_suppliers
    from critmin.engine.route_severity import RouteSeverity

    rng = np.random.default_rng(6)
    shape = (9, 9, 4, 3)  # (importer, exporter, M, S)
    before = rng.random(shape) * (rng.random(shape) < 0.05)
    before[0, 1, 0, 0] = 5e-324  # fades to 0 (the least subnormal times 0.4): dropped
    severity = rng.choice([0.0, 0.3, 0.5, 1.0], (4, 3, 9, 9), p=[0.9, 0.04, 0.03, 0.03])
    severity[0, 0, 1, 0] = 0.0  # (M, S, exporter, importer): no control on the fading cell
    view = SimpleNamespace(
        supplier_doubt=before,
        supplier_doubt_cells=np.flatnonzero(before),
        route_severity=RouteSeverity.of_dense(severity),
        control_risk_binding=0.5,
        supplier_doubt_memory_per_turn=0.4,
    )
    dense = before * 0.4
    routes = np.nonzero(severity.transpose(3, 2, 0, 1))
    dense[routes] = np.maximum(np.where(severity >= 0.5, severity, 0.0).transpose(3, 2, 0, 1), before)[routes]
    cells, values = doubt_suppliers(view)
    assert cells.tobytes() == np.flatnonzero(dense).tobytes()
    assert values.tobytes() == dense.reshape(-1)[cells].tobytes()
    assert (severity >= 0.5).any() and ((severity > 0) & (severity < 0.5)).any()  # cut and standing
    assert dense[0, 1, 0, 0] == 0.0 and np.ravel_multi_index((0, 1, 0, 0), shape) not in cells


def test_sorted_unique_gives_np_uniques_values():
    from critmin.agents.manufacturer_doctrine import sorted_unique

    values = np.random.default_rng(2).integers(0, 500, 2_000)
    assert sorted_unique(values).tobytes() == np.unique(values).tobytes()
    assert sorted_unique(values[:0]).tobytes() == np.unique(values[:0]).tobytes()


def numpy_line_figures(view) -> tuple[np.ndarray, ...]:
    """The figures `line_figures` compiles, as the numpy operations read_turn used to run."""
    need = view.need
    contract_share = np.minimum(
        np.divide(view.contracted, need, out=np.zeros_like(need), where=need > 0), 1.0
    )
    cover = np.divide(view.stock, need, out=np.zeros_like(need), where=need > 0) * 13.0
    short = np.divide(view.shortage, need, out=np.zeros_like(need), where=need > 0)
    pressing = np.clip(short / view.lobby_shortage_share, 0.0, 1.0)
    lobbying = np.where(cover < view.lobby_cover_weeks, pressing, 0.0)
    return contract_share, cover, short, lobbying, view.inventory_target * 13.0


def edgy(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Random figures with zeros of both signs, exact ones and huge values among them."""
    return rng.choice([0.0, -0.0, 1.0, 1.0, 1e300, -1.0], size=shape) * rng.choice(
        [1.0, 0.5, 3.0], size=shape
    )


def test_the_makers_compiled_figures_are_the_numpy_operations_bit_for_bit():
    rng = np.random.default_rng(7)
    for shape in [(9, 6, 3), (37, 30, 3), (5, 7, 3)] * 6:  # world-2024's size, and odd ones
        view = SimpleNamespace(
            need=np.where(rng.uniform(size=shape) < 0.5, edgy(rng, shape), rng.uniform(0, 50, size=shape)),
            contracted=edgy(rng, shape) * rng.uniform(0, 3, size=shape),
            stock=edgy(rng, shape) * rng.uniform(0, 3, size=shape),
            shortage=edgy(rng, shape) * rng.uniform(0, 3, size=shape),
            inventory_target=rng.uniform(0, 2, size=shape),
            lobby_shortage_share=float(rng.choice([0.2, 0.5, 1.0])),
            lobby_cover_weeks=float(rng.choice([0.0, 6.0, 26.0])),
        )
        compiled = line_figures(view)
        with np.errstate(over="ignore"):
            by_numpy = numpy_line_figures(view)
        for name, ours, theirs in zip(compiled._fields, compiled, by_numpy, strict=True):
            assert ours.tobytes() == theirs.tobytes(), name
        demand = edgy(rng, (6, *shape)) * rng.uniform(0, 3, size=(6, *shape))
        total = demand.sum(axis=0)
        expected = np.divide(demand, total[None], out=np.zeros_like(demand), where=total[None] > 0)
        assert sector_shares(demand).tobytes() == expected.tobytes()
