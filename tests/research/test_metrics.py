"""Metrics: the built-ins, and user metrics by import path and by selector."""

from __future__ import annotations

import json
import textwrap

import pyarrow.compute as pc
import pytest
from research_helpers import DATA

from critmin.engine.model import WorldModel
from critmin.research.analysis import analyze
from critmin.research.design import plan_runs
from critmin.research.executors import InlineExecutor
from critmin.research.experiment import ExperimentError, load_experiment
from critmin.research.runner import BatchOptions, run_batch
from critmin.research.simulate import RunContext, simulate
from critmin.research.store import read_results

TINY = DATA.parent.parent / "data" / "tiny.toml"
EXPERIMENT = f"""
[experiment]
name = "user-metrics"
scenario = {json.dumps(str(TINY))}
turns = 3
replications = 2

[[factors]]
name = "india_heavy_demand_scale"
kind = "scale"
target = "demand[country=IND,mineral=ree_heavy].tonnes_per_year"
levels = [1.0, 2.0]

[outputs]
metrics = ["stock", "stockpile", "treasury", "capacity", "flows", "deals", "shortage_share"]

[[metrics]]
name = "india_stock_by_function"
function = "india_metrics:india_stock"
dimensions = ["mineral"]
unit = "t"
description = "tonnes India holds, summed over stages"

[[metrics]]
name = "india_stock_by_selector"
table = "figures"
column = "stock"
where = {{ country = "IND" }}
by = ["mineral"]
unit = "t"

[[metrics]]
name = "exports_to_india"
table = "flows"
column = "tonnes"
where = {{ partner = "IND" }}
unit = "t/turn"

[[outcomes]]
name = "india_heavy_stock"
metric = "india_stock_by_function"
mineral = "ree_heavy"
reduce = "last"
"""
MODULE = '''
def india_stock(snapshot, focus):
    """Tonnes India holds per mineral (all stages)."""
    held = {}
    for f in snapshot.figures:
        if f.country == "IND":
            held[f.mineral] = held.get(f.mineral, 0.0) + f.stock
    return held
'''


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "india_metrics.py").write_text(textwrap.dedent(MODULE))
    (tmp_path / "metrics.toml").write_text(EXPERIMENT)
    return tmp_path


def test_built_in_metrics_match_the_snapshot_with_one_unit_per_column(folder):
    experiment = load_experiment(folder / "metrics.toml")
    context = RunContext.of(experiment)
    run = plan_runs(experiment.spec)[0]
    table = simulate(context, run).to_pandas()
    model = WorldModel(context.scenario(run.levels), seed=run.seed, record_hashes=False)
    model.step()
    snapshot = model.snapshot()
    first = table[table["turn"] == 0]
    treasury = first[first["metric"] == "treasury"].set_index("country")["usd_million"].to_dict()
    assert treasury == pytest.approx(snapshot.treasury_usd_m)
    flows = first[first["metric"] == "flows"]
    assert len(flows) == len(snapshot.flows) and flows["tonnes_per_turn"].sum() == pytest.approx(
        sum(f.tonnes for f in snapshot.flows)
    )
    assert flows["partner"].notna().all()
    capacity = first[first["metric"] == "capacity"]
    assert capacity["tonnes_per_turn"].sum() == pytest.approx(sum(f.capacity for f in snapshot.figures))
    deals = first[first["metric"] == "deals"].set_index("country")["count"]
    assert deals["IND"] >= 1 and deals["AUS"] >= 1, "the tiny world's equity deal binds India and Australia"
    units = {"stock": "tonnes", "treasury": "usd_million", "shortage_share": "share", "deals": "count"}
    for metric, column in units.items():
        rows = table[table["metric"] == metric]
        others = [c for c in ("tonnes", "tonnes_per_turn", "usd_million", "share", "count") if c != column]
        assert rows[column].notna().all() and rows[others].isna().all().all(), metric


def test_a_user_metric_by_import_path_and_by_selector(folder):
    experiment = load_experiment(folder / "metrics.toml")
    out = folder / "out"
    report = run_batch(experiment, InlineExecutor(), BatchOptions(out=out, quiet=True))
    assert report.completed == 4
    rows = read_results(
        out, filter=pc.field("metric").isin(["india_stock_by_function", "india_stock_by_selector"])
    )
    frame = rows.to_pandas()
    frame["metric"] = frame["metric"].astype(str)
    wide = frame.pivot_table(
        index=["run_id", "turn", "mineral"], columns="metric", values="tonnes", observed=True
    )
    assert len(wide) > 0 and wide.notna().all().all()
    assert wide["india_stock_by_function"].tolist() == pytest.approx(wide["india_stock_by_selector"].tolist())
    assert (wide["india_stock_by_function"] > 0).any()
    exports = read_results(out, filter=pc.field("metric") == "exports_to_india").to_pandas()
    assert len(exports) == 4 * 3 and (exports["tonnes_per_turn"] > 0).all(), "one total per run and turn"
    analysis = analyze(out, plots=False)
    assert analysis.values["india_heavy_stock"].notna().all(), "an outcome over a user metric"


def test_a_wrong_import_path_fails_at_plan(cli, folder):
    (folder / "metrics.toml").write_text(
        EXPERIMENT.replace("india_metrics:india_stock", "india_metrics:nothing")
    )
    code, _, err = cli("batch", folder / "metrics.toml", "--plan")
    assert code == 2 and "metrics[0].function: module 'india_metrics' has no 'nothing'" in err
    (folder / "metrics.toml").write_text(EXPERIMENT.replace("india_metrics:india_stock", "no_such_module:f"))
    code, _, err = cli("batch", folder / "metrics.toml", "--plan")
    assert code == 2 and "cannot import module 'no_such_module'" in err
    (folder / "metrics.toml").write_text(EXPERIMENT.replace('column = "stock"', 'column = "stocks"'))
    with pytest.raises(ExperimentError, match=r"metrics\[1\].column: figures has no column 'stocks'"):
        load_experiment(folder / "metrics.toml")
    (folder / "metrics.toml").write_text(
        EXPERIMENT.replace('where = { partner = "IND" }', 'where = { port = "IND" }')
    )
    with pytest.raises(ExperimentError, match=r"metrics\[2\].port: not a dimension of flows"):
        load_experiment(folder / "metrics.toml")


def test_plan_lists_metrics_with_their_units(cli, folder):
    code, out, _ = cli("batch", folder / "metrics.toml", "--plan")
    assert code == 0 and "india_stock_by_function (t)" in out and "treasury (USD m)" in out


def test_the_embedded_dependence_metric_counts_the_feed_of_home_processors():
    from critmin.engine.model import WorldModel
    from critmin.research.metrics import turn_metrics

    model = WorldModel("world-2024", seed=1)
    model.run(2)
    rows = turn_metrics(model.snapshot(), "CHN", ["embedded_dependence"])
    values = {
        (c, m, s): v
        for metric, c, m, s, v in zip(
            rows["metric"], rows["country"], rows["mineral"], rows["stage"], rows["value"], strict=True
        )
        if metric == "embedded_dependence"
    }
    assert values and all(0.0 <= v <= 1.0 for v in values.values())
    assert values[("IND", "ree_heavy", "magnet")] > 0.5  # India's heavy magnets pass through China
    assert ("CHN", "ree_heavy", "magnet") in values
