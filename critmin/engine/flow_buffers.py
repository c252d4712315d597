"""The turns' dense (M, S, C, C) flows arrays, reused once nothing holds them any more.

A fresh `np.zeros` of the flows each turn cost a full clearing of the array (15.8 MB at four
times world-2024's countries: the allocator serves a size it freed before from memory it must
clear). The flows are 0 off the routes trade found (`TurnFigures.set_flows`), so an array handed
out here and set as a turn's flows is kept with those routes; when no one else holds it any more
(the records and views keep a turn's flows for a turn), it is cleared at those routes only and
handed out again. Its contents carry nothing from one turn to the next: it is all zeros again.
"""

from __future__ import annotations

import sys
import threading
import weakref

import numpy as np

KEPT = 4
"""Arrays kept for reuse at most (over all shapes): a turn's, last turn's and one spare per model."""

_handed_out: dict[int, weakref.ref] = {}
"""The arrays `zeros` handed out, by id, while they live: only those are kept for reuse."""
_kept: list[tuple[np.ndarray, np.ndarray]] = []
"""(flows, the flat routes off which they are 0), oldest first."""
_FREE = 3
"""`sys.getrefcount` of a kept array in `zeros`' loop that only the list holds (list, name, argument)."""
_lock = threading.Lock()
"""Models stepped in threads take and keep arrays one at a time."""


def zeros(shape: tuple[int, ...]) -> np.ndarray:
    """A float array of zeros shaped `shape`: a kept one nobody else holds, cleared, else a new one."""
    with _lock:
        for i, (flows, routes) in enumerate(_kept):
            if flows.shape == shape and flows.flags.writeable and sys.getrefcount(flows) == _FREE:
                del _kept[i]
                flows.reshape(-1)[routes] = 0.0
                return _hand_out(flows)
        return _hand_out(np.zeros(shape))


def keep(flows: np.ndarray, routes: np.ndarray) -> None:
    """Keep `flows` for reuse if `zeros` handed it out: it is 0 off `routes` (flat positions)."""
    with _lock:
        found = _handed_out.pop(id(flows), None)
        if found is None or found() is not flows:
            return
        _kept.append((flows, routes))
        if len(_kept) > KEPT:
            del _kept[0]


def _hand_out(flows: np.ndarray) -> np.ndarray:
    key = id(flows)
    _handed_out[key] = weakref.ref(flows, lambda _, key=key: _handed_out.pop(key, None))
    return flows
