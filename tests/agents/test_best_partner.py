"""The foreign state firm a lead firm offers an offtake to (firm_offers.best_partner), every firm at
once, is the one the per-firm rule as first written picks, on every home and line."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.agents.firm_offers import best_partner
from critmin.engine.bench_worlds import ten_times_the_firms
from critmin.engine.model import WorldModel
from critmin.scenarios.doctrine_table import FirmParams


def partner_firm_by_firm(view, home: int, m: int, s: int, params: FirmParams, asked: dict[str, int]):
    """The rule as first written: the firms one by one, the first with the most output kept."""
    firms, best, most = view.firms, None, 0.0
    for f, (firm_id, kind, country) in enumerate(zip(firms.ids, firms.kinds, firms.countries, strict=True)):
        host = view.names.country[country]
        recent = view.turn - asked.get(firm_id, -(10**6)) < params.partner_memory_turns
        processes = (
            s + 1 < view.chain.shape[1] and view.chain[m, s + 1] and firms.shares[f, host, m, s + 1] > 0
        )
        if (
            kind != "state_firm"
            or host == home
            or recent
            or processes
            or view.trust[host, home] < params.veto_trust
        ):
            continue
        output = float(firms.shares[f, host, m, s] * view.capacity[host, m, s])
        if output > most:
            best, most = (f, host), output
    return best


@pytest.mark.parametrize("tenfold", [False, True])
def test_best_partner_is_the_per_firm_rules_choice(tenfold):
    model = WorldModel(
        ten_times_the_firms("world-2024") if tenfold else "world-2024", seed=3, record_hashes=False
    )
    model.run(2)
    view, params = model.turn_view(), FirmParams()
    rng = np.random.default_rng(0)
    asked_recently = dict.fromkeys(
        [str(f) for f in rng.choice(view.firms.ids, 8, replace=False)], view.turn - 1
    )
    homes = sorted({view.names.country[c] for c in view.firms.countries})
    chosen = 0
    for home in homes:
        for m, s in zip(*np.nonzero(view.chain), strict=True):
            for asked in ({}, asked_recently):
                expected = partner_firm_by_firm(view, home, int(m), int(s), params, asked)
                assert best_partner(view, home, int(m), int(s), params, asked) == expected
                chosen += expected is not None
    assert chosen > 20  # the rule picks partners on many lines, not only None
