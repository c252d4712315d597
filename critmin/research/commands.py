"""Sub-commands of the research layer: `batch`, `analyze` and `validate` (added by `register`).

Heavy dependencies (dask, SALib, matplotlib, tqdm) are imported only when a command runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from importlib import resources
from pathlib import Path

from rich.markup import escape
from rich.table import Column, Table

from critmin.core.console import (
    EXIT_FAILED,
    EXIT_OK,
    UserError,
    command,
    err,
    out,
    positive_int,
    print_figures,
)


def register(commands) -> None:
    """Add `critmin batch`, `critmin analyze` and `critmin validate`."""
    add_batch(commands)
    add_analyze(commands)
    add_validate(commands)


# --- batch --------------------------------------------------------------------------------


def add_batch(commands) -> None:
    """`critmin batch EXPERIMENT.toml --out DIR [...]`, and `critmin batch replay DIR RUN_ID`."""
    sub = command(
        commands,
        "batch",
        batch_command,
        "Run an experiment's simulations (local processes or Dask) into a Parquet dataset; "
        "`critmin batch replay DIR RUN_ID` plays one run again and checks it bit for bit.",
    )
    sub.add_argument(
        "experiment", nargs="?", type=Path, help="experiment file (TOML; see --example), or `replay`"
    )
    sub.add_argument("replay", nargs="*", metavar="DIR RUN_ID", help="replay: a batch directory and a run id")
    sub.add_argument("--out", type=Path, help="output directory (rerun it to finish an interrupted batch)")
    sub.add_argument("--workers", type=positive_int, help="worker processes (default: all cores)")
    sub.add_argument(
        "--dask", metavar="ADDRESS|local", help="run on a Dask scheduler, or 'local' for a LocalCluster"
    )
    sub.add_argument("--quiet", action="store_true", help="no progress bar")
    sub.add_argument(
        "--flush-runs", type=positive_int, default=100, help="commit results every N runs (default 100)"
    )
    sub.add_argument(
        "--plan", action="store_true", help="check the experiment and show its design; run nothing"
    )
    sub.add_argument("--run-timeout", type=positive_float, metavar="SECONDS", help="fail a run taking longer")
    sub.add_argument(
        "--force", action="store_true", help="run a sensitivity design below its minimum samples anyway"
    )
    sub.add_argument("--example", action="store_true", help="print a commented example experiment and exit")
    sub.add_argument(
        "--bench",
        action="store_true",
        help="benchmark: critmin batch vs mesa.batch_run on the same processes, interleaved A B A B",
    )
    sub.add_argument("--runs", type=positive_int, default=200, help="--bench: runs (default 200)")
    sub.add_argument("--turns", type=positive_int, default=40, help="--bench: turns per run (default 40)")
    sub.add_argument(
        "--pairs", type=positive_int, default=3, help="--bench: A B pairs (default 3, at least 3)"
    )
    sub.add_argument("--scenario", default="world-2024", help="--bench: scenario (default world-2024)")
    sub.add_argument("--json", action="store_true", help="--bench: print JSON only")


def batch_command(args: argparse.Namespace) -> int:
    """Print the example, benchmark, plan, or run a batch."""
    if args.example:
        sys.stdout.write(example_text())
        return EXIT_OK
    if args.bench:
        return bench(args)
    if args.experiment is not None and str(args.experiment) == "replay":
        return replay(args.replay)
    if args.replay:
        raise UserError(f"batch: unexpected arguments {' '.join(args.replay)} (one experiment file)")
    if args.experiment is None:
        raise UserError("batch: give an experiment file (see `critmin batch --example`)")
    experiment = read_experiment(args.experiment)
    if args.plan:
        return show_plan(experiment)
    if args.out is None:
        raise UserError("batch: give an output directory with --out DIR")
    check_out(args.out)
    return run(experiment, args)


def check_out(folder: Path) -> None:
    """The batch's --out is a folder (or can be one) we may write in."""
    from critmin.engine.writable import WritableError, check_folder_target

    if str(folder) in ("", "."):
        raise UserError("--out: give a folder for the batch (not the working directory)")
    if folder.exists() and not folder.is_dir():
        raise UserError(f"--out: {folder} is a file, not a folder")
    try:
        check_folder_target(folder, "--out")
    except WritableError as error:
        raise UserError(str(error)) from None


def example_text() -> str:
    """The commented example experiment shipped with critmin."""
    return (resources.files("critmin.research") / "example.toml").read_text(encoding="utf-8")


def positive_float(text: str) -> float:
    """An argparse type: a number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text}")
    return value


def replay(arguments: list[str]) -> int:
    """`critmin batch replay DIR RUN_ID`: exit 0 when the run replays bit for bit, 1 when not."""
    from critmin.research.replay import ReplayError, replay_run
    from critmin.research.store import StoreError

    if len(arguments) != 2 or not arguments[1].isdigit():
        raise UserError(
            "batch replay: give a batch directory and a run id, e.g. `critmin batch replay DIR 3`"
        )
    directory, run_id = Path(arguments[0]), int(arguments[1])
    try:
        report = replay_run(directory, run_id)
    except (ReplayError, StoreError, FileNotFoundError) as error:
        raise UserError(str(error)) from None
    if report.identical:
        out.print(f"run {run_id} of {directory}: {report.rows} rows replayed bit for bit")
        return EXIT_OK
    err.print(f"[bold red]run {run_id} differs from the dataset:[/]")
    for difference in report.differences:
        err.print(f"  {difference}")
    return EXIT_FAILED


def read_experiment(path: Path):
    """Load an experiment, turning its problems into user errors."""
    from critmin.research.experiment import ExperimentError, load_experiment

    try:
        return load_experiment(path)
    except ExperimentError as error:
        raise UserError(str(error)) from None


def show_plan(experiment) -> int:
    """What the experiment would run."""
    from critmin.research.experiment import count_points, kept_metrics, small_design

    spec = experiment.spec
    points = count_points(spec)
    out.print(
        f"[bold]{experiment.name}[/] on {experiment.scenario.id}: {spec.design.kind}, "
        f"{points} points x {spec.experiment.replications} replications = "
        f"{points * spec.experiment.replications} runs of {experiment.turns} turns"
    )
    for factor in spec.factors:
        values = factor.levels if factor.levels is not None else f"range {list(factor.range or ())}"
        out.print(f"  {factor.name} ({factor.kind}, {factor.role}): {values}")
    out.print(f"  metrics: {', '.join(f'{n} ({i.unit})' for n, i in kept_metrics(spec).items())}")
    out.print(f"  outcomes: {', '.join(o.name for o in experiment.outcomes)}")
    if (problem := small_design(spec)) is not None:
        err.print(f"[bold yellow]warning:[/] {problem} (--force)")
    return EXIT_OK


def run(experiment, args: argparse.Namespace) -> int:
    """Run the batch and report."""
    from critmin.research.executors import ExecutorError, make_executor
    from critmin.research.experiment import ExperimentError
    from critmin.research.runner import BatchOptions, run_batch
    from critmin.research.store import StoreError

    options = BatchOptions(
        out=args.out,
        quiet=args.quiet,
        flush_runs=args.flush_runs,
        command=tuple(sys.argv),
        run_timeout_s=args.run_timeout,
        force=args.force,
    )
    try:
        with make_executor(args.workers, args.dask) as executor:
            report = run_batch(experiment, executor, options)
    except (ExecutorError, StoreError, ExperimentError) as error:
        raise UserError(str(error)) from None
    out.print(
        f"{experiment.name}: {report.completed} runs played, {report.skipped} already done, "
        f"{report.failed} failed; {report.finished}/{report.total} in {args.out} "
        f"({report.runs_per_minute:,.1f} runs/min)"
    )
    if report.failed:
        err.print(
            f"[bold red]{report.failed} runs failed[/]: see {args.out / 'failures.jsonl'}; "
            "run the same command again to retry them"
        )
        return EXIT_FAILED
    return EXIT_OK


def bench(args: argparse.Namespace) -> int:
    """`critmin batch --bench`: print the benchmark's figures."""
    from critmin.research.bench import MIN_PAIRS, benchmark

    if args.pairs < MIN_PAIRS:
        raise UserError(f"batch --bench: --pairs must be at least {MIN_PAIRS} for a median and a spread")
    figures = benchmark(
        runs=args.runs,
        turns=args.turns,
        workers=args.workers or 2,
        scenario=args.scenario,
        pairs=args.pairs,
        progress=not args.json,
    )
    print_figures(figures, args.json, digits=2)
    return EXIT_OK


# --- analyze ------------------------------------------------------------------------------


def add_analyze(commands) -> None:
    """`critmin analyze DIR [--outcome SPEC ...] [--prim OUTCOME[>VALUE]]`."""
    sub = command(
        commands,
        "analyze",
        analyze_command,
        "Summarise a batch: level means, paired effects, ANOVA, sensitivity indices, PRIM, plots.",
    )
    sub.add_argument("directory", type=Path, help="a batch output directory")
    sub.add_argument(
        "--outcome",
        action="append",
        default=[],
        metavar="METRIC[:KEY=VALUE,...]",
        help="an outcome instead of the experiment's, e.g. "
        "price_wedge:mineral=ree_heavy,stage=magnet,reduce=last (repeatable)",
    )
    sub.add_argument(
        "--bins", type=positive_int, default=5, help="quantile bins for sampled factors (default 5)"
    )
    sub.add_argument("--no-plots", action="store_true", help="skip the plots")
    sub.add_argument("--force", action="store_true", help="replace an earlier analysis in DIR/analysis")
    sub.add_argument(
        "--prim",
        metavar="OUTCOME[>VALUE|<VALUE]",
        help="scenario discovery (EMA Workbench PRIM) on the runs meeting the condition (default: top 10%%)",
    )


def analyze_command(args: argparse.Namespace) -> int:
    """Analyse and print the tables, warnings and notes."""
    from critmin.research.analysis import AnalysisError, analyze, load_spec, parse_outcome
    from critmin.research.discovery import DiscoveryError, discover
    from critmin.research.outcome_check import existing_analysis, outcome_problems

    try:
        outcomes = [parse_outcome(text) for text in args.outcome]
        spec = load_spec(args.directory)
        if args.prim:
            check_prim(args.prim, outcomes, args.directory)
    except (AnalysisError, DiscoveryError) as error:
        raise UserError(str(error)) from None
    from critmin.research.experiment import kept_metrics, outcome_dimension_problems

    for outcome in outcomes:
        for problem in outcome_dimension_problems(outcome, "outcome", kept_metrics(spec)):
            raise UserError(f"outcome {outcome.name}: {problem.removeprefix('outcome.')}")
    for problem in outcome_problems(args.directory, spec, list(zip(args.outcome, outcomes, strict=True))):
        raise UserError(problem)
    earlier = existing_analysis(args.directory)
    if earlier and not args.force:
        raise UserError(
            f"{args.directory / 'analysis'} already holds an analysis ({', '.join(earlier[:3])}, ...); "
            "pass --force to replace it"
        )
    try:
        analysis = analyze(args.directory, outcomes or None, bins=args.bins, plots=not args.no_plots)
        found = (
            discover(analysis.values, analysis_spec(args.directory), args.prim, args.directory / "analysis")
            if args.prim
            else None
        )
    except (AnalysisError, DiscoveryError) as error:
        raise UserError(str(error)) from None
    print_frame(analysis.summary, "per factor level: runs, mean, sd (95% interval over replications)")
    for name, title in (("effects", "paired effects against the first level"), ("anova", "ANOVA (type II)")):
        table = getattr(analysis, name)
        if table is not None and not table.empty:
            print_frame(table, title)
    for name, table in analysis.indices.items():
        print_frame(table, f"{name} indices")
    if found is not None:
        print_frame(found.box, f"PRIM box for {found.condition} ({found.cases} runs)")
        out.print(f"coverage {found.coverage:.2f}, density {found.density:.2f}, mass {found.mass:.2f}")
    for warning in analysis.warnings:
        err.print(f"[bold yellow]warning:[/] {warning}")
    for note in analysis.notes:
        err.print(f"note: {note}")
    out.print(
        f"outcomes: {', '.join(o.name for o in analysis.outcomes)}; wrote {args.directory / 'analysis'}"
    )
    return EXIT_OK


def check_prim(text: str, outcomes: list, directory: Path) -> None:
    """A --prim condition on one of the outcomes analysed (checked before anything is written)."""
    from critmin.research.analysis import load_spec
    from critmin.research.discovery import DiscoveryError, parse_condition
    from critmin.research.experiment_file import DEFAULT_OUTCOME

    outcome = parse_condition(text)[0]
    names = [o.name for o in outcomes or load_spec(directory).outcomes or (DEFAULT_OUTCOME,)]
    if outcome not in names:
        raise DiscoveryError(f"--prim: no outcome {outcome!r} in this analysis ({', '.join(names)})")


def analysis_spec(directory: Path):
    """The experiment recorded in a batch directory."""
    from critmin.research.analysis import load_spec

    return load_spec(directory)


def print_frame(frame, title: str) -> None:
    """A pandas frame as a rich table."""
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column), overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*(f"{v:,.4g}" if isinstance(v, float) else str(v) for v in row))
    out.print(table)


# --- validate -----------------------------------------------------------------------------


VALIDATE_HELP = (
    "Backtest the model against nine episodes: rare earths 2010, lithium 2021-24, cobalt 2017-19, "
    "the Wa tin halt 2023, China's tungsten quotas 2007-15, its gallium and germanium licences "
    "2023-24, its antimony licences 2024-25, the DRC's cobalt export ban and quotas 2025-26, and "
    "China's 2025 licences on tungsten, bismuth and molybdenum."
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
    with progress_bar("backtests") as ran:
        results, runs = run_backtests(seeds, ran=ran)
    plots = write_plots(runs, args.plots) if args.plots else []
    if args.json:
        print(json.dumps({"seeds": seeds, "checks": [r.to_dict() for r in results]}, indent=1))
    else:
        out.print(validation_table(results, len(seeds)))
        out.print(ceiling_table(results))
        for path in plots:
            out.print(f"wrote {escape(str(path))}")
    return EXIT_OK if all(r.passed for r in results) else EXIT_FAILED


@contextlib.contextmanager
def progress_bar(title: str):
    """A transient progress bar on stderr for the backtests' runs; yields the function to tell it."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(title, total=None)

        def ran(scenario: str, seed: int, total: int) -> None:
            progress.update(task, total=total, advance=1, description=f"{title}: {scenario} seed {seed}")

        yield ran


def validation_table(results, n_seeds: int) -> Table:
    """The backtest table: check, observed, simulated median and range, band, holds?"""
    title = f"critmin validate: {n_seeds} seeds, median must lie in the band"
    headers = ("check", "observed", "median", "range", "band", "holds?")
    table = Table(*(Column(h, overflow="fold") for h in headers), title=title)  # wrapped, never cut
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
