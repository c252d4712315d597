"""What the map and panels show, computed from the engine's public snapshot (no pygame).

A `Filter` picks a mineral and a stage (or all of them). Country indicators aggregate the lines
the filter selects, weighting each line by its value at reference prices, so that tonnes of
copper and tonnes of gallium can be added up.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from critmin.core.export_control import ExportControl
from critmin.core.snapshot import CountryFigures, Flow, WorldSnapshot
from critmin.ui.geo import REST_OF_WORLD

ALL = "all"
WEEKS_PER_TURN = 13.0
COLOUR_MODES = ("role", "import dependence", "stock cover", "price")
STOCK_COVER_FULL_WEEKS = 26.0  # cover at or beyond half a year shows as fully safe
PRICE_RATIO_RANGE = (0.5, 2.0)  # local price / reference price shown from green to red


@dataclass(frozen=True)
class Filter:
    """A mineral and a stage, each possibly ALL."""

    mineral: str = ALL
    stage: str = ALL

    def accepts(self, mineral: str, stage: str) -> bool:
        """True if a line passes the filter."""
        return self.mineral in (ALL, mineral) and self.stage in (ALL, stage)


@dataclass(frozen=True)
class Route:
    """A controlled trade route: exports banned or restricted (licence, quota) from exporter to importer."""

    mineral: str
    stage: str
    exporter: str
    importer: str
    regime: str


def quantity(value: float) -> str:
    """A quantity for people: thousands separated, three significant digits below 100."""
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def reference_price(snapshot: WorldSnapshot, mineral: str, stage: str) -> float:
    """The scenario's starting price of a line, USD/kg (1.0 if unknown)."""
    return snapshot.reference_prices.get(mineral, {}).get(stage, 1.0) or 1.0


def apparent_use(figure: CountryFigures) -> float:
    """What a country used of a line last turn: production + imports - exports (tonnes)."""
    return max(figure.production + figure.imports - figure.exports, 0.0)


def country_lines(snapshot: WorldSnapshot, chosen: Filter) -> dict[str, list[CountryFigures]]:
    """The figures of each country on the lines the filter selects."""
    lines: dict[str, list[CountryFigures]] = defaultdict(list)
    for figure in snapshot.figures:
        if chosen.accepts(figure.mineral, figure.stage):
            lines[figure.country].append(figure)
    return lines


def import_dependence(snapshot: WorldSnapshot, chosen: Filter) -> dict[str, float]:
    """Share of each country's use met by imports (0..1), over the filtered lines, by value."""
    result = {}
    for country, figures in country_lines(snapshot, chosen).items():
        weights = [reference_price(snapshot, f.mineral, f.stage) for f in figures]
        used = sum(w * max(apparent_use(f), f.imports) for w, f in zip(weights, figures, strict=True))
        if used > 0:
            result[country] = sum(w * f.imports for w, f in zip(weights, figures, strict=True)) / used
    return result


def stock_cover_weeks(snapshot: WorldSnapshot, chosen: Filter) -> dict[str, float]:
    """Weeks of use each country's stocks and stockpile would cover, over the filtered lines, by value."""
    result = {}
    for country, figures in country_lines(snapshot, chosen).items():
        weights = [reference_price(snapshot, f.mineral, f.stage) for f in figures]
        used = sum(w * max(apparent_use(f), f.demand) for w, f in zip(weights, figures, strict=True))
        held = sum(w * (f.stock + f.stockpile) for w, f in zip(weights, figures, strict=True))
        if used > 0:
            result[country] = held / used * WEEKS_PER_TURN
    return result


def price_ratio(snapshot: WorldSnapshot, chosen: Filter) -> dict[str, float]:
    """Local price over reference price, averaged over the filtered lines a country uses, by value."""
    result = {}
    for country, figures in country_lines(snapshot, chosen).items():
        weights = [
            reference_price(snapshot, f.mineral, f.stage) * max(apparent_use(f), f.demand) for f in figures
        ]
        total = sum(weights)
        if total > 0:
            ratios = [f.price / reference_price(snapshot, f.mineral, f.stage) for f in figures]
            result[country] = sum(w * r for w, r in zip(weights, ratios, strict=True)) / total
    return result


def indicator_shares(snapshot: WorldSnapshot, mode: str, chosen: Filter) -> dict[str, float]:
    """Each country's position on the colour scale (0 = green, 1 = red) for an indicator mode."""
    if mode == "import dependence":
        return import_dependence(snapshot, chosen)
    if mode == "stock cover":
        return {
            c: 1 - min(w / STOCK_COVER_FULL_WEEKS, 1.0)
            for c, w in stock_cover_weeks(snapshot, chosen).items()
        }
    if mode == "price":
        low, high = PRICE_RATIO_RANGE
        return {c: (r - low) / (high - low) for c, r in price_ratio(snapshot, chosen).items()}
    raise ValueError(f"not an indicator mode: {mode!r}")


def indicator_labels(snapshot: WorldSnapshot, mode: str, chosen: Filter) -> dict[str, str]:
    """Each country's indicator in words, as the status bar shows it (empty for the role colouring)."""
    if mode == "import dependence":
        return {c: f"{v:.0%} imported" for c, v in import_dependence(snapshot, chosen).items()}
    if mode == "stock cover":
        return {c: f"{v:,.1f} weeks" for c, v in stock_cover_weeks(snapshot, chosen).items()}
    if mode == "price":
        return {c: f"{v:.2f}× the starting price" for c, v in price_ratio(snapshot, chosen).items()}
    return {}


def shown_flows(snapshot: WorldSnapshot, chosen: Filter, mapped: set[str]) -> list[Flow]:
    """Last turn's flows that pass the filter and join two countries drawn on the map."""
    return [
        f
        for f in snapshot.flows
        if chosen.accepts(f.mineral, f.stage) and f.exporter in mapped and f.importer in mapped
    ]


def controlled_routes(snapshot: WorldSnapshot, chosen: Filter, mapped: set[str]) -> list[Route]:
    """Routes under an export control that pass the filter, towards countries that use the line.

    A ban (to all or to named destinations) blocks the route; a licence or quota restricts it.
    """
    users = {(f.country, f.mineral, f.stage) for f in snapshot.figures if f.demand > 0 or f.imports > 0}
    routes = []
    for policy in snapshot.policies:
        if policy.get("kind") != "export_control" or not chosen.accepts(policy["mineral"], policy["stage"]):
            continue
        exporter, mineral, stage = policy["country"], policy["mineral"], policy["stage"]
        if exporter not in mapped:
            continue
        control = ExportControl.from_record(policy)
        for importer in sorted(mapped - {exporter}):
            regime = control.regime_for(importer)
            if regime is not None and (importer, mineral, stage) in users:
                routes.append(Route(mineral, stage, exporter, importer, regime))
    return routes


def mapped_countries(snapshot: WorldSnapshot) -> set[str]:
    """Scenario countries that flows are drawn to (all but the rest of the world)."""
    return set(snapshot.countries) - {REST_OF_WORLD}


@dataclass(frozen=True)
class PriceSeries:
    """Prices of one line per turn: inside China and outside it (USD/kg)."""

    turns: list[int]
    china: list[float]
    outside: list[float]


def price_history(tables: dict) -> dict[tuple[str, str], PriceSeries]:
    """Per line, China's price and the use-weighted mean price elsewhere, for every turn played.

    `tables` is `WorldModel.tables()`; outside China, each country's price weighs by its
    demand plus imports that turn (a plain mean when nobody uses the line).
    """
    return price_history_of(tables["prices"].to_pandas(), tables["countries"].to_pandas())


def price_history_of(prices, use) -> dict[tuple[str, str], PriceSeries]:
    """`price_history` from pandas frames (a network seat builds them from its snapshots).

    `prices` has turn, country, mineral, stage and price; `use` the same keys with demand and imports.
    """
    if prices.empty:
        return {}
    use = use.copy()
    use["weight"] = use["demand"] + use["imports"]
    keys = ["turn", "country", "mineral", "stage"]
    prices = prices.merge(use[[*keys, "weight"]], on=keys, how="left").fillna({"weight": 0.0})
    history = {}
    for (mineral, stage), line in prices.groupby(["mineral", "stage"], sort=True):
        turns = sorted(line["turn"].unique().tolist())
        china = line[line["country"] == "CHN"].set_index("turn")["price"]
        others = line[line["country"] != "CHN"]
        history[(mineral, stage)] = PriceSeries(
            turns=turns,
            china=[float(china.get(t, float("nan"))) for t in turns],
            outside=[weighted_mean(others[others["turn"] == t]) for t in turns],
        )
    return history


def weighted_mean(rows) -> float:
    """Mean of `price` weighted by `weight` (plain mean when the weights are all zero)."""
    if rows.empty:
        return float("nan")
    total = float(rows["weight"].sum())
    if total <= 0:
        return float(rows["price"].mean())
    return float((rows["price"] * rows["weight"]).sum() / total)
