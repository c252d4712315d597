"""`critmin analyze DIR`: outcomes per run, level means, design-aware effects, sensitivity, plots.

Each outcome reduces one metric series of a run to a number (mean, last, max, min or sum over
turns from `from_turn`). Written to DIR/analysis/:

- `outcomes.csv`: one row per run (keys, factor levels, outcomes);
- `summary.csv`: per factor and level, the runs, mean and standard deviation; for a full
  factorial with replications, the 95% interval of the level mean over replications (each
  replication's mean over the other factors' cells: the design is balanced, so the other
  factors do not leak into it). Sampled factors are cut into quantile bins, described only:
  a bin's mean mixes the other factors, so it carries no interval;
- `effects.csv` (full factorial): paired differences against the first level (`effects`);
- `anova.csv`, `coefficients.csv`: OLS with interactions and its type II ANOVA (`effects`);
- `sobol.csv` (+ `sobol_s2.csv`), `morris.csv` or `fast.csv`: indices (`sensitivity`);
- `summary.json`: the design, the files and every warning and note (also printed).
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

from critmin.research.effects import CONFIDENCE, anova, paired_effects
from critmin.research.experiment import kept_metrics, outcome_dimension_problems
from critmin.research.experiment_file import DEFAULT_OUTCOME, ExperimentFile, FactorSpec, OutcomeSpec
from critmin.research.metrics import outcome_filter, reduce_series
from critmin.research.store import ResultStore, StoreError

SENSITIVITY_DESIGNS = ("sobol", "morris", "fast")


class AnalysisError(ValueError):
    """An output directory that cannot be analysed (no manifest, no results, bad outcome)."""


@dataclass
class Analysis:
    """What `analyze` found: outcome values per run, tables, warnings and notes."""

    values: pd.DataFrame
    summary: pd.DataFrame
    outcomes: list[OutcomeSpec]
    effects: pd.DataFrame | None = None
    anova: pd.DataFrame | None = None
    coefficients: pd.DataFrame | None = None
    indices: dict[str, pd.DataFrame] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def sobol(self) -> pd.DataFrame | None:
        """The Sobol indices (S1, ST), if the design is a Sobol design."""
        return self.indices.get("sobol")

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by file stem."""
        found = {
            "summary": self.summary,
            "outcomes": self.values,
            "effects": self.effects,
            "anova": self.anova,
            "coefficients": self.coefficients,
        } | self.indices
        return {name: table for name, table in found.items() if table is not None and not table.empty}


def load_spec(directory: Path) -> ExperimentFile:
    """The experiment recorded in a batch directory's manifest."""
    path = directory / "manifest.json"
    if not path.is_file():
        raise AnalysisError(f"{directory}: no manifest.json (not a batch output directory)")
    return msgspec.convert(json.loads(path.read_text())["experiment"]["content"], ExperimentFile)


def analyze(
    directory: str | Path, outcomes: list[OutcomeSpec] | None = None, bins: int = 5, plots: bool = True
) -> Analysis:
    """Analyse a batch directory; writes DIR/analysis/ (see the module's docstring)."""
    directory = Path(directory)
    spec = load_spec(directory)
    chosen = list(outcomes or spec.outcomes or (DEFAULT_OUTCOME,))
    values = outcome_values(directory, spec, chosen)
    names = [o.name for o in chosen]
    analysis = Analysis(values=values, summary=level_summary(values, spec, names, bins), outcomes=chosen)
    if spec.design.kind == "full_factorial" and spec.factors:
        analysis.effects = paired_effects(values, spec, names)
    if spec.design.kind in ("full_factorial", "latin_hypercube", "sobol"):
        analysis.anova, analysis.coefficients = anova(values, spec, names, analysis.notes)
    if spec.design.kind in SENSITIVITY_DESIGNS:
        from critmin.research.sensitivity import sensitivity

        analysis.indices = sensitivity(values, spec, names, analysis.warnings, analysis.notes)
    if spec.design.kind == "full_factorial" and spec.experiment.replications < 2:
        analysis.notes.append("one replication: no intervals for level means or effects (no noise estimate)")
    write_tables(directory / "analysis", spec, analysis)
    if plots:
        from critmin.research.plots import plot_analysis

        plot_analysis(directory, spec, analysis.outcomes, analysis.summary, analysis.sobol)
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
    metrics = kept_metrics(spec)
    design = pq.read_table(directory / "design.parquet").to_pandas().set_index("run_id")
    finished = store.finished_runs()
    frame = design.loc[sorted(finished & set(design.index))].copy()
    for outcome in outcomes:
        problems = list(outcome_dimension_problems(outcome, "outcome", metrics))
        if problems:
            raise AnalysisError(f"outcome {outcome.name}: {problems[0].removeprefix('outcome.')}")
        column = metrics[outcome.metric].column
        table = dataset.to_table(
            columns=["run_id", "turn", column, "metric", "country", "partner", "mineral", "stage"],
            filter=outcome_filter(outcome) & (pc.field("turn") >= outcome.from_turn),
        )
        series = reduce_series(table, outcome, column)
        frame[outcome.name] = pd.Series(series, dtype=float).reindex(frame.index)
    return frame.reset_index()


def level_labels(values: pd.Series, factor: FactorSpec, bins: int) -> pd.Series:
    """The level of each run: its value for factors with levels, a quantile bin for ranges."""
    if factor.range is None or values.nunique() <= bins:
        return values
    return pd.qcut(values, q=bins, duplicates="drop").astype(str)


def level_summary(values: pd.DataFrame, spec: ExperimentFile, outcomes: list[str], bins: int) -> pd.DataFrame:
    """Runs, mean, sd and (balanced designs with replications) a 95% interval per level."""
    balanced = spec.design.kind == "full_factorial"
    rows = []
    for factor in spec.factors:
        labels = level_labels(values[factor.name], factor, bins)
        for outcome in outcomes:
            for level, group in values.groupby(labels, sort=True, observed=True):
                described = describe(group, outcome, balanced)
                rows.append({"outcome": outcome, "factor": factor.name, "level": str(level)} | described)
    if not spec.factors:
        rows = [
            {"outcome": o, "factor": "(all runs)", "level": ""} | describe(values, o, True) for o in outcomes
        ]
    columns = ["outcome", "factor", "level", "n", "mean", "sd", "ci_low", "ci_high"]
    return pd.DataFrame(rows, columns=columns)


def describe(group: pd.DataFrame, outcome: str, interval: bool) -> dict[str, float]:
    """n, mean, sd of the runs; the interval of the mean over replications when asked."""
    from scipy import stats

    sample = group[[outcome, "replication"]].dropna()
    n = len(sample)
    mean = float(sample[outcome].mean()) if n else float("nan")
    sd = float(sample[outcome].std(ddof=1)) if n > 1 else float("nan")
    low = high = float("nan")
    per_replication = sample.groupby("replication")[outcome].mean()
    r = len(per_replication)
    if interval and r > 1:
        half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, r - 1) * per_replication.std(ddof=1) / np.sqrt(r))
        low, high = mean - half, mean + half
    return {"n": n, "mean": mean, "sd": sd, "ci_low": low, "ci_high": high}


def write_tables(folder: Path, spec: ExperimentFile, analysis: Analysis) -> None:
    """Every table as CSV and summary.json with the warnings and notes."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for name, table in analysis.tables().items():
        table.to_csv(folder / f"{name}.csv", index=False)
        files.append(f"{name}.csv")
    summary = {
        "experiment": spec.experiment.name,
        "design": msgspec.to_builtins(spec.design),
        "runs": len(analysis.values),
        "outcomes": [msgspec.to_builtins(o) for o in analysis.outcomes],
        "warnings": analysis.warnings,
        "notes": analysis.notes,
        "files": files,
    }
    (folder / "summary.json").write_text(json.dumps(summary, indent=1))


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
    keys = ("metric", "country", "partner", "mineral", "stage", "reduce")
    data.setdefault("name", "_".join(str(v) for k, v in data.items() if k in keys).lower())
    try:
        return msgspec.convert(data, OutcomeSpec)
    except msgspec.ValidationError as error:
        raise AnalysisError(f"--outcome {text!r}: {error}") from None
