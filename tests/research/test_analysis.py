"""`critmin analyze`: per-level summaries with intervals, Sobol indices, plots."""

from __future__ import annotations

import pandas as pd
import pytest
from research_helpers import SAMPLED

from critmin.research.analysis import analyze, parse_outcome
from critmin.research.executors import InlineExecutor
from critmin.research.experiment import load_experiment
from critmin.research.runner import BatchOptions, run_batch


def test_summary_gives_mean_and_interval_per_factor_level(reference, reference_frame):
    analysis = analyze(reference, plots=False)
    summary = analysis.summary
    assert set(summary["outcome"]) == {"india_heavy_shortage", "magnet_wedge"}
    ban = summary[
        (summary["factor"] == "china_magnet_ban_turn") & (summary["outcome"] == "india_heavy_shortage")
    ]
    assert ban["level"].tolist() == ["1", "4"] and (ban["n"] == 10).all()
    assert (ban["ci_low"] <= ban["mean"]).all() and (ban["mean"] <= ban["ci_high"]).all()
    early, late = ban["mean"].tolist()
    assert early > late, "a ban from turn 1 leaves India shorter of heavy rare earths than one from turn 4"
    shortage = reference_frame[
        (reference_frame["metric"] == "shortage_share")
        & (reference_frame["country"] == "IND")
        & (reference_frame["mineral"] == "ree_heavy")
    ]
    by_run = shortage.groupby("run_id")["value"].mean()
    expected = by_run[shortage.groupby("run_id")["china_magnet_ban_turn"].first() == 1].mean()
    assert early == pytest.approx(expected)


def test_outcomes_from_the_command_line_and_plots(cli, reference):
    code, out, _ = cli(
        "analyze", reference, "--force", "--outcome", "price_wedge:mineral=ree_heavy,stage=magnet,reduce=max"
    )
    assert code == 0 and "price_wedge_ree_heavy_magnet_max" in out
    files = {p.name for p in (reference / "analysis").iterdir()}
    assert {
        "summary.csv",
        "outcomes.csv",
        "price_wedge_ree_heavy_magnet_max.png",
        "price_wedge_ree_heavy_magnet_max_turns.png",
    } <= files
    outcomes = pd.read_csv(reference / "analysis" / "outcomes.csv")
    assert len(outcomes) == 20 and outcomes["price_wedge_ree_heavy_magnet_max"].notna().all()


def test_bad_analyze_requests_exit_2(cli, tmp_path, reference):
    code, _, err = cli("analyze", tmp_path)
    assert code == 2 and "no manifest.json" in err
    code, _, err = cli("analyze", reference, "--outcome", "price_wedge:mineral")
    assert code == 2 and "expected key=value" in err
    code, _, err = cli("analyze", reference, "--outcome", "price_wedge:mineral=lithium")
    assert code == 2 and "stage: metric price_wedge needs a stage" in err
    outcome = parse_outcome("shortage_share:country=IND,mineral=lithium,from_turn=2")
    assert (outcome.name, outcome.from_turn) == ("shortage_share_ind_lithium", 2)


def test_a_sobol_design_gives_sobol_indices(tmp_path):
    experiment = load_experiment(SAMPLED)
    run_batch(experiment, InlineExecutor(), BatchOptions(out=tmp_path, quiet=True))
    analysis = analyze(tmp_path)
    indices = analysis.sobol
    assert set(indices["factor"]) == {
        "disruption_probability",
        "china_magnet_ban_turn",
        "india_lithium_demand_scale",
    }
    ban = indices[
        (indices["outcome"] == "india_heavy_shortage") & (indices["factor"] == "china_magnet_ban_turn")
    ]
    assert ban["ST"].item() > 0.5, "the ban's timing drives India's heavy rare-earth shortage"
    assert (tmp_path / "analysis" / "india_heavy_shortage_sobol.png").exists()
    assert (tmp_path / "analysis" / "sobol.csv").exists()
    binned = analysis.summary[analysis.summary["factor"] == "disruption_probability"]
    assert len(binned) == 2 * 5, "a sampled factor is cut into five quantile bins per outcome"
