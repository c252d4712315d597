"""Which prices of a run sat at the top of their demand curve, and for how long.

A price reaches the ceiling of its demand curve when it comes within 1% of the top block,
`max(demand_price_multiples)` × reference, where only the need nothing can substitute still bids
(the essential share and the tail of the demand curve); what it lacks there is a shortage. Every
backtest reports these spells: a check can hold while a price sits at a ceiling the market
should not reach (docs/mechanisms.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

CEILING_TOLERANCE = 0.99


@dataclass(frozen=True)
class CeilingSpell:
    """One (country, mineral, stage) price at its ceiling in one run."""

    line: str  # "JPN ree_heavy refined"
    turns: int  # turns at or above the top block
    longest: int  # longest run of consecutive such turns
    essential_turns: int  # turns at the essential multiple


def ceiling_spells(
    prices: np.ndarray,
    reference: np.ndarray,
    active: np.ndarray,
    multiples: tuple[float, float],
    labels: Sequence[Sequence[str]],
) -> tuple[CeilingSpell, ...]:
    """Spells of the active lines whose price reached the top block.

    `prices` is (T, C, M, S), `reference` (M, S), `active` (C, M, S); `multiples` is
    (top block, essential); `labels` are the country, mineral and stage names.
    """
    top, essential = (CEILING_TOLERANCE * m * reference[None, None] for m in multiples)
    at_top = (prices >= top) & active[None] & (reference[None, None] > 0)
    at_essential = at_top & (prices >= essential)
    spells = []
    for c, m, s in zip(*np.nonzero(at_top.any(axis=0)), strict=True):
        series = at_top[:, c, m, s]
        spells.append(
            CeilingSpell(
                line=f"{labels[0][c]} {labels[1][m]} {labels[2][s]}",
                turns=int(series.sum()),
                longest=longest_run(series),
                essential_turns=int(at_essential[:, c, m, s].sum()),
            )
        )
    return tuple(spells)


def longest_run(flags: np.ndarray) -> int:
    """Length of the longest run of True in a 1-d boolean array."""
    best = run = 0
    for flag in flags:
        run = run + 1 if flag else 0
        best = max(best, run)
    return best


def summarise(runs: Sequence[Sequence[CeilingSpell]]) -> dict:
    """The JSON record over the seeds: how many reached a ceiling, and each line's longest stay."""
    lines: dict[str, dict[str, int]] = {}
    for spells in runs:
        for spell in spells:
            worst = lines.setdefault(spell.line, {"seeds": 0, "turns": 0, "longest": 0, "essential_turns": 0})
            worst["seeds"] += 1
            for key in ("turns", "longest", "essential_turns"):
                worst[key] = max(worst[key], getattr(spell, key))
    return {
        "reached": bool(lines),
        "seeds": sum(1 for spells in runs if spells),
        "of_seeds": len(runs),
        "max_turns": max((line["turns"] for line in lines.values()), default=0),
        "lines": dict(sorted(lines.items(), key=lambda item: -item[1]["turns"])),
    }
