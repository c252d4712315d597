"""Every kept offer of the traded lines in one compiled pass (`trade.all_offers`' layout).

Offers are laid out (line, block, country), blocks being producers' stock they cannot store,
their storable stock and stockpile releases, and kept above 1e-9 t: what `np.flatnonzero` of
the (L, 3, C) tonnes > 1e-9 finds, with the tonnes (the stock less the storable part, as
numpy subtracts it) and prices (reservation, held, 0.0 for releases) read at those places.
tests/engine/test_offer_entries.py holds it to that array form.
"""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True, nogil=True)
def offer_entries(line_mineral, line_stage, stock, storable, release, reservation, held, owners):
    """(market, country, tonnes, price, owner) of the kept offers; `owners` (producer's, stockpile's)."""
    n_countries = stock.shape[0]
    room = len(line_mineral) * 3 * n_countries
    market, country, owner = np.empty(room, np.int64), np.empty(room, np.int64), np.empty(room, np.int64)
    tonnes, prices = np.empty(room), np.empty(room)
    n = 0
    for q in range(len(line_mineral)):
        m, s = line_mineral[q], line_stage[q]
        for block in range(3):
            for c in range(n_countries):
                if block == 0:
                    offered, price = stock[c, m, s] - storable[c, m, s], reservation[c, m, s]
                elif block == 1:
                    offered, price = storable[c, m, s], held[c, m, s]
                else:
                    offered, price = release[c, m, s], 0.0
                if offered > 1e-9:
                    market[n], country[n], tonnes[n], prices[n] = q, c, offered, price
                    owner[n] = owners[1] if block == 2 else owners[0]
                    n += 1
    return market[:n], country[:n], tonnes[:n], prices[:n], owner[:n]
