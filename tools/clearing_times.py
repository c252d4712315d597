"""CPU time of the clearing kernel (`flow.clear_batch`) in two or more source trees, runs alternated A B A B.

    git archive main | tar -x -C /tmp/a      # the old code
    git archive HEAD | tar -x -C /tmp/b      # the new one
    python tools/clearing_times.py /tmp/a /tmp/b --turns 5 --runs 3
    python tools/clearing_times.py /tmp/a /tmp/b --copies 4 --turns 3 --runs 3   # the 4x world

Each run is a fresh process on one tree: it plays `--turns` turns of the scenario (seed 0),
keeps the kernel batch of each turn and adds the benchmark's 40 random 30-country markets
(`bench.random_problems`), then calls `flow.clear_batch` `--calls` times on each batch and
keeps the least CPU time. Per tree it prints, for the turns and for the random markets, the
mean over the batches of each batch's least time over the runs. Every run also digests each
batch with everything the kernel returns for it (flows, prices, sold, bought, welfare,
feasible, status): the tool says whether all trees and runs agree, as a speed-up of the
kernel must (byte-identical results).
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from turn_times import (  # tools/ is the script's own folder, first on the path
    alternated,
    run_in,
    timing_parser,
)

RUN = """
import hashlib, json, time
import numpy as np
from critmin.engine import flow, trade
from critmin.engine.bench import random_problems
from critmin.engine.bench_worlds import copies_of_the_countries
from critmin.engine.market import flat_batch
from critmin.engine.model import WorldModel
world = {scenario!r} if {copies} == 1 else copies_of_the_countries({scenario!r}, {copies})
model = WorldModel(world, seed=0, record_hashes=False)
batches, clear_flat = {{}}, trade.clear_flat
for turn in range(1, {turns} + 1):
    seen = []
    trade.clear_flat = lambda batch: (seen.append(batch), clear_flat(batch))[1]
    model.step()
    batches |= {{f"turn {{turn}}.{{k}}": batch for k, batch in enumerate(seen)}}
batches["random"] = flat_batch(random_problems())[0]
out = {{}}
for key, batch in batches.items():
    digest = hashlib.sha256()
    for array in (batch[0], *(a for group in batch[1:] for a in group), *flow.clear_batch(*batch)):
        digest.update(np.ascontiguousarray(array).tobytes())
    best = float("inf")
    for _ in range({calls}):
        start = time.process_time()
        flow.clear_batch(*batch)
        best = min(best, time.process_time() - start)
    out[key] = [best * 1000, digest.hexdigest()]
print(json.dumps(out))
"""


def run_once(tree: Path, args: argparse.Namespace) -> dict[str, list]:
    """Each batch's least CPU ms over `args.calls` calls, and its digest, in one run on `tree`."""
    code = RUN.format(scenario=args.scenario, copies=args.copies, turns=args.turns, calls=args.calls)
    return run_in(tree, code)


def main() -> None:
    parser = timing_parser(__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--calls", type=int, default=9, help="calls of the kernel per batch and run")
    args = parser.parse_args()
    runs = alternated(args, ("runs", "turns", "calls", "copies"), run_once, args.runs)
    for tree, measured in runs.items():
        least = {key: min(run[key][0] for run in measured) for key in measured[0]}
        turns = [ms for key, ms in least.items() if key != "random"]
        print(
            f"{tree}: {len(turns)} turn batches {statistics.fmean(turns):.3f} ms, "
            f"random markets {least['random']:.3f} ms (CPU, mean of per-batch least)"
        )
    digests = {json.dumps({key: value[1] for key, value in run.items()}) for m in runs.values() for run in m}
    agree = len(digests) == 1
    print("results byte-identical in every tree and run" if agree else "RESULTS DIFFER between runs")


if __name__ == "__main__":
    main()
