"""Helpers shared by the research tests (imported by their conftest and test modules)."""

from __future__ import annotations

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
