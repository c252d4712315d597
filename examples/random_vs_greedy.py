"""Random against greedy play in critmin's PettingZoo environment; trains nothing.

Every agent country follows the same policy for a whole episode: either a random legal choice
each turn, or a one-line greedy rule (accept any offer; on the line most short of supply,
release stockpile, else propose an offtake, else buy for the stockpile; otherwise wait).
Prints each country's mean return over the episodes.

    .venv/bin/python examples/random_vs_greedy.py                 # tiny world, 20 episodes
    .venv/bin/python examples/random_vs_greedy.py --scenario world-2024 --turns 8
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import numpy as np

from critmin.research.env import CritminParallelEnv, parallel_env
from critmin.research.env_spaces import share

TINY = Path(__file__).resolve().parent.parent / "tests" / "data" / "tiny.toml"
SHORTAGE_RESPONSES = ("release", "propose", "buy")

Policy = Callable[[CritminParallelEnv, str, np.random.Generator], int]


def random_policy(env: CritminParallelEnv, agent: str, rng: np.random.Generator) -> int:
    """A uniformly random allowed catalogue entry."""
    return int(rng.choice(np.flatnonzero(env.action_mask(agent))))


def greedy_policy(env: CritminParallelEnv, agent: str, rng: np.random.Generator) -> int:
    """Accept offers; answer the worst shortage; otherwise do nothing (index 0)."""
    mask = env.action_mask(agent)
    allowed = {(t.kind, t.mineral, t.stage): i for i, t in enumerate(env.catalogue(agent)) if mask[i]}
    if ("accept", "", "") in allowed:
        return allowed["accept", "", ""]
    worst = max(env.observation(agent).minerals, key=lambda v: share(v.shortage, v.demand))
    if worst.shortage <= 0:
        return 0
    choices = (allowed.get((kind, worst.mineral, worst.stage)) for kind in SHORTAGE_RESPONSES)
    return next((i for i in choices if i is not None), 0)


def play(env: CritminParallelEnv, policy: Policy, seed: int) -> dict[str, float]:
    """One episode with every agent on `policy`; the return of each agent."""
    rng = np.random.default_rng(seed)
    env.reset(seed=seed)
    returns = dict.fromkeys(env.possible_agents, 0.0)
    while env.agents:
        actions = {agent: policy(env, agent, rng) for agent in env.agents}
        _, rewards, *_ = env.step(actions)
        for agent, reward in rewards.items():
            returns[agent] += reward
    return returns


def compare(scenario: str | Path, episodes: int, turns: int) -> dict[str, dict[str, float]]:
    """Mean return per policy and country over the same seeds."""
    env = parallel_env(scenario, turns=turns)
    means = {}
    for name, policy in (("random", random_policy), ("greedy", greedy_policy)):
        runs = [play(env, policy, seed) for seed in range(episodes)]
        means[name] = {agent: float(np.mean([r[agent] for r in runs])) for agent in env.possible_agents}
    return means


def main() -> None:
    """Parse the options, compare, print a small table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(TINY), help="scenario name or TOML path (tiny world)")
    parser.add_argument("--episodes", type=int, default=20)
    parser.add_argument("--turns", type=int, default=8)
    options = parser.parse_args()
    means = compare(options.scenario, options.episodes, options.turns)
    agents = list(means["random"])
    print(f"mean return over {options.episodes} episodes of {options.turns} turns")
    print(f"{'policy':8}" + "".join(f"{agent:>9}" for agent in agents))
    for name, by_agent in means.items():
        print(f"{name:8}" + "".join(f"{by_agent[agent]:9.3f}" for agent in agents))


if __name__ == "__main__":
    main()
