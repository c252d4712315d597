"""A client of the session server that survives lost connections.

`SessionClient` joins with a code, keeps the latest Welcome, State and Progress, reconnects on
its own when the connection drops (the server sends a fresh State on every join), and resends
submissions not yet acknowledged under the same submission id, which the server recognises:
a retry can never count twice. Bots, the text client, the instructor's commands, the remote
world for the pygame UI and the benchmark all use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from critmin.classroom import protocol as p

MAX_INCOMING_BYTES = 64 * 1024 * 1024  # states of big scenarios are a few hundred kB
RETRY_DELAYS_S = (0.1, 0.25, 0.5, 1.0, 2.0)
POLICY_VIOLATION = 1008


class JoinError(RuntimeError):
    """The server refused the join (bad code, wrong protocol): retrying will not help."""


class ConnectionLostError(RuntimeError):
    """The server stayed unreachable for longer than the client's retry window."""


def websocket_uri(address: str) -> str:
    """'HOST:PORT' (or a ws:// URI) as a websocket URI."""
    if address.startswith(("ws://", "wss://")):
        return address
    if ":" not in address:
        raise ValueError(f"{address!r}: expected HOST:PORT, e.g. 127.0.0.1:8765")
    return f"ws://{address}"


def new_submission_id(team: str, turn: int) -> str:
    """A fresh submission id, e.g. 'IND-t3-9f2c61d0a4'."""
    return f"{team}-t{turn}-{secrets.token_hex(5)}"


class SessionClient:
    """One seat's connection to a session, reconnecting as needed.

    Args:
        address: 'HOST:PORT' or a ws:// URI.
        code: the join code.
        snapshot: whether to receive the world snapshot with each State.
        label: shown in the server's log ('bot', 'join', 'instructor', …).
        retry_for: seconds to keep trying to reach the server before giving up.
        name: the person playing, recorded on their orders and messages.

    """

    def __init__(
        self,
        address: str,
        code: str,
        *,
        snapshot: bool = True,
        label: str = "",
        retry_for: float = 60.0,
        name: str = "",
    ) -> None:
        self.uri = websocket_uri(address)
        self.name = name
        self.code = code
        self.snapshot = snapshot
        self.label = label
        self.retry_for = retry_for
        self.ws: ClientConnection | None = None
        self.welcome: p.Welcome | None = None
        self.state: p.State | None = None
        self.progress: p.Progress | None = None
        self.pending: dict[str, p.Submit] = {}
        self.reconnects = 0
        self.closing = False

    # --- connection ---------------------------------------------------------------------

    @property
    def team(self) -> str | None:
        """The team this client plays (None for the instructor)."""
        return self.welcome.team if self.welcome else None

    async def open(self) -> None:
        """Connect and join, retrying for `retry_for` seconds; raises JoinError or ConnectionLostError."""
        deadline = time.monotonic() + self.retry_for
        attempt = 0
        while True:
            try:
                await self.join()
                return
            except (OSError, TimeoutError, InvalidHandshake, ConnectionClosed) as error:
                if time.monotonic() >= deadline:
                    raise ConnectionLostError(f"cannot reach {self.uri}: {error}") from None
            await asyncio.sleep(RETRY_DELAYS_S[min(attempt, len(RETRY_DELAYS_S) - 1)])
            attempt += 1

    async def join(self) -> None:
        """One attempt: connect, say hello, read Welcome and State, resend pending orders."""
        try:
            ws = await connect(
                self.uri,
                max_size=MAX_INCOMING_BYTES,
                open_timeout=5,
                close_timeout=2,
                compression=None,
                proxy=None,
            )
        except InvalidURI as error:
            raise JoinError(str(error)) from None
        hello = p.Hello(code=self.code, snapshot=self.snapshot, client=self.label, name=self.name)
        await ws.send(p.encode(hello), text=True)
        first = p.decode_server(await ws.recv())
        if isinstance(first, p.Error):
            await ws.close()
            raise JoinError(f"join refused: {first.reason}")
        if not isinstance(first, p.Welcome):
            raise JoinError(f"unexpected answer to hello: {type(first).__name__}")
        self.ws, self.welcome = ws, first
        for submission in list(self.pending.values()):
            await self.send(submission)

    async def close(self) -> None:
        """Leave the session."""
        self.closing = True
        if self.ws is not None:
            await self.ws.close()

    # --- messages -----------------------------------------------------------------------

    async def recv(self) -> p.ServerMessage:
        """The next message from the server, reconnecting (and resending) if the link drops."""
        while True:
            if self.ws is None:
                await self.open()
            try:
                data = await self.ws.recv()  # type: ignore[union-attr]
            except ConnectionClosed as closed:
                if self.closing or (closed.rcvd is not None and closed.rcvd.code == POLICY_VIOLATION):
                    raise
                self.ws = None
                self.reconnects += 1
                continue
            message = p.decode_server(data)
            self.track(message)
            return message

    async def recv_within(self, seconds: float) -> p.ServerMessage | None:
        """The next message, or None after `seconds`."""
        try:
            async with asyncio.timeout(seconds):
                return await self.recv()
        except TimeoutError:
            return None

    def track(self, message: p.ServerMessage) -> None:
        """Keep the latest state, progress and the unacknowledged submissions up to date."""
        if isinstance(message, p.State):
            self.state = message
            self.progress = None
        elif isinstance(message, p.Progress):
            self.progress = message
        elif isinstance(message, p.Ack):
            self.pending.pop(message.submission_id, None)
        elif isinstance(message, p.Error) and message.code == "stale":
            self.pending.pop(message.ref, None)

    async def send(self, message: p.Message) -> None:
        """Send a message; if the link is down it is lost, except submissions (resent on rejoin)."""
        if self.ws is None:
            return
        with contextlib.suppress(ConnectionClosed):
            await self.ws.send(p.encode(message), text=True)

    async def submit(self, turn: int, actions: list[dict], submission_id: str | None = None) -> str:
        """Send orders for a turn; kept and resent until acknowledged. Returns the submission id."""
        submission = p.Submit(
            turn=turn,
            submission_id=submission_id or new_submission_id(self.team or "X", turn),
            actions=actions,
        )
        self.pending[submission.submission_id] = submission
        await self.send(submission)
        return submission.submission_id

    async def command(self, name: str, *, timeout: float = 120.0, **fields) -> p.CommandResult:
        """An instructor's command and its result (raises TimeoutError)."""
        request_id = secrets.token_hex(6)
        await self.send(p.Command(command=name, request_id=request_id, **fields))
        async with asyncio.timeout(timeout):
            while True:
                message = await self.recv()
                if isinstance(message, p.CommandResult) and message.request_id == request_id:
                    return message
                if isinstance(message, p.Error) and message.ref == request_id:
                    raise JoinError(message.reason)

    # --- what the client knows ----------------------------------------------------------

    @property
    def phase(self) -> str:
        """The session's phase as last heard."""
        if self.progress is not None and self.state is not None and self.progress.turn == self.state.turn:
            return self.progress.phase
        return self.state.phase if self.state else "lobby"

    def submitted(self) -> list[str]:
        """Teams whose orders for the open turn are in, as last heard."""
        if self.progress is not None and self.state is not None and self.progress.turn == self.state.turn:
            return self.progress.submitted
        return self.state.submitted if self.state else []
