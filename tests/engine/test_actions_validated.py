"""Actions are checked the same whether built as objects in Python or given as dicts."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.agents.controllers import QueuedController, ScriptedController
from critmin.core.actions import BuyStockpile, FundProgram, Invest, SetTariff
from critmin.engine.model import WorldModel


@pytest.fixture
def model(tiny):
    return WorldModel(tiny, seed=1, controllers={"IND": QueuedController()})


BAD_OBJECTS = {
    "nan_rate": SetTariff(country="IND", mineral="lithium", stages=("refined",), rate=float("nan")),
    "negative_rate": SetTariff(country="IND", mineral="lithium", stages=("refined",), rate=-0.5),
    "negative_tonnes": BuyStockpile(country="IND", mineral="lithium", stage="refined", tonnes=-10.0),
    "infinite_tonnes": Invest(
        country="IND", mineral="lithium", stage="refined", tonnes_per_year=float("inf")
    ),
    "nan_fund_program": FundProgram(
        country="IND", program="recycling", mineral="lithium", usd_m=float("nan")
    ),
    "unknown_stage": SetTariff(country="IND", mineral="lithium", stages=("smelted",), rate=0.1),
    "wrong_type": SetTariff(country="IND", mineral="lithium", stages="refined", rate=0.1),
}


@pytest.mark.parametrize("kind", sorted(BAD_OBJECTS))
def test_action_objects_get_the_checks_dicts_get(model, kind):
    before = model.state_hash()
    (verdict,) = model.submit("IND", [BAD_OBJECTS[kind]])
    assert verdict is not None and verdict.startswith("bad action")
    assert model.state_hash() == before
    model.step()
    assert np.isfinite(model.state.treasury).all() and np.isfinite(model.state.capacity).all()


def test_a_nan_fund_program_from_a_controller_changes_nothing(tiny):
    bad = FundProgram(country="IND", program="recycling", mineral="lithium", usd_m=float("nan"))
    model = WorldModel(tiny, seed=1, controllers={"IND": ScriptedController({0: [bad]})})
    model.step()
    assert np.isfinite(model.state.recycling).all() and np.isfinite(model.state.treasury).all()
    assert any(e.kind == "action_rejected" and "non-finite" in e.detail for e in model.events)


def test_submit_for_an_unknown_country_is_a_clear_error(model):
    with pytest.raises(
        ValueError, match="submit: unknown country or firm 'ZZZ' \\(this scenario has CHN, IND, AUS, KABIL\\)"
    ):
        model.submit("ZZZ", [])


def test_the_readme_example_works():
    model = WorldModel("world-2024", seed=1, controllers={"IND": QueuedController()})
    menu = model.legal_actions("IND")
    verdicts = model.submit(
        "IND", [SetTariff(country="IND", mineral="lithium", stages=("refined",), rate=0.1)]
    )
    model.step()
    assert menu and verdicts == [None]
    assert model.action_log[0][0]["type"] == "set_tariff"


def test_check_judges_objects_and_dicts_alike(model):
    as_dict = {
        "type": "set_tariff",
        "country": "IND",
        "mineral": "lithium",
        "stages": ["refined"],
        "rate": -1,
    }
    as_object = SetTariff(country="IND", mineral="lithium", stages=("refined",), rate=-1.0)
    assert model.check(as_dict) == model.check(as_object) is not None


def test_a_non_finite_number_in_an_optional_field_is_named_not_taken_for_none(model):
    bad = BuyStockpile(
        country="IND", mineral="lithium", stage="refined", tonnes=5.0, max_price_usd_per_kg=float("nan")
    )
    assert "non-finite" in model.check(bad)


def test_a_well_formed_object_comes_back_typed_as_its_dict_would(model):
    from critmin.core.actions import ActionFormatError, action_from_dict, action_to_dict, validated
    from critmin.core.vocabulary import Mineral

    loose = SetTariff(country="IND", mineral="lithium", stages=("refined",), rate=1)
    checked = validated(loose)
    assert checked == action_from_dict(action_to_dict(loose))
    assert isinstance(checked.mineral, Mineral) and isinstance(checked.rate, float)
    with pytest.raises(ActionFormatError, match=r"Expected `float`, got `bool` - at `\$.rate`"):
        validated(SetTariff(country="IND", mineral="lithium", stages=("refined",), rate=True))
