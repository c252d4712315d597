"""Plots of `critmin analyze` (matplotlib, written as PNG files without a display).

- `OUTCOME.png`: mean of the outcome per level of each factor (with its 95% interval over
  replications, for full factorial designs);
- `OUTCOME_turns.png`: the outcome's metric over turns, mean per level of the first factor;
- `OUTCOME_sobol.png`: first-order and total Sobol indices with their intervals.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from critmin.research.experiment import kept_metrics
from critmin.research.metrics import outcome_filter
from critmin.research.store import ResultStore

if TYPE_CHECKING:
    from critmin.research.experiment_file import ExperimentFile, OutcomeSpec

MAX_LINES = 8


def plot_analysis(
    directory: Path,
    spec: ExperimentFile,
    outcomes: list[OutcomeSpec],
    summary: pd.DataFrame,
    sobol: pd.DataFrame | None = None,
) -> list[Path]:
    """Every plot of an analysis (its outcomes, level summary, Sobol indices); returns the files written."""
    import matplotlib

    matplotlib.use("Agg")
    folder = directory / "analysis"
    paths = []
    for outcome in outcomes:
        paths.append(plot_levels(folder, summary, outcome.name))
        paths.append(plot_turns(directory, spec, outcome))
        if sobol is not None and not sobol.empty:
            paths.append(plot_sobol(folder, sobol, outcome.name))
    return [p for p in paths if p is not None]


def plot_levels(folder: Path, summary: pd.DataFrame, outcome: str) -> Path:
    """Mean and interval per level, one panel per factor."""
    import matplotlib.pyplot as plt

    rows = summary[summary["outcome"] == outcome]
    factors = list(dict.fromkeys(rows["factor"]))
    figure, axes = plt.subplots(
        1, max(len(factors), 1), figsize=(4 * max(len(factors), 1), 3.5), squeeze=False
    )
    for axis, factor in zip(axes[0], factors, strict=False):
        part = rows[rows["factor"] == factor]
        x = np.arange(len(part))
        error = np.vstack([part["mean"] - part["ci_low"], part["ci_high"] - part["mean"]])
        axis.errorbar(x, part["mean"], yerr=np.nan_to_num(error), fmt="o-", capsize=4)
        axis.set_xticks(x, [str(v) for v in part["level"]], rotation=30, ha="right", fontsize=8)
        axis.set_xlabel(factor)
        axis.set_ylabel(outcome)
    figure.suptitle(f"{outcome}: mean per level (95% interval over replications where balanced)")
    return save(figure, folder / f"{outcome}.png")


def plot_turns(directory: Path, spec: ExperimentFile, outcome: OutcomeSpec) -> Path | None:
    """The outcome's metric series, mean over runs per turn, by level of the first factor."""
    import matplotlib.pyplot as plt

    column = kept_metrics(spec)[outcome.metric].column
    table = (
        ResultStore(directory).dataset().to_table(filter=outcome_filter(outcome) & (pc.field("turn") >= 0))
    )
    if table.num_rows == 0:
        return None
    frame = table.to_pandas()
    factor = (
        spec.factors[0].name if spec.factors and frame[spec.factors[0].name].nunique() <= MAX_LINES else None
    )
    figure, axis = plt.subplots(figsize=(6, 3.5))
    groups = frame.groupby(factor) if factor else [("all runs", frame)]
    for level, group in groups:
        series = group.groupby("turn")[column].mean()
        axis.plot(series.index, series.to_numpy(), label=f"{factor} = {level}" if factor else level)
    axis.set_xlabel("turn")
    axis.set_ylabel(f"{outcome.metric} ({kept_metrics(spec)[outcome.metric].unit})")
    axis.set_title(f"{outcome.name}: mean over runs per turn")
    axis.legend(fontsize=7)
    return save(figure, directory / "analysis" / f"{outcome.name}_turns.png")


def plot_sobol(folder: Path, sobol: pd.DataFrame, outcome: str) -> Path | None:
    """First-order and total indices per factor."""
    import matplotlib.pyplot as plt

    rows = sobol[sobol["outcome"] == outcome]
    if rows.empty:
        return None
    x = np.arange(len(rows))
    figure, axis = plt.subplots(figsize=(max(4, 1.2 * len(rows)), 3.5))
    axis.bar(x - 0.2, rows["S1"], 0.4, yerr=rows["S1_conf"], capsize=3, label="first order (S1)")
    axis.bar(x + 0.2, rows["ST"], 0.4, yerr=rows["ST_conf"], capsize=3, label="total (ST)")
    axis.set_xticks(x, rows["factor"], rotation=30, ha="right")
    axis.set_title(f"{outcome}: Sobol indices")
    axis.legend(fontsize=8)
    return save(figure, folder / f"{outcome}_sobol.png")


def save(figure, path: Path) -> Path:
    """Write a figure and free it."""
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
