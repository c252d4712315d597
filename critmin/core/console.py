"""The command-line kit every front end's commands use: user errors, sub-commands, output.

`critmin.cli` builds the parser and asks each front end to register its sub-commands with
`command`; a handler raises `UserError` for a mistake in what the user asked for, which the
CLI prints in one line with exit code 2 (no traceback). `out` and `err` are the consoles of
standard output and standard error.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.table import Table

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
MAX_TURNS = 400

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class UserError(Exception):
    """A mistake in what the user asked for; printed without a traceback, exit code 2."""


@contextmanager
def user_errors(*kinds: type[Exception]) -> Iterator[None]:
    """Turn the exceptions of `kinds` raised inside the block into UserErrors with the same message."""
    try:
        yield
    except kinds as error:
        raise UserError(str(error)) from None


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


def print_figures(figures: dict, as_json: bool, digits: int = 3) -> None:
    """A benchmark's figures: JSON only, or a two-column table of measure and value."""
    if as_json:
        print(json.dumps(figures, indent=1))
        return
    table = Table("measure", "value")
    for key, value in figures.items():
        table.add_row(key, figure_text(value, digits))
    out.print(table)


def figure_text(value, digits: int = 3) -> str:
    """A figure as a table shows it: a number, 'not measured' for None, a dict as 'key value' pairs."""
    if value is None:
        return "not measured"
    if isinstance(value, dict):
        return ", ".join(f"{key} {figure_text(item, 2)}" for key, item in value.items())
    return f"{value:,.{digits}f}" if isinstance(value, float) else str(value)
