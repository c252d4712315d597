"""Outcomes asked of `critmin analyze` checked against what the batch recorded.

An outcome naming a metric the batch did not keep, or a country, mineral or stage absent from
its results, would come out as NaN; it is refused instead, naming the value and those known.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow.compute as pc

from critmin.research.experiment_file import ExperimentFile, OutcomeSpec
from critmin.research.store import ResultStore, StoreError


def outcome_problems(
    directory: Path, spec: ExperimentFile, asked: list[tuple[str, OutcomeSpec]]
) -> Iterator[str]:
    """'--outcome TEXT: what is wrong' for each outcome the batch's results cannot give."""
    try:
        dataset = ResultStore(directory).dataset()
    except StoreError as error:
        yield str(error)
        return
    for text, outcome in asked:
        where, metric = f"--outcome {text!r}", outcome.metric
        if metric not in spec.outputs.metrics:
            yield f"{where}: the batch kept no {metric} (outputs.metrics: {', '.join(spec.outputs.metrics)})"
            continue
        for dimension in ("country", "mineral", "stage"):
            value = getattr(outcome, dimension)
            known = ", ".join(distinct(dataset, metric, dimension))
            if value is not None and value not in known.split(", "):
                yield f"{where}: {dimension}={value} is not in the batch's {metric} results ({known})"
        last = max((int(t) for t in distinct(dataset, metric, "turn")), default=None)
        if last is not None and outcome.from_turn > last:
            yield f"{where}: from_turn={outcome.from_turn} is past the last recorded turn {last}"


def distinct(dataset, metric: str, column: str) -> list[str]:
    """The distinct values of a column in one metric's rows, as sorted text."""
    table = dataset.to_table(columns=[column], filter=pc.field("metric") == metric)
    return sorted(str(v) for v in pc.unique(table[column]).to_pylist() if v is not None)


def existing_analysis(directory: Path) -> list[str]:
    """Files of an earlier analysis in DIR/analysis (which a new one would overwrite)."""
    folder = directory / "analysis"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
