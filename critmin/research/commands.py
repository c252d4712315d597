"""Sub-commands of the research layer (registered by critmin.cli): `batch` and `analyze`.

Heavy dependencies (dask, SALib, matplotlib, tqdm) are imported only when a command runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import resources
from pathlib import Path

from critmin.cli import EXIT_FAILED, EXIT_OK, UserError, command, err, out, positive_int


def register(commands) -> None:
    """Add `critmin batch` and `critmin analyze`."""
    add_batch(commands)
    add_analyze(commands)


# --- batch --------------------------------------------------------------------------------


def add_batch(commands) -> None:
    """`critmin batch EXPERIMENT.toml --out DIR [--workers N] [--dask ADDRESS|local]`."""
    sub = command(
        commands,
        "batch",
        batch_command,
        "Run an experiment's simulations (local processes or Dask) into a Parquet dataset.",
    )
    sub.add_argument("experiment", nargs="?", type=Path, help="experiment file (TOML); see --example")
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
    sub.add_argument("--example", action="store_true", help="print a commented example experiment and exit")
    sub.add_argument(
        "--bench",
        action="store_true",
        help="benchmark: runs per minute on local workers vs mesa.batch_run, and peak memory",
    )
    sub.add_argument("--runs", type=positive_int, default=200, help="--bench: runs (default 200)")
    sub.add_argument("--turns", type=positive_int, default=40, help="--bench: turns per run (default 40)")
    sub.add_argument("--json", action="store_true", help="--bench: print JSON only")


def batch_command(args: argparse.Namespace) -> int:
    """Print the example, benchmark, plan, or run a batch."""
    if args.example:
        sys.stdout.write(example_text())
        return EXIT_OK
    if args.bench:
        return bench(args)
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


def read_experiment(path: Path):
    """Load an experiment, turning its problems into user errors."""
    from critmin.research.experiment import ExperimentError, load_experiment

    try:
        return load_experiment(path)
    except ExperimentError as error:
        raise UserError(str(error)) from None


def show_plan(experiment) -> int:
    """What the experiment would run."""
    from critmin.research.experiment import count_points

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
    out.print(f"  outcomes: {', '.join(o.name for o in experiment.outcomes)}")
    return EXIT_OK


def run(experiment, args: argparse.Namespace) -> int:
    """Run the batch and report."""
    from critmin.research.executors import ExecutorError, make_executor
    from critmin.research.runner import BatchOptions, run_batch
    from critmin.research.store import StoreError

    options = BatchOptions(
        out=args.out, quiet=args.quiet, flush_runs=args.flush_runs, command=tuple(sys.argv)
    )
    try:
        with make_executor(args.workers, args.dask) as executor:
            report = run_batch(experiment, executor, options)
    except (ExecutorError, StoreError) as error:
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
    from rich.table import Table

    from critmin.research.bench import benchmark

    figures = benchmark(runs=args.runs, turns=args.turns, workers=args.workers or 2, progress=not args.json)
    if args.json:
        print(json.dumps(figures, indent=1))
        return EXIT_OK
    table = Table("measure", "value")
    for key, value in figures.items():
        table.add_row(key, f"{value:,.2f}" if isinstance(value, float) else str(value))
    out.print(table)
    return EXIT_OK


# --- analyze ------------------------------------------------------------------------------


def add_analyze(commands) -> None:
    """`critmin analyze DIR [--outcome SPEC ...]`."""
    sub = command(
        commands,
        "analyze",
        analyze_command,
        "Summarise a batch: mean and 95 percent interval per factor level, Sobol indices, plots.",
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


def analyze_command(args: argparse.Namespace) -> int:
    """Analyse and print the summary tables."""
    from critmin.research.analysis import AnalysisError, analyze, load_spec, parse_outcome
    from critmin.research.outcome_check import existing_analysis, outcome_problems

    try:
        outcomes = [parse_outcome(text) for text in args.outcome]
        spec = load_spec(args.directory)
    except AnalysisError as error:
        raise UserError(str(error)) from None
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
    except AnalysisError as error:
        raise UserError(str(error)) from None
    print_frame(analysis.summary, "per factor level: mean and 95% interval")
    if analysis.sobol is not None:
        print_frame(analysis.sobol, "Sobol indices")
    for note in analysis.notes:
        err.print(f"note: {note}")
    out.print(
        f"outcomes: {', '.join(o.name for o in analysis.outcomes)}; wrote {args.directory / 'analysis'}"
    )
    return EXIT_OK


def print_frame(frame, title: str) -> None:
    """A pandas frame as a rich table."""
    from rich.table import Table

    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column), overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*(f"{v:,.4g}" if isinstance(v, float) else str(v) for v in row))
    out.print(table)
