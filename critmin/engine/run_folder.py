"""A run folder holds one run: a second run into it is refused unless forced, then the old files go.

A run's files are its tables and `manifest.json`, written last, so a folder without a manifest
holds no complete run.
"""

from __future__ import annotations

from pathlib import Path

from critmin.engine.atomic import is_temporary

TABLES = ("flows", "prices", "countries", "events", "sectors")  # outputs.run_tables, in order
FORMATS = ("parquet", "csv")
MANIFEST = "manifest.json"


class RunFolderError(ValueError):
    """A run folder that cannot take this run; the message says why and what to do."""


def is_run_file(path: Path) -> bool:
    """True for a file a run writes (or a temporary file an interrupted run left)."""
    tables = {f"{table}.{suffix}" for table in TABLES for suffix in FORMATS}
    return path.name == MANIFEST or path.name in tables or is_temporary(path)


def check_run_folder(directory: Path, force: bool = False) -> None:
    """Raise RunFolderError unless `directory` can take a new run (with `force`: replacing one)."""
    if str(directory) in ("", "."):
        raise RunFolderError("--out: give a folder for the run (not the working directory)")
    if directory.exists() and not directory.is_dir():
        raise RunFolderError(f"--out: {directory} is a file, not a folder")
    if not directory.exists():
        return
    entries = sorted(directory.iterdir())
    if entries and not force:
        names = ", ".join(p.name for p in entries[:4]) + (", ..." if len(entries) > 4 else "")
        raise RunFolderError(
            f"--out: {directory} already holds files ({names}); a run folder holds one run: "
            "choose another folder, or pass --force to replace the run in it"
        )
    foreign = [p.name for p in entries if not is_run_file(p) or not p.is_file()]
    if foreign:
        raise RunFolderError(
            f"--out: {directory} holds files no run wrote ({', '.join(foreign[:4])}); "
            "--force only replaces a previous run, so move them away first"
        )


def clear_run_folder(directory: Path) -> None:
    """Remove the previous run's files, the manifest first (the folder then holds no complete run)."""
    manifest = directory / MANIFEST
    manifest.unlink(missing_ok=True)
    for path in directory.iterdir():
        if is_run_file(path):
            path.unlink()
