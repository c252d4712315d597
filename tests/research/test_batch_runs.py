"""The batch runner: results streamed once per run, manifests, reruns after interruptions."""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys

import pandas as pd
import pyarrow.parquet as pq
import pytest
from research_helpers import FACTORIAL, ORDER, results_frame

from critmin.engine.model import WorldModel
from critmin.research.design import plan_runs
from critmin.research.executors import InlineExecutor, RunFailure
from critmin.research.runner import BatchOptions, run_batch
from critmin.research.simulate import RunContext, simulate
from tests.waiting import wait_for


class CountingExecutor(InlineExecutor):
    """Plays in this process and remembers which runs it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.played: list[int] = []

    def submit(self, run):
        self.played.append(run.run_id)
        return super().submit(run)


class InterruptingExecutor(InlineExecutor):
    """Raises KeyboardInterrupt (as Ctrl-C would) when the n-th result is collected."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.after, self.seen = after, 0

    def outcome(self, future):
        self.seen += 1
        if self.seen > self.after:
            raise KeyboardInterrupt
        return super().outcome(future)


class FailingExecutor(InlineExecutor):
    """Run 3 raises."""

    def outcome(self, future):
        return (
            RunFailure(RuntimeError("boom"))
            if future.value.column("run_id")[0].as_py() == 3
            else future.value
        )


def run_ids_once(frame: pd.DataFrame) -> set[int]:
    """The run ids of a results frame, after checking no row appears twice."""
    assert not frame.duplicated(ORDER).any(), "a row of the dataset appears twice"
    per_run = frame.groupby("run_id")["seed"].nunique()
    assert (per_run == 1).all(), "each run has one seed"
    return set(frame["run_id"])


def test_a_batch_streams_every_run_once_with_its_seed_and_a_manifest(reference, reference_frame, factorial):
    runs = plan_runs(factorial.spec)
    assert run_ids_once(reference_frame) == set(range(20))
    seeds = reference_frame.groupby("run_id")["seed"].first()
    assert seeds.to_dict() == {r.run_id: r.seed for r in runs}
    assert set(reference_frame["metric"]) == set(factorial.spec.outputs.metrics)
    assert reference_frame["turn"].min() == 0 and reference_frame["turn"].max() == 5
    manifest = json.loads((reference / "manifest.json").read_text())
    assert manifest["seeds"]["per_run"] == [r.seed for r in runs]
    assert manifest["seeds"]["replication_seeds"] == [r.seed for r in runs[:5]]
    assert manifest["experiment"]["fingerprint"] == factorial.fingerprint()
    assert manifest["status"] == {"runs_total": 20, "runs_finished": 20, "complete": True}
    assert {"critmin", "numpy", "mesa", "python"} <= set(manifest["invocations"][0]["versions"])
    design = pq.read_table(reference / "design.parquet").to_pandas()
    assert design["seed"].tolist() == [r.seed for r in runs]
    assert len(list((reference / "_commits").glob("part-*.json"))) == 5, "committed in parts of 4 runs"


def test_a_rerun_of_a_finished_batch_plays_nothing(reference, factorial, reference_frame):
    executor = CountingExecutor()
    report = run_batch(factorial, executor, BatchOptions(out=reference, quiet=True))
    assert (report.skipped, report.completed, executor.played) == (20, 0, [])
    assert results_frame(reference).equals(reference_frame)


def test_an_interrupted_batch_reruns_only_the_missing_runs(tmp_path, factorial, reference_frame):
    with pytest.raises(KeyboardInterrupt):
        run_batch(
            factorial, InterruptingExecutor(after=7), BatchOptions(out=tmp_path, quiet=True, flush_runs=3)
        )
    assert run_ids_once(results_frame(tmp_path)) == set(range(7)), "finished runs are kept when interrupted"
    executor = CountingExecutor()
    report = run_batch(factorial, executor, BatchOptions(out=tmp_path, quiet=True))
    assert executor.played == list(range(7, 20)) and report.skipped == 7
    frame = results_frame(tmp_path)
    assert run_ids_once(frame) == set(range(20))
    pd.testing.assert_frame_equal(frame, reference_frame)


BATCH_START_S = 180  # a waited-for state: a batch process starting on a loaded machine can take a while


def commits(out) -> int:
    """How many commits a batch has made in `out`."""
    return len(list((out / "_commits").glob("part-*.json")))


def running(process: subprocess.Popen) -> bool:
    """True while the batch runs; fails with its stderr if it ended."""
    assert process.poll() is None, process.stderr.read().decode()
    return True


def test_a_killed_batch_process_resumes_where_it_stopped(tmp_path, cli):
    slow = tmp_path / "slow.toml"
    slow.write_text(
        FACTORIAL.read_text()
        .replace("turns = 6", "turns = 50")
        .replace(
            '"../../data/tiny.toml"', json.dumps(str(FACTORIAL.parent.parent.parent / "data" / "tiny.toml"))
        )
    )
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "critmin.cli",
        "batch",
        str(slow),
        "--out",
        str(out),
        "--workers",
        "2",
        "--flush-runs",
        "1",
        "--quiet",
    ]
    process = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        wait_for(lambda: running(process) and commits(out) >= 3, BATCH_START_S, "three runs committed", 0.02)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    committed = {r for c in (out / "_commits").glob("part-*.json") for r in json.loads(c.read_text())["runs"]}
    assert 3 <= len(committed) < 20, "killed part-way"
    code, stdout, _ = cli("batch", slow, "--out", out, "--workers", "2", "--quiet")
    assert code == 0
    assert f"{20 - len(committed)} runs played, {len(committed)} already done" in stdout
    assert run_ids_once(results_frame(out)) == set(range(20))
    assert not any((out / "_staging").iterdir()), "uncommitted leftovers are removed"
    statuses = [i["status"] for i in json.loads((out / "manifest.json").read_text())["invocations"]]
    assert statuses == ["interrupted", "done"], "the killed invocation is marked interrupted"


def test_sigterm_stops_a_batch_as_ctrl_c_does_and_marks_it_interrupted(tmp_path):
    slow = tmp_path / "slow.toml"
    slow.write_text(
        FACTORIAL.read_text()
        .replace("turns = 6", "turns = 50")
        .replace(
            '"../../data/tiny.toml"', json.dumps(str(FACTORIAL.parent.parent.parent / "data" / "tiny.toml"))
        )
    )
    out = tmp_path / "out"
    command = [sys.executable, "-m", "critmin.cli", "batch", str(slow), "--out", str(out), "--workers", "1"]
    process = subprocess.Popen(
        [*command, "--flush-runs", "1", "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        wait_for(lambda: running(process) and commits(out) >= 1, BATCH_START_S, "a run committed", 0.02)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 130
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["invocations"][-1]["status"] == "interrupted"
    assert 1 <= manifest["status"]["runs_finished"] < 20, "finished runs were committed"


def test_failed_runs_are_recorded_and_retried(tmp_path, factorial):
    report = run_batch(factorial, FailingExecutor(), BatchOptions(out=tmp_path, quiet=True))
    assert (report.completed, report.failed) == (19, 1)
    failure = json.loads((tmp_path / "failures.jsonl").read_text())
    assert failure == {"run_id": 3, "error": "RuntimeError: boom"}
    executor = CountingExecutor()
    run_batch(factorial, executor, BatchOptions(out=tmp_path, quiet=True))
    assert executor.played == [3]
    assert run_ids_once(results_frame(tmp_path)) == set(range(20))


def test_a_directory_of_another_experiment_is_refused(cli, reference, tmp_path):
    changed = tmp_path / "changed.toml"
    changed.write_text(
        FACTORIAL.read_text()
        .replace("seed = 7", "seed = 8")
        .replace(
            '"../../data/tiny.toml"', json.dumps(str(FACTORIAL.parent.parent.parent / "data" / "tiny.toml"))
        )
    )
    code, _, err = cli("batch", changed, "--out", reference)
    assert code == 2 and "holds the results of another experiment" in err


def test_runs_leave_no_model_behind(factorial):
    simulate(RunContext.of(factorial), plan_runs(factorial.spec)[0])
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, WorldModel)], "a finished run's model is freed"
