"""The state keeps the supplier doubt's non-zero cells beside it, always those of the array, never hashed."""

from __future__ import annotations

import json

import numpy as np
import pytest

from critmin.engine.model import WorldModel
from critmin.engine.save import replay, save_data


def scanned(state) -> bytes:
    """The flat positions of the doubt's non-zero cells, found by a fresh scan of the dense array."""
    return np.flatnonzero(state.supplier_doubt.reshape(-1) != 0).tobytes()


def test_the_doubts_kept_cells_are_its_non_zero_cells_after_every_turn_and_a_save_round_trip():
    model = WorldModel("china-ree-controls-2025", seed=3)
    assert model.state.supplier_doubt_cells.size == 0 and scanned(model.state) == b""
    sizes = []
    for _ in range(6):  # doubts jump under the licences, then fade (some under the memory)
        model.step()
        assert model.state.supplier_doubt_cells.tobytes() == scanned(model.state)
        sizes.append(model.state.supplier_doubt_cells.size)
    assert sizes[-1] > 0 and len(set(sizes)) > 1  # cells were added, and some faded away
    replayed, report = replay(json.loads(json.dumps(save_data(model))))
    assert report.problem is None
    assert replayed.state.supplier_doubt_cells.tobytes() == model.state.supplier_doubt_cells.tobytes()
    assert replayed.state.supplier_doubt_cells.tobytes() == scanned(replayed.state)


def test_the_doubt_is_set_whole_copied_with_its_cells_and_its_cells_are_not_hashed():
    model = WorldModel("china-ree-controls-2025", seed=3)
    model.run(3)
    state = model.state
    with pytest.raises(ValueError, match="read-only"):
        state.supplier_doubt[0, 0, 0, 0] = 1.0  # an in-place write would leave the cells stale
    copied = state.copy()
    assert copied.supplier_doubt_cells.tobytes() == scanned(copied) == scanned(state)
    assert not copied.supplier_doubt.flags.writeable
    hashed = state.digest().hexdigest()
    copied.supplier_doubt_cells = copied.supplier_doubt_cells[:1]
    assert copied.digest().hexdigest() == hashed  # derived from the doubt, whose bytes are hashed
    doubt = state.supplier_doubt.copy()
    doubt[0, 1, 0, 0] = 0.5
    copied.set_supplier_doubt(doubt)  # a caller's array: its cells found by a scan
    assert copied.supplier_doubt_cells.tobytes() == scanned(copied) != scanned(state)
    assert copied.digest().hexdigest() != hashed
