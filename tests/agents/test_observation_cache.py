"""Observations share one turn's work: they must read as if each were built from scratch."""

from __future__ import annotations

import copy

from critmin.engine.model import WorldModel

TURNS = 6


def test_observations_built_on_a_turns_shared_view_match_fresh_ones():
    model = WorldModel("china-ree-controls-2025", seed=1)
    for _ in range(TURNS):
        model.step()
        cached = {code: model.observe(code) for code in model.index.countries}
        fresh = copy.deepcopy(model)  # a new model: nothing of this turn is reused
        assert all(fresh.observe(code) == cached[code] for code in model.index.countries)


def test_an_observation_is_the_callers_own():
    model = WorldModel("china-ree-controls-2025", seed=1)
    model.run(2)
    first, second = model.observe("IND"), model.observe("IND")
    assert first == second
    first.policies.clear()
    first.world.clear()
    first.deals.clear()
    assert model.observe("IND") == second and second.world


def test_a_view_built_between_turns_is_not_reused_once_the_next_turn_begins():
    model = WorldModel("china-ree-controls-2025", seed=1)
    model.run(2)
    before = model.observe("CHN")
    model.begin_turn()
    model.state.price *= 2  # a change of state that emits no event
    after = model.observe("CHN")
    assert [v.price_usd_per_kg for v in after.minerals] == [2 * v.price_usd_per_kg for v in before.minerals]
