"""The names every action is checked for first (engine/rules.py): countries, mineral, stages."""

from __future__ import annotations

import pytest

from critmin.core.actions import (
    AcquireStake,
    ImposeExportControl,
    LiftExportControl,
    ProposeDeal,
    SetTariff,
    validated,
)
from critmin.core.vocabulary import Mineral, Stage
from critmin.engine import rules
from critmin.engine.model import WorldModel


@pytest.fixture(scope="module")
def world(tiny):
    return WorldModel(tiny, seed=0).world


def deal(**names) -> ProposeDeal:
    parties = {"country": "IND", "counterparty": "CHN", "seller": "CHN", "buyer": "IND"}
    terms = parties | {"mineral": Mineral.REE_HEAVY, "stage": Stage.MAGNET} | names
    return ProposeDeal(tonnes_per_year=10.0, **terms)


def control(**terms) -> ImposeExportControl:
    names = {"country": "CHN", "mineral": Mineral.REE_HEAVY, "stages": (Stage.MINE,)} | terms
    return ImposeExportControl(regime="ban", **names)


CASES = [
    (deal(country="XYZ"), ["unknown country 'XYZ'"]),
    (deal(counterparty="XYZ"), ["unknown country 'XYZ' in counterparty"]),
    (deal(buyer="XYZ"), ["unknown country 'XYZ' in buyer"]),
    (deal(mineral=Mineral.LITHIUM, stage=Stage.MAGNET), ["lithium has no magnet stage in this scenario"]),
    (deal(mineral=Mineral.COBALT), ["mineral 'cobalt' is not in this scenario"]),
    (
        control(destinations=("XYZ", "CHN", "IND")),
        ["unknown country 'XYZ'", "a country cannot target itself"],
    ),
    (control(stages=()), ["name at least one stage"]),
    (
        LiftExportControl(country="CHN", mineral=Mineral.LITHIUM, stages=(Stage.MAGNET, Stage.MINE)),
        ["lithium has no magnet stage in this scenario"],
    ),
    (
        SetTariff(
            country="IND", mineral=Mineral.LITHIUM, stages=(Stage.REFINED,), rate=0.1, origins=("XYZ",)
        ),
        ["unknown country 'XYZ'"],
    ),
    (
        AcquireStake(
            country="IND", host="XYZ", mineral=Mineral.LITHIUM, stage=Stage.MINE, share=0.1, firm="x"
        ),
        ["unknown country 'XYZ' in host"],
    ),
    (deal(), []),
]


@pytest.mark.parametrize(("action", "problems"), CASES)
def test_the_name_problems_of_an_action_in_order(world, action, problems):
    assert list(rules.name_problems(world, validated(action))) == problems


@pytest.mark.parametrize(
    "action",
    [
        *(action for action, _ in CASES),
        deal(counterparty="IND", seller="IND"),  # names right, the rule's own check refuses it
        deal(price_rule="fixed"),
    ],
)
def test_the_check_is_the_first_of_the_actions_problems(world, action):
    action = validated(action)
    assert rules.check(world, action) == next(iter(rules.problems(world, action)), None)
