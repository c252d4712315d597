"""CPU time of `trade.pose_markets` on one captured AI turn in two or more source trees, alternated.

    git archive main | tar -x -C /tmp/a      # the old code
    git archive HEAD | tar -x -C /tmp/b      # the new one
    python tools/pose_times.py /tmp/a /tmp/b --rounds 3 --calls 40
    python tools/pose_times.py /tmp/a /tmp/b --copies 4 --calls 15

Each run is a fresh process on one tree: `--turn` - 1 untimed AI turns, then the next turn's
`pose_markets` arguments are captured (a deep copy) and the call is repeated `--calls` times on
them (pose only reads the state). Runs alternate tree by tree, `--rounds` times; printed per
tree: the least CPU ms over all calls and the median of the runs' medians. A speed-up keeps the
per-turn state hashes, so every tree poses the same markets.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from turn_times import alternated, run_in, timing_parser  # tools/, beside this script

RUN = """
import copy, json, time
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
    pose(*captured[0])
    times.append((time.process_time() - start) * 1000)
print(json.dumps(times))
"""


def run_once(tree: Path, args: argparse.Namespace) -> list[float]:
    """CPU ms of each timed `pose_markets` call of one run on `tree`."""
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
        least = min(min(run) for run in measured)
        medians = [statistics.median(run) for run in measured]
        median = statistics.median(medians)
        print(f"{tree}: pose_markets least {least:.2f} ms, median of run medians {median:.2f} ms (CPU)")


if __name__ == "__main__":
    main()
