"""`critmin validate` as documented (20 seeds): the checks that hold are required to hold, the
others (listed) are reported; every episode runs and gives finite figures; the JSON and plots come
out as documented (docs/mechanisms.md)."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest

from critmin.research.backtests import (
    ANTIMONY,
    CHECKS,
    COBALT,
    DRC_COBALT,
    FIVE_METALS,
    GALLIUM_GERMANIUM,
    LITHIUM,
    REE,
    TIN,
    TUNGSTEN,
    Check,
    CheckResult,
    backtest_scenarios,
    lithium_fall,
    peak_multiple,
    run_backtests,
    simulate,
    validation_seeds,
)

CI_SEEDS = 20  # the seeds `critmin validate` uses: CI guards the figures docs/mechanisms.md reports
PUBLIC = (REE, LITHIUM)
NEW = (COBALT, TIN, TUNGSTEN, GALLIUM_GERMANIUM, ANTIMONY, DRC_COBALT, FIVE_METALS)
CALIBRATING = (
    "the shared [market] mechanism (demand side, announcements) is being recalibrated in issue 12; "
    "this episode's band is fixed and recorded, not yet required to hold"
)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """`critmin validate --json --seeds 20 --plots DIR`, run once for the module: (code, JSON, DIR)."""
    from critmin.cli import main

    plots = tmp_path_factory.mktemp("plots")
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = main(["validate", "--json", "--seeds", str(CI_SEEDS), "--plots", str(plots)])
    return code, json.loads(stdout.getvalue()), plots


def records(report, scenarios) -> dict[str, dict]:
    """The JSON check records of some scenarios, by check name."""
    return {c["name"]: c for c in report[1]["checks"] if c["scenario"] in scenarios}


def test_validate_covers_nine_episodes_and_exits_1_while_a_check_fails(report):
    code, data, _ = report
    assert len(data["seeds"]) == CI_SEEDS
    assert {c["scenario"] for c in data["checks"]} == {*PUBLIC, *NEW} == set(backtest_scenarios())
    assert code == (0 if all(c["passed"] for c in data["checks"]) else 1)


def test_the_public_backtests_hold_on_the_median(report):
    failing = sorted(name for name, c in records(report, PUBLIC).items() if not c["passed"])
    assert not failing, f"public backtest checks out of their band: {failing}"


def test_at_least_five_episodes_hold_every_check_with_one_parameter_set(report):
    """Issue 12's first acceptance point: `critmin validate --json` passes on >= 5 episodes (the
    backtest scenarios carry no [market] table: test_the_new_scenarios_set_no_market_parameters)."""
    episodes: dict[str, bool] = {}
    for check in report[1]["checks"]:
        episodes[check["scenario"]] = episodes.get(check["scenario"], True) and check["passed"]
    whole = sorted(name for name, passed in episodes.items() if passed)
    assert len(whole) >= 5, f"episodes holding every check: {whole}"


def test_the_new_episodes_run_and_give_finite_figures(report):
    new = records(report, NEW)
    assert {c["scenario"] for c in new.values()} == set(NEW)
    assert sum(1 for c in new.values() if c["scenario"] == COBALT) >= 5
    for name, check in new.items():
        simulated = check["simulated"]
        assert simulated["n"] == CI_SEEDS
        assert all(np.isfinite(simulated[key]) for key in ("median", "min", "max")), name


STILL_CALIBRATING = {  # new-episode checks out of band over 20 seeds: median (band) (docs/mechanisms.md)
    "co_peak_multiple": "median 1.11 (band 2-6)",
    "co_peak_date": "median 2019.75 (band 2017.5-2018.75)",
    "co_2018_over_2016": "median 1.06 (band 1.8-4)",
    "co_fall_within_6_quarters": "median 0 (band 0.5-0.9)",
    "ga_outside_2023q3_over_q2": "median 1.05 (band 1.1-2.0): the quarter is not short, stocks sell",
    "co25_outside_2025q4_over_2024": "median 1.09 (band 1.4-2.8): the quota's news moves metal little",
    "co25_outside_2026q1_over_2024": "median 1.10 (band 1.4-3.0): the news fades, stocks last",
    "co25_hydroxide_2025q4_over_2024": "median 1.70 (band 2-5): refiners bid no more than break-even",
    "co25_china_imports_q4_over_q2": "median 1.99 (band <= 0.5): quotas ship as written, no 3-month voyage",
    "w25_china_2025q4_over_2024": "median 0.93 (band 1.5-3.5): China's APT stays near its reference",
    "w25_wedge_2025q4": "median 1.86 (band 0.8-1.3): a wedge where China rose with Europe",
    "bi25_outside_2025q1_over_2024": "median 1.06 (band 1.8-5.0): buyers' stocks absorb the first quarter",
    "bi25_outside_2025q2_over_2024": "median 2.02 (band 2.5-8.0): the rise comes late",
    "bi25_wedge_2025q1": "median 1.06 (band 1.8-5.0): buyers' stocks absorb the first quarter",
}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            c.name,
            marks=[pytest.mark.xfail(strict=False, reason=f"{CALIBRATING}: {STILL_CALIBRATING[c.name]}")]
            if c.name in STILL_CALIBRATING
            else [],
        )
        for c in CHECKS
        if c.scenario in NEW
    ],
)
def test_new_episode_check_holds(report, name):
    """One result per check of the new episodes: required once it holds over 20 seeds, else XFAIL."""
    check = records(report, NEW)[name]
    low, high = check["band"]
    assert check["passed"], f"{name}: median {check['simulated']['median']:.3g} outside {low}..{high}"


def test_every_check_record_has_its_band_source_and_ceiling(report):
    for check in report[1]["checks"]:
        assert set(check) >= {"scenario", "name", "observed", "observed_source", "simulated", "band"}
        assert check["simulated"]["min"] <= check["simulated"]["median"] <= check["simulated"]["max"]
        ceiling = check["ceiling"]
        assert ceiling["of_seeds"] == CI_SEEDS and 0 <= ceiling["seeds"] <= CI_SEEDS
        assert ceiling["reached"] == bool(ceiling["lines"])
        assert ceiling["max_turns"] == max((s["turns"] for s in ceiling["lines"].values()), default=0)


def test_checks_of_one_episode_report_the_same_ceiling(report):
    by_scenario: dict[str, list] = {}
    for check in report[1]["checks"]:
        by_scenario.setdefault(check["scenario"], []).append(json.dumps(check["ceiling"]))
    assert all(len(set(ceilings)) == 1 for ceilings in by_scenario.values())


def test_validate_writes_one_plot_per_backtest_scenario(report):
    plots = report[2]
    assert sorted(p.name for p in plots.iterdir()) == sorted(f"{s}.png" for s in backtest_scenarios())


def test_the_new_scenarios_set_no_market_parameters():
    """One parameter set serves every scenario: the new episodes take the schema defaults."""
    from critmin.scenarios import load_scenario
    from critmin.scenarios.schema import MarketSettings

    for name in NEW:
        assert load_scenario(name).spec.market == MarketSettings(), name


def test_validate_prints_the_table_and_the_ceilings(cli):
    code, out, _ = cli("validate", "--seeds", "1")
    assert "median must lie in the band" in out and "top of their demand curve" in out
    assert code in (0, 1)  # which one: test_validate_covers_nine_episodes_and_exits_1_while_a_check_fails


def test_a_failing_check_makes_validate_exit_1(monkeypatch, cli):
    import critmin.research.backtests as backtests

    impossible = Check(
        LITHIUM, "impossible", "a peak below zero", 0.0, "test", (None, -1.0), peak_multiple_of_li
    )
    monkeypatch.setattr(backtests, "CHECKS", (impossible,))
    code, out, _ = cli("validate", "--seeds", "1")
    assert code == 1
    assert "impossible" in out


def peak_multiple_of_li(trajectory) -> float:
    return peak_multiple(trajectory.world_price("lithium"), first=0)


def test_seeds_come_from_one_seed_sequence_and_change_the_trajectory():
    seeds = validation_seeds(3)
    assert seeds == validation_seeds(3) and len(set(seeds)) == 3
    first, second = simulate(LITHIUM, seeds[0]), simulate(LITHIUM, seeds[1])
    again = simulate(LITHIUM, seeds[0])
    assert np.array_equal(first.prices, again.prices)
    assert not np.array_equal(first.prices, second.prices)


def test_a_check_holds_on_the_median_of_its_seeds():
    check = Check(LITHIUM, "x", "x", 1.0, "test", (1.0, 2.0), lithium_fall)
    assert CheckResult(check, (0.0, 1.5, 3.0)).passed
    assert not CheckResult(check, (0.0, 0.5, 3.0)).passed


def test_run_backtests_measures_every_check_on_every_seed():
    told = []
    results, runs = run_backtests([11, 12], CHECKS[:2], ran=lambda *run: told.append(run))
    assert told == [(REE, 11, 2), (REE, 12, 2)], "the progress bar hears of every run"
    assert set(runs) == {REE}
    assert all(len(result.values) == 2 for result in results)
    assert all(len(result.ceilings) == 2 for result in results)


def test_the_validate_table_in_80_columns_wraps_check_names_and_never_cuts_them():
    """`critmin validate > log.txt` prints 80 columns: a long check name is folded, not cut with '…'."""
    from rich.console import Console

    from critmin.research.commands import validation_table

    console = Console(width=80, record=True, file=io.StringIO())
    console.print(validation_table([CheckResult(check, (1.0,)) for check in CHECKS], 1))
    first_cells = [
        line.split("│")[1].strip() for line in console.export_text().splitlines() if line.startswith("│")
    ]
    column = "".join(first_cells)
    assert "…" not in column
    assert all(check.name in column for check in CHECKS)
