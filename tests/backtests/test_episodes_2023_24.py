"""The backtests of China's 2023-24 controls (germanium-gallium-2023, antimony-2024): the scenarios
load as the checks assume, tools/build_episodes.py rebuilds them, and each check measures what it
says on a small synthetic trajectory."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from critmin.research.backtests import (
    ANTIMONY,
    CHECKS,
    GA_GE_BASE,
    GA_GE_CONTROL,
    GALLIUM_GERMANIUM,
    SB_ANNOUNCED,
    SB_BITES,
    Trajectory,
)
from critmin.scenarios import load_scenario
from critmin.scenarios.schema import MarketSettings

REPO = Path(__file__).resolve().parents[2]
EPISODES = (GALLIUM_GERMANIUM, ANTIMONY)


def check(name: str):
    """The check of that name."""
    return next(c for c in CHECKS if c.name == name)


# --- the scenarios ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", EPISODES)
def test_the_episode_loads_on_default_controllers_and_the_shared_market(name):
    spec = load_scenario(name).spec
    assert spec.market == MarketSettings()
    assert all(c.controller == "default" and c.doctrine == "passive" for c in spec.countries)
    assert not spec.firms


def controls(spec, mineral: str) -> list:
    """China's scripted export controls on a mineral, as (turn, announced, regime, share, destinations)."""
    return [
        (e.turn, e.announced, e.action["regime"], e.action.get("approval_share"), e.action["destinations"])
        for e in spec.events
        if e.kind == "action" and e.action["mineral"] == mineral
    ]


def test_gallium_and_germanium_licences_start_in_the_quarter_the_checks_assume():
    spec = load_scenario(GALLIUM_GERMANIUM).spec
    assert (spec.scenario.start, spec.scenario.turns) == ("2023Q1", 8)
    for mineral in ("gallium", "germanium"):
        first = controls(spec, mineral)[0]
        assert first[0] == GA_GE_CONTROL == GA_GE_BASE + 1 and first[2] == "licence"
        assert (7, None, "ban", None, ["USA"]) in controls(spec, mineral)  # 3 Dec 2024
    assert not any(s.country == "CHN" and s.mineral.value == "germanium" for s in spec.stocks)


def test_the_antimony_licence_is_announced_a_quarter_before_it_bites():
    spec = load_scenario(ANTIMONY).spec
    assert (spec.scenario.start, spec.scenario.turns) == ("2024Q1", 6)
    sb = controls(spec, "antimony")
    assert sb[0] == (SB_BITES, SB_ANNOUNCED, "licence", 0.25, [])
    assert (SB_BITES, None, "ban", None, ["USA"]) in sb


def test_the_builder_rebuilds_the_committed_episodes(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(REPO / "tools"))
    spec = importlib.util.spec_from_file_location("build_episodes", REPO / "tools" / "build_episodes.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "build_episodes", module)
    spec.loader.exec_module(module)
    assert module.main(["--out", str(tmp_path)]) == 0
    assert {e.id for e in module.EPISODES} >= {*EPISODES, "drc-cobalt-2025"}
    for name in (e.id for e in module.EPISODES):  # every episode it builds, from its own world
        built = (tmp_path / f"{name}.toml").read_text(encoding="utf-8")
        assert built == (REPO / "critmin" / "scenarios" / "data" / f"{name}.toml").read_text(encoding="utf-8")


# --- the checks on a synthetic trajectory ------------------------------------------------------

COUNTRIES = ("CHN", "USA", "JPN")
MINERALS = ("gallium", "germanium", "antimony")
STAGES = ("mine", "refined", "magnet")


def trajectory(start: float, outside: list[float], china: list[float], exports=None) -> Trajectory:
    """Every mineral's refined price: `outside` in USA and JPN, `china` in China; CHN exports."""
    turns = len(outside)
    prices = np.ones((turns, 3, 3, 3))
    prices[:, 0, :, 1] = np.array(china)[:, None]
    prices[:, 1:, :, 1] = np.array(outside)[:, None, None]
    demand = np.zeros((turns, 3, 3, 3))
    demand[:, :, :, 1] = 1.0  # every country uses every mineral, refined
    trade = np.zeros((turns, 3, 3, 3))
    trade[:, 0, :, 1] = np.array(exports if exports is not None else [0.0] * turns)[:, None]
    return Trajectory(
        "synthetic", 0, start, COUNTRIES, MINERALS, STAGES, prices, trade, np.zeros_like(trade), demand,
        np.full((3, 3), 10.0), (20.0, 20.0),
    )  # fmt: skip


def test_the_gallium_and_germanium_checks_measure_the_quarters_they_name():
    # 2023Q1 .. 2024Q4: outside doubles in Q3 and triples by 2024Q1; China falls to 0.8 by Q4
    t = trajectory(2023.125, [9, 10, 20, 25, 30, 30, 30, 30], [10, 10, 9, 8, 8, 8, 8, 8])
    assert check("ga_outside_2023q3_over_q2").measure(t) == pytest.approx(2.0)
    assert check("ga_outside_2023q4_over_q2").measure(t) == pytest.approx(2.5)
    assert check("ga_china_2023q4_over_q2").measure(t) == pytest.approx(0.8)
    assert check("ga_wedge_2023q4").measure(t) == pytest.approx(25 / 8)
    assert check("ga_outside_2024q1_over_2023q2").measure(t) == pytest.approx(3.0)
    assert check("ge_2024_over_2023").measure(t) == pytest.approx(30 / 16)
    assert check("ge_china_2023q4_over_q2").measure(t) == pytest.approx(0.8)


def test_the_antimony_checks_measure_the_rush_the_wedge_and_the_year():
    # 2024Q1 .. 2025Q2; reference (the 2023 mean) is 10
    exports = [100.0, 100.0, 150.0, 20.0, 10.0, 10.0]
    t = trajectory(2024.125, [10, 12, 14, 21, 30, 42], [10, 12, 14, 12.6, 12, 12], exports)
    assert check("sb_export_rush_2024q3").measure(t) == pytest.approx(1.5)
    assert check("sb_outside_2024q4_over_q3").measure(t) == pytest.approx(1.5)
    assert check("sb_china_2024q4_over_q3").measure(t) == pytest.approx(0.9)
    assert check("sb_wedge_2024q4").measure(t) == pytest.approx(21 / 12.6)
    # the 2024 median over consumers (outside twice, China once) over the reference
    assert check("sb_2024_over_2023").measure(t) == pytest.approx(np.mean([10, 12, 14, 21]) / 10)
    assert check("sb_outside_2025q2_over_2024q4").measure(t) == pytest.approx(2.0)


def test_every_new_check_has_a_source_and_a_band_around_a_direction():
    new = [c for c in CHECKS if c.scenario in EPISODES]
    assert len(new) == 13
    for c in new:
        low, high = c.band
        assert c.source and (low is None or high is None or low < high), c.name
        assert c.holds(c.observed), f"{c.name}: the observed figure lies outside its own band"


def test_antimony_users_outside_china_switch_part_of_their_use_once_the_licences_bite():
    """The named substitute (critmin/scenarios/substitutes.py): outside China, where the licences
    lift the price above 1.5x the 2023 mean, users switch part of their antimony by 2025Q2, and
    no more than the option's share; China's users, whose price falls, switch nothing."""
    from critmin.engine.model import WorldModel

    model = WorldModel(ANTIMONY, seed=1, record_hashes=False)
    model.run(6)
    state, index = model.world.state, model.world.index
    antimony, refined = index.mineral["antimony"], index.stage["refined"]
    switched = state.substitution[:, antimony, refined]
    outside = [index.country[c] for c in ("USA", "EUU", "JPN", "KOR", "IND")]
    assert np.all(switched[outside] > 0.05)
    assert np.all(switched <= 0.2 + 1e-9)
    assert switched[index.country["CHN"]] == 0.0
