"""The reserve: what a government may spend at its own choosing this turn.

Two rules, the tighter one binding. It keeps `reserve_quarters` of its per-turn budget back, and
it keeps what its scheduled outlays need (`Own.committed_usd_m`: the programmes, investments,
stockpile orders and cell incentives its scenario has it pay in the coming turns,
engine/commitments.py), like a government's committed appropriations: whatever it spends now must
leave every later tranche paid when it falls due, counting the budget that comes in every turn.
"""

from __future__ import annotations

import numpy as np

from critmin.agents.doctrine_params import DoctrineParams
from critmin.agents.reading import Own, WorldReading


def discretionary_usd_m(own: Own, params: DoctrineParams, uncommitted: float) -> float:
    """USD m the government may spend on programmes, investment, stakes and stockpiles of its choosing.

    `uncommitted` is its row of `uncommitted_usd_m`.
    """
    reserve = own.treasury_usd_m - params.reserve_quarters * own.budget_per_turn_usd_m
    return max(min(reserve, uncommitted), 0.0)


def uncommitted_usd_m(reading: WorldReading) -> np.ndarray:
    """(R,) the most each row's treasury can pay now and still meet each scheduled outlay when due.

    The outlays of turn k ahead (this turn is 0) are paid from the treasury now plus k turns of
    budget; the least that is left over any of those turns is what is free now. Worked out for
    every row at once (a row's outlays add up in turn order, as one country's would).
    """
    rows = reading.rows
    due = np.cumsum(rows.committed, axis=1)
    if not due.shape[1]:
        return rows.treasury.copy()
    income = rows.budget_per_turn[:, None] * np.arange(due.shape[1])
    return rows.treasury + np.min(income - due, axis=1)
