"""CPU time of `trade.pose_markets` on one captured AI turn in two or more source trees, alternated.

    git archive main | tar -x -C /tmp/a      # the old code
    git archive HEAD | tar -x -C /tmp/b      # the new one
    python tools/pose_times.py /tmp/a /tmp/b --rounds 3 --calls 40
    python tools/pose_times.py /tmp/a /tmp/b --copies 4 --calls 15

Each run is a fresh process on one tree: `--turn` - 1 untimed AI turns, then the next turn's
`pose_markets` arguments are captured (a deep copy) and the call is repeated `--calls` times on
them (pose only reads the state). Runs alternate tree by tree, `--rounds` times; printed per
tree: the least CPU ms over all calls and the median of the runs' medians. A speed-up keeps the
per-turn state hashes, so every tree poses the same markets: each run also hashes the batch it
posed (the kernel's arrays, offers, bids and route places, dtypes and shapes included), and the
tool says whether every tree's batch is byte for byte the same.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from turn_times import alternated, run_in, timing_parser  # tools/, beside this script

RUN = """
import copy, hashlib, json, time
import numpy as np
from critmin.engine import trade
from critmin.engine.bench_worlds import copies_of_the_countries
from critmin.engine.model import WorldModel
world = {scenario!r} if {copies} == 1 else copies_of_the_countries({scenario!r}, {copies})
model = WorldModel(world, seed=0)
model.run({turn} - 1)
captured, pose = [], trade.pose_markets
trade.pose_markets = lambda *args: captured.append(copy.deepcopy(args)) or pose(*args)
model.step()
times = []
for _ in range({calls}):
    start = time.process_time()
    batch = pose(*captured[0])
    times.append((time.process_time() - start) * 1000)
digest = hashlib.sha1()
def add(value):
    if isinstance(value, (tuple, list)):
        return [add(item) for item in value]
    value = np.asarray(value)
    digest.update(f"{{value.dtype}}{{value.shape}}".encode() + np.ascontiguousarray(value).tobytes())
add([batch.kernel, batch.offers, batch.bids, getattr(batch, "route_cells", ())])
print(json.dumps({{"times": times, "batch": digest.hexdigest()}}))
"""


def run_once(tree: Path, args: argparse.Namespace) -> dict:
    """CPU ms of each timed `pose_markets` call of one run on `tree` ("times"), and its batch's hash."""
    return run_in(
        tree, RUN.format(scenario=args.scenario, copies=args.copies, turn=args.turn, calls=args.calls)
    )


def main() -> None:
    parser = timing_parser(__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--turn", type=int, default=4, help="the AI turn whose markets are posed")
    args = parser.parse_args()
    runs = alternated(args, ("rounds", "calls", "turn", "copies"), run_once, args.rounds)
    for tree, measured in runs.items():
        least = min(min(run["times"]) for run in measured)
        median = statistics.median(statistics.median(run["times"]) for run in measured)
        print(f"{tree}: pose_markets least {least:.2f} ms, median of run medians {median:.2f} ms (CPU)")
    batches = {tree: {run["batch"] for run in measured} for tree, measured in runs.items()}
    if len(set().union(*batches.values())) == 1:
        print("the batch is byte for byte the same in every tree and run")
    else:
        differ = "; ".join(f"{tree}: {' '.join(sorted(hashes))}" for tree, hashes in batches.items())
        print(f"the batches differ: {differ}")


if __name__ == "__main__":
    main()
