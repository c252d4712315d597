"""Manufacturers' supply risk, and the pressure they put on their government.

Battery, magnet, electronics, wind and defence makers buy on the spot market and hold
inventory inside the engine's market clearing. What they *want* — secure supply when shortages
or price spikes hit, or when they depend on a supplier that restricts exports or is not trusted
— reaches the game through their country's decisions: the doctrines read their supply risks
(`risk_board`, every country and line at once) and act (stockpile purchases, offtakes,
programmes, investment) when the manufacturers' pressure on a line (agents/pressures.py)
passes the doctrine's threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
import numba as nb
import numpy as np

from critmin.core.observation import LINE_FIGURES

Line = tuple[str, str]
IMPORTS, SHORTAGE, DEMAND = (LINE_FIGURES.index(name) for name in ("imports", "shortage", "demand"))
PRICE, REFERENCE = LINE_FIGURES.index("price_usd_per_kg"), LINE_FIGURES.index("reference_price_usd_per_kg")


class SupplyRisk(msgspec.Struct, frozen=True, kw_only=True):
    """Supply risk on one line (mineral, stage) as a country's manufacturers see it.

    Attributes:
        exposure: tonnes per turn that must come from abroad: imports plus unmet need.
        shortage_share: share of last turn's final need left unmet.
        price_spike: how far the local price stands above the reference price (1 = doubled).
        concentration: Herfindahl index of the import origins (1 = a single supplier).
        adversary_share: share of imports from suppliers that restrict exports to the country
            or that it does not trust.
        main_origin: the largest supplier ('' if none).
        score: the weighted risk, 0..1.

    """

    mineral: str
    stage: str
    exposure: float
    shortage_share: float
    price_spike: float
    concentration: float
    adversary_share: float
    main_origin: str
    score: float


@dataclass(frozen=True, eq=False)
class RiskBoard:
    """Supply risk of every country (row) on every line, (R, L) arrays.

    A line is at risk (`active`) where the country imports or went short; elsewhere the
    figures mean nothing.
    """

    active: np.ndarray  # bool
    exposure: np.ndarray
    shortage_share: np.ndarray
    price_spike: np.ndarray
    concentration: np.ndarray
    adversary_share: np.ndarray
    main_origin: np.ndarray  # position along the origin axis, -1 for none
    score: np.ndarray

    def risk(self, r: int, k: int, line: Line, countries: tuple[str, ...]) -> SupplyRisk:
        """The risk of row `r` on line `k` as a record."""
        origin = int(self.main_origin[r, k])
        return SupplyRisk(
            mineral=line[0],
            stage=line[1],
            exposure=float(self.exposure[r, k]),
            shortage_share=float(self.shortage_share[r, k]),
            price_spike=float(self.price_spike[r, k]),
            concentration=float(self.concentration[r, k]),
            adversary_share=float(self.adversary_share[r, k]),
            main_origin=countries[origin] if origin >= 0 else "",
            score=float(self.score[r, k]),
        )


def risk_board(rows, adversary_trust: float, weights) -> RiskBoard:
    """Every row's supply risk on every line, from last turn's figures and who restricts or is distrusted.

    `rows` are a reading's rows (agents/reading.py: `figures`, `imports`, `trust`). Element by
    element the arithmetic of the risk as first written for one line (`_line_risks`): `min` and
    `max` are comparisons that keep what they keep, NaN included, and the import origins are
    summed as Python's `sum` does (`_origin_shares`).
    """
    concentration, adversary, main = origin_shares(rows, adversary_trust)
    shape = concentration.shape
    shortage_share, spike, score, exposure = (np.empty(shape) for _ in range(4))
    signals = np.array(
        [
            weights.shortage,
            weights.price_spike,
            weights.concentration,
            weights.adversary,
            weights.shortage_gain,
            weights.spike_cap,
        ]
    )
    _line_risks(rows.figures, concentration, adversary, signals, shortage_share, spike, score, exposure)
    return RiskBoard(
        active=exposure > 1e-9,
        exposure=exposure,
        shortage_share=shortage_share,
        price_spike=spike,
        concentration=concentration,
        adversary_share=adversary,
        main_origin=main,
        score=score,
    )


@nb.njit(cache=True, nogil=True)
def _line_risks(
    figures, concentration, adversary, weights, shortage_share, spike, score, exposure
):  # pragma: no cover
    """Per row and line: the share of need unmet, the price spike, the 0..1 score and the exposure.

    Need is demand where there is demand, else imports; the score weighs the shortage signal
    (`shortage_gain` times the share, at most 1), the spike (at most `spike_cap`), the import
    concentration and the adversaries' share, in that order, and is held within 0..1.
    """
    w_shortage, w_spike, w_concentration, w_adversary, gain, cap = weights
    for r in range(concentration.shape[0]):
        for k in range(concentration.shape[1]):
            imports, shortage = figures[r, k, IMPORTS], figures[r, k, SHORTAGE]
            demand, price, reference = figures[r, k, DEMAND], figures[r, k, PRICE], figures[r, k, REFERENCE]
            need = demand if demand > 0 else imports
            share = shortage / need if need > 0 else 0.0
            rise = price / reference - 1.0 if reference > 0 else 0.0
            rise = 0.0 if rise < 0.0 else rise
            signal = gain * share
            total = (
                w_shortage * (1.0 if signal > 1.0 else signal)
                + w_spike * (cap if rise > cap else rise)
                + w_concentration * concentration[r, k]
                + w_adversary * adversary[r, k]
            )
            total = 0.0 if total < 0.0 else total
            shortage_share[r, k], spike[r, k] = share, rise
            score[r, k] = 1.0 if total > 1.0 else total
            exposure[r, k] = imports + shortage


def origin_shares(rows, adversary_trust: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(R, L) Herfindahl index of the import origins, share from adversaries, main origin (-1: none).

    An origin is an adversary where its control restricts the country or the country trusts
    it less than `adversary_trust`.
    """
    imports = rows.imports
    shape = rows.figures.shape[:2]
    hostile = imports.restricted | (rows.trust[imports.row, imports.origin] < adversary_trust)
    pairs = len(imports.pair)
    concentration, adversary = np.zeros(pairs), np.zeros(pairs)
    main = np.full(pairs, -1, dtype=np.int64)
    if pairs:
        _origin_shares(
            imports.starts, imports.tonnes, hostile, imports.origin, concentration, adversary, main
        )
    at = imports.pair
    return (
        scattered(concentration, at, shape),
        scattered(adversary, at, shape),
        scattered(main, at, shape, -1),
    )


def scattered(values: np.ndarray, at: np.ndarray, shape: tuple[int, int], empty=0.0) -> np.ndarray:
    """A (R, L) array holding `values` at the flat positions `at`, `empty` elsewhere."""
    full = np.full(shape, empty, dtype=values.dtype)
    full.reshape(-1)[at] = values  # a view of the new array: `full.flat[at]` costs twice as much
    return full


@nb.njit(cache=True, nogil=True)
def _origin_shares(starts, tonnes, hostile, origin, concentration, adversary, main):  # pragma: no cover
    """Per importing pair p (entries starts[p]:starts[p + 1], origins in order): shares of the origins.

    The total is Python 3.12's `sum` of the tonnes (0 plus the first, then Neumaier's
    compensated sum, the compensation added last if non-zero and finite); each share is
    tonnes over total; the Herfindahl index and the adversaries' share add up in origin order;
    the main origin is the first with the largest share.
    """
    for p in range(starts.size - 1):
        lo, hi = starts[p], starts[p + 1]
        total = 0.0 + tonnes[lo]
        compensation = 0.0
        for e in range(lo + 1, hi):
            x = tonnes[e]
            t = total + x
            if abs(total) >= abs(x):
                compensation += (total - t) + x
            else:
                compensation += (x - t) + total
            total = t
        if compensation != 0.0 and np.isfinite(compensation):
            total += compensation
        herfindahl, hostile_share, largest = 0.0, 0.0, 0.0
        for e in range(lo, hi):
            share = tonnes[e] / total
            herfindahl += share * share
            if hostile[e]:
                hostile_share += share
            if share > largest:
                largest = share
                main[p] = origin[e]
        concentration[p] = herfindahl
        adversary[p] = hostile_share
