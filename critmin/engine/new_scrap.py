"""New scrap: the share of users' own use their wafer and part makers' scrap returns as metal.

Making GaAs wafers (and other parts) leaves much of the metal as new scrap, which recyclers turn
back into refined metal: a loop inside the users' use that China's exports never carry (Japan
2002: 45 t of 108 t of gallium use came from scrap, USGS MCS 2003). A scenario's `[[demand]]`
lines carry it as `new_scrap_share`; each turn a country's new scrap returns that share of its
final need (after thrift, substitution and noise) as refined supply within the turn: it follows
the fabricators' throughput, not the price (docs/mechanisms.md, "New scrap: the users' own loop").
"""

from __future__ import annotations

import numpy as np


def new_scrap_shares(demand, index) -> np.ndarray:
    """(C, M) share of each country's use of a mineral met by its own new scrap (tonnes-weighted)."""
    shape = (len(index.countries), len(index.minerals))
    tonnes, scrap = np.zeros(shape), np.zeros(shape)
    for line in demand:
        at = index.country[line.country], index.mineral[line.mineral.value]
        tonnes[at] += line.tonnes_per_year
        scrap[at] += line.tonnes_per_year * line.new_scrap_share
    return np.divide(scrap, tonnes, out=np.zeros(shape), where=tonnes > 0)


def new_scrap(shares: np.ndarray, need: np.ndarray) -> np.ndarray:
    """(C, M) tonnes of refined metal new scrap returns this turn, from final need (C, M).

    The need already carries this turn's thrift, substitution and demand noise.
    """
    return shares * need
