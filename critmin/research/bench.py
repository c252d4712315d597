"""Benchmark behind `critmin batch --bench`: critmin's batch runner against `mesa.batch_run`.

The same runs (a 4 x 5 full factorial on world-2024 with replications sharing seeds, so that
mesa.batch_run's `rng` list reproduces them exactly) are played by

- `critmin`: the batch runner on N local worker processes, streaming to Parquet;
- `mesa_batch_run_Np`: `mesa.batch_run(BatchWorldModel, ..., number_processes=N)`;
- `mesa_batch_run_1p`: the same with mesa's default of one process.

Each arm runs in a fresh Python process, so its peak memory (its own, and its workers') is
its alone. Reported: runs per minute, the ratio to each mesa arm, peak resident memory, and
whether the arms produced the same numbers (a checksum of the world shortage share).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

EXPERIMENT = """
[experiment]
name = "bench"
scenario = "{scenario}"
turns = {turns}
replications = {replications}
seed = 11

[[factors]]
name = "graphite_licence_approval"
target = "policies[country=CHN,mineral=graphite].approval_share"
levels = [0.4, 0.6, 0.8, 1.0]

[[factors]]
name = "disruption_probability"
target = "market.disruption_probability_per_turn"
levels = [0.002, 0.005, 0.01, 0.02, 0.05]
"""
POINTS = 20


def benchmark(
    runs: int = 200, turns: int = 40, workers: int = 2, scenario: str = "world-2024", progress: bool = True
) -> dict[str, float | int | bool | str]:
    """Run the three arms and compare them."""
    replications = max(1, math.ceil(runs / POINTS))
    with tempfile.TemporaryDirectory(prefix="critmin-bench-") as folder:
        path = Path(folder) / "bench.toml"
        path.write_text(EXPERIMENT.format(scenario=scenario, turns=turns, replications=replications))
        arms = {
            "critmin": ("critmin", workers),
            f"mesa_batch_run_{workers}p": ("mesa", workers),
            "mesa_batch_run_1p": ("mesa", 1),
        }
        figures: dict[str, float | int | bool | str] = {
            "scenario": scenario,
            "runs": POINTS * replications,
            "turns": turns,
            "workers": workers,
        }
        results = {}
        for label, (arm, processes) in arms.items():
            if progress:
                print(f"bench: {label} ...", file=sys.stderr, flush=True)
            results[label] = run_arm(arm, path, processes, Path(folder) / label)
    return figures | summarise(results)


def run_arm(arm: str, experiment: Path, processes: int, out: Path) -> dict:
    """One arm in a fresh interpreter; returns its JSON report."""
    command = [
        sys.executable,
        "-m",
        "critmin.research.bench",
        arm,
        str(experiment),
        "--processes",
        str(processes),
        "--out",
        str(out),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"benchmark arm {arm} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def summarise(results: dict[str, dict]) -> dict[str, float | bool]:
    """Runs per minute, ratios, peak memory, same numbers."""
    ours = results["critmin"]
    figures: dict[str, float | bool] = {}
    for label, result in results.items():
        figures[f"{label}_runs_per_min"] = result["runs_per_min"]
        figures[f"{label}_peak_main_mb"] = result["peak_main_mb"]
        figures[f"{label}_peak_worker_mb"] = result["peak_worker_mb"]
        figures[f"{label}_peak_total_mb"] = result["peak_total_mb"]
        figures[f"{label}_checksum"] = result["checksum"]
        figures[f"{label}_load_average"] = "{:.1f} -> {:.1f}".format(*result["load_average"])
    for label, result in results.items():
        if label != "critmin":
            figures[f"speedup_vs_{label}"] = ours["runs_per_min"] / result["runs_per_min"]
    figures["same_code"] = len({r["code_hash"] for r in results.values()}) == 1
    figures["same_numbers"] = all(
        math.isclose(r["checksum"], ours["checksum"], rel_tol=1e-9, abs_tol=1e-12) for r in results.values()
    )
    return figures


# --- the arms (each runs in its own process) --------------------------------------------------


def code_hash() -> str:
    """sha256 of the sources a run plays (engine, agents, scenarios); arms must play the same."""
    import critmin

    root = Path(critmin.__file__).parent
    digest = hashlib.sha256()
    for layer in ("engine", "agents", "scenarios"):
        for path in sorted((root / layer).rglob("*")):
            if path.suffix in (".py", ".toml"):
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class MemorySampler(threading.Thread):
    """Samples the resident memory of this process and its descendants (psutil) until stopped."""

    def __init__(self, interval_s: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.interval_s, self.stopped = interval_s, threading.Event()
        self.worker_mb = self.total_mb = 0.0

    def run(self) -> None:
        """Keep the largest worker and the largest total seen."""
        import psutil

        me = psutil.Process()
        while not self.stopped.wait(self.interval_s):
            sizes = []
            for process in me.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    sizes.append(process.memory_info().rss / 2**20)
            self.worker_mb = max([self.worker_mb, *sizes])
            self.total_mb = max(self.total_mb, me.memory_info().rss / 2**20 + sum(sizes))

    def stop(self) -> dict[str, float]:
        """Stop sampling; the peaks in MB (the main process's from getrusage)."""
        self.stopped.set()
        self.join()
        scale = 1 / 1024 if sys.platform != "darwin" else 1 / 1024 / 1024
        main = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
        return {
            "peak_main_mb": main,
            "peak_worker_mb": self.worker_mb,
            "peak_total_mb": max(self.total_mb, main),
        }


def critmin_arm(experiment_path: Path, processes: int, out: Path) -> dict:
    """The batch runner on local processes."""
    import pyarrow.compute as pc

    from critmin.research.executors import LocalExecutor
    from critmin.research.experiment import load_experiment
    from critmin.research.runner import BatchOptions, run_batch
    from critmin.research.store import read_results

    experiment = load_experiment(experiment_path)
    start = time.perf_counter()
    with LocalExecutor(processes) as executor:
        report = run_batch(experiment, executor, BatchOptions(out=out, quiet=True))
    seconds = time.perf_counter() - start
    last = experiment.turns - 1
    rows = read_results(
        out,
        columns=["value"],
        filter=(pc.field("metric") == "shortage_value_share")
        & (pc.field("country") == "WLD")
        & (pc.field("turn") == last),
    )
    return {"runs": report.completed, "seconds": seconds, "checksum": float(pc.sum(rows["value"]).as_py())}


def mesa_arm(experiment_path: Path, processes: int, out: Path) -> dict:
    """mesa.batch_run over the same runs (factor levels x the replication seeds)."""
    import mesa

    from critmin.research.design import replication_seeds
    from critmin.research.experiment import load_experiment
    from critmin.research.mesa_adapter import BatchWorldModel

    experiment = load_experiment(experiment_path)
    spec = experiment.spec
    parameters = {"experiment": str(experiment_path)} | {f.name: list(f.levels or ()) for f in spec.factors}
    seeds = replication_seeds(spec)
    start = time.perf_counter()
    rows = mesa.batch_run(
        BatchWorldModel,
        parameters=parameters,
        rng=seeds,
        max_steps=experiment.turns,
        number_processes=processes,
        data_collection_period=1,
        display_progress=False,
    )
    seconds = time.perf_counter() - start
    last = [row for row in rows if row["Step"] == experiment.turns]
    checksum = sum(row["shortage_value_share"].get("WLD", 0.0) for row in last)
    return {"runs": len(last), "seconds": seconds, "checksum": checksum}


def main(argv: list[str] | None = None) -> None:
    """Entry point of one arm: `python -m critmin.research.bench ARM EXPERIMENT ...`."""
    parser = argparse.ArgumentParser(prog="python -m critmin.research.bench")
    parser.add_argument("arm", choices=("critmin", "mesa"))
    parser.add_argument("experiment", type=Path)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    arm = critmin_arm if args.arm == "critmin" else mesa_arm
    sampler = MemorySampler()
    sampler.start()
    code, load_before = code_hash(), os.getloadavg()[0]
    result = arm(args.experiment, args.processes, args.out)
    result |= {"runs_per_min": 60 * result["runs"] / result["seconds"]} | sampler.stop()
    result |= {"code_hash": code, "load_average": [load_before, os.getloadavg()[0]]}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
