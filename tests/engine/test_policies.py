"""The policy book's route rules: a control's rows in one array pass, rules kept between changes."""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from critmin.engine.policies import (
    ExportControl,
    PolicyBook,
    RouteRules,
    Tariff,
    apply_control,
    destination_rows,
)

NAMES = ("AAA", "BBB", "CCC", "DDD", "EEE", "FFF")
COUNTRIES = {name: i for i, name in enumerate(NAMES)}
MARKETS = (("cobalt", "mining"), ("cobalt", "refining"), ("lithium", "mining"))


def random_control(rng: np.random.Generator, mineral: str = "cobalt", stage: str = "mining") -> ExportControl:
    """A control of any regime, naming some destinations (the exporter and unknown names too)."""
    names = (*NAMES, "ZZZ")
    pick = lambda: tuple(str(n) for n in rng.choice(names, size=rng.integers(0, 4), replace=False))  # noqa: E731
    return ExportControl(
        country=str(rng.choice(NAMES)),
        mineral=mineral,
        stage=stage,
        regime=str(rng.choice(["ban", "quota", "licence"])),
        destinations=pick(),
        quota_tonnes_per_turn=float(rng.uniform(0, 100)),
        leakage=float(rng.uniform(0, 0.3)),
        approval_share=float(rng.uniform(0, 1)),
        delay_turns=int(rng.integers(0, 4)),
        reference_tonnes=float(rng.uniform(0, 500)),
        also_banned=pick(),
    )


def test_a_controls_rows_are_its_answers_destination_by_destination():
    rng = np.random.default_rng(3)
    for _ in range(400):
        control = random_control(rng)
        banned, licensed, leaks = destination_rows(control, COUNTRIES)
        assert banned.tolist() == [control.bans(d) for d in NAMES]
        assert licensed.tolist() == [control.licenses(d) for d in NAMES]
        assert leaks.tolist() == [control.leaks_to(d) for d in NAMES]
        rules = RouteRules.unrestricted(len(NAMES))
        apply_control(rules, control, COUNTRIES)
        assert rules.delay[COUNTRIES[control.country]] == max(control.delay(d) for d in NAMES)


def random_change(book: PolicyBook, rng: np.random.Generator) -> None:
    """Impose a control, lift one, or set (or remove) a tariff on one of MARKETS."""
    mineral, stage = MARKETS[rng.integers(len(MARKETS))]
    kind = rng.integers(3)
    if kind == 0:
        book.impose(random_control(rng, mineral, stage))
    elif kind == 1:
        book.lift(str(rng.choice(NAMES)), mineral, stage)
    else:
        rate = float(rng.choice([0.0, 0.1, 0.25]))
        origins = tuple(str(n) for n in rng.choice(NAMES, size=rng.integers(0, 3), replace=False))
        book.set_tariff(Tariff(str(rng.choice(NAMES)), mineral, stage, rate, origins))


def test_kept_rules_are_the_rules_made_afresh_after_every_change():
    rng = np.random.default_rng(5)
    book = PolicyBook()
    for _ in range(300):
        random_change(book, rng)
        kept = book.market_rules(COUNTRIES)
        fresh = PolicyBook(controls=dict(book.controls), tariffs=dict(book.tariffs)).market_rules(COUNTRIES)
        assert kept.keys() == fresh.keys()
        for market, rules in kept.items():
            for item in fields(RouteRules):
                assert np.array_equal(getattr(rules, item.name), getattr(fresh[market], item.name))
                assert not getattr(rules, item.name).flags.writeable


def test_a_market_whose_policies_did_not_change_keeps_its_rules():
    book = PolicyBook()
    book.impose(ExportControl("AAA", "cobalt", "mining", "ban"))
    book.set_tariff(Tariff("BBB", "lithium", "mining", 0.1))
    first = book.market_rules(COUNTRIES)
    book.impose(ExportControl("CCC", "cobalt", "refining", "licence", approval_share=0.5))
    second = book.market_rules(COUNTRIES)
    assert second[("cobalt", "mining")] is first[("cobalt", "mining")]
    assert second[("lithium", "mining")] is first[("lithium", "mining")]
    assert second[("cobalt", "refining")].licensed[COUNTRIES["CCC"]].sum() == len(NAMES) - 1
    assert book.market_rules(COUNTRIES) is second
    book.set_tariff(Tariff("BBB", "lithium", "mining", 0.0))
    assert ("lithium", "mining") not in book.market_rules(COUNTRIES)
    assert ("lithium", "mining") in second  # a dict handed out is not changed afterwards
