"""Self-describing outputs: schema metadata, the manifest, invocation status, replay, timeouts."""

from __future__ import annotations

import json
import os
import re

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from research_helpers import FACTORIAL
from test_batch_runs import InterruptingExecutor

from critmin.research.executors import InlineExecutor
from critmin.research.experiment import load_experiment
from critmin.research.runner import BatchOptions, run_batch


def test_every_column_of_every_file_has_a_description_and_a_unit(reference):
    files = [reference / "design.parquet", *sorted((reference / "results").rglob("*.parquet"))]
    assert len(files) > 5
    for path in files:
        schema = pq.read_schema(path)
        for field in schema:
            metadata = field.metadata or {}
            assert metadata.get(b"description") and metadata.get(b"unit"), f"{path.name}: {field.name}"
    results = pq.read_schema(files[1])
    assert b"turn 0 is the first turn played" in results.metadata[b"turn"]
    assert "value" not in results.names and {"usd_per_kg", "share", "ratio"} <= set(results.names)
    assert results.field("usd_per_kg").metadata[b"unit"] == b"USD/kg"
    assert b"price_inside" in results.field("usd_per_kg").metadata[b"description"]


def test_the_manifest_holds_scenario_content_version_commit_directory_seeds_status(reference, factorial):
    manifest = json.loads((reference / "manifest.json").read_text())
    assert manifest["scenario"]["content"] == factorial.scenario.content
    assert manifest["critmin"]["version"] == "0.1.0"
    git = manifest["critmin"]["git"]
    assert git is None or (re.fullmatch(r"[0-9a-f]{40}", git["commit"]) and isinstance(git["dirty"], bool))
    invocation = manifest["invocations"][0]
    assert invocation["working_directory"] == os.getcwd()
    assert invocation["status"] == "done" and invocation["runs_completed"] == 20
    assert manifest["seeds"]["root"] == 7 and len(manifest["seeds"]["per_run"]) == 20


def test_an_interrupted_invocation_is_marked_interrupted(tmp_path, factorial):
    with pytest.raises(KeyboardInterrupt):
        run_batch(factorial, InterruptingExecutor(after=3), BatchOptions(out=tmp_path, quiet=True))
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["invocations"][-1]["status"] == "interrupted"
    run_batch(factorial, InlineExecutor(), BatchOptions(out=tmp_path, quiet=True))
    statuses = [i["status"] for i in json.loads((tmp_path / "manifest.json").read_text())["invocations"]]
    assert statuses == ["interrupted", "done"]


def test_a_killed_invocation_left_running_is_marked_interrupted_by_the_next(tmp_path, factorial):
    manifest_path = tmp_path / "manifest.json"
    with pytest.raises(KeyboardInterrupt):
        run_batch(factorial, InterruptingExecutor(after=2), BatchOptions(out=tmp_path, quiet=True))
    manifest = json.loads(manifest_path.read_text())
    manifest["invocations"][-1]["status"] = "running"  # as a SIGKILL leaves it
    manifest_path.write_text(json.dumps(manifest))
    run_batch(factorial, InlineExecutor(), BatchOptions(out=tmp_path, quiet=True))
    statuses = [i["status"] for i in json.loads(manifest_path.read_text())["invocations"]]
    assert statuses == ["interrupted", "done"]


def test_replay_reproduces_a_run_bit_for_bit_and_notices_a_change(cli, reference, tmp_path):
    code, out, _ = cli("batch", "replay", reference, "7")
    assert code == 0 and "run 7" in out and "bit for bit" in out
    copy = tmp_path / "copy"
    run_batch(load_experiment(FACTORIAL), InlineExecutor(), BatchOptions(out=copy, quiet=True))
    part = next(p for p in (copy / "results" / "metric=shortage_share").glob("*.parquet"))
    table = pq.read_table(part)
    changed = pc.if_else(pc.equal(table["run_id"], 7), pc.add(table["share"], 1e-15), table["share"])
    pq.write_table(
        table.set_column(table.schema.get_field_index("share"), table.schema.field("share"), changed), part
    )
    code, _, err = cli("batch", "replay", copy, "7")
    assert code == 1 and "share:" in err and "rows differ" in err


def test_bad_replay_requests_exit_2(cli, reference, tmp_path):
    code, _, err = cli("batch", "replay", reference, "999")
    assert code == 2 and "no run 999" in err
    code, _, err = cli("batch", "replay", tmp_path, "1")
    assert code == 2 and "no manifest.json" in err
    code, _, err = cli("batch", "replay", reference)
    assert code == 2 and "give a batch directory and a run id" in err


def test_a_run_over_its_timeout_is_recorded_as_failed(tmp_path, factorial):
    report = run_batch(
        factorial, InlineExecutor(), BatchOptions(out=tmp_path, quiet=True, run_timeout_s=1e-9)
    )
    assert (report.completed, report.failed) == (0, 20)
    failure = json.loads((tmp_path / "failures.jsonl").read_text().splitlines()[0])
    assert failure["error"].startswith("RunTimeoutError: run 0 took more than 1e-09 s")
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["invocations"][-1]["status"] == "failed"
    assert manifest["invocations"][-1]["run_timeout_s"] == 1e-9
