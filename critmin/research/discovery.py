"""Scenario discovery on a batch (`critmin analyze DIR --prim OUTCOME`): PRIM from the EMA Workbench.

The cases of interest are the runs whose outcome is above (or below) a threshold, by default
the top decile. PRIM (Friedman and Fisher's patient rule induction, `ema_workbench.analysis.prim`)
peels the factor space down to a box where such runs are dense. Factors over a range are real
dimensions (integer factors too, as PRIM needs: their limits are reported as whole numbers);
factors with levels and true/false factors are categories; dummy factors are left out.
Written to DIR/analysis/: `prim_OUTCOME.csv` (the box: each factor's limits, and whether the
box restricts it) and `prim_OUTCOME_trajectory.csv` (coverage, density and mass of every box).
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from critmin.research.experiment_file import ExperimentFile, FactorSpec

CONDITION = re.compile(r"^(?P<outcome>[a-z][a-z0-9_]*)\s*(?:(?P<op>[<>])\s*(?P<value>[-+0-9.eE]+))?$")
TOP_QUANTILE = 0.9


class DiscoveryError(ValueError):
    """A --prim request that cannot be served."""


@dataclass
class PrimResult:
    """The box PRIM found and how good it is."""

    outcome: str
    condition: str
    cases: int
    box: pd.DataFrame
    trajectory: pd.DataFrame
    coverage: float
    density: float
    mass: float


def parse_condition(text: str) -> tuple[str, str | None, float | None]:
    """`outcome`, `outcome>0.2` or `outcome<0.1` as (outcome, operator, threshold)."""
    match = CONDITION.match(text.strip())
    if match is None:
        raise DiscoveryError(f"--prim {text!r}: expected OUTCOME, OUTCOME>VALUE or OUTCOME<VALUE")
    value = match.group("value")
    try:
        threshold = float(value) if value is not None else None
    except ValueError:
        raise DiscoveryError(f"--prim {text!r}: {value!r} is not a number") from None
    return match.group("outcome"), match.group("op"), threshold


def factor_frame(values: pd.DataFrame, factors: list[FactorSpec]) -> pd.DataFrame:
    """The factors as PRIM wants them: real numbers or categories."""
    frame = pd.DataFrame(index=values.index)
    for factor in factors:
        column = values[factor.name]
        if factor.range is not None and factor.column_type() in ("int", "float"):
            frame[factor.name] = column.astype(float)
        else:
            frame[factor.name] = pd.Categorical(column.astype(str))
    return frame


def box_table(limits: pd.DataFrame, x: pd.DataFrame, factors: list[FactorSpec]) -> pd.DataFrame:
    """Each factor's limits in the box (whole numbers for integer factors) and whether it is restricted."""
    rows = []
    for factor in factors:
        low, high = limits[factor.name].iloc[0], limits[factor.name].iloc[1]
        if isinstance(low, set):
            everything = set(x[factor.name].cat.categories)
            rows.append(
                {
                    "factor": factor.name,
                    "low": None,
                    "high": None,
                    "levels": ", ".join(sorted(map(str, low))),
                    "restricted": low != everything,
                }
            )
            continue
        restricted = bool(low > x[factor.name].min() or high < x[factor.name].max())
        if factor.column_type() == "int":
            low, high = math.ceil(low), math.floor(high)
        rows.append(
            {"factor": factor.name, "low": low, "high": high, "levels": None, "restricted": restricted}
        )
    return pd.DataFrame(rows, columns=["factor", "low", "high", "levels", "restricted"])


def discover(values: pd.DataFrame, spec: ExperimentFile, text: str, folder: Path | None = None) -> PrimResult:
    """Find the PRIM box of the runs meeting `text`; write its tables into `folder` when given."""
    outcome, op, threshold = parse_condition(text)
    if outcome not in values.columns or outcome in {f.name for f in spec.factors}:
        raise DiscoveryError(f"--prim: no outcome {outcome!r} in this analysis (see --outcome)")
    factors = [f for f in spec.factors if f.kind != "dummy"]
    if not factors:
        raise DiscoveryError("--prim: the experiment has no factors to search")
    data = values.dropna(subset=[outcome]).reset_index(drop=True)
    y = data[outcome].to_numpy(dtype=float)
    if op is None:
        op, threshold = ">", float(np.quantile(y, TOP_QUANTILE))
    cases = y > threshold if op == ">" else y < threshold
    condition = f"{outcome} {op} {threshold:.6g}"
    if not cases.any() or cases.all():
        raise DiscoveryError(f"--prim: {'no' if not cases.any() else 'every'} run has {condition}")
    x = factor_frame(data, factors)
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore"
        )  # ema_workbench warns that ipyparallel is missing, pandas of deprecations
        from ema_workbench.analysis import prim

        box = prim.Prim(x, cases).find_box()
    result = PrimResult(
        outcome=outcome,
        condition=condition,
        cases=int(cases.sum()),
        box=box_table(box.box_lims[-1], x, factors),
        trajectory=box.peeling_trajectory.copy(),
        coverage=float(box.coverage),
        density=float(box.density),
        mass=float(box.mass),
    )
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        result.box.to_csv(folder / f"prim_{outcome}.csv", index=False)
        result.trajectory.to_csv(folder / f"prim_{outcome}_trajectory.csv", index=False)
    return result
