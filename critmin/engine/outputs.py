"""Run outputs: tidy tables and a manifest of inputs, seed, versions and command line."""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from critmin.engine.atomic import write_atomic
from critmin.engine.records import events_table, write_tables
from critmin.engine.run_folder import MANIFEST, check_run_folder, clear_run_folder

if TYPE_CHECKING:
    from critmin.engine.model import WorldModel

VERSIONED = ("critmin", "mesa", "numpy", "numba", "scipy", "pyarrow", "msgspec")


def run_tables(model: WorldModel) -> dict[str, pa.Table]:
    """The run's tidy tables: flows, prices, countries, events, sectors (lost output)."""
    recorder = model.recorder
    return {
        "flows": recorder.flows_table(),
        "prices": recorder.prices_table(),
        "countries": recorder.countries_table(),
        "events": events_table(model.events),
        "sectors": sectors_table(model),
    }


def sectors_table(model: WorldModel) -> pa.Table:
    """Per turn, country and sector with demand: the value of final output lost to shortages."""
    from critmin.core.vocabulary import SECTORS

    rows: dict[str, list] = {"turn": [], "country": [], "sector": [], "lost_output_usd_m": []}
    active = model.state.final_demand.sum(axis=(2, 3)) > 0  # (K, C)
    for turn, lost in enumerate(model.lost_output):
        for k, c in zip(*np.nonzero(active), strict=True):
            rows["turn"].append(turn)
            rows["country"].append(model.index.countries[c])
            rows["sector"].append(SECTORS[k].value)
            rows["lost_output_usd_m"].append(float(lost[k, c]))
    return pa.table(rows)


def manifest(model: WorldModel, command_line: list[str] | None = None) -> dict:
    """What produced the run: scenario, seed, turns, versions, command line, time."""
    return {
        "scenario": {
            "id": model.world_scenario.id,
            "hash": model.world_scenario.hash,
            "origin": model.world_scenario.origin,
        },
        "seed": model.seed,
        "turns": model.turn,
        "final_state_hash": final_state_hash(model),
        "versions": {name: safe_version(name) for name in VERSIONED} | {"python": platform.python_version()},
        "command": command_line or [],
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def final_state_hash(model: WorldModel) -> str | None:
    """The state hash after the last turn: the recorded one, else computed now (None before any turn).

    A run that keeps no per-turn hashes (`record_hashes=False`: nothing to save or replay) pays
    for one hash, at the end.
    """
    if model.hashes:
        return model.hashes[-1]
    return model.state_hash() if model.turn else None


def safe_version(package: str) -> str:
    """A package's installed version, or 'unknown'."""
    try:
        return version(package)
    except Exception:
        return "unknown"


def write_run(
    model: WorldModel,
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
        for name, table in run_tables(model).items():
            written += write_tables({name: table}, directory, file_format)
        data = manifest(model, command_line) | {"files": [p.name for p in written]}
        written.append(write_atomic(directory / MANIFEST, json.dumps(data, indent=1).encode()))
    except OSError:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written
