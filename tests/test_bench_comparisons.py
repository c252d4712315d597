"""pytest-benchmark versions of `critmin bench`'s comparisons (no timing is asserted).

    pytest tests/test_bench_comparisons.py --benchmark-enable --benchmark-group-by=group

Groups: `turn` (world-2024 with default controllers, with AI doctrines, with 10x its firms and
with 4x its countries), `clearing-engine` (the markets of one world-2024 AI turn) and
`clearing-random` (40 random 30-country markets), each solved by ours in one call, by the LP
one market at a time and by OR-Tools one market at a time (graph build included), and `rl` (a
step of the PettingZoo environment with 5 agents and random legal actions). pytest-benchmark
runs one test after another; `critmin bench` interleaves the arms and reports the ratios. The
project's default options disable benchmarks: each function then runs once, as a smoke test.
"""

from __future__ import annotations

import numpy as np
import pytest

from critmin.engine.bench import bench_worlds, captured_markets, random_problems, solvers

TURN_ROUNDS = 10


@pytest.fixture(scope="module")
def worlds():
    """The four worlds of the turn benchmark, past their warm-up turns."""
    built = bench_worlds("world-2024")
    for model in built.values():
        model.run(2)
    return built


@pytest.fixture(scope="module")
def engine_problems(worlds):
    """The markets world-2024 clears in one AI turn."""
    problems: list = []
    with captured_markets(problems):
        worlds["ai"].step()
    return problems


@pytest.mark.parametrize("arm", ["default", "ai", "ai_10x_firms", "ai_4x_countries"])
def test_turn(benchmark, worlds, arm):
    benchmark.group = "turn"
    model = worlds[arm]
    before = model.turn
    benchmark.pedantic(model.step, rounds=TURN_ROUNDS, warmup_rounds=1)
    assert model.turn > before


@pytest.mark.parametrize("solver", ["ours", "lp", "ortools"])
def test_clearing_engine_markets(benchmark, engine_problems, solver):
    benchmark.group = "clearing-engine"
    clear(benchmark, engine_problems, solver)


@pytest.mark.parametrize("solver", ["ours", "lp", "ortools"])
def test_clearing_random_markets(benchmark, solver):
    benchmark.group = "clearing-random"
    clear(benchmark, random_problems(), solver)


def clear(benchmark, problems: list, solver: str) -> None:
    ways = solvers()
    if solver not in ways:
        pytest.skip("OR-Tools is not installed (pip install 'critmin[bench]')")
    results = benchmark.pedantic(ways[solver], args=(problems,), rounds=5, warmup_rounds=1)
    ours = ways["ours"](problems)
    assert len(results) == len(problems)
    feasible = [
        k for k, (a, b) in enumerate(zip(ours, results, strict=True)) if a.feasible and np.isfinite(b.welfare)
    ]
    np.testing.assert_allclose(
        [results[k].welfare for k in feasible], [ours[k].welfare for k in feasible], rtol=1e-6
    )


def test_rl_step(benchmark):
    pytest.importorskip("pettingzoo")
    from critmin.research.env import parallel_env

    benchmark.group = "rl"
    env = parallel_env("world-2024")
    _, infos = env.reset(seed=0)
    for i, agent in enumerate(env.possible_agents):
        env.action_space(agent).seed(i)
    state = {"infos": infos}

    def step():
        if not env.agents:
            _, state["infos"] = env.reset()
        actions = {a: env.action_space(a).sample(mask=state["infos"][a]["action_mask"]) for a in env.agents}
        state["infos"] = env.step(actions)[4]

    benchmark.pedantic(step, rounds=20, warmup_rounds=1)
    assert len(env.possible_agents) == 5
