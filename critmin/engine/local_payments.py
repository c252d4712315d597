"""Buyers pay sellers at local prices, entry by entry, in one compiled loop.

The values of `trade.pay_at_local_prices`' array code: each entry's money is (tonnes x its
line's local price) x the unit factor, added to its account (industry, or the treasury for
public entries) in the entries' order, as `np.bincount` adds its weights bin by bin.
"""

from __future__ import annotations

import numba as nb


@nb.njit(cache=True, nogil=True)
def local_payments(country, owner, tonnes, at, prices, money, public, paid):
    """Add each entry's money to `paid` (2C,): industry's [country], or the treasury's [C + country].

    An entry is public when `public[owner]` is set; `prices` are the flat (C, M, S) local prices.
    """
    n = len(paid) // 2
    for i in range(len(tonnes)):
        paid[country[i] + (n if public[owner[i]] else 0)] += tonnes[i] * prices[at[i]] * money
