"""One small case per issue-12 mechanism: demand destruction, substitutes, producers' storage,
news of controls and embedded dependence (docs/mechanisms.md)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from critmin.agents.controllers import ScriptedController
from critmin.core.actions import ImposeExportControl
from critmin.core.vocabulary import Mineral, Stage
from critmin.engine.dependence import embedded_dependence, top_foreign_supplier
from critmin.engine.model import WorldModel
from critmin.engine.substitution import Substitutes, adopt, remaining_use
from critmin.engine.trade import demand_fractions, producer_storage
from critmin.scenarios.loader import scenario_from_content
from critmin.scenarios.substitutes import SUBSTITUTES

MULTIPLES = np.array([0.5, 1.0, 2.0, 4.0, 8.0, 16.0])


def with_content(tiny, **tables):
    content = copy.deepcopy(tiny.content)
    content.update(tables)
    return scenario_from_content(content, "tiny-scarcity.toml")


# --- demand destruction ------------------------------------------------------------------


def test_demand_above_the_kink_falls_along_the_destruction_elasticity():
    plain = demand_fractions(MULTIPLES, -0.2)
    kinked = demand_fractions(MULTIPLES, -0.2, kink=2.0, destruction=-0.5)
    willing = lambda f: f[::-1].cumsum()[::-1]  # noqa: E731 (share willing to pay at least each multiple)
    assert willing(kinked)[:3] == pytest.approx(willing(plain)[:3])  # up to the kink: unchanged
    assert willing(kinked)[-1] == pytest.approx(2.0**-0.2 * 8.0**-0.5)  # at 16x: 2^e * (16/2)^d
    assert willing(plain)[-1] == pytest.approx(16.0**-0.2)  # without the kink: 0.57 still willing at 16x
    assert kinked.sum() == pytest.approx(plain.sum())  # the same demand at the bottom block


def test_a_ban_on_all_supply_reaches_the_ceiling_and_the_unmet_need_is_a_shortage(tiny):
    ban = ImposeExportControl(country="CHN", mineral=Mineral.REE_HEAVY, stages=(Stage.MAGNET,), regime="ban")
    model = WorldModel(tiny, seed=0, controllers={"CHN": ScriptedController({0: [ban]})})
    model.run(3)
    india, m, s = model.position("IND", "ree_heavy", "magnet")
    top = max(model.settings.demand_price_multiples) * model.constants.reference_price[m, s]
    assert model.state.price[india, m, s] == pytest.approx(top)
    assert model.last.shortage[india, m, s] > 0.5 * model.last.demand[india, m, s]


# --- substitution ------------------------------------------------------------------------


def substitutes_for(minerals=("ree_heavy", "cobalt"), start=2025.0) -> Substitutes:
    return Substitutes.of(
        SUBSTITUTES, {m: i for i, m in enumerate(minerals)}, {"mine": 0, "refined": 1, "magnet": 2}, start
    )


def test_users_adopt_a_substitute_only_while_it_pays_and_up_to_its_share():
    table = substitutes_for()
    ratio = np.ones((2, 2, 3))
    ratio[0, 0, :] = 3.0  # country 0 pays 3x for heavy rare earths
    adoption = np.zeros((len(table.names), 2, 3))
    for turn in range(40):
        adoption = adopt(adoption, table, ratio, turn)
    remaining = remaining_use(adoption, table, (2, 2, 3))
    gbd = table.names.index("grain-boundary diffusion (Dy/Tb-lean NdFeB grades)")
    assert adoption[gbd, 0, 2] == pytest.approx(0.45)  # its whole share, at magnets
    assert adoption[gbd, 0, 0] == 0.0  # never at the mine stage
    assert adoption[:, 1].max() == 0.0  # country 1 pays the reference price: nothing adopted
    assert remaining[0, 0, 2] == pytest.approx((1 - 0.45) * (1 - 0.25))  # both heavy-REE options
    assert remaining[0, 1].min() == 1.0  # cobalt untouched


def test_no_one_adopts_a_substitute_before_it_exists():
    early = substitutes_for(start=2010.0)
    ratio = np.full((2, 2, 3), 5.0)
    adoption = adopt(np.zeros((len(early.names), 2, 3)), early, ratio, turn=0)
    assert adoption.max() == 0.0  # GBD, Dy-free grades (2012) and NMC 811 (2018) not yet
    later = adopt(np.zeros((len(early.names), 2, 3)), early, ratio, turn=8)  # 2012
    assert later[early.names.index("grain-boundary diffusion (Dy/Tb-lean NdFeB grades)")].max() > 0
    assert later[early.names.index("NMC 811 and LFP cathodes")].max() == 0.0


def test_sodium_ion_takes_a_tenth_of_lithium_use_over_five_years_of_twice_the_price_from_2023():
    sodium = "sodium-ion cells (stationary storage, small cars, two-wheelers)"
    table = substitutes_for(("lithium",), start=2022.0)
    k = table.names.index(sodium)
    ratio = np.ones((2, 1, 3))  # (country, mineral, stage)
    ratio[0, 0, :] = 2.1  # country 0 pays 2.1x the reference lithium price, country 1 1.9x
    ratio[1, 0, :] = 1.9
    adoption = np.zeros((len(table.names), 2, 3))
    path = []
    for turn in range(28):  # 2022Q1 to 2028Q4
        adoption = adopt(adoption, table, ratio, turn)
        path.append(adoption[k, 0, 1])
    assert max(path[:4]) == 0.0  # not before 2023
    assert path[4] == pytest.approx(0.1 / 20)  # 2023Q1: the first of 20 quarters
    assert path[23] == pytest.approx(0.1)  # the whole tenth after 20 quarters
    assert adoption[k, 1].max() == 0.0  # below twice the price: not worth it
    assert adoption[k, 0, 0] == 0.0  # the cells replace refined lithium, not ore


def test_a_substitute_given_up_slowly_when_the_price_eases():
    table = substitutes_for()
    adoption = np.zeros((len(table.names), 2, 3))
    high, low = np.full((2, 2, 3), 3.0), np.ones((2, 2, 3))
    for turn in range(8):
        adoption = adopt(adoption, table, high, turn)
    peak = adoption.copy()
    adoption = adopt(adoption, table, low, 8)
    gbd = table.names.index("grain-boundary diffusion (Dy/Tb-lean NdFeB grades)")
    assert peak[gbd, 0, 2] - adoption[gbd, 0, 2] == pytest.approx(0.45 / 40)


# --- producers' storage ------------------------------------------------------------------


def test_producers_store_up_to_their_limit_rather_than_sell_below_expectations(tiny):
    model = WorldModel(tiny, seed=0)
    state, settings = model.state, model.settings
    at = model.position("CHN", "ree_heavy", "refined")
    running = state.capacity[at] * state.utilisation[at]
    state.producer_stock[at] = 3 * running
    reservation = np.full(state.price.shape, 10.0)
    storable, held = producer_storage(state, settings, reservation)
    assert storable[at] == pytest.approx(settings.producer_storage_quarters * running)
    assert held[at] == pytest.approx(settings.producer_storage_price_share * state.expected_price[at])
    state.expected_price[at] = 1.0  # expecting less than the reservation: hold out for the reservation
    assert producer_storage(state, settings, reservation)[1][at] == pytest.approx(10.0)


# --- news of controls ----------------------------------------------------------------------


def test_an_announced_control_moves_prices_in_the_announcement_quarter(tiny):
    control = {
        "type": "impose_export_control", "country": "CHN", "mineral": "ree_heavy",
        "stages": ["magnet"], "regime": "ban", "destinations": [],
    }  # fmt: skip
    event = {
        "turn": 4, "kind": "action", "title": "China will ban heavy magnet exports", "country": "CHN",
        "action": control, "source": "test fixture",
    }  # fmt: skip
    unannounced = WorldModel(with_content(tiny, events=[event]), seed=0)
    announced = WorldModel(with_content(tiny, events=[event | {"announced": 2}]), seed=0)
    unannounced.run(3)
    announced.run(3)
    india, m, s = announced.position("IND", "ree_heavy", "magnet")
    assert announced.state.news_exposure[india, m, s] > 0.5  # India buys its magnets from China
    assert announced.state.inventory_target[india, m, s] > unannounced.state.inventory_target[india, m, s]
    assert announced.state.expected_price[india, m, s] > 1.2 * unannounced.state.expected_price[india, m, s]
    china = announced.index.country["CHN"]
    assert announced.state.news_market[china, m, s] == 0.0  # the exporter does not feel its own news
    stocked = announced.state.consumer_stock[india, m, s]
    assert stocked > unannounced.state.consumer_stock[india, m, s]  # bought ahead of the ban


def test_an_unannounced_disruption_is_news_the_turn_it_strikes(tiny):
    halt = {
        "turn": 2, "kind": "disruption", "title": "China's magnet plants halt", "country": "CHN",
        "mineral": "ree_heavy", "stage": "magnet", "share": 0.6, "duration_turns": 1, "source": "test",
    }  # fmt: skip
    quiet, struck = WorldModel(tiny, seed=0), WorldModel(with_content(tiny, events=[halt]), seed=0)
    quiet.run(2)
    struck.run(2)
    india, m, s = struck.position("IND", "ree_heavy", "magnet")  # India buys its magnets from China
    assert struck.state.news_market[india, m, s] == 0.0  # no news before it strikes
    quiet.step()
    struck.step()
    assert struck.state.news_market[india, m, s] > 0.0  # the news breaks with the halt
    assert struck.state.expected_price[india, m, s] > quiet.state.expected_price[india, m, s]
    announced = WorldModel(with_content(tiny, events=[halt | {"announced": 1}]), seed=0)
    announced.run(3)  # an announced halt was news before: its turn of effect brings none
    assert announced.state.news_market[india, m, s] == 0.0


# --- embedded dependence -------------------------------------------------------------------


def test_magnets_made_at_home_from_imported_oxide_depend_on_the_oxides_supplier():
    flows = np.zeros((1, 3, 3, 3))  # one mineral, mine -> refined -> magnet, countries A B C
    chain = np.ones((1, 3), dtype=bool)
    flows[0, 0, 0, 0] = 10.0  # A mines and refines its own ore
    flows[0, 1, 0, 1] = 6.0  # A's oxide to B
    flows[0, 1, 2, 1] = 2.0  # C's oxide to B
    flows[0, 2, 1, 1] = 4.0  # B's magnets, made at home, used at home
    flows[0, 2, 2, 1] = 4.0  # C's magnets to B
    share = embedded_dependence(flows, chain)  # (C, X, M, S)
    assert share[1, 0, 0, 1] == pytest.approx(0.75)  # B's oxide: 6 of 8 from A
    assert share[1, 0, 0, 2] == pytest.approx(0.5 * 0.75)  # half its magnets are home-made from it
    assert share[1, 2, 0, 2] == pytest.approx(0.5 + 0.5 * 0.25)  # C's magnets and C's oxide in B's
    assert share[1, 1, 0, 2] == pytest.approx(0.5)  # B itself made half
    assert top_foreign_supplier(share, flows)[0][1, 0, 2] == pytest.approx(0.625)


def test_embedded_dependence_is_in_the_countries_table(tiny):
    model = WorldModel(tiny, seed=0)
    model.run(2)
    table = model.tables()["countries"].to_pandas()
    assert "embedded_dependence" in table.columns
    assert table["embedded_dependence"].between(0.0, 1.0).all()
    india = table[(table.country == "IND") & (table.mineral == "ree_heavy") & (table.stage == "magnet")]
    assert india["embedded_dependence"].iloc[-1] > 0.5  # India's heavy magnets come from China
