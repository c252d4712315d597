"""engine/masks.py's array verdicts agree with the engine's own check, action by action."""

from __future__ import annotations

import itertools
import math

import numpy as np

from critmin.core.actions import ReleaseStockpile
from critmin.core.vocabulary import Mineral, Stage
from critmin.engine.masks import Releases
from critmin.engine.model import WorldModel


def release_tonnes(held: float) -> list[float]:
    """Tonnes around what a stockpile holds, and tonnes the action's form refuses."""
    return [
        held / 2,
        held,
        held + 1e-10,
        held + 1e-6,
        held * 1.5 + 1,
        0.0,
        -1.0,
        math.nan,
        math.inf,
        2e12,
        5e-324,
    ]


def test_releases_agree_with_the_engines_check():
    """Every country, mineral and stage (off-chain stages too), many tonnes, over several turns."""
    model = WorldModel("world-2024", seed=3)
    world = model.world
    lines = list(itertools.product(world.index.countries, world.index.minerals, world.index.stages))
    releases = Releases(world, lines)
    seen = set()
    for _ in range(3):
        held = world.state.stockpile.flat[
            [np.ravel_multi_index(world.position(*line), world.state.stockpile.shape) for line in lines]
        ]
        for j in range(len(release_tonnes(1.0))):
            tonnes = np.array([release_tonnes(h)[j] for h in held.tolist()])
            verdicts = releases.legal(world, tonnes)
            for (country, mineral, stage), amount, verdict in zip(
                lines, tonnes.tolist(), verdicts.tolist(), strict=True
            ):
                action = ReleaseStockpile(
                    country=country, mineral=Mineral(mineral), stage=Stage(stage), tonnes=amount
                )
                assert verdict == (model.check(action) is None), (country, mineral, stage, amount)
                seen.add(verdict)
        model.step()
    assert seen == {True, False}


def test_releases_on_unknown_names_are_never_legal():
    """A line whose stage is not in the mineral's chain is refused whatever the tonnes."""
    model = WorldModel("world-2024", seed=3)
    world = model.world
    off_chain = [
        (world.index.countries[0], mineral, stage)
        for (mineral, m), (stage, s) in itertools.product(
            world.index.mineral.items(), world.index.stage.items()
        )
        if not world.constants.chain[m, s]
    ]
    assert off_chain, "world-2024 has minerals without every stage"
    assert not Releases(world, off_chain).legal(world, np.full(len(off_chain), 1.0)).any()
