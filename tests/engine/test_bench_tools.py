"""The benchmark's tools: OR-Tools' allocation, the larger worlds, the phase profile, recorded bytes.

No timing is asserted: these check that the benchmark compares like with like.
"""

from __future__ import annotations

import numpy as np
import pytest

from critmin.engine.bench import check_same_welfare, recorded_bytes
from critmin.engine.bench_phases import PHASES, phase_profile
from critmin.engine.bench_worlds import copies_of_the_countries, ten_times_the_firms
from critmin.engine.market import clear_markets, random_problem, solve_lp
from critmin.engine.model import WorldModel
from critmin.scenarios import load_scenario
from tests.conftest import TINY


@pytest.fixture(scope="module")
def world():
    return load_scenario("world-2024")


def test_or_tools_allocations_are_worth_what_ours_and_the_lp_are_worth():
    from critmin.engine.ortools_flow import solve_ortools

    pytest.importorskip("ortools")
    rng = np.random.default_rng(7)
    problems = [random_problem(rng, n) for n in (3, 12, 30, 35) for _ in range(3)]
    ours = clear_markets(problems)
    theirs = [solve_ortools(p) for p in problems]
    check_same_welfare(problems, ours, theirs, "ortools")
    for p, mine, other in zip(problems, ours, theirs, strict=True):
        lp = solve_lp(p)
        if lp.feasible:
            assert other.welfare == pytest.approx(lp.welfare, rel=1e-6, abs=1e-6)
        assert np.all(other.flows >= 0) and np.all(other.sold <= p.supply_tonnes + 1e-9)
        assert other.sold.sum() == pytest.approx(other.bought.sum(), rel=1e-9, abs=1e-6)
        assert mine.flows.shape == other.flows.shape


def test_a_different_welfare_is_reported_with_the_market_that_differs():
    problems = [random_problem(np.random.default_rng(1), 5)]
    ours = clear_markets(problems)
    worse = [type("Allocation", (), {"welfare": ours[0].welfare * 0.99 - 1.0})()]
    with pytest.raises(RuntimeError, match="market 0: lp finds welfare"):
        check_same_welfare(problems, ours, worse, "lp")


def test_four_times_the_countries_repeats_every_country_with_its_lines_firms_and_deals(world):
    big = copies_of_the_countries(world, 4)
    codes = [c.iso3 for c in big.spec.countries]
    assert len(codes) == 4 * len(world.spec.countries) == len(set(codes))
    for key in ("capacity", "demand", "stocks", "reserves", "policies", "deals", "firms"):
        assert len(getattr(big.spec, key)) == 4 * len(getattr(world.spec, key)), key
    original = {c.iso3 for c in world.spec.countries}
    copied = [r for r in big.spec.capacity if r.country not in original]
    assert sum(r.tonnes_per_year for r in copied) == pytest.approx(
        3 * sum(r.tonnes_per_year for r in world.spec.capacity)
    )
    for deal in big.spec.deals:
        assert (deal.seller in original) == (deal.buyer in original), "a copy's deals stay in the copy"
    for firm in big.spec.firms:
        assert all((a.country in original) == (firm.country in original) for a in firm.assets)


def test_ten_times_the_firms_keeps_each_firms_total_share(world):
    many = ten_times_the_firms(world)
    assert len(many.spec.firms) == 10 * len(world.spec.firms)
    total = sum(a.share for f in world.spec.firms for a in f.assets)
    assert sum(a.share for f in many.spec.firms for a in f.assets) == pytest.approx(total)


def test_the_phase_profile_adds_up_to_the_turn_and_leaves_the_model_as_it_was(tiny):
    model = WorldModel(tiny, seed=1)
    twin = WorldModel(tiny, seed=1)
    profile = phase_profile(model, 3)
    twin.run(3)
    assert set(PHASES) <= set(profile) and profile["turn"] > 0
    assert sum(profile[p] for p in PHASES) + profile["other"] == pytest.approx(profile["turn"])
    assert profile["trade.clear_among_active"] <= profile["trade"]
    assert not {"decide", "trade", "state_hash"} & set(vars(model)), "wrappers removed"
    assert "record_turn" not in vars(model.recorder)
    assert model.hashes == twin.hashes, "timing changes nothing"


def test_recorded_bytes_count_every_array_the_recorder_keeps_per_turn(tiny):
    model = WorldModel(tiny, seed=1)
    model.run(1)
    before = recorded_bytes(model.recorder)
    model.run(3)
    rows = model.recorder.country_rows[1:] + [{"p": p} for p in model.recorder.price_rows[1:]]
    rows += [{"f": f} for f in model.recorder.flow_rows[1:]]
    arrays = sum(kept.at.nbytes + kept.values.nbytes for row in rows for kept in row.values())
    grown = recorded_bytes(model.recorder) - before
    assert arrays < grown < arrays + 20_000, "arrays plus their containers"


def test_tiny_world_copies_play(tiny):
    model = WorldModel(copies_of_the_countries(load_scenario(TINY), 2), seed=1)
    model.run(2)
    assert model.turn == 2 and len(model.index.countries) == 2 * len(tiny.spec.countries)


def test_a_cheap_mineral_sold_by_the_million_tonnes_is_judged_by_the_clearings_cost_resolution():
    """A gap within the clearing's cost resolution on every tonne offered passes, twice it fails
    (strontium in world-2024, USD 0.08-0.19/kg and 1.9 Mt offered: the LP finds 1.0e-6 more welfare)."""
    from critmin.engine.bench import WELFARE_RTOL, welfare_tolerance

    problem = random_problem(np.random.default_rng(1), 5)
    ours = clear_markets([problem])[0]
    tolerance = welfare_tolerance(problem, ours.welfare)
    assert tolerance >= WELFARE_RTOL * abs(ours.welfare)
    for gap, refused in ((0.5 * tolerance, False), (2.0 * tolerance, True)):
        other = [type("Allocation", (), {"welfare": ours.welfare + gap})()]
        if refused:
            with pytest.raises(RuntimeError, match="market 0: lp finds welfare"):
                check_same_welfare([problem], [ours], other, "lp")
        else:
            check_same_welfare([problem], [ours], other, "lp")
