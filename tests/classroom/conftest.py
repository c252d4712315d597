"""Classroom test helpers: real server and bot processes on loopback, bounded waits."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from critmin.classroom.client import SessionClient
from critmin.classroom.instructor import send_command
from tests.conftest import TINY
from tests.waiting import wait_for

HOST = "127.0.0.1"
START_TIMEOUT_S = 120.0  # a server dying is seen at once; a cold numba cache on a loaded machine took 100 s
CRITMIN = [sys.executable, "-c", "import sys; from critmin.cli import main; sys.exit(main())"]


def die_with_parent() -> None:
    """In a child process: get SIGTERM if the test process dies (Linux), so nothing is orphaned."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def run(coroutine, timeout: float = 30.0):
    """Run a coroutine with a time limit."""

    async def limited():
        async with asyncio.timeout(timeout):
            return await coroutine

    return asyncio.run(limited())


class ServerProcess:
    """A `critmin serve` subprocess on loopback, its state directory and join codes."""

    def __init__(self, state: Path, scenario: str | Path, teams: str, *extra: str) -> None:
        self.state, self.scenario, self.teams, self.extra = state, str(scenario), teams, extra
        self.codes_path = state / "codes.json"  # where the server writes the join codes
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.starts = 0

    def start(self, *, resume: bool = False) -> ServerProcess:
        """Start (or resume) the server and wait until it listens."""
        ready = self.state / "server.json"
        ready.unlink(missing_ok=True)
        args = [
            *CRITMIN,
            "serve",
            self.scenario,
            "--teams",
            self.teams,
            "--state",
            str(self.state),
            "--host",
            HOST,
            "--port",
            str(self.port),
            *self.extra,
            *(["--resume"] if resume else []),
        ]
        self.starts += 1
        log = (self.state.parent / f"{self.state.name}-server-{self.starts}.log").open("w")
        self.process = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent
        )
        try:
            info = wait_for(lambda: self.ready_info(ready), START_TIMEOUT_S, what="the server to listen")
        except BaseException:
            self.kill()  # a server that did not come up in time is not left running
            raise
        self.port = info["port"]
        return self

    def ready_info(self, ready: Path) -> dict | None:
        """The ready file's content once the server wrote it (fails if the process died)."""
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"server exited with {self.process.returncode}: {self.log_text()}")
        if not ready.is_file():
            return None
        info = json.loads(ready.read_text())
        return info if info["pid"] == self.process.pid else None  # type: ignore[union-attr]

    def log_text(self) -> str:
        """The latest server log."""
        return (self.state.parent / f"{self.state.name}-server-{self.starts}.log").read_text()

    @property
    def address(self) -> str:
        """HOST:PORT."""
        return f"{HOST}:{self.port}"

    @property
    def codes(self) -> dict[str, str]:
        """The join codes as the codes file holds them now."""
        return json.loads(self.codes_path.read_text())

    def kill(self, signum: int = signal.SIGKILL) -> None:
        """Signal the server and wait for it to exit."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signum)
            self.process.wait(timeout=15)

    def instructor(self, command: str, argument: str | None = None, **fields):
        """Run an instructor command in-process; returns the CommandResult."""
        return run(send_command(self.address, self.codes["instructor"], command, argument, **fields))

    def status(self):
        """The session's status."""
        return self.instructor("status").status


def start_bot(server: ServerProcess, team: str, ack_log: Path, *extra: str) -> subprocess.Popen:
    """A `critmin bot` subprocess for a team."""
    log = ack_log.with_suffix(".log").open("w")
    args = [*CRITMIN, "bot", server.address, "--code", server.codes[team], "--ack-log", str(ack_log), *extra]
    return subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)


def stop(processes: list[subprocess.Popen]) -> None:
    """Terminate processes we started (each by its own id) and reap them."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def read_acks(paths: list[Path]) -> list[dict]:
    """Every acknowledgement the bots logged (whole lines only: a bot may be writing the next one)."""
    rows = []
    for path in paths:
        if path.is_file():
            lines = path.read_text().splitlines(keepends=True)
            rows += [json.loads(line) for line in lines if line.endswith("\n") and line.strip()]
    return rows


def acked_teams(paths: list[Path], turn: int) -> set[str]:
    """The teams whose bots logged an acknowledgement for `turn`."""
    return {ack["team"] for ack in read_acks(paths) if ack["turn"] == turn}


async def joined(server: ServerProcess, seat: str, **kwargs) -> SessionClient:
    """An open client for a seat (its Welcome read; its first State is the next message)."""
    client = SessionClient(server.address, server.codes[seat], retry_for=5.0, **kwargs)
    await client.open()
    return client


async def next_of(client: SessionClient, kind: type, timeout: float = 10.0):
    """The next message of a type (others skipped)."""
    async with asyncio.timeout(timeout):
        while True:
            message = await client.recv()
            if isinstance(message, kind):
                return message


@pytest.fixture(scope="module")
def tiny_server(tmp_path_factory):
    """A live tiny-world server (CHN, IND, AUS), started by the instructor."""
    server = ServerProcess(tmp_path_factory.mktemp("tiny") / "state", TINY, "CHN,IND,AUS").start()
    assert server.instructor("start").ok
    yield server
    server.kill(signal.SIGTERM)


# --- the acceptance session: six teams, one silent, a crash mid-turn ----------------------

SCENARIO = "china-ree-controls-2025"
TEAMS = ["IND", "CHN", "USA", "JPN", "EUU", "AUS"]
SILENT = "AUS"
BOT_TEAMS = [t for t in TEAMS if t != SILENT]
TURNS = 5
KILL_TURN = 2


class PlayedSession:
    """What the acceptance session left: the server, the bots' acknowledgement logs, observations."""

    def __init__(self, server: ServerProcess, ack_logs: list[Path]) -> None:
        self.server = server
        self.ack_logs = ack_logs
        self.acked_before_kill: list[dict] = []
        self.status_after_resume = None
        self.advances: list = []
        self.bot_exit_codes: list[int | None] = []

    def acks(self) -> list[dict]:
        """Every acknowledgement the bots received."""
        return read_acks(self.ack_logs)


def submitted_bots(server: ServerProcess, turn: int) -> set[str]:
    """Bot teams whose orders for `turn` are in."""
    status = server.status()
    if status.turn != turn:
        return set()
    return {t.team for t in status.teams if t.submitted} & set(BOT_TEAMS)


def crash_and_resume(played: PlayedSession, turn: int) -> None:
    """SIGKILL the server once some orders of the turn are in, then restart it with --resume."""
    server = played.server
    # the bots' logs, not the server's status: an order stored but not yet acknowledged to its bot
    # when the server dies is acknowledged only after the resume
    wait_for(lambda: len(acked_teams(played.ack_logs, turn)) >= 2, what="acks before the crash")
    server.kill(signal.SIGKILL)
    played.acked_before_kill = played.acks()
    server.start(resume=True)
    played.status_after_resume = server.status()


def play(played: PlayedSession) -> None:
    """Five turns: bots submit, AUS stays silent, the instructor advances; a crash mid-turn."""
    server = played.server
    assert server.instructor("start").ok
    for turn in range(TURNS):
        if turn == KILL_TURN:
            crash_and_resume(played, turn)
        wait_for(
            lambda t=turn: submitted_bots(server, t) == set(BOT_TEAMS), timeout=60, what=f"turn {turn} orders"
        )
        played.advances.append(server.instructor("advance", turn=turn))


@pytest.fixture(scope="session")
def played_session(tmp_path_factory) -> PlayedSession:
    """The acceptance session, played once for the tests that check it."""
    root = tmp_path_factory.mktemp("classroom")
    server = ServerProcess(root / "state", SCENARIO, ",".join(TEAMS)).start()
    logs = [root / f"{team}.acks" for team in BOT_TEAMS]
    bots = [
        start_bot(server, team, log, "--until-turn", str(TURNS), "--think", "0.4")
        for team, log in zip(BOT_TEAMS, logs, strict=True)
    ]
    played = PlayedSession(server, logs)
    try:
        play(played)
        for bot in bots:
            bot.wait(timeout=60)
        played.bot_exit_codes = [bot.returncode for bot in bots]
    finally:
        stop(bots)
        server.kill(signal.SIGTERM)
    return played
