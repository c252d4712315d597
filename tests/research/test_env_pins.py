"""The RL environment plays exactly as before its speed-ups: observations, masks, rewards, endings.

tests/research/data/env_pins.json holds, per configuration and step, digests of every agent's
observation and mask, its reward, termination, truncation and info, and the world's state
hash, as the environment before its speed-ups produced them (masked random play from fixed seeds;
re-pinned on the world data of the antimony substitute and gallium's new scrap, from the tree
before the speed-ups, 743dcd9: byte-identical to what the sped-up environment gives; re-pinned
for news down the chain counted in the markets a control reaches, from 743dcd9 with that change
to engine/announcements.py: byte-identical again).
Regenerate only for a deliberate change of the environment's behaviour:
`PYTHONPATH=. python tests/research/test_env_pins.py > tests/research/data/env_pins.json`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pettingzoo")

from critmin.research.env import parallel_env
from critmin.scenarios import packaged_names

PINS = Path(__file__).parent / "data" / "env_pins.json"
TINY_PATH = Path(__file__).parents[1] / "data" / "tiny.toml"
CONFIGURATIONS = {
    "world-2024": {"scenario": "world-2024", "countries": None, "turns": 8, "seed": 5},
    "world-2024-firm-seat": {"scenario": "world-2024", "countries": ["IND", "kabil"], "turns": 5, "seed": 2},
    "tiny-mask-in-observation": {
        "scenario": str(TINY_PATH),
        "countries": None,
        "turns": 6,
        "seed": 11,
        "mask_in_observation": True,
    },
}


def digest(array: np.ndarray) -> str:
    """sha256 of an array's dtype, shape and bytes."""
    return hashlib.sha256(f"{array.dtype}{array.shape}".encode() + array.tobytes()).hexdigest()


def observed(observation) -> dict[str, str]:
    """Digests of one agent's observation (a vector, or a dict of vector and mask)."""
    if isinstance(observation, dict):
        return {key: digest(value) for key, value in sorted(observation.items())}
    return {"vector": digest(observation)}


def informed(info: dict) -> dict:
    """An info dict with its mask as a digest."""
    return {key: digest(value) if key == "action_mask" else value for key, value in sorted(info.items())}


def trajectory(configuration: dict) -> list[dict]:
    """Every step of one masked random episode: what the environment handed back, as digests."""
    settings = dict(configuration)
    seed = settings.pop("seed")
    env = parallel_env(**settings)
    rng = np.random.default_rng(seed)
    observations, infos = env.reset(seed=seed)
    steps = [{"observations": {a: observed(o) for a, o in observations.items()}, "infos": infos_of(infos)}]
    while env.agents:
        actions = {a: int(rng.choice(np.flatnonzero(infos[a]["action_mask"]))) for a in env.agents}
        observations, rewards, terminations, truncations, infos = env.step(actions)
        steps.append(
            {
                "actions": actions,
                "observations": {a: observed(o) for a, o in observations.items()},
                "rewards": rewards,
                "terminations": terminations,
                "truncations": truncations,
                "infos": infos_of(infos),
                "state_hash": env.world.state_hash(),
            }
        )
    return steps


def infos_of(infos: dict) -> dict:
    """Every agent's info as `informed`."""
    return {agent: informed(info) for agent, info in infos.items()}


@pytest.mark.skipif("world-2024" not in packaged_names(), reason="world-2024 is not packaged yet")
@pytest.mark.parametrize("name", list(CONFIGURATIONS))
def test_the_environment_plays_as_pinned(name):
    pinned = json.loads(PINS.read_text())[name]
    played = json.loads(json.dumps(trajectory(CONFIGURATIONS[name])))
    assert len(played) == len(pinned)
    for turn, (step, expected) in enumerate(zip(played, pinned, strict=True)):
        assert step == expected, f"{name}: step {turn} differs from the pinned environment"


if __name__ == "__main__":
    print(json.dumps({name: trajectory(c) for name, c in CONFIGURATIONS.items()}, indent=1, sort_keys=True))
