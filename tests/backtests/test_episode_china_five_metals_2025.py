"""The backtest of China's 4 Feb 2025 export licences on tungsten, bismuth and molybdenum
(china-five-metals-2025): the scenario loads as the checks assume and each check measures what it
says on a small synthetic trajectory (test_episodes_2023_24.py checks the builder rebuilds it)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

from critmin.research.backtests import CHECKS, FIVE_METALS, FM25_Q1, FM25_Q4, Trajectory
from critmin.scenarios import load_scenario
from critmin.scenarios.schema import MarketSettings

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "critmin" / "scenarios" / "data"
MO_POWDER_2024_TONNES = 287.0  # China's 2024 exports of the licensed Mo powders (Reuters) [M]


def check(name: str):
    """The check of that name."""
    return next(c for c in CHECKS if c.name == name)


def china_licences(spec) -> dict[str, list[tuple]]:
    """China's scripted licences by mineral, as (turn, announced, stages, approval share)."""
    licences: dict[str, list[tuple]] = {}
    for e in spec.events:
        if e.kind == "action" and e.action["country"] == "CHN" and e.action["regime"] == "licence":
            row = (e.turn, e.announced, tuple(e.action["stages"]), e.action["approval_share"])
            licences.setdefault(e.action["mineral"], []).append(row)
    return licences


# --- the scenario ----------------------------------------------------------------------------


def test_the_episode_loads_on_default_controllers_and_the_shared_market():
    spec = load_scenario(FIVE_METALS).spec
    assert spec.market == MarketSettings()
    assert all(c.controller == "default" and c.doctrine == "passive" for c in spec.countries)
    assert not spec.firms
    assert (spec.scenario.start, spec.scenario.turns) == ("2025Q1", FM25_Q4 + 1)
    assert {m.id for m in spec.minerals} == {"tungsten", "bismuth", "molybdenum"}  # Te, In left out


def china_line(mineral: str, stage: str) -> tuple[float, float]:
    """China's output at a stage in world-2024 and what it exports (output less its demand), t/yr."""
    world = tomllib.loads((DATA / "world-2024.toml").read_text(encoding="utf-8"))
    key = ("CHN", mineral, stage)
    output = sum(
        r["tonnes_per_year"] * r["utilisation"]
        for r in world["capacity"]
        if (r["country"], r["mineral"], r["stage"]) == key
    )
    use = sum(
        r["tonnes_per_year"] for r in world["demand"] if (r["country"], r["mineral"], r["stage"]) == key
    )
    return output, output - use


def test_the_licences_bite_in_the_quarter_announced_with_the_customs_shares_of_exports():
    licences = china_licences(load_scenario(FIVE_METALS).spec)
    assert licences["tungsten"] == [(FM25_Q1, None, ("refined",), pytest.approx(0.87))]
    assert licences["bismuth"] == [
        (turn, None, ("mine",), pytest.approx(share)) for turn, share in ((0, 0.62), (1, 0.43), (3, 0.6))
    ]


def test_the_molybdenum_licence_holds_back_only_the_listed_powders():
    _, exported = china_line("molybdenum", "refined")
    share = 1 - MO_POWDER_2024_TONNES / exported
    assert china_licences(load_scenario(FIVE_METALS).spec)["molybdenum"] == [
        (FM25_Q1, None, ("refined",), pytest.approx(share, abs=1e-3))
    ]


def test_chinas_tungsten_mine_quota_cut_runs_through_2025():
    (cut,) = [e for e in load_scenario(FIVE_METALS).spec.events if e.kind == "disruption"]
    assert (cut.country, cut.mineral.value, cut.stage.value) == ("CHN", "tungsten", "mine")
    assert (cut.turn, cut.share, cut.duration_turns) == (FM25_Q1, 0.06, 4)


# --- the checks on a synthetic trajectory ------------------------------------------------------

COUNTRIES = ("CHN", "EUU", "USA")
MINERALS = ("tungsten", "molybdenum", "bismuth")
STAGES = ("mine", "refined")


def trajectory(outside: dict[str, list[float]], china: dict[str, list[float]]) -> Trajectory:
    """Four turns from 2025Q1; each mineral priced at its checked stage (bismuth: its one stage)."""
    prices = np.ones((4, 3, 3, 2))
    demand = np.zeros((4, 3, 3, 2))
    for m, mineral in enumerate(MINERALS):
        s = 0 if mineral == "bismuth" else 1
        prices[:, 0, m, s] = china[mineral]
        prices[:, 1:, m, s] = np.array(outside[mineral])[:, None]
        demand[:, :, m, s] = 1.0
    reference = np.array([[8.0, 10.0], [9.0, 10.0], [10.0, 1.0]])  # bismuth's price is at its mine stage
    return Trajectory(
        "synthetic", 0, 2025.125, COUNTRIES, MINERALS, STAGES, prices, np.zeros_like(prices),
        np.zeros_like(prices), demand, reference, (20.0, 20.0),
    )  # fmt: skip


def test_the_five_metals_checks_measure_the_quarters_and_prices_they_name():
    t = trajectory(
        outside={
            "tungsten": [11, 12, 16, 22],
            "molybdenum": [9.5, 9.6, 10, 10.5],
            "bismuth": [30, 47, 40, 35],
        },
        china={"tungsten": [10, 11, 15, 20], "molybdenum": [9, 9, 9, 9], "bismuth": [12, 14, 15, 15]},
    )
    assert check("w25_outside_2025q2_over_2024").measure(t) == pytest.approx(1.2)
    assert check("w25_outside_2025q4_over_2024").measure(t) == pytest.approx(2.2)
    assert check("w25_china_2025q4_over_2024").measure(t) == pytest.approx(2.0)
    assert check("w25_wedge_2025q4").measure(t) == pytest.approx(1.1)
    assert check("bi25_outside_2025q1_over_2024").measure(t) == pytest.approx(3.0)
    assert check("bi25_outside_2025q2_over_2024").measure(t) == pytest.approx(4.7)
    assert check("bi25_china_2025q1_over_2024").measure(t) == pytest.approx(1.2)
    assert check("bi25_wedge_2025q1").measure(t) == pytest.approx(2.5)
    assert check("mo25_outside_2025q2_over_2024").measure(t) == pytest.approx(0.96)
    assert check("mo25_outside_2025q4_over_2024").measure(t) == pytest.approx(1.05)


def test_a_model_that_moves_every_controlled_price_a_lot_fails_molybdenum():
    doubled = {m: [20.0] * 4 for m in MINERALS}
    t = trajectory(outside=doubled, china={m: [10.0] * 4 for m in MINERALS})
    molybdenum = [c for c in CHECKS if c.scenario == FIVE_METALS and c.name.startswith("mo25")]
    assert molybdenum and not any(c.holds(c.measure(t)) for c in molybdenum)


def test_every_five_metals_check_has_a_source_and_its_observed_figure_in_its_band():
    new = [c for c in CHECKS if c.scenario == FIVE_METALS]
    assert len(new) == 10
    assert {c.name[:4] for c in new} == {"w25_", "bi25", "mo25"}
    for c in new:
        low, high = c.band
        assert c.source and (low is None or high is None or low < high), c.name
        assert c.holds(c.observed), f"{c.name}: the observed figure lies outside its own band"
