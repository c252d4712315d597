"""`critmin --help` and every sub-command's: each argument says what it takes."""

from __future__ import annotations

import argparse

from critmin.cli import build_parser


def parsers(parser: argparse.ArgumentParser, path: str = "critmin"):
    """Every parser under `parser`, with its command line."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from parsers(sub, f"{path} {name}")


def test_every_argument_of_every_command_has_a_help_text():
    silent = [
        f"{path}: {action.dest}"
        for path, parser in parsers(build_parser())
        for action in parser._actions
        if not isinstance(action, argparse._SubParsersAction) and not action.help
    ]
    assert silent == []
