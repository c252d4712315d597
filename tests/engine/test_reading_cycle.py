"""A book's AI reading holds no reference cycle through the book: a dropped book is freed at once.

Garbage cycles wait for a full collection; a book kept alive that way keeps its turn view, and
with it the turn's dense flows, which engine/flow_buffers.py then cannot reuse.
"""

from __future__ import annotations

import gc
import weakref

import msgspec

from critmin.engine.model import WorldModel
from critmin.engine.reading import own_part


def _same(own, other) -> bool:
    """Two own parts alike: their fields, the trust rows as dicts."""
    fields = [msgspec.structs.asdict(part) for part in (own, other)]
    for part in fields:
        part["trust"] = dict(part["trust"])
    return fields[0] == fields[1]


def test_a_dropped_book_is_freed_without_the_collector_and_its_reading_reads_the_same():
    model = WorldModel("world-2024", seed=0)
    model.run(1)
    book = model.views.observation_book()
    reading = book.reading
    for country in ("CHN", "USA", "ROW"):
        assert _same(reading.rows.own[country], own_part(book, country))
    gone = weakref.ref(book)
    gc.disable()
    try:
        model.views.book = None
        del book
        assert gone() is None
    finally:
        gc.enable()
    assert _same(reading.rows.own["IND"], own_part(model.views.observation_book(), "IND"))
