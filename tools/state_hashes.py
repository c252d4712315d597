"""Per-turn state hashes of the reference scenarios, to show a redesign keeps behaviour.

    python tools/state_hashes.py > before.txt   # on the old commit
    python tools/state_hashes.py > after.txt    # on the new one
    diff before.txt after.txt                   # nothing: behaviour kept

Each line: scenario, turn, state hash after that turn (seed 1, 12 turns, every country on the
scenario's own controllers: AI doctrines where the scenario names them).

    python tools/state_hashes.py --bench-worlds --seed 0 --turns 6   # the larger worlds of the bench
"""

from __future__ import annotations

import argparse

from critmin.engine.model import WorldModel

SCENARIOS = ("world-2024", "china-ree-controls-2025", "india-central-asia-2025")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bench-worlds", action="store_true", help="the larger worlds of `critmin bench`")
    parser.add_argument("scenarios", nargs="*", default=SCENARIOS)
    args = parser.parse_args()
    worlds = bench_worlds() if args.bench_worlds else [(name, name) for name in args.scenarios]
    for name, world in worlds:
        model = WorldModel(world, seed=args.seed)
        for turn in range(1, args.turns + 1):
            model.step()
            print(name, turn, model.state_hash(), flush=True)


def bench_worlds() -> list[tuple[str, object]]:
    """world-2024 with four times its countries and with ten times its firms (engine/bench_worlds.py)."""
    from critmin.engine.bench_worlds import copies_of_the_countries, ten_times_the_firms

    world = "world-2024"
    return [("4x-countries", copies_of_the_countries(world, 4)), ("10x-firms", ten_times_the_firms(world))]


if __name__ == "__main__":
    main()
