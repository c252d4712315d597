"""RemoteWorld: a seat in a classroom session, as a WorldView (core/world_view.py).

The pygame screens written against `WorldView` (outline, snapshot, observe, legal actions,
check, submit, events, tables) play a network seat by taking a RemoteWorld instead of a
WorldModel, and its `RoomView` calls show the room. The network runs in a background thread;
every call here is synchronous and safe from the UI's thread. The world shown moves on when
`poll()` takes in what arrived (a new State after each resolved turn, Progress, chat), so a
frame never mixes two turns; the news and price history are gathered from the snapshots taken
in. `step()` is refused: the instructor moves the clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import secrets
import threading
import time
from collections.abc import Sequence
from typing import Any

import msgspec

from critmin.classroom import protocol as p
from critmin.classroom.client import SessionClient, new_submission_id
from critmin.classroom.seen import SeenTurns
from critmin.core.actions import ActionBase
from critmin.core.events import Event
from critmin.core.outline import WorldOutline
from critmin.core.snapshot import WorldSnapshot
from critmin.core.world_view import CommandOutcome, RoomError, RoomNotice, RoomTimeoutError


class RemoteError(RoomError):
    """A request the server refused or did not answer in time."""


class RemoteTimeoutError(RemoteError, RoomTimeoutError):
    """The server did not answer in time (the link may be down; submissions are resent on rejoin)."""


class RemoteWorld:
    """A team's (or the instructor's) seat in a remote session: a WorldView and a RoomView.

    Args:
        address: 'HOST:PORT' of the session server.
        code: the seat's join code.
        snapshot: receive the world snapshot with each state (the map and flows need it).

    """

    def __init__(
        self,
        address: str,
        code: str,
        *,
        snapshot: bool = True,
        timeout: float = 15.0,
        label: str = "join",
        retry_for: float = 60.0,
        name: str = "",
    ) -> None:
        self.client = SessionClient(
            address, code, snapshot=snapshot, label=label, retry_for=retry_for, name=name
        )
        self.timeout = timeout
        self.inbox: queue.Queue[p.ServerMessage] = queue.Queue()
        self.waiters: dict[str, asyncio.Future] = {}
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="critmin-remote", daemon=True)
        self.decoded: dict[tuple[int, str], object] = {}
        self.current: p.State | None = None  # the State the world shows (taken in by poll)
        self.heard_at = time.monotonic()  # when the last State or Progress was taken in
        self.seen = SeenTurns()
        self.verdicts: dict[tuple[int, bytes], str | None] = {}

    # --- connection ---------------------------------------------------------------------

    def connect(self) -> RemoteWorld:
        """Join the session and wait for its first State (raises JoinError / ConnectionLostError)."""
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.client.open(), self.loop).result(self.client.retry_for + 10)
        asyncio.run_coroutine_threadsafe(self.receive_forever(), self.loop)
        deadline = time.monotonic() + self.timeout
        while self.client.state is None:  # the server sends the State right after the Welcome
            if time.monotonic() > deadline:
                raise RemoteError("the server sent no state after the welcome")
            time.sleep(0.01)
        self.take_in(self.client.state)
        return self

    def close(self) -> None:
        """Leave the session and stop the network thread."""
        if not self.thread.is_alive():
            return
        with contextlib.suppress(TimeoutError, RuntimeError, OSError):  # the link may be gone already
            asyncio.run_coroutine_threadsafe(self.client.close(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    async def receive_forever(self) -> None:
        """Deliver messages to the inbox and answer waiting requests."""
        while True:
            message = await self.client.recv()
            reference = (
                getattr(message, "submission_id", "")
                or getattr(message, "ref", "")
                or getattr(message, "request_id", "")
            )
            waiter = self.waiters.pop(reference, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(message)
            self.inbox.put(message)

    def request(self, send, reference: str) -> p.ServerMessage:
        """Send something and wait for the answer carrying `reference`."""

        async def exchange():
            self.waiters[reference] = self.loop.create_future()
            await send()
            return await self.waiters[reference]

        try:
            return asyncio.run_coroutine_threadsafe(exchange(), self.loop).result(self.timeout)
        except TimeoutError:
            raise RemoteTimeoutError("the server did not answer in time") from None

    def drain(self) -> list[tuple[p.ServerMessage, bool]]:
        """The messages received since the last call, oldest first (each State taken in).

        With each message, whether it moved the world shown (a new turn, or an undo).
        """
        messages = []
        while not self.inbox.empty():
            message = self.inbox.get_nowait()
            if isinstance(message, p.State | p.Progress):
                self.heard_at = time.monotonic()
            moved = self.take_in(message) if isinstance(message, p.State) else False
            messages.append((message, moved))
        return messages

    def take_in(self, state: p.State) -> bool:
        """Show `state` from now on, keeping its snapshot's news and figures; True if the world moved."""
        self.current = state
        moved = self.seen.take_in(state.turn, self.cached("snapshot", p.decode_snapshot))
        if moved:
            self.verdicts = {}
        return moved

    # --- the session ----------------------------------------------------------------------

    @property
    def welcome(self) -> p.Welcome:
        """The server's Welcome: role, session, team and the scenario's outline."""
        if self.client.welcome is None:
            raise RemoteError("not joined yet")
        return self.client.welcome

    @property
    def is_instructor(self) -> bool:
        """True when this seat is the instructor's."""
        return self.welcome.role == "instructor"

    @property
    def seat(self) -> str:
        """The team's code ('' for the instructor)."""
        return self.client.team or ""

    @property
    def title(self) -> str:
        """The session's title."""
        return self.welcome.session.title

    @property
    def teams(self) -> list[str]:
        """The teams' seats, in order."""
        return list(self.welcome.session.teams)

    @property
    def team_names(self) -> dict[str, str]:
        """Each team's name."""
        return dict(self.welcome.session.team_names)

    @property
    def turns_total(self) -> int:
        """Turns in the session."""
        return self.state().turns_total

    @property
    def phase(self) -> str:
        """lobby, open, paused, resolving or finished."""
        return self.client.phase

    @property
    def linked(self) -> bool:
        """True while connected to the server."""
        return self.client.ws is not None

    def role_briefs(self) -> list[str]:
        """The team's role cards as 'title: brief' (none without a teaching pack)."""
        card = self.welcome.role_card or {}
        return [f"{role['title']}: {role['brief']}" for role in card.get("roles", [])]

    def injects(self) -> list[str]:
        """The pack's named events (the instructor's Welcome lists them)."""
        pack = self.welcome.pack or {}
        return [inject["id"] for inject in pack.get("injects", [])]

    def state(self) -> p.State:
        """The State the world shows (the latest taken in)."""
        if self.current is None:
            raise RemoteError("no state received yet")
        return self.current

    def poll(self) -> list[RoomNotice]:
        """What arrived since the last poll, in words; the world shown moves on with it."""
        notices = []
        for message, moved in self.drain():
            if moved:
                notices.append(RoomNotice("turn", message.date))  # type: ignore[union-attr]
            elif isinstance(message, p.ChatMessage):
                notices.append(RoomNotice("chat", f"{message.sender} to {message.to}: {message.text}"))
            elif isinstance(message, p.Error) and not message.ref:
                notices.append(RoomNotice("error", message.reason))
        return notices

    def seconds_left(self) -> float | None:
        """Seconds left in the turn shown, run down since the last State or Progress (None: no clock)."""
        client = self.client
        latest = client.progress if client.progress is not None else client.state
        if latest is None or latest.turn != self.turn or latest.deadline_in is None:
            return None
        if client.phase != "open":
            return latest.deadline_in
        return max(latest.deadline_in - (time.monotonic() - self.heard_at), 0.0)

    def seats(self) -> dict[str, str]:
        """'human' or 'ai' per team."""
        client = self.client
        progress = client.progress
        if progress is not None and client.state is not None and progress.turn == client.state.turn:
            return progress.seats
        return client.state.seats if client.state is not None else {}

    def connected(self) -> dict[str, int]:
        """Open connections per seat, as last heard (empty until a Progress arrives)."""
        progress = self.client.progress
        return dict(progress.connected) if progress is not None else {}

    def submitted(self) -> list[str]:
        """Teams whose orders for the open turn are in, as last heard."""
        return list(self.client.submitted())

    def command(self, name: str, **fields: Any) -> CommandOutcome:
        """An instructor's command (start, pause, resume, advance, extend, inject, replace, …).

        Raises:
            RemoteError: the server refused it or did not answer in time.

        """
        request_id = secrets.token_hex(6)
        message = p.Command(command=name, request_id=request_id, **fields)  # type: ignore[arg-type]
        answer = self.request(lambda: self.client.send(message), request_id)
        if isinstance(answer, p.Error):
            raise RemoteError(answer.reason)
        return CommandOutcome(answer.ok, answer.detail)  # type: ignore[union-attr]

    def say(self, to: str, text: str) -> None:
        """Send a chat message to 'all', a team, or 'instructor'."""
        asyncio.run_coroutine_threadsafe(self.client.send(p.Chat(to=to, text=text)), self.loop).result(5)

    # --- the world (WorldView) --------------------------------------------------------------

    @property
    def turn(self) -> int:
        """The open turn shown."""
        return self.state().turn

    @property
    def date(self) -> str:
        """The open turn's quarter."""
        return self.state().date

    @property
    def events(self) -> list[Event]:
        """The events of every turn whose snapshot arrived, oldest first."""
        return self.seen.events

    @property
    def action_log(self) -> list[list[dict]]:
        """Empty: the server does not tell a seat the actions carried out (the events say what happened)."""
        return []

    def outline(self) -> WorldOutline:
        """The scenario's outline, sent with the Welcome."""
        if self.welcome.world is None:
            raise RemoteError("the server sent no scenario outline: it runs an older critmin")
        return self.welcome.world

    def snapshot(self) -> WorldSnapshot:
        """The public WorldSnapshot after the last resolved turn."""
        snapshot = self.cached("snapshot", p.decode_snapshot)
        if snapshot is None:
            raise RemoteError("this seat receives no snapshots (joined with snapshot=False)")
        return snapshot

    def tables(self) -> dict[str, Any]:
        """Prices, countries' figures and events of the turns seen, as pyarrow tables."""
        return self.seen.tables()

    def observe(self, seat: str):
        """The team's Observation of the open turn; None for any other seat (and the instructor)."""
        if self.is_instructor or seat != self.seat:
            return None
        return self.cached("observation", p.decode_observation)

    def legal_actions(self, seat: str) -> list[ActionBase]:
        """The team's legal action menu for the open turn (empty for other seats)."""
        if self.is_instructor or seat != self.seat:
            return []
        return self.cached("legal", p.decode_legal)

    def cached(self, kind: str, decode):
        """Decode part of the State shown once per turn."""
        state = self.state()
        key = (state.turn, kind)
        if key not in self.decoded:
            self.decoded = {k: v for k, v in self.decoded.items() if k[0] == state.turn}
            self.decoded[key] = decode(state)
        return self.decoded[key]

    def check(self, action: ActionBase | dict) -> str | None:
        """Why the server would refuse `action` now, or None (asked once per action and turn)."""
        data = action if isinstance(action, dict) else msgspec.to_builtins(action)
        if data.get("country") != self.seat:
            return f"you play {self.seat or 'no country'}"
        key = (self.turn, msgspec.json.encode(data))
        if key not in self.verdicts and not self.linked:
            return "not connected to the server (reconnecting…)"
        if key not in self.verdicts:
            try:
                self.verdicts[key] = self.ask_check(data)
            except RemoteError as error:
                return f"the server could not check it: {error}"
        return self.verdicts[key]

    def ask_check(self, data: dict) -> str | None:
        """The server's verdict on one action."""
        reference = secrets.token_hex(6)
        message = p.Check(actions=[data], ref=reference)
        answer = self.request(lambda: self.client.send(message), reference)
        if isinstance(answer, p.Error):
            raise RemoteError(answer.reason)
        return answer.verdicts[0]  # type: ignore[union-attr]

    def submit(self, seat: str, actions: Sequence[ActionBase | dict]) -> list[str | None]:
        """Send the team's orders for the open turn (they replace earlier ones); one verdict each."""
        if seat != self.seat or self.is_instructor:
            raise PermissionError(f"a remote seat acts only for its own country ({self.seat or 'none'})")
        data = [a if isinstance(a, dict) else msgspec.to_builtins(a) for a in actions]
        turn = self.turn
        submission_id = new_submission_id(self.seat, turn)
        answer = self.request(lambda: self.client.submit(turn, data, submission_id), submission_id)
        if isinstance(answer, p.Error):
            raise RemoteError(answer.reason)
        return answer.verdicts  # type: ignore[union-attr]

    def step(self) -> None:
        """Refused: in a classroom session the instructor (or the clock) resolves turns."""
        raise RuntimeError("the instructor advances a classroom session; submit orders instead")
