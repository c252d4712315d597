"""Effects that respect the design: paired differences and a regression/ANOVA with interactions.

- `paired_effects` (full factorial designs): for each factor and each level against the first,
  the runs that differ only in that factor (same levels of the others, same replication, so
  the same seed under common random numbers) are paired; the differences are averaged over
  the other factors' cells within each replication, and the interval is Student's t over the
  replications (the independent draws). One replication gives the effect and no interval.
- `anova` (full factorial, Latin hypercube, Sobol): ordinary least squares (statsmodels) of the
  outcome on the factors and all their pairwise interactions (levels as categories, ranges as
  numbers), with the replication as a block under common random numbers; a type II ANOVA
  table and the coefficients with 95% intervals. A Sobol design uses only its A and B rows
  (Saltelli's independent samples): the other rows repeat their columns.
"""

from __future__ import annotations

import warnings as python_warnings

import numpy as np
import pandas as pd

from critmin.research.experiment_file import ExperimentFile, FactorSpec

CONFIDENCE = 0.95


def paired_effects(values: pd.DataFrame, spec: ExperimentFile, outcomes: list[str]) -> pd.DataFrame:
    """Effect of each level against the first, from runs paired on everything else."""
    from scipy import stats

    rows = []
    for factor in spec.factors:
        others = [f.name for f in spec.factors if f.name != factor.name]
        levels = [factor.coerce(v) for v in factor.levels or ()]
        keyed = (
            values.set_index([*others, "replication", factor.name])
            if others
            else values.set_index(["replication", factor.name])
        )
        for outcome in outcomes:
            series = keyed[outcome].unstack(factor.name)
            for level in levels[1:]:
                if level not in series or levels[0] not in series:
                    continue
                difference = (series[level] - series[levels[0]]).dropna()
                per_replication = difference.groupby(level="replication").mean()
                n = len(per_replication)
                mean = float(per_replication.mean()) if n else float("nan")
                half = (
                    float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1) * per_replication.std(ddof=1) / np.sqrt(n))
                    if n > 1
                    else float("nan")
                )
                rows.append(
                    {
                        "outcome": outcome,
                        "factor": factor.name,
                        "level": str(level),
                        "baseline": str(levels[0]),
                        "effect": mean,
                        "ci_low": mean - half,
                        "ci_high": mean + half,
                        "pairs": len(difference),
                        "replications": n,
                    }
                )
    columns = [
        "outcome",
        "factor",
        "level",
        "baseline",
        "effect",
        "ci_low",
        "ci_high",
        "pairs",
        "replications",
    ]
    return pd.DataFrame(rows, columns=columns)


def regression_rows(values: pd.DataFrame, spec: ExperimentFile) -> pd.DataFrame:
    """The runs a regression may use: all of them, or a Sobol design's A and B rows."""
    if spec.design.kind != "sobol":
        return values
    factors = len(spec.factors)
    width = 2 * factors + 2 if spec.design.second_order else factors + 2
    return values[(values["point"] % width).isin([0, width - 1])]


def term(factor: FactorSpec) -> str:
    """The formula term of a factor: a category for levels, a number for ranges."""
    return f"C({factor.name})" if factor.range is None else factor.name


def formula(outcome: str, spec: ExperimentFile, interactions: bool, block: bool) -> str:
    """`outcome ~ (a + b)**2 + C(replication)` and its simpler forms."""
    terms = " + ".join(term(f) for f in spec.factors)
    right = f"({terms})**2" if interactions and len(spec.factors) > 1 else terms
    return f"{outcome} ~ {right}" + (" + C(replication)" if block else "")


def anova(
    values: pd.DataFrame, spec: ExperimentFile, outcomes: list[str], notes: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Type II ANOVA tables and coefficients per outcome (empty frames when it cannot be fitted)."""
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    data = regression_rows(values, spec)
    block = spec.experiment.common_random_numbers and data["replication"].nunique() > 1
    tables, coefficients = [], []
    for outcome in outcomes:
        frame = data.dropna(subset=[outcome])
        if not spec.factors or frame[outcome].var() == 0 or len(frame) < 3:
            notes.append(f"no regression for {outcome}: no factors, too few runs or a constant outcome")
            continue
        fit = None
        for interactions in (True, False):
            candidate = smf.ols(formula(outcome, spec, interactions, block), data=frame).fit()
            if candidate.df_resid >= 1:
                fit = candidate
                break
            notes.append(f"{outcome}: no residual degrees of freedom with interactions; main effects only")
        if fit is None:
            notes.append(f"no regression for {outcome}: as many parameters as runs (add replications)")
            continue
        with python_warnings.catch_warnings():
            python_warnings.simplefilter("ignore")
            table = sm.stats.anova_lm(fit, typ=2)
        table = table.rename(columns={"PR(>F)": "p_value"}).rename_axis("term").reset_index()
        table["share"] = table["sum_sq"] / table["sum_sq"].sum()
        tables.append(table.assign(outcome=outcome))
        interval = fit.conf_int(alpha=1 - CONFIDENCE)
        coefficients.append(
            pd.DataFrame(
                {
                    "outcome": outcome,
                    "term": fit.params.index,
                    "coef": fit.params.to_numpy(),
                    "std_err": fit.bse.to_numpy(),
                    "ci_low": interval[0].to_numpy(),
                    "ci_high": interval[1].to_numpy(),
                    "p_value": fit.pvalues.to_numpy(),
                }
            )
        )
    first = ["outcome", "term", "df", "sum_sq", "F", "p_value", "share"]
    return (
        pd.concat(tables, ignore_index=True)[first] if tables else pd.DataFrame(columns=first),
        pd.concat(coefficients, ignore_index=True) if coefficients else pd.DataFrame(),
    )
