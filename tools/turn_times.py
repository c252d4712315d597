"""CPU time of the AI turns of world-2024 in two or more source trees, runs alternated A B A B.

    git archive main | tar -x -C /tmp/a      # the old code
    git archive HEAD | tar -x -C /tmp/b      # the new one
    python tools/turn_times.py /tmp/a /tmp/b --runs 5

Each run is a fresh process on one tree: 4 untimed turns (2 with `--copies`), then `--turns`
timed ones (CPU time, which a shared machine's load disturbs less than wall time). A speed-up
keeps the per-turn state hashes, so every tree plays the same turns: per turn, the least time
over the runs is the least disturbed measure, and their mean is printed beside the median of the
runs' medians.

`--copies 4` times the scenario with four times its countries (engine/bench_worlds.py).
`--phases` also times, inside each turn, the decide phase (`WorldModel.decide`: countries, firms
and the turn view they read), the manufacturers' decisions (`consumption.manufacturers_decide`),
`WorldModel.apply_policies` and the spot markets' settling (`trade.settle_markets`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

RUN = """
import json, time
from critmin.engine import consumption, trade
from critmin.engine.bench_worlds import copies_of_the_countries
from critmin.engine.model import WorldModel
world = {scenario!r} if {copies} == 1 else copies_of_the_countries({scenario!r}, {copies})
model = WorldModel(world, seed=0)
model.run({warmup})
times = {{"turn": [], "decide": [], "manufacturers": [], "apply_policies": [], "settle": []}}

def timed(work, key):
    def wrapper(*args, **kwargs):
        start = time.process_time()
        try:
            return work(*args, **kwargs)
        finally:
            times[key][-1] += (time.process_time() - start) * 1000
    return wrapper

if {phases}:
    model.decide = timed(model.decide, "decide")
    consumption.manufacturers_decide = timed(consumption.manufacturers_decide, "manufacturers")
    model.apply_policies = timed(model.apply_policies, "apply_policies")
    trade.settle_markets = timed(trade.settle_markets, "settle")
for _ in range({turns}):
    for key in times:
        times[key].append(0.0)
    start = time.process_time()
    model.step()
    times["turn"][-1] = (time.process_time() - start) * 1000
print(json.dumps(times if {phases} else {{"turn": times["turn"]}}))
"""


def run_once(tree: Path, args: argparse.Namespace) -> dict[str, list[float]]:
    """CPU ms of each timed turn of one run on `tree` (and of its phases, with `args.phases`)."""
    warmup = 4 if args.copies == 1 else 2
    code = RUN.format(
        scenario=args.scenario, copies=args.copies, warmup=warmup, turns=args.turns, phases=args.phases
    )
    return run_in(tree, code)


def run_in(tree: Path, code: str) -> dict:
    """What `code` prints as JSON, run in a fresh process on `tree`; exits with its error if it fails."""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tree, env={"PYTHONPATH": str(tree)}, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"{tree}: the run failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def check_trees(trees: list[Path]) -> None:
    """Exit with a message naming any of `trees` that is not a critmin source tree."""
    missing = [str(tree) for tree in trees if not (tree / "critmin").is_dir()]
    if missing:
        sys.exit(f"not a critmin source tree: {', '.join(missing)}")


def timing_parser(doc: str) -> argparse.ArgumentParser:
    """A timing tool's parser (described by `doc`) with the options all share: trees, --scenario, --copies."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("trees", nargs="+", type=Path, help="source trees (each with critmin/ inside)")
    parser.add_argument("--scenario", default="world-2024")
    parser.add_argument("--copies", type=int, default=1, help="this many times the scenario's countries")
    return parser


def alternated(args: argparse.Namespace, counts: tuple[str, ...], run_once, runs: int) -> dict[Path, list]:
    """Each tree's results of `runs` runs of `run_once(tree, args)`, trees alternated A B A B.

    Exits with a message if a count named in `counts` is below 1 or a tree is not a source tree.
    """
    for name in counts:
        if getattr(args, name) < 1:
            sys.exit(f"--{name} must be 1 or more, not {getattr(args, name)}")
    check_trees(args.trees)
    results: dict[Path, list] = {tree: [] for tree in args.trees}
    for _ in range(runs):
        for tree in args.trees:
            results[tree].append(run_once(tree.resolve(), args))
    return results


def main() -> None:
    parser = timing_parser(__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--turns", type=int, default=25)
    parser.add_argument(
        "--phases", action="store_true", help="also time decide, manufacturers, apply_policies, settle"
    )
    args = parser.parse_args()
    runs = alternated(args, ("runs", "turns", "copies"), run_once, args.runs)
    for tree, measured in runs.items():
        for key in measured[0]:
            print(f"{tree}: {key} {summary([run[key] for run in measured])}")


def summary(times: list[list[float]]) -> str:
    """The mean over turns of each turn's least time over the runs, and the median of the runs' medians."""
    best = [min(column) for column in zip(*times, strict=True)]
    medians = [statistics.median(run) for run in times]
    return (
        f"mean of per-turn least {statistics.fmean(best):.2f} ms, "
        f"median of run medians {statistics.median(medians):.2f} ms (CPU)"
    )


if __name__ == "__main__":
    main()
