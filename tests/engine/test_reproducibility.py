"""Same scenario + seed + actions => identical hashes, in any process; saves replay; GC works."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import weakref

import pytest

from critmin.engine.model import WorldModel
from critmin.engine.save import save_data
from tests.conftest import TINY

HASHES = (
    "from critmin import WorldModel; m = WorldModel({path!r}, seed=7); m.run(6); print(','.join(m.hashes))"
)


def hashes_in_subprocess() -> list[str]:
    code = HASHES.format(path=str(TINY))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return result.stdout.strip().split(",")


def test_same_seed_same_hashes_in_two_processes():
    first, second = hashes_in_subprocess(), hashes_in_subprocess()
    assert len(first) == 6
    assert first == second


def test_different_seed_changes_the_trajectory(tiny):
    noisy = tiny.spec.market.disruption_probability_per_turn
    assert noisy == 0.0  # tiny has no random shocks: seeds only matter through draws
    a, b = WorldModel("world-2024", seed=1), WorldModel("world-2024", seed=2)
    a.run(4)
    b.run(4)
    assert a.hashes != b.hashes


def test_save_replays_to_the_same_hashes(tmp_path, cli, tiny):
    model = WorldModel(tiny, seed=3)
    model.run(5)
    path = tmp_path / "game.json"
    path.write_text(json.dumps(save_data(model, "finished")))
    code, out, _ = cli("replay", path)
    assert code == 0
    assert "all 5 turns" in out


def test_tampered_state_hash_is_refused(tmp_path, cli, tiny):
    model = WorldModel(tiny, seed=3)
    model.run(3)
    data = save_data(model)
    data["turns"][1]["state_hash"] = "0" * 64
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(data))
    code, _, err = cli("replay", path)
    assert code == 1
    assert "turn 1: state hash differs" in err


def test_tampered_scenario_is_refused(tmp_path, cli, tiny):
    model = WorldModel(tiny, seed=3)
    model.run(2)
    data = save_data(model)
    data["scenario"]["content"]["countries"][0]["budget_usd_m"] = 9e9
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(data))
    code, _, err = cli("replay", path)
    assert code == 2
    assert "does not match its hash" in err


def test_garbage_save_is_a_clear_error(tmp_path, cli):
    path = tmp_path / "junk.json"
    path.write_text("{not json")
    code, _, err = cli("replay", path)
    assert code == 2
    assert "not valid JSON" in err
    assert "Traceback" not in err


def test_finished_model_is_garbage_collected(tiny):
    model = WorldModel(tiny, seed=1)
    model.run(3)
    ref = weakref.ref(model)
    del model
    gc.collect()
    assert ref() is None


def test_a_world_without_hashes_plays_the_same_and_cannot_be_saved(tiny):
    hashed, bare = WorldModel(tiny, seed=4), WorldModel(tiny, seed=4, record_hashes=False)
    hashed.run(4)
    bare.run(4)
    assert bare.hashes == [] and len(hashed.hashes) == 4
    assert bare.state_hash() == hashed.hashes[-1]
    assert bare.snapshot().state_hash == ""
    with pytest.raises(ValueError, match="record_hashes=False"):
        save_data(bare)


def test_a_world_without_hashes_gives_its_final_hash_when_asked(tiny):
    from critmin.engine.outputs import final_state_hash, manifest

    hashed, bare = WorldModel(tiny, seed=4), WorldModel(tiny, seed=4, record_hashes=False)
    assert final_state_hash(bare) is None, "no turn played"
    hashed.run(3)
    bare.run(3)
    assert bare.hashes == []
    assert final_state_hash(bare) == final_state_hash(hashed) == hashed.hashes[-1]
    assert manifest(bare)["final_state_hash"] == hashed.hashes[-1]
