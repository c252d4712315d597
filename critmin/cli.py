"""The `critmin` command and its sub-commands.

User mistakes (bad scenario, bad flag, bad save) print one clear message and exit with 2;
no tracebacks. Run `critmin --help` or `critmin COMMAND --help`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.markup import escape

from critmin.classroom import commands as classroom_commands
from critmin.core.console import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    UserError,
    command,
    err,
    out,
    positive_int,
    print_figures,
    print_rows,
    seed_int,
    turn_count,
    user_errors,
)
from critmin.launcher import PygameWindows
from critmin.research import commands as research_commands
from critmin.ui import commands as ui_commands

EXIT_PIPE_CLOSED = 141  # 128 + SIGPIPE, as a command killed by the closed pipe would exit


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `critmin` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.handler(args)
    except UserError as error:
        err.print(f"[bold red]error:[/] {escape(str(error))}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    except BrokenPipeError:  # `critmin pack NAME | head`: the reader has what it wanted
        quiet_stdout()
        return EXIT_PIPE_CLOSED


def quiet_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's last flush does not fail on the closed pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = argparse.ArgumentParser(prog="critmin", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=version_text())
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    add_run(commands)
    add_scenarios(commands)
    add_replay(commands)
    add_bench(commands)
    # each front end adds its own sub-commands, importing heavy or optional dependencies only when
    # one of them runs; the classroom's network seats open in the UI's window through the launcher
    ui_commands.register(commands)
    research_commands.register(commands)
    classroom_commands.register(commands, windows=PygameWindows())
    return parser


def version_text() -> str:
    """'critmin X.Y.Z'."""
    from critmin import __version__

    return f"critmin {__version__}"


# --- run ----------------------------------------------------------------------------------


def add_run(commands) -> None:
    """`critmin run SCENARIO ...`."""
    sub = command(commands, "run", run_command, "Play a scenario headless and print its outcome.")
    sub.add_argument("scenario", help="packaged scenario name (see `critmin scenarios list`) or TOML path")
    sub.add_argument("--turns", type=turn_count, help="turns to play (default: the scenario's)")
    sub.add_argument("--seed", type=seed_int, help="random seed (default: the scenario's)")
    sub.add_argument("--out", type=Path, help="directory for tidy tables and manifest.json (one run each)")
    sub.add_argument("--force", action="store_true", help="replace the run already in --out")
    sub.add_argument("--save", type=Path, help="write a replayable save file (JSON)")
    sub.add_argument(
        "--format", choices=("parquet", "csv"), default="parquet", help="table format (default: parquet)"
    )
    sub.add_argument("--quiet", action="store_true", help="no progress bar")
    sub.add_argument(
        "--focus",
        metavar="ISO3",
        help="also summarise one country's import reliance and embedded dependence (default: the scenario's)",
    )


def run_command(args: argparse.Namespace) -> int:
    """Check the outputs can be written, play, summarise, write the save then the tables."""
    from critmin.engine.model import WorldModel
    from critmin.engine.summary import print_summary

    check_outputs(args)
    scenario = load(args.scenario)
    if args.focus is not None and args.focus not in {c.iso3 for c in scenario.spec.countries}:
        raise UserError(f"--focus: {args.focus!r} is not a country of {scenario.id}")
    model = WorldModel(scenario, seed=args.seed, record_hashes=args.save is not None)
    turns = args.turns or scenario.spec.scenario.turns
    play(model, turns, quiet=args.quiet)
    print_summary(model, out, focus=args.focus or scenario.spec.scenario.focus)
    write_outputs(model, args)
    return EXIT_OK


def check_outputs(args: argparse.Namespace) -> None:
    """Refuse, before playing, a --save or --out that cannot be written."""
    from critmin.engine.run_folder import RunFolderError, check_run_folder
    from critmin.engine.writable import WritableError, check_file_target, check_folder_target

    try:
        if args.save is not None and made_with_out(args.save, args.out):
            check_folder_target(args.save.parent, "--save")
        elif args.save is not None:
            check_file_target(args.save, "--save")
        if args.out is not None:
            check_run_folder(args.out, args.force)
            check_folder_target(args.out, "--out")
        if args.save is not None and args.out is not None and inside(args.save, args.out):
            raise UserError(f"--save: {args.save} is in the run folder {args.out}; keep the save beside it")
    except (RunFolderError, WritableError) as error:
        raise UserError(str(error)) from None


def made_with_out(save: Path, run_folder: Path | None) -> bool:
    """The save's missing folder is one `--out` creates anyway (`--out runs/w1 --save runs/w1.json`)."""
    return run_folder is not None and not save.parent.is_dir() and inside(run_folder, save.parent)


def inside(path: Path, folder: Path) -> bool:
    """True when `path` is `folder` or lies within it."""
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents


def write_outputs(model, args: argparse.Namespace) -> None:
    """The save first (small, and enough to re-create the run), then the tables and manifest."""
    from critmin.engine.outputs import write_run
    from critmin.engine.run_folder import RunFolderError
    from critmin.engine.save import write_save
    from critmin.engine.writable import reason

    rerun = "the run is reproducible: run the same command again once the problem is fixed"
    if args.save:
        try:
            args.save.parent.mkdir(parents=True, exist_ok=True)  # only when --out makes it too
            write_save(model, args.save, status="finished")
        except OSError as error:
            raise UserError(
                f"--save: cannot write {args.save}: {reason(error)}; no save was written; {rerun}"
            ) from None
        out.print(f"saved to {escape(str(args.save))}")
    if args.out:
        try:
            paths = write_run(model, args.out, args.format, command_line=sys.argv, force=args.force)
        except RunFolderError as error:
            raise UserError(str(error)) from None
        except OSError as error:
            kept = f"the save {args.save} is kept (`critmin replay` re-plays it)" if args.save else rerun
            raise UserError(
                f"--out: cannot write the run's tables to {args.out}: {reason(error)}; "
                f"no file of this run was left there; {kept}"
            ) from None
        out.print(f"wrote {len(paths)} files to {escape(str(args.out))}")


def load(name: str):
    """Load a scenario, turning its errors into user errors."""
    from critmin.scenarios import ScenarioError, load_scenario

    with user_errors(ScenarioError):
        return load_scenario(name)


def play(model, turns: int, quiet: bool = False) -> None:
    """Step the model with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, disable=quiet, transient=True) as progress:
        task = progress.add_task(model.world_scenario.id, total=turns)
        for _ in range(turns):
            model.step()
            progress.update(task, advance=1, description=f"{model.world_scenario.id} {model.date}")


# --- scenarios ----------------------------------------------------------------------------


def add_scenarios(commands) -> None:
    """`critmin scenarios list | show NAME | validate FILE`."""
    sub = command(
        commands,
        "scenarios",
        lambda a: (sub.print_help(), EXIT_USAGE)[1],
        "List, show and validate scenarios.",
    )
    actions = sub.add_subparsers(title="actions", metavar="ACTION")
    listing = actions.add_parser("list", help="packaged scenarios (a table; plain lines when piped)")
    listing.add_argument("--json", action="store_true", help="a JSON list, one object per scenario")
    listing.set_defaults(handler=scenarios_list)
    show = actions.add_parser("show", help="a scenario's contents in brief")
    show.add_argument("name", help="packaged scenario name (see `critmin scenarios list`) or TOML path")
    show.add_argument("--json", action="store_true", help="the resolved content as JSON")
    show.set_defaults(handler=scenarios_show)
    check = actions.add_parser("validate", help="check a scenario file; exit 2 with the problem if bad")
    check.add_argument("file", help="the scenario TOML file to check")
    check.set_defaults(handler=scenarios_validate)


def scenarios_list(args: argparse.Namespace) -> int:
    """Packaged scenarios: a table on a terminal, tab-separated lines when piped, or JSON."""
    from critmin.scenarios import load_scenario, packaged_names

    rows = []
    for name in packaged_names():
        spec = load_scenario(name).spec
        info = spec.scenario
        rows.append(
            {
                "name": name,
                "title": info.title,
                "start": info.start,
                "turns": info.turns,
                "countries": len(spec.countries),
            }
        )
    print_rows(rows, args.json)
    return EXIT_OK


def scenarios_show(args: argparse.Namespace) -> int:
    """A scenario in brief, or as JSON."""
    scenario = load(args.name)
    if args.json:
        out.print_json(json.dumps(scenario.content))
        return EXIT_OK
    spec = scenario.spec
    out.print(
        f"[bold]{spec.scenario.id}[/] — {escape(spec.scenario.title)} ({spec.scenario.start}, "
        f"{spec.scenario.turns} turns)\n{escape(spec.scenario.description)}"
    )
    for label, items in (
        ("countries", spec.countries),
        ("minerals", spec.minerals),
        ("capacity lines", spec.capacity),
        ("demand lines", spec.demand),
        ("firms", spec.firms),
        ("reserves", spec.reserves),
        ("policies", spec.policies),
        ("deals", spec.deals),
        ("events", spec.events),
    ):
        out.print(f"  {label}: {len(items)}")
    out.print(f"  hash: {scenario.hash}")
    return EXIT_OK


def scenarios_validate(args: argparse.Namespace) -> int:
    """Load a file; the loader raises on the first problem."""
    scenario = load(args.file)
    out.print(f"{escape(args.file)}: ok ({scenario.id}, {len(scenario.spec.countries)} countries)")
    return EXIT_OK


# --- replay -------------------------------------------------------------------------------


def add_replay(commands) -> None:
    """`critmin replay FILE`."""
    sub = command(
        commands, "replay", replay_command, "Replay a save and check every turn's actions and state hash."
    )
    sub.add_argument("file", type=Path, help="a save written by `critmin run --save` or the game (JSON)")


def replay_command(args: argparse.Namespace) -> int:
    """Exit 0 when every turn matches, 1 when one differs, 2 when the save is unusable."""
    from critmin.engine.save import SaveError, read_save, replay

    try:
        _, report = replay(read_save(args.file), source=str(args.file))
    except SaveError as error:
        raise UserError(str(error)) from None
    if report.ok:
        out.print(
            f"{escape(str(args.file))}: all {report.turns} turns replay to the saved actions and state hashes"
        )
        return EXIT_OK
    err.print(f"[bold red]replay failed:[/] {escape(str(report.problem))}")
    return EXIT_FAILED


# --- bench --------------------------------------------------------------------------------


BENCH_HELP = (
    "Time the engine: turns of world-2024 (default controllers, AI doctrines, and the AI world with 10x "
    "its firms and 4x its countries, stepped in turn A B C D), what the recorder keeps per turn, the "
    "clearing against the LP and OR-Tools on the same markets (welfare checked equal), and the RL "
    "environment's steps per second. Progress goes to stderr. Timings drift with the machine's load: "
    "compare figures of one run, and ratios. A large batch of markets (the 4x world's) is cleared on two "
    "threads when a core is free (CRITMIN_CLEAR_THREADS: auto, the default, or a number; "
    "clear_threads in the figures)."
)


def add_bench(commands) -> None:
    """`critmin bench [--json] [--turns N] [--rounds N] [--rl-steps N] [--phases]`."""
    sub = command(commands, "bench", bench_command, BENCH_HELP)
    sub.add_argument("--json", action="store_true", help="print JSON only (progress still goes to stderr)")
    sub.add_argument("--turns", type=positive_int, default=40, help="turns timed per world (default 40)")
    sub.add_argument(
        "--rounds", type=positive_int, default=5, help="interleaved rounds of each clearing (default 5)"
    )
    sub.add_argument(
        "--rl-steps",
        type=int,
        default=100,
        metavar="N",
        help="steps of the PettingZoo environment to time (default 100; 0 skips it)",
    )
    sub.add_argument(
        "--phases", action="store_true", help="also time each phase of the AI turn (mean ms per turn)"
    )


def bench_command(args: argparse.Namespace) -> int:
    """Run the benchmarks and print their figures."""
    from critmin.engine.bench import run_benchmarks
    from critmin.engine.ortools_flow import ortools_missing

    if args.rl_steps < 0:
        raise UserError(f"--rl-steps must be 0 or more, got {args.rl_steps}")
    figures: dict = run_benchmarks(turns=args.turns, rounds=args.rounds, progress=bench_progress)
    if figures["clearing_speedup_vs_ortools"] is None:
        bench_progress(f"clearing_speedup_vs_ortools not measured: {ortools_missing()}")
    figures["rl_steps_per_s"] = rl_steps_per_second(args.rl_steps)
    if args.phases:
        figures["phase_ms_ai"] = ai_phases(args.turns)
    print_figures(figures, args.json)
    return EXIT_OK


def bench_progress(message: str) -> None:
    """One line of benchmark progress on stderr."""
    err.print(f"bench: {escape(message)}")


def rl_steps_per_second(steps: int) -> float | None:
    """Steps per second of the PettingZoo environment (world-2024, 5 agents, random legal actions)."""
    if steps == 0:
        return None
    try:
        from critmin.research.env import benchmark
    except ImportError:
        bench_progress(
            "rl_steps_per_s not measured: the environment needs the rl extra (pip install 'critmin[rl]')"
        )
        return None
    bench_progress(f"RL environment: {steps} steps")
    return benchmark("world-2024", steps=steps)["steps_per_second"]


def ai_phases(turns: int) -> dict[str, float]:
    """Mean ms per turn of each phase of world-2024's AI turn."""
    from critmin.engine.bench_phases import phase_profile
    from critmin.engine.model import WorldModel

    bench_progress(f"phases of the AI turn: {turns} turns")
    model = WorldModel("world-2024", seed=0)
    model.run(2)
    return phase_profile(model, turns)


if __name__ == "__main__":
    sys.exit(main())
