"""RemoteWorld: a classroom session seen through the same calls a front end makes on a model.

A pygame scene written against `observe`, `snapshot`, `legal_actions`, `check` and `submit`
can play a network seat by taking a RemoteWorld instead of a WorldModel. The network runs in a
background thread; every call here is synchronous and safe from the UI's thread. `poll()`
returns what arrived since the last call (new State after each resolved turn, Progress, chat),
so the UI's loop knows when to redraw. `step()` is refused: the instructor moves the clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import secrets
import threading
import time
from collections.abc import Sequence

import msgspec

from critmin.classroom import protocol as p
from critmin.classroom.client import SessionClient, new_submission_id
from critmin.core.actions import ActionBase


class RemoteError(RuntimeError):
    """A request the server refused or did not answer in time."""


class RemoteTimeoutError(RemoteError):
    """The server did not answer in time (the link may be down; submissions are resent on rejoin)."""


class RemoteWorld:
    """A team's seat in a remote session, with a model-like API.

    Args:
        address: 'HOST:PORT' of the session server.
        code: the team's join code.
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

    # --- the model-like API -------------------------------------------------------------

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

    def command(self, name: str, **fields) -> p.CommandResult:
        """An instructor's command (start, pause, resume, advance, extend, inject, replace, …).

        Raises:
            RemoteError: the server refused it or did not answer in time.

        """
        request_id = secrets.token_hex(6)
        message = p.Command(command=name, request_id=request_id, **fields)  # type: ignore[arg-type]
        answer = self.request(lambda: self.client.send(message), request_id)
        if isinstance(answer, p.Error):
            raise RemoteError(answer.reason)
        return answer  # type: ignore[return-value]

    @property
    def country(self) -> str:
        """The team's ISO3 code."""
        return self.client.team or ""

    @property
    def turn(self) -> int:
        """The open turn."""
        return self.state().turn

    @property
    def date(self) -> str:
        """The open turn's quarter."""
        return self.state().date

    @property
    def phase(self) -> str:
        """lobby, open, paused, resolving or finished."""
        return self.client.phase

    def state(self) -> p.State:
        """The latest State."""
        if self.client.state is None:
            raise RemoteError("no state received yet")
        return self.client.state

    def observe(self, country: str):
        """The team's Observation of the open turn (only its own country)."""
        if country != self.country:
            raise PermissionError(f"a remote seat observes only its own country ({self.country})")
        return self.cached("observation", p.decode_observation)

    def snapshot(self):
        """The public WorldSnapshot after the last resolved turn."""
        return self.cached("snapshot", p.decode_snapshot)

    def legal_actions(self, country: str) -> list[ActionBase]:
        """The team's legal action menu for the open turn."""
        if country != self.country:
            raise PermissionError(f"a remote seat acts only for its own country ({self.country})")
        return self.cached("legal", p.decode_legal)

    def cached(self, kind: str, decode):
        """Decode part of the State once per turn."""
        state = self.state()
        key = (state.turn, kind)
        if key not in self.decoded:
            self.decoded = {k: v for k, v in self.decoded.items() if k[0] == state.turn}
            self.decoded[key] = decode(state)
        return self.decoded[key]

    def check(self, action: ActionBase) -> str | None:
        """Why the server would refuse `action` now, or None."""
        reference = secrets.token_hex(6)
        message = p.Check(actions=[msgspec.to_builtins(action)], ref=reference)
        answer = self.request(lambda: self.client.send(message), reference)
        if isinstance(answer, p.Error):
            raise RemoteError(answer.reason)
        return answer.verdicts[0]  # type: ignore[union-attr]

    def submit(self, country: str, actions: Sequence[ActionBase | dict]) -> list[str | None]:
        """Send the team's orders for the open turn (they replace earlier ones); one verdict each."""
        if country != self.country:
            raise PermissionError(f"a remote seat acts only for its own country ({self.country})")
        data = [a if isinstance(a, dict) else msgspec.to_builtins(a) for a in actions]
        turn = self.turn
        submission_id = new_submission_id(self.country, turn)
        answer = self.request(lambda: self.client.submit(turn, data, submission_id), submission_id)
        if isinstance(answer, p.Error):
            raise RemoteError(answer.reason)
        return answer.verdicts  # type: ignore[union-attr]

    def say(self, to: str, text: str) -> None:
        """Send a chat message to 'all', a team, or 'instructor'."""
        asyncio.run_coroutine_threadsafe(self.client.send(p.Chat(to=to, text=text)), self.loop).result(5)

    def poll(self) -> list[p.ServerMessage]:
        """Messages received since the last poll (oldest first)."""
        messages = []
        while not self.inbox.empty():
            messages.append(self.inbox.get_nowait())
        return messages

    def step(self) -> None:
        """Refused: in a classroom session the instructor (or the clock) resolves turns."""
        raise RuntimeError("the instructor advances a classroom session; submit orders instead")
