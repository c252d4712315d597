"""Shared fixtures: the tiny test world and a helper to run the CLI in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from critmin.scenarios import load_scenario

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny.toml"


@pytest.fixture(scope="session")
def tiny():
    """The tiny three-country world (loaded once)."""
    return load_scenario(TINY)


@pytest.fixture
def cli(capsys):
    """Run `critmin ARGS...` in-process; returns (exit code, stdout, stderr)."""
    from critmin.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
