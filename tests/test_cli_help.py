"""`critmin --help` and every sub-command's: each argument says what it takes."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import pytest

from critmin.cli import EXIT_PIPE_CLOSED, build_parser


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


@pytest.mark.parametrize("args", [("scenarios", "list"), ("pack", "china-ree-controls-2025")])
def test_output_piped_into_a_reader_that_stops_early_ends_without_a_traceback(args):
    """`critmin pack NAME | head -5`: the reader has gone before critmin writes; no traceback."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before critmin starts, so its first write finds no reader
    command = [sys.executable, "-m", "critmin", *args]
    process = subprocess.Popen(command, stdout=write_end, stderr=subprocess.PIPE)
    os.close(write_end)
    _, errors = process.communicate(timeout=120)
    assert b"Traceback" not in errors and process.returncode == EXIT_PIPE_CLOSED, errors.decode()
