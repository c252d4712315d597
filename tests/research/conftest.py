"""Fixtures of the research tests: experiments on the tiny world and a reference batch."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from research_helpers import FACTORIAL, results_frame

from critmin.research.executors import LocalExecutor
from critmin.research.experiment import load_experiment
from critmin.research.runner import BatchOptions, run_batch


@pytest.fixture(scope="session")
def factorial():
    """The 20-run full factorial experiment on the tiny world."""
    return load_experiment(FACTORIAL)


@pytest.fixture(scope="session")
def reference(factorial, tmp_path_factory) -> Path:
    """The factorial batch played once on two local worker processes (the reference results)."""
    out = tmp_path_factory.mktemp("reference")
    # committed every 4 runs only (test_a_batch_streams counts the parts): not also after the
    # default 30 s, which a loaded machine's first run can take
    options = BatchOptions(out=out, quiet=True, flush_runs=4, flush_seconds=3600)
    with LocalExecutor(workers=2) as executor:
        report = run_batch(factorial, executor, options)
    assert (report.completed, report.failed) == (20, 0)
    return out


@pytest.fixture(scope="session")
def reference_frame(reference) -> pd.DataFrame:
    """The reference results as a sorted frame."""
    return results_frame(reference)
