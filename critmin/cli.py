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


# --- run ----------------------------------------------------------------------------------


def add_run(commands) -> None:
    """`critmin run SCENARIO ...`."""
    sub = command(commands, "run", run_command, "Play a scenario headless and print its outcome.")
    sub.add_argument("scenario", help="packaged scenario name (see `critmin scenarios list`) or TOML path")
    sub.add_argument("--turns", type=positive_int, help="turns to play (default: the scenario's)")
    sub.add_argument("--seed", type=int, help="random seed (default: the scenario's)")
    sub.add_argument("--out", type=Path, help="directory for tidy tables and manifest.json")
    sub.add_argument("--save", type=Path, help="write a replayable save file (JSON)")
    sub.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="table format")
    sub.add_argument("--quiet", action="store_true", help="no progress bar")


def run_command(args: argparse.Namespace) -> int:
    """Play, summarise, write outputs."""
    from critmin.engine.model import WorldModel
    from critmin.engine.outputs import write_run
    from critmin.engine.save import write_save
    from critmin.engine.summary import print_summary

    scenario = load(args.scenario)
    model = WorldModel(scenario, seed=args.seed)
    turns = args.turns or scenario.spec.scenario.turns
    play(model, turns, quiet=args.quiet)
    print_summary(model, out)
    if args.out:
        paths = write_run(model, args.out, args.format, command_line=sys.argv)
        out.print(f"wrote {len(paths)} files to {args.out}")
    if args.save:
        write_save(model, args.save, status="finished")
        out.print(f"saved to {args.save}")
    return EXIT_OK


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
    listing = actions.add_parser("list", help="packaged scenarios")
    listing.set_defaults(handler=scenarios_list)
    show = actions.add_parser("show", help="a scenario's contents in brief")
    show.add_argument("name")
    show.add_argument("--json", action="store_true", help="the resolved content as JSON")
    show.set_defaults(handler=scenarios_show)
    check = actions.add_parser("validate", help="check a scenario file; exit 2 with the problem if bad")
    check.add_argument("file")
    check.set_defaults(handler=scenarios_validate)


def scenarios_list(args: argparse.Namespace) -> int:
    """A table of packaged scenarios."""
    from critmin.scenarios import load_scenario, packaged_names

    table = Table("name", "title", "start", "turns", "countries")
    for name in packaged_names():
        spec = load_scenario(name).spec
        table.add_row(
            name, spec.scenario.title, spec.scenario.start, str(spec.scenario.turns), str(len(spec.countries))
        )
    out.print(table)
    return EXIT_OK


def scenarios_show(args: argparse.Namespace) -> int:
    """A scenario in brief, or as JSON."""
    scenario = load(args.name)
    if args.json:
        out.print_json(json.dumps(scenario.content))
        return EXIT_OK
    spec = scenario.spec
    out.print(
        f"[bold]{spec.scenario.id}[/] — {spec.scenario.title} ({spec.scenario.start}, "
        f"{spec.scenario.turns} turns)\n{spec.scenario.description}"
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
    out.print(f"{args.file}: ok ({scenario.id}, {len(scenario.spec.countries)} countries)")
    return EXIT_OK


# --- replay -------------------------------------------------------------------------------


def add_replay(commands) -> None:
    """`critmin replay FILE`."""
    sub = command(commands, "replay", replay_command, "Replay a save and check every turn's state hash.")
    sub.add_argument("file", type=Path)


def replay_command(args: argparse.Namespace) -> int:
    """Exit 0 when all hashes match, 1 when one differs, 2 when the save is unusable."""
    from critmin.engine.save import SaveError, read_save, replay

    try:
        _, report = replay(read_save(args.file), source=str(args.file))
    except SaveError as error:
        raise UserError(str(error)) from None
    if report.ok:
        out.print(f"{args.file}: all {report.turns} turns replay to the same state hashes")
        return EXIT_OK
    err.print(f"[bold red]replay failed:[/] {report.problem}")
    return EXIT_FAILED


# --- bench --------------------------------------------------------------------------------


def add_bench(commands) -> None:
    """`critmin bench [--json]`."""
    sub = command(
        commands,
        "bench",
        bench_command,
        "Median turn time of world-2024 (default controllers, and AI doctrines), and the clearing's "
        "speed-up over the LP oracle.",
    )
    sub.add_argument("--json", action="store_true", help="print JSON only")
    sub.add_argument("--turns", type=positive_int, default=40, help="turns to time (default 40)")


def bench_command(args: argparse.Namespace) -> int:
    """Run the benchmarks and print their figures."""
    from critmin.engine.bench import run_benchmarks

    figures = run_benchmarks(turns=args.turns)
    if args.json:
        print(json.dumps(figures, indent=1))
    else:
        table = Table("measure", "value")
        for key, value in figures.items():
            table.add_row(key, f"{value:,.3f}" if isinstance(value, float) else str(value))
        out.print(table)
    return EXIT_OK


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
            out.print(f"wrote {path}")
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
