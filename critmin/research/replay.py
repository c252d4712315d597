"""`critmin batch replay DIR RUN_ID`: rebuild one run of a batch from its manifest and check it.

The manifest holds the experiment and the scenario's content, design.parquet the run's seed
and levels; the run is played again and its rows compared with the dataset's, value by value
and bit by bit (floats by their IEEE 754 bits). Nothing outside the directory is read, except
the modules of user metrics given by import path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import msgspec
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from critmin.research.design import Run, seed_of
from critmin.research.experiment import Experiment
from critmin.research.experiment_file import ExperimentFile
from critmin.research.simulate import RunContext, simulate
from critmin.research.store import read_results
from critmin.research.user_metrics import add_search_path
from critmin.scenarios.loader import scenario_from_content

ORDER = ["turn", "metric", "country", "partner", "mineral", "stage"]


class ReplayError(ValueError):
    """A directory or run that cannot be replayed (no manifest, unknown run, changed scenario)."""


@dataclass(frozen=True)
class ReplayReport:
    """What a replay found."""

    run_id: int
    rows: int
    differences: list[str]

    @property
    def identical(self) -> bool:
        """The replayed rows equal the stored ones bit for bit."""
        return not self.differences


def recorded_experiment(directory: Path) -> Experiment:
    """The experiment and scenario as the manifest recorded them."""
    path = directory / "manifest.json"
    if not path.is_file():
        raise ReplayError(f"{directory}: no manifest.json (not a batch output directory)")
    manifest = json.loads(path.read_text())
    scenario_record = manifest["scenario"]
    if "content" not in scenario_record:
        raise ReplayError(f"{directory}: the manifest has no scenario content (written by an older critmin)")
    scenario = scenario_from_content(scenario_record["content"], origin=scenario_record["origin"])
    if scenario.hash != scenario_record["hash"]:
        raise ReplayError(f"{directory}: the manifest's scenario content does not match its hash")
    spec = msgspec.convert(manifest["experiment"]["content"], ExperimentFile)
    origin = manifest["experiment"]["file"]
    if origin != "<data>":
        add_search_path(Path(origin).parent)
    return Experiment(spec=spec, scenario=scenario, origin=origin, text=manifest["experiment"]["text"])


def recorded_run(directory: Path, experiment: Experiment, run_id: int) -> Run:
    """A run's keys and levels from design.parquet (its seed checked against the seed rule)."""
    design = pq.read_table(directory / "design.parquet", filters=[("run_id", "=", run_id)]).to_pylist()
    if not design:
        raise ReplayError(f"{directory}: no run {run_id} in design.parquet")
    row = design[0]
    if row["seed"] != seed_of(experiment.spec, run_id):
        raise ReplayError(f"run {run_id}: design.parquet's seed differs from the experiment's seed rule")
    levels = {f.name: row[f.name] for f in experiment.spec.factors}
    return Run(run_id, row["point"], row["replication"], row["seed"], levels)


def canonical(table: pa.Table) -> pd.DataFrame:
    """Rows sorted by their keys, text columns as plain strings."""
    frame = table.to_pandas()
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype(object)
    return frame.sort_values(ORDER, na_position="first", kind="stable").reset_index(drop=True)


def compare(replayed: pd.DataFrame, stored: pd.DataFrame) -> list[str]:
    """Every difference between two canonical frames (columns, rows, values, float bits)."""
    if list(replayed.columns) != list(stored.columns) or len(replayed) != len(stored):
        return [f"shape: replayed {replayed.shape} {list(replayed.columns)}, stored {stored.shape}"]
    differences = []
    for column in replayed.columns:
        a, b = replayed[column].to_numpy(), stored[column].to_numpy()
        if a.dtype.kind == "f" and b.dtype.kind == "f":
            same = a.astype(np.float64).view(np.int64) == b.astype(np.float64).view(np.int64)
        else:
            same = np.array([x == y or (pd.isna(x) and pd.isna(y)) for x, y in zip(a, b, strict=True)])
        if not same.all():
            first = int(np.flatnonzero(~same)[0])
            differences.append(
                f"{column}: {int((~same).sum())} rows differ (first: {a[first]!r} vs {b[first]!r})"
            )
    return differences


def replay_run(directory: str | Path, run_id: int) -> ReplayReport:
    """Play run `run_id` of a batch again and compare it with the dataset."""
    directory = Path(directory)
    experiment = recorded_experiment(directory)
    run = recorded_run(directory, experiment, run_id)
    replayed = simulate(RunContext.of(experiment), run)
    stored = read_results(directory, filter=pc.field("run_id") == run_id)
    if stored.num_rows == 0:
        raise ReplayError(f"{directory}: run {run_id} is not in the dataset yet (finish the batch first)")
    stored = stored.select(replayed.column_names)
    return ReplayReport(run_id, replayed.num_rows, compare(canonical(replayed), canonical(stored)))
