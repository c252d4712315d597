"""Per-turn metrics of a run, read from the engine's public snapshot, and outcomes reduced from them.

Metrics (a tidy row each: metric, country, mineral, stage, value; missing dimensions are null):

- `price_inside` (mineral, stage): the price in the focus country (China by default), USD/kg.
- `price_outside` (mineral, stage): the mean price elsewhere, weighted by what each country
  uses (production + imports - exports) or wants (final demand), whichever is larger; a
  country cut off by a control thus weighs in at its scarcity price. Unweighted when no one
  uses or wants any.
- `price_wedge` (mineral, stage): price_outside / price_inside - 1 (a control opens a wedge).
- `shortage_share` (country, mineral): unmet final demand / final demand, over the stages.
- `shortage_value_share` (country): the same, weighted by value at the country's prices;
  country `WLD` is the world.
- `import_share_from_focus` (country, mineral): the share of a country's imports (tonnes of
  content, all stages) that come from the focus country.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Literal, get_args

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from critmin.engine.snapshot import WorldSnapshot

MetricName = Literal[
    "price_inside",
    "price_outside",
    "price_wedge",
    "shortage_share",
    "shortage_value_share",
    "import_share_from_focus",
]
METRICS: tuple[str, ...] = get_args(MetricName)
METRIC_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "price_inside": ("mineral", "stage"),
    "price_outside": ("mineral", "stage"),
    "price_wedge": ("mineral", "stage"),
    "shortage_share": ("country", "mineral"),
    "shortage_value_share": ("country",),
    "import_share_from_focus": ("country", "mineral"),
}
WORLD = "WLD"
COLUMNS = ("metric", "country", "mineral", "stage", "value")
Rows = dict[str, list]


def group_sums(keys: Iterable[tuple], values: Iterable[tuple[float, ...]]) -> dict[tuple, list[float]]:
    """Sum the value tuples per key, in input order; keys sorted."""
    sums: dict[tuple, list[float]] = {}
    for key, row in zip(keys, values, strict=True):
        total = sums.get(key)
        if total is None:
            sums[key] = list(row)
        else:
            for k, value in enumerate(row):
                total[k] += value
    return dict(sorted(sums.items()))


def add_rows(rows: Rows, metric: str, keys: Iterable[dict], values: Iterable[float]) -> None:
    """Append rows of one metric (keys give the dimensions it has)."""
    for key, value in zip(keys, values, strict=True):
        rows["metric"].append(metric)
        rows["country"].append(key.get("country"))
        rows["mineral"].append(key.get("mineral"))
        rows["stage"].append(key.get("stage"))
        rows["value"].append(float(value))


def weight(figure) -> float:
    """What a country uses (production + imports - exports) or wants, whichever is larger."""
    return max(figure.production + figure.imports - figure.exports, figure.demand)


def price_rows(rows: Rows, figures: Sequence, focus: str, wanted: set[str]) -> None:
    """price_inside, price_outside and price_wedge per mineral and stage."""
    inside_price = {(f.mineral, f.stage): f.price for f in figures if f.country == focus}
    outside = [(f, weight(f)) for f in figures if f.country != focus]
    sums = group_sums(
        ((f.mineral, f.stage) for f, _ in outside), ((w, w * f.price, 1.0, f.price) for f, w in outside)
    )
    outside_price = {
        line: weighted / total_weight if total_weight > 0 else total / max(count, 1.0)
        for line, (total_weight, weighted, count, total) in sums.items()
    }
    if "price_inside" in wanted:
        add_rows(
            rows, "price_inside", ({"mineral": m, "stage": s} for m, s in inside_price), inside_price.values()
        )
    if "price_outside" in wanted:
        add_rows(
            rows,
            "price_outside",
            ({"mineral": m, "stage": s} for m, s in outside_price),
            outside_price.values(),
        )
    if "price_wedge" in wanted:
        both = [line for line in outside_price if inside_price.get(line, 0) > 0]
        add_rows(
            rows,
            "price_wedge",
            ({"mineral": m, "stage": s} for m, s in both),
            (outside_price[line] / inside_price[line] - 1 for line in both),
        )


def shortage_rows(rows: Rows, figures: Sequence, wanted: set[str]) -> None:
    """shortage_share per country and mineral; shortage_value_share per country and the world."""
    needs = [f for f in figures if f.demand > 0]
    if "shortage_share" in wanted:
        sums = group_sums(((f.country, f.mineral) for f in needs), ((f.shortage, f.demand) for f in needs))
        add_rows(
            rows,
            "shortage_share",
            ({"country": c, "mineral": m} for c, m in sums),
            (short / demand for short, demand in sums.values()),
        )
    if "shortage_value_share" in wanted:
        value_short = [f.shortage * f.price for f in needs]
        value_need = [f.demand * f.price for f in needs]
        sums = group_sums(((f.country,) for f in needs), zip(value_short, value_need, strict=True))
        valued = {key: short / need for key, (short, need) in sums.items() if need > 0}
        add_rows(rows, "shortage_value_share", ({"country": key[0]} for key in valued), valued.values())
        world_need = float(np.sum(value_need))
        if world_need > 0:
            add_rows(
                rows, "shortage_value_share", [{"country": WORLD}], [float(np.sum(value_short)) / world_need]
            )


def import_rows(rows: Rows, snapshot: WorldSnapshot, focus: str) -> None:
    """import_share_from_focus per importing country and mineral."""
    flows = [f for f in snapshot.flows if f.importer != focus]
    sums = group_sums(
        ((f.importer, f.mineral) for f in flows),
        ((f.tonnes, f.tonnes if f.exporter == focus else 0.0) for f in flows),
    )
    shares = {key: focused / total for key, (total, focused) in sums.items() if total > 0}
    add_rows(
        rows,
        "import_share_from_focus",
        ({"country": c, "mineral": m} for c, m in shares),
        shares.values(),
    )


def turn_metrics(snapshot: WorldSnapshot, focus: str, wanted: Iterable[str] = METRICS) -> Rows:
    """The metric rows of the turn just played, as column lists."""
    wanted = set(wanted)
    rows: Rows = {name: [] for name in COLUMNS}
    price_rows(rows, snapshot.figures, focus, wanted)
    shortage_rows(rows, snapshot.figures, wanted)
    if "import_share_from_focus" in wanted:
        import_rows(rows, snapshot, focus)
    return rows


def keep_only(rows: Rows, minerals: Sequence[str], countries: Sequence[str]) -> Rows:
    """Drop rows of minerals or countries not kept (rows without that dimension stay)."""
    if not minerals and not countries:
        return rows
    kept_minerals, kept_countries = set(minerals), set(countries) | {WORLD}
    keep = [
        (not minerals or m is None or m in kept_minerals)
        and (not countries or c is None or c in kept_countries)
        for m, c in zip(rows["mineral"], rows["country"], strict=True)
    ]
    return {name: [v for v, k in zip(values, keep, strict=True) if k] for name, values in rows.items()}


def outcome_filter(outcome) -> pc.Expression:
    """A dataset filter for the rows of one outcome's metric series."""
    expression = pc.field("metric") == outcome.metric
    for dimension in ("country", "mineral", "stage"):
        value = getattr(outcome, dimension)
        field = pc.field(dimension)
        expression &= field.is_null() if value is None else field == value
    return expression


def reduce_series(table: pa.Table, outcome) -> dict[int, float]:
    """One value per run_id: the outcome's reduction of its series over turns >= from_turn."""
    table = table.filter(outcome_filter(outcome) & (pc.field("turn") >= outcome.from_turn))
    if table.num_rows == 0:
        return {}
    frame = table.select(["run_id", "turn", "value"]).to_pandas().sort_values(["run_id", "turn"])
    grouped = frame.groupby("run_id")["value"]
    reduced = grouped.last() if outcome.reduce == "last" else grouped.agg(outcome.reduce)
    return {int(k): float(v) for k, v in reduced.items()}
