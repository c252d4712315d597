"""Designs, seeds and factor targets: small pure functions, checked directly."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from msgspec.structs import replace
from research_helpers import SAMPLED

from critmin.engine.model import WorldModel
from critmin.research.design import design_points, plan_runs, run_seeds
from critmin.research.experiment import load_experiment
from critmin.research.experiment_file import FactorSpec
from critmin.research.factors import (
    FactorError,
    build_content,
    parse_target,
    remove_records,
    scale_field,
    set_field,
)
from critmin.scenarios import load_scenario
from critmin.scenarios.loader import scenario_from_content
from critmin.scenarios.schema import MarketSettings


def test_full_factorial_crosses_levels_and_repeats_points(factorial):
    runs = plan_runs(factorial.spec)
    assert len(runs) == 2 * 2 * 5
    assert [r.run_id for r in runs] == list(range(20))
    assert {(r.levels["disruption_probability"], r.levels["china_magnet_ban_turn"]) for r in runs} == {
        (0.05, 1),
        (0.05, 4),
        (0.3, 1),
        (0.3, 4),
    }
    assert all(r.run_id == r.point * 5 + r.replication for r in runs)


def test_seeds_come_from_one_seed_sequence_and_are_shared_by_replications(factorial):
    runs = plan_runs(factorial.spec)
    expected = [
        int(c.generate_state(1, dtype=np.uint64)[0]) & (2**63 - 1) for c in np.random.SeedSequence(7).spawn(5)
    ]
    assert [r.seed for r in runs[:5]] == expected
    assert all(r.seed == expected[r.replication] for r in runs), "common random numbers across points"
    independent = replace(
        factorial.spec, experiment=replace(factorial.spec.experiment, common_random_numbers=False)
    )
    seeds = run_seeds(independent, points=4)
    assert len(set(seeds)) == 20, "every run its own seed"
    assert plan_runs(factorial.spec) == runs, "the same experiment plans the same runs"


def test_sobol_design_has_saltelli_size_and_stays_in_range():
    experiment = load_experiment(SAMPLED)
    points = design_points(experiment.spec)
    assert len(points) == 8 * (3 + 2)
    assert all(0.0 <= p["disruption_probability"] <= 0.3 for p in points)
    assert all(
        isinstance(p["china_magnet_ban_turn"], int) and 1 <= p["china_magnet_ban_turn"] <= 5 for p in points
    )
    assert {p["china_magnet_ban_turn"] for p in points} > {1, 5}, "the integer range reaches both ends"


def test_latin_hypercube_gives_one_point_per_sample():
    experiment = load_experiment(SAMPLED)
    spec = replace(
        experiment.spec, design=replace(experiment.spec.design, kind="latin_hypercube", samples=12)
    )
    points = design_points(spec)
    assert len(points) == 12
    strata = sorted(int(p["india_lithium_demand_scale"] // 0.125) for p in points)
    assert strata == list(range(4, 16)), "one sample per stratum of [0.5, 2.0)"


CONTENT = {
    "scenario": {"id": "t"},
    "stocks": [
        {"country": "IND", "mineral": "ree_heavy", "tonnes": 20.0},
        {"country": "JPN", "mineral": "ree_heavy", "tonnes": 5.0},
    ],
    "policies": [
        {"country": "CHN", "mineral": "gallium", "stages": ["mine", "refined"]},
        {"country": "CHN", "mineral": "graphite", "stages": ["refined"]},
    ],
}


def test_targets_set_scale_and_remove_matching_records():
    content = copy.deepcopy(CONTENT)
    assert set_field(content, parse_target("stocks[country=IND].tonnes"), 500.0) == 1
    assert content["stocks"][0]["tonnes"] == 500.0 and content["stocks"][1]["tonnes"] == 5.0
    assert scale_field(content, parse_target("stocks[mineral=ree_heavy].tonnes"), 2) == 2
    assert [s["tonnes"] for s in content["stocks"]] == [1000.0, 10.0]
    assert remove_records(content, parse_target("policies[stages=mine]")) == 1, (
        "a list field matches by membership"
    )
    assert [p["mineral"] for p in content["policies"]] == ["graphite"]
    set_field(content, parse_target("market.disruption_probability_per_turn"), 0.1)
    assert content["market"] == {"disruption_probability_per_turn": 0.1}, "a missing table is created"


def test_scaling_an_unwritten_doctrine_or_market_parameter_scales_its_default():
    content = copy.deepcopy(CONTENT)
    assert scale_field(content, parse_target("doctrines.resource_nationalist.downstream_probability"), 2) == 1
    assert content["doctrines"] == {"resource_nationalist": {"downstream_probability": 0.16}}
    scale_field(content, parse_target("market.trust_loss_on_control"), 2)
    assert content["market"]["trust_loss_on_control"] == 2 * MarketSettings().trust_loss_on_control
    with pytest.raises(FactorError, match="no number to scale"):
        scale_field(content, parse_target("doctrines.resource_nationalist.no_such_parameter"), 2)


def test_an_experiment_varies_a_doctrine_parameter_through_the_scenario_table():
    factor = FactorSpec(name="quota", kind="scale", target="doctrines.resource_nationalist.raw_quota_share")
    content = build_content(load_scenario("world-2024").content, 2, [(factor, 0.5)])
    model = WorldModel(scenario_from_content(content, "varied.toml"), seed=1)
    chile = model.countries["CHL"].controller.params
    assert chile.raw_quota_share == 0.3
    assert "scenario: batch experiment factor quota [L]" in chile.source


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("stocks[country=USA].tonnes", "matches nothing"),
        ("stocks[country].tonnes", "expected field=value"),
        ("stocks[country=IND]", "must end with a field name"),
        ("", "empty target"),
    ],
)
def test_bad_targets_say_what_is_wrong(target, message):
    with pytest.raises(FactorError, match=message):
        set_field(copy.deepcopy(CONTENT), parse_target(target), 1.0)
