"""Substitution's remaining use: every option multiplied in, in table order, bit for bit."""

from __future__ import annotations

import numpy as np

from critmin.engine.substitution import Substitutes, remaining_use


def test_remaining_use_is_the_options_multiplied_in_one_by_one():
    rng = np.random.default_rng(2)
    minerals = np.array([3, 1, 3, 0, 3, 1])  # several options on one mineral: the order counts
    options = len(minerals)
    table = Substitutes(
        names=tuple(f"option {k}" for k in range(options)),
        mineral=minerals,
        stages=np.ones((options, 3), dtype=bool),
        max_share=np.full(options, 0.5),
        price_multiple=np.full(options, 2.0),
        adoption_per_turn=np.full(options, 0.1),
        reversal_per_turn=np.full(options, 0.05),
        available_turn=np.zeros(options),
    )
    adoption = rng.uniform(0.0, 0.5, size=(options, 7, 3))
    one_by_one = np.ones((7, 5, 3))
    for k, m in enumerate(minerals):
        one_by_one[:, m, :] *= 1 - adoption[k]
    assert remaining_use(adoption, table, (7, 5, 3)).tobytes() == one_by_one.tobytes()
    assert (
        remaining_use(adoption[:0], Substitutes(**{**vars(table), "mineral": minerals[:0]}), (7, 5, 3)).min()
        == 1.0
    )
