"""Where a turn's time goes: mean milliseconds per turn of each phase (`critmin bench --phases`).

The phases of `WorldModel.step` are timed on the model itself; inside them, the trade phase's
posing, clearing and settling of the markets, the recorder and the state hash. What the timed
parts leave of the turn is `other`. Timing wrappers are set on the model instance and on the
trade module for the measured turns only, and removed afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import numpy as np

PHASES = (
    "begin_turn",
    "apply_events",
    "decide",
    "conduct_diplomacy",
    "apply_policies",
    "produce",
    "trade",
    "consume",
    "account",
)
TRADE_PARTS = ("pose_markets", "clear_among_active", "settle_markets")
"""Functions of engine/trade.py timed inside the trade phase."""


def phase_profile(model, turns: int) -> dict[str, float]:
    """Mean ms per turn of each phase and part over `turns` turns of `model`, and of the turn.

    Parts inside a phase (`trade.*`, `account.*`) are part of its time, not added to it.
    """
    from critmin.engine import trade

    seconds: dict[str, list[float]] = {}
    turn_seconds: list[float] = []
    with ExitStack() as stack:
        for name in PHASES:
            stack.enter_context(timed(model, name, name, seconds))
        for name in TRADE_PARTS:
            stack.enter_context(timed(trade, name, f"trade.{name}", seconds))
        stack.enter_context(timed(model, "state_hash", "account.state_hash", seconds))
        stack.enter_context(timed(model.recorder, "record_turn", "account.record_turn", seconds))
        for _ in range(turns):
            start = time.perf_counter()
            model.step()
            turn_seconds.append(time.perf_counter() - start)
    per_turn = {name: float(np.sum(values) / turns * 1000) for name, values in seconds.items()}
    turn_ms = float(np.mean(turn_seconds) * 1000)
    per_turn["other"] = turn_ms - sum(per_turn.get(name, 0.0) for name in PHASES)
    per_turn["turn"] = turn_ms
    return per_turn


@contextmanager
def timed(owner, name: str, key: str, seconds: dict[str, list[float]]) -> Iterator[None]:
    """While the block runs, every call of `owner.name` adds its duration to `seconds[key]`."""
    original = getattr(owner, name, None)
    if original is None:
        yield
        return
    shadowed = name in vars(owner)
    bucket = seconds.setdefault(key, [])

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            bucket.append(time.perf_counter() - start)

    setattr(owner, name, wrapper)
    try:
        yield
    finally:
        if shadowed:
            setattr(owner, name, original)
        else:
            delattr(owner, name)
