"""Metrics an experiment defines: a Python function by import path, or a selector over a table.

    [[metrics]]                          # a function: snapshot and focus country in, values out
    name = "india_magnet_buffer"
    function = "my_metrics:india_magnet_buffer"
    dimensions = ["mineral"]
    unit = "t"

    [[metrics]]                          # a selector over the snapshot's tidy tables
    name = "india_magnet_stockpile"
    table = "figures"                    # figures (country, mineral, stage) or flows
    column = "stockpile"
    where = { country = "IND", stage = "magnet" }
    by = ["mineral"]                     # dimensions kept; the others are aggregated
    aggregate = "sum"                    # sum | mean | max | min
    unit = "t"

A function is called after every turn as `function(snapshot, focus)` with the engine's
`WorldSnapshot`; it returns one number (a metric without dimensions) or a mapping from a key
(the value of the one dimension, or a tuple of the dimensions in order) to a number. Its
module is imported when the experiment is loaded (from the installed packages, PYTHONPATH or
the experiment file's folder), so a wrong path fails before anything runs.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from critmin.core.snapshot import CountryFigures
from critmin.research.metrics import Rows, add_rows

if TYPE_CHECKING:
    from critmin.core.snapshot import WorldSnapshot
    from critmin.research.experiment_file import MetricSpec

TABLES: dict[str, dict[str, str]] = {  # dimension -> field of the table's records
    "figures": {"country": "country", "mineral": "mineral", "stage": "stage"},
    "flows": {"country": "exporter", "partner": "importer", "mineral": "mineral", "stage": "stage"},
}
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "figures": tuple(  # the numeric fields of the snapshot's figures
        name for name, kind in CountryFigures.__annotations__.items() if kind in ("float", float)
    ),
    "flows": ("tonnes",),
}
AGGREGATES: dict[str, Callable[[list[float]], float]] = {
    "sum": sum,
    "mean": lambda v: sum(v) / len(v),
    "max": max,
    "min": min,
}


class MetricError(ValueError):
    """A user metric that cannot be used (bad import path, unknown column)."""


def add_search_path(folder: Path) -> None:
    """Let modules beside the experiment file be imported (here and in spawned workers)."""
    path = str(folder.resolve())
    if path not in sys.path:
        sys.path.append(path)


@lru_cache(maxsize=64)
def resolve(path: str) -> Callable[..., Any]:
    """The function at `module:function`; MetricError says what is wrong."""
    module_name, colon, attribute = path.partition(":")
    if not colon or not module_name or not attribute:
        raise MetricError(f"{path!r} is not an import path of the form module:function")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise MetricError(f"cannot import module {module_name!r}: {error}") from None
    function = module
    for part in attribute.split("."):
        function = getattr(function, part, None)
        if function is None:
            raise MetricError(f"module {module_name!r} has no {attribute!r}")
    if not callable(function):
        raise MetricError(f"{path} is not callable")
    try:
        inspect.signature(function).bind(None, "CHN")
    except TypeError:
        raise MetricError(f"{path} must accept (snapshot, focus)") from None
    except ValueError:  # no signature (a builtin): try it at run time
        pass
    return function


def selector_problems(spec: MetricSpec) -> list[str]:
    """What is wrong with a selector metric's table, column, where and by."""
    table = spec.table or ""
    problems = []
    if spec.column not in TABLE_COLUMNS[table]:
        problems.append(f"column: {table} has no column {spec.column!r} ({', '.join(TABLE_COLUMNS[table])})")
    for name in (*spec.where, *spec.by):
        if name not in TABLES[table]:
            problems.append(f"{name}: not a dimension of {table} ({', '.join(TABLES[table])})")
    return problems


def user_rows(rows: Rows, snapshot: WorldSnapshot, focus: str, specs: tuple[MetricSpec, ...]) -> None:
    """Append the rows of every user metric for the turn just played."""
    for spec in specs:
        if spec.function is not None:
            values = resolve(spec.function)(snapshot, focus)
            keys, numbers = function_rows(spec, values)
        else:
            keys, numbers = selector_rows(spec, snapshot)
        add_rows(rows, spec.name, keys, numbers)


def function_rows(spec: MetricSpec, values: Any) -> tuple[list[dict], list[float]]:
    """A function's result as rows keyed by the metric's dimensions."""
    if not isinstance(values, Mapping):
        if spec.dimensions:
            raise MetricError(
                f"metric {spec.name}: {spec.function} returned a number, not a mapping by "
                f"{', '.join(spec.dimensions)}"
            )
        return [{}], [float(values)]
    keys = []
    for key in values:
        parts = key if isinstance(key, tuple) else (key,)
        if len(parts) != len(spec.dimensions):
            raise MetricError(f"metric {spec.name}: key {key!r} does not match dimensions {spec.dimensions}")
        keys.append(dict(zip(spec.dimensions, parts, strict=True)))
    return keys, [float(v) for v in values.values()]


def selector_rows(spec: MetricSpec, snapshot: WorldSnapshot) -> tuple[list[dict], list[float]]:
    """A selector's rows: matching records, grouped by `by`, their column aggregated."""
    fields = TABLES[spec.table or ""]
    records = snapshot.figures if spec.table == "figures" else snapshot.flows
    wanted = {fields[k]: set(v) if isinstance(v, list | tuple) else {v} for k, v in spec.where.items()}
    groups: dict[tuple, list[float]] = {}
    for record in records:
        if all(getattr(record, name) in allowed for name, allowed in wanted.items()):
            key = tuple(getattr(record, fields[d]) for d in spec.by)
            groups.setdefault(key, []).append(float(getattr(record, spec.column or "")))
    if not spec.by and not groups:
        groups[()] = [0.0] if spec.aggregate == "sum" else []
    aggregate = AGGREGATES[spec.aggregate]
    kept = {key: aggregate(v) for key, v in sorted(groups.items()) if v}
    return [dict(zip(spec.by, key, strict=True)) for key in kept], list(kept.values())
