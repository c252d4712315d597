"""Adapters: mesa.batch_run on the model, and the EMA Workbench model of an experiment."""

from __future__ import annotations

import warnings

import mesa
import numpy as np
import pytest
from research_helpers import FACTORIAL, SAMPLED

from critmin.engine.model import WorldModel
from critmin.research.design import replication_seeds
from critmin.research.mesa_adapter import BatchWorldModel

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # ema_workbench warns that ipyparallel is not installed
    from ema_workbench import MultiprocessingEvaluator, Samplers, SequentialEvaluator
    from ema_workbench.analysis import prim
    from ema_workbench.em_framework import get_SALib_problem
from SALib.analyze import sobol

from critmin.research.ema import ema_model, prim_inputs


def test_mesa_batch_run_plays_the_same_runs_as_critmin_batch(factorial, reference_frame):
    seeds = replication_seeds(factorial.spec)
    parameters = {
        "experiment": str(FACTORIAL),
        "disruption_probability": [0.05, 0.3],
        "china_magnet_ban_turn": [1, 4],
    }
    rows = mesa.batch_run(
        BatchWorldModel,
        parameters=parameters,
        rng=seeds,
        max_steps=1000,
        number_processes=1,
        data_collection_period=1,
        display_progress=False,
    )
    assert len(rows) == 20 * 6, "running stops at the experiment's 6 turns, before max_steps"
    world = reference_frame[
        (reference_frame["metric"] == "shortage_value_share") & (reference_frame["country"] == "WLD")
    ]
    expected = {
        (r.seed, r.disruption_probability, r.china_magnet_ban_turn, r.turn): r.share
        for r in world.itertuples()
    }
    got = {
        (r["seed"], r["disruption_probability"], r["china_magnet_ban_turn"], int(r["Step"]) - 1): r[
            "shortage_value_share"
        ]["WLD"]
        for r in rows
    }
    assert got == expected


def test_mesa_batch_run_on_world_model_itself(tiny):
    results = mesa.batch_run(
        WorldModel, parameters={"scenario": tiny}, rng=[1, 2], max_steps=20, display_progress=False
    )
    assert len(results) == 2  # one row per run: its last turn
    assert all(row["turn"] == tiny.spec.scenario.turns for row in results)  # stops when the scenario ends
    assert all(0.0 <= row["world_shortage_share"] <= 1.0 for row in results)


@pytest.fixture(scope="module")
def sampled_model():
    return ema_model(SAMPLED)


def test_the_ema_model_exposes_factors_and_outcomes(sampled_model):
    assert [u.name for u in sampled_model.uncertainties] == [
        "disruption_probability",
        "china_magnet_ban_turn",
    ]
    assert [lever.name for lever in sampled_model.levers] == ["india_lithium_demand_scale"]
    assert [o.name for o in sampled_model.outcomes] == ["india_heavy_shortage", "world_shortage_value"]


def test_twenty_ema_experiments_sequential_and_multiprocessing_agree_and_prim_runs(sampled_model):
    with SequentialEvaluator(sampled_model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(
            scenarios=10, policies=2, uncertainty_sampling_kwargs={"rng": 5}, lever_sampling_kwargs={"rng": 6}
        )
    with MultiprocessingEvaluator(sampled_model, n_processes=2) as evaluator:
        parallel, parallel_outcomes = evaluator.perform_experiments(
            scenarios=10, policies=2, uncertainty_sampling_kwargs={"rng": 5}, lever_sampling_kwargs={"rng": 6}
        )
    assert len(experiments) == len(parallel) == 20
    names = ["disruption_probability", "china_magnet_ban_turn", "india_lithium_demand_scale"]
    order, parallel_order = experiments.sort_values(names).index, parallel.sort_values(names).index
    for name, values in outcomes.items():
        assert values.shape == (20,) and np.isfinite(values).all()
        np.testing.assert_array_equal(values[order], parallel_outcomes[name][parallel_order])
    early_ban = outcomes["india_heavy_shortage"] > np.median(outcomes["india_heavy_shortage"])
    x = prim_inputs(sampled_model, experiments)
    assert list(x.columns) == names[:2] and all(d.kind == "f" for d in x.dtypes), "integers as reals"
    box = prim.Prim(x, early_ban).find_box()
    assert box is not None and len(box.peeling_trajectory) > 0


def test_ema_sobol_sampling_feeds_salib(sampled_model):
    with SequentialEvaluator(sampled_model) as evaluator:
        _, outcomes = evaluator.perform_experiments(
            scenarios=4,
            uncertainty_sampling=Samplers.SOBOL,
            uncertainty_sampling_kwargs={"calc_second_order": False},
        )
    problem = get_SALib_problem(sampled_model.uncertainties)
    indices = sobol.analyze(problem, outcomes["india_heavy_shortage"], calc_second_order=False, seed=1)
    assert indices["ST"].shape == (2,)


def test_replicated_experiments_become_a_replicator_model(factorial):
    model = ema_model(factorial)
    assert len(model.replications) == 5
    assert [r["seed"] for r in model.replications] == replication_seeds(factorial.spec)
