"""`mesa.batch_run` on critmin: a WorldModel with the `datacollector` that batch_run reads.

`mesa.batch_run(model_cls, parameters, rng=..., max_steps=...)` builds `model_cls(**kwargs,
seed=...)`, steps it while `model.running` and `model.steps < max_steps`, then reads
`model.datacollector`. `WorldModel`'s own collector keeps a few world figures;
`BatchWorldModel` replaces it with one whose model reporters are the
batch metrics (see `critmin.research.metrics`), each a dict {"country/mineral/stage": value}
for the turn just played, plus `metric_rows` (the turn's tidy rows, as `critmin batch` keeps
them), so `mesa.batch_run` and `critmin batch` produce the same numbers:

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
from critmin.research.experiment_file import OutputSpec
from critmin.research.metrics import BUILT_IN, DEFAULT_METRICS
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


def tidy_rows(model: BatchWorldModel) -> dict[str, list]:
    """A model reporter: the turn's metric rows as columns (metric, country, ..., value)."""
    return model.latest_metrics


class BatchWorldModel(WorldModel):
    """A WorldModel that collects the batch metrics every turn in a mesa DataCollector.

    Args:
        scenario: a Scenario, a packaged name or a TOML path (ignored when `experiment` is given).
        seed: the run's seed (mesa.batch_run passes it).
        controllers: controllers by ISO3, as for WorldModel.
        record_hashes: keep per-turn state hashes (off, as in `critmin batch`: runs keep metrics).
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
        record_hashes: bool = False,
        **levels: Any,
    ) -> None:
        if isinstance(experiment, str | Path):
            experiment = cached_experiment(str(experiment))
        world, self.context = self.resolve(scenario, experiment, levels)
        self.horizon = self.context.turns
        super().__init__(world, seed=seed, controllers=controllers, record_hashes=record_hashes)
        self.latest_metrics: dict[str, list] = {}
        reporters = {metric: partial(metric_reporter, metric) for metric in self.context.metrics}
        self.datacollector = mesa.DataCollector(model_reporters=reporters | {"metric_rows": tidy_rows})

    @staticmethod
    def resolve(
        scenario, experiment: Experiment | None, levels: dict[str, Any]
    ) -> tuple[Scenario, RunContext]:
        """The scenario to play and the run context (metrics kept, horizon in turns)."""
        if experiment is None:
            if levels:
                raise TypeError(f"unknown parameters {sorted(levels)}: factor levels need an experiment")
            world = scenario if isinstance(scenario, Scenario) else cached_scenario(str(scenario))
            metrics = {name: BUILT_IN[name] for name in DEFAULT_METRICS}
            turns = world.spec.scenario.turns
            return world, RunContext(world.content, world.origin, (), OutputSpec(), turns, metrics)
        names = {f.name for f in experiment.spec.factors}
        unknown = sorted(set(levels) - names)
        if unknown:
            raise TypeError(f"unknown factors {unknown}; the experiment has {sorted(names)}")
        chosen = {
            f.name: f.coerce(levels[f.name]) if f.name in levels else default_level(f)
            for f in experiment.spec.factors
        }
        context = RunContext.of(experiment)
        return context.scenario(chosen), context

    def collect_data(self) -> None:
        """Compute the turn's batch metrics (built-in and user), then collect them."""
        self.latest_metrics = self.context.turn_rows(self)
        super().collect_data()

    def step(self) -> None:
        """Play a turn (its metrics are collected at its end); stop running at the horizon."""
        super().step()
        self.running = self.turn < self.horizon
