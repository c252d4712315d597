"""The batch runner: plan an experiment's runs, skip finished ones, play the rest, stream results.

    experiment = load_experiment("stockpile.toml")
    with LocalExecutor(workers=4) as executor:
        report = run_batch(experiment, executor, BatchOptions(out=Path("runs/stockpile")))

Results are committed in parts as runs finish (see `store`), so memory stays flat and an
interrupted batch, run again with the same experiment and directory, plays only the runs
that are missing. The manifest records the experiment and its scenario's content, versions
and critmin's git commit, seeds, and every invocation with its command, working directory
and status: `running` while it plays, then `done`, `failed` (runs failed, or it broke) or
`interrupted` (Ctrl-C or SIGTERM; one found still `running` by a later invocation was killed).
"""

from __future__ import annotations

import itertools
import json
import os
import platform
import signal
import subprocess
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import msgspec
import pyarrow as pa
import pyarrow.parquet as pq

from critmin.engine.outputs import safe_version
from critmin.research.design import Run, iter_runs, replication_seeds
from critmin.research.executors import Executor, RunFailure
from critmin.research.experiment import Experiment, ExperimentError, count_points, small_design
from critmin.research.schema import design_schema
from critmin.research.simulate import RunContext
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
    run_timeout_s: float | None = None
    force: bool = False


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
    """Play the runs of `experiment` not yet in `options.out`; returns what was done.

    A sensitivity design below its minimum samples is refused (ExperimentError) unless forced.
    """
    problem = small_design(experiment.spec)
    if problem and not options.force:
        raise ExperimentError(f"{Path(experiment.origin).name}: {problem}")
    store = ResultStore(options.out)
    with store.exclusive():
        store.recover()
        prepare_directory(store, experiment, options, executor)
        finished = store.finished_runs()
        todo = (run for run in iter_runs(experiment.spec) if run.run_id not in finished)
        report = BatchReport(total=total_runs(experiment), skipped=len(finished))
        start, status = time.monotonic(), "failed"
        try:
            with sigterm_interrupts():
                if report.skipped < report.total:
                    executor.start(RunContext.of(experiment, options.run_timeout_s))
                    play(executor, todo, store, options, report, experiment.name)
            status = "failed" if report.failed else "done"
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        finally:
            report.seconds = time.monotonic() - start
            close_invocation(store, report, status)
    return report


class sigterm_interrupts:  # noqa: N801 (a context manager used like a function)
    """SIGTERM (a cluster's job limit, `kill`) stops the batch as Ctrl-C does (main thread only)."""

    def __enter__(self) -> None:
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGTERM, self.interrupt)

    def __exit__(self, *exc_info: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)

    @staticmethod
    def interrupt(signum: int, frame: object) -> None:
        """Raise KeyboardInterrupt where the batch is."""
        raise KeyboardInterrupt(f"signal {signum}")


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
    for earlier in manifest["invocations"]:
        if earlier.get("status") == "running":  # we hold the lock: that one was killed
            earlier["status"] = "interrupted"
    manifest["invocations"].append(
        {
            "command": list(options.command),
            "working_directory": os.getcwd(),
            "executor": executor.description,
            "run_timeout_s": options.run_timeout_s,
            "forced": options.force,
            "started": now(),
            "host": platform.node(),
            "pid": os.getpid(),
            "versions": versions(),
            "critmin_git": git_commit(),
            "status": "running",
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
        "scenario": {
            "id": scenario.id,
            "hash": scenario.hash,
            "origin": scenario.origin,
            "content": scenario.content,
        },
        "critmin": {"version": safe_version("critmin"), "git": git_commit()},
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
    schema = design_schema(factors)
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


def close_invocation(store: ResultStore, report: BatchReport, status: str) -> None:
    """Record how the invocation ended (done, failed or interrupted) and how far the batch is."""
    path = store.directory / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["invocations"][-1] |= {
        "status": status,
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


@cache
def git_commit() -> dict[str, str | bool] | None:
    """The git commit of critmin's source checkout (and whether it has local changes), or None."""
    import critmin

    folder = Path(critmin.__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10
        )
        changes = subprocess.run(
            ["git", "-C", str(folder), "status", "--porcelain", "--", "."],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if commit.returncode != 0:
        return None
    return {"commit": commit.stdout.strip(), "dirty": bool(changes.stdout.strip())}


def now() -> str:
    """The time, ISO 8601 in UTC."""
    return datetime.now(UTC).isoformat(timespec="seconds")
