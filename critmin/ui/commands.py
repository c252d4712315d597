"""Sub-commands of the ui layer: `critmin play` (the CLI asks `register` to add it).

pygame and pygame_gui are imported only when `play` runs, so `critmin` works without them;
`play` then says how to install the UI extra and exits with 2.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from pathlib import Path

from critmin.core.console import EXIT_OK, UserError, command, out, user_errors
from critmin.ui.options import DEFAULT_SIZE, MIN_SIZE, PlayOptions

INSTALL_HINT = (
    "the game window needs pygame-ce and pygame_gui: install the UI extra with  pip install 'critmin[ui]'"
)
PANELS = ("dashboard", "prices", "news", "deals", "diplomacy", "orders", "report", "firm", "bids")


def register(commands) -> None:
    """Add `critmin play`."""
    sub = command(
        commands,
        "play",
        play_command,
        "Play a scenario in a window: the world map, flows, panels; one or several human countries.",
    )
    add_game_arguments(sub)
    add_view_arguments(sub)
    add_tool_arguments(sub)


def add_game_arguments(sub: argparse.ArgumentParser) -> None:
    """What to play: the scenario, who plays, the seed, turns played first, a save to replay."""
    sub.add_argument(
        "scenario", nargs="?", help="packaged scenario name or TOML path (default: pick in the window)"
    )
    sub.add_argument(
        "--as",
        dest="countries",
        type=seat_list,
        default=[],
        metavar="ISO3[,ISO3...]|FIRM",
        help="the countries you play (several: hot-seat), or one of the scenario's firms (e.g. kabil); "
        "the computer plays the rest",
    )
    sub.add_argument("--seed", type=int, help="random seed (default: the scenario's)")
    sub.add_argument(
        "--autoplay",
        type=non_negative,
        metavar="N",
        help="play N turns first, the computer playing every country (those given with --as stay idle, "
        "then are yours)",
    )
    sub.add_argument("--replay", type=Path, metavar="SAVE", help="open a save in the replay viewer")
    sub.add_argument(
        "--save-dir", type=Path, default=None, help="where the save dialog starts (default: here)"
    )


def add_view_arguments(sub: argparse.ArgumentParser) -> None:
    """How the window looks at the start: size, panels, mineral, colouring, palette."""
    sub.add_argument(
        "--size",
        type=window_size,
        default=DEFAULT_SIZE,
        metavar="WxH",
        help=f"window size (default {DEFAULT_SIZE[0]}x{DEFAULT_SIZE[1]})",
    )
    sub.add_argument(
        "--open",
        dest="panels",
        type=panel_list,
        default=[],
        metavar="PANEL[,PANEL...]",
        help=f"panels to open at the start: {', '.join(PANELS)}",
    )
    sub.add_argument("--mineral", help="show only this mineral's flows at the start")
    sub.add_argument(
        "--colour",
        choices=("role", "import dependence", "stock cover", "price"),
        help="colour countries by role (default) or by an indicator",
    )
    sub.add_argument(
        "--palette",
        choices=("standard", "colour-blind"),
        default="standard",
        help="colours of roles, indicator scales and controlled routes (colour-blind: Okabe-Ito, viridis)",
    )


def add_tool_arguments(sub: argparse.ArgumentParser) -> None:
    """For tools and tests: a screenshot, the layout file, the frame-time benchmark."""
    sub.add_argument("--screenshot", type=Path, metavar="FILE", help="write the map as a PNG and exit")
    sub.add_argument(
        "--layout-file",
        type=Path,
        default=os.environ.get("CRITMIN_LAYOUT_FILE") or None,
        metavar="FILE",
        help="keep FILE up to date with the widgets' rectangles and the game's state (JSON, for tools "
        "driving the window)",
    )
    sub.add_argument(
        "--bench",
        action="store_true",
        help="measure the first frame after start-up and the frame times, print them and exit",
    )
    sub.add_argument("--json", action="store_true", help="--bench: print JSON only")


def seat_list(text: str) -> list[str]:
    """An argparse type: 'ind,JPN' -> ['IND', 'JPN']; a firm's id as given ('kabil')."""
    seats = [s.strip() for s in text.split(",") if s.strip()]
    bad = [s for s in seats if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]*", s)]
    if bad or not seats:
        raise argparse.ArgumentTypeError(
            f"expected ISO3 codes or a firm's id separated by commas, got {text!r}"
        )
    return list(dict.fromkeys(s.upper() if re.fullmatch(r"[A-Za-z]{3}", s) else s for s in seats))


def panel_list(text: str) -> list[str]:
    """An argparse type: panel names separated by commas."""
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    bad = [n for n in names if n not in PANELS]
    if bad:
        raise argparse.ArgumentTypeError(f"unknown panel {bad[0]!r}; choose from {', '.join(PANELS)}")
    return names


def non_negative(text: str) -> int:
    """An argparse type: an integer >= 0."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return int(text)


def window_size(text: str) -> tuple[int, int]:
    """An argparse type: '1280x720'."""
    match = re.fullmatch(r"(\d+)[xX](\d+)", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 1280x720, got {text!r}")
    width, height = int(match[1]), int(match[2])
    if width < MIN_SIZE[0] or height < MIN_SIZE[1]:
        raise argparse.ArgumentTypeError(f"the window must be at least {MIN_SIZE[0]}x{MIN_SIZE[1]}")
    return width, height


def play_command(args: argparse.Namespace) -> int:
    """Check the request, then open the window (pygame imported only now)."""
    options = play_options(args)
    headless = args.bench or options.screenshot is not None
    if headless:
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    require_pygame()
    if args.bench:
        return bench(options, args.json)
    from critmin.ui.app import play

    try:
        return play(options)
    except Exception as error:
        import pygame

        if isinstance(error, pygame.error):
            raise UserError(
                f"cannot open a window: {error} (for a screenshot only, add --screenshot FILE)"
            ) from None
        raise


def require_pygame() -> None:
    """UserError with the install hint if pygame or pygame_gui is missing."""
    try:
        import pygame  # noqa: F401
        import pygame_gui  # noqa: F401
    except ImportError:
        raise UserError(INSTALL_HINT) from None


def play_options(args: argparse.Namespace) -> PlayOptions:
    """PlayOptions from the arguments, with the scenario and countries checked."""
    options = PlayOptions(
        scenario=args.scenario,
        countries=args.countries,
        seed=args.seed,
        autoplay=args.autoplay,
        screenshot=args.screenshot,
        size=args.size,
        replay=args.replay,
        panels=args.panels,
        mineral=args.mineral,
        colour=args.colour,
        save_dir=args.save_dir or Path.cwd(),
        layout_file=Path(args.layout_file) if args.layout_file else None,
        palette=args.palette,
    )
    if options.layout_file is not None and not options.layout_file.parent.is_dir():
        raise UserError(f"--layout-file: folder {options.layout_file.parent} does not exist")
    if options.screenshot is not None and options.autoplay is None:
        options.autoplay = 0
    if options.replay is not None:
        check_save(options.replay)
        return options
    if options.autoplay is not None or args.bench:
        options.scenario = options.scenario or "world-2024"
    if options.scenario:
        check_scenario(options)
    elif firms := [s for s in options.countries if not re.fullmatch(r"[A-Z]{3}", s)]:
        raise UserError(
            f"--as {firms[0]}: to play a firm, name its scenario: critmin play SCENARIO --as {firms[0]}"
        )
    return options


def check_scenario(options: PlayOptions) -> None:
    """The scenario loads, and the countries and mineral asked for are in it."""
    from critmin.scenarios import ScenarioError, load_scenario

    with user_errors(ScenarioError):
        spec = load_scenario(options.scenario).spec
    options.countries = seats_in(spec, options.countries)
    minerals = [m.id.value for m in spec.minerals]
    if options.mineral and options.mineral not in minerals:
        raise UserError(
            f"--mineral: {options.mineral!r} not in scenario {spec.scenario.id} ({', '.join(minerals)})"
        )


def seats_in(spec, seats: list[str]) -> list[str]:
    """The seats asked for, as the scenario names them: countries' codes, or one firm's id (any case)."""
    codes = [c.iso3 for c in spec.countries]
    firms = {f.id.casefold(): f.id for f in spec.firms}
    found = [s if s in codes else firms.get(s.casefold(), s) for s in seats]
    unknown = [s for s in found if s not in codes and s not in firms.values()]
    if unknown:
        raise UserError(
            f"--as: {', '.join(unknown)} not in scenario {spec.scenario.id}: neither a country nor a firm "
            f"(its countries: {', '.join(codes)}; its firms: {', '.join(firms.values()) or 'none'})"
        )
    played = [s for s in found if s in firms.values()]
    if played and len(found) > 1:
        raise UserError(f"--as: a firm is played alone, not beside others ({', '.join(found)})")
    return found


def check_save(path: Path) -> None:
    """The replay file is a readable save."""
    from critmin.engine.save import SaveError, read_save

    with user_errors(SaveError):
        read_save(path)


def bench(options: PlayOptions, as_json: bool) -> int:
    """Print the frame-time benchmark."""
    from critmin.ui.bench import measure_first_frames, measure_frame_time

    scenario = options.scenario or "world-2024"
    figures = measure_frame_time(scenario, countries=options.countries, size=options.size)
    figures |= measure_first_frames(scenario, options.countries)
    if as_json:
        print(json.dumps(figures, indent=1))
    else:
        for key, value in figures.items():
            out.print(f"{key}: {value:,.3f}" if isinstance(value, float) else f"{key}: {value}")
    return EXIT_OK
