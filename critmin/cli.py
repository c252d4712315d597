"""The `critmin` command and its sub-commands.

User mistakes (bad scenario, bad flag, bad save) print one clear message and exit with 2;
no tracebacks. Run `critmin --help` or `critmin COMMAND --help`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
MAX_TURNS = 400

# Upper layers add their own sub-commands: each module has `register(commands)` and imports its
# heavy or optional dependencies only when its command runs.
PLUGIN_COMMANDS = ("critmin.ui.commands", "critmin.research.commands", "critmin.classroom.commands")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class UserError(Exception):
    """A mistake in what the user asked for; printed without a traceback, exit code 2."""


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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = argparse.ArgumentParser(prog="critmin", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=version_text())
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    add_run(commands)
    add_scenarios(commands)
    add_replay(commands)
    add_bench(commands)
    add_validate(commands)
    for module_name in PLUGIN_COMMANDS:
        import_module(module_name).register(commands)
    return parser


def version_text() -> str:
    """'critmin X.Y.Z'."""
    from critmin import __version__

    return f"critmin {__version__}"


def command(commands, name: str, handler: Callable, help_text: str) -> argparse.ArgumentParser:
    """Register a sub-command."""
    sub = commands.add_parser(name, help=help_text, description=help_text)
    sub.set_defaults(handler=handler)
    return sub


def positive_int(text: str) -> int:
    """An argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def seed_int(text: str) -> int:
    """An argparse type: a random seed, a whole number from 0 to 2**63 - 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"expected a seed from 0 to 2**63 - 1, got {value}")
    return value


def turn_count(text: str) -> int:
    """An argparse type: a number of turns from 1 to 400 (a scenario's longest)."""
    value = positive_int(text)
    if value > MAX_TURNS:
        raise argparse.ArgumentTypeError(f"expected at most {MAX_TURNS} turns, got {value}")
    return value


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
    sub.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="table format")
    sub.add_argument("--quiet", action="store_true", help="no progress bar")
    sub.add_argument(
        "--focus", metavar="ISO3", help="also summarise one country's import reliance and embedded dependence"
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
    print_summary(model, out, focus=args.focus)
    write_outputs(model, args)
    return EXIT_OK


def check_outputs(args: argparse.Namespace) -> None:
    """Refuse, before playing, a --save or --out that cannot be written."""
    from critmin.engine.run_folder import RunFolderError, check_run_folder
    from critmin.engine.writable import WritableError, check_file_target, check_folder_target

    try:
        if args.save is not None:
            check_file_target(args.save, "--save")
        if args.out is not None:
            check_run_folder(args.out, args.force)
            check_folder_target(args.out, "--out")
        if args.save is not None and args.out is not None and inside(args.save, args.out):
            raise UserError(f"--save: {args.save} is in the run folder {args.out}; keep the save beside it")
    except (RunFolderError, WritableError) as error:
        raise UserError(str(error)) from None


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

    try:
        return load_scenario(name)
    except ScenarioError as error:
        raise UserError(str(error)) from None


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
    show.add_argument("name")
    show.add_argument("--json", action="store_true", help="the resolved content as JSON")
    show.set_defaults(handler=scenarios_show)
    check = actions.add_parser("validate", help="check a scenario file; exit 2 with the problem if bad")
    check.add_argument("file")
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


def print_rows(rows: list[dict], as_json: bool) -> None:
    """Rows as JSON, as a rich table on a terminal, or as tab-separated lines; never truncated."""
    if as_json:
        print(json.dumps(rows, indent=1))
        return
    columns = list(rows[0]) if rows else []
    if not out.is_terminal:
        print("\t".join(columns))
        for row in rows:
            print("\t".join(str(value) for value in row.values()))
        return
    table = Table()
    for index, column in enumerate(columns):
        table.add_column(column, no_wrap=index == 0, overflow="fold")
    for row in rows:
        table.add_row(*(escape(str(value)) for value in row.values()))
    out.print(table)


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
    sub.add_argument("file", type=Path)


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
    "compare figures of one run, and ratios."
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
    if args.json:
        print(json.dumps(figures, indent=1))
        return EXIT_OK
    table = Table("measure", "value")
    for key, value in figures.items():
        table.add_row(key, bench_value(value))
    out.print(table)
    return EXIT_OK


def bench_progress(message: str) -> None:
    """One line of benchmark progress on stderr."""
    err.print(f"bench: {escape(message)}")


def bench_value(value) -> str:
    """A figure as the bench table shows it."""
    if value is None:
        return "not measured"
    if isinstance(value, dict):
        return ", ".join(f"{k} {v:,.2f}" for k, v in value.items())
    return f"{value:,.3f}" if isinstance(value, float) else str(value)


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


# --- validate -----------------------------------------------------------------------------


VALIDATE_HELP = (
    "Backtest the model against five episodes: rare earths 2010, lithium 2021-24, cobalt 2017-19, "
    "the Wa tin halt 2023 and China's tungsten quotas 2007-15."
)


def add_validate(commands) -> None:
    """`critmin validate [--json] [--seeds N] [--plots DIR]`."""
    sub = command(commands, "validate", validate_command, VALIDATE_HELP)
    sub.add_argument("--seeds", type=positive_int, default=20, help="seeds per backtest (default 20)")
    sub.add_argument("--json", action="store_true", help="print JSON only")
    sub.add_argument("--plots", type=Path, metavar="DIR", help="write price paths as PNG files to DIR")


def validate_command(args: argparse.Namespace) -> int:
    """Run every check over the seeds; exit 0 only if every check holds on the median."""
    from critmin.research.backtest_plots import write_plots
    from critmin.research.backtests import run_backtests, validation_seeds

    seeds = validation_seeds(args.seeds)
    results, runs = run_backtests(seeds)
    plots = write_plots(runs, args.plots) if args.plots else []
    if args.json:
        print(json.dumps({"seeds": seeds, "checks": [r.to_dict() for r in results]}, indent=1))
    else:
        out.print(validation_table(results, len(seeds)))
        out.print(ceiling_table(results))
        for path in plots:
            out.print(f"wrote {escape(str(path))}")
    return EXIT_OK if all(r.passed for r in results) else EXIT_FAILED


def validation_table(results, n_seeds: int) -> Table:
    """The backtest table: check, observed, simulated median and range, band, holds?"""
    title = f"critmin validate: {n_seeds} seeds, median must lie in the band"
    table = Table("check", "observed", "median", "range", "band", "holds?", title=title)
    scenario = None
    for result in results:
        check = result.check
        if check.scenario != scenario:
            scenario = check.scenario
            table.add_row(f"[bold]{scenario}[/]", "", "", "", "", "")
        spread = f"{short(min(result.values))}..{short(max(result.values))}"
        holds = "[green]yes[/]" if result.passed else "[bold red]no[/]"
        band = band_text(check.band)
        table.add_row(check.name, short(check.observed), short(result.median), spread, band, holds)
    return table


def ceiling_table(results) -> Table:
    """Per episode, the prices that sat at the top of their demand curve: seeds, turns, longest stay."""
    title = "prices at the top of their demand curve (most turns over the seeds)"
    table = Table("episode", "line", "seeds", "turns", "longest", "at essential", title=title)
    for result in {r.check.scenario: r for r in results}.values():
        ceiling = result.ceiling
        if not ceiling["reached"]:
            table.add_row(result.check.scenario, "none", f"0/{ceiling['of_seeds']}", "0", "0", "0")
        for line, stats in ceiling["lines"].items():
            seeds = f"{stats['seeds']}/{ceiling['of_seeds']}"
            figures = (str(stats[key]) for key in ("turns", "longest", "essential_turns"))
            table.add_row(result.check.scenario, line, seeds, *figures)
    return table


def short(value: float) -> str:
    """A figure in at most 4 significant digits (dates stay whole)."""
    return f"{value:.2f}" if abs(value) >= 1000 else f"{value:.3g}"


def band_text(band: tuple[float | None, float | None]) -> str:
    """'lo..hi', '>= lo' or '<= hi'."""
    low, high = band
    if low is None:
        return f"<= {short(high)}"
    if high is None:
        return f">= {short(low)}"
    return f"{short(low)}..{short(high)}"


if __name__ == "__main__":
    sys.exit(main())
