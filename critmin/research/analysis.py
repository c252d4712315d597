"""`critmin analyze DIR`: outcomes per run, a summary per factor level, Sobol indices, plots.

Each outcome reduces one metric series of a run to a number (mean, last, max, min or sum
over turns from `from_turn`). The summary gives, per factor and level, the number of runs,
the mean and its 95% confidence interval (Student t); factors sampled over a range are cut
into quantile bins. Sobol indices (first order and total, with confidence intervals, SALib)
are computed when the design is `sobol` and every run is in. Files go to DIR/analysis/.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import msgspec
import numpy as np
import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq

from critmin.research.design import salib_problem
from critmin.research.experiment import (
    DEFAULT_OUTCOME,
    ExperimentFile,
    FactorSpec,
    OutcomeSpec,
    outcome_dimension_problems,
)
from critmin.research.metrics import outcome_filter, reduce_series
from critmin.research.store import ResultStore, StoreError

CONFIDENCE = 0.95


class AnalysisError(ValueError):
    """An output directory that cannot be analysed (no manifest, no results, bad outcome)."""


@dataclass
class Analysis:
    """What `analyze` found: outcome values per run, the level summary, Sobol indices, notes."""

    values: pd.DataFrame
    summary: pd.DataFrame
    sobol: pd.DataFrame | None
    outcomes: list[OutcomeSpec]
    notes: list[str] = field(default_factory=list)


def load_spec(directory: Path) -> ExperimentFile:
    """The experiment recorded in a batch directory's manifest."""
    path = directory / "manifest.json"
    if not path.is_file():
        raise AnalysisError(f"{directory}: no manifest.json (not a batch output directory)")
    return msgspec.convert(json.loads(path.read_text())["experiment"]["content"], ExperimentFile)


def analyze(
    directory: str | Path, outcomes: list[OutcomeSpec] | None = None, bins: int = 5, plots: bool = True
) -> Analysis:
    """Analyse a batch directory; writes DIR/analysis/{summary,outcomes,sobol}.csv and plots."""
    directory = Path(directory)
    spec = load_spec(directory)
    chosen = list(outcomes or spec.outcomes or (DEFAULT_OUTCOME,))
    values = outcome_values(directory, spec, chosen)
    names = [o.name for o in chosen]
    summary = level_summary(values, spec.factors, names, bins)
    analysis = Analysis(values=values, summary=summary, sobol=None, outcomes=chosen)
    if spec.design.kind == "sobol":
        analysis.sobol = sobol_indices(values, spec, names, analysis.notes)
    write_tables(directory / "analysis", analysis)
    if plots:
        from critmin.research.plots import plot_analysis

        plot_analysis(directory, spec, analysis)
    return analysis


def outcome_values(directory: Path, spec: ExperimentFile, outcomes: list[OutcomeSpec]) -> pd.DataFrame:
    """One row per finished run: keys, factor levels and one column per outcome."""
    store = ResultStore(directory)
    with store.locked() as held:
        if held:
            store.recover()
    try:
        dataset = store.dataset()
    except StoreError as error:
        raise AnalysisError(str(error)) from None
    design = pq.read_table(directory / "design.parquet").to_pandas().set_index("run_id")
    finished = store.finished_runs()
    frame = design.loc[sorted(finished & set(design.index))].copy()
    for outcome in outcomes:
        table = dataset.to_table(
            columns=["run_id", "turn", "value", "metric", "country", "mineral", "stage"],
            filter=outcome_filter(outcome) & (pc.field("turn") >= outcome.from_turn),
        )
        series = reduce_series(table, outcome)
        frame[outcome.name] = pd.Series(series, dtype=float).reindex(frame.index)
    return frame.reset_index()


def level_labels(values: pd.Series, factor: FactorSpec, bins: int) -> pd.Series:
    """The level of each run: its value for factors with levels, a quantile bin for ranges."""
    if factor.range is None or values.nunique() <= bins:
        return values
    return pd.qcut(values, q=bins, duplicates="drop").astype(str)


def level_summary(
    values: pd.DataFrame, factors: tuple[FactorSpec, ...], outcomes: list[str], bins: int
) -> pd.DataFrame:
    """n, mean and 95% interval per outcome x factor x level."""
    rows = []
    for factor in factors:
        labels = level_labels(values[factor.name], factor, bins)
        for outcome in outcomes:
            for level, group in values[outcome].groupby(labels, sort=True, observed=True):
                rows.append(
                    {"outcome": outcome, "factor": factor.name, "level": str(level)} | interval(group)
                )
    if not factors:
        rows = [{"outcome": o, "factor": "(all runs)", "level": ""} | interval(values[o]) for o in outcomes]
    return pd.DataFrame(rows, columns=["outcome", "factor", "level", "n", "mean", "ci_low", "ci_high"])


def interval(sample: pd.Series) -> dict[str, float]:
    """Mean and two-sided 95% Student-t interval of a sample (NaNs dropped)."""
    from scipy import stats

    sample = sample.dropna()
    n = len(sample)
    mean = float(sample.mean()) if n else float("nan")
    if n < 2:
        return {"n": n, "mean": mean, "ci_low": float("nan"), "ci_high": float("nan")}
    half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1) * sample.std(ddof=1) / np.sqrt(n))
    return {"n": n, "mean": mean, "ci_low": mean - half, "ci_high": mean + half}


def sobol_indices(
    values: pd.DataFrame, spec: ExperimentFile, outcomes: list[str], notes: list[str]
) -> pd.DataFrame | None:
    """First-order and total Sobol indices per outcome and factor (replications averaged)."""
    from SALib.analyze import sobol

    problem = salib_problem(spec.factors)
    points = values.groupby("point")[outcomes].mean()
    expected = points.index.max() + 1 if len(points) else 0
    if len(points) != expected or expected == 0 or values["replication"].nunique() == 0:
        notes.append("sobol indices need every design point: run the batch to completion first")
        return None
    rows = []
    for outcome in outcomes:
        y = points[outcome].to_numpy()
        if np.isnan(y).any():
            notes.append(f"sobol indices skipped for {outcome}: some runs have no value")
            continue
        result = sobol.analyze(
            problem, y, calc_second_order=spec.design.second_order, seed=spec.experiment.seed
        )
        for i, name in enumerate(problem["names"]):
            rows.append(
                {
                    "outcome": outcome,
                    "factor": name,
                    "S1": result["S1"][i],
                    "S1_conf": result["S1_conf"][i],
                    "ST": result["ST"][i],
                    "ST_conf": result["ST_conf"][i],
                }
            )
    return pd.DataFrame(rows)


def write_tables(folder: Path, analysis: Analysis) -> None:
    """summary.csv, outcomes.csv and (for Sobol designs) sobol.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    analysis.summary.to_csv(folder / "summary.csv", index=False)
    analysis.values.to_csv(folder / "outcomes.csv", index=False)
    if analysis.sobol is not None:
        analysis.sobol.to_csv(folder / "sobol.csv", index=False)


def parse_outcome(text: str) -> OutcomeSpec:
    """An outcome from `metric[:key=value,...]`, e.g. `price_wedge:mineral=ree_heavy,stage=magnet`."""
    metric, _, rest = text.partition(":")
    data: dict[str, object] = {"metric": metric.strip()}
    for pair in filter(None, (p.strip() for p in rest.split(","))):
        key, equals, value = pair.partition("=")
        if not equals:
            raise AnalysisError(f"--outcome {text!r}: expected key=value, got {pair!r}")
        data[key.strip()] = (
            int(value) if key.strip() == "from_turn" and value.strip().isdigit() else value.strip()
        )
    parts = (str(v) for k, v in data.items() if k in ("metric", "country", "mineral", "stage", "reduce"))
    data.setdefault("name", "_".join(parts).lower())
    try:
        outcome = msgspec.convert(data, OutcomeSpec)
    except msgspec.ValidationError as error:
        raise AnalysisError(f"--outcome {text!r}: {error}") from None
    for problem in outcome_dimension_problems(outcome, "outcome"):
        raise AnalysisError(f"--outcome {text!r}: {problem.removeprefix('outcome.')}")
    return outcome
