"""Benchmarks behind `critmin bench`: turn time of world-2024 and clearing speed vs the LP oracle."""

from __future__ import annotations

import time

import numpy as np

MARKETS, COUNTRIES, LP_ROUNDS = 40, 30, 3


def run_benchmarks(turns: int = 40, scenario: str = "world-2024") -> dict[str, float]:
    """Median turn time (ms) and the clearing's speed-up over linprog on the same problems."""
    return {"turn_ms_median": median_turn_ms(scenario, turns)} | clearing_speedup()


def median_turn_ms(scenario: str, turns: int) -> float:
    """Median wall time of one turn, after two warm-up turns."""
    from critmin.engine.model import WorldModel

    model = WorldModel(scenario, seed=0)
    model.run(2)
    times = []
    for _ in range(turns):
        start = time.perf_counter()
        model.step()
        times.append(time.perf_counter() - start)
    return float(np.median(times) * 1000)


def clearing_speedup(seed: int = 0) -> dict[str, float]:
    """Time `clear_markets` on a batch of random markets and `solve_lp` on each, one by one."""
    from critmin.engine.market import clear_markets, random_problem, solve_lp

    rng = np.random.default_rng(seed)
    problems = [random_problem(rng, COUNTRIES) for _ in range(MARKETS)]
    clear_markets(problems)
    ours = best_of(lambda: clear_markets(problems), rounds=7)
    oracle = best_of(lambda: [solve_lp(p) for p in problems], rounds=LP_ROUNDS)
    return {"clearing_ms": ours * 1000, "lp_ms": oracle * 1000, "clearing_speedup_vs_lp": oracle / ours}


def best_of(task, rounds: int) -> float:
    """Best wall time of `rounds` runs of `task`, in seconds."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        task()
        best = min(best, time.perf_counter() - start)
    return best
