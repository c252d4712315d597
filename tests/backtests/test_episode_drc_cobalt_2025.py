"""The backtest of the DRC's 2025 cobalt export suspension and quotas (drc-cobalt-2025): the scenario
loads as the checks assume and each check measures what it says on a small synthetic trajectory
(tools/build_episodes.py rebuilds it: test_episodes_2023_24.py)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

from critmin.research.backtests import (
    CHECKS,
    CO25_2026Q1,
    CO25_Q1,
    CO25_Q4,
    DRC_COBALT,
    DRC_MINE_2024,
    Trajectory,
)
from critmin.scenarios import load_scenario
from critmin.scenarios.schema import MarketSettings

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "critmin" / "scenarios" / "data"


def check(name: str):
    """The check of that name."""
    return next(c for c in CHECKS if c.name == name)


def drc_controls(spec) -> list[tuple]:
    """The DRC's scripted cobalt controls as (turn, announced, regime, stages, quota t/yr)."""
    return [
        (
            e.turn,
            e.announced,
            e.action["regime"],
            tuple(e.action["stages"]),
            e.action.get("quota_tonnes_per_year"),
        )
        for e in spec.events
        if e.kind == "action" and e.action["country"] == "COD" and e.action["mineral"] == "cobalt"
    ]


# --- the scenario ----------------------------------------------------------------------------


def test_the_episode_loads_on_default_controllers_and_the_shared_market():
    spec = load_scenario(DRC_COBALT).spec
    assert spec.market == MarketSettings()
    assert all(c.controller == "default" and c.doctrine == "passive" for c in spec.countries)
    assert not spec.firms
    assert (spec.scenario.start, spec.scenario.turns) == ("2025Q1", CO25_2026Q1 + 1)
    assert {m.id for m in spec.minerals} == {"cobalt"}


def test_the_ban_its_extension_and_the_quotas_start_at_the_turns_the_checks_assume():
    controls = drc_controls(load_scenario(DRC_COBALT).spec)
    both = ("mine", "refined")
    assert [c for c in controls if c[2] == "ban"] == [
        (CO25_Q1, None, "ban", both, None),
        (1, None, "ban", both, None),
    ]
    quotas: dict[tuple, float] = {}
    for turn, announced, regime, _, tonnes in controls:
        if regime == "quota":
            quotas[(turn, announced)] = quotas.get((turn, announced), 0.0) + tonnes
    # 18,125 t in 2025Q4 (announced 21 Sep, in 2025Q3) and 96,600 t a year from 2026, split by stage
    assert quotas == {
        (CO25_Q4, CO25_Q4 - 1): pytest.approx(18125 * 4, abs=1),
        (CO25_2026Q1, None): pytest.approx(96600, abs=1),
    }


def test_the_drc_mine_output_the_check_divides_by_is_world_2024s():
    world = tomllib.loads((DATA / "world-2024.toml").read_text(encoding="utf-8"))
    key = ("COD", "cobalt", "mine")
    cod = next(r for r in world["capacity"] if (r["country"], r["mineral"], r["stage"]) == key)
    assert cod["tonnes_per_year"] * cod["utilisation"] == pytest.approx(DRC_MINE_2024, rel=1e-4)


# --- the checks on a synthetic trajectory ------------------------------------------------------

COUNTRIES = ("CHN", "COD", "EUU")
STAGES = ("mine", "refined")


def trajectory(outside, china, hydroxide, china_imports, drc_output, with_imports=True) -> Trajectory:
    """Five turns from 2025Q1: refined prices outside (EUU) and in China, China's mine price and imports."""
    turns = len(outside)
    prices = np.ones((turns, 3, 1, 2))
    prices[:, 0, 0, 1], prices[:, 2, 0, 1], prices[:, 0, 0, 0] = china, outside, hydroxide
    demand = np.zeros((turns, 3, 1, 2))
    demand[:, [0, 2], 0, 1] = 1.0  # China and the EU use refined cobalt
    imports = np.zeros((turns, 3, 1, 2))
    imports[:, 0, 0, 0] = china_imports
    production = np.zeros((turns, 3, 1, 2))
    production[:, 1, 0, 0] = drc_output
    reference = np.array([[5.0, 10.0]])  # mine, refined: a 50% payable
    return Trajectory(
        "synthetic", 0, 2025.125, COUNTRIES, ("cobalt",), STAGES, prices, np.zeros_like(prices), production,
        demand, reference, (20.0, 20.0), imports=imports if with_imports else None,
    )  # fmt: skip


def test_the_cobalt_checks_measure_the_quarters_they_name():
    t = trajectory(
        outside=[10, 13, 14, 19, 21],
        china=[10, 12, 13, 18, 20],
        hydroxide=[6, 10, 12, 17, 19],
        china_imports=[45_000, 35_000, 15_000, 7_000, 20_000],
        drc_output=[55_000, 60_000, 60_000, 60_000, 60_000],
    )
    assert check("co25_outside_2025q1_over_2024").measure(t) == pytest.approx(1.0)
    assert check("co25_outside_2025q2_over_2024").measure(t) == pytest.approx(1.3)
    assert check("co25_outside_2025q3_over_q2").measure(t) == pytest.approx(14 / 13)
    assert check("co25_outside_2025q4_over_2024").measure(t) == pytest.approx(1.9)
    assert check("co25_outside_2026q1_over_2024").measure(t) == pytest.approx(2.1)
    assert check("co25_china_payable_2025q4").measure(t) == pytest.approx(17 / 18)
    assert check("co25_hydroxide_2025q4_over_2024").measure(t) == pytest.approx(17 / 5)
    assert check("co25_china_imports_q4_over_q2").measure(t) == pytest.approx(7 / 35)
    # 2025 only: the 2026Q1 turn is left out of the year's sum
    assert check("co25_drc_mine_output_2025_over_2024").measure(t) == pytest.approx(235_000 / DRC_MINE_2024)


def test_the_imports_check_says_so_when_a_trajectory_recorded_no_imports():
    bare = trajectory([10] * 5, [10] * 5, [5] * 5, [1.0] * 5, [1.0] * 5, with_imports=False)
    with pytest.raises(ValueError, match="recorded no imports"):
        check("co25_china_imports_q4_over_q2").measure(bare)


def test_every_cobalt_check_has_a_source_and_its_observed_figure_in_its_band():
    new = [c for c in CHECKS if c.scenario == DRC_COBALT]
    assert len(new) == 9
    for c in new:
        low, high = c.band
        assert c.source and (low is None or high is None or low < high), c.name
        assert c.holds(c.observed), f"{c.name}: the observed figure lies outside its own band"
