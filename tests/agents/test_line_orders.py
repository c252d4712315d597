"""The moves' line orders from the reading's (mineral, stage) order (`Lines.by_rank`, agents/reading.py).

`sorted_lines` picks the chosen lines in that order, and `seek_offtakes` sorts its lines by export
value with ties in that order by one stable sort: the orders the first forms (`np.argsort` of the
chosen lines' ranks, `np.lexsort` by value then rank) gave, on world-2024's lines and on ties.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from critmin.agents.behaviours import sorted_lines
from critmin.agents.reading import Lines
from critmin.engine.bench_worlds import scenario_of
from critmin.engine.model import WorldModel


def test_by_rank_is_the_order_of_the_lines_and_ranks_inverse():
    seen = WorldModel(scenario_of("world-2024"), seed=0, record_hashes=False).reading().seen
    assert [seen.order[k] for k in seen.by_rank.tolist()] == sorted(seen.order)
    assert (seen.rank[seen.by_rank] == np.arange(len(seen.order))).all()


def test_chosen_lines_and_export_orders_are_the_first_forms():
    lines = [
        ("nickel", "mine"),
        ("cobalt", "refined"),
        ("cobalt", "mine"),
        ("lithium", "mine"),
        ("gallium", "refined"),
    ]
    seen = Lines.make(tuple(lines))
    situation = SimpleNamespace(reading=SimpleNamespace(seen=seen), line_order=seen.order)
    rng = np.random.default_rng(0)
    for _ in range(200):
        chosen = rng.random(len(lines)) < 0.5
        at = np.flatnonzero(chosen)
        first = [seen.order[k] for k in at[np.argsort(seen.rank[at])].tolist()]
        assert sorted_lines(situation, chosen) == first
        values = -rng.integers(0, 3, len(lines)).astype(float)  # many ties
        by_value = seen.by_rank[np.argsort(values[seen.by_rank], kind="stable")]
        assert by_value.tolist() == np.lexsort((seen.rank, values)).tolist()
