"""Manufacturers' pressure of every AI country at once: (R, L) arrays the model holds for its controllers.

Pressure jumps to today's supply risk (the risk board's score, agents/manufacturers.py) where it
passes what is kept of yesterday's (`pressure_memory`), lobbying raises it, and a government acts
on the lines where it reaches `act_on_pressure`, most pressed first (ties in line order). The
model's AI controllers share one `Pressures` (a controller made elsewhere keeps its own): the
first of them to decide on a reading moves every member's row in a few array operations and
sorts every row's pressed lines in one pass; each controller then keeps its own row (a
country's pressure moves only when it decides, as before), written into the levels for all the
members that kept theirs at once, when the pressure moves next.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np

from critmin.agents.doctrine_params import DoctrineParams, RiskWeights
from critmin.agents.manufacturers import Line
from critmin.agents.reading import WorldReading


@dataclass(frozen=True)
class Member:
    """A country whose pressure the book holds, with its doctrine's parameters."""

    row: int  # its row of the book's arrays
    memory: float  # share of last turn's pressure kept
    act: float  # the pressure at which its government acts
    adversary_trust: float  # the parameters of its risk board...
    weights: RiskWeights


@dataclass
class Moved:
    """Every member's pressure worked out on one reading, before any member keeps its row."""

    reading: WorldReading
    level: np.ndarray  # (members, L)
    held: np.ndarray
    pressed: list[list[tuple[Line, float]]]  # per member, its pressed lines, most pressed first


class Pressures:
    """The pressure of every member country on every line of the reading it last heard."""

    def __init__(self) -> None:
        self.members: dict[str, Member] = {}
        self.lines: list[Line] = []
        self.level = np.zeros((0, 0))
        self.held = np.zeros((0, 0), dtype=bool)
        self.moved: Moved | None = None
        self.kept: set[int] = set()  # members that kept their row of `moved`
        self.grouped_rows: dict[str, int] | None = None  # the reading's rows `grouped` is for...
        self.grouped_members: list[str] = []  # ...and the members then
        self.grouped: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.acts = np.zeros((0, 1))

    def join(self, country: str, params: DoctrineParams) -> None:
        """Hold the pressure of `country` (a doctrine's parameters), from nothing."""
        self.commit()
        row = len(self.members)
        self.members[country] = Member(
            row, params.pressure_memory, params.act_on_pressure, params.adversary_trust, params.risk
        )
        self.level = np.vstack([self.level, np.zeros((1, self.level.shape[1]))])
        self.held = np.vstack([self.held, np.zeros((1, self.held.shape[1]), dtype=bool)])
        self.moved = None

    def pressed(self, reading: WorldReading, country: str) -> list[tuple[Line, float]]:
        """The country's pressed lines on this reading, most pressed first; its pressure moves."""
        row = self.members[country].row
        moved = self.moved
        if moved is None or moved.reading is not reading or row in self.kept:
            moved = self.moved = self.move(reading)
        self.kept.add(row)  # its row of `moved` is written into the levels at the next move
        return moved.pressed[row]

    def commit(self) -> None:
        """Write the rows members kept of the last move into the levels, all in one assignment."""
        if self.kept:
            rows = sorted(self.kept)
            self.level[rows], self.held[rows] = self.moved.level[rows], self.moved.held[rows]
            self.kept = set()

    def move(self, reading: WorldReading) -> Moved:
        """Every member's pressure after today's risk and lobbying on `reading` (members it reads)."""
        self.commit()
        self.align(reading.seen.order)
        level, held = self.level.copy(), self.held.copy()
        for board_key, (rows, at, memory) in self.groups(reading.rows.at).items():
            board = reading.risk_board(*board_key)
            move_rows(level, held, rows, at, memory, board.active, board.score, reading.rows.lobbying)
        act = self.acts if len(self.acts) == len(level) else self.member_acts()
        return Moved(reading, level, held, pressed_lines(level, held, act, self.lines, reading.seen.rank))

    def groups(self, rows_at: dict[str, int]) -> dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """The members a reading's rows hold, by the parameters of their risk board.

        Per group: the members' book rows, their reading rows and (n, 1) memories; worked out
        again when the members or the reading's rows change.
        """
        if self.grouped_rows is not rows_at or len(self.grouped_members) != len(self.members):
            groups: dict[tuple, list[tuple[Member, int]]] = {}
            for country, member in self.members.items():
                if country in rows_at:
                    board = (member.adversary_trust, member.weights)
                    groups.setdefault(board, []).append((member, rows_at[country]))
            self.grouped = {
                board: (
                    np.array([m.row for m, _ in group]),
                    np.array([at for _, at in group]),
                    np.array([[m.memory] for m, _ in group]),
                )
                for board, group in groups.items()
            }
            self.grouped_rows, self.grouped_members = rows_at, list(self.members)
        return self.grouped

    def member_acts(self) -> np.ndarray:
        """(members, 1) the pressure at which each member's government acts."""
        self.acts = np.array([[m.act] for m in self.members.values()])
        return self.acts

    def align(self, lines: list[Line]) -> None:
        """Carry the levels over to the reading's lines, by name, if they are not the same lines."""
        if self.lines is lines:
            return
        if self.lines == lines:
            self.lines = lines
            return
        old = {line: k for k, line in enumerate(self.lines)}
        at = np.array([old.get(line, -1) for line in lines], dtype=np.int64)
        found = at >= 0
        level = np.zeros((len(self.members), len(lines)))
        held = np.zeros((len(self.members), len(lines)), dtype=bool)
        held[:, found] = self.held[:, at[found]]
        level[:, found] = np.where(held[:, found], self.level[:, at[found]], 0.0)
        self.lines, self.level, self.held = lines, level, held


@nb.njit(cache=True, nogil=True)
def move_rows(level, held, rows, at, memory, active, score, lobbying):  # pragma: no cover
    """Book rows `rows` (reading rows `at`, (n, 1) `memory`) moved by risk and lobbying, in place.

    Element by element what the array rule did: the level kept is `memory` of the last; it jumps
    to the risk's score where the line is at risk and the score is not below it (a NaN level
    jumps); louder lobbying raises it; a line is held once at risk or lobbied for.
    """
    for i in range(len(rows)):
        r, a = rows[i], at[i]
        for k in range(level.shape[1]):
            kept = memory[i, 0] * level[r, k]  # a line without a level holds 0 (and keeps it)
            raised = score[a, k] if active[a, k] and not kept > score[a, k] else kept
            louder = lobbying[a, k] > raised
            level[r, k] = lobbying[a, k] if louder else raised
            held[r, k] = held[r, k] or active[a, k] or louder


def pressed_lines(
    level: np.ndarray, held: np.ndarray, act: np.ndarray, lines: list[Line], rank: np.ndarray
) -> list[list[tuple[Line, float]]]:
    """Per row, the lines where the pressure reaches the row's `act`: most pressed first, ties by `rank`."""
    rows, ks = np.nonzero(held & (level >= act))
    order = np.lexsort((rank[ks], -level[rows, ks], rows))
    rows, ks = rows[order], ks[order]
    levels = level[rows, ks].tolist()
    pressed: list[list[tuple[Line, float]]] = [[] for _ in range(len(level))]
    for r, k, value in zip(rows.tolist(), ks.tolist(), levels, strict=True):
        pressed[r].append((lines[k], value))
    return pressed
