"""`critmin play --bench`: start-up to the first frame, and the frame time of the game screen.

Not a timed assertion: the figures are printed. The first frame is timed as a player meets
it: a fresh `critmin play` process, from its start to its first drawn frame (imports, scenario,
world, map), for the scenario picker and for the game screen. Frame times run with SDL's dummy
video driver unless a display driver is already chosen, so they measure critmin's drawing
(software blits) rather than the window system.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIRST_FRAME_RUNS = 3
FIRST_FRAME_TIMEOUT_S = 120.0


def first_frame_seconds(args: list[str], which: str = "") -> float:
    """Seconds from starting `critmin play ARGS` to its first frame (`which` ".map": its first map)."""
    with tempfile.TemporaryDirectory() as folder:
        marker = Path(folder) / "first-frame"
        env = {**os.environ, "CRITMIN_FIRST_FRAME_FILE": str(marker)}
        env.setdefault("SDL_VIDEODRIVER", "dummy")
        start = time.time()
        process = subprocess.Popen(
            [sys.executable, "-m", "critmin", "play", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            target = marker.with_name(marker.name + which)
            while not target.exists() or not target.read_text():
                if process.poll() is not None or time.time() - start > FIRST_FRAME_TIMEOUT_S:
                    raise RuntimeError(f"critmin play {' '.join(args)} drew no frame")
                time.sleep(0.01)
            return float(target.read_text()) - start
        finally:
            process.terminate()
            process.wait(timeout=30)


def measure_first_frames(scenario: str, countries: list[str], runs: int = FIRST_FRAME_RUNS) -> dict:
    """Median seconds to the picker's first frame, and to the game's first frame and first map.

    The game path (`critmin play SCENARIO --autoplay 0`) draws a loading frame first; its map
    follows once the engine is imported and the world built. Runs are interleaved.
    """
    game = [scenario, "--autoplay", "0"] + (["--as", ",".join(countries)] if countries else [])
    picker, playing, mapped = [], [], []
    for _ in range(runs):
        picker.append(first_frame_seconds([]))
        playing.append(first_frame_seconds(game))
        mapped.append(first_frame_seconds(game, ".map"))
    return {
        "first_frame_picker_s": statistics.median(picker),
        "first_frame_game_s": statistics.median(playing),
        "first_map_game_s": statistics.median(mapped),
        "first_frame_runs": runs,
    }


def measure_frame_time(
    scenario: str = "world-2024",
    *,
    countries: list[str] | None = None,
    size: tuple[int, int] = (1280, 720),
    turns: int = 3,
    frames: int = 300,
    warmup: int = 30,
) -> dict:
    """Median and 95th-percentile time of one full frame (events, widgets, map, flows, particles).

    Args:
        scenario: the scenario to play (`turns` turns, AI for every country) before measuring.
        countries: the human countries (their default view is their own trade); none: observer.
        size: window size in pixels.
        turns: turns played first, so that the flows of a real turn are on the map.
        frames: frames timed.
        warmup: untimed frames first (widgets settle, caches fill).

    """
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    from critmin.ui.app import STEP_S, App
    from critmin.ui.options import PlayOptions
    from critmin.ui.session import Session

    app = App(size)
    try:
        session = Session.start(scenario, countries or [])
        session.model.run(turns)
        scene = app.start_game(session, PlayOptions(scenario=scenario, size=size))
        times = []
        for k in range(warmup + frames):
            start = time.perf_counter()
            app.frame(STEP_S)
            if k >= warmup:
                times.append(time.perf_counter() - start)
        times.sort()
        return {
            "scenario": scenario,
            "size": f"{size[0]}x{size[1]}",
            "view": scene.view,
            "player": scene.player or "",
            "flows_animated": len(scene.flows.arcs),
            "particles": scene.flows.particle_count,
            "frames": frames,
            "median_frame_ms": statistics.median(times) * 1000,
            "p95_frame_ms": times[int(0.95 * (len(times) - 1))] * 1000,
            "max_frame_ms": times[-1] * 1000,
            "video_driver": os.environ.get("SDL_VIDEODRIVER", ""),
        }
    finally:
        app.close()


if __name__ == "__main__":
    for key, value in measure_frame_time().items():
        print(f"{key}: {value}")
