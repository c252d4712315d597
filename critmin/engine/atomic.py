"""Atomic file writes: a temporary file beside the target, fsynced, then renamed over it.

A reader (or a crash, a kill -9, a full disk) therefore sees either the old file or the whole
new one under the final name, never a truncated one — as SQLite and git write their files.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TEMPORARY_SUFFIX = ".partial"


def write_atomic(path: Path, data: bytes) -> Path:
    """Write `data` to `path` atomically; returns the path."""
    with atomic_path(path) as temporary, temporary.open("wb") as stream:
        stream.write(data)
    return path


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path to write to; on success it is fsynced and renamed to `path`.

    On any failure the temporary file is removed and `path` is left as it was.
    """
    path = Path(path)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX, dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        os.chmod(temporary, 0o666 & ~current_umask())
        yield temporary
        fsync(temporary)
        commit(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def commit(temporary: Path, path: Path) -> None:
    """Rename the finished temporary file over the target and make the rename durable."""
    os.replace(temporary, path)
    fsync(path.parent)


def fsync(path: Path) -> None:
    """Flush a file's (or a folder's) data to the disk."""
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def current_umask() -> int:
    """The process's umask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def is_temporary(path: Path) -> bool:
    """True for a temporary file left by an interrupted atomic write."""
    return path.name.startswith(".") and path.name.endswith(TEMPORARY_SUFFIX)
