"""Per-turn metrics of a run, read from the engine's public snapshot, and outcomes reduced from them.

Built-in metrics (a tidy row each: metric, country, partner, mineral, stage and the value in
the column of the metric's unit; missing dimensions are null):

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
- `stock` (country, mineral, stage): tonnes held by producers, processors and users.
- `stockpile` (country, mineral, stage): tonnes in the strategic stockpile.
- `treasury` (country): the government's treasury, USD million.
- `capacity` (country, mineral, stage): production capacity, tonnes per turn.
- `flows` (country = exporter, partner = importer, mineral, stage): tonnes shipped per turn.
- `deals` (country): deals in force to which the country is a party.
- `embedded_dependence` (country, mineral, stage): of a line the country uses, the share of its
  supply that passed through its largest foreign supplier, the feed of its own processors
  counted (magnets made at home from Chinese oxide depend on China; engine/dependence.py).

User metrics (see `user_metrics`) add to these. Each metric has one unit, and each unit its
own value column (`UNIT_COLUMNS`), so no column mixes USD/kg with shares.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from critmin.core.snapshot import WorldSnapshot

Unit = Literal["USD/kg", "share", "ratio", "t", "t/turn", "USD m", "count"]
UNIT_COLUMNS: dict[str, str] = {
    "USD/kg": "usd_per_kg",
    "share": "share",
    "ratio": "ratio",
    "t": "tonnes",
    "t/turn": "tonnes_per_turn",
    "USD m": "usd_million",
    "count": "count",
}
UNIT_MEANINGS: dict[str, str] = {
    "USD/kg": "US dollars per kilogram of content",
    "share": "a fraction between 0 and 1",
    "ratio": "a dimensionless relative difference (0 = equal)",
    "t": "tonnes of content",
    "t/turn": "tonnes of content per turn (a quarter)",
    "USD m": "millions of US dollars",
    "count": "a number of records",
}
Dimension = Literal["country", "partner", "mineral", "stage"]
DIMENSIONS: tuple[str, ...] = get_args(Dimension)


@dataclass(frozen=True)
class MetricInfo:
    """What a metric measures: its dimensions, unit and meaning."""

    name: str
    dimensions: tuple[str, ...]
    unit: str
    description: str

    @property
    def column(self) -> str:
        """The dataset column holding its values."""
        return UNIT_COLUMNS[self.unit]


BUILT_IN: dict[str, MetricInfo] = {
    info.name: info
    for info in (
        MetricInfo("price_inside", ("mineral", "stage"), "USD/kg", "price in the focus country"),
        MetricInfo(
            "price_outside",
            ("mineral", "stage"),
            "USD/kg",
            "mean price outside the focus country, weighted by use or demand",
        ),
        MetricInfo("price_wedge", ("mineral", "stage"), "ratio", "price_outside / price_inside - 1"),
        MetricInfo("shortage_share", ("country", "mineral"), "share", "unmet final demand / final demand"),
        MetricInfo(
            "shortage_value_share", ("country",), "share", "unmet final demand valued at prices; WLD = world"
        ),
        MetricInfo(
            "import_share_from_focus",
            ("country", "mineral"),
            "share",
            "share of a country's imports from the focus country",
        ),
        MetricInfo("stock", ("country", "mineral", "stage"), "t", "tonnes held by producers and users"),
        MetricInfo("stockpile", ("country", "mineral", "stage"), "t", "tonnes in the strategic stockpile"),
        MetricInfo("treasury", ("country",), "USD m", "the government's treasury"),
        MetricInfo("capacity", ("country", "mineral", "stage"), "t/turn", "production capacity"),
        MetricInfo(
            "flows", ("country", "partner", "mineral", "stage"), "t/turn", "shipped from country to partner"
        ),
        MetricInfo("deals", ("country",), "count", "deals in force with the country as a party"),
        MetricInfo(
            "embedded_dependence",
            ("country", "mineral", "stage"),
            "share",
            "share of the supply of a line the country uses that passed through its top foreign supplier, "
            "its own processors' feed counted",
        ),
    )
}
MetricName = Literal[
    "price_inside",
    "price_outside",
    "price_wedge",
    "shortage_share",
    "shortage_value_share",
    "import_share_from_focus",
    "stock",
    "stockpile",
    "treasury",
    "capacity",
    "flows",
    "deals",
    "embedded_dependence",
]
METRICS: tuple[str, ...] = tuple(BUILT_IN)
DEFAULT_METRICS: tuple[str, ...] = METRICS[:6]
METRIC_DIMENSIONS: dict[str, tuple[str, ...]] = {name: info.dimensions for name, info in BUILT_IN.items()}
WORLD = "WLD"
COLUMNS = ("metric", "country", "partner", "mineral", "stage", "value")
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
        rows["partner"].append(key.get("partner"))
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


def figure_rows(rows: Rows, figures: Sequence, wanted: set[str]) -> None:
    """stock, stockpile and capacity per country, mineral and stage (lines holding any)."""
    for metric in ("stock", "stockpile", "capacity"):
        if metric in wanted:
            held = [f for f in figures if getattr(f, metric) != 0]
            add_rows(
                rows,
                metric,
                ({"country": f.country, "mineral": f.mineral, "stage": f.stage} for f in held),
                (getattr(f, metric) for f in held),
            )


def flow_rows(rows: Rows, snapshot: WorldSnapshot) -> None:
    """Flows per route: exporter (country), importer (partner), mineral and stage."""
    add_rows(
        rows,
        "flows",
        (
            {"country": f.exporter, "partner": f.importer, "mineral": f.mineral, "stage": f.stage}
            for f in snapshot.flows
        ),
        (f.tonnes for f in snapshot.flows),
    )


def deal_rows(rows: Rows, snapshot: WorldSnapshot) -> None:
    """Deals in force per country (as buyer or seller; zero for a country without any)."""
    counts = dict.fromkeys(snapshot.countries, 0)
    for deal in snapshot.deals:
        if deal.get("start_turn", 0) <= snapshot.turn - 1 < deal.get("end_turn", 10**9):
            for party in {deal.get("buyer"), deal.get("seller")} & set(counts):
                counts[party] += 1
    add_rows(rows, "deals", ({"country": c} for c in counts), counts.values())


def turn_metrics(snapshot: WorldSnapshot, focus: str, wanted: Iterable[str] = DEFAULT_METRICS) -> Rows:
    """The built-in metric rows of the turn just played, as column lists."""
    wanted = set(wanted)
    rows: Rows = {name: [] for name in COLUMNS}
    price_rows(rows, snapshot.figures, focus, wanted)
    shortage_rows(rows, snapshot.figures, wanted)
    if "import_share_from_focus" in wanted:
        import_rows(rows, snapshot, focus)
    figure_rows(rows, snapshot.figures, wanted)
    if "treasury" in wanted:
        treasury = snapshot.treasury_usd_m
        add_rows(rows, "treasury", ({"country": c} for c in treasury), treasury.values())
    if "flows" in wanted:
        flow_rows(rows, snapshot)
    if "deals" in wanted:
        deal_rows(rows, snapshot)
    if "embedded_dependence" in wanted:
        used = [f for f in snapshot.figures if f.demand > 0]
        add_rows(
            rows,
            "embedded_dependence",
            ({"country": f.country, "mineral": f.mineral, "stage": f.stage} for f in used),
            (f.embedded_dependence for f in used),
        )
    return rows


def keep_only(rows: Rows, minerals: Sequence[str], countries: Sequence[str]) -> Rows:
    """Drop rows of minerals or countries not kept (rows without that dimension stay)."""
    if not minerals and not countries:
        return rows
    kept_minerals, kept_countries = set(minerals), set(countries) | {WORLD}
    keep = [
        (not minerals or m is None or m in kept_minerals)
        and (not countries or ((c is None or c in kept_countries) and (p is None or p in kept_countries)))
        for m, c, p in zip(rows["mineral"], rows["country"], rows["partner"], strict=True)
    ]
    return {name: [v for v, k in zip(values, keep, strict=True) if k] for name, values in rows.items()}


def unit_columns(metrics: dict[str, MetricInfo]) -> list[str]:
    """The value columns the metrics need, in the order of UNIT_COLUMNS."""
    used = {info.unit for info in metrics.values()}
    return [column for unit, column in UNIT_COLUMNS.items() if unit in used]


def split_values(metric: pa.Array, value: pa.Array, metrics: dict[str, MetricInfo]) -> dict[str, pa.Array]:
    """The one `value` column split into one column per unit (null where another unit applies)."""
    columns = {}
    for unit, column in UNIT_COLUMNS.items():
        names = [name for name, info in metrics.items() if info.unit == unit]
        if names:
            mask = pc.is_in(metric, value_set=pa.array(names, pa.string()))
            columns[column] = pc.if_else(mask, value, pa.scalar(None, pa.float64()))
    return columns


def outcome_filter(outcome: Any) -> pc.Expression:
    """A dataset filter for the rows of one outcome's metric series."""
    expression = pc.field("metric") == outcome.metric
    for dimension in DIMENSIONS:
        value = getattr(outcome, dimension, None)
        field = pc.field(dimension)
        expression &= field.is_null() if value is None else field == value
    return expression


def reduce_series(table: pa.Table, outcome: Any, column: str) -> dict[int, float]:
    """One value per run_id: the outcome's reduction of its series (in `column`) over turns >= from_turn."""
    table = table.filter(outcome_filter(outcome) & (pc.field("turn") >= outcome.from_turn))
    if table.num_rows == 0:
        return {}
    frame = table.select(["run_id", "turn", column]).to_pandas().sort_values(["run_id", "turn"])
    grouped = frame.groupby("run_id")[column]
    reduced = grouped.last() if outcome.reduce == "last" else grouped.agg(outcome.reduce)
    return {int(k): float(v) for k, v in reduced.items()}
