"""The dataset's schemas, self-described: a description and a unit on every column.

Each Arrow field carries metadata `description` and `unit`, written into the Parquet files'
schema, and each schema says how turns are counted. pyarrow reads them back with
`pq.read_schema(path).field(name).metadata`; other readers see them in the Parquet footer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from critmin.research.metrics import UNIT_COLUMNS, UNIT_MEANINGS, MetricInfo

if TYPE_CHECKING:
    from critmin.research.experiment_file import FactorSpec

ARROW_TYPES = {"bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(), "string": pa.string()}
TEXT = pa.dictionary(pa.int32(), pa.string())
TURN_BASE = (
    "turn 0 is the first turn played (the quarter of the scenario's start date); "
    "row values are those at the end of that turn"
)
KEYS = (
    ("run_id", pa.int64(), "id", "the run: point x replications + replication"),
    ("point", pa.int64(), "id", "the design point (one combination of factor levels)"),
    ("replication", pa.int64(), "id", "the replication of the point (with common random numbers: its seed)"),
    ("seed", pa.int64(), "id", "the run's seed, child of numpy.random.SeedSequence(experiment.seed)"),
)
DIMENSION_FIELDS = (
    ("metric", "label", "the metric's name (see the value column of its unit)"),
    ("country", "ISO 3166-1 alpha-3", "the country (WLD: the world); for flows, the exporter"),
    ("partner", "ISO 3166-1 alpha-3", "for flows, the importer; null otherwise"),
    ("mineral", "label", "the mineral"),
    ("stage", "label", "the stage of the chain (mine, refined, magnet, ...)"),
)


def described(name: str, kind: pa.DataType, unit: str, description: str) -> pa.Field:
    """A field with its unit and description as metadata."""
    return pa.field(name, kind, metadata={"description": description, "unit": unit})


def factor_fields(factors: tuple[FactorSpec, ...]) -> list[pa.Field]:
    """One field per factor."""
    return [described(f.name, ARROW_TYPES[f.column_type()], f.unit or "level", f.meaning()) for f in factors]


def key_fields() -> list[pa.Field]:
    """run_id, point, replication, seed."""
    return [described(*key) for key in KEYS]


def design_schema(factors: tuple[FactorSpec, ...]) -> pa.Schema:
    """design.parquet: one row per run."""
    return pa.schema(
        key_fields() + factor_fields(factors), metadata={"description": "one row per run of the batch"}
    )


def results_schema(factors: tuple[FactorSpec, ...], metrics: dict[str, MetricInfo]) -> pa.Schema:
    """The result rows: run keys, factors, turn, dimensions, one value column per unit used."""
    units = {info.unit for info in metrics.values()}
    values = [
        described(
            column,
            pa.float64(),
            unit,
            f"{UNIT_MEANINGS[unit]}; the value of "
            + ", ".join(name for name, info in metrics.items() if info.unit == unit)
            + " (null on rows of other metrics)",
        )
        for unit, column in UNIT_COLUMNS.items()
        if unit in units
    ]
    fields = [
        *key_fields(),
        *factor_fields(factors),
        described("turn", pa.int32(), "turn (a quarter)", TURN_BASE),
        *(described(name, TEXT, unit, meaning) for name, unit, meaning in DIMENSION_FIELDS),
        *values,
    ]
    return pa.schema(
        fields, metadata={"description": "one row per run x turn x metric x dimensions", "turn": TURN_BASE}
    )
