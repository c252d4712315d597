"""Benchmarks of market clearing: the batched min-cost flow vs the LP oracle one by one.

Run with ``pytest tests/engine/test_market_bench.py --benchmark-enable`` (the project's
default options disable benchmarks, which then run each function once as a smoke test).
No timing is asserted.
"""

from __future__ import annotations

import numpy as np
import pytest

from critmin.engine.market import MarketProblem, clear_markets, random_problem, solve_lp

MARKETS, COUNTRIES = 40, 30


@pytest.fixture(scope="module")
def problems() -> list[MarketProblem]:
    rng = np.random.default_rng(2024)
    return [random_problem(rng, COUNTRIES) for _ in range(MARKETS)]


def test_bench_clear_markets(benchmark, problems: list[MarketProblem]) -> None:
    results = benchmark.pedantic(clear_markets, args=(problems,), rounds=20, warmup_rounds=2)
    assert len(results) == MARKETS


def test_bench_solve_lp_one_by_one(benchmark, problems: list[MarketProblem]) -> None:
    def one_by_one() -> list:
        return [solve_lp(p) for p in problems]

    results = benchmark.pedantic(one_by_one, rounds=3, warmup_rounds=1)
    assert len(results) == MARKETS
