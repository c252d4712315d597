"""The manufacturers' per-line figures of a turn in one compiled pass over every country and line.

`read_turn` (agents/manufacturer_doctrine.py) worked them out as a dozen numpy operations over
(C, M, S) arrays, each a pass and a temporary; these passes do the same float operations in the
same order, element by element (numba, no fastmath): `np.divide(a, b, where=b > 0)` over zeros,
`np.minimum(x, 1.0)`, `np.clip(x, 0.0, 1.0)` as numpy's clip (below 0 is 0, above 1 is 1;
-0.0 and NaN kept), `np.where`; and the sectors' shares of final demand.
tests/agents/test_manufacturers.py holds them to the numpy operations bit for bit.
"""

from __future__ import annotations

from typing import NamedTuple

import numba as nb
import numpy as np

WEEKS_PER_TURN = 13.0


class LineFigures(NamedTuple):
    """(C, M, S) figures of every country's manufacturers on every line."""

    contract_share: np.ndarray  # share of need contracted, at most 1
    cover: np.ndarray  # inventory cover in weeks after use
    shortage_share: np.ndarray  # share of need left unmet
    lobbying: np.ndarray  # 0..1 how hard they press their government
    target: np.ndarray  # the cover they aim for, in weeks


def line_figures(view) -> LineFigures:
    """Contract share, cover, shortage share, lobbying and target cover of a `MakersView`."""
    need = view.need
    inputs = (need, view.contracted, view.stock, view.shortage, view.inventory_target)
    flat = [np.ascontiguousarray(a, dtype=np.float64).reshape(-1) for a in inputs]
    out = np.empty((len(LineFigures._fields), need.size))
    _figures(*flat, view.lobby_shortage_share, view.lobby_cover_weeks, out)
    return LineFigures(*out.reshape(len(LineFigures._fields), *need.shape))


def sector_shares(demand: np.ndarray) -> np.ndarray:
    """(K, C, M, S) each sector's share of its line's final demand (0 where the line has none)."""
    total = demand.sum(axis=0)
    shares = np.empty(demand.shape)
    _sector_shares(demand.reshape(len(demand), -1), total.reshape(-1), shares.reshape(len(demand), -1))
    return shares


@nb.njit(cache=True, nogil=True)
def _sector_shares(demand, total, out):
    """`np.divide(demand, total[None], where=total[None] > 0)` over zeros, row by row."""
    for k in range(demand.shape[0]):
        for i in range(total.size):
            out[k, i] = _share(demand[k, i], total[i])


@nb.njit(cache=True, nogil=True)
def _share(part: float, need: float) -> float:
    """`np.divide(part, need, where=need > 0)` over zeros."""
    return part / need if need > 0 else 0.0


@nb.njit(cache=True, nogil=True)
def _figures(need, contracted, stock, shortage, target_quarters, lobby_share, lobby_weeks, out):
    """The rows of `out` in `LineFigures` order, element by element as the numpy operations."""
    for i in range(need.size):
        share = _share(contracted[i], need[i])
        out[0, i] = share if share <= 1.0 or np.isnan(share) else 1.0  # np.minimum(share, 1.0)
        cover = _share(stock[i], need[i]) * WEEKS_PER_TURN
        out[1, i] = cover
        out[2, i] = _share(shortage[i], need[i])
        pressing = out[2, i] / lobby_share  # np.clip(pressing, 0.0, 1.0)
        pressing = 0.0 if pressing < 0.0 else pressing  # -0.0 and NaN kept, as numpy's clip
        pressing = 1.0 if pressing > 1.0 else pressing
        out[3, i] = pressing if cover < lobby_weeks else 0.0
        out[4, i] = target_quarters[i] * WEEKS_PER_TURN
