"""The manufacturers' pressure of every AI country at once (agents/pressures.py), on a small reading."""

from __future__ import annotations

from types import SimpleNamespace

import msgspec
import numpy as np

from critmin.agents.doctrine_params import BASE
from critmin.agents.pressures import Pressures, move_rows

LINES = [("cobalt", "mine"), ("cobalt", "refined"), ("lithium", "refined")]


def reading(score, active, lobbying, lines=LINES):
    """A reading of two countries, A and B, with one risk board: what `Pressures` reads of it."""
    board = SimpleNamespace(score=np.array(score, dtype=float), active=np.array(active, dtype=bool))
    return SimpleNamespace(
        seen=SimpleNamespace(order=lines, rank=np.arange(len(lines))),
        rows=SimpleNamespace(at={"A": 0, "B": 1}, lobbying=np.array(lobbying, dtype=float)),
        risk_board=lambda adversary_trust, weights: board,
    )


def book(memory_a=0.5, memory_b=0.8, act=0.2) -> Pressures:
    pressures = Pressures()
    pressures.join("A", msgspec.structs.replace(BASE, pressure_memory=memory_a, act_on_pressure=act))
    pressures.join("B", msgspec.structs.replace(BASE, pressure_memory=memory_b, act_on_pressure=act))
    return pressures


def test_pressure_jumps_with_risk_fades_with_memory_and_rises_with_lobbying():
    pressures = book()
    first = reading([[0.6, 0.6, 0.0], [0.3, 0.0, 0.9]], [[1, 1, 0], [1, 0, 1]], np.zeros((2, 3)))
    assert pressures.pressed(first, "A") == [(LINES[0], 0.6), (LINES[1], 0.6)]  # a tie: line order
    assert pressures.pressed(first, "B") == [(LINES[2], 0.9), (LINES[0], 0.3)]
    calm = reading(np.zeros((2, 3)), np.zeros((2, 3)), [[0.0, 0.0, 0.25], [0.0, 0.0, 0.0]])
    assert pressures.pressed(calm, "A") == [(LINES[0], 0.3), (LINES[1], 0.3), (LINES[2], 0.25)]
    assert pressures.pressed(calm, "B") == [(LINES[2], 0.9 * 0.8), (LINES[0], 0.3 * 0.8)]


def test_a_country_that_does_not_decide_keeps_its_pressure_and_one_deciding_twice_moves_twice():
    pressures = book()
    risky = reading([[0.6, 0.0, 0.0], [0.6, 0.0, 0.0]], [[1, 0, 0], [1, 0, 0]], np.zeros((2, 3)))
    pressures.pressed(risky, "A")
    pressures.pressed(risky, "B")
    calm = reading(np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((2, 3)))
    assert pressures.pressed(calm, "A") == [(LINES[0], 0.3)]
    assert pressures.pressed(calm, "A") == []  # 0.15 is below 0.2
    later = reading(np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((2, 3)))
    assert pressures.pressed(later, "B") == [(LINES[0], 0.6 * 0.8)]  # B skipped a turn


def test_levels_follow_their_lines_by_name_when_the_lines_change():
    pressures = book()
    pressures.pressed(reading([[0.6, 0.0, 0.5], [0.0] * 3], [[1, 0, 1], [0] * 3], np.zeros((2, 3))), "A")
    moved = [LINES[2], ("nickel", "mine"), LINES[0]]
    calm = reading(np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((2, 3)), lines=moved)
    assert pressures.pressed(calm, "A") == [(LINES[0], 0.3), (LINES[2], 0.25)]


def moved_as_arrays(level, held, rows, at, memory, active, score, lobbying):
    """`Pressures.move`'s array rule for one group of members, as it was written."""
    level, held = level.copy(), held.copy()
    at_risk, score = active[at], score[at]
    kept = memory * level[rows]
    raised = np.where(at_risk & ~(kept > score), score, kept)
    louder = lobbying[at] > raised
    level[rows] = np.where(louder, lobbying[at], raised)
    held[rows] |= at_risk | louder
    return level, held


def test_the_compiled_move_is_the_array_rule_bit_for_bit():
    rng = np.random.default_rng(7)
    members, readers, lines = 9, 12, 40
    level = rng.choice([0.0, -0.0, 0.2, 0.5, 0.9, np.nan], (members, lines))
    held = rng.random((members, lines)) < 0.3
    active = rng.random((readers, lines)) < 0.5
    score = rng.choice([0.0, 0.1, 0.45, 0.5, 1.0, np.nan], (readers, lines))
    lobbying = rng.choice([0.0, 0.25, 0.45, 0.9, np.nan], (readers, lines))
    rows, at = np.array([0, 2, 3, 7, 8]), np.array([11, 0, 4, 4, 6])
    memory = rng.random((len(rows), 1))
    expected = moved_as_arrays(level, held, rows, at, memory, active, score, lobbying)
    move_rows(level, held, rows, at, memory, active, score, lobbying)
    assert level.tobytes() == expected[0].tobytes() and held.tobytes() == expected[1].tobytes()
