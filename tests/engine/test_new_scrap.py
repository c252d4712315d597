"""New scrap: users' own scrap returns a share of their use as refined metal (engine/new_scrap.py)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from critmin.engine.model import WorldModel
from critmin.engine.production import recycled_supply
from critmin.engine.trade import final_need
from critmin.scenarios.loader import load_scenario, scenario_from_content
from tests.engine.test_invariants import recycled_over_checked_turns

SHARE = 0.4


def with_new_scrap(tiny, country="IND", mineral="lithium"):
    """The tiny world where one country's users of a mineral get SHARE of it back as new scrap."""
    content = copy.deepcopy(tiny.content)
    content["market"] = {**content.get("market", {}), "recycling_collection_share": 0.0}
    for record in content["demand"]:
        if (record["country"], record["mineral"]) == (country, mineral):
            record["new_scrap_share"] = SHARE
    return scenario_from_content(content, "tiny-new-scrap.toml")


def returned(model, country="IND", mineral="lithium") -> float:
    """Refined tonnes recycling brings this turn to one country's mineral."""
    c, m, s = model.position(country, mineral, "refined")
    return float(recycled_supply(model.world)[0][c, m, s])


def test_new_scrap_returns_its_share_of_the_users_need(tiny):
    model = WorldModel(with_new_scrap(tiny), seed=0)
    c, m, _ = model.position("IND", "lithium", "refined")
    need = final_need(model.state).sum(axis=2)[c, m]
    assert need > 0
    assert returned(model) == pytest.approx(SHARE * need)
    assert returned(model, "CHN") == 0.0  # no share, and no private collection here


def test_new_scrap_follows_the_users_throughput_not_the_price(tiny):
    model = WorldModel(with_new_scrap(tiny), seed=0)
    before = returned(model)
    model.state.expected_price[:] *= 5
    assert returned(model) == pytest.approx(before)
    model.state.intensity[:] *= 0.5  # users thrift half their use away
    assert returned(model) == pytest.approx(before / 2)


def test_new_scrap_keeps_mass_and_money_balanced(tiny):
    model = WorldModel(with_new_scrap(tiny), seed=1)
    assert recycled_over_checked_turns(model, 4) > 0


def test_a_scenario_without_new_scrap_shares_has_none(tiny):
    model = WorldModel(tiny, seed=0)
    assert not np.any(model.constants.new_scrap_share)


@pytest.mark.parametrize("world", ["world-2023", "world-2024"])
def test_gallium_use_is_primary_supply_plus_the_new_scrap_it_returns(world):
    spec = load_scenario(world).spec
    lines = [d for d in spec.demand if d.mineral.value == "gallium"]
    assert {d.new_scrap_share for d in lines if d.country == "CHN"} == {0.0}
    assert {d.new_scrap_share for d in lines if d.country != "CHN"} == {0.42}
    use = sum(d.tonnes_per_year for d in lines)
    scrap = sum(d.tonnes_per_year * d.new_scrap_share for d in lines)
    refined = sum(
        c.tonnes_per_year * c.utilisation
        for c in spec.capacity
        if (c.mineral.value, c.stage.value) == ("gallium", "refined")
    )
    assert use == pytest.approx(0.98 * (refined + scrap), rel=0.01)
