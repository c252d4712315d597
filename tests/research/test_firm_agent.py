"""A firm as an RL agent in the PettingZoo environment: its own catalogue, mask and reward."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pettingzoo")
pytest.importorskip("gymnasium")

from pettingzoo.test import parallel_api_test

from critmin.core.actions import AcquireStake
from critmin.research.env import parallel_env

INDIA = "india-central-asia-2025"


def test_pettingzoo_parallel_api_with_a_firm_agent():
    parallel_api_test(parallel_env(INDIA, countries=["IND", "kabil"], turns=3), num_cycles=5)


def test_a_firm_agent_buys_a_stake_and_is_rewarded_by_its_budget():
    env = parallel_env(INDIA, countries=["IND", "irel"], turns=3)
    env.reset(seed=0)
    mask = env.action_mask("irel")
    labels = [t.label for t in env.catalogue("irel")]
    assert labels[0] == "do nothing" and all(not label.startswith("fund") for label in labels)
    choice = next(i for i in np.flatnonzero(mask) if isinstance(env.pending["irel"][i], AcquireStake))
    cash = env.world.state.firm_cash[env.world.firm_index["irel"]]
    _, rewards, _, _, infos = env.step({"IND": 0, "irel": int(choice)})
    assert infos["irel"]["applied"]
    assert [e.actor for e in env.world.events if e.kind == "stake_acquired"].count("irel") >= 1
    after = env.world.state.firm_cash[env.world.firm_index["irel"]]
    budget = next(f.budget_usd_m for f in env.scenario.spec.firms if f.id == "irel")
    assert rewards["irel"] == pytest.approx((after - cash) / budget)


def test_an_unknown_agent_is_named():
    with pytest.raises(ValueError, match="nobody"):
        parallel_env(INDIA, countries=["IND", "nobody"])
