"""`critmin play` on the command line: without pygame, bad requests, autoplay screenshots, benchmark."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pygame
import pytest

from critmin.ui.bench import first_frame_seconds, measure_frame_time
from critmin.ui.palette import MINERAL_COLOURS, ROLE_COLOURS


def test_play_without_pygame_explains_how_to_install_the_extra(cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "pygame", None)  # `import pygame` now raises ImportError
    code, _, err = cli("play", "world-2024", "--as", "IND")
    assert code == 2
    assert "pip install 'critmin[ui]'" in err
    assert cli("scenarios", "list")[0] == 0, "the rest of critmin works without pygame"


def test_play_refuses_countries_not_in_the_scenario(cli):
    code, _, err = cli("play", "world-2024", "--as", "IND,XYZ", "--screenshot", "x.png")
    assert code == 2 and "XYZ not in scenario world-2024" in err


def test_play_refuses_a_layout_file_in_a_missing_folder(cli, tmp_path):
    code, _, err = cli("play", "world-2024", "--layout-file", str(tmp_path / "no" / "layout.json"))
    assert code == 2 and "--layout-file" in err and "does not exist" in err


def test_play_refuses_a_bad_window_size(cli):
    with pytest.raises(SystemExit) as raised:
        cli("play", "world-2024", "--size", "big")
    assert raised.value.code == 2


def colours_present(image: pygame.Surface, colours) -> set:
    """Which of `colours` appear as exact pixel values on the map, right of the legend and below the bar."""
    pixels = pygame.surfarray.array3d(image)[300:, 70 : image.get_height() - 24].reshape(-1, 3)
    packed = set(
        np.unique(pixels[:, 0].astype(np.int64) << 16 | pixels[:, 1].astype(np.int64) << 8 | pixels[:, 2])
    )
    return {c for c in colours if (c[0] << 16 | c[1] << 8 | c[2]) in packed}


def test_autoplay_writes_a_map_screenshot_with_flows(cli, tmp_path):
    path = tmp_path / "shot.png"
    code, _, err = cli("play", "world-2024", "--autoplay", "3", "--screenshot", path)
    assert code == 0, err
    image = pygame.image.load(str(path))
    assert image.get_width() >= 1280 and image.get_height() >= 720
    roles = colours_present(image, ROLE_COLOURS.values())
    assert {ROLE_COLOURS["dominant_processor"], ROLE_COLOURS["diversifying_importer"]} <= roles, (
        "countries coloured"
    )
    minerals = colours_present(image, MINERAL_COLOURS.values())
    assert len(minerals) >= 5, "particles of several minerals' flows are drawn"


def test_autoplay_can_show_one_mineral_an_indicator_and_panels(cli, tmp_path):
    path = tmp_path / "ree.png"
    code, _, err = cli(
        "play",
        "china-ree-controls-2025",
        "--autoplay",
        "2",
        "--as",
        "IND",
        "--mineral",
        "ree_heavy",
        "--colour",
        "import dependence",
        "--open",
        "dashboard,prices",
        "--size",
        "1440x900",
        "--screenshot",
        path,
    )
    assert code == 0, err
    image = pygame.image.load(str(path))
    assert image.get_size() == (1440, 900)
    assert colours_present(image, [MINERAL_COLOURS["ree_heavy"]])


def test_benchmark_reports_the_frame_time():
    figures = measure_frame_time("china-ree-controls-2025", turns=2, frames=30, warmup=5)
    assert figures["flows_animated"] > 50 and figures["particles"] >= figures["flows_animated"]
    assert figures["median_frame_ms"] > 0


def test_play_without_a_display_says_so(cli, monkeypatch):
    monkeypatch.setenv("SDL_VIDEODRIVER", "no-such-driver")
    code, _, err = cli("play", "world-2024", "--as", "IND")
    assert code == 2 and "cannot open a window" in err


def test_benchmark_times_the_first_frame_of_a_fresh_process():
    tiny = str(Path(__file__).parents[1] / "data" / "tiny.toml")
    first = first_frame_seconds([tiny, "--as", "IND", "--autoplay", "0"])
    first_map = first_frame_seconds([tiny, "--as", "IND", "--autoplay", "0"], ".map")
    assert 0 < first < first_map, "a loading frame shows before the map (the world model takes a while)"
