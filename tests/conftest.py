"""Shared fixtures: the tiny test world and a helper to run the CLI in-process."""

from __future__ import annotations

import shutil
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


# Tests that need programs from the Debian packages (.ci/run installs them): skipped where missing,
# with one printed line per kind instead of a line per test.
NEEDS = {
    "xwindow": (("Xvfb", "xdotool"), "apt-get install -y xvfb xdotool"),
    "browser": (("chromium", "chromedriver"), "apt-get install -y chromium chromium-driver"),
}
_skipped_kinds: dict[str, int] = {}


def _missing_programs(marker: str) -> list[str]:
    programs, _ = NEEDS[marker]
    return [program for program in programs if shutil.which(program) is None]


def pytest_collection_modifyitems(config, items):
    """Skip real-window and browser tests where their programs are missing."""
    for marker, (_, install) in NEEDS.items():
        missing = _missing_programs(marker)
        if not missing:
            continue
        skip = pytest.mark.skip(reason=f"{marker} tests need {', '.join(missing)} ({install})")
        for item in items:
            if marker in item.keywords:
                item.add_marker(skip)
                _skipped_kinds[marker] = _skipped_kinds.get(marker, 0) + 1


def pytest_terminal_summary(terminalreporter):
    """One line per kind of skipped test, naming what to install."""
    for marker, count in _skipped_kinds.items():
        missing = ", ".join(_missing_programs(marker))
        terminalreporter.write_line(
            f"skipped {count} {marker} tests: {missing} not found ({NEEDS[marker][1]})"
        )
