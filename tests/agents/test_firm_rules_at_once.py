"""Firm rules worked out for every firm at once choose what the rules as first written, firm by
firm, chose: each country's lead supply-security firm (firm_offers.lead_firms), the foreign state
firm a lead firm offers an offtake to (firm_offers.best_partner) and the home line a
profit-seeking firm expands (firm_doctrine.profit_move), and the stake a supply-security firm
buys (firm_doctrine.security_move, each home.s imports worked out once a view)."""

from __future__ import annotations

import msgspec
import numpy as np
import pytest

from critmin.agents.firm_doctrine import FirmObservation, expansion, profit_move, security_move, stake
from critmin.agents.firm_offers import best_partner, lead_firms
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


def profit_move_of_one_firm(observation, params):
    """The rule as first written: one firm's owned home lines, the best margin kept."""
    view, firms = observation.view, observation.view.firms
    home = view.names.country[observation.country]
    owned = firms.shares[firms.index[observation.firm], home] > 0
    margins = np.where(owned & (view.capacity[home] > 0), firms.margin_share[home], -np.inf)
    m, s = np.unravel_index(int(np.argmax(margins)), margins.shape)
    if margins[m, s] < params.hurdle_margin:
        return None
    return expansion(observation, params, int(m), int(s), "profit", float(margins[m, s]))


def security_move_of_one_firm(observation, params, vetoed):
    """The rule as first written: the home's imports summed and sorted for the firm that asks."""
    view, names, firms = observation.view, observation.view.names, observation.view.firms
    home = names.country[observation.country]
    imported = (firms.import_share[home] * firms.need_value[home]).sum(axis=1)
    for m in np.argsort(-imported, kind="stable"):
        if imported[m] <= 0:
            break
        s = int(np.flatnonzero(view.chain[m])[0])
        capacity = view.capacity[:, m, s] * (firms.free[:, m, s] >= params.min_stake)
        capacity = capacity * ~firms.restricted[:, home, m]
        capacity[home] = 0.0
        for code, _ in vetoed:
            if (code, names.minerals[m]) in vetoed:
                capacity[names.country[code]] = 0.0
        if capacity.max() > 0:
            share = float(firms.import_share[home, m].max())
            host = int(np.argmax(capacity))
            reason = (
                f"home supply security: {observation.country} imports {share:.0%} of its "
                f"{names.minerals[m]}; {names.countries[host]} is the largest producer open to it"
            )
            action = stake(observation, params, host, int(m), s, reason)
            if action is not None:
                return action
    return None


def played(tenfold: bool) -> WorldModel:
    """World-2024 (or its 10x-firms world) after two turns."""
    scenario = ten_times_the_firms("world-2024") if tenfold else "world-2024"
    model = WorldModel(scenario, seed=3, record_hashes=False)
    model.run(2)
    return model


@pytest.mark.parametrize("tenfold", [False, True])
def test_profit_move_is_the_one_firm_rules_choice(tenfold):
    model = played(tenfold)
    view = model.turn_view()
    expansions = 0
    for firm in model.firms.values():
        for hurdle in (-1.0, 0.0, 0.1, 0.3):
            params = msgspec.structs.replace(FirmParams(), hurdle_margin=hurdle)
            observation = FirmObservation(view.turn, firm.firm_id, firm.country, "profit", 500.0, view)
            expected = profit_move_of_one_firm(observation, params)
            assert profit_move(observation, params, set()) == expected
            expansions += expected is not None
    assert expansions > len(model.firms)  # firms expand under low hurdles, not only None


@pytest.mark.parametrize("tenfold", [False, True])
def test_best_partner_is_the_per_firm_rules_choice(tenfold):
    view, params = played(tenfold).turn_view(), FirmParams()
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


@pytest.mark.parametrize("tenfold", [False, True])
def test_lead_firms_are_each_homes_first_supply_security_firm(tenfold):
    view = played(tenfold).turn_view()
    firms = view.firms
    for home in range(len(view.names.countries)):
        first = (
            firm_id
            for firm_id, country, mandate in zip(firms.ids, firms.countries, firms.mandates, strict=True)
            if view.names.country[country] == home and mandate == "supply_security"
        )
        assert lead_firms(view).get(home, "") == next(first, "")
    assert len(lead_firms(view)) >= 3  # several countries have a lead firm


@pytest.mark.parametrize("tenfold", [False, True])
def test_security_move_is_the_one_firm_rules_choice(tenfold):
    model = played(tenfold)
    view, stakes = model.turn_view(), 0
    for firm in model.firms.values():
        for min_stake, vetoed in ((0.01, set()), (0.05, {("AUS", "lithium"), ("CHL", "copper")})):
            params = msgspec.structs.replace(FirmParams(), min_stake=min_stake)
            observation = FirmObservation(
                view.turn, firm.firm_id, firm.country, "supply_security", 500.0, view
            )
            expected = security_move_of_one_firm(observation, params, vetoed)
            assert security_move(observation, params, vetoed) == expected
            stakes += expected is not None
    assert stakes > 0  # firms find stakes, not only None
