"""Price support of every member country at once: its slump counts and capped lines as (members, L) arrays.

A big producer caps its exports of a line when the local price has stayed below
`price_support_ratio` x reference for `price_support_turns` turns in a row while it exports with
at least `price_support_share` of world capacity, and lifts the cap once the price is back
(behaviours.price_support). What each member counts depends only on the turn's reading and on its
own past, never on what another country decides this turn, so the model's resource nationalists
share one `PriceSupports` (a controller made elsewhere keeps its own), as they share `Pressures`:
the first of them to decide on a reading counts every member's lines in a few array operations
and lists, per member, the lines to review (those it caps, and those due a cap); each member then
keeps its own row (a country's counts move only when it decides, as before).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from critmin.agents.doctrine_params import DoctrineParams
from critmin.agents.reading import FIGURE, Lines, WorldReading


@dataclass(frozen=True)
class Supporter:
    """A member country, with the doctrine parameters it last decided on.

    Read: `price_support_ratio` (a price below this x reference counts as low), for an exporter
    with at least `price_support_share` of world capacity, for `price_support_turns` in a row.
    """

    row: int  # its row of the book's arrays
    params: DoctrineParams


@dataclass(frozen=True)
class Layout:
    """The members a reading's rows hold: their book rows, reading rows and (n, 1) parameters."""

    rows_at: dict[str, int]  # the reading's rows this layout is for
    rows: np.ndarray  # (n,) the members' rows of the book...
    at: np.ndarray  # ...and of the reading
    ratio: np.ndarray  # (n, 1) price_support_ratio
    share: np.ndarray  # (n, 1) price_support_share
    turns: np.ndarray  # (n, 1) price_support_turns

    @classmethod
    def of(cls, members: dict[str, Supporter], rows_at: dict[str, int]) -> Layout:
        """The layout of the members that `rows_at` (a reading's rows) holds."""
        present = [(m.row, rows_at[c], m.params) for c, m in members.items() if c in rows_at]
        return cls(
            rows_at,
            np.array([row for row, _, _ in present], dtype=np.int64),
            np.array([at for _, at, _ in present], dtype=np.int64),
            np.array([[p.price_support_ratio] for _, _, p in present]),
            np.array([[p.price_support_share] for _, _, p in present]),
            np.array([[p.price_support_turns] for _, _, p in present], dtype=np.int64),
        )


@dataclass
class Counted:
    """Every member's counts worked out on one reading, before any member keeps its row."""

    reading: WorldReading
    counts: np.ndarray  # (members, L) turns in a row below the support price
    review: list[list[int]]  # per member, the lines it caps or that are due a cap, in (mineral, stage) order


class PriceSupports:
    """The slump counts and capped lines of every member country on the lines it last read."""

    def __init__(self) -> None:
        self.members: dict[str, Supporter] = {}
        self.lines: Lines | None = None
        self.counts = np.zeros((0, 0), dtype=np.int64)  # (members, L) turns in a row below support
        self.capped = np.zeros((0, 0), dtype=bool)  # (members, L) lines whose exports it caps
        self.counted: Counted | None = None
        self.kept: set[int] = set()  # members that kept their row of `counted`
        self.layout: Layout | None = None  # the members of the reading last counted

    def join(self, country: str, params: DoctrineParams) -> None:
        """Count the lines of `country` (a doctrine's parameters), from nothing."""
        row = len(self.members)
        self.members[country] = Supporter(row, params)
        width = self.counts.shape[1]
        self.counts = np.vstack([self.counts, np.zeros((1, width), dtype=np.int64)])
        self.capped = np.vstack([self.capped, np.zeros((1, width), dtype=bool)])
        self.counted = self.layout = None

    def review(
        self, reading: WorldReading, country: str, params: DoctrineParams
    ) -> tuple[list[int], np.ndarray]:
        """The country's lines to review on this reading, in (mineral, stage) order, and its counts.

        Its counts move: a line it exports and does not cap counts one more turn below the support
        price, or starts again from 0. `params` are the country's parameters now (counted again
        if they are not those it joined or last decided with).
        """
        member = self.members[country]
        row, counted = member.row, self.counted
        if member.params is not params:
            self.members[country], counted, self.layout = Supporter(row, params), None, None
        if counted is None or counted.reading is not reading or row in self.kept:
            counted = self.counted = self.count(reading)
            self.kept = set()
        self.counts[row] = counted.counts[row]
        self.kept.add(row)
        return counted.review[row], self.counts[row]

    def count(self, reading: WorldReading) -> Counted:
        """Every member's counts after the reading's prices (the members the reading has a row for)."""
        self.align(reading.seen)
        layout = self.layout
        if layout is None or layout.rows_at is not reading.rows.at:
            layout = self.layout = Layout.of(self.members, reading.rows.at)
        counts, rows, at = self.counts.copy(), layout.rows, layout.at
        figures = reading.rows.figures[at]
        exporting = figures[..., FIGURE["exports"]] > 0
        counting = exporting & ~self.capped[rows]
        low = ratios(figures) < layout.ratio
        counts[rows] = np.where(counting, np.where(low, counts[rows] + 1, 0), counts[rows])
        leads = exporting & (reading.rows.capacity_share[at] >= layout.share)
        review: list[list[int]] = [[] for _ in self.members]
        chosen = (counting & leads & (counts[rows] >= layout.turns)) | self.capped[rows]
        if chosen.any():
            for i, k in ranked_positions(chosen, reading.seen.rank):
                review[int(rows[i])].append(k)
        return Counted(reading, counts, review)

    def caps(self, country: str, k: int) -> bool:
        """True if the country caps its exports of line `k` to support its price."""
        return bool(self.capped[self.members[country].row, k])

    def cap(self, country: str, k: int, capped: bool) -> None:
        """Note that the country now caps (or no longer caps) its exports of line `k`."""
        self.capped[self.members[country].row, k] = capped

    def align(self, seen: Lines) -> None:
        """Carry the counts and caps over to the reading's lines, by name, if they are not the same lines."""
        if self.lines is seen:
            return
        old = self.lines.at if self.lines is not None else {}
        at = np.array([old.get(line, -1) for line in seen.order], dtype=np.int64)
        found = at >= 0
        counts = np.zeros((len(self.members), len(seen.order)), dtype=np.int64)
        capped = np.zeros((len(self.members), len(seen.order)), dtype=bool)
        counts[:, found], capped[:, found] = self.counts[:, at[found]], self.capped[:, at[found]]
        self.lines, self.counts, self.capped = seen, counts, capped


def ratios(figures: np.ndarray) -> np.ndarray:
    """(..., L) the local price over the reference price (1 where there is no reference)."""
    reference = figures[..., FIGURE["reference_price_usd_per_kg"]]
    ratio = np.ones_like(reference)
    return np.divide(figures[..., FIGURE["price_usd_per_kg"]], reference, out=ratio, where=reference > 0)


def ranked_positions(chosen: np.ndarray, rank: np.ndarray) -> list[tuple[int, int]]:
    """The (row, line) positions where a (R, L) bool array is True, by row, then by line `rank`."""
    rows, ks = np.nonzero(chosen)
    order = np.lexsort((rank[ks], rows))
    return list(zip(rows[order].tolist(), ks[order].tolist(), strict=True))
