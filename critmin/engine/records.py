"""What a run records each turn, and the tidy tables made from it.

Tables (one row per ...): `countries` turn x country x mineral x stage; `prices` turn x mineral x
stage x country; `flows` turn x mineral x stage x exporter x importer (international, > 0);
`events` one per event. Written as Parquet (or CSV) by `write_tables`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from critmin.engine.atomic import atomic_path
from critmin.engine.dependence import embedded_dependence, top_foreign_supplier
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

    @classmethod
    def empty(cls, state: WorldState) -> TurnFigures:
        """All zeros, shaped like the state."""
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
            np.zeros((m, s, c, c)),
            zeros.copy(),
        )

    def demand_at(self, c: int, m: int, s: int) -> float:
        """Final demand this turn at one position."""
        return float(self.demand[c, m, s])

    def imports(self) -> np.ndarray:
        """(C, M, S) tonnes received from abroad."""
        return off_diagonal(self.flows).sum(axis=2).transpose(2, 0, 1)

    def exports(self) -> np.ndarray:
        """(C, M, S) tonnes sent abroad."""
        return off_diagonal(self.flows).sum(axis=3).transpose(2, 0, 1)


def off_diagonal(flows: np.ndarray) -> np.ndarray:
    """Flows without the domestic diagonal."""
    return flows * (1 - np.eye(flows.shape[-1]))


@dataclass
class Recorder:
    """Keeps each turn's arrays; builds tidy tables on demand."""

    index: Index
    constants: Constants
    turns: list[int] = field(default_factory=list)
    countries: list[dict[str, np.ndarray]] = field(default_factory=list)
    prices: list[np.ndarray] = field(default_factory=list)
    flows: list[np.ndarray] = field(default_factory=list)

    def record_turn(self, turn: int, figures: TurnFigures, state: WorldState) -> None:
        """Keep this turn's figures."""
        self.turns.append(turn)
        stock = state.producer_stock + state.feed_stock + state.consumer_stock
        self.countries.append(
            {
                "production": figures.production + figures.recycled,
                "consumption": figures.consumption,
                "demand": figures.demand,
                "imports": figures.imports(),
                "exports": figures.exports(),
                "stock": stock,
                "stockpile": state.stockpile.copy(),
                "shortage": figures.shortage,
                **embedded_figures(figures.flows, self.constants.chain),
            }
        )
        self.prices.append(state.price.copy())
        self.flows.append(figures.flows)

    def last_embedded(self) -> tuple[np.ndarray, np.ndarray]:
        """(C, M, S) last turn's embedded share of each country's top foreign supplier, and who it is.

        Zeros before the first turn.
        """
        if not self.countries:
            shape = (len(self.index.countries), *self.constants.chain.shape)
            return np.zeros(shape), np.zeros(shape, dtype=int)
        row = self.countries[-1]
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
            columns[name] = np.concatenate([row[name][c, m, s] for row in self.countries] or [np.zeros(0)])
        return pa.table(columns)

    def prices_table(self) -> pa.Table:
        """One row per turn x mineral x stage x country."""
        c, m, s = self.chain_positions()
        columns = self.keys(c, m, s)
        columns["price"] = np.concatenate([p[c, m, s] for p in self.prices] or [np.zeros(0)])
        columns["unit"] = np.full(len(columns["price"]), "USD/kg")
        return pa.table(columns)

    def flows_table(self) -> pa.Table:
        """One row per international flow above zero."""
        rows = []
        for turn, flows in zip(self.turns, self.flows, strict=True):
            m, s, i, j = np.nonzero(off_diagonal(flows) > 1e-9)
            rows.append((np.full(len(m), turn, dtype=np.int64), m, s, i, j, flows[m, s, i, j]))
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


def embedded_figures(flows: np.ndarray, chain: np.ndarray) -> dict[str, np.ndarray]:
    """A turn's embedded dependence on each country's top foreign supplier, and who that is."""
    share, supplier = top_foreign_supplier(embedded_dependence(flows, chain), flows)
    return {"embedded_dependence": share, "embedded_supplier": supplier}
