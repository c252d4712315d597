"""`mesa.batch_run` on critmin: a WorldModel with the `datacollector` that batch_run reads.

`mesa.batch_run(model_cls, parameters, rng=..., max_steps=...)` builds `model_cls(**kwargs,
seed=...)`, steps it while `model.running` and `model.steps < max_steps`, then reads
`model.datacollector`. `WorldModel`'s own collector keeps a few world figures;
`BatchWorldModel` replaces it with one whose model reporters are the
batch metrics (see `critmin.research.metrics`), each a dict {"country/mineral/stage": value}
for the turn just played, so `mesa.batch_run` and `critmin batch` produce the same numbers:

    import mesa
    from critmin.research.mesa_adapter import BatchWorldModel

    rows = mesa.batch_run(BatchWorldModel, parameters={"scenario": "world-2024",
                          "experiment": "magnets.toml", "licence_approval_share": [0.1, 0.5]},
                          rng=[1, 2, 3], max_steps=12, number_processes=2)

With an experiment, the other keyword arguments are its factors' levels (a factor not given
takes its first level, or the low end of its range). `running` turns False at the horizon
(the experiment's turns, else the scenario's), so batch_run's max_steps may be left high.
"""

from __future__ import annotations

from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import mesa

from critmin.engine.model import WorldModel
from critmin.research.experiment import Experiment, load_experiment
from critmin.research.metrics import METRICS, keep_only, turn_metrics
from critmin.research.simulate import RunContext
from critmin.scenarios.loader import Scenario, load_scenario


@lru_cache(maxsize=8)
def cached_experiment(path: str) -> Experiment:
    """An experiment file read once per process."""
    return load_experiment(path)


@lru_cache(maxsize=8)
def cached_scenario(name: str) -> Scenario:
    """A scenario read once per process."""
    return load_scenario(name)


def default_level(factor) -> Any:
    """The level a factor takes when no value is given: its first level or its range's low end."""
    return factor.coerce(factor.levels[0] if factor.levels is not None else (factor.range or (0, 0))[0])


def metric_reporter(metric: str, model: BatchWorldModel) -> dict[str, float]:
    """A model reporter: one metric of the turn just played, keyed 'country/mineral/stage'."""
    rows = model.latest_metrics
    return {
        "/".join(part for part in (c, m, s) if part is not None): v
        for name, c, m, s, v in zip(
            rows["metric"], rows["country"], rows["mineral"], rows["stage"], rows["value"], strict=True
        )
        if name == metric
    }


class BatchWorldModel(WorldModel):
    """A WorldModel that collects the batch metrics every turn in a mesa DataCollector.

    Args:
        scenario: a Scenario, a packaged name or a TOML path (ignored when `experiment` is given).
        seed: the run's seed (mesa.batch_run passes it).
        controllers: controllers by ISO3, as for WorldModel.
        experiment: an Experiment or an experiment file; its factors become keyword arguments.
        **levels: factor levels by factor name.

    """

    def __init__(
        self,
        scenario: Scenario | str | Path = "world-2024",
        *,
        seed: int | None = None,
        controllers: dict | None = None,
        experiment: Experiment | str | Path | None = None,
        **levels: Any,
    ) -> None:
        if isinstance(experiment, str | Path):
            experiment = cached_experiment(str(experiment))
        world, self.outputs, self.horizon = self.resolve(scenario, experiment, levels)
        super().__init__(world, seed=seed, controllers=controllers)
        self.latest_metrics: dict[str, list] = {}
        self.datacollector = mesa.DataCollector(
            model_reporters={metric: partial(metric_reporter, metric) for metric in self.outputs.metrics}
        )

    @staticmethod
    def resolve(scenario, experiment: Experiment | None, levels: dict[str, Any]):
        """The scenario to play, the outputs kept and the horizon in turns."""
        if experiment is None:
            if levels:
                raise TypeError(f"unknown parameters {sorted(levels)}: factor levels need an experiment")
            from critmin.research.experiment import OutputSpec

            world = scenario if isinstance(scenario, Scenario) else cached_scenario(str(scenario))
            return world, OutputSpec(), world.spec.scenario.turns
        names = {f.name for f in experiment.spec.factors}
        unknown = sorted(set(levels) - names)
        if unknown:
            raise TypeError(f"unknown factors {unknown}; the experiment has {sorted(names)}")
        chosen = {
            f.name: f.coerce(levels[f.name]) if f.name in levels else default_level(f)
            for f in experiment.spec.factors
        }
        return RunContext.of(experiment).scenario(chosen), experiment.spec.outputs, experiment.turns

    def collect_data(self) -> None:
        """Compute the turn's batch metrics, then collect them."""
        rows = turn_metrics(self.snapshot(), self.outputs.focus, self.outputs.metrics or METRICS)
        self.latest_metrics = keep_only(rows, self.outputs.minerals, self.outputs.countries)
        super().collect_data()

    def step(self) -> None:
        """Play a turn (its metrics are collected at its end); stop running at the horizon."""
        super().step()
        self.running = self.turn < self.horizon
