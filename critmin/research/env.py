"""PettingZoo and Gymnasium environments over the critmin engine (needs the `rl` extra).

`parallel_env(scenario=..., countries=None, turns=None, reward=None)` plays one agent per
chosen country; the other countries keep their engine controllers. `single_agent_env(...)` is
the same for one country, as a Gymnasium Env. Every step is one turn: each agent picks one
entry of its fixed action catalogue (index 0 is the no-op); illegal picks change nothing.
Spaces, features, catalogue and rewards are documented in docs/rl-environments.md.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

try:
    import gymnasium
    from gymnasium import spaces
    from gymnasium.utils import seeding
    from pettingzoo import ParallelEnv
except ImportError as error:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "critmin.research.env needs gymnasium and pettingzoo: pip install 'critmin[rl]'"
    ) from error

from critmin.agents.controllers import QueuedController
from critmin.core.actions import ActionBase
from critmin.core.observation import Observation
from critmin.engine import start
from critmin.engine.masks import Catalogue, Releases
from critmin.engine.model import WorldModel
from critmin.engine.world import World
from critmin.research.env_rows import Rows, rows_of_world
from critmin.research.env_spaces import (
    Menu,
    ScenarioScore,
    Template,
    catalogue,
    default_countries,
    encode_rows,
    feature_bounds,
    feature_names,
    scenario_lines,
)
from critmin.research.firm_seat import firm_action, firm_cash, firm_catalogue, firm_ids, firm_reward
from critmin.scenarios.loader import Scenario, load_scenario

RewardFunction = Callable[[Observation, Observation], float]
SEED_LIMIT = 2**32


class Seat(QueuedController):
    """An agent's seat: it plays the queued choice and reads nothing of the turn.

    Deciding "on the reading" (the AI's row of the turn's arrays, built for the AIs anyway), it
    spares the engine an Observation per agent and turn that nobody would read.
    """

    def decide_on_reading(self, reading: Any, country: str, legal: Sequence[ActionBase]) -> list[ActionBase]:
        """The queued actions, emptying the queue."""
        actions, self.pending = self.pending, []
        return actions


class EpisodeModel(WorldModel):
    """A WorldModel whose first World is a copy of `start_world`, the World of its scenario's first turn.

    `start.build` draws nothing from the model's generator, so a copy given this model's
    generator is the World it would build (tests/research/test_env.py), for less than a fifth
    of the work.
    """

    def __init__(self, start_world: World, **options: Any) -> None:
        self.start_world = start_world
        super().__init__(start_world.scenario, **options)

    def first_world(self, scenario: Scenario, rng: np.random.Generator) -> World:
        """A copy of `start_world` (of `scenario`, shared) drawing from `rng`, this model's generator."""
        start_world = self.start_world
        shared = {id(start_world.scenario): scenario, id(start_world.rng): rng}
        return copy.deepcopy(start_world, shared)


class CritminParallelEnv(ParallelEnv):
    """A PettingZoo ParallelEnv: one agent per chosen country, one step per turn.

    Args:
        scenario: a loaded Scenario, a packaged scenario name or a path to a TOML file.
        countries: ISO3 codes of the countries played by agents (default: the five with the
            largest final demand at reference prices); a firm id makes that firm an agent
            (critmin/research/firm_seat.py: its stakes and expansions, rewarded by its budget).
        turns: turns per episode; truncation comes after them (default: the scenario's turns).
        reward: `reward(observation_before, observation_after) -> float` per agent and turn
            (default: the scenario's [scoring] weights, see `ScenarioScore`).
        mask_in_observation: observations become dicts {"observation", "action_mask"}.

    """

    metadata = {"name": "critmin_v0", "render_modes": [], "is_parallelizable": True}  # noqa: RUF012

    def __init__(
        self,
        scenario: Scenario | str | Path,
        countries: Sequence[str] | None = None,
        turns: int | None = None,
        reward: RewardFunction | None = None,
        mask_in_observation: bool = False,
    ) -> None:
        self.scenario = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        self.possible_agents = list(countries or default_countries(self.scenario))
        check_countries(self.scenario, self.possible_agents)
        self.turns = int(turns or self.scenario.spec.scenario.turns)
        self.reward_function = reward or ScenarioScore.of(self.scenario)
        self.mask_in_observation = mask_in_observation
        self.render_mode = None
        self.firms = firm_ids(self.scenario) & set(self.possible_agents)
        self.catalogues = {
            a: firm_catalogue(self.scenario, a) if a in self.firms else catalogue(self.scenario, a)
            for a in self.possible_agents
        }
        self.lines = scenario_lines(self.scenario)
        self.feature_names = feature_names(self.lines)
        self.observation_spaces = {a: self.make_observation_space(a) for a in self.possible_agents}
        self.action_spaces = {a: spaces.Discrete(len(self.catalogues[a])) for a in self.possible_agents}
        self.agents: list[str] = []
        self.world: WorldModel | None = None
        self.start_world: World | None = None  # the scenario's first World, copied by each reset
        self.world_seed: int | None = None
        self.np_random: np.random.Generator | None = None
        self.menus = {
            a: Menu.of(self.catalogues[a], a, self.lines) for a in self.possible_agents if a not in self.firms
        }
        self.seen: dict[str, str] = {}  # the country whose lines each agent sees (a firm's: its home)
        self.rows: Rows | None = None  # what the agents see now, a row per agent
        self.observations: dict[str, Observation] = {}  # kept only for a custom reward function
        self.pending: dict[str, list[ActionBase | None]] = {}  # each firm's actions now
        # each country's standing actions as the engine reads them, for its masks: what they read
        # is the scenario's (names, constants, settings), the same in every world of the env
        self.engine_catalogues: dict[str, tuple[Catalogue, Releases]] = {}
        self.masks: dict[str, np.ndarray] = {}

    # --- spaces --------------------------------------------------------------------------

    def make_observation_space(self, agent: str) -> spaces.Space:
        """A Box over the feature vector, or a Dict with the action mask beside it."""
        low, high = feature_bounds(len(self.lines))
        box = spaces.Box(low=low, high=high, dtype=np.float32)
        if not self.mask_in_observation:
            return box
        mask = spaces.Box(low=0, high=1, shape=(len(self.catalogues[agent]),), dtype=np.int8)
        return spaces.Dict({"observation": box, "action_mask": mask})

    def observation_space(self, agent: str) -> spaces.Space:
        """The agent's observation space (the same object on every call)."""
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> spaces.Discrete:
        """Discrete over the agent's catalogue (the same object on every call)."""
        return self.action_spaces[agent]

    # --- the episode ---------------------------------------------------------------------

    def reset(self, seed: int | None = None, options: dict | None = None) -> tuple[dict, dict]:
        """Start an episode on a new world.

        `reset(seed=s)` plays the world `WorldModel(scenario, seed=s)`; a later `reset()` draws
        the next world seed from a generator seeded by `s` (from entropy if never seeded).
        """
        self.world_seed = self.next_world_seed(seed)
        controllers = {agent: Seat() for agent in self.possible_agents}
        if self.start_world is None:
            self.start_world = start.build(self.scenario, np.random.default_rng())
        self.world = EpisodeModel(
            self.start_world, seed=self.world_seed, controllers=controllers, record_hashes=False
        )
        self.agents = list(self.possible_agents)
        self.seen = {a: self.world.firms[a].country if a in self.firms else a for a in self.agents}
        self.observe_all()
        return self.agent_observations(), {a: self.info(a, "", False) for a in self.agents}

    def next_world_seed(self, seed: int | None) -> int:
        """The given seed (reseeding the generator), else the generator's next draw."""
        if seed is not None:
            self.np_random, _ = seeding.np_random(seed)
            return int(seed)
        if self.np_random is None:
            self.np_random, _ = seeding.np_random(None)
        return int(self.np_random.integers(SEED_LIMIT))

    def step(self, actions: dict[str, Any]) -> tuple[dict, dict, dict, dict, dict]:
        """Submit each agent's choice, play one turn, observe and score it."""
        if self.world is None or not self.agents:
            raise RuntimeError("the episode is over (or never started): call reset()")
        applied = {agent: self.submit(agent, actions.get(agent)) for agent in self.agents}
        before, observed = self.rows, dict(self.observations)
        cash = {a: firm_cash(self.world, a) for a in self.firms}
        self.world.step()
        self.observe_all()
        rewards = self.rewards(before, observed, cash)
        truncated = self.world.turn >= self.turns
        terminations = dict.fromkeys(self.agents, False)
        truncations = dict.fromkeys(self.agents, truncated)
        infos = {a: self.info(a, *applied[a]) for a in self.agents}
        observations = self.agent_observations()
        if truncated:
            self.agents = []
        return observations, rewards, terminations, truncations, infos

    def submit(self, agent: str, choice: Any) -> tuple[str, bool]:
        """Queue the chosen template's action if the mask allows it; (label, applied)."""
        if choice is None:
            return self.catalogues[agent][0].label, False
        index = int(choice)
        template = self.catalogues[agent][index]
        if not self.masks[agent][index]:
            return template.label, False
        action = self.action(agent, index)
        if action is None:
            return template.label, False
        verdicts = self.world.submit(agent, [action])
        return template.label, verdicts[0] is None

    def action(self, agent: str, index: int) -> ActionBase | None:
        """The action the agent's template `index` stands for now (None if none)."""
        if agent in self.firms:
            return self.pending[agent][index]
        return self.menus[agent].action(index, self.rows, self.possible_agents.index(agent))

    def observe_all(self) -> None:
        """What every agent sees (one row each), and each agent's mask.

        The engine Observations are made only for a custom reward function, which reads them.
        """
        self.rows = rows_of_world(self.world, [self.seen[a] for a in self.possible_agents], self.lines)
        if not isinstance(self.reward_function, ScenarioScore):
            self.observations = {a: self.world.observe(self.seen[a]) for a in self.agents}
        for r, agent in enumerate(self.agents):
            if agent in self.firms:  # a firm sees its country's lines and acts as the firm
                self.pending[agent] = [firm_action(self.world, agent, t) for t in self.catalogues[agent]]
                self.masks[agent] = self.compute_mask(self.pending[agent])
            else:
                self.masks[agent] = self.country_mask(agent, r)

    def rewards(
        self, before: Rows, observed: dict[str, Observation], cash: dict[str, float]
    ) -> dict[str, float]:
        """Each agent's reward for the turn just played (firms: `firm_reward`)."""
        if isinstance(self.reward_function, ScenarioScore):
            scores = self.reward_function.of_rows(before, self.rows).tolist()
            scored = dict(zip(self.possible_agents, scores, strict=True))
        else:
            scored = {a: float(self.reward_function(observed[a], self.observations[a])) for a in self.agents}
        return {a: firm_reward(self.world, a, cash[a]) if a in self.firms else scored[a] for a in self.agents}

    def country_mask(self, agent: str, r: int) -> np.ndarray:
        """`compute_mask` of a country's actions now: its standing actions judged on the state's arrays.

        A STANDING_KINDS template stands for the same action whenever it stands for one, so the
        engine reads the catalogue of those once per world (engine/masks.py) and judges it in a
        few array operations; releases (half the stockpile held) on the stockpile's array too;
        answers one by one.
        """
        menu = self.menus[agent]
        catalogue, releases = self.engine_catalogue(agent)
        built = menu.built(self.rows, r)
        legal = catalogue.legal(self.world.world, built)
        release_at = np.flatnonzero(menu.release)
        tonnes = self.rows.on_lines("stockpile")[r, menu.line[release_at]] / 2
        legal[release_at] = releases.legal(self.world.world, tonnes)
        for k in np.flatnonzero(built & menu.answer).tolist():
            legal[k] = self.world.check(menu.action(k, self.rows, r)) is None
        mask = (built & legal).astype(np.int8)
        mask[0] = 1
        return mask

    def engine_catalogue(self, agent: str) -> tuple[Catalogue, Releases]:
        """A country's standing actions and releases as the engine reads them, read once per env."""
        if agent not in self.engine_catalogues:
            menu, world = self.menus[agent], self.world.world
            lines = [
                (agent, menu.templates[k].mineral, menu.templates[k].stage)
                for k in np.flatnonzero(menu.release)
            ]
            self.engine_catalogues[agent] = Catalogue(world, menu.standing), Releases(world, lines)
        return self.engine_catalogues[agent]

    def compute_mask(self, actions: list[ActionBase | None]) -> np.ndarray:
        """1 where the template is the no-op or its action passes the engine's check."""
        mask = np.array([a is not None and self.world.check(a) is None for a in actions], dtype=np.int8)
        mask[0] = 1
        return mask

    def agent_observations(self) -> dict[str, Any]:
        """Fresh observation objects for every live agent, as their spaces' elements."""
        vectors = encode_rows(self.rows, min(self.world.turn / self.turns, 1.0))
        if self.mask_in_observation:
            return {
                a: {"observation": vectors[r], "action_mask": self.masks[a].copy()}
                for r, a in enumerate(self.agents)
            }
        return {a: vectors[r] for r, a in enumerate(self.agents)}

    def info(self, agent: str, label: str, applied: bool) -> dict[str, Any]:
        """The action mask and what became of the last choice."""
        return {
            "action_mask": self.masks[agent].copy(),
            "turn": self.world.turn,
            "date": self.world.date,
            "world_seed": self.world_seed,
            "action": label,
            "applied": applied,
        }

    # --- helpers for policies and tools --------------------------------------------------

    def action_mask(self, agent: str) -> np.ndarray:
        """The agent's current mask (int8, 1 = allowed)."""
        return self.masks[agent].copy()

    def observation(self, agent: str) -> Observation:
        """The agent's current engine Observation (for hand-written policies; a firm sees its home's)."""
        return self.world.observe(self.seen[agent])

    def catalogue(self, agent: str) -> list[Template]:
        """The agent's fixed action catalogue."""
        return list(self.catalogues[agent])

    def close(self) -> None:
        """Drop the world."""
        self.world = None


class CritminEnv(gymnasium.Env):
    """A Gymnasium Env: one country played by the agent, the others by their engine controllers.

    Args:
        scenario: a loaded Scenario, a packaged scenario name or a path to a TOML file.
        country: the ISO3 code played (default: the country with the largest final demand).
        turns: turns per episode (default: the scenario's).
        reward: `reward(observation_before, observation_after) -> float` (default: scoring).

    """

    metadata = {"render_modes": []}  # noqa: RUF012

    def __init__(
        self,
        scenario: Scenario | str | Path,
        country: str | None = None,
        turns: int | None = None,
        reward: RewardFunction | None = None,
    ) -> None:
        loaded = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        self.country = country or default_countries(loaded, 1)[0]
        self.parallel = CritminParallelEnv(loaded, countries=[self.country], turns=turns, reward=reward)
        self.observation_space = self.parallel.observation_space(self.country)
        self.action_space = self.parallel.action_space(self.country)
        self.render_mode = None

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[np.ndarray, dict]:
        """A new world: seeded by `seed`, else by the env's generator."""
        super().reset(seed=seed)
        world_seed = seed if seed is not None else int(self.np_random.integers(SEED_LIMIT))
        observations, infos = self.parallel.reset(seed=world_seed)
        return observations[self.country], infos[self.country]

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        """Play one turn with the chosen catalogue entry."""
        observations, rewards, terminations, truncations, infos = self.parallel.step({self.country: action})
        c = self.country
        return observations[c], rewards[c], bool(terminations[c]), bool(truncations[c]), infos[c]

    def action_masks(self) -> np.ndarray:
        """The current mask as booleans (the hook sb3-contrib's MaskablePPO calls)."""
        return self.parallel.action_mask(self.country).astype(bool)

    @property
    def world(self) -> WorldModel | None:
        """The engine world of the current episode."""
        return self.parallel.world

    def close(self) -> None:
        """Drop the world."""
        self.parallel.close()


def check_countries(scenario: Scenario, countries: list[str]) -> None:
    """Every agent is a distinct country (or firm, by its id) of the scenario."""
    known = {c.iso3 for c in scenario.spec.countries} | firm_ids(scenario)
    unknown = sorted(set(countries) - known)
    if unknown:
        raise ValueError(f"countries or firms not in scenario {scenario.id}: {', '.join(unknown)}")
    if len(set(countries)) != len(countries) or not countries:
        raise ValueError("name each agent country once, and at least one")


def parallel_env(
    scenario: Scenario | str | Path = "world-2024",
    countries: Sequence[str] | None = None,
    turns: int | None = None,
    reward: RewardFunction | None = None,
    mask_in_observation: bool = False,
) -> CritminParallelEnv:
    """A PettingZoo ParallelEnv over a scenario (see `CritminParallelEnv`)."""
    return CritminParallelEnv(scenario, countries, turns, reward, mask_in_observation)


def single_agent_env(
    scenario: Scenario | str | Path = "world-2024",
    country: str | None = None,
    turns: int | None = None,
    reward: RewardFunction | None = None,
) -> CritminEnv:
    """A Gymnasium Env for one country against the engine's controllers (see `CritminEnv`)."""
    return CritminEnv(scenario, country, turns, reward)


def benchmark(
    scenario: Scenario | str | Path = "world-2024",
    steps: int = 200,
    seed: int = 0,
    countries: Sequence[str] | None = None,
) -> dict[str, float]:
    """Environment steps per second with random legal actions (resetting as episodes end).

    One step is one turn of the whole world with every agent acting. Not a timed test.
    """
    env = parallel_env(scenario, countries=countries)
    _, infos = env.reset(seed=seed)
    for i, agent in enumerate(env.possible_agents):
        env.action_space(agent).seed(seed + i)
    start = time.perf_counter()
    for _ in range(steps):
        if not env.agents:
            _, infos = env.reset()
        actions = {a: env.action_space(a).sample(mask=infos[a]["action_mask"]) for a in env.agents}
        _, _, _, _, infos = env.step(actions)
    elapsed = time.perf_counter() - start
    return {
        "steps_per_second": steps / elapsed,
        "ms_per_step": 1000 * elapsed / steps,
        "agents": float(len(env.possible_agents)),
        "steps": float(steps),
    }
