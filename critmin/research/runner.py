"""The batch runner: plan an experiment's runs, skip finished ones, play the rest, stream results.

    experiment = load_experiment("stockpile.toml")
    with LocalExecutor(workers=4) as executor:
        report = run_batch(experiment, executor, BatchOptions(out=Path("runs/stockpile")))

Results are committed in parts as runs finish (see `store`), so memory stays flat and an
interrupted batch, run again with the same experiment and directory, plays only the runs
that are missing. The manifest records the experiment, versions, seeds and every command.
"""

from __future__ import annotations

import itertools
import json
import platform
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pyarrow as pa
import pyarrow.parquet as pq

from critmin.engine.outputs import safe_version
from critmin.research.design import Run, iter_runs, replication_seeds
from critmin.research.executors import Executor, RunFailure
from critmin.research.experiment import Experiment, count_points
from critmin.research.simulate import ARROW_TYPES, RunContext
from critmin.research.store import ResultStore, StoreError, write_atomically

MANIFEST_SEEDS = 100_000  # up to this many runs, the manifest lists every run's seed
VERSIONED = (
    "critmin",
    "mesa",
    "numpy",
    "scipy",
    "pyarrow",
    "msgspec",
    "SALib",
    "dask",
    "distributed",
    "ema_workbench",
)


@dataclass(frozen=True)
class BatchOptions:
    """Where results go and how often they are committed."""

    out: Path
    quiet: bool = False
    flush_runs: int = 100
    flush_rows: int = 500_000
    flush_seconds: float = 30.0
    command: tuple[str, ...] = ()


@dataclass
class BatchReport:
    """What a batch did."""

    total: int
    skipped: int
    completed: int = 0
    failed: int = 0
    seconds: float = 0.0

    @property
    def finished(self) -> int:
        """Runs in the dataset now."""
        return self.skipped + self.completed

    @property
    def runs_per_minute(self) -> float:
        """Runs completed by this invocation per minute of wall time."""
        return 60.0 * self.completed / self.seconds if self.seconds else 0.0


@dataclass
class Buffer:
    """Finished runs waiting to be committed as one part."""

    tables: list[pa.Table] = field(default_factory=list)
    runs: list[int] = field(default_factory=list)
    rows: int = 0
    since: float = field(default_factory=time.monotonic)

    def add(self, run_id: int, table: pa.Table) -> None:
        """Keep one run's rows."""
        self.tables.append(table)
        self.runs.append(run_id)
        self.rows += table.num_rows

    def due(self, options: BatchOptions) -> bool:
        """Time to commit: enough runs, rows or seconds."""
        return bool(self.runs) and (
            len(self.runs) >= options.flush_runs
            or self.rows >= options.flush_rows
            or time.monotonic() - self.since >= options.flush_seconds
        )

    def commit(self, store: ResultStore) -> None:
        """Write the kept runs as one part and start afresh."""
        if self.runs:
            store.commit(pa.concat_tables(self.tables), self.runs)
        self.tables, self.runs, self.rows, self.since = [], [], 0, time.monotonic()


def run_batch(experiment: Experiment, executor: Executor, options: BatchOptions) -> BatchReport:
    """Play the runs of `experiment` not yet in `options.out`; returns what was done."""
    store = ResultStore(options.out)
    with store.exclusive():
        store.recover()
        prepare_directory(store, experiment, options, executor)
        finished = store.finished_runs()
        todo = (run for run in iter_runs(experiment.spec) if run.run_id not in finished)
        report = BatchReport(total=total_runs(experiment), skipped=len(finished))
        start = time.monotonic()
        try:
            if report.skipped < report.total:
                executor.start(RunContext.of(experiment))
                play(executor, todo, store, options, report, experiment.name)
        finally:
            report.seconds = time.monotonic() - start
            close_invocation(store, report)
    return report


def play(
    executor: Executor,
    todo: Iterable[Run],
    store: ResultStore,
    options: BatchOptions,
    report: BatchReport,
    name: str,
) -> None:
    """Stream finished runs into committed parts, with a progress bar; commit what is done on exit."""
    from tqdm import tqdm

    buffer = Buffer()
    with tqdm(
        total=report.total,
        initial=report.skipped,
        unit="run",
        desc=name,
        disable=options.quiet,
        dynamic_ncols=True,
        smoothing=0.05,
    ) as bar:
        try:
            for run, result in executor.results(todo):
                if isinstance(result, RunFailure):
                    store.record_failure(run.run_id, result.error)
                    report.failed += 1
                else:
                    buffer.add(run.run_id, result)
                    report.completed += 1
                if buffer.due(options):
                    buffer.commit(store)
                bar.update(1)
        finally:
            buffer.commit(store)


# --- the manifest and the design table ------------------------------------------------------


def prepare_directory(
    store: ResultStore, experiment: Experiment, options: BatchOptions, executor: Executor
) -> None:
    """Check the directory holds this experiment (or nothing yet); write the manifest and design."""
    path = store.directory / "manifest.json"
    if path.exists():
        manifest = json.loads(path.read_text())
        if manifest["experiment"]["fingerprint"] != experiment.fingerprint():
            raise StoreError(
                f"{store.directory} holds the results of another experiment "
                f"({manifest['experiment']['name']}, or the same one since edited, or its "
                "scenario changed); use a new --out directory"
            )
    else:
        manifest = new_manifest(experiment)
        write_design(store.directory / "design.parquet", experiment)
    manifest["invocations"].append(
        {
            "command": list(options.command),
            "executor": executor.description,
            "started": now(),
            "host": platform.node(),
            "versions": versions(),
        }
    )
    write_atomically(path, json.dumps(manifest, indent=1))


def total_runs(experiment: Experiment) -> int:
    """Design points x replications."""
    return count_points(experiment.spec) * experiment.spec.experiment.replications


def new_manifest(experiment: Experiment) -> dict:
    """The manifest of a new output directory."""
    spec = experiment.spec
    scenario = experiment.scenario
    return {
        "experiment": {
            "name": experiment.name,
            "file": experiment.origin,
            "fingerprint": experiment.fingerprint(),
            "text": experiment.text,
            "content": msgspec.to_builtins(spec),
        },
        "scenario": {"id": scenario.id, "hash": scenario.hash, "origin": scenario.origin},
        "design": {
            "kind": spec.design.kind,
            "points": count_points(spec),
            "replications": spec.experiment.replications,
            "runs": total_runs(experiment),
            "turns": experiment.turns,
        },
        "seeds": {
            "root": spec.experiment.seed,
            "common_random_numbers": spec.experiment.common_random_numbers,
            "source": "numpy.random.SeedSequence(root).spawn(...)",
            "replication_seeds": replication_seeds(spec) if spec.experiment.common_random_numbers else None,
            "per_run": [run.seed for run in iter_runs(spec)]
            if total_runs(experiment) <= MANIFEST_SEEDS
            else "design.parquet, column seed (and every row of the dataset)",
        },
        "dataset": {"path": "results", "partitioning": "hive: metric", "design": "design.parquet"},
        "created": now(),
        "invocations": [],
        "status": {},
    }


def write_design(path: Path, experiment: Experiment, batch_size: int = 65_536) -> None:
    """design.parquet: one row per run with its keys, seed and factor levels (written in batches)."""
    factors = experiment.spec.factors
    schema = pa.schema(
        [("run_id", pa.int64()), ("point", pa.int64()), ("replication", pa.int64()), ("seed", pa.int64())]
        + [(f.name, ARROW_TYPES[f.column_type()]) for f in factors]
    )
    temporary = path.with_name(path.name + ".tmp")
    with pq.ParquetWriter(temporary, schema) as writer:
        runs = iter_runs(experiment.spec)
        while batch := list(itertools.islice(runs, batch_size)):
            columns = [
                [r.run_id for r in batch],
                [r.point for r in batch],
                [r.replication for r in batch],
                [r.seed for r in batch],
            ] + [[r.levels[f.name] for r in batch] for f in factors]
            writer.write_table(pa.table(columns, schema=schema))
    temporary.replace(path)


def close_invocation(store: ResultStore, report: BatchReport) -> None:
    """Record how the invocation ended and how far the batch is."""
    path = store.directory / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["invocations"][-1] |= {
        "finished": now(),
        "runs_completed": report.completed,
        "runs_failed": report.failed,
        "seconds": round(report.seconds, 3),
    }
    finished = len(store.finished_runs())
    manifest["status"] = {
        "runs_total": report.total,
        "runs_finished": finished,
        "complete": finished == report.total,
    }
    write_atomically(path, json.dumps(manifest, indent=1))


def versions() -> dict[str, str]:
    """Versions of Python and the packages a run depends on."""
    return {name: safe_version(name) for name in VERSIONED} | {"python": platform.python_version()}


def now() -> str:
    """The time, ISO 8601 in UTC."""
    return datetime.now(UTC).isoformat(timespec="seconds")
