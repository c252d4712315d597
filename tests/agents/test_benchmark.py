"""Benchmark (not a timed assertion): one decide phase of every AI government on world-2024.

`pytest tests/agents/test_benchmark.py -o addopts="" --benchmark-enable` prints the figures;
the issue's budget is 2 ms per country and turn. The once-per-turn shared part of the
observations (world lines, news, diplomatic log) is built in the first round and reused, as
within a turn.
"""

from __future__ import annotations

import copy

from critmin.engine.model import WorldModel


def test_ai_decisions_of_one_world_2024_turn(benchmark):
    model = WorldModel("world-2024", seed=0)
    model.run(6)
    model.begin_turn()
    model.apply_events()
    seats = {**model.countries, **model.firms}
    saved = {code: copy.deepcopy(seat.controller) for code, seat in seats.items()}

    def restore():
        for code, seat in seats.items():
            seat.controller = copy.deepcopy(saved[code])
        return (), {}

    decisions = benchmark.pedantic(model.decide, setup=restore, rounds=20)
    assert decisions == (restore(), model.decide())[1]
    ai = [c for c in model.countries.values() if hasattr(c.controller, "params")]
    benchmark.extra_info["ai_countries"] = len(ai)
