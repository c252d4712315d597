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
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from critmin.engine.snapshot import WorldSnapshot

METRICS = (
    "price_inside",
    "price_outside",
    "price_wedge",
    "shortage_share",
    "shortage_value_share",
    "import_share_from_focus",
)
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


class FigureArrays:
    """The snapshot's per-country figures as parallel numpy arrays."""

    def __init__(self, snapshot: WorldSnapshot) -> None:
        figures = snapshot.figures
        self.country = np.array([f.country for f in figures], dtype=object)
        self.mineral = np.array([f.mineral for f in figures], dtype=object)
        self.stage = np.array([f.stage for f in figures], dtype=object)
        self.price = np.array([f.price for f in figures], dtype=float)
        self.demand = np.array([f.demand for f in figures], dtype=float)
        self.shortage = np.array([f.shortage for f in figures], dtype=float)
        use = np.array([f.production + f.imports - f.exports for f in figures], dtype=float)
        self.weight = np.maximum(use, self.demand)


def group_sum(keys: Sequence[np.ndarray], *values: np.ndarray) -> tuple[list[tuple], list[np.ndarray]]:
    """Sum `values` per distinct tuple of `keys`; returns the keys (sorted) and the sums."""
    if len(keys[0]) == 0:
        return [], [np.zeros(0) for _ in values]
    joined = np.array(["\x1f".join(parts) for parts in zip(*keys, strict=True)], dtype=object)
    unique, inverse = np.unique(joined, return_inverse=True)
    sums = [np.bincount(inverse, weights=v, minlength=len(unique)) for v in values]
    return [tuple(u.split("\x1f")) for u in unique], sums


def add_rows(rows: Rows, metric: str, keys: Iterable[dict], values: Iterable[float]) -> None:
    """Append rows of one metric (keys give the dimensions it has)."""
    for key, value in zip(keys, values, strict=True):
        rows["metric"].append(metric)
        rows["country"].append(key.get("country"))
        rows["mineral"].append(key.get("mineral"))
        rows["stage"].append(key.get("stage"))
        rows["value"].append(float(value))


def price_rows(rows: Rows, figures: FigureArrays, focus: str, wanted: set[str]) -> None:
    """price_inside, price_outside and price_wedge per mineral and stage."""
    inside = figures.country == focus
    inside_price = {
        (m, s): p
        for m, s, p in zip(figures.mineral[inside], figures.stage[inside], figures.price[inside], strict=True)
    }
    out = ~inside
    lines, (weight, weighted, count, total) = group_sum(
        (figures.mineral[out], figures.stage[out]),
        figures.weight[out],
        figures.weight[out] * figures.price[out],
        np.ones(out.sum()),
        figures.price[out],
    )
    outside = np.where(weight > 0, weighted / np.where(weight > 0, weight, 1), total / np.maximum(count, 1))
    outside_price = dict(zip(lines, outside, strict=True))
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


def shortage_rows(rows: Rows, figures: FigureArrays, wanted: set[str]) -> None:
    """shortage_share per country and mineral; shortage_value_share per country and the world."""
    needs = figures.demand > 0
    if "shortage_share" in wanted:
        keys, (short, demand) = group_sum(
            (figures.country[needs], figures.mineral[needs]), figures.shortage[needs], figures.demand[needs]
        )
        add_rows(rows, "shortage_share", ({"country": c, "mineral": m} for c, m in keys), short / demand)
    if "shortage_value_share" in wanted:
        value_short = figures.shortage[needs] * figures.price[needs]
        value_need = figures.demand[needs] * figures.price[needs]
        keys, (short, need) = group_sum((figures.country[needs],), value_short, value_need)
        valued = need > 0
        add_rows(
            rows,
            "shortage_value_share",
            ({"country": k[0]} for k, v in zip(keys, valued, strict=True) if v),
            short[valued] / need[valued],
        )
        if value_need.sum() > 0:
            add_rows(
                rows, "shortage_value_share", [{"country": WORLD}], [value_short.sum() / value_need.sum()]
            )


def import_rows(rows: Rows, snapshot: WorldSnapshot, focus: str) -> None:
    """import_share_from_focus per importing country and mineral."""
    flows = [f for f in snapshot.flows if f.importer != focus]
    importer = np.array([f.importer for f in flows], dtype=object)
    mineral = np.array([f.mineral for f in flows], dtype=object)
    tonnes = np.array([f.tonnes for f in flows], dtype=float)
    from_focus = np.array([f.exporter == focus for f in flows], dtype=bool)
    keys, (total, focused) = group_sum((importer, mineral), tonnes, np.where(from_focus, tonnes, 0.0))
    has = total > 0
    add_rows(
        rows,
        "import_share_from_focus",
        ({"country": c, "mineral": m} for (c, m), h in zip(keys, has, strict=True) if h),
        focused[has] / total[has],
    )


def turn_metrics(snapshot: WorldSnapshot, focus: str, wanted: Iterable[str] = METRICS) -> Rows:
    """The metric rows of the turn just played, as column lists."""
    wanted = set(wanted)
    rows: Rows = {name: [] for name in COLUMNS}
    figures = FigureArrays(snapshot)
    price_rows(rows, figures, focus, wanted)
    shortage_rows(rows, figures, wanted)
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
