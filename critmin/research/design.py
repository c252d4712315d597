"""Designs: the design points of an experiment, its runs and their seeds.

- full factorial: every combination of the factors' levels;
- Latin hypercube: `samples` points (SALib's `latin` sampler);
- Sobol: Saltelli's scheme (SALib's `sobol` sampler), `samples` x (D + 2) points, or
  `samples` x (2D + 2) with second-order indices;
- Morris: `samples` trajectories of D + 1 points on a grid of `levels` (SALib's `morris`);
- eFAST: `samples` x D points (SALib's `fast_sampler`, interference parameter `harmonics`).

Samplers draw in [0, 1) per factor scaled to its range; a factor with levels takes level
floor(u x k), an integer factor floor(u) over [low, high + 1). Each point is run
`replications` times. Seeds come from one `numpy.random.SeedSequence(experiment.seed)`: with
common random numbers (the default) replication r of every point shares seed r, so levels
are compared on the same random draws; otherwise every run has its own seed.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from critmin.research.experiment_file import ExperimentFile, FactorSpec, Level

SEED_MASK = (1 << 63) - 1


@dataclass(frozen=True)
class Run:
    """One simulation: a design point, a replication and its seed."""

    run_id: int
    point: int
    replication: int
    seed: int
    levels: dict[str, Level] = field(default_factory=dict)


def salib_problem(factors: tuple[FactorSpec, ...]) -> dict[str, Any]:
    """The SALib problem: one variable per factor, over its range or its level indices."""
    return {
        "num_vars": len(factors),
        "names": [f.name for f in factors],
        "bounds": [bounds(f) for f in factors],
    }


def bounds(factor: FactorSpec) -> list[float]:
    """Sampling bounds of a factor."""
    if factor.range is None:
        return [0.0, float(len(factor.levels or ()))]
    low, high = factor.range
    return [low, high + 1.0] if factor.column_type() == "int" else [low, high]


def decode(factor: FactorSpec, value: float) -> Level:
    """A sampled number as the factor's level."""
    if factor.range is None:
        levels = factor.levels or ()
        return factor.coerce(levels[min(math.floor(value), len(levels) - 1)])
    if factor.column_type() == "int":
        return int(min(math.floor(value), factor.range[1]))
    return float(value)


def sample_matrix(spec: ExperimentFile) -> np.ndarray:
    """The sampler's raw matrix (points x factors) for the sampled designs (all but full factorial)."""
    problem = salib_problem(spec.factors)
    design, seed = spec.design, spec.experiment.seed
    if design.kind == "latin_hypercube":
        from SALib.sample import latin

        return latin.sample(problem, design.samples, seed=seed)
    if design.kind == "morris":
        from SALib.sample import morris

        return morris.sample(problem, design.samples, num_levels=design.levels, seed=seed)
    if design.kind == "fast":
        from SALib.sample import fast_sampler

        return fast_sampler.sample(problem, design.samples, M=design.harmonics, seed=seed)
    from SALib.sample import sobol

    return sobol.sample(problem, design.samples, calc_second_order=design.second_order, seed=seed)


def iter_points(spec: ExperimentFile) -> Iterator[dict[str, Level]]:
    """Every design point as {factor name: level}, in design order, one at a time."""
    factors = spec.factors
    if spec.design.kind == "full_factorial":
        combos = itertools.product(*([f.coerce(v) for v in f.levels or ()] for f in factors))
        yield from (dict(zip((f.name for f in factors), combo, strict=True)) for combo in combos)
        return
    for row in sample_matrix(spec):
        yield {f.name: decode(f, u) for f, u in zip(factors, row, strict=True)}


def design_points(spec: ExperimentFile) -> list[dict[str, Level]]:
    """Every design point, as a list."""
    return list(iter_points(spec))


def seed_of(spec: ExperimentFile, run_id: int) -> int:
    """A run's seed: child k of SeedSequence(experiment.seed), computed on demand.

    k is the run's replication (common random numbers) or its run id; the child equals
    `SeedSequence(seed).spawn(n)[k]`.
    """
    info = spec.experiment
    return child_seed(info.seed, run_id % info.replications if info.common_random_numbers else run_id)


@lru_cache(maxsize=4096)
def child_seed(root: int, k: int) -> int:
    """Child k of SeedSequence(root), as a non-negative 63-bit integer."""
    child = np.random.SeedSequence(root, spawn_key=(k,))
    return int(child.generate_state(1, dtype=np.uint64)[0]) & SEED_MASK


def replication_seeds(spec: ExperimentFile) -> list[int]:
    """The seeds of the first design point's replications (every point's, with common random numbers)."""
    return [seed_of(spec, r) for r in range(spec.experiment.replications)]


def run_seeds(spec: ExperimentFile, points: int) -> list[int]:
    """The seed of each run of the first `points` points, in run order."""
    return [seed_of(spec, run_id) for run_id in range(points * spec.experiment.replications)]


def iter_runs(spec: ExperimentFile) -> Iterator[Run]:
    """Every run of the experiment, lazily: run_id = point x replications + replication."""
    replications = spec.experiment.replications
    for point, levels in enumerate(iter_points(spec)):
        for replication in range(replications):
            run_id = point * replications + replication
            yield Run(run_id, point, replication, seed_of(spec, run_id), levels)


def plan_runs(spec: ExperimentFile) -> list[Run]:
    """Every run of the experiment, as a list."""
    return list(iter_runs(spec))
