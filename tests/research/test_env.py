"""The RL environments: PettingZoo's and Gymnasium's own checkers, masks, seeding, rewards."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

pytest.importorskip("pettingzoo")
pytest.importorskip("gymnasium")

from gymnasium.utils.env_checker import check_env
from pettingzoo.test import parallel_api_test, parallel_seed_test

from critmin.core.actions import LiftExportControl
from critmin.core.observation import MineralView, Observation
from critmin.engine import start
from critmin.engine.model import WorldModel
from critmin.engine.policies import ExportControl, PolicyBook, Subsidy, Tariff
from critmin.research.env import Seat, benchmark, parallel_env, single_agent_env
from critmin.research.env_rows import book_policies, policies_of
from critmin.research.env_spaces import (
    ScenarioScore,
    budget_balance,
    default_countries,
    encode,
    feature_names,
    instantiate,
    supply_security,
    trade_balance,
)
from critmin.scenarios import load_scenario, packaged_names
from tests.conftest import TINY

TURNS = 3


def packaged(name: str):
    """A packaged scenario as a test parameter, skipped with a reason while it is not written yet."""
    absent = name not in packaged_names()
    reason = f"scenario {name!r} is not packaged yet (it comes with its own issue)"
    return pytest.param(name, id=name, marks=pytest.mark.skipif(absent, reason=reason))


SCENARIOS = [
    pytest.param(str(TINY), id="tiny"),
    packaged("world-2024"),
    packaged("china-ree-controls-2025"),
    packaged("india-central-asia-2025"),
]


@pytest.fixture(scope="module")
def scenarios():
    """Scenarios loaded once per module, by name or path."""
    cache = {}

    def get(name: str):
        if name not in cache:
            cache[name] = load_scenario(name)
        return cache[name]

    return get


def play_episode(env, seed: int, action_seed: int = 0) -> tuple[dict[str, float], list[str]]:
    """Masked random play to the end; the returns per agent and the world's state hashes."""
    _, infos = env.reset(seed=seed)
    rng = np.random.default_rng(action_seed)
    returns = dict.fromkeys(env.possible_agents, 0.0)
    hashes = []
    while env.agents:
        actions = {a: int(rng.choice(np.flatnonzero(infos[a]["action_mask"]))) for a in env.agents}
        _, rewards, _, _, infos = env.step(actions)
        hashes.append(env.world.state_hash())
        for agent, reward in rewards.items():
            returns[agent] += reward
    return returns, hashes


# --- the official checkers ---------------------------------------------------------------


@pytest.mark.parametrize("name", SCENARIOS)
def test_pettingzoo_parallel_api(name, scenarios):
    parallel_api_test(parallel_env(scenarios(name), turns=TURNS), num_cycles=10)


@pytest.mark.parametrize("name", SCENARIOS)
def test_pettingzoo_parallel_seed(name, scenarios):
    parallel_seed_test(lambda: parallel_env(scenarios(name), turns=TURNS), num_cycles=10)


@pytest.mark.parametrize("name", SCENARIOS)
def test_gymnasium_check_env(name, scenarios):
    check_env(single_agent_env(scenarios(name), turns=TURNS), skip_render_check=True)


def test_pettingzoo_api_with_the_mask_in_the_observation(scenarios):
    env = parallel_env(scenarios(str(TINY)), turns=TURNS, mask_in_observation=True)
    parallel_api_test(env, num_cycles=10)
    observations, _ = env.reset(seed=1)
    for agent, observation in observations.items():
        assert set(observation) == {"observation", "action_mask"}
        assert observation in env.observation_space(agent)


# --- spaces and masks --------------------------------------------------------------------


@pytest.mark.parametrize("name", SCENARIOS)
def test_observations_stay_inside_their_space(name, scenarios):
    env = parallel_env(scenarios(name), turns=TURNS)
    observations, _ = env.reset(seed=0)
    while env.agents:
        for agent, observation in observations.items():
            assert observation in env.observation_space(agent), f"{agent} turn {env.world.turn}"
        actions = {a: env.action_space(a).sample(mask=env.action_mask(a)) for a in env.agents}
        observations, *_ = env.step(actions)


@pytest.mark.parametrize("name", [SCENARIOS[0], SCENARIOS[1]])
def test_mask_allows_exactly_what_the_engine_accepts(name, scenarios):
    """Every template instantiated afresh each turn: the env's fixed actions are the same ones.

    In a second episode too (another world seed): what the masks read once is read per env.
    """
    env = parallel_env(scenarios(name), turns=4)
    for seed in (2, 7):
        _, infos = env.reset(seed=seed)
        for _ in range(3):
            for agent in env.agents:
                assert_mask_is_the_engines(env, agent, infos[agent]["action_mask"])
            actions = {a: env.action_space(a).sample(mask=infos[a]["action_mask"]) for a in env.agents}
            *_, infos = env.step(actions)


def assert_mask_is_the_engines(env, agent: str, mask: np.ndarray) -> None:
    """The mask allows the no-op and exactly the templates whose action the engine accepts now."""
    observation = env.observation(agent)
    assert mask[0] == 1, "the no-op is always allowed"
    for index, template in enumerate(env.catalogue(agent)[1:], start=1):
        action = instantiate(template, observation)
        legal = action is not None and env.world.check(action) is None
        assert bool(mask[index]) == legal, f"{agent}: {template.label}"


def test_lift_is_allowed_exactly_where_the_engine_menu_offers_it(scenarios):
    scenario = scenarios("world-2024") if "world-2024" in packaged_names() else scenarios(str(TINY))
    env = parallel_env(scenario, turns=2)
    env.reset(seed=0)
    agent = env.possible_agents[0]
    if scenario.id == "tiny":
        env.step({agent: label_index(env, agent, "ban ree_heavy mine exports")})
    menu = {
        (a.mineral.value, a.stages[0].value)
        for a in env.world.legal_actions(agent)
        if isinstance(a, LiftExportControl)
    }
    lifts = [
        (t, allowed)
        for t, allowed in zip(env.catalogue(agent), env.action_mask(agent), strict=True)
        if t.kind == "lift"
    ]
    masked = {(t.mineral, t.stage) for t, allowed in lifts if allowed}
    assert masked, "the agent should have a control in force to lift"
    assert masked == menu & {(t.mineral, t.stage) for t, _ in lifts}


def label_index(env, agent: str, label: str) -> int:
    return next(i for i, t in enumerate(env.catalogue(agent)) if t.label == label)


def test_a_masked_choice_is_a_no_op(scenarios):
    env = parallel_env(scenarios(str(TINY)), turns=2)
    _, infos = env.reset(seed=5)
    accept = label_index(env, "IND", "accept the oldest proposal")
    assert infos["IND"]["action_mask"][accept] == 0, "nothing to accept on the first turn"
    *_, infos = env.step({"IND": accept})
    assert infos["IND"]["applied"] is False
    assert infos["IND"]["action"] == "accept the oldest proposal"
    idle = parallel_env(scenarios(str(TINY)), turns=2)
    idle.reset(seed=5)
    idle.step({})
    assert env.world.state_hash() == idle.world.state_hash(), "a masked choice changes nothing"
    assert not [a for a in env.world.action_log[0] if a["country"] == "IND"]


def test_a_legal_choice_reaches_the_engine(scenarios):
    env = parallel_env(scenarios(str(TINY)), turns=2)
    env.reset(seed=5)
    ban = label_index(env, "CHN", "ban ree_heavy refined exports")
    *_, infos = env.step({"CHN": ban})
    assert infos["CHN"]["applied"] is True
    played = env.world.action_log[0]
    assert any(a["type"] == "impose_export_control" and a["country"] == "CHN" for a in played)
    names = env.feature_names
    observation = env.agent_observations()["CHN"]
    assert observation[names.index("ree_heavy.refined.export_control")] == 1.0


def test_catalogue_is_fixed_across_resets(scenarios):
    env = parallel_env(scenarios(str(TINY)))
    env.reset(seed=1)
    before = {a: [t.label for t in env.catalogue(a)] for a in env.possible_agents}
    play_episode(env, seed=9)
    env.reset(seed=2)
    assert before == {a: [t.label for t in env.catalogue(a)] for a in env.possible_agents}
    assert all(before[a][0] == "do nothing" for a in before)


# --- seeding, truncation, rewards ----------------------------------------------------------


def test_same_seed_same_returns_and_trajectory(scenarios):
    first = play_episode(parallel_env(scenarios(str(TINY)), turns=6), seed=11, action_seed=3)
    second = play_episode(parallel_env(scenarios(str(TINY)), turns=6), seed=11, action_seed=3)
    assert first == second


def test_reset_seed_is_the_world_seed_and_unseeded_resets_follow_it(scenarios):
    env = parallel_env(scenarios(str(TINY)), turns=2)
    _, infos = env.reset(seed=42)
    assert env.world.seed == 42 and infos["CHN"]["world_seed"] == 42
    env.reset()
    following = env.world.seed
    env.reset(seed=42)
    env.reset()
    assert env.world.seed == following


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_reset_plays_the_world_its_scenario_builds(name, scenarios):
    scenario = scenarios(name)
    state = np.random.default_rng(3).bit_generator.state
    drawn = np.random.default_rng(3)
    start.build(scenario, drawn)
    assert drawn.bit_generator.state == state, "start.build draws nothing: a copy of its World is the World"
    env = parallel_env(scenario, turns=2)
    play_episode(env, seed=4, action_seed=1)  # an episode on the first copy of the start World
    env.reset(seed=7)
    seats = {agent: Seat() for agent in env.possible_agents}
    fresh = WorldModel(scenario, seed=7, controllers=seats, record_hashes=False)
    for _ in range(3):
        assert env.world.state_hash() == fresh.state_hash()
        assert env.world.events == fresh.events and env.world.ledger == fresh.ledger
        env.world.step()
        fresh.step()


@pytest.mark.skipif("world-2024" not in packaged_names(), reason="world-2024 is not packaged yet")
def test_different_seeds_give_different_worlds(scenarios):
    env = parallel_env(scenarios("world-2024"), turns=4)
    _, first = play_episode(env, seed=1)
    _, second = play_episode(env, seed=2)
    assert first != second, "random disruptions follow the seed"


def test_truncation_comes_after_the_given_turns(scenarios):
    env = parallel_env(scenarios(str(TINY)), turns=4)
    env.reset(seed=0)
    for turn in range(1, 5):
        _, _, terminations, truncations, _ = env.step({})
        assert not any(terminations.values())
        assert all(truncations.values()) == (turn == 4)
    assert env.agents == []
    with pytest.raises(RuntimeError, match="reset"):
        env.step({})


def test_custom_reward_function_sees_the_turn_before_and_after(scenarios):
    seen = []

    def treasury_growth(before: Observation, after: Observation) -> float:
        seen.append((before.turn, after.turn))
        return after.treasury_usd_m - before.treasury_usd_m

    env = parallel_env(scenarios(str(TINY)), countries=["IND"], turns=2, reward=treasury_growth)
    env.reset(seed=0)
    _, rewards, *_ = env.step({})
    assert seen == [(0, 1)]
    assert rewards["IND"] == pytest.approx(250.0), "an idle India banks its quarterly budget"


def test_default_reward_is_the_scenario_scoring(scenarios):
    scenario = scenarios(str(TINY))
    env = parallel_env(scenario, turns=2)
    env.reset(seed=0)
    before = {a: env.observation(a) for a in env.agents}
    _, rewards, *_ = env.step({})
    score = ScenarioScore.of(scenario)
    for agent in env.possible_agents:
        assert rewards[agent] == score(before[agent], env.observation(agent)), "read from rows, bit for bit"


@pytest.mark.parametrize("name", [SCENARIOS[0], SCENARIOS[1]])
def test_each_vector_encodes_the_agents_observation(name, scenarios):
    """The rows read from the turn view show what each agent's engine Observation shows."""
    env = parallel_env(scenarios(name), turns=3)
    observations, infos = env.reset(seed=4)
    rng = np.random.default_rng(4)
    while env.agents:
        progress = min(env.world.turn / env.turns, 1.0)
        for agent, vector in observations.items():
            assert np.array_equal(vector, encode(env.observation(agent), env.lines, progress)), agent
        actions = {a: int(rng.choice(np.flatnonzero(infos[a]["action_mask"]))) for a in env.agents}
        observations, _, _, _, infos = env.step(actions)


def test_a_step_builds_no_observation_with_the_default_reward(scenarios):
    """Neither the engine (for the agents' seats) nor the environment makes an Observation."""
    env = parallel_env(scenarios(str(TINY)), turns=2)
    env.reset(seed=0)
    asked = []
    observe = env.world.observe
    env.world.observe = lambda country: asked.append(country) or observe(country)
    env.step({})
    assert asked == []
    env.observation("IND")
    assert asked == ["IND"], "an Observation is still there when asked for"


def view(**figures) -> MineralView:
    """A lithium refined line: every figure 0 and every price 10 USD/kg unless given."""
    tonnes = ("capacity", "production", "consumption", "demand", "imports", "exports", "stock", "stockpile")
    prices = ("price_usd_per_kg", "world_price_usd_per_kg", "reference_price_usd_per_kg")
    base = {"mineral": "lithium", "stage": "refined", "imports_by_origin": {}, "shortage": 0.0}
    return MineralView(**(base | dict.fromkeys(tonnes, 0.0) | dict.fromkeys(prices, 10.0) | figures))


def observation(treasury: float, *views: MineralView) -> Observation:
    return Observation(
        turn=0,
        date="2025Q1",
        country="IND",
        treasury_usd_m=treasury,
        budget_per_turn_usd_m=100.0,
        minerals=list(views),
        policies=[],
        deals=[],
        inbox=[],
        news=[],
        trust={},
    )


def test_the_rows_read_each_countrys_policies_from_the_book_as_from_its_records():
    book = PolicyBook()
    book.impose(ExportControl("CHN", "ree_heavy", "refined", "licence", approval_share=0.5))
    book.impose(ExportControl("CHN", "gallium", "refined", "ban", destinations=("USA",)))
    book.impose(ExportControl("IND", "graphite", "refined", "quota", quota_tonnes_per_turn=10.0))
    book.set_tariff(Tariff("USA", "gallium", "refined", 0.25, ("CHN",)))
    book.set_tariff(Tariff("CHN", "lithium", "refined", 0.1))
    book.set_subsidy(Subsidy("USA", "gallium", "refined", 0.2, until_turn=5))
    countries = ["USA", "CHN", "JPN", "IND"]
    records = book.records()
    assert book_policies(book, countries) == [policies_of(records, c) for c in countries]


def test_score_components_on_hand_made_observations():
    short = view(demand=100.0, shortage=25.0, imports=50.0, exports=10.0)
    dear = view(mineral="cobalt", reference_price_usd_per_kg=30.0, demand=100.0)
    assert supply_security(observation(0.0, short)) == pytest.approx(0.75)
    assert supply_security(observation(0.0, short, dear)) == pytest.approx(
        1 - 25 * 10 / (100 * 10 + 100 * 30)
    )
    assert supply_security(observation(0.0)) == 1.0, "no needs, nothing short"
    assert budget_balance(observation(500.0), observation(600.0)) == 0.0, "idle: the allocation is banked"
    assert budget_balance(observation(500.0), observation(550.0)) == pytest.approx(-0.5)
    assert trade_balance(observation(0.0, short)) == pytest.approx((10 - 50) / 60)
    weights = ScenarioScore(supply_security=1.0, budget=0.5, trade_balance=0.0)
    assert weights(observation(500.0), observation(550.0, short)) == pytest.approx(0.75 - 0.25)


def test_encoding_follows_the_scenario_lines_whatever_the_observation_lists():
    lines = [("cobalt", "refined"), ("lithium", "refined")]
    seen = observation(400.0, view(demand=100.0, shortage=25.0, price_usd_per_kg=15.0))
    vector = encode(seen, lines, progress=0.5)
    features = dict(zip(feature_names(lines), vector.tolist(), strict=True))
    assert vector.dtype == np.float32 and vector.shape == (len(features),)
    assert features["lithium.refined.price_ratio"] == pytest.approx(1.5)
    assert features["lithium.refined.shortage_share"] == pytest.approx(0.25)
    assert features["cobalt.refined.price_ratio"] == 0.0, "a line not in the observation reads 0"
    assert features["treasury_years"] == pytest.approx(1.0)
    assert features["progress"] == 0.5


# --- construction, single agent, housekeeping ----------------------------------------------


def test_default_agents_are_the_largest_consumers(scenarios):
    tiny = scenarios(str(TINY))
    assert default_countries(tiny) == ["CHN", "IND", "AUS"]
    assert parallel_env(tiny).possible_agents == ["CHN", "IND", "AUS"]
    with pytest.raises(ValueError, match="XYZ"):
        parallel_env(tiny, countries=["XYZ"])


@pytest.mark.skipif("world-2024" not in packaged_names(), reason="world-2024 is not packaged yet")
def test_world_defaults_to_a_handful_of_big_consumers(scenarios):
    agents = parallel_env(scenarios("world-2024")).possible_agents
    assert len(agents) == 5
    assert {"CHN", "USA"} <= set(agents)
    assert "ROW" not in agents


def test_single_agent_env_plays_one_country_with_masks(scenarios):
    env = single_agent_env(scenarios(str(TINY)), country="IND", turns=3)
    observation, info = env.reset(seed=4)
    assert observation in env.observation_space
    assert env.action_masks().dtype == bool
    assert np.array_equal(env.action_masks(), info["action_mask"].astype(bool))
    steps, truncated = 0, False
    while not truncated:
        observation, reward, terminated, truncated, info = env.step(0)
        assert isinstance(reward, float) and terminated is False
        steps += 1
    assert steps == 3
    assert env.world.countries["CHN"].controller.__class__.__name__ != "QueuedController"


def test_envs_are_garbage_collected(scenarios):
    env = parallel_env(scenarios(str(TINY)), turns=2)
    play_episode(env, seed=0)
    world = weakref.ref(env.world)
    del env
    gc.collect()
    assert world() is None


def test_benchmark_reports_steps_per_second():
    figures = benchmark(TINY, steps=5)
    assert figures["steps_per_second"] > 0
    assert figures["agents"] == 3


def test_example_compares_random_and_greedy_play():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "examples" / "random_vs_greedy.py"
    spec = importlib.util.spec_from_file_location("random_vs_greedy", path)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    means = example.compare(TINY, episodes=2, turns=2)
    assert set(means) == {"random", "greedy"}
    assert set(means["greedy"]) == {"CHN", "IND", "AUS"}
    assert all(np.isfinite(list(by_agent.values())).all() for by_agent in means.values())
