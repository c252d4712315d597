"""Output targets checked before a run: a file name in an existing, writable folder, or a folder.

Checking first means a mistyped `--save` or `--out` costs nothing; the write itself still
handles a disk that fills up meanwhile (see `reason`).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path


class WritableError(ValueError):
    """An output target that cannot be written; the message names the flag and the path."""


def check_file_target(path: Path, flag: str) -> None:
    """`path` names a file (new or to replace) in an existing folder we may write in."""
    if str(path) in ("", "."):
        raise WritableError(f"{flag}: give a file name")
    if path.is_dir():
        raise WritableError(f"{flag}: {path} is a folder; give a file name such as {path / 'game.json'}")
    folder = path.parent
    if not folder.is_dir():
        raise WritableError(f"{flag}: no folder {folder} to write {path.name} in (create it first)")
    check_writable(folder, flag)


def check_folder_target(path: Path, flag: str) -> None:
    """`path` is a folder, or can be created, in a place we may write in."""
    existing = path
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise WritableError(f"{flag}: {existing} is a file, so {path} cannot be a folder")
    check_writable(existing, flag)


def check_writable(folder: Path, flag: str) -> None:
    """The process may create files in `folder` (a read-only disk fails here too)."""
    if not os.access(folder, os.W_OK | os.X_OK):
        raise WritableError(f"{flag}: cannot write in {folder} (read-only or no permission)")


def reason(error: OSError) -> str:
    """An OSError in words, with its code: 'No space left on device (ENOSPC)'."""
    code = errno.errorcode.get(error.errno or 0, "")
    text = error.strerror or str(error)
    return f"{text} ({code})" if code else text
