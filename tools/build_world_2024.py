"""Build `critmin/scenarios/data/world-2024.toml`: `tools/build_world.py 2024` (kept for its name)."""

from __future__ import annotations

import sys

from build_world import main

if __name__ == "__main__":
    sys.exit(main(["2024", *sys.argv[1:]]))
