"""One run of an experiment, as executed by a worker: build the scenario, play, keep the metrics.

Workers receive a `RunContext` once (the base scenario content and what the experiment keeps)
and then `Run`s; `simulate` returns the run's rows as a pyarrow table. It only uses the
engine's public API: `WorldModel(scenario, seed=..., record_hashes=False)` (a run keeps metrics,
not per-turn state hashes), `step()` and `snapshot()`. A run longer than the context's
`timeout_s` stops with `RunTimeoutError` (checked after every turn, so it works on any executor).
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from critmin.engine.model import WorldModel
from critmin.research.design import Run
from critmin.research.experiment import Experiment, kept_metrics
from critmin.research.experiment_file import FactorSpec, MetricSpec, OutputSpec
from critmin.research.factors import build_content
from critmin.research.metrics import (
    BUILT_IN,
    COLUMNS,
    MetricInfo,
    Rows,
    keep_only,
    split_values,
    turn_metrics,
)
from critmin.research.schema import results_schema
from critmin.research.user_metrics import user_rows
from critmin.scenarios.loader import Scenario, scenario_from_content


class RunTimeoutError(RuntimeError):
    """A run that took longer than the batch's per-run timeout."""


@dataclass(frozen=True)
class RunContext:
    """What every run of an experiment shares; sent to each worker once."""

    content: dict[str, Any]
    origin: str
    factors: tuple[FactorSpec, ...]
    outputs: OutputSpec
    turns: int
    metrics: dict[str, MetricInfo] = field(default_factory=dict)
    user_metrics: tuple[MetricSpec, ...] = ()
    timeout_s: float | None = None

    @classmethod
    def of(cls, experiment: Experiment, timeout_s: float | None = None) -> RunContext:
        """The context of an experiment's runs."""
        scenario, spec = experiment.scenario, experiment.spec
        return cls(
            scenario.content,
            scenario.origin,
            spec.factors,
            spec.outputs,
            experiment.turns,
            kept_metrics(spec),
            spec.metrics,
            timeout_s,
        )

    def scenario(self, levels: dict[str, Any]) -> Scenario:
        """The scenario of one design point."""
        changes = [(factor, levels[factor.name]) for factor in self.factors]
        content = build_content(self.content, self.turns, changes)
        return scenario_from_content(content, origin=self.origin)

    def schema(self) -> pa.Schema:
        """Columns of the result rows (with descriptions and units)."""
        return results_schema(self.factors, self.metrics)

    def turn_rows(self, model: WorldModel) -> Rows:
        """The kept metrics of the turn just played, as column lists."""
        snapshot = model.snapshot()
        built_in = [name for name in self.metrics if name in BUILT_IN]
        rows = turn_metrics(snapshot, self.outputs.focus, built_in)
        user_rows(rows, snapshot, self.outputs.focus, self.user_metrics)
        return keep_only(rows, self.outputs.minerals, self.outputs.countries)


def simulate(context: RunContext, run: Run) -> pa.Table:
    """Play one run and return its metric rows (one per turn x metric x dimensions)."""
    started = time.monotonic()
    model = WorldModel(context.scenario(run.levels), seed=run.seed, record_hashes=False)
    columns: dict[str, list] = {name: [] for name in (*COLUMNS, "turn")}
    for _ in range(context.turns):
        model.step()
        rows = context.turn_rows(model)
        for name in COLUMNS:
            columns[name].extend(rows[name])
        columns["turn"].extend([model.turn - 1] * len(rows["value"]))
        if context.timeout_s is not None and time.monotonic() - started > context.timeout_s:
            raise RunTimeoutError(
                f"run {run.run_id} took more than {context.timeout_s:g} s (turn {model.turn})"
            )
    return rows_table(context, run, columns)


def simulate_and_free(context: RunContext, run: Run) -> pa.Table:
    """`simulate`, then a full collection (what workers call).

    A model and its agents form reference cycles: a worker frees their arrays now rather than
    runs later. In-process callers skip the cost of collecting their whole heap.
    """
    table = simulate(context, run)
    gc.collect()
    return table


def rows_table(context: RunContext, run: Run, columns: dict[str, list]) -> pa.Table:
    """The run's rows with its keys and factor levels repeated on every row, values split by unit."""
    schema = context.schema()
    size = len(columns["value"])
    keys = {"run_id": run.run_id, "point": run.point, "replication": run.replication, "seed": run.seed}
    data: dict[str, Any] = {name: [value] * size for name, value in keys.items()}
    data |= {f.name: [run.levels[f.name]] * size for f in context.factors}
    data |= {name: columns[name] for name in (*COLUMNS[:-1], "turn")}
    metric = pa.array(columns["metric"], pa.string())
    data |= split_values(metric, pa.array(columns["value"], pa.float64()), context.metrics)
    return pa.Table.from_pydict({name: data[name] for name in schema.names}, schema=schema)


# --- the worker side of the local process executor -------------------------------------------

_installed: RunContext | None = None


def install(context: RunContext) -> None:
    """Keep the context in this worker process (the process pool's initializer)."""
    global _installed
    _installed = context
    gc.collect()
    gc.freeze()  # what the worker has imported stays: the collection after each run skips it


def simulate_installed(run: Run) -> pa.Table:
    """`simulate` with the context installed in this worker."""
    if _installed is None:
        raise RuntimeError("no run context installed in this worker")
    return simulate_and_free(_installed, run)
