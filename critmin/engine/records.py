"""What a run records each turn, and the tidy tables made from it.

Tables (one row per ...): `countries` turn x country x mineral x stage; `prices` turn x mineral x
stage x country; `flows` turn x mineral x stage x exporter x importer (international, > 0);
`events` one per event. Written as Parquet (or CSV) by `write_tables`.

The recorder keeps each turn's arrays as their non-zero entries (`Sparse`): world-2024 has ~700
non-zero flows a turn in its (M, S, C, C) = 107,000 cells.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from critmin.engine import route_sums
from critmin.engine.atomic import atomic_path
from critmin.engine.dependence import top_foreign_suppliers
from critmin.engine.pairwise_sum import row_sums
from critmin.engine.state import Constants, Index, WorldState


@dataclass
class TurnFigures:
    """The flows of goods of one turn, (C, M, S) unless noted."""

    production: np.ndarray
    feed_used: np.ndarray
    recycled: np.ndarray
    arrived: np.ndarray
    consumption: np.ndarray
    demand: np.ndarray
    shortage: np.ndarray
    flows: np.ndarray  # (M, S, C, C)
    sold_spot: np.ndarray
    found_flows: tuple[np.ndarray, Sparse] | None = (
        None  # (flows, their non-zero entries) as trade found them
    )

    @classmethod
    def empty(cls, state: WorldState) -> TurnFigures:
        """All zeros, shaped like the state; the flows are `no_flows`, until trade sets the turn's."""
        zeros = np.zeros_like(state.capacity)
        c, m, s = zeros.shape
        return cls(
            zeros,
            zeros.copy(),
            zeros.copy(),
            zeros.copy(),
            zeros.copy(),
            zeros.copy(),
            zeros.copy(),
            no_flows((m, s, c, c)),
            zeros.copy(),
        )

    def demand_at(self, c: int, m: int, s: int) -> float:
        """Final demand this turn at one position."""
        return float(self.demand[c, m, s])

    def imports(self) -> np.ndarray:
        """(C, M, S) tonnes received from abroad."""
        return foreign_imports(self.flow_entries())

    def exports(self) -> np.ndarray:
        """(C, M, S) tonnes sent abroad."""
        return foreign_exports(self.flow_entries())

    def set_flows(self, flows: np.ndarray, routes: np.ndarray) -> None:
        """Set the turn's (M, S, C, C) `flows`, which are 0 off `routes` (flat positions, ascending)."""
        self.flows = flows
        self.found_flows = (flows, Sparse.among(flows, routes))

    def flow_entries(self) -> Sparse:
        """The flows' non-zero entries: as trade found them (`set_flows`), else by a scan of the flows."""
        found = self.found_flows
        return found[1] if found is not None and found[0] is self.flows else Sparse.of(self.flows)


@functools.cache
def no_flows(shape: tuple[int, ...]) -> np.ndarray:
    """A read-only (M, S, C, C) array of zeros, one per shape: a turn's flows before it trades.

    A fresh one each turn cost a 15.7 MB zeroing at four times world-2024's countries (the
    allocator serves arrays that size from memory it must clear); nothing writes into it.
    """
    zeros = np.zeros(shape)
    zeros.flags.writeable = False
    return zeros


def off_diagonal(flows: np.ndarray) -> np.ndarray:
    """Flows without the domestic diagonal."""
    return flows * (1 - np.eye(flows.shape[-1]))


def foreign_imports(flows: Sparse) -> np.ndarray:
    """(C, M, S) tonnes received from abroad, from the (M, S, C, C) flows' non-zero entries.

    Each importer's sum runs over exporters in order, as `off_diagonal(flows).sum(axis=2)` does
    (bit for bit, laid out alike; engine/route_sums.py).
    """
    return route_sums.imports(flows.at, flows.values, flows.shape, foreign_only=True)


def foreign_exports(flows: Sparse) -> np.ndarray:
    """(C, M, S) tonnes sent abroad: `off_diagonal(flows).sum(axis=3)` from the non-zero entries.

    Each exporter's row is summed pairwise as numpy sums it (engine/pairwise_sum.py).
    """
    n = flows.shape[-1]
    foreign = flows.at // n % n != flows.at % n
    totals = row_sums(flows.at[foreign], flows.values[foreign], int(np.prod(flows.shape[:3])), n)
    return totals.reshape(flows.shape[:3]).transpose(2, 0, 1)


@dataclass(frozen=True)
class Sparse:
    """An array kept as its non-zero entries: ascending flat positions and their values."""

    shape: tuple[int, ...]
    at: np.ndarray  # (nnz,) int32 flat positions
    values: np.ndarray  # (nnz,) the array's dtype

    @classmethod
    def of(cls, array: np.ndarray) -> Sparse:
        """The non-zero entries of `array` (values copied)."""
        at = np.flatnonzero(array != 0)  # the same entries as flatnonzero(array), found faster
        return cls(array.shape, at.astype(np.int32), array.ravel()[at])

    @classmethod
    def among(cls, array: np.ndarray, routes: np.ndarray) -> Sparse:
        """`Sparse.of(array)`, where `array` is 0 off the flat positions `routes` (ascending, unique)."""
        values = array.reshape(-1)[routes]
        kept = values != 0
        return cls(array.shape, routes[kept].astype(np.int32), values[kept])

    def dense(self) -> np.ndarray:
        """The array again (a new one)."""
        out = np.zeros(self.shape, self.values.dtype)
        out.ravel()[self.at] = self.values
        return out


class Decoded(Sequence):
    """A read-only sequence of records that turns each into its dense form when read."""

    def __init__(self, records: list, decode: Callable, latest: Callable[[], object]) -> None:
        self.records, self.decode, self.latest = records, decode, latest

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, k):
        if not self.records:
            raise IndexError("no turn recorded yet")
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        if k in (-1, len(self) - 1):
            return self.latest()
        return self.decode(self.records[k])


@dataclass
class Recorder:
    """Keeps each turn's figures as their non-zero entries; builds tidy tables on demand.

    `countries` and `flows` read as lists of dense per-turn arrays (dicts of (C, M, S) measures,
    (M, S, C, C) flows); the last turn's dense arrays are kept as well, for the observations.
    """

    index: Index
    constants: Constants
    turns: list[int] = field(default_factory=list)
    country_rows: list[dict[str, Sparse]] = field(default_factory=list)
    price_rows: list[Sparse] = field(default_factory=list)
    flow_rows: list[Sparse] = field(default_factory=list)
    latest: tuple[dict[str, np.ndarray], np.ndarray] | None = None

    def record_turn(self, turn: int, figures: TurnFigures, state: WorldState) -> None:
        """Keep this turn's figures."""
        flows = figures.flow_entries()
        stock = state.commercial_stock()
        row = {
            "production": figures.production + figures.recycled,
            "consumption": figures.consumption,
            "demand": figures.demand,
            "imports": foreign_imports(flows),
            "exports": foreign_exports(flows),
            "stock": stock,
            "stockpile": state.stockpile.copy(),
            "shortage": figures.shortage,
            **embedded_figures(flows, self.constants.chain),
        }
        self.turns.append(turn)
        self.country_rows.append({name: Sparse.of(values) for name, values in row.items()})
        self.price_rows.append(Sparse.of(state.price))
        self.flow_rows.append(flows)
        self.latest = (row, figures.flows)

    @property
    def countries(self) -> Decoded:
        """Per turn, the (C, M, S) measures by name (COUNTRY_MEASURES and `embedded_supplier`)."""
        return Decoded(self.country_rows, dense_row, lambda: self.latest[0])

    @property
    def flows(self) -> Decoded:
        """Per turn, the (M, S, C, C) tonnes shipped, domestic on the diagonal."""
        return Decoded(self.flow_rows, Sparse.dense, lambda: self.latest[1])

    def last_embedded(self) -> tuple[np.ndarray, np.ndarray]:
        """(C, M, S) last turn's embedded share of each country's top foreign supplier, and who it is.

        Zeros before the first turn.
        """
        if self.latest is None:
            shape = (len(self.index.countries), *self.constants.chain.shape)
            return np.zeros(shape), np.zeros(shape, dtype=int)
        row = self.latest[0]
        return row["embedded_dependence"], row["embedded_supplier"]

    def chain_positions(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(country, mineral, stage) positions of every line in a chain."""
        shape = (len(self.index.countries), *self.constants.chain.shape)
        return np.nonzero(np.broadcast_to(self.constants.chain[None], shape))

    def keys(self, c: np.ndarray, m: np.ndarray, s: np.ndarray) -> dict[str, np.ndarray]:
        """turn, country, mineral, stage columns for positions repeated over the turns."""
        turns = len(self.turns)
        return {
            "turn": np.repeat(np.asarray(self.turns, dtype=np.int64), len(c)),
            "country": np.tile(np.array(self.index.countries)[c], turns),
            "mineral": np.tile(np.array(self.index.minerals)[m], turns),
            "stage": np.tile(np.array(self.index.stages)[s], turns),
        }

    def countries_table(self) -> pa.Table:
        """One row per turn x country x mineral x stage in the chain."""
        c, m, s = self.chain_positions()
        columns = self.keys(c, m, s)
        for name in COUNTRY_MEASURES:
            values = [row[name].dense()[c, m, s] for row in self.country_rows]
            columns[name] = np.concatenate(values or [np.zeros(0)])
        return pa.table(columns)

    def prices_table(self) -> pa.Table:
        """One row per turn x mineral x stage x country."""
        c, m, s = self.chain_positions()
        columns = self.keys(c, m, s)
        columns["price"] = np.concatenate([p.dense()[c, m, s] for p in self.price_rows] or [np.zeros(0)])
        columns["unit"] = np.full(len(columns["price"]), "USD/kg")
        return pa.table(columns)

    def flows_table(self) -> pa.Table:
        """One row per international flow above zero."""
        rows = []
        for turn, flows in zip(self.turns, self.flow_rows, strict=True):
            m, s, i, j = np.unravel_index(flows.at, flows.shape)
            keep = (i != j) & (flows.values > 1e-9)
            rows.append((np.full(int(keep.sum()), turn, dtype=np.int64), m[keep], s[keep], i[keep], j[keep]))
            rows[-1] += (flows.values[keep],)
        turn, m, s, i, j, tonnes = (
            (np.concatenate(column) for column in zip(*rows, strict=True))
            if rows
            else (np.zeros(0, dtype=np.int64), *(np.zeros(0, dtype=int),) * 4, np.zeros(0))
        )
        countries, minerals, stages = (
            np.array(n) for n in (self.index.countries, self.index.minerals, self.index.stages)
        )
        return pa.table(
            {
                "turn": turn,
                "mineral": minerals[m],
                "stage": stages[s],
                "exporter": countries[i],
                "importer": countries[j],
                "tonnes": tonnes,
            }
        )


def dense_row(row: dict[str, Sparse]) -> dict[str, np.ndarray]:
    """A turn's measures as dense arrays."""
    return {name: values.dense() for name, values in row.items()}


COUNTRY_MEASURES = (
    "production",
    "consumption",
    "demand",
    "imports",
    "exports",
    "stock",
    "stockpile",
    "shortage",
    "embedded_dependence",  # share of supply that passed through the largest foreign supplier (dependence.py)
)


def events_table(events) -> pa.Table:
    """One row per event."""
    columns = ("turn", "kind", "actor", "target", "mineral", "detail")
    return pa.table(
        {name: [getattr(e, name) for e in events] for name in columns},
        schema=pa.schema([("turn", pa.int64())] + [(n, pa.string()) for n in columns[1:]]),
    )


def write_tables(tables: dict[str, pa.Table], directory: Path, file_format: str = "parquet") -> list[Path]:
    """Write each table as DIR/NAME.parquet (or .csv), each atomically; returns the paths."""
    import pyarrow.csv as csv
    import pyarrow.parquet as pq

    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in tables.items():
        path = directory / f"{name}.{file_format}"
        with atomic_path(path) as temporary:
            if file_format == "csv":
                csv.write_csv(table, str(temporary))
            else:
                pq.write_table(table, str(temporary))
        paths.append(path)
    return paths


def embedded_figures(flows: Sparse, chain: np.ndarray) -> dict[str, np.ndarray]:
    """A turn's embedded dependence on each country's top foreign supplier, and who that is."""
    share, supplier = top_foreign_suppliers(flows.at, flows.values, flows.shape, chain)
    return {"embedded_dependence": share, "embedded_supplier": supplier}
