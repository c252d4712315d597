"""The results of a batch: one Parquet dataset partitioned by metric, written in committed parts.

Layout of an output directory:

    manifest.json                      inputs, versions, seeds, commands, progress
    design.parquet                     one row per run: run_id, point, replication, seed, factors
    results/metric=NAME/part-N.parquet the rows (Hive partitioning: `metric` comes from the path)
    _commits/part-N.json               which runs part N holds, and its files
    failures.jsonl                     runs that raised, with the error (retried by a rerun)

A part is written to `_staging/part-N/`, then committed by writing `_commits/part-N.json`
atomically, then moved into `results/`. A run is finished when a commit lists it. Opening
the store rolls committed parts forward and deletes uncommitted ones, so an interrupted
batch leaves each run in the dataset exactly once, or not at all.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

RESULTS, COMMITS, STAGING = "results", "_commits", "_staging"


class StoreError(RuntimeError):
    """An output directory that cannot be used (locked by another batch, or damaged)."""


class ResultStore:
    """The dataset of one output directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.results = self.directory / RESULTS
        self.commits = self.directory / COMMITS
        self.staging = self.directory / STAGING

    def recover(self) -> None:
        """Finish committed parts left in staging; drop parts that never committed."""
        if not self.staging.exists():
            return
        for part in sorted(self.staging.iterdir()):
            commit = self.commits / f"{part.name}.json"
            if commit.exists():
                self.publish(part, json.loads(commit.read_text())["files"])
            shutil.rmtree(part, ignore_errors=True)

    def finished_runs(self) -> set[int]:
        """Run ids of every committed part."""
        finished: set[int] = set()
        for commit in self.commit_files():
            finished.update(json.loads(commit.read_text())["runs"])
        return finished

    def commit_files(self) -> list[Path]:
        """The commit records, in part order."""
        return sorted(self.commits.glob("part-*.json")) if self.commits.exists() else []

    def next_part(self) -> int:
        """The number of the next part."""
        numbers = [int(p.stem.removeprefix("part-")) for p in self.commit_files()]
        return max(numbers, default=-1) + 1

    def commit(self, table: pa.Table, runs: list[int]) -> int:
        """Write the rows of finished runs as one part; returns its number."""
        number = self.next_part()
        name = f"part-{number:06d}"
        staged = self.staging / name
        files = []
        for metric in pc.unique(table["metric"]).to_pylist():
            rows = table.filter(pc.field("metric") == metric).drop_columns(["metric"])
            relative = f"metric={metric}/{name}.parquet"
            (staged / relative).parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(rows, staged / relative)
            files.append(relative)
        write_atomically(
            self.commits / f"{name}.json", json.dumps({"part": number, "runs": sorted(runs), "files": files})
        )
        self.publish(staged, files)
        shutil.rmtree(staged, ignore_errors=True)
        return number

    def publish(self, staged: Path, files: list[str]) -> None:
        """Move a committed part's files from staging into the dataset."""
        for relative in files:
            source, target = staged / relative, self.results / relative
            if source.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(source, target)

    def dataset(self, schema: pa.Schema | None = None) -> ds.Dataset:
        """The results as a pyarrow dataset (`metric` is the Hive partition)."""
        partitioning = ds.partitioning(pa.schema([("metric", pa.string())]), flavor="hive")
        if not self.results.exists():
            raise StoreError(f"{self.directory}: no results yet")
        return ds.dataset(self.results, format="parquet", partitioning=partitioning, schema=schema)

    @contextmanager
    def locked(self) -> Iterator[bool]:
        """Try the directory's lock; yields whether it was taken (False: a batch holds it)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with (self.directory / ".lock").open("a") as handle:
            yield take_lock(handle)

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the directory's lock for a batch; StoreError if another batch holds it."""
        with self.locked() as held:
            if not held:
                raise StoreError(f"{self.directory} is in use by another batch (see its manifest.json)")
            yield

    def record_failure(self, run_id: int, error: str) -> None:
        """Append a failed run to failures.jsonl."""
        with (self.directory / "failures.jsonl").open("a", encoding="utf-8") as stream:
            stream.write(json.dumps({"run_id": run_id, "error": error}) + "\n")


def take_lock(handle) -> bool:
    """An exclusive advisory lock on an open file, without waiting; True when taken."""
    try:
        import fcntl
    except ImportError:  # no advisory locks on this platform: trust the user
        return True
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def write_atomically(path: Path, text: str) -> None:
    """Write a file so that readers see the old content or the new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, path)


def read_results(directory: str | Path, columns: list[str] | None = None, filter=None) -> pa.Table:
    """Read an output directory's results (after repairing an interrupted batch's leftovers)."""
    store = ResultStore(Path(directory))
    with store.locked() as held:
        if held:  # no batch is writing: safe to repair
            store.recover()
    table = store.dataset().to_table(columns=columns, filter=filter)
    if columns is None and "metric" in table.column_names:  # the partition column, after `turn`
        names = [n for n in table.column_names if n != "metric"]
        names.insert(names.index("turn") + 1 if "turn" in names else 0, "metric")
        table = table.select(names)
    return table
