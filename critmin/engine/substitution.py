"""Substitution: users switch to named alternatives while a mineral stays dear.

Each option of the `[market]` substitutes table (critmin/scenarios/substitutes.py) replaces up to
`max_share` of one mineral's use at some final stages. While a country's expected price of the
mineral stays above the option's `price_multiple` of reference, its users adopt it at
`max_share / adoption_quarters` a quarter; once the price eases they go back
`reversal_quarters` times more slowly. What is adopted no longer needs the mineral: it is taken
out of final need (trade.final_need), not counted as a shortage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Substitutes:
    """The options that apply to a scenario's minerals, as arrays over options O."""

    names: tuple[str, ...]
    mineral: np.ndarray  # (O,) mineral position
    stages: np.ndarray  # (O, S) bool: final stages the option replaces
    max_share: np.ndarray  # (O,)
    price_multiple: np.ndarray  # (O,)
    adoption_per_turn: np.ndarray  # (O,) share of use adopted per quarter while economical
    reversal_per_turn: np.ndarray  # (O,) share given back per quarter once it is not
    available_turn: np.ndarray  # (O,) first turn of the scenario at which it can be adopted

    @classmethod
    def of(
        cls, options, mineral_position: dict[str, int], stage_position: dict[str, int], start_year: float
    ) -> Substitutes:
        """The options (SubstituteSpec records) for a scenario's minerals, from its start year."""
        kept = [o for o in options if o.mineral.value in mineral_position]
        stages = np.zeros((len(kept), len(stage_position)), dtype=bool)
        for k, option in enumerate(kept):
            stages[k, [stage_position[s.value] for s in option.stages]] = True
        share = np.array([o.max_share for o in kept])
        return cls(
            names=tuple(o.name for o in kept),
            mineral=np.array([mineral_position[o.mineral.value] for o in kept], dtype=int),
            stages=stages,
            max_share=share,
            price_multiple=np.array([o.price_multiple for o in kept]),
            adoption_per_turn=share / np.array([o.adoption_quarters for o in kept]) if kept else share,
            reversal_per_turn=share / np.array([o.reversal_quarters for o in kept]) if kept else share,
            available_turn=np.array([np.ceil((o.available_from - start_year) * 4) for o in kept]),
        )


def remaining_use(adoption: np.ndarray, substitutes: Substitutes, shape: tuple[int, ...]) -> np.ndarray:
    """(C, M, S) share of each line's use still needing the mineral after substitution.

    Each option's `1 - adoption` multiplied in, option by option in table order (`np.multiply.at`
    applies them in that order, as a loop over the options would).
    """
    remaining = np.ones(shape)
    np.multiply.at(remaining.transpose(1, 0, 2), substitutes.mineral, 1 - adoption)
    return remaining


def adopt(
    adoption: np.ndarray,
    substitutes: Substitutes,
    price_ratio: np.ndarray,
    turn: int,
    pressed: np.ndarray | None = None,
) -> np.ndarray:
    """Adoption (O, C, S) after quarter `turn` at `price_ratio` (C, M, S expected over reference).

    `pressed` (O, C, S), when given, marks where manufacturers choose to switch whatever the
    price (short of supply: agents/manufacturer_doctrine.py).
    """
    if not len(substitutes.names):
        return adoption
    ratio = price_ratio[:, substitutes.mineral, :].transpose(1, 0, 2)  # (O, C, S)
    ready = (substitutes.available_turn <= turn)[:, None, None]
    wanted = ratio > substitutes.price_multiple[:, None, None]
    economical = ready & (wanted if pressed is None else wanted | pressed)
    step = np.where(
        economical,
        substitutes.adoption_per_turn[:, None, None],
        -substitutes.reversal_per_turn[:, None, None],
    )
    ceiling = substitutes.max_share[:, None, None] * substitutes.stages[:, None, :]
    return np.clip(adoption + step, 0.0, ceiling)
