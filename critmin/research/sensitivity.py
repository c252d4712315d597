"""Global sensitivity indices of a sampled design, through SALib's estimators, with their checks.

- `sobol`: first-order (S1), total (ST) and, when the design asks, second-order (S2) indices,
  each with a bootstrap interval (`RESAMPLES` resamples, 95%);
- `morris`: mu*, its bootstrap interval, mu and sigma (elementary effects, screening);
- `fast`: eFAST first-order and total indices with bootstrap intervals.

Replications are averaged per design point first. Every result is checked: a design below its
minimum samples, an interval wider than `CONVERGENCE_WIDTH`, an S1 below zero or an ST below
S1 beyond their intervals, or a dummy factor (kind = "dummy", which changes nothing) whose
index is not zero within its interval, each give a warning: the estimates have not converged.
With a dummy factor, each factor's row says whether its index stands clear of the dummy's
(`above_dummy`: its lower bound above the dummy's upper bound); a factor that does not is
indistinguishable from numerical noise.
"""

from __future__ import annotations

import warnings as python_warnings

import numpy as np
import pandas as pd

from critmin.research.design import salib_problem, sample_matrix
from critmin.research.experiment import MINIMUM_SAMPLES, small_design
from critmin.research.experiment_file import ExperimentFile

RESAMPLES = 1000
CONFIDENCE = 0.95
CONVERGENCE_WIDTH = 0.1  # half-width of an index's interval above which it is not converged
MEASURES = {"sobol": ("ST", "ST_conf"), "fast": ("ST", "ST_conf"), "morris": ("mu_star", "mu_star_conf")}


def sensitivity(
    values: pd.DataFrame, spec: ExperimentFile, outcomes: list[str], warnings: list[str], notes: list[str]
) -> dict[str, pd.DataFrame]:
    """The design's indices per outcome: {"sobol": ..., "sobol_s2": ...} or {"morris"} or {"fast"}."""
    kind = spec.design.kind
    points = values.groupby("point")[outcomes].mean()
    expected = len(sample_matrix(spec))
    if len(points) != expected:
        notes.append(f"{kind} indices need every design point ({len(points)}/{expected}): finish the batch")
        return {}
    if small_design(spec) is not None:
        warnings.append(
            f"design.samples = {spec.design.samples} is below the {MINIMUM_SAMPLES[kind]} a {kind} design "
            "needs: the indices are not reliable (the batch was forced)"
        )
    tables: dict[str, list[pd.DataFrame]] = {}
    for outcome in outcomes:
        y = points[outcome].to_numpy(dtype=float)
        if np.isnan(y).any() or np.var(y) == 0:
            notes.append(
                f"{kind} indices skipped for {outcome}: "
                + ("some runs have no value" if np.isnan(y).any() else "the outcome does not vary")
            )
            continue
        for name, frame in indices(kind, spec, y).items():
            tables.setdefault(name, []).append(frame.assign(outcome=outcome))
    result = {name: tidy(pd.concat(frames, ignore_index=True)) for name, frames in tables.items()}
    if kind == "fast" and result:
        notes.append("eFAST intervals are bootstrap estimates SALib calls indicative only: read the dummy")
    if kind in result:
        result[kind] = dummy_check(result[kind], spec, kind, warnings)
        warnings.extend(convergence_warnings(result[kind], kind))
    return result


def tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its outcome column first."""
    return frame[["outcome", *(c for c in frame.columns if c != "outcome")]]


def indices(kind: str, spec: ExperimentFile, y: np.ndarray) -> dict[str, pd.DataFrame]:
    """SALib's analysis of one outcome."""
    problem = salib_problem(spec.factors)
    names = problem["names"]
    seed = spec.experiment.seed
    with python_warnings.catch_warnings():
        python_warnings.simplefilter("ignore", RuntimeWarning)
        python_warnings.filterwarnings("ignore", message="FAST confidence intervals")  # noted instead
        if kind == "sobol":
            from SALib.analyze import sobol

            second = spec.design.second_order
            result = sobol.analyze(
                problem,
                y,
                calc_second_order=second,
                num_resamples=RESAMPLES,
                conf_level=CONFIDENCE,
                seed=seed,
            )
            frame = pd.DataFrame(
                {"factor": names} | {k: result[k] for k in ("S1", "S1_conf", "ST", "ST_conf")}
            )
            return {"sobol": frame} | ({"sobol_s2": second_order(result, names)} if second else {})
        if kind == "morris":
            from SALib.analyze import morris

            x = sample_matrix(spec)
            result = morris.analyze(
                problem,
                x,
                y,
                num_resamples=RESAMPLES,
                conf_level=CONFIDENCE,
                num_levels=spec.design.levels,
                seed=seed,
            )
            keys = ("mu", "mu_star", "mu_star_conf", "sigma")
            return {
                "morris": pd.DataFrame({"factor": names} | {k: np.asarray(result[k], float) for k in keys})
            }
        from SALib.analyze import fast

        result = fast.analyze(
            problem, y, M=spec.design.harmonics, num_resamples=RESAMPLES, conf_level=CONFIDENCE, seed=seed
        )
        return {
            "fast": pd.DataFrame(
                {"factor": names} | {k: result[k] for k in ("S1", "S1_conf", "ST", "ST_conf")}
            )
        }


def second_order(result, names: list[str]) -> pd.DataFrame:
    """S2 and its interval for each pair of factors."""
    rows = [
        {"factor": a, "with": names[j], "S2": result["S2"][i, j], "S2_conf": result["S2_conf"][i, j]}
        for i, a in enumerate(names)
        for j in range(i + 1, len(names))
    ]
    return pd.DataFrame(rows, columns=["factor", "with", "S2", "S2_conf"])


def dummy_check(frame: pd.DataFrame, spec: ExperimentFile, kind: str, warnings: list[str]) -> pd.DataFrame:
    """Compare each factor's index with the dummy factor's (when the experiment has one)."""
    dummies = [f.name for f in spec.factors if f.kind == "dummy"]
    frame = frame.assign(dummy=frame["factor"].isin(dummies))
    if not dummies:
        return frame
    measure, conf = MEASURES[kind]
    parts = []
    for outcome, rows in frame.groupby("outcome", sort=False):
        dummy = rows[rows["dummy"]]
        noise = float((dummy[measure].abs() + dummy[conf]).max())
        for row in dummy.itertuples():
            if abs(getattr(row, measure)) > getattr(row, conf) + 1e-12:
                warnings.append(
                    f"{outcome}: the dummy factor {row.factor} has {measure} = {getattr(row, measure):.3g} "
                    f"± {getattr(row, conf):.3g}, not zero: the {kind} estimates have not converged"
                )
        above = (rows[measure] - rows[conf]) > noise
        parts.append(rows.assign(above_dummy=above.where(~rows["dummy"], other=pd.NA)))
    return pd.concat(parts)


def convergence_warnings(frame: pd.DataFrame, kind: str) -> list[str]:
    """Signs that the estimates have not converged."""
    found = []
    if kind == "morris":
        return found
    for outcome, rows in frame.groupby("outcome", sort=False):
        width = float(rows[["S1_conf", "ST_conf"]].max().max())
        if width > CONVERGENCE_WIDTH:
            found.append(
                f"{outcome}: {kind} intervals up to ±{width:.2f} (over ±{CONVERGENCE_WIDTH}): "
                "not converged, raise design.samples"
            )
        negative = rows[rows["S1"] < -rows["S1_conf"]]
        if not negative.empty:
            found.append(f"{outcome}: S1 below zero beyond its interval for {', '.join(negative['factor'])}")
        inverted = rows[rows["ST"] + rows["ST_conf"] < rows["S1"] - rows["S1_conf"]]
        if not inverted.empty:
            found.append(f"{outcome}: ST below S1 beyond their intervals for {', '.join(inverted['factor'])}")
    return found
