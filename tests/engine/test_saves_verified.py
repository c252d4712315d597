"""Saves that cannot lie: replay checks actions, hashes, format, version and turn count; resume continues."""

from __future__ import annotations

import copy
import json
import re

import pytest

from critmin.agents.controllers import QueuedController
from critmin.core.actions import BuyStockpile, SetTariff
from critmin.engine.model import WorldModel
from critmin.engine.save import SaveError, read_save, replay, resume, save_data, write_save
from critmin.scenarios.loader import content_hash, scenario_from_content


def played(tiny, turns: int = 3) -> WorldModel:
    """The tiny world with India played through submissions: a tariff, then a stockpile purchase."""
    model = WorldModel(tiny, seed=2, controllers={"IND": QueuedController()})
    orders = {
        0: [SetTariff(country="IND", mineral="lithium", stages=("refined",), rate=0.1)],
        1: [BuyStockpile(country="IND", mineral="ree_heavy", stage="refined", tonnes=5.0)],
    }
    for turn in range(turns):
        assert all(v is None for v in model.submit("IND", orders.get(turn, [])))
        model.step()
    return model


@pytest.fixture
def save(tiny):
    return json.loads(json.dumps(save_data(played(tiny), status="finished")))


def replayed(cli, tmp_path, data) -> tuple[int, str]:
    path = tmp_path / "save.json"
    path.write_text(json.dumps(data))
    code, out, err = cli("replay", path)
    assert "Traceback" not in out + err
    return code, out + err


def test_an_untouched_save_replays(cli, tmp_path, save):
    code, text = replayed(cli, tmp_path, save)
    assert code == 0 and "all 3 turns replay to the saved actions and state hashes" in text


def test_an_illegal_action_in_a_save_fails_the_replay(cli, tmp_path, save):
    lift = {"type": "lift_export_control", "country": "IND", "mineral": "lithium", "stages": ["mine"]}
    save["turns"][1]["actions"].append(lift)
    code, text = replayed(cli, tmp_path, save)
    assert code == 1 and re.search(r"turn 1: the engine carried out (\d+) actions, the save lists \d+", text)
    assert "(lift_export_control by IND not carried out)" in text


def test_an_action_for_an_unknown_country_in_a_save_is_refused(cli, tmp_path, save):
    save["turns"][0]["actions"][0]["country"] = "ZZZ"
    code, text = replayed(cli, tmp_path, save)
    assert code == 2 and "turns[0].actions[0].country: 'ZZZ' is not a country of the saved scenario" in text


def test_a_changed_action_in_a_save_fails_the_replay(cli, tmp_path, save):
    save["turns"][0]["actions"][0]["rate"] = 0.3
    code, text = replayed(cli, tmp_path, save)
    assert code == 1 and "turn 0: state hash differs" in text


def test_a_dropped_last_turn_is_refused(cli, tmp_path, save):
    save["turns"].pop()
    code, text = replayed(cli, tmp_path, save)
    assert code == 2 and "turn_count: the save says 3 turns but holds 2" in text


def test_reordered_turns_are_refused(cli, tmp_path, save):
    save["turns"][0], save["turns"][1] = save["turns"][1], save["turns"][0]
    code, text = replayed(cli, tmp_path, save)
    assert code == 2 and "turns[0].turn: expected 0, got 1" in text


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("format", None, "not a critmin save (no `format` field)"),
        ("format", 99, "format: save format 99 is not one this critmin"),
        ("format", "1", "format: save format '1' is not one this critmin"),
        ("engine_version", None, "object missing required field `engine_version`"),
        ("engine_version", "banana", "engine_version: expected `str` matching regex"),
        ("status", "won", "status: invalid enum value 'won'"),
        ("seed", -3, "seed: expected `int` >= 0"),
        ("final_state_hash", "0" * 64, "final_state_hash: differs from the last turn's state hash"),
    ],
)
def test_format_version_and_fields_are_checked(cli, tmp_path, save, field, value, expected):
    if value is None:
        del save[field]
    else:
        save[field] = value
    code, text = replayed(cli, tmp_path, save)
    assert code == 2 and expected in text, text


def test_changed_content_with_its_hash_recomputed_fails_the_replay(cli, tmp_path, save):
    content = save["scenario"]["content"]
    content["capacity"][0]["tonnes_per_year"] *= 2
    save["scenario"]["hash"] = content_hash(content)
    code, text = replayed(cli, tmp_path, save)
    assert code == 1 and "turn 0: state hash differs" in text


def test_changed_content_without_its_hash_is_refused(cli, tmp_path, save):
    save["scenario"]["content"]["capacity"][0]["tonnes_per_year"] *= 2
    code, text = replayed(cli, tmp_path, save)
    assert code == 2 and "scenario.content: does not match its hash" in text


def test_a_save_that_is_not_json_or_not_utf8_is_refused(cli, tmp_path):
    for name, data in (("a.json", b'{"format": 2,'), ("b.json", b"\xff\xfe{}"), ("c.json", b"[1, 2]")):
        (tmp_path / name).write_bytes(data)
        code, out, err = cli("replay", tmp_path / name)
        assert code == 2 and name in err and "Traceback" not in out + err


def test_a_save_is_written_whole_and_reads_back(tmp_path, tiny):
    path = write_save(played(tiny), tmp_path / "game.json")
    assert [p.name for p in tmp_path.iterdir()] == ["game.json"]
    assert read_save(path)["turn_count"] == 3


AI_DOCTRINES = {"CHN": "dominant_processor", "IND": "diversifying_importer", "AUS": "aligned_supplier"}


@pytest.fixture(scope="module")
def ai_world(tiny):
    """The tiny world, 20 turns, every country played by its AI doctrine."""
    content = copy.deepcopy(tiny.content)
    content["scenario"]["turns"] = 20
    for country in content["countries"]:
        country |= {"controller": "ai", "doctrine": AI_DOCTRINES[country["iso3"]]}
    return scenario_from_content(content, origin="tiny-ai.toml")


def test_ten_turns_saved_and_resumed_then_ten_more_equal_twenty_straight_turns(ai_world, tmp_path):
    straight = WorldModel(ai_world, seed=5)
    straight.run(20)
    assert sum(len(actions) for actions in straight.action_log[10:]) > 0, "the AI acts in the second half"
    first = WorldModel(ai_world, seed=5)
    first.run(10)
    resumed = resume(read_save(write_save(first, tmp_path / "half.json")))
    assert resumed.turn == 10
    resumed.run(10)
    assert resumed.hashes == straight.hashes
    replayed_only, _ = replay(read_save(tmp_path / "half.json"))
    replayed_only.run(10)
    assert replayed_only.hashes != straight.hashes, "replay scripts every country, so it cannot go on"


def test_resume_gives_a_submitting_country_its_saved_actions_then_the_queue(tiny):
    model = played(tiny)
    queued = QueuedController()
    resumed = resume(save_data(model), controllers={"IND": queued})
    assert resumed.hashes == model.hashes and resumed.countries["IND"].controller is queued
    order = SetTariff(country="IND", mineral="lithium", stages=("refined",), rate=0.2)
    assert resumed.submit("IND", [order]) == [None]


def test_resume_with_other_controllers_than_the_save_was_played_with_is_refused(tiny):
    with pytest.raises(SaveError, match="were these the controllers it was played with"):
        resume(save_data(played(tiny)))
