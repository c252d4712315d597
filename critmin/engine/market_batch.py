"""A turn's markets posed straight into the clearing kernel's flat batch (engine/flow.py).

The offers and bids of every market come as flat columns sorted by market. One pass finds each
market's members (the countries that offer or bid there, in order), their local positions and
the member x member route entries; each array of the kernel is then one gather over all markets,
with no object per market. A market where an exporter has leak room gets hub members of its own
(engine/leakage.py): those few are posed one by one (`trade.pose_market`) and come after the
others in the batch (a market's clearing does not depend on the rest of its batch). Every
value is computed as the per-market posing computes it, element by element, so the clearing is
bit-identical.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numba as nb
import numpy as np

from critmin.engine import batch_passes
from critmin.engine import market as clearing
from critmin.engine.batch_passes import ruled_routes
from critmin.engine.market_routes import ByMarket
from critmin.engine.policies import RouteRules
from critmin.engine.supplier_risk import SupplierRisk


class Entries(NamedTuple):
    """The offers or bids of a batch, market by market: who, on which line, for whom, how many tonnes."""

    country: np.ndarray
    mineral: np.ndarray
    stage: np.ndarray
    owner: np.ndarray  # trade.SELLER_* or trade.BUYER_*
    tonnes: np.ndarray  # sold or bought
    at: np.ndarray  # flat (C, M, S) position of (country, mineral, stage)


class Line(NamedTuple):
    """One market's mineral, stage and route rules (for the rules that read one market)."""

    mineral: int
    stage: int
    rules: RouteRules


@dataclass
class MarketBatch:
    """Every market of a turn, posed: the kernel's arrays and what settling reads.

    Markets k = 0..K-1 are the lines of `constants.chain` in order. In the kernel batch the
    markets without hubs (`plain`) come first, in that order, then the markets with hubs
    (`hubbed`); offers and bids are listed in kernel order with their global country and owner.
    """

    mineral: np.ndarray  # (K,)
    stage: np.ndarray  # (K,)
    rules: list[RouteRules]  # (K,) the spot market's rules (after contract deliveries)
    full_rules: list[RouteRules | None]  # (K,) before contract deliveries; None where uncontrolled
    active: np.ndarray  # (K, C) bool: the members of each market
    freight: np.ndarray  # (C, C) USD/kg
    tariffs: ByMarket  # (K, C, C) USD/kg, to the importer's treasury
    risk: SupplierRisk  # (K, C, C) USD/kg, buyers' hedging of doubted suppliers
    route_open: ByMarket  # (K, C, C) bool
    kernel: tuple  # the arguments of flow.clear_batch
    plain: np.ndarray  # (P,) the markets without hubs, in kernel order
    route_cells: np.ndarray  # flat (K, C, C) positions of the plain markets' routes, ascending (kernel order)
    hubbed: list  # (k, trade.Market) of the markets with hubs, in kernel order
    offers: tuple[np.ndarray, np.ndarray, np.ndarray]  # (market, country, owner) per offer, kernel order
    bids: tuple[np.ndarray, np.ndarray, np.ndarray]  # (market, country, owner) per bid, kernel order

    def __len__(self) -> int:
        return len(self.mineral)

    def entries(self, values: np.ndarray, side: str, lines: tuple[int, int]) -> Entries:
        """Every offer or bid with its `values` (tonnes sold or bought), market by market.

        `lines` is (M, S), the state's minerals and stages: `Entries.at` are flat (C, M, S) places.
        """
        market, country, owner = self.offers if side == "offer" else self.bids
        if self.hubbed:
            order = np.argsort(market, kind="stable")
            market, country, owner, values = market[order], country[order], owner[order], values[order]
        line = (self.mineral * lines[1] + self.stage)[market]
        return Entries(
            country, self.mineral[market], self.stage[market], owner, values, country * np.prod(lines) + line
        )

    def local_prices(self, prices: np.ndarray) -> np.ndarray:
        """(K, C) each market's clearing prices at its members, inf elsewhere."""
        local = np.full(self.active.shape, np.inf)
        rows, columns = np.nonzero(self.active[self.plain])
        local[self.plain[rows], columns] = prices[: len(rows)]
        at = self.kernel[4][0]
        for q, (k, market) in enumerate(self.hubbed, start=len(self.plain)):
            local[k, market.members] = prices[at[q] : at[q] + len(market.members)]
        return local

    def line_positions(self, cells: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        """Flat positions in an (M, S, C, C) array of flat (K, C, C) positions `cells`."""
        size = shape[2] * shape[3]
        line = np.ravel_multi_index((self.mineral, self.stage), shape[:2])
        return line[cells // size] * size + cells % size

    def delayed(self) -> list[Line]:
        """The markets whose rules hold licensed exports in transit."""
        return [
            Line(int(self.mineral[k]), int(self.stage[k]), rules)
            for k, rules in enumerate(self.rules)
            if rules.delays  # worked out once per rules: the unrestricted markets share theirs
        ]


def market_ids(key: np.ndarray, lines: tuple[np.ndarray, np.ndarray], n_stages: int) -> np.ndarray:
    """The market k of each entry with market key m * S + s (-1 where no market is posed)."""
    position = np.full((lines[0].max(initial=0) + 1) * n_stages, -1)
    position[lines[0] * n_stages + lines[1]] = np.arange(len(lines[0]))
    return np.where(key < len(position), position[np.minimum(key, len(position) - 1)], -1)


def members(n_markets: int, n_countries: int, *entries: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """(K, C) bool: the countries with an entry (market, country) in each market."""
    active = np.zeros((n_markets, n_countries), dtype=bool)
    for market, country in entries:
        active[market, country] = True
    return active


def with_hubs(posing: Posing) -> np.ndarray:
    """(K,) bool: markets where an exporter with offers has leak room (`leakage.leaking_exporters`).

    Only ruled markets have leak room; a market's offers are its slice of the sorted offers.
    """
    market, country = posing.offers[:2]
    hubbed = np.zeros(len(posing.rules), dtype=bool)
    starts = offsets(market, len(posing.rules))
    for k in posing.ruled:
        if posing.rules[k].leaking:
            hubbed[k] = (posing.rules[k].leak_cap[country[starts[k] : starts[k + 1]]] > 0).any()
    return hubbed


def offsets(group: np.ndarray, n_groups: int) -> np.ndarray:
    """(n + 1,) where each group's entries start, for entries sorted by group."""
    return running_total(np.bincount(group, minlength=n_groups))


@dataclass
class Posing:
    """What every market is posed from: flat offers and bids, and the route arrays by market."""

    offers: tuple[np.ndarray, ...]  # (market, country, tonnes, price, owner), sorted by market
    bids: tuple[np.ndarray, ...]  # the same
    freight: np.ndarray  # (C, C)
    tariffs: ByMarket  # (K, C, C)
    risk: SupplierRisk  # (K, C, C)
    route_open: ByMarket  # (K, C, C) bool
    rules: list[RouteRules]  # (K,) spot rules
    ruled: list[int]  # the markets with rules other than the unrestricted ones
    controlled: set[int]  # those of them with an export control (elsewhere no route is closed or licensed)


def plain_kernel(posing: Posing, active: np.ndarray, plain: np.ndarray) -> tuple[tuple, np.ndarray]:
    """The kernel's arguments for the markets `plain` (no hubs), and their routes' flat (K, C, C) places.

    Each market's routes are its members' rows and columns of the (K, C, C) arrays, read in
    order (market, exporter, importer) at their flat places (`member_routes`), ascending.
    """
    rank = np.full(len(active), -1)
    rank[plain] = np.arange(len(plain))
    offers, bids = (plain_entries(side, active, rank, len(plain)) for side in (posing.offers, posing.bids))
    bids.append(np.zeros(len(bids[1]), dtype=bool))
    member = np.zeros_like(active)
    member[plain] = active[plain]
    n = member.sum(axis=1)[plain].astype(np.int64)
    at = running_total(n * n)
    cells, freight = member_routes(member, posing.freight)
    cost = freight + posing.tariffs.at(cells)
    cost += posing.risk.at_routes(cells)  # (freight + tariff) + risk, as the dense sum adds them
    opened, licensed = np.ones(len(cost), dtype=bool), np.zeros(len(cost), dtype=bool)
    export_cap, licence_cap = np.full(active.shape, np.inf), np.full(active.shape, np.inf)
    if posing.ruled:
        rules = [posing.rules[q] for q in posing.ruled]
        export_cap[posing.ruled] = [r.export_cap for r in rules]
        licence_cap[posing.ruled] = [r.licence_cap for r in rules]
        ruled_tables(posing, member, at[rank[posing.ruled]], opened, licensed)
    countries = (running_total(n), export_cap[member], licence_cap[member])
    kernel_routes = (at, cost, opened, licensed)
    return (n, tuple(offers), tuple(bids), kernel_routes, countries), cells


def ruled_tables(posing: Posing, member: np.ndarray, starts: np.ndarray, opened, licensed) -> None:
    """The ruled markets' open routes (where one is closed) and licensed routes into the batch's columns.

    `starts` are where each ruled market's routes begin (a market with hubs has no member in
    `member`: nothing is written for it). Without a control no route is licensed.
    """
    markets, rules = np.array(posing.ruled, dtype=np.int64), [posing.rules[q] for q in posing.ruled]
    closing = [q in posing.route_open.tables for q in posing.ruled]  # a table only where a route is closed
    licensing = [q in posing.controlled and r.licensing for q, r in zip(posing.ruled, rules, strict=True)]
    for out, name, read in ((opened, "route_open", closing), (licensed, "licensed", licensing)):
        if any(read):
            which = np.where(read, np.cumsum(read) - 1, -1)
            tables = np.array([getattr(r, name) for r, kept in zip(rules, read, strict=True) if kept])
            ruled_routes(member, markets, starts, tables, which, out)


@nb.njit(cache=True, nogil=True)
def member_routes(member: np.ndarray, freight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flat (K, C, C) places of every member x member route of the (K, C) `member` mask, and their freight.

    In (market, exporter, importer) order, ascending: what `np.flatnonzero` of the (K, C, C)
    mask `member[:, :, None] & member[:, None, :]` gives, without building or scanning it;
    the (C, C) `freight` read at each route's exporter and importer.
    """
    n_markets, n_countries = member.shape
    total = 0
    for k in range(n_markets):
        size = 0
        for c in range(n_countries):
            size += member[k, c]
        total += size * size
    cells, route_freight = np.empty(total, dtype=np.int64), np.empty(total)
    among, n = np.empty(n_countries, dtype=np.int64), 0
    for k in range(n_markets):
        size = 0
        for c in range(n_countries):
            if member[k, c]:
                among[size] = c
                size += 1
        for a in range(size):
            row = (k * n_countries + among[a]) * n_countries
            for b in range(size):
                cells[n], route_freight[n] = row + among[b], freight[among[a], among[b]]
                n += 1
    return cells, route_freight


def plain_entries(entries: tuple, active: np.ndarray, rank: np.ndarray, n_plain: int) -> list[np.ndarray]:
    """(starts, local country, tonnes, price) of the offers or bids of the plain markets (`rank` >= 0)."""
    market, country, tonnes, price, *_ = entries
    starts, local = batch_passes.plain_entries(market, country, active, rank, n_plain)
    if n_plain == len(rank):  # every market plain, in order: nothing to leave out
        return [starts, local, tonnes, price]
    keep = rank[market] >= 0
    return [starts, local, tonnes[keep], price[keep]]


def running_total(sizes: np.ndarray) -> np.ndarray:
    """(n + 1,) where each of n consecutive parts of these sizes starts, and the end."""
    at = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=at[1:])
    return at


def joined(first: tuple, second: tuple) -> tuple:
    """Two kernel batches as one: the first's markets, then the second's."""
    n = np.concatenate([first[0], second[0]])
    groups = []
    for a, b in zip(first[1:], second[1:], strict=True):
        at = np.concatenate([a[0], b[0][1:] + a[0][-1]])
        groups.append((at, *(np.concatenate([x, y]) for x, y in zip(a[1:], b[1:], strict=True))))
    return (n, *groups)


def pose_batch(posing: Posing, lines: tuple, full_rules: list, pose_one) -> MarketBatch:
    """Every market posed into one kernel batch; `pose_one(k)` poses a market with hubs on its own."""
    n_markets, n_countries = len(posing.rules), len(posing.freight)
    active = members(n_markets, n_countries, posing.offers[:2], posing.bids[:2])
    has_hubs = with_hubs(posing)
    plain = np.flatnonzero(~has_hubs)
    kernel, route_cells = plain_kernel(posing, active, plain)
    hubbed = [(int(k), pose_one(int(k))) for k in np.flatnonzero(has_hubs)]
    if hubbed:
        kernel = joined(kernel, clearing.flat_batch([market.problem for _, market in hubbed])[0])
    return MarketBatch(
        *lines,
        posing.rules,
        full_rules,
        active,
        posing.freight,
        posing.tariffs,
        posing.risk,
        posing.route_open,
        kernel,
        plain,
        route_cells,
        hubbed,
        kernel_entries(posing.offers, has_hubs, [(k, m.offer_country, m.offer_owner) for k, m in hubbed]),
        kernel_entries(posing.bids, has_hubs, [(k, m.bid_country, m.bid_owner) for k, m in hubbed]),
    )


def kernel_entries(entries: tuple, has_hubs: np.ndarray, hubbed: list) -> tuple[np.ndarray, ...]:
    """(market, country, owner) of the offers or bids in kernel order: plain markets, then hubbed."""
    market, country, *_, owner = entries
    if not hubbed:  # every market plain: the columns as they are
        return tuple(column.astype(np.int64, copy=False) for column in (market, country, owner))
    keep = ~has_hubs[market]
    parts = [(market[keep], country[keep], owner[keep])]
    parts += [(np.full(len(c), k), c, o) for k, c, o in hubbed]
    return tuple(np.concatenate(column).astype(np.int64) for column in zip(*parts, strict=True))
