"""Benchmarks behind `critmin bench`: turn time of world-2024 and clearing speed vs the LP oracle.

Turn time is measured twice: the engine core with every country on the default controller
(`turn_ms_median`: keep current policies, buy what is needed), and the world as the scenario
ships it, every country played by its AI doctrine and every firm and manufacturer deciding
(`turn_ms_median_ai`), and that world with ten times its firms (`turn_ms_median_ai_10x_firms`:
each firm copied ten times with a tenth of its assets and its whole budget). The clearing is timed
on two sets of problems: the markets world-2024 actually poses in one turn (the problems the
engine solves), and 40 random 30-country markets (a harder, synthetic load). Each set is also
solved one problem at a time with `scipy.optimize.linprog` (HiGHS).
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import numpy as np

MARKETS, COUNTRIES, LP_ROUNDS = 40, 30, 3


def run_benchmarks(turns: int = 40, scenario: str = "world-2024") -> dict[str, float]:
    """Median turn times (ms) and the clearing's speed-up over linprog on the same problems."""
    turn_ms, _ = median_turn_ms(scenario, turns, ai=False)
    ai_turn_ms, engine_problems = median_turn_ms(scenario, turns, ai=True)
    many_firms_ms, _ = median_turn_ms(ten_times_the_firms(scenario), turns, ai=True)
    engine = speedup(engine_problems)
    synthetic = speedup(random_problems())
    return {
        "turn_ms_median": turn_ms,
        "turn_ms_median_ai": ai_turn_ms,
        "turn_ms_median_ai_10x_firms": many_firms_ms,
        "clearing_speedup_vs_lp": engine["speedup"],
        "clearing_ms": engine["ours_ms"],
        "lp_ms": engine["lp_ms"],
        "markets_per_turn": float(len(engine_problems)),
        "random_clearing_speedup_vs_lp": synthetic["speedup"],
        "random_clearing_ms": synthetic["ours_ms"],
        "random_lp_ms": synthetic["lp_ms"],
    }


def ten_times_the_firms(scenario: str):
    """The scenario with each firm copied ten times, each copy holding a tenth of its assets."""
    import copy

    from critmin.scenarios.loader import load_scenario, scenario_from_content

    content = copy.deepcopy(load_scenario(scenario).content)
    content["firms"] = [
        firm
        | {
            "id": f"{firm['id']}-{k}",
            "assets": [a | {"share": a["share"] / 10} for a in firm.get("assets", [])],
        }
        for k in range(10)
        for firm in content.get("firms", [])
    ]
    return scenario_from_content(content, f"{scenario}-10x-firms.toml")


def median_turn_ms(scenario, turns: int, ai: bool = True) -> tuple[float, list]:
    """Median wall time of one turn after two warm-up turns, and the last turn's markets.

    With `ai` False every country plays the default controller instead of its doctrine.
    """
    from critmin.agents.controllers import DefaultController
    from critmin.engine.model import WorldModel
    from critmin.scenarios.loader import load_scenario

    world = load_scenario(scenario) if isinstance(scenario, str) else scenario
    defaults = {} if ai else {c.iso3: DefaultController() for c in world.spec.countries}
    model = WorldModel(world, seed=0, controllers=defaults)
    model.run(2)
    times = []
    for _ in range(turns - 1):
        start = time.perf_counter()
        model.step()
        times.append(time.perf_counter() - start)
    with captured_markets() as problems:
        model.step()
    return float(np.median(times) * 1000), problems


@contextmanager
def captured_markets():
    """Collect the market problems the engine clears while the block runs."""
    from critmin.engine import trade

    problems: list = []
    original = trade.clear_markets

    def recording(batch):
        problems.extend(batch)
        return original(batch)

    trade.clear_markets = recording
    try:
        yield problems
    finally:
        trade.clear_markets = original


def random_problems(seed: int = 0) -> list:
    """40 random 30-country markets with bans, quotas, licences and tariffs."""
    from critmin.engine.market import random_problem

    rng = np.random.default_rng(seed)
    return [random_problem(rng, COUNTRIES) for _ in range(MARKETS)]


def speedup(problems: list) -> dict[str, float]:
    """Best-of timings of `clear_markets` on the batch and of `solve_lp` one by one."""
    from critmin.engine.market import clear_markets, solve_lp

    clear_markets(problems)
    ours = best_of(lambda: clear_markets(problems), rounds=7)
    oracle = best_of(lambda: [solve_lp(p) for p in problems], rounds=LP_ROUNDS)
    return {"ours_ms": ours * 1000, "lp_ms": oracle * 1000, "speedup": oracle / ours}


def best_of(task, rounds: int) -> float:
    """Best wall time of `rounds` runs of `task`, in seconds."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        task()
        best = min(best, time.perf_counter() - start)
    return best
