"""Parts of the plain markets' kernel batch (`market_batch.plain_kernel`) in compiled passes.

`plain_entries`: where each plain market's offers or bids start and each entry's local country
(its place among the market's members), the values of `offsets` of the kept entries' ranks and
`(np.cumsum(active, axis=1) - 1)[market, country]`. `ruled_routes`: the ruled markets' open and
licensed member routes written at their places in the batch, the values of
`table[among[:, None], among].ravel()`. tests/engine/test_market_batch.py holds both to those
array forms.
"""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True, nogil=True)
def plain_entries(market, country, active, rank, n_plain) -> tuple[np.ndarray, np.ndarray]:
    """(n_plain + 1,) where each plain market's entries start, and each kept entry's local country.

    Entries (sorted by market) of a market with `rank` -1 are left out.
    """
    n_markets, n_countries = active.shape
    local = np.empty((n_markets, n_countries), dtype=np.int64)
    for k in range(n_markets):
        members = 0
        for c in range(n_countries):
            members += active[k, c]
            local[k, c] = members - 1
    starts = np.zeros(n_plain + 1, dtype=np.int64)
    kept = 0
    for e in range(len(market)):
        if rank[market[e]] >= 0:
            starts[rank[market[e]] + 1] += 1
            kept += 1
    for r in range(n_plain):
        starts[r + 1] += starts[r]
    places = np.empty(kept, dtype=np.int64)
    j = 0
    for e in range(len(market)):
        if rank[market[e]] >= 0:
            places[j] = local[market[e], country[e]]
            j += 1
    return starts, places


@nb.njit(cache=True, nogil=True)
def ruled_routes(member, markets, starts, tables, which, out) -> None:
    """Each of `markets`' member x member routes of its (C, C) table `tables[which[q]]` into `out`.

    `starts[q]` is where market `markets[q]`'s routes begin in `out`; `which[q]` -1 leaves them as
    they are. Routes in (exporter, importer) order among the market's members.
    """
    n_countries = member.shape[1]
    among = np.empty(n_countries, dtype=np.int64)
    for q in range(len(markets)):
        if which[q] < 0:
            continue
        k, size = markets[q], 0
        for c in range(n_countries):
            if member[k, c]:
                among[size] = c
                size += 1
        table, at = tables[which[q]], starts[q]
        for a in range(size):
            for b in range(size):
                out[at] = table[among[a], among[b]]
                at += 1
