"""Frame-time benchmark: the game screen at 1280x720 with every flow of a turn animated.

Not a timed assertion: `critmin play --bench` (or `measure_frame_time()`) prints the figures.
Runs with SDL's dummy video driver unless a display driver is already chosen, so it measures
critmin's drawing (software blits) rather than the window system.
"""

from __future__ import annotations

import os
import statistics
import time


def measure_frame_time(
    scenario: str = "world-2024",
    *,
    size: tuple[int, int] = (1280, 720),
    turns: int = 3,
    frames: int = 300,
    warmup: int = 30,
) -> dict:
    """Median and 95th-percentile time of one full frame (events, widgets, map, flows, particles).

    Args:
        scenario: the scenario to play (`turns` turns, AI for every country) before measuring.
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
        session = Session.start(scenario)
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
            "flows_animated": len(scene.flows.arcs),
            "particles": scene.flows.particle_count,
            "frames": frames,
            "median_frame_ms": statistics.median(times) * 1000,
            "p95_frame_ms": times[int(0.95 * (len(times) - 1))] * 1000,
            "video_driver": os.environ.get("SDL_VIDEODRIVER", ""),
        }
    finally:
        app.close()


if __name__ == "__main__":
    for key, value in measure_frame_time().items():
        print(f"{key}: {value}")
