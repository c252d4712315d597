"""Bounded reading of input files: decode, parse, then bound size, depth, counts and numbers.

Every file kind (scenario, experiment, save) reads through here before its schema is applied,
so a hostile or broken file gives a `ReadError` naming the file and the field, never a
traceback, and never runs for minutes.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 24
MAX_ITEMS = 100_000
MAX_STRING = 100_000
MAX_NUMBER = 1e15
MAX_INT = 2**63 - 1


class ReadError(ValueError):
    """A file that cannot be read or parsed or is out of bounds; the message names file and field."""


def read_text(path: Path, what: str = "file") -> str:
    """A file's text: at most MAX_FILE_BYTES, UTF-8."""
    name = Path(path).name
    try:
        with Path(path).open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise ReadError(f"{name}: cannot read file: {error.strerror or error}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ReadError(f"{name}: {what} is larger than {MAX_FILE_BYTES // 2**20} MB")
    return decode(data, name)


def decode(data: bytes, name: str) -> str:
    """UTF-8 text, or a ReadError giving the offending byte and its line."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ReadError(
            f"{name}: line {line}: not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})"
        ) from None


def parse_toml(text: str, name: str) -> dict[str, Any]:
    """Parse TOML text and bound its contents."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ReadError(f"{name}: TOML syntax error: {error}") from None
    except RecursionError:
        raise ReadError(f"{name}: nested more than {MAX_DEPTH} levels deep") from None
    check_bounds(data, name)
    return data


def read_toml(path: Path, what: str = "file") -> dict[str, Any]:
    """Read, decode, parse and bound a TOML file."""
    return parse_toml(read_text(path, what), Path(path).name)


def check_bounds(data: Any, name: str) -> None:
    """Raise ReadError for the first value out of bounds, naming its field path."""
    for path, problem in bound_problems(data):
        raise ReadError(f"{name}: {path or '(top level)'}: {problem}")


def bound_problems(data: Any) -> Iterator[tuple[str, str]]:
    """(field path, problem) for values nested too deep, too long or not finite (iterative walk)."""
    stack: list[tuple[str, Any, int]] = [("", data, 0)]
    while stack:
        path, value, depth = stack.pop()
        if depth > MAX_DEPTH:
            yield path, f"nested more than {MAX_DEPTH} levels deep"
            return
        if isinstance(value, dict):
            if len(value) > MAX_ITEMS:
                yield path, f"has {len(value):,} entries, more than {MAX_ITEMS:,}"
                return
            for key, item in reversed(value.items()):
                stack.append((f"{path}.{key}" if path else str(key), item, depth + 1))
        elif isinstance(value, list | tuple):
            if len(value) > MAX_ITEMS:
                yield path, f"has {len(value):,} items, more than {MAX_ITEMS:,}"
                return
            stack.extend((f"{path}[{i}]", item, depth + 1) for i, item in reversed(list(enumerate(value))))
        elif problem := scalar_problem(value):
            yield path, problem
            return


def scalar_problem(value: Any) -> str | None:
    """Why a scalar is out of bounds, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and abs(value) > MAX_INT:
        return f"expected a whole number within +/-{MAX_INT}, got one with {len(str(abs(value)))} digits"
    if isinstance(value, float) and not (math.isfinite(value) and abs(value) <= MAX_NUMBER):
        return f"expected a finite number of at most {MAX_NUMBER:g} in size, got {value!r}"
    if isinstance(value, str) and len(value) > MAX_STRING:
        return f"text of {len(value):,} characters is longer than {MAX_STRING:,}"
    return None
