"""Benchmarks behind `critmin bench`: turn times, growth with the world, memory, clearing speed.

Turn times: four worlds step in turn, A B C D A B C D, in one process, so that a change of
machine load hits them alike: world-2024 with every country on the default controller (keep
current policies, buy what is needed: `turn_ms_median`); as the scenario ships it, every
country on its AI doctrine and every firm and manufacturer deciding (`turn_ms_median_ai`);
that world with ten times its firms (each firm copied ten times with a tenth of its assets);
and with four times its countries (each country repeated under new codes, with its lines,
demand, firms, policies and deals). `growth_10x_firms` and `growth_4x_countries` are the
medians of the larger worlds' AI turns over world-2024's. The worlds keep no per-turn state
hashes, as batch runs and the RL environments do (issue 19: hash only where needed: saves,
replays, the classroom); what a world that keeps them pays on top is timed beside, on the AI
world's state after each of its turns (`state_hash_ms_median`). `recorded_bytes_per_turn` is what
the AI world's recorder keeps per turn (bytes of its arrays and containers, growth over the
timed turns). `clear_threads` is the threads the timed turns' large batches of markets (the 4x
world's; world-2024's stay serial) were cleared on, most often (`CRITMIN_CLEAR_THREADS` and the
machine's load: :mod:`critmin.engine.parallel_clearing`).

Clearing: the markets world-2024 poses in one AI turn (the problems the engine solves) and 40
random 30-country markets are each cleared by `clear_markets` (one call), by
`scipy.optimize.linprog` (HiGHS) one market at a time, and by OR-Tools' min-cost flow one
market at a time with its graph build (if installed), rounds interleaved; each alternative's
welfare is checked equal to ours. Speed-ups are ratios of median times.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from contextlib import contextmanager

import numpy as np

from critmin.engine.bench_worlds import copies_of_the_countries, scenario_of, ten_times_the_firms

MARKETS, COUNTRIES = 40, 30
WARMUP_TURNS = 2
CLEARING_ROUNDS = 5
WELFARE_RTOL = 1e-6
"""Largest relative welfare difference between two solvers of the same market."""

Progress = Callable[[str], None]


def silent(message: str) -> None:
    """A progress reporter that says nothing."""


def run_benchmarks(
    turns: int = 40, scenario: str = "world-2024", rounds: int = CLEARING_ROUNDS, progress: Progress = silent
) -> dict[str, float | None]:
    """Every figure of `critmin bench` (see the module docstring); None where not measurable."""
    from critmin.engine import parallel_clearing

    parallel_clearing.clear_threads()  # a bad CRITMIN_CLEAR_THREADS stops the bench before it starts
    worlds = bench_worlds(scenario)
    parallel_clearing.large_batches.clear()
    times, problems, recorded = interleaved_turns(worlds, turns, progress)
    split = parallel_clearing.large_batches
    threads = max(split, key=split.__getitem__, default=1)
    ms = {name: float(np.median(values) * 1000) for name, values in times.items()}
    figures: dict[str, float | None] = {
        "turn_ms_median": ms["default"],
        "turn_ms_median_ai": ms["ai"],
        "turn_ms_median_ai_10x_firms": ms["ai_10x_firms"],
        "turn_ms_median_ai_4x_countries": ms["ai_4x_countries"],
        "growth_10x_firms": ms["ai_10x_firms"] / ms["ai"],
        "growth_4x_countries": ms["ai_4x_countries"] / ms["ai"],
        "state_hash_ms_median": ms["ai_state_hash"],
        "recorded_bytes_per_turn": recorded,
    }
    progress(f"clearing: {len(problems)} markets of one turn")
    figures |= clearing_figures(problems, rounds, "")
    progress(f"clearing: {MARKETS} random {COUNTRIES}-country markets")
    figures |= clearing_figures(random_problems(), rounds, "random_")
    figures["markets_per_turn"] = float(len(problems))
    figures["clear_threads"] = float(threads)
    return figures


# --- turn times ------------------------------------------------------------------------------


def bench_worlds(scenario: str) -> dict:
    """The four worlds whose turns are timed, by arm name; none keeps per-turn state hashes."""
    from critmin.agents.controllers import DefaultController
    from critmin.engine.model import WorldModel

    world = scenario_of(scenario)
    defaults = {c.iso3: DefaultController() for c in world.spec.countries}
    return {
        "default": WorldModel(world, seed=0, controllers=defaults, record_hashes=False),
        "ai": WorldModel(world, seed=0, record_hashes=False),
        "ai_10x_firms": WorldModel(ten_times_the_firms(world), seed=0, record_hashes=False),
        "ai_4x_countries": WorldModel(copies_of_the_countries(world, 4), seed=0, record_hashes=False),
    }


def interleaved_turns(
    worlds: dict, turns: int, progress: Progress
) -> tuple[dict[str, list[float]], list, float]:
    """Seconds of each world's turns, stepped in turn; the AI world's last markets; its bytes per turn.

    Every world first plays `WARMUP_TURNS` untimed turns. After each AI turn its state hash is
    timed on its own (`ai_state_hash`), not counted in the turn.
    """
    for model in worlds.values():
        model.run(WARMUP_TURNS)
    ai = worlds["ai"]
    recorded_before = recorded_bytes(ai.recorder)
    times: dict[str, list[float]] = {name: [] for name in [*worlds, "ai_state_hash"]}
    problems: list = []
    for turn in range(turns):
        for name, model in worlds.items():
            with captured_markets(problems if name == "ai" and turn == turns - 1 else None):
                start = time.perf_counter()
                model.step()
                times[name].append(time.perf_counter() - start)
        start = time.perf_counter()
        ai.state_hash()
        times["ai_state_hash"].append(time.perf_counter() - start)
        progress(
            f"turn {turn + 1}/{turns}: " + ", ".join(f"{n} {t[-1] * 1000:.1f} ms" for n, t in times.items())
        )
    return times, problems, (recorded_bytes(ai.recorder) - recorded_before) / turns


@contextmanager
def captured_markets(problems: list | None):
    """Collect the market problems the engine clears while the block runs (None: collect nothing)."""
    from critmin.engine import trade
    from critmin.engine.market import problems_of

    if problems is None:
        yield
        return
    original = trade.clear_flat

    def recording(batch):
        problems.extend(problems_of(batch))
        return original(batch)

    trade.clear_flat = recording
    try:
        yield
    finally:
        trade.clear_flat = original


def recorded_bytes(recorder) -> int:
    """Bytes the recorder's per-turn records hold: arrays (their whole buffers) and containers."""
    seen: set[int] = set()

    def size(item) -> int:
        if isinstance(item, np.ndarray):
            owner = item if item.base is None else item.base
            if id(owner) in seen:
                return 0
            seen.add(id(owner))
            return owner.nbytes if isinstance(owner, np.ndarray) else sys.getsizeof(owner)
        if isinstance(item, dict):
            return sys.getsizeof(item) + sum(size(v) for v in item.values())
        if isinstance(item, list | tuple):
            return sys.getsizeof(item) + sum(size(v) for v in item)
        if hasattr(item, "__dataclass_fields__"):
            return sys.getsizeof(item) + sum(size(getattr(item, f)) for f in item.__dataclass_fields__)
        return sys.getsizeof(item)

    kept = [name for name in recorder.__dataclass_fields__ if name not in ("index", "constants")]
    return sum(size(getattr(recorder, name)) for name in kept)


# --- clearing --------------------------------------------------------------------------------


def random_problems(seed: int = 0) -> list:
    """40 random 30-country markets with bans, quotas, licences and tariffs."""
    from critmin.engine.market import random_problem

    rng = np.random.default_rng(seed)
    return [random_problem(rng, COUNTRIES) for _ in range(MARKETS)]


def solvers() -> dict[str, Callable]:
    """Each way to clear a batch of markets, by name: ours, the LP one by one, OR-Tools (if installed)."""
    from critmin.engine.market import clear_markets, solve_lp
    from critmin.engine.ortools_flow import ortools_missing, solve_ortools

    ways: dict[str, Callable] = {
        "ours": clear_markets,
        "lp": lambda problems: [solve_lp(p) for p in problems],
    }
    if ortools_missing() is None:
        ways["ortools"] = lambda problems: [solve_ortools(p) for p in problems]
    return ways


def clearing_figures(problems: list, rounds: int, prefix: str) -> dict[str, float | None]:
    """Median times (ms) of each solver on the batch, rounds interleaved, and speed-ups over ours.

    Raises:
        RuntimeError: if another solver's welfare differs from ours on some market.

    """
    ways = solvers()
    results = {name: solve(problems) for name, solve in ways.items()}
    for name in ways:
        if name != "ours":
            check_same_welfare(problems, results["ours"], results[name], name)
    seconds: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(rounds):
        for name, solve in ways.items():
            start = time.perf_counter()
            solve(problems)
            seconds[name].append(time.perf_counter() - start)
    ms = {name: float(np.median(values) * 1000) for name, values in seconds.items()}
    ortools = ms.get("ortools")
    return {
        f"{prefix}clearing_ms": ms["ours"],
        f"{prefix}lp_ms": ms["lp"],
        f"{prefix}ortools_ms": ortools,
        f"{prefix}clearing_speedup_vs_lp": ms["lp"] / ms["ours"],
        f"{prefix}clearing_speedup_vs_ortools": None if ortools is None else ortools / ms["ours"],
    }


def welfare_tolerance(problem, welfare: float) -> float:
    """How far two solvers' welfare on `problem` may differ.

    `WELFARE_RTOL` of the welfare, or the clearing's cost resolution (its largest |cost| over
    `flow.COST_RES`) on every tonne offered where that is larger: a cheap mineral sold by the
    million tonnes (strontium, phosphate) clears within it, not within a millionth of its welfare.
    """
    from critmin.engine.flow import COST_RES

    costs = np.concatenate([problem.supply_price, problem.demand_price, np.ravel(problem.route_cost)])
    largest = float(np.abs(costs[np.isfinite(costs)]).max(initial=0.0))
    return max(WELFARE_RTOL * max(abs(welfare), 1.0), largest / COST_RES * float(problem.supply_tonnes.sum()))


def check_same_welfare(problems: list, ours: list, theirs: list, name: str) -> None:
    """Each market's welfare by `name` equals ours (within `welfare_tolerance`, infeasible ones skipped)."""
    for k, (mine, other) in enumerate(zip(ours, theirs, strict=True)):
        if not getattr(other, "feasible", True) or not mine.feasible:
            continue
        if abs(mine.welfare - other.welfare) > welfare_tolerance(problems[k], mine.welfare):
            raise RuntimeError(
                f"market {k}: {name} finds welfare {other.welfare:,.6f}, ours {mine.welfare:,.6f} "
                f"({len(problems[k].supply_tonnes)} offers)"
            )
