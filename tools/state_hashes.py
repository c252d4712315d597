"""Per-turn state hashes of the reference scenarios, to show a redesign keeps behaviour.

    python tools/state_hashes.py > before.txt   # on the old commit
    python tools/state_hashes.py > after.txt    # on the new one
    diff before.txt after.txt                   # nothing: behaviour kept

Each line: scenario, turn, state hash after that turn (seed 1, 12 turns, every country on the
scenario's own controllers: AI doctrines where the scenario names them).
"""

from __future__ import annotations

import argparse

from critmin.engine.model import WorldModel

SCENARIOS = ("world-2024", "china-ree-controls-2025", "india-central-asia-2025")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("scenarios", nargs="*", default=SCENARIOS)
    args = parser.parse_args()
    for name in args.scenarios:
        model = WorldModel(name, seed=args.seed)
        for turn in range(1, args.turns + 1):
            model.step()
            print(name, turn, model.state_hash(), flush=True)


if __name__ == "__main__":
    main()
