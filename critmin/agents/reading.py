"""The AI's reading of a turn: what countries observe, as arrays over countries x lines x origins.

A `WorldReading` holds what every country sees alike (the world lines, export controls and bans,
the policies, news) and what each country sees of itself (its figures per line, its imports by
origin, its trust, its manufacturers' lobbying, its deals and proposals), one row per country.
The engine builds one per turn from its observation book (engine/observe.py), with a row for
every country, and the doctrines read their row from it without any Observation being made; a
controller handed an Observation alone reads it into a reading of one row (`of_observation`),
with the same numbers, so that anything a doctrine concludes from the arrays a person or a bot
could conclude from the same observation.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache, partial
from operator import is_
from typing import NamedTuple

import msgspec
import numpy as np

from critmin.agents.manufacturers import RiskBoard, risk_board
from critmin.core.actions import ProposeDeal
from critmin.core.export_control import ExportControl
from critmin.core.observation import LINE_FIGURES, Observation, Terms, WorldLine
from critmin.core.worked_out import WorkedOnce

Line = tuple[str, str]
FIGURE = {name: k for k, name in enumerate(LINE_FIGURES)}
"""Position of each MineralView figure along the last axis of `WorldReading.figures`."""


class LineFigures(NamedTuple):
    """One country's figures on one line (a MineralView's figures, in LINE_FIGURES order)."""

    price_usd_per_kg: float
    capacity: float
    production: float
    consumption: float
    demand: float
    stock: float
    stockpile: float
    shortage: float
    world_price_usd_per_kg: float
    reference_price_usd_per_kg: float
    imports: float
    exports: float


new_figures = partial(tuple.__new__, LineFigures)
"""`LineFigures._make` of a row's LINE_FIGURES values, without its Python-level call and length check."""


class Own(msgspec.Struct, frozen=True, kw_only=True, eq=False):
    """What a country sees of its own besides its figures (an Observation's other fields).

    A msgspec record: made once a turn for every AI country, it builds in a seventh of a frozen
    dataclass's time (0.4 against 2.7 us).
    """

    country: str
    turn: int
    treasury_usd_m: float
    budget_per_turn_usd_m: float
    trust: Mapping[str, float]  # how far it trusts each country (a dict, or its row: `TrustRow`)
    deals: list[dict]
    inbox: list[dict]
    outbox: list[dict]
    agreements: list[dict]  # trade agreements in force it is a party to
    agreement_inbox: list[dict]  # agreement proposals awaiting its answer
    diplomacy: list[dict]
    firms: list[dict]
    policies: list[dict]
    terms: Terms
    committed_usd_m: tuple[float, ...] = ()  # scheduled outlays of the coming turns, this one first
    offers: Mapping[str, ProposeDeal] | None = None  # the inbox's offers by id, where the engine lends them


class TrustRow(Mapping):
    """A country's trust in every country by code, read from its row of the trust array.

    What `dict(zip(codes, row.tolist()))` holds, without building the dict or converting the row:
    a row has as many entries as the world has countries (148 at 4x), and a doctrine asks for a few.
    """

    def __init__(self, at: Mapping[str, int], row: np.ndarray) -> None:
        self.at, self.row = at, row

    def __getitem__(self, code: str) -> float:
        return float(self.row[self.at[code]])

    def get(self, code: str, default=None):
        """The trust in `code`, or `default` for a code outside the row."""
        o = self.at.get(code)
        return default if o is None else float(self.row[o])

    def items(self):
        """(code, trust) of every country, in the row's order, converted at once."""
        return dict(zip(self.at, self.row.tolist(), strict=True)).items()

    def __iter__(self) -> Iterator[str]:
        return iter(self.at)

    def __len__(self) -> int:
        return len(self.at)


@dataclass(frozen=True, eq=False)
class Lines:
    """The lines a reading covers, in order, and what depends only on them."""

    order: list[Line]
    at: dict[Line, int]  # each line's position
    rank: np.ndarray  # (L,) each line's rank in (mineral, stage) order, for ties
    by_rank: np.ndarray  # (L,) the lines' positions in (mineral, stage) order (`rank`'s inverse)
    chains: dict[str, list[str]]  # mineral -> its stages, in the order of the lines
    chained: list[str]  # the minerals with two stages or more, in name order
    ores: np.ndarray  # the position of each chained mineral's first line...
    processed: np.ndarray  # ...and of its second

    @classmethod
    def of(cls, lines: list[Line]) -> Lines:
        """The lines, positions, ranks and chains of a list of (mineral, stage) lines (made once per list)."""
        return lines_of(tuple(lines))

    @classmethod
    def make(cls, lines: tuple[Line, ...]) -> Lines:
        """The lines, positions, ranks and chains of (mineral, stage) lines."""
        by_rank = np.array(sorted(range(len(lines)), key=lines.__getitem__), dtype=np.int64)
        rank = np.empty(len(lines), dtype=np.int64)
        rank[by_rank] = np.arange(len(lines))
        at = {line: k for k, line in enumerate(lines)}
        chains = chains_of(lines)
        chained = sorted(mineral for mineral, stages in chains.items() if len(stages) > 1)
        ores = np.array([at[(mineral, chains[mineral][0])] for mineral in chained], dtype=np.int64)
        processed = np.array([at[(mineral, chains[mineral][1])] for mineral in chained], dtype=np.int64)
        return cls(list(lines), at, rank, by_rank, chains, chained, ores, processed)


@dataclass(frozen=True, eq=False)
class Imports:
    """Each row's imports per line by foreign origin, as entries in (row, line, origin) order.

    Within a (row, line) pair the origins come in the order its observation lists them.
    """

    pair: np.ndarray  # (N,) flat (row, line) position of each pair that imports
    starts: np.ndarray  # (N + 1,) pair p's entries are [starts[p], starts[p + 1])
    row: np.ndarray  # (E,) each entry's row, line, origin (along the origin axis) and tonnes
    line: np.ndarray
    origin: np.ndarray
    tonnes: np.ndarray
    restricted: np.ndarray  # (E,) bool: the origin's control on the line restricts the row's country

    @classmethod
    def of(cls, rows: np.ndarray, lines: np.ndarray, origins: np.ndarray, tonnes: np.ndarray, n_lines: int):
        """Entries sorted by row and line (origins in their given order within a pair), unrestricted."""
        flat = rows * n_lines + lines
        first = np.flatnonzero(np.r_[True, flat[1:] != flat[:-1]]) if len(flat) else np.zeros(0, np.int64)
        starts = np.r_[first, len(flat)].astype(np.int64)
        restricted = np.zeros(len(flat), dtype=bool)
        return cls(flat[first], starts, rows, lines, origins, tonnes, restricted)

    def received(self, row: int, origin: int, lines: int) -> np.ndarray:
        """(L,) tonnes a row received from an origin, per line (0 where none)."""
        at = np.flatnonzero((self.row == row) & (self.origin == origin))
        received = np.zeros(lines)
        received[self.line[at]] = self.tonnes[at]
        return received

    def restrict(self, routes: RouteControls) -> None:
        """Mark the entries whose origin's export control on the line restricts the row's country.

        Every entry at once: the routes' table names the control on each (line, origin), if any,
        and each control's verdict per row is read at the entry's row.
        """
        if not len(routes.verdicts) or not len(self.line):
            return
        which = routes.at[self.line, self.origin]
        at = np.flatnonzero(which >= 0)
        self.restricted[at] = routes.verdicts[which[at], self.row[at]]


@dataclass(frozen=True, eq=False)
class RouteControls:
    """The export control on each (line, origin) route of a reading, and each control's verdict per row."""

    controls: list[ExportControl]  # the controls read, in order...
    keys: list[tuple[str, str, str]]  # ...under their (exporter, mineral, stage)
    seen: Lines
    codes: tuple[str, ...]  # the rows' countries
    at: np.ndarray  # (L, O) position in `verdicts` of the control on each route, -1 where none
    verdicts: np.ndarray  # (V, R) bool: the control restricts the row's country

    @classmethod
    def of(cls, controls: dict, seen: Lines, codes: tuple[str, ...], axis: dict[str, int]) -> RouteControls:
        """The table of `controls` on the routes of `seen` lines from the origins of `axis`."""
        control_at = np.full((len(seen.order), len(axis)), -1, dtype=np.int64)
        verdicts: list[np.ndarray] = []
        for (exporter, mineral, stage), control in controls.items():
            k, o = seen.at.get((mineral, stage)), axis.get(exporter)
            if k is not None and o is not None:
                control_at[k, o] = len(verdicts)
                verdicts.append(restricted_among(control, codes))
        stacked = np.stack(verdicts) if verdicts else np.zeros((0, len(codes)), dtype=bool)
        control_at.flags.writeable = stacked.flags.writeable = False  # shared by the readings that follow
        return cls(list(controls.values()), list(controls), seen, codes, control_at, stacked)

    def holds(self, controls: dict, seen: Lines, codes: tuple[str, ...]) -> bool:
        """True if made of these very controls under the same keys, on the same lines and rows."""
        return (
            self.seen is seen
            and self.codes is codes
            and same_objects(self.controls, list(controls.values()))
            and self.keys == list(controls)
        )


class KeptRouteControls:
    """The route controls of the last reading, made again only when the controls, lines or rows change.

    Controls stand for many turns: a model's views keep one of these for every turn's reading.
    """

    def __init__(self) -> None:
        self.routes: RouteControls | None = None

    def of(self, controls: dict, seen: Lines, codes: tuple[str, ...], axis: dict[str, int]) -> RouteControls:
        """`RouteControls.of(controls, seen, codes, axis)`, the last one's if it holds the same."""
        routes = self.routes
        if routes is None or not routes.holds(controls, seen, codes):
            routes = self.routes = RouteControls.of(controls, seen, codes, axis)
        return routes


@dataclass(frozen=True, eq=False)
class Rows:
    """What each country sees of itself, one row per country (R rows, L lines, O origins)."""

    at: dict[str, int]  # country -> its row
    countries: tuple[str, ...]  # the origin (and trust) axis
    figures: np.ndarray  # (R, L, LINE_FIGURES)
    imports: Imports  # tonnes received from each foreign origin, entry by entry
    trust: np.ndarray  # (R, O) how far each country trusts each origin
    lobbying: np.ndarray  # (R, L) how hard its manufacturers lobbied, 0..1
    capacity_share: np.ndarray  # (R, L) its share of world capacity (0 unless a listed producer)
    treasury: np.ndarray  # (R,) USD m in its treasury
    budget_per_turn: np.ndarray  # (R,) USD m of budget it receives a turn
    committed: np.ndarray  # (R, T) its scheduled outlays of the coming turns, this one first
    own: Mapping[str, Own]


@dataclass(frozen=True, eq=False)
class WorldReading(WorkedOnce):
    """What countries read alike, and each one's own rows; risk boards are worked out once a turn."""

    policies: list[dict]
    lines: Mapping[Line, WorldLine]  # the world lines read, each by its (mineral, stage)
    controls: dict[tuple[str, str, str], ExportControl]  # in force, by (exporter, mineral, stage)
    bans: dict[tuple[str, str], list[ExportControl]]  # (exporter, mineral) -> controls that ban someone
    seen: Lines  # the lines countries see their own figures on
    rows: Rows
    sellers: dict[Line, list[str]] = field(default_factory=dict)  # filled as asked: see `sellers_of`
    worked_out: dict[tuple, object] = field(default_factory=dict, repr=False)  # `once`'s results, by key

    @classmethod
    def of(cls, obs: Observation) -> WorldReading:
        """The reading of one observation alone (a row for its country)."""
        return of_observation(obs)

    def reads(self, obs: Observation) -> bool:
        """True if this reading was made with the observation's world lines and policies, and has its row."""
        return (
            obs.country in self.rows.at
            and same_objects(list(self.lines.values()), obs.world)
            and same_objects(self.policies, obs.policies)
        )

    def risk_board(self, adversary_trust: float, weights) -> RiskBoard:
        """Every row's supply risk per line under these parameters (worked out once per reading)."""
        return self.once(board_of, adversary_trust, weights)

    def sellers_of(self, line: Line) -> list[str]:
        """The countries that export or produce on a line, in code order."""
        sellers = self.sellers.get(line)
        if sellers is None:
            world = self.lines[line]
            sellers = self.sellers[line] = sorted({*world.exporters, *world.producers})
        return sellers


class LineViews(Mapping):
    """A country's figures by line, each read from its row when first asked."""

    def __init__(self, figures: np.ndarray, seen: Lines) -> None:
        self.figures, self.seen = figures, seen
        self.read: dict[Line, LineFigures] = {}

    def __getitem__(self, line: Line) -> LineFigures:
        view = self.read.get(line)
        return view if view is not None else self.first_read(line, self.seen.at[line])

    def __contains__(self, line: object) -> bool:
        return line in self.seen.at

    def get(self, line: Line, default=None):
        """The line's figures, or `default` if the row has no such line (without raising inside)."""
        view = self.read.get(line)
        if view is None:
            k = self.seen.at.get(line)
            return default if k is None else self.first_read(line, k)
        return view

    def first_read(self, line: Line, k: int) -> LineFigures:
        """Line `k`'s figures, read from the row and kept."""
        view = self.read[line] = new_figures(self.figures[k].tolist())
        return view

    def __iter__(self) -> Iterator[Line]:
        return iter(self.seen.order)

    def __len__(self) -> int:
        return len(self.seen.order)


@lru_cache(maxsize=1024)
def restricted_among(control: ExportControl, codes: tuple[str, ...]) -> np.ndarray:
    """`control.restricted_among(codes)` as a read-only bool array, once per control and list of codes.

    Controls stand for many turns; an array, not a tuple, so that a reading stacks the verdicts
    of its controls without converting each again.
    """
    verdicts = np.array(control.restricted_among(codes), dtype=bool)
    verdicts.flags.writeable = False
    return verdicts


@lru_cache(maxsize=16)
def lines_of(lines: tuple[Line, ...]) -> Lines:
    """`Lines.make`, once per tuple of lines (a run sees the same lines every turn)."""
    return Lines.make(lines)


def board_of(reading: WorldReading, adversary_trust: float, weights) -> RiskBoard:
    """Every row's supply risk per line (manufacturers.risk_board)."""
    return risk_board(reading.rows, adversary_trust, weights)


def same_objects(held: list, seen: list) -> bool:
    """True if both lists hold the very same objects in the same order."""
    return len(held) == len(seen) and all(map(is_, held, seen))


def chains_of(lines) -> dict[str, list[str]]:
    """Each mineral's stages, in the order of the (mineral, stage) lines."""
    chains: dict[str, list[str]] = {}
    for mineral, stage in lines:
        chains.setdefault(mineral, []).append(stage)
    return chains


def public_part(
    lines: Mapping[Line, WorldLine],
    policies: list[dict],
    controls: dict[tuple[str, str, str], ExportControl] | None = None,
) -> dict:
    """What every country reads alike from world lines (by line) and policy records: controls, bans.

    `controls` are the export controls the records describe, in record order, where the caller
    holds them already (the engine's own); otherwise they are read from the records.
    """
    if controls is None:
        controls = {
            (policy["country"], policy["mineral"], policy["stage"]): ExportControl.from_record(policy)
            for policy in policies
            if policy.get("kind") == "export_control"
        }
    bans: dict[tuple[str, str], list[ExportControl]] = {}
    for (country, mineral, _), control in controls.items():
        if control.bans_anyone():
            bans.setdefault((country, mineral), []).append(control)
    return {"policies": list(policies), "lines": lines, "controls": controls, "bans": bans}


def of_observation(obs: Observation) -> WorldReading:
    """A reading with one row: the observation's country, from the observation's own figures."""
    public = public_part({(line.mineral, line.stage): line for line in obs.world}, obs.policies)
    seen = Lines.of([(view.mineral, view.stage) for view in obs.minerals])
    codes = dict.fromkeys([*obs.trust, *(code for v in obs.minerals for code in v.imports_by_origin)])
    axis = {code: o for o, code in enumerate(codes)}
    imports = observed_imports(obs, seen, axis)
    imports.restrict(RouteControls.of(public["controls"], seen, (obs.country,), axis))
    figures = [[getattr(view, name) for name in LINE_FIGURES] for view in obs.minerals]
    shares = [capacity_share(public["lines"].get(line), obs.country) for line in seen.order]
    rows = Rows(
        at={obs.country: 0},
        countries=tuple(axis),
        figures=np.array(figures, dtype=float).reshape(1, len(seen.order), len(LINE_FIGURES)),
        imports=imports,
        trust=np.array([[obs.trust.get(code, 0.0) for code in axis]]),
        lobbying=observed_lobbying(obs, seen)[None],
        capacity_share=np.array([shares]),
        treasury=np.array([obs.treasury_usd_m], dtype=float),
        budget_per_turn=np.array([obs.budget_per_turn_usd_m], dtype=float),
        committed=np.array([obs.committed_usd_m], dtype=float).reshape(1, len(obs.committed_usd_m)),
        own={obs.country: own_part(obs)},
    )
    return WorldReading(**public, seen=seen, rows=rows)


def observed_imports(obs: Observation, seen: Lines, axis: dict[str, int]) -> Imports:
    """The observation's imports by origin as entries of one row (each line's origins in its order)."""
    listed = [
        (k, axis[code], tonnes)
        for k, view in enumerate(obs.minerals)
        for code, tonnes in view.imports_by_origin.items()
    ]
    lines = np.array([k for k, _, _ in listed], dtype=np.int64)
    origins = np.array([o for _, o, _ in listed], dtype=np.int64)
    tonnes = np.array([t for _, _, t in listed], dtype=float)
    return Imports.of(np.zeros(len(listed), dtype=np.int64), lines, origins, tonnes, len(seen.order))


def observed_lobbying(obs: Observation, seen: Lines) -> np.ndarray:
    """(L,) the observation's lobbying per line ("mineral/stage" keys of lines it does not see dropped)."""
    lobbying = np.zeros(len(seen.order))
    for key, level in obs.lobbying.items():
        k = seen.at.get(tuple(key.split("/")))
        if k is not None:
            lobbying[k] = level
    return lobbying


def capacity_share(world: WorldLine | None, country: str) -> float:
    """A country's share of world capacity on a line, from the world picture (0 unless listed)."""
    if world is None or world.world_capacity <= 0:
        return 0.0
    return world.producers.get(country, 0.0) / world.world_capacity


def own_part(obs: Observation) -> Own:
    """The observation's fields besides its figures."""
    return Own(
        country=obs.country,
        turn=obs.turn,
        treasury_usd_m=obs.treasury_usd_m,
        budget_per_turn_usd_m=obs.budget_per_turn_usd_m,
        trust=obs.trust,
        deals=obs.deals,
        inbox=obs.inbox,
        outbox=obs.outbox,
        agreements=obs.agreements,
        agreement_inbox=obs.agreement_inbox,
        diplomacy=obs.diplomacy,
        firms=obs.firms,
        policies=obs.policies,
        terms=obs.terms,
        committed_usd_m=tuple(obs.committed_usd_m),
    )
