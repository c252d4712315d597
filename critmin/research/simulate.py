"""One run of an experiment, as executed by a worker: build the scenario, play, keep the metrics.

Workers receive a `RunContext` once (the base scenario content and what the experiment keeps)
and then `Run`s; `simulate` returns the run's rows as a pyarrow table. It only uses the
engine's public API: `WorldModel(scenario, seed=..., record_hashes=False)` (a run keeps metrics,
not per-turn state hashes), `step()` and `snapshot()`.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from critmin.engine.model import WorldModel
from critmin.research.design import Run
from critmin.research.experiment import Experiment, FactorSpec, OutputSpec
from critmin.research.factors import build_content
from critmin.research.metrics import COLUMNS, keep_only, turn_metrics
from critmin.scenarios.loader import Scenario, scenario_from_content

ARROW_TYPES = {"bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(), "string": pa.string()}
TEXT = pa.dictionary(pa.int32(), pa.string())


@dataclass(frozen=True)
class RunContext:
    """What every run of an experiment shares; sent to each worker once."""

    content: dict[str, Any]
    origin: str
    factors: tuple[FactorSpec, ...]
    outputs: OutputSpec
    turns: int

    @classmethod
    def of(cls, experiment: Experiment) -> RunContext:
        """The context of an experiment's runs."""
        scenario = experiment.scenario
        return cls(
            scenario.content,
            scenario.origin,
            experiment.spec.factors,
            experiment.spec.outputs,
            experiment.turns,
        )

    def scenario(self, levels: dict[str, Any]) -> Scenario:
        """The scenario of one design point."""
        changes = [(factor, levels[factor.name]) for factor in self.factors]
        content = build_content(self.content, self.turns, changes)
        return scenario_from_content(content, origin=self.origin)

    def schema(self) -> pa.Schema:
        """Columns of the result rows: run keys, factors, turn, metric dimensions, value."""
        keys = [
            ("run_id", pa.int64()),
            ("point", pa.int64()),
            ("replication", pa.int64()),
            ("seed", pa.int64()),
        ]
        factors = [(f.name, ARROW_TYPES[f.column_type()]) for f in self.factors]
        rows = [
            ("turn", pa.int32()),
            ("metric", TEXT),
            ("country", TEXT),
            ("mineral", TEXT),
            ("stage", TEXT),
            ("value", pa.float64()),
        ]
        return pa.schema(keys + factors + rows)


def simulate(context: RunContext, run: Run) -> pa.Table:
    """Play one run and return its metric rows (one per turn x metric x dimensions)."""
    model = WorldModel(context.scenario(run.levels), seed=run.seed, record_hashes=False)
    columns: dict[str, list] = {name: [] for name in (*COLUMNS, "turn")}
    for _ in range(context.turns):
        model.step()
        rows = turn_metrics(model.snapshot(), context.outputs.focus, context.outputs.metrics)
        rows = keep_only(rows, context.outputs.minerals, context.outputs.countries)
        for name in COLUMNS:
            columns[name].extend(rows[name])
        columns["turn"].extend([model.turn - 1] * len(rows["value"]))
    del model
    gc.collect()  # a model and its agents form reference cycles: free its arrays now, not runs later
    return rows_table(context, run, columns)


def rows_table(context: RunContext, run: Run, columns: dict[str, list]) -> pa.Table:
    """The run's rows with its keys and factor levels repeated on every row."""
    schema = context.schema()
    size = len(columns["value"])
    keys = {"run_id": run.run_id, "point": run.point, "replication": run.replication, "seed": run.seed}
    data = {name: [value] * size for name, value in keys.items()}
    data |= {f.name: [run.levels[f.name]] * size for f in context.factors}
    data |= columns
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
    return simulate(_installed, run)
