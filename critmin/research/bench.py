"""Benchmark behind `critmin batch --bench`: critmin's batch runner against `mesa.batch_run`, fairly.

Both arms play the same runs (a 4 x 5 full factorial with replications sharing seeds, so that
mesa.batch_run's `rng` list reproduces them), on the same number of processes, doing the same
work and producing the same output:

- `critmin`: `run_batch` on N local worker processes, streaming the rows to the Parquet dataset;
- `mesa`: `mesa.batch_run(BatchWorldModel, ..., number_processes=N)`, whose collector gathers
  the same tidy rows each turn, then written as the same Hive-partitioned Parquet dataset.

Both build their worlds with `record_hashes=False` and compute the same metrics. Each arm runs
in a fresh Python process (its peak memory is its own and its workers'), timed from before its
pool starts to after its Parquet is written. The arms are interleaved A B A B for `pairs`
pairs (at least 3), so that a change of machine load hits both; reported are each arm's runs
per minute, the ratio critmin / mesa in every pair, their median and spread (min and max),
peak memory, and whether both arms wrote the same rows and numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import os
import resource
import statistics
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
name = "inventory_target_quarters"
target = "market.inventory_target_quarters"
levels = [0.25, 0.5, 0.75, 1.0]

[[factors]]
name = "disruption_probability"
target = "market.disruption_probability_per_turn"
levels = [0.002, 0.005, 0.01, 0.02, 0.05]
"""
POINTS = 20
MIN_PAIRS = 3


def benchmark(
    runs: int = 200,
    turns: int = 40,
    workers: int = 2,
    scenario: str = "world-2024",
    pairs: int = MIN_PAIRS,
    progress: bool = True,
) -> dict:
    """Interleave the two arms `pairs` times and compare them."""
    if pairs < MIN_PAIRS:
        raise ValueError(f"a fair comparison needs at least {MIN_PAIRS} pairs, got {pairs}")
    replications = max(1, math.ceil(runs / POINTS))
    with tempfile.TemporaryDirectory(prefix="critmin-bench-") as folder:
        path = Path(folder) / "bench.toml"
        path.write_text(EXPERIMENT.format(scenario=scenario, turns=turns, replications=replications))
        results: dict[str, list[dict]] = {"critmin": [], "mesa": []}
        for pair in range(pairs):
            for arm in ("critmin", "mesa"):
                if progress:
                    print(f"bench: pair {pair + 1}/{pairs}, {arm} ...", file=sys.stderr, flush=True)
                results[arm].append(run_arm(arm, path, workers, Path(folder) / f"{arm}-{pair}"))
    figures = {"scenario": scenario, "runs": POINTS * replications, "turns": turns, "processes": workers}
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


def summarise(results: dict[str, list[dict]]) -> dict:
    """Per-arm medians, the per-pair ratios with their median and spread, same output."""
    ours, theirs = results["critmin"], results["mesa"]
    ratios = [a["runs_per_min"] / b["runs_per_min"] for a, b in zip(ours, theirs, strict=True)]
    figures: dict = {"pairs": len(ratios), "order": "critmin, mesa, critmin, mesa, ..."}
    for arm, reports in results.items():
        figures[f"{arm}_runs_per_min"] = [round(r["runs_per_min"], 2) for r in reports]
        figures[f"{arm}_runs_per_min_median"] = statistics.median(r["runs_per_min"] for r in reports)
        figures[f"{arm}_peak_total_mb_median"] = statistics.median(r["peak_total_mb"] for r in reports)
        figures[f"{arm}_peak_worker_mb_median"] = statistics.median(r["peak_worker_mb"] for r in reports)
    figures |= {
        "ratio_per_pair": [round(r, 3) for r in ratios],
        "ratio_median": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
        "same_code": len({r["code_hash"] for r in ours + theirs}) == 1,
        "same_rows": len({r["rows"] for r in ours + theirs}) == 1,
        "same_numbers": all(
            math.isclose(r["checksum"], ours[0]["checksum"], rel_tol=1e-9, abs_tol=1e-12)
            for r in ours + theirs
        ),
        "load_average": [r["load_average"] for r in ours + theirs],
    }
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


def checksum(results: Path) -> tuple[int, float]:
    """Rows and the sum of every value column of a written dataset (read back from Parquet)."""
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    table = ds.dataset(results, format="parquet", partitioning="hive").to_table()
    columns = [c for c in ("usd_per_kg", "share", "ratio") if c in table.column_names]
    return table.num_rows, float(sum(pc.sum(table[c]).as_py() or 0.0 for c in columns))


def critmin_arm(experiment_path: Path, processes: int, out: Path) -> dict:
    """The batch runner on local processes, streaming to Parquet."""
    from critmin.research.executors import LocalExecutor
    from critmin.research.experiment import load_experiment
    from critmin.research.runner import BatchOptions, run_batch

    experiment = load_experiment(experiment_path)
    start = time.perf_counter()
    with LocalExecutor(processes) as executor:
        report = run_batch(experiment, executor, BatchOptions(out=out, quiet=True))
    seconds = time.perf_counter() - start
    rows, total = checksum(out / "results")
    return {"runs": report.completed, "seconds": seconds, "rows": rows, "checksum": total}


def mesa_arm(experiment_path: Path, processes: int, out: Path) -> dict:
    """mesa.batch_run over the same runs (factor levels x the replication seeds), then the same Parquet."""
    import mesa
    import pyarrow as pa
    import pyarrow.parquet as pq

    from critmin.research.design import iter_runs, replication_seeds
    from critmin.research.experiment import load_experiment
    from critmin.research.mesa_adapter import BatchWorldModel
    from critmin.research.simulate import RunContext, rows_table

    experiment = load_experiment(experiment_path)
    spec, context = experiment.spec, RunContext.of(experiment)
    parameters = {"experiment": str(experiment_path)} | {f.name: list(f.levels or ()) for f in spec.factors}
    runs = {(run.seed, *run.levels.values()): run for run in iter_runs(spec)}
    start = time.perf_counter()
    collected = mesa.batch_run(
        BatchWorldModel,
        parameters=parameters,
        rng=replication_seeds(spec),
        max_steps=experiment.turns,
        number_processes=processes,
        data_collection_period=1,
        display_progress=False,
    )
    tables = []
    by_run: dict[int, dict[str, list]] = {}
    for row in sorted(collected, key=lambda r: (r["RunId"], r["Step"])):
        if row["Step"] < 1:
            continue
        run = runs[(row["seed"], *(row[f.name] for f in spec.factors))]
        columns = by_run.setdefault(
            run.run_id, {"run": run, "turn": []} | {k: [] for k in row["metric_rows"]}
        )
        for key, values in row["metric_rows"].items():
            columns[key].extend(values)
        columns["turn"].extend([row["Step"] - 1] * len(row["metric_rows"]["value"]))
    for columns in by_run.values():
        tables.append(rows_table(context, columns.pop("run"), columns))
    pq.write_to_dataset(pa.concat_tables(tables), out / "results", partition_cols=["metric"])
    seconds = time.perf_counter() - start
    rows, total = checksum(out / "results")
    return {"runs": len(by_run), "seconds": seconds, "rows": rows, "checksum": total}


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
    result |= {"code_hash": code, "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)]}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
