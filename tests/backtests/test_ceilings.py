"""Which prices sat at the top of their demand curve, and for how long (critmin/research/ceilings.py)."""

from __future__ import annotations

import numpy as np

from critmin.research.ceilings import ceiling_spells, longest_run, summarise

LABELS = (("CHN", "JPN"), ("tin",), ("mine", "refined"))
REFERENCE = np.array([[10.0, 20.0]])  # (M, S)
MULTIPLES = (20.0, 40.0)  # top block, essential


def prices(*rows) -> np.ndarray:
    """(T, 2, 1, 2) prices, in multiples of reference: rows of CHN mine, refined, JPN mine, refined."""
    return np.array(rows, dtype=float).reshape(len(rows), 2, 1, 2) * REFERENCE


ALL_ACTIVE = np.ones((2, 1, 2), dtype=bool)


def test_a_price_at_the_top_block_counts_its_turns_and_longest_stay():
    series = prices((1, 1, 1, 20), (1, 1, 1, 19.9), (1, 1, 1, 1), (1, 1, 1, 25), (1, 1, 1, 40))
    (spell,) = ceiling_spells(series, REFERENCE, ALL_ACTIVE, MULTIPLES, LABELS)
    assert spell.line == "JPN tin refined"
    assert (spell.turns, spell.longest, spell.essential_turns) == (4, 2, 1)


def test_prices_below_the_top_block_or_of_inactive_lines_are_not_reported():
    series = prices((19.7, 1, 30, 1), (19.7, 1, 30, 1))
    active = ALL_ACTIVE.copy()
    active[1, 0, 0] = False  # JPN mine neither produces nor uses tin
    assert ceiling_spells(series, REFERENCE, active, MULTIPLES, LABELS) == ()


def test_the_summary_keeps_each_lines_worst_seed():
    first = ceiling_spells(prices((20, 1, 1, 1), (20, 1, 1, 1)), REFERENCE, ALL_ACTIVE, MULTIPLES, LABELS)
    second = ceiling_spells(prices((20, 1, 1, 1), (1, 1, 1, 1)), REFERENCE, ALL_ACTIVE, MULTIPLES, LABELS)
    summary = summarise([first, second, ()])
    assert summary["reached"] and summary["seeds"] == 2 and summary["of_seeds"] == 3
    assert summary["lines"] == {"CHN tin mine": {"seeds": 2, "turns": 2, "longest": 2, "essential_turns": 0}}
    assert summary["max_turns"] == 2
    assert summarise([(), ()]) == {"reached": False, "seeds": 0, "of_seeds": 2, "max_turns": 0, "lines": {}}


def test_longest_run():
    assert longest_run(np.array([True, True, False, True, True, True, False])) == 3
    assert longest_run(np.array([], dtype=bool)) == 0
