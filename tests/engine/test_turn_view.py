"""The turn view: built once per change of the world, read by every controller, owned by the model."""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np

from critmin.agents.reading import KeptRouteControls, Lines, RouteControls
from critmin.engine.capacity import own_capacity
from critmin.engine.model import WorldModel
from critmin.engine.stakes import sign_stake
from critmin.engine.views import TurnViews, build

DEFERRED = ("free", "restricted", "contracted", "contracted_in")
TURNS = 6


def test_observations_picked_from_a_turns_view_match_those_of_a_fresh_model():
    model = WorldModel("china-ree-controls-2025", seed=1)
    for _ in range(TURNS):
        model.step()
        picked = {code: model.observe(code) for code in model.index.countries}
        fresh = copy.deepcopy(model)
        fresh.views = TurnViews(fresh.world, fresh.recorder)  # nothing of this turn is reused
        assert all(fresh.observe(code) == picked[code] for code in model.index.countries)


def test_an_observation_is_the_callers_own():
    model = WorldModel("china-ree-controls-2025", seed=1)
    model.run(2)
    first, second = model.observe("IND"), model.observe("IND")
    assert first == second
    first.policies.clear()
    first.world.clear()
    first.deals.clear()
    assert model.observe("IND") == second and second.world


def test_the_view_is_built_once_until_the_world_changes():
    model = WorldModel("china-ree-controls-2025", seed=1)
    model.run(2)
    view = model.turn_view()
    model.observe("IND"), model.observe("CHN"), model.legal_actions("JPN")
    assert model.turn_view() is view and model.observation_book().view is view
    model.begin_turn()  # a new turn begins: the view is built again
    assert model.turn_view() is not view


def test_a_view_shows_the_world_as_it_was_when_built():
    model = WorldModel("china-ree-controls-2025", seed=1)
    model.run(2)
    before = model.observe("CHN")
    view = model.turn_view()
    prices = view.price.copy()
    model.state.price *= 2  # the arrays the view was built from change...
    assert np.array_equal(view.price, prices)  # ...the view does not
    model.begin_turn()
    after = model.observe("CHN")
    assert [v.price_usd_per_kg for v in after.minerals] == [2 * v.price_usd_per_kg for v in before.minerals]


def test_a_views_firm_shares_stay_as_built_after_a_stake_and_an_expansion():
    """The view holds the world's firm shares without a copy: the world replaces them when they change."""
    model = WorldModel("india-central-asia-2025", seed=1)
    model.run(1)
    view = model.turn_view()
    shares = view.firms.shares.copy()
    kabil, india = model.firm_index["kabil"], model.index.country["IND"]
    host, m, s = model.world.position("AUS", "lithium", "mine")
    sign_stake(model.world, "kabil", "AUS", "lithium", "mine", 0.05)
    own_capacity(model.world, "kabil", model.world.position("IND", "lithium", "refined"), 1000.0)
    assert np.array_equal(view.firms.shares, shares)  # the view does not change...
    assert model.firm_shares[kabil, host, m, s] == shares[kabil, host, m, s] + 0.05  # ...the world does
    assert model.firm_shares[kabil, india].sum() > shares[kabil, india].sum()


def test_firm_shares_are_copied_once_after_a_view_then_changed_in_place():
    """A lent array is read-only and replaced at the next change; the later changes write into that copy."""
    model = WorldModel("india-central-asia-2025", seed=1)
    model.run(1)
    lent = model.turn_view().firms.shares
    assert not lent.flags.writeable
    sign_stake(model.world, "kabil", "AUS", "lithium", "mine", 0.05)
    copied = model.firm_shares
    assert copied is not lent and copied.flags.writeable
    own_capacity(model.world, "kabil", model.world.position("IND", "lithium", "refined"), 1000.0)
    assert model.firm_shares is copied


def test_countries_and_firms_decide_on_one_view_per_turn():
    model = WorldModel("india-central-asia-2025", seed=1)
    model.run(1)
    model.begin_turn()
    model.apply_events()
    model.decide()
    view = model.turn_view()
    assert model.observe("kabil").view is view
    assert model.shared_reading(model.observe("IND")) is model.observation_book().reading
    assert model.shared_reading(copy.deepcopy(model.observe("IND"))) is None  # not made from this view


def test_two_models_played_in_turn_play_as_each_alone():
    """Nothing is shared between models: interleaving their turns changes neither."""
    alone = [WorldModel(name, seed=1) for name in ("china-ree-controls-2025", "india-central-asia-2025")]
    for model in alone:
        model.run(3)
    together = [WorldModel(name, seed=1) for name in ("china-ree-controls-2025", "india-central-asia-2025")]
    for _ in range(3):
        for model in together:
            model.step()
    assert [m.hashes for m in together] == [m.hashes for m in alone]


def test_firm_arrays_read_late_show_the_world_as_it_was_when_the_view_was_built():
    """Free shares, restrictions and contracted tonnes are worked out when first read, on the deals
    and controls the world held when the view was built."""
    model = WorldModel("china-ree-controls-2025", seed=1)
    model.run(2)
    late, soon = model.turn_view().firms, build(model.world, model.recorder).firms
    at_once = {name: getattr(soon, name).copy() for name in DEFERRED}
    sign_stake(model.world, "kabil", "AUS", "lithium", "mine", 0.05)
    model.run(3)  # deals are signed, controls imposed
    now = model.turn_view().firms
    for name in DEFERRED:
        assert np.array_equal(getattr(late, name), at_once[name])
    assert any(not np.array_equal(getattr(now, name), at_once[name]) for name in DEFERRED)


def test_a_world_line_is_made_when_first_read_and_observations_hold_the_same_lines():
    model = WorldModel("china-ree-controls-2025", seed=1)
    model.run(3)
    book = model.observation_book()
    lines = book.lines_of_world
    first = lines[book.lines[3]]
    assert list(lines.made) == [book.lines[3]] and lines[book.lines[3]] is first
    assert lines.get(("unobtainium", "mine")) is None and ("unobtainium", "mine") not in lines
    world = model.observe("IND").world
    assert [(line.mineral, line.stage) for line in world] == book.lines == list(lines)
    assert world[3] is first and all(line is lines[key] for line, key in zip(world, book.lines, strict=True))
    fresh = copy.deepcopy(model)
    fresh.views = TurnViews(fresh.world, fresh.recorder)
    assert fresh.observe("IND").world == world  # the same listings, whichever line was read first


def test_world_lines_list_the_largest_countries_and_their_prices_in_code_order():
    model = WorldModel("china-ree-controls-2025", seed=1)
    model.run(3)
    view = model.turn_view()
    index, last = view.names, view.last
    for line in model.observe("CHN").world:
        c, m, s = slice(None), index.mineral[line.mineral], index.stage[line.stage]
        listings = (
            (line.producers, view.capacity),
            (line.exporters, last.exports),
            (line.importers, last.imports),
        )
        for listed, figure in listings:
            values = figure[c, m, s]
            largest = sorted(range(len(values)), key=lambda i: -values[i])[:6]
            assert listed == {index.countries[i]: float(values[i]) for i in largest if values[i] > 1e-9}
        codes = sorted({*line.producers, *line.exporters, *line.importers})
        assert list(line.prices) == codes
        assert line.prices == {code: float(view.price[index.country[code], m, s]) for code in codes}
        assert line.world_capacity == float(view.capacity[c, m, s].sum())


def test_route_controls_are_kept_while_the_same_controls_stand_and_made_again_when_one_changes():
    model = WorldModel("china-ree-controls-2025", seed=1)
    model.run(3)
    book = model.observation_book()
    names, seen = book.view.names, Lines.of(book.lines)
    controls = dict(sorted(book.view.controls.items()))
    assert controls
    kept = KeptRouteControls()
    routes = kept.of(controls, seen, names.countries, names.country)
    assert kept.of(dict(controls), seen, names.countries, names.country) is routes
    fresh = RouteControls.of(controls, seen, names.countries, names.country)
    assert np.array_equal(routes.at, fresh.at) and np.array_equal(routes.verdicts, fresh.verdicts)
    key = next(iter(controls))
    eased = controls | {key: replace(controls[key], leakage=controls[key].leakage + 0.1)}
    assert kept.of(eased, seen, names.countries, names.country) is not routes
    lifted = dict(list(controls.items())[1:])
    remade = kept.of(lifted, seen, names.countries, names.country)
    assert np.array_equal(
        remade.verdicts, RouteControls.of(lifted, seen, names.countries, names.country).verdicts
    )


def test_a_reading_on_kept_route_controls_marks_the_imports_a_fresh_table_marks():
    model = WorldModel("china-ree-controls-2025", seed=1)
    for _ in range(4):
        model.step()
        book = model.observation_book()
        reading, names = book.reading, book.view.names
        fresh = replace(book.imports, restricted=np.zeros_like(book.imports.restricted))
        fresh.restrict(RouteControls.of(reading.controls, reading.seen, names.countries, names.country))
        assert np.array_equal(reading.rows.imports.restricted, fresh.restricted)
    assert reading.rows.imports.restricted.any()
