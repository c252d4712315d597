"""The Dask executor: a scheduler and two workers as separate processes on loopback, and `local`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from research_helpers import FACTORIAL, results_frame

from critmin.research.executors import DaskExecutor, ExecutorError
from critmin.research.runner import BatchOptions, run_batch
from tests.waiting import wait_for

STARTUP_S = 60
LOOPBACK = ("--host", "127.0.0.1", "--dashboard-address", "127.0.0.1:0")  # nothing listens beyond loopback


def dask_command(*args: str) -> list[str]:
    """The `dask` command line of this virtualenv."""
    return [str(Path(sys.executable).with_name("dask")), *args]


def start(command: list[str], log: Path) -> subprocess.Popen:
    """A background process in its own session (so it and its children can be stopped together)."""
    return subprocess.Popen(command, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    """Terminate a process group we started, then kill it if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def written_address(scheduler_file: Path) -> str | None:
    """The scheduler's address once its file is whole: the scheduler writes it in place, so the
    file exists, empty or cut short, before it holds the address."""
    try:
        return json.loads(scheduler_file.read_text())["address"]
    except (FileNotFoundError, json.JSONDecodeError, KeyError):
        return None


@pytest.fixture(scope="module")
def scheduler_address(tmp_path_factory):
    """A `dask scheduler` and two `dask worker` processes on 127.0.0.1; yields the address."""
    folder = tmp_path_factory.mktemp("dask")
    scheduler_file = folder / "scheduler.json"
    scheduler = dask_command("scheduler", *LOOPBACK, "--port", "0", "--scheduler-file", str(scheduler_file))
    processes = [start(scheduler, folder / "scheduler.log")]
    try:
        address = wait_for(lambda: written_address(scheduler_file), STARTUP_S, "the scheduler file")
        assert address.startswith("tcp://127.0.0.1:")
        for number in range(2):
            worker = dask_command("worker", address, *LOOPBACK, "--nthreads", "1", "--name", f"w{number}")
            processes.append(start(worker, folder / f"worker{number}.log"))
        yield address
    finally:
        for process in reversed(processes):
            stop(process)


def test_a_dask_cluster_on_loopback_gives_the_local_executor_results(
    scheduler_address, factorial, tmp_path, reference_frame
):
    with DaskExecutor(scheduler_address) as executor:
        deadline = time.monotonic() + STARTUP_S
        while len(executor.client.nthreads()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert executor.slots == 2, "two single-threaded workers joined"
        report = run_batch(factorial, executor, BatchOptions(out=tmp_path, quiet=True, flush_runs=5))
    assert (report.completed, report.failed) == (20, 0)
    pd.testing.assert_frame_equal(results_frame(tmp_path), reference_frame)


def test_dask_local_from_the_command_line(cli, tmp_path, reference_frame):
    code, out, err = cli(
        "batch", FACTORIAL, "--out", tmp_path, "--dask", "local", "--workers", "2", "--quiet"
    )
    assert code == 0, err
    assert "20 runs played" in out
    pd.testing.assert_frame_equal(results_frame(tmp_path), reference_frame)


def test_an_unreachable_scheduler_is_a_clear_error():
    with pytest.raises(ExecutorError, match=r"cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        DaskExecutor("tcp://127.0.0.1:9", timeout_s=1)


def test_the_cluster_recipe_on_a_local_cluster(factorial, tmp_path, reference_frame):
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None) as cluster:
        with DaskExecutor(cluster) as executor:
            report = run_batch(factorial, executor, BatchOptions(out=tmp_path, quiet=True, run_timeout_s=600))
        assert cluster.status.name == "running", "a cluster given to the executor stays the caller's"
    assert (report.completed, report.failed) == (20, 0)
    pd.testing.assert_frame_equal(results_frame(tmp_path), reference_frame)


def test_the_slurm_recipe_makes_a_job_script():
    from dask_jobqueue import SLURMCluster

    with SLURMCluster(
        cores=1, processes=1, memory="2GB", walltime="02:00:00", scheduler_options={"host": "127.0.0.1"}
    ) as cluster:
        script = cluster.job_script()
    assert "#SBATCH" in script and "--nthreads 1" in script and "02:00:00" in script
