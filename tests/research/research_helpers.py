"""Helpers shared by the research tests (imported by their conftest and test modules)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from critmin.research.store import read_results

DATA = Path(__file__).parent / "data"
FACTORIAL = DATA / "tiny_factorial.toml"
SAMPLED = DATA / "tiny_sampled.toml"
SOBOL = DATA / "tiny_sobol.toml"
ORDER = ["run_id", "turn", "metric", "country", "mineral", "stage"]


def results_frame(directory: Path) -> pd.DataFrame:
    """Every result row of a batch directory, in a canonical order, strings as plain objects."""
    frame = read_results(directory).to_pandas()
    for column in ("metric", "country", "mineral", "stage"):
        frame[column] = frame[column].astype(object)
    return frame.sort_values(ORDER, na_position="first").reset_index(drop=True)


def wait_for(predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.05):
    """Poll until `predicate()` is truthy and return it; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
