"""What a network seat has seen of a session: each resolved turn's news and figures, as tables.

A classroom seat receives one snapshot per resolved turn; `SeenTurns` keeps their events and
country figures so the screens can show the news and price history of every turn seen, like a
local model's `events` and `tables()`. An undo takes turns back out.
"""

from __future__ import annotations

import msgspec
import pyarrow as pa

from critmin.core.events import Event
from critmin.core.snapshot import CountryFigures, WorldSnapshot
from critmin.engine.records import events_table

KEYS = ("turn", "country", "mineral", "stage")
MEASURES = tuple(name for name in CountryFigures.__struct_fields__ if name not in KEYS)


class SeenTurns:
    """The events and country figures of the turns whose snapshots a seat took in."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.figures: dict[int, list[CountryFigures]] = {}  # turn played -> its figures
        self.shown: tuple[int, str] | None = None  # the open turn and state hash last taken in

    def take_in(self, turn: int, snapshot: WorldSnapshot | None) -> bool:
        """The world at open turn `turn` (after `snapshot`, if any); True if it differs from the last."""
        key = (turn, snapshot.state_hash if snapshot is not None else "")
        if key == self.shown:
            return False
        self.shown = key
        self.events = [e for e in self.events if e.turn < turn]  # an undo takes turns back
        self.figures = {t: f for t, f in self.figures.items() if t < turn}
        if snapshot is not None and snapshot.turn > 0:
            played = snapshot.turn - 1
            self.events = [e for e in self.events if e.turn != played]
            self.events += [msgspec.convert(e, Event) for e in snapshot.events]
            self.figures[played] = snapshot.figures
        return True

    def tables(self) -> dict[str, pa.Table]:
        """`prices`, `countries` (each country's figures per line) and `events` of the turns seen."""
        rows = [(turn, f) for turn, figures in sorted(self.figures.items()) for f in figures]
        keys = {
            "turn": pa.array([turn for turn, _ in rows], pa.int64()),
            **{name: pa.array([getattr(f, name) for _, f in rows], pa.string()) for name in KEYS[1:]},
        }
        measures = {name: [getattr(f, name) for _, f in rows] for name in MEASURES}
        prices = pa.table({**keys, "price": pa.array(measures["price"], pa.float64())})
        countries = pa.table(
            {**keys, **{name: pa.array(values) for name, values in measures.items() if name != "price"}}
        )
        return {"prices": prices, "countries": countries, "events": events_table(self.events)}
