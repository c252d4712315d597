"""Persistence of a classroom session in SQLite (stdlib sqlite3, WAL, synchronous=FULL).

Every submission and every resolved turn is committed before the server acknowledges it, so a
crash loses nothing a client was told is safe. The database holds:

- `meta`: the scenario content, seed, teams, code digests, phase and seats (JSON values);
- `submissions`: every submission as received and judged, unique per (team, submission id);
- `turns`: every resolved turn — the orders used, who got default orders, the actions carried
  out, the state hash and the public snapshot; an undone turn is kept with `undone = 1`;
- `messages`, `injections` and `journal` (instructor commands, seat changes, connections).

A session is restored by replaying the active turns' orders and checking each state hash.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import msgspec

DATABASE_NAME = "session.sqlite"
PRIVATE_DIRECTORY = 0o700  # the state folder holds code digests, chat and orders: owner only
PRIVATE_FILE = 0o600
SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, team TEXT NOT NULL, turn INTEGER NOT NULL,
    submission_id TEXT NOT NULL, actions TEXT NOT NULL, verdicts TEXT NOT NULL,
    received_at REAL NOT NULL, name TEXT NOT NULL DEFAULT '', reasoning TEXT NOT NULL DEFAULT '',
    withdrawn INTEGER NOT NULL DEFAULT 0, UNIQUE (team, submission_id));
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT, turn INTEGER NOT NULL, date TEXT NOT NULL,
    state_hash TEXT NOT NULL, orders TEXT NOT NULL, defaulted TEXT NOT NULL, seats TEXT NOT NULL,
    actions TEXT NOT NULL, events TEXT NOT NULL, snapshot TEXT NOT NULL,
    resolved_at REAL NOT NULL, undone INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT, turn INTEGER NOT NULL, sender TEXT NOT NULL,
    recipient TEXT NOT NULL, text TEXT NOT NULL, sent_at REAL NOT NULL, name TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS injections (
    id INTEGER PRIMARY KEY AUTOINCREMENT, turn INTEGER NOT NULL, event TEXT NOT NULL,
    made_at REAL NOT NULL, withdrawn INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, turn INTEGER NOT NULL,
    actor TEXT NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL);
"""
# Columns added after the first release, added to older databases when they are opened.
ADDED_COLUMNS = (
    ("submissions", "name", "TEXT NOT NULL DEFAULT ''"),
    ("submissions", "reasoning", "TEXT NOT NULL DEFAULT ''"),
    ("messages", "name", "TEXT NOT NULL DEFAULT ''"),
    ("injections", "withdrawn", "INTEGER NOT NULL DEFAULT 0"),
    ("submissions", "withdrawn", "INTEGER NOT NULL DEFAULT 0"),
)


def private_file(path: Path) -> None:
    """Make `path` readable by its owner only; SQLite gives its -wal and -shm the same mode."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))
    path.chmod(PRIVATE_FILE)
    for companion in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if companion.exists():
            companion.chmod(PRIVATE_FILE)


class StoreError(RuntimeError):
    """A state directory without a usable session database."""


class SubmissionRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One stored submission: its accepted actions and the verdict on each action sent."""

    team: str
    turn: int
    submission_id: str
    actions: list[dict[str, Any]]
    verdicts: list[str | None]
    received_at: float
    name: str = ""
    reasoning: str = ""


class TurnRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One resolved turn.

    Attributes:
        turn: the turn played (0-based); `date` its quarter.
        state_hash: the engine's state hash after the turn.
        orders: per team that submitted, the submission id and its accepted actions.
        defaulted: teams played by their AI doctrine this turn (silent or replaced).
        seats: 'human' or 'ai' per team when the turn was resolved.
        actions: every action the engine carried out (all countries), as the engine logs them.
        events: the events of the turn.
        snapshot: the public WorldSnapshot after the turn (JSON text).

    """

    turn: int
    date: str
    state_hash: str
    orders: dict[str, dict[str, Any]]
    defaulted: list[str]
    seats: dict[str, str]
    actions: list[dict[str, Any]]
    events: list[dict[str, Any]]
    snapshot: str
    resolved_at: float = 0.0


class Store:
    """The session database of a state directory; every method is atomic and thread-safe."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.lock = threading.Lock()
        self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(SCHEMA)
        self.add_missing_columns()

    def add_missing_columns(self) -> None:
        """Bring a database written by an older critmin up to the current columns."""
        for table, column, declaration in ADDED_COLUMNS:
            present = {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}
            if column not in present:
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")

    @classmethod
    def in_directory(cls, directory: Path, *, create: bool) -> Store:
        """The store of a state directory; `create` makes the directory and database if needed."""
        directory = Path(directory)
        path = directory / DATABASE_NAME
        if not create and not path.is_file():
            raise StoreError(f"{directory}: no classroom session here (missing {DATABASE_NAME})")
        if not directory.is_dir():  # a folder given that exists keeps its mode; the files are private
            directory.mkdir(mode=PRIVATE_DIRECTORY, parents=True, exist_ok=True)
            directory.chmod(PRIVATE_DIRECTORY)
        private_file(path)
        return cls(path)

    def close(self) -> None:
        """Close the database."""
        with self.lock:
            self.db.close()

    def write(self, sql: str, parameters: tuple = ()) -> int:
        """Run one statement in its own committed transaction; returns the row id."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                cursor = self.db.execute(sql, parameters)
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            return cursor.lastrowid or 0

    def rows(self, sql: str, parameters: tuple = ()) -> list[tuple]:
        """Rows of a query."""
        with self.lock:
            return self.db.execute(sql, parameters).fetchall()

    # --- meta ---------------------------------------------------------------------------

    def is_new(self) -> bool:
        """True when no session was created here yet."""
        return not self.rows("SELECT 1 FROM meta WHERE key = 'scenario_content'")

    def set_meta(self, **values: Any) -> None:
        """Store session facts (JSON values), all in one transaction."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                [(k, json.dumps(v)) for k, v in values.items()],
            )
            self.db.execute("COMMIT")

    def meta(self) -> dict[str, Any]:
        """Every stored session fact."""
        return {key: json.loads(value) for key, value in self.rows("SELECT key, value FROM meta")}

    # --- submissions --------------------------------------------------------------------

    def add_submission(self, record: SubmissionRecord) -> None:
        """Store a submission (committed when this returns)."""
        self.write(
            "INSERT INTO submissions (team, turn, submission_id, actions, verdicts, received_at, name, "
            "reasoning) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.team,
                record.turn,
                record.submission_id,
                json.dumps(record.actions),
                json.dumps(record.verdicts),
                record.received_at,
                record.name,
                record.reasoning,
            ),
        )

    def submission(self, team: str, submission_id: str) -> SubmissionRecord | None:
        """A stored submission by team and id."""
        found = self.submissions("WHERE team = ? AND submission_id = ?", (team, submission_id))
        return found[0] if found else None

    def submissions(self, where: str = "", parameters: tuple = ()) -> list[SubmissionRecord]:
        """Stored submissions in arrival order, optionally filtered by an SQL WHERE clause."""
        rows = self.rows(
            "SELECT team, turn, submission_id, actions, verdicts, received_at, name, reasoning "
            f"FROM submissions {where} ORDER BY id",
            parameters,
        )
        return [
            SubmissionRecord(
                team=r[0],
                turn=r[1],
                submission_id=r[2],
                actions=json.loads(r[3]),
                verdicts=json.loads(r[4]),
                received_at=r[5],
                name=r[6],
                reasoning=r[7],
            )
            for r in rows
        ]

    def standing_orders(self, turn: int) -> dict[str, SubmissionRecord]:
        """The latest submission of each team for a turn."""
        return {
            record.team: record for record in self.submissions("WHERE turn = ? AND withdrawn = 0", (turn,))
        }

    # --- turns --------------------------------------------------------------------------

    def add_turn(self, record: TurnRecord) -> None:
        """Store a resolved turn (committed when this returns)."""
        self.write(
            "INSERT INTO turns (turn, date, state_hash, orders, defaulted, seats, actions, events, "
            "snapshot, resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.turn,
                record.date,
                record.state_hash,
                json.dumps(record.orders),
                json.dumps(record.defaulted),
                json.dumps(record.seats),
                json.dumps(record.actions),
                json.dumps(record.events),
                record.snapshot,
                record.resolved_at or time.time(),
            ),
        )

    def turns(self, *, with_snapshots: bool = False, undone: bool = False) -> list[TurnRecord]:
        """Active resolved turns in order (or the undone ones); snapshots only if asked."""
        snapshot = "snapshot" if with_snapshots else "''"
        rows = self.rows(
            f"SELECT turn, date, state_hash, orders, defaulted, seats, actions, events, {snapshot}, "
            "resolved_at FROM turns WHERE undone = ? ORDER BY id",
            (int(undone),),
        )
        return [
            TurnRecord(
                turn=r[0],
                date=r[1],
                state_hash=r[2],
                orders=json.loads(r[3]),
                defaulted=json.loads(r[4]),
                seats=json.loads(r[5]),
                actions=json.loads(r[6]),
                events=json.loads(r[7]),
                snapshot=r[8],
                resolved_at=r[9],
            )
            for r in rows
        ]

    def undo_last_turn(self) -> int | None:
        """Undo the last active turn (see `undo_turns_from`); returns its turn number, or None if none."""
        last = self.rows("SELECT turn FROM turns WHERE undone = 0 ORDER BY id DESC LIMIT 1")
        if not last:
            return None
        self.undo_turns_from(int(last[0][0]))
        return int(last[0][0])

    def undo_turns_from(self, turn: int) -> int:
        """Undo every active turn from `turn` on, in one transaction; returns how many.

        The events injected into those turns are withdrawn, and so are the orders sent for the
        turns after `turn` (they belong to a timeline that no longer exists); `turn`'s own orders
        stand again.
        """
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                count = self.db.execute(
                    "UPDATE turns SET undone = 1 WHERE undone = 0 AND turn >= ?", (turn,)
                ).rowcount
                self.db.execute(
                    "UPDATE injections SET withdrawn = 1 WHERE withdrawn = 0 AND turn >= ?", (turn,)
                )
                self.db.execute(
                    "UPDATE submissions SET withdrawn = 1 WHERE withdrawn = 0 AND turn > ?", (turn,)
                )
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
        return int(count)

    # --- messages, injections, journal --------------------------------------------------

    def add_message(self, turn: int, sender: str, recipient: str, text: str, name: str = "") -> None:
        """Log a chat message (`name`: the person who sent it)."""
        self.write(
            "INSERT INTO messages (turn, sender, recipient, text, sent_at, name) VALUES (?, ?, ?, ?, ?, ?)",
            (turn, sender, recipient, text, time.time(), name),
        )

    def messages(self) -> list[dict[str, Any]]:
        """Every chat message in order."""
        rows = self.rows("SELECT turn, sender, recipient, text, sent_at, name FROM messages ORDER BY id")
        return [dict(zip(("turn", "sender", "to", "text", "sent_at", "name"), r, strict=True)) for r in rows]

    def add_injection(self, turn: int, event: dict[str, Any]) -> None:
        """Record an event the instructor injected for a turn."""
        self.write(
            "INSERT INTO injections (turn, event, made_at) VALUES (?, ?, ?)",
            (turn, json.dumps(event), time.time()),
        )

    def injections(self) -> list[dict[str, Any]]:
        """Injected events still standing (scenario event records) in order."""
        rows = self.rows("SELECT event FROM injections WHERE withdrawn = 0 ORDER BY id")
        return [json.loads(r[0]) for r in rows]

    def withdraw_injection(self, turn: int, title: str) -> bool:
        """Withdraw the latest standing injection of a turn with that title; False if none."""
        for row_id, event in self.rows(
            "SELECT id, event FROM injections WHERE withdrawn = 0 AND turn = ? ORDER BY id DESC", (turn,)
        ):
            if json.loads(event).get("title") == title:
                self.write("UPDATE injections SET withdrawn = 1 WHERE id = ?", (row_id,))
                return True
        return False

    def log(self, turn: int, actor: str, kind: str, detail: str = "") -> None:
        """Journal an instructor command, a seat change or a connection."""
        self.write(
            "INSERT INTO journal (at, turn, actor, kind, detail) VALUES (?, ?, ?, ?, ?)",
            (time.time(), turn, actor, kind, detail),
        )

    def journal(self) -> list[dict[str, Any]]:
        """The journal in order."""
        rows = self.rows("SELECT at, turn, actor, kind, detail FROM journal ORDER BY id")
        return [dict(zip(("at", "turn", "actor", "kind", "detail"), r, strict=True)) for r in rows]
