"""The instructor's remote controls: one command per call, or a live `watch` of the room."""

from __future__ import annotations

import asyncio
import math
import time

from rich.console import Console, Group
from rich.live import Live
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from critmin.classroom import protocol as p
from critmin.classroom.client import JoinError, SessionClient


async def send_command(
    address: str,
    code: str,
    name: str,
    argument: str | None = None,
    *,
    turn: int | None = None,
    timeout: float = 120.0,
) -> p.CommandResult:
    """Join as the instructor, run one command, return its result."""
    fields = command_fields(name, argument, turn)  # bad arguments are refused before connecting
    client = SessionClient(address, code, snapshot=False, label="instructor", retry_for=5.0)
    await client.open()
    try:
        if client.welcome is None or client.welcome.role != "instructor":
            raise JoinError("this code is a team's, not the instructor's")
        return await client.command(name, timeout=timeout, **fields)
    finally:
        await client.close()


def command_fields(name: str, argument: str | None, turn: int | None) -> dict:
    """The Command fields of a CLI command and its argument."""
    needs = {
        "extend": "seconds",
        "inject": "event",
        "withdraw": "event",
        "replace": "team",
        "restore": "team",
        "revoke": "team",
        "rollback": "turn",
    }
    if name not in needs:
        if name == "advance" and turn is not None:
            return {"turn": bounded_turn("advance --turn", str(turn))}
        return {}
    if argument is None:
        raise ValueError(f"{name} needs {ARGUMENT_HELP.get(needs[name], 'an argument')}")
    if needs[name] == "seconds":
        return {"seconds": bounded_seconds(argument)}
    if needs[name] == "turn":
        return {"turn": bounded_turn(name, argument)}
    if needs[name] == "event" and len(argument) > p.MAX_EVENT_CHARS:
        raise ValueError(f"{name}: the event is {len(argument)} characters, at most {p.MAX_EVENT_CHARS}")
    return {needs[name]: argument.upper() if needs[name] == "team" else argument}


def bounded_seconds(argument: str) -> float:
    """The seconds of extend: a finite number in (0, MAX_EXTEND_SECONDS] (the server's bounds)."""
    try:
        seconds = float(argument)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= p.MAX_EXTEND_SECONDS:
        raise ValueError(
            f"extend needs a number of seconds above 0 and at most {p.MAX_EXTEND_SECONDS:g}, got {argument!r}"
        )
    return seconds


def bounded_turn(name: str, argument: str) -> int:
    """A turn number: a whole number from 0."""
    try:
        turn = int(argument)
    except ValueError:
        turn = -1
    if turn < 0:
        raise ValueError(f"{name} needs a turn number, got {argument!r} (turns count from 0)")
    return turn


ARGUMENT_HELP = {"seconds": "a number of seconds", "turn": "a turn number", "team": "a team (ISO3)"}


def status_table(status: p.Status) -> Table:
    """The seats as a table: who plays, who is connected, whose orders are in."""
    left = f", {status.deadline_in:.0f} s left" if status.deadline_in is not None else ""
    title = (
        f"{status.scenario} — turn {status.turn}/{status.turns_total} ({status.date}), {status.phase}{left}"
    )
    table = Table("team", "name", "seat", "connected", "orders", title=title)
    for team in status.teams:
        orders = (
            "[green]in[/]"
            if team.submitted
            else ("[dim]AI[/]" if team.seat == "ai" else "[yellow]waiting[/]")
        )
        table.add_row(team.team, escape(team.name), team.seat, str(team.connected), orders)
    if status.last_defaulted:
        table.caption = f"last turn's default orders: {', '.join(status.last_defaulted)}"
    return table


async def watch(address: str, code: str, console: Console) -> None:
    """A live view of the room: seats, countdown and the chat, until Ctrl-C."""
    client = SessionClient(address, code, snapshot=False, label="instructor-watch", retry_for=3600.0)
    await client.open()
    chat: list[str] = []
    received_at = time.monotonic()
    with Live(console=console, refresh_per_second=2) as live:
        while True:
            message = await client.recv_within(1.0)
            if isinstance(message, p.ChatMessage):
                chat = [*chat[-9:], f"[{message.turn}] {message.sender} → {message.to}: {message.text}"]
            elif isinstance(message, p.State | p.Progress):
                received_at = time.monotonic()
            if client.state is not None:
                view = status_table(status_of(client, time.monotonic() - received_at))
                live.update(Group(view, Text("\n".join(chat))))


def status_of(client: SessionClient, elapsed: float) -> p.Status:
    """The room's status as an instructor's client last heard it, the countdown run down."""
    state, progress, info = client.state, client.progress, client.welcome.session  # type: ignore[union-attr]
    assert state is not None
    latest = progress if progress is not None and progress.turn == state.turn else None
    seats = latest.seats if latest else state.seats
    connected = latest.connected if latest else {}
    deadline = (latest or state).deadline_in
    phase = client.phase
    if deadline is not None and phase == "open":
        deadline = max(deadline - elapsed, 0.0)
    teams = [
        p.TeamStatus(
            team=t,
            name=info.team_names.get(t, t),
            seat=seats.get(t, "human"),  # type: ignore[arg-type]
            connected=connected.get(t, 0),
            submitted=t in client.submitted(),
        )
        for t in info.teams
    ]
    return p.Status(
        scenario=info.scenario,
        phase=phase,
        turn=state.turn,
        date=state.date,  # type: ignore[arg-type]
        turns_total=state.turns_total,
        deadline_in=deadline,
        teams=teams,
        instructors=connected.get("instructor", 0),
        state_hash="",
        resolved_turns=state.turn,
        last_defaulted=state.last_defaulted,
    )


def run_watch(address: str, code: str, console: Console) -> None:
    """Run `watch` until interrupted."""
    asyncio.run(watch(address, code, console))
