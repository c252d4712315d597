"""The contracts' terms table (engine/contracts.delivery_terms) with each deal's row kept while
it is in force, held bit for bit to the table built from every deal afresh."""

from __future__ import annotations

from itertools import chain

import numpy as np

from critmin.engine import contracts
from critmin.engine.contracts import DOES, INDEX, KINDS, PRICE_RULES, delivery_terms
from critmin.engine.model import WorldModel


def rows_afresh(world, deals) -> np.ndarray:
    """The former form: every deal's own columns read again from its fields."""
    country, mineral, stage = world.index.country, world.index.mineral, world.index.stage
    rows = [
        (
            country[d.seller],
            country[d.buyer],
            mineral[d.mineral],
            stage[d.stage],
            d.tonnes_per_turn,
            d.share,
            KINDS[d.kind],
            PRICE_RULES.get(d.price_rule, INDEX) if d.price_usd_per_kg is not None else INDEX,
            d.price_usd_per_kg or 0.0,
        )
        for d in deals
    ]
    return np.fromiter(chain.from_iterable(rows), np.float64, len(deals) * DOES).reshape(-1, DOES)


def test_the_terms_of_every_turns_deals_are_those_read_afresh(monkeypatch):
    model = WorldModel("world-2024", seed=0, record_hashes=False)
    tables = []
    deliver_terms = contracts.delivery_terms

    def kept(world, deals):
        terms, effects = deliver_terms(world, deals)
        tables.append((terms[:, :DOES].tobytes(), rows_afresh(world, deals).tobytes(), len(deals)))
        return terms, effects

    monkeypatch.setattr(contracts, "delivery_terms", kept)
    model.run(10)
    assert len(tables) == 10 and tables[-1][2] > 50
    assert all(terms == afresh for terms, afresh, _ in tables)


def test_a_deal_signed_again_under_its_id_is_read_with_its_new_terms():
    model = WorldModel("world-2024", seed=0, record_hashes=False)
    model.run(3)
    world = model.world
    deals = world.deals.active(world.turn)
    delivery_terms(world, deals)
    first = deals[0]
    world.deals.sign(type(first)(**(vars(first) | {"tonnes_per_turn": first.tonnes_per_turn * 2})))
    deals = world.deals.active(world.turn)
    terms, _ = delivery_terms(world, deals)
    assert terms[:, :DOES].tobytes() == rows_afresh(world, deals).tobytes()


def unusual_by_scan(world, deals, terms) -> list[int]:
    """The former form: a set of the joint explorations' rows, then every deal tried by its keys."""
    controls, refused = world.policies.controls, world.refused
    rows = set(np.flatnonzero(terms[:, contracts.KIND] == contracts.JOINT_EXPLORATION).tolist())
    rows.update(
        k for k, d in enumerate(deals) if d.id in refused or (d.seller, d.mineral, d.stage) in controls
    )
    return sorted(rows)


def test_the_unusual_deals_are_those_a_scan_of_every_deal_finds():
    model = WorldModel("world-2024", seed=0, record_hashes=False)
    seen = []
    for turn in range(12):
        model.step()
        world = model.world
        deals = world.deals.active(world.turn)
        if turn == 6:  # a refused delivery, and a control on a stage the world has no line of
            world.refused = {deals[3].id, deals[10].id}
            control = next(iter(world.policies.controls.values()))
            world.policies.controls[("CHN", "lithium", "no-such-stage")] = control
        terms, _ = delivery_terms(world, deals)
        found = contracts.unusual(world, deals, terms)
        assert found == unusual_by_scan(world, deals, terms)
        seen.append((len(world.policies.controls), len(found)))
        if turn == 6:
            del world.policies.controls[("CHN", "lithium", "no-such-stage")]
            world.refused = set()
    assert any(controls and found for controls, found in seen)
