"""critmin as an EMA Workbench model: factors become uncertainties and levers, outcomes outcomes.

    from ema_workbench import MultiprocessingEvaluator
    from ema_workbench.analysis import prim
    from critmin.research.ema import ema_model, prim_inputs

    if __name__ == "__main__":                   # workers are spawned: guard the script
        model = ema_model("magnets.toml")
        with MultiprocessingEvaluator(model, n_processes=4) as evaluator:
            experiments, outcomes = evaluator.perform_experiments(scenarios=200, policies=4)
        x = prim_inputs(model, experiments)      # integer and categorical factors as PRIM wants
        box = prim.Prim(x, outcomes["india_heavy_shortage"] > 0.2).find_box()

A factor with role "uncertainty" (the default) is an uncertainty, one with role "lever" a
lever. A factor over a range is a RealParameter (an IntegerParameter if integer); a factor
with levels is a CategoricalParameter (a BooleanParameter for true/false). Each outcome of the
experiment (or the default world shortage value share) is a ScalarOutcome. A factor EMA does
not set (e.g. levers when no policies are given) takes its first level or its range's low end.

Seeds: with one replication every experiment plays with the same seed (a Constant, drawn from
the experiment's SeedSequence): common random numbers. With several replications the model is
a ReplicatorModel whose replications carry the seeds, and each outcome is the mean over the
replications.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from ema_workbench import (
    BooleanParameter,
    CategoricalParameter,
    Constant,
    IntegerParameter,
    Model,
    RealParameter,
    ReplicatorModel,
    ScalarOutcome,
)

from critmin.research.design import Run, replication_seeds
from critmin.research.experiment import Experiment, load_experiment
from critmin.research.experiment_file import FactorSpec, OutcomeSpec
from critmin.research.mesa_adapter import default_level
from critmin.research.metrics import reduce_series
from critmin.research.simulate import RunContext, simulate


class CritminFunction:
    """The callable EMA runs: factor levels and a seed in, one number per outcome out.

    A module-level class holding only plain data, so the MultiprocessingEvaluator can pickle it.
    """

    def __init__(self, experiment: Experiment) -> None:
        self.context = RunContext.of(experiment)
        self.outcomes: tuple[OutcomeSpec, ...] = experiment.outcomes

    def __call__(self, seed: int = 0, **levels: Any) -> dict[str, float]:
        """Play one run with these levels and seed."""
        chosen = {
            f.name: f.coerce(levels[f.name]) if f.name in levels else default_level(f)
            for f in self.context.factors
        }
        table = simulate(self.context, Run(run_id=0, point=0, replication=0, seed=int(seed), levels=chosen))
        metrics = self.context.metrics
        return {
            o.name: reduce_series(table, o, metrics[o.metric].column).get(0, math.nan) for o in self.outcomes
        }


def parameter(factor: FactorSpec):
    """The EMA parameter of a factor."""
    if factor.range is not None:
        low, high = factor.range
        if factor.column_type() == "int":
            return IntegerParameter(factor.name, int(low), int(high))
        return RealParameter(factor.name, low, high)
    levels = [factor.coerce(v) for v in factor.levels or ()]
    if factor.column_type() == "bool":
        return BooleanParameter(factor.name)
    return CategoricalParameter(factor.name, levels)


def ema_model(experiment: Experiment | str | Path, name: str | None = None) -> Model | ReplicatorModel:
    """An EMA Workbench model of an experiment (a file path or a loaded Experiment)."""
    if not isinstance(experiment, Experiment):
        experiment = load_experiment(experiment)
    function = CritminFunction(experiment)
    spec = experiment.spec
    seeds = replication_seeds(spec)
    model_name = name or experiment.name.replace("-", "_").replace(".", "_")
    if spec.experiment.replications > 1:
        model = ReplicatorModel(model_name, function=function)
        model.replications = [{"seed": seed} for seed in seeds]
    else:
        model = Model(model_name, function=function)
        model.constants = [Constant("seed", seeds[0])]
    model.uncertainties = [parameter(f) for f in spec.factors if f.role == "uncertainty"]
    model.levers = [parameter(f) for f in spec.factors if f.role == "lever"]
    replicated = spec.experiment.replications > 1
    model.outcomes = [
        ScalarOutcome(o.name, function=np.mean if replicated else None) for o in experiment.outcomes
    ]
    return model


def prim_inputs(model: Model | ReplicatorModel, experiments: pd.DataFrame) -> pd.DataFrame:
    """The uncertainties of EMA's experiments as PRIM takes them.

    PRIM pastes fractional limits, so integer parameters become real numbers; categorical and
    boolean parameters become pandas categories of their values as text (PRIM keeps sets of them).
    """
    frame = pd.DataFrame(index=experiments.index)
    for uncertainty in model.uncertainties:
        column = experiments[uncertainty.name]
        if isinstance(uncertainty, CategoricalParameter | BooleanParameter):
            frame[uncertainty.name] = pd.Categorical(column.astype(str))
        else:
            frame[uncertainty.name] = column.astype(float)
    return frame
