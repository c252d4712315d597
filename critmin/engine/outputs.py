"""Run outputs: tidy tables and a manifest of inputs, seed, versions and command line."""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Protocol

import numpy as np
import pyarrow as pa

from critmin.core.vocabulary import SECTORS
from critmin.engine.atomic import write_atomic
from critmin.engine.records import Recorder, events_table, write_tables
from critmin.engine.run_folder import MANIFEST, check_run_folder, clear_run_folder
from critmin.engine.world import World

VERSIONED = ("critmin", "mesa", "numpy", "numba", "scipy", "pyarrow", "msgspec")


class Run(Protocol):
    """What a run's outputs are made from (engine.model.WorldModel)."""

    world: World
    recorder: Recorder
    seed: int
    hashes: list[str]

    def state_hash(self) -> str:
        """The state hash now."""
        ...


def run_tables(world: World, recorder: Recorder) -> dict[str, pa.Table]:
    """The run's tidy tables: flows, prices, countries, events, sectors (lost output)."""
    return {
        "flows": recorder.flows_table(),
        "prices": recorder.prices_table(),
        "countries": recorder.countries_table(),
        "events": events_table(world.events),
        "sectors": sectors_table(world),
    }


def sectors_table(world: World) -> pa.Table:
    """Per turn, country and sector with demand: the value of final output lost to shortages."""
    rows: dict[str, list] = {"turn": [], "country": [], "sector": [], "lost_output_usd_m": []}
    active = world.state.final_demand.sum(axis=(2, 3)) > 0  # (K, C)
    for turn, lost in enumerate(world.lost_output):
        for k, c in zip(*np.nonzero(active), strict=True):
            rows["turn"].append(turn)
            rows["country"].append(world.index.countries[c])
            rows["sector"].append(SECTORS[k].value)
            rows["lost_output_usd_m"].append(float(lost[k, c]))
    return pa.table(rows)


def manifest(run: Run, command_line: list[str] | None = None) -> dict:
    """What produced the run: scenario, seed, turns, versions, command line, time."""
    scenario = run.world.scenario
    return {
        "scenario": {"id": scenario.id, "hash": scenario.hash, "origin": scenario.origin},
        "seed": run.seed,
        "turns": run.world.turn,
        "final_state_hash": final_state_hash(run),
        "versions": {name: safe_version(name) for name in VERSIONED} | {"python": platform.python_version()},
        "command": command_line or [],
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def final_state_hash(run: Run) -> str | None:
    """The state hash after the last turn: the recorded one, else computed now (None before any turn).

    A run that keeps no per-turn hashes (`record_hashes=False`: nothing to save or replay) pays
    for one hash, at the end.
    """
    if run.hashes:
        return run.hashes[-1]
    return run.state_hash() if run.world.turn else None


def safe_version(package: str) -> str:
    """A package's installed version, or 'unknown'."""
    try:
        return version(package)
    except Exception:
        return "unknown"


def write_run(
    run: Run,
    directory: Path,
    file_format: str = "parquet",
    command_line: list[str] | None = None,
    force: bool = False,
) -> list[Path]:
    """Write the tables, then manifest.json, into `directory`; returns the paths.

    Every file is written atomically. A folder that already holds a run is refused unless
    `force` (then its old files go first). If writing fails (a full disk, a read-only folder)
    the files of this run written so far are removed and the OSError is raised.

    Raises:
        RunFolderError: the folder cannot take the run.
        OSError: writing failed; the folder holds no file of this run.

    """
    check_run_folder(directory, force)
    directory.mkdir(parents=True, exist_ok=True)
    clear_run_folder(directory)
    written: list[Path] = []
    try:
        for name, table in run_tables(run.world, run.recorder).items():
            written += write_tables({name: table}, directory, file_format)
        data = manifest(run, command_line) | {"files": [p.name for p in written]}
        written.append(write_atomic(directory / MANIFEST, json.dumps(data, indent=1).encode()))
    except OSError:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written
