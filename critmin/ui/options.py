"""What `critmin play` was asked to do (plain data; no pygame)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SIZE = (1280, 720)
MIN_SIZE = (800, 560)


@dataclass
class PlayOptions:
    """Options of `critmin play`.

    Attributes:
        scenario: packaged name or TOML path; None opens the scenario picker.
        countries: the human seats: countries (hot-seat order), or one firm by its id; idle during
            `autoplay`.
        seed: random seed (the scenario's when None).
        autoplay: turns played first (the AI plays every other country) before showing or screenshotting.
        screenshot: write a PNG of the map after autoplay, then exit.
        size: window size in pixels.
        replay: a save to open in the replay viewer.
        panels: panels to open at the start (by title, e.g. "dashboard").
        mineral: mineral filter at the start; colour: map colouring at the start.
        save_dir: where the save dialog starts.
        palette: "standard" or "colour-blind" (role, scale and route colours).
        layout_file: write the widgets' rectangles and the scene's state there as JSON (for tools
            driving the window).

    """

    scenario: str | None = None
    countries: list[str] = field(default_factory=list)
    seed: int | None = None
    autoplay: int | None = None
    screenshot: Path | None = None
    size: tuple[int, int] = DEFAULT_SIZE
    replay: Path | None = None
    panels: list[str] = field(default_factory=list)
    mineral: str | None = None
    colour: str | None = None
    save_dir: Path = field(default_factory=Path.cwd)
    layout_file: Path | None = None
    palette: str = "standard"
