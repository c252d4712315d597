"""`critmin analyze`: per-level summaries with intervals, Sobol indices, plots."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from research_helpers import SOBOL

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
    by_run = shortage.groupby("run_id")["share"].mean()
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


def test_a_small_sobol_design_is_refused_unless_forced(cli, tmp_path):
    code, _, err = cli("batch", SOBOL, "--out", tmp_path / "out")
    assert code == 2 and "below the 64 a sobol design needs" in err and "--force" in err
    assert not (tmp_path / "out" / "manifest.json").exists(), "nothing runs"


@pytest.fixture(scope="module")
def forced_sobol(tmp_path_factory):
    out = tmp_path_factory.mktemp("sobol")
    experiment = load_experiment(SOBOL)
    run_batch(experiment, InlineExecutor(), BatchOptions(out=out, quiet=True, force=True))
    return out


def test_sobol_indices_with_a_dummy_factor_warnings_and_second_order(cli, forced_sobol):
    code, out, err = cli("analyze", forced_sobol, "--force", "--no-plots")
    assert code == 0 and "sobol indices" in out
    assert "warning:" in err and "not reliable" in err, "a too-small N is flagged in the output"
    summary = json.loads((forced_sobol / "analysis" / "summary.json").read_text())
    assert any("below the 64" in w for w in summary["warnings"]), "and in analysis/summary.json"
    indices = pd.read_csv(forced_sobol / "analysis" / "sobol.csv")
    dummy = indices[indices["factor"] == "noise"].iloc[0]
    assert abs(dummy["ST"]) <= dummy["ST_conf"] + 1e-12, "the dummy's ST is zero within its interval"
    assert bool(dummy["dummy"]) and pd.isna(dummy["above_dummy"])
    ban = indices[indices["factor"] == "china_magnet_ban_turn"].iloc[0]
    assert ban["ST"] > 0.5 and ban["above_dummy"], "the ban's timing stands clear of the dummy"
    pairs = pd.read_csv(forced_sobol / "analysis" / "sobol_s2.csv")
    assert len(pairs) == 3 and set(pairs.columns) >= {"factor", "with", "S2", "S2_conf"}
    assert "sobol_s2.csv" in summary["files"]


def test_sampled_designs_describe_bins_without_pooled_intervals(forced_sobol):
    analysis = analyze(forced_sobol, plots=True)
    binned = analysis.summary[analysis.summary["factor"] == "disruption_probability"]
    assert len(binned) == 5, "a sampled factor is cut into five quantile bins"
    assert binned["ci_low"].isna().all(), "a bin mixes the other factors: no interval"
    terms = set(analysis.anova["term"])
    assert {"disruption_probability", "noise", "disruption_probability:noise", "Residual"} <= terms
    noise = analysis.coefficients[analysis.coefficients["term"] == "noise"].iloc[0]
    assert noise["ci_low"] < 0 < noise["ci_high"], "the inert factor's coefficient spans zero"
    assert (forced_sobol / "analysis" / "india_heavy_shortage_sobol.png").exists()


def test_paired_effects_use_common_random_numbers(reference):
    analysis = analyze(reference, plots=False)
    effects = analysis.effects
    ban = effects[
        (effects["factor"] == "china_magnet_ban_turn") & (effects["outcome"] == "india_heavy_shortage")
    ]
    row = ban.iloc[0]
    assert (row["level"], row["baseline"], row["pairs"], row["replications"]) == ("4", "1", 10, 5)
    values = analysis.values
    late = values[values["china_magnet_ban_turn"] == 4].set_index(["disruption_probability", "replication"])
    early = values[values["china_magnet_ban_turn"] == 1].set_index(["disruption_probability", "replication"])
    differences = (late["india_heavy_shortage"] - early["india_heavy_shortage"]).groupby("replication").mean()
    assert row["effect"] == pytest.approx(differences.mean())
    assert row["ci_high"] < 0, "a later ban leaves India less short, clear of seed noise"
    anova_terms = set(analysis.anova["term"])
    assert "C(disruption_probability):C(china_magnet_ban_turn)" in anova_terms
    assert "C(replication)" in anova_terms, "common random numbers: the replication is a block"


@pytest.mark.parametrize(("kind", "samples", "measure"), [("morris", 10, "mu_star"), ("fast", 65, "ST")])
def test_morris_and_efast_designs_give_their_indices_beside_the_dummy(tmp_path, kind, samples, measure):
    text = SOBOL.read_text().replace(
        '"../../data/tiny.toml"', json.dumps(str(SOBOL.parents[2] / "data" / "tiny.toml"))
    )
    text = text.replace(
        'kind = "sobol"\nsamples = 8\nsecond_order = true', f'kind = "{kind}"\nsamples = {samples}'
    )
    text = text.replace("turns = 6", "turns = 2").replace("range = [1, 5]", "range = [0, 1]")
    start = text.index('[[factors]]\nname = "disruption_probability"')
    text = text[:start] + text[text.index('[[factors]]\nname = "china_magnet_ban_turn"') :]
    path = tmp_path / f"{kind}.toml"
    path.write_text(text)
    experiment = load_experiment(path)
    report = run_batch(experiment, InlineExecutor(), BatchOptions(out=tmp_path / "out", quiet=True))
    assert report.completed == samples * (3 if kind == "morris" else 2)
    analysis = analyze(tmp_path / "out", plots=False)
    table = analysis.indices[kind].set_index("factor")
    if kind == "morris":
        assert table.loc["noise", measure] == 0.0, "an inert factor has no elementary effect"
    # eFAST's total index of a dummy is not zero (frequency leakage): that is the yardstick it gives
    assert table.loc["china_magnet_ban_turn", measure] > table.loc["noise", measure]
    assert table.loc["china_magnet_ban_turn", "above_dummy"]
    assert (tmp_path / "out" / "analysis" / f"{kind}.csv").exists()


def test_prim_finds_the_box_of_an_integer_factor(cli, forced_sobol):
    code, out, err = cli(
        "analyze", forced_sobol, "--force", "--no-plots", "--prim", "india_heavy_shortage>0.5"
    )
    assert code == 0, err
    assert "PRIM box for india_heavy_shortage > 0.5" in out
    box = pd.read_csv(forced_sobol / "analysis" / "prim_india_heavy_shortage.csv").set_index("factor")
    assert "noise" not in box.index, "the dummy factor is left out"
    ban = box.loc["china_magnet_ban_turn"]
    assert ban["restricted"] and (ban["low"], ban["high"]) == (1, 2), "a ban by turn 2: whole turns"
    trajectory = pd.read_csv(forced_sobol / "analysis" / "prim_india_heavy_shortage_trajectory.csv")
    assert {"coverage", "density", "mass"} <= set(trajectory.columns)


def test_bad_prim_requests_exit_2(cli, forced_sobol):
    assert cli("analyze", forced_sobol, "--force", "--no-plots")[0] == 0
    before = (forced_sobol / "analysis" / "summary.json").stat().st_mtime_ns
    code, _, err = cli("analyze", forced_sobol, "--force", "--no-plots", "--prim", "nothing_here")
    assert code == 2 and "no outcome 'nothing_here'" in err
    assert (forced_sobol / "analysis" / "summary.json").stat().st_mtime_ns == before, "nothing rewritten"
    code, _, err = cli("analyze", forced_sobol, "--force", "--no-plots", "--prim", "india_heavy_shortage>>1")
    assert code == 2 and "expected OUTCOME, OUTCOME>VALUE or OUTCOME<VALUE" in err
    code, _, err = cli("analyze", forced_sobol, "--force", "--no-plots", "--prim", "india_heavy_shortage>5")
    assert code == 2 and "no run has india_heavy_shortage > 5" in err
