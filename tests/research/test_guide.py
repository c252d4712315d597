"""Every Python snippet of docs/researcher-guide.md runs as a script file, as a reader would paste it.

The snippets run in a folder holding `magnets.toml` (the guide's example, on the tiny world,
with the same factor and outcome names) and `runs/magnets` (that experiment played). SLURM
is not here: a stand-in `dask_jobqueue` module beside the scripts makes `SLURMCluster` a
Dask LocalCluster, so the cluster recipe runs as written.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from research_helpers import DATA

from critmin.research.executors import InlineExecutor
from critmin.research.experiment import load_experiment
from critmin.research.runner import BatchOptions, run_batch

ROOT = Path(__file__).parents[2]
GUIDE = ROOT / "docs" / "researcher-guide.md"
SNIPPET = re.compile(r"```python\n(.*?)```", re.DOTALL)
MAGNETS = f"""
[experiment]
name = "china-magnet-licences"
scenario = {json.dumps(str(DATA.parents[1] / "data" / "tiny.toml"))}
turns = 9
replications = 2
seed = 2025

[[factors]]
name = "licence_approval_share"
kind = "action"
action.type = "impose_export_control"
action.country = "CHN"
action.mineral = "ree_heavy"
action.stages = ["magnet"]
action.regime = "licence"
action.destinations = []
field = "approval_share"
turn = 1
levels = [0.1, 0.25, 0.5]

[[factors]]
name = "heavy_control_lifted_at_turn"
kind = "action"
action = {{ type = "lift_export_control", country = "CHN", mineral = "ree_heavy", stages = ["magnet"] }}
levels = [4, 8]
role = "lever"

[[outcomes]]
name = "india_heavy_shortage"
metric = "shortage_share"
country = "IND"
mineral = "ree_heavy"

[[outcomes]]
name = "heavy_magnet_price_outside_china"
metric = "price_outside"
mineral = "ree_heavy"
stage = "magnet"
"""
SLURM_STAND_IN = '''
"""Stand-in for the tests: SLURMCluster as a Dask LocalCluster (no SLURM here)."""
from distributed import LocalCluster


class SLURMCluster(LocalCluster):
    def __init__(self, cores=1, processes=1, memory=None, walltime=None, **kwargs):
        super().__init__(n_workers=0, threads_per_worker=cores, host="127.0.0.1", dashboard_address=None)

    def scale(self, n=None, jobs=0, **kwargs):
        return super().scale(n if n is not None else jobs)
'''
SNIPPETS = SNIPPET.findall(GUIDE.read_text())


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("guide")
    (folder / "magnets.toml").write_text(MAGNETS)
    (folder / "dask_jobqueue.py").write_text(SLURM_STAND_IN)
    run_batch(
        load_experiment(folder / "magnets.toml"),
        InlineExecutor(),
        BatchOptions(out=folder / "runs" / "magnets", quiet=True),
    )
    return folder


def test_the_guide_has_its_snippets():
    assert len(SNIPPETS) >= 6


@pytest.mark.parametrize("index", range(len(SNIPPETS)))
def test_a_guide_snippet_runs_as_a_script(folder, index):
    code = SNIPPETS[index]
    starts_processes = any(word in code for word in ("Executor(", "batch_run(", "Evaluator(", "Cluster("))
    if starts_processes:
        assert 'if __name__ == "__main__":' in code, "spawned workers import the script: guard it"
    script = folder / f"snippet_{index}.py"
    script.write_text(code)
    environment = os.environ | {"PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(
        [sys.executable, script.name],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"snippet {index} failed:\n{code}\n{done.stderr[-3000:]}"
