"""The session server: websockets in, session calls, websockets out.

It knows nothing of the game's rules: it authenticates connections by join code, decodes and
validates messages against the protocol, lets the session judge and store them, and sends the
results. One asyncio lock serialises every use of the session; resolving a turn runs the engine
in a worker thread while holding it, so a submission that arrives meanwhile waits and is then
judged against the new turn (and refused as stale).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed

from critmin.classroom import codes, pages
from critmin.classroom import protocol as p
from critmin.classroom.session import INSTRUCTOR, RefusalError, Session
from critmin.classroom.warm_up import warm_up

log = logging.getLogger("critmin.classroom")

HELLO_TIMEOUT_S = 10.0
WRONG_CODE_DELAY_S = 0.25
# One join code opens at most this many connections at once: a team of 4-5 students with a page
# each and a spare, or an instructor with a board, a projector and commands; more is a leak or abuse.
MAX_CONNECTIONS_PER_SEAT = 8
CHAT_BURST, CHAT_WINDOW_S = 5, 10.0  # chat messages one connection may send per window (people type slower)
SEND_TIMEOUT_S = 10.0  # a client whose socket takes longer than this to accept one message is dropped
MAX_BUFFERED_BYTES = 8 * 1024 * 1024  # bytes waiting for one client (broadcasts) beyond which it is dropped
MAX_STRIKES = 20  # malformed messages tolerated on one connection before it is closed
CLOCK_TICK_S = 0.2
CLOCK_SAVE_S = 2.0  # how often a running clock is saved: what a crash can cost the turn's countdown
READY_FILE = "server.json"
CODES_FILE = "codes.json"
POLICY_VIOLATION = 1008
SEAT_COMMANDS = {"replace": "replace", "restore": "give_back", "revoke": "revoke"}  # command: method
FLAG_COMMANDS = {
    "mute": ("muted", True),
    "unmute": ("muted", False),
    "show_leaderboard": ("leaderboard", True),
    "hide_leaderboard": ("leaderboard", False),
}


@dataclass(eq=False)
class Client:
    """One open connection: whose seat it is and what it wants to receive."""

    ws: ServerConnection
    seat: str
    view: p.View
    label: str = ""
    name: str = ""
    strikes: int = 0
    dropped: bool = False
    chat_times: deque[float] = field(default_factory=deque)  # when its latest chat messages came

    def may_chat(self, now: float) -> bool:
        """Count a chat message against the rate limit; False when over it (then not counted)."""
        while self.chat_times and now - self.chat_times[0] >= CHAT_WINDOW_S:
            self.chat_times.popleft()
        if len(self.chat_times) >= CHAT_BURST:
            return False
        self.chat_times.append(now)
        return True

    @property
    def is_instructor(self) -> bool:
        """True for the instructor's connections."""
        return self.seat == INSTRUCTOR


@dataclass
class ClassroomServer:
    """Serves one session on a host and port until stopped."""

    session: Session
    host: str = "127.0.0.1"
    port: int = 8765
    state_dir: Path | None = None
    compress_states: bool = True
    clients: set[Client] = field(default_factory=set)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    admitted: Counter[str] = field(default_factory=Counter)  # authenticated connections per seat
    bound_port: int = 0

    # --- lifecycle ----------------------------------------------------------------------

    async def run(self) -> None:
        """Serve until SIGINT/SIGTERM or `stop()`."""
        warm_up()  # before listening: the first advance then resolves as fast as the others
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, self.stopping.set)
        async with serve(
            self.handle,
            self.host,
            self.port,
            process_request=pages.answer,
            max_size=p.MAX_MESSAGE_BYTES,
            compression=None,
            ping_interval=20,
            ping_timeout=20,
            close_timeout=2,
        ) as server:
            self.bound_port = server.sockets[0].getsockname()[1]
            self.write_ready_file()
            log.info(
                "serving %s on http://%s:%d (pages and websockets)",
                self.session.meta["scenario_id"],
                self.host,
                self.bound_port,
            )
            clock = asyncio.create_task(self.run_clock())
            await self.stopping.wait()
            clock.cancel()
        log.info("server stopped")

    def stop(self) -> None:
        """Ask the server to stop."""
        self.stopping.set()

    def write_ready_file(self) -> None:
        """Tell scripts where the server listens: STATE/server.json (written atomically)."""
        if self.state_dir is None:
            return
        path = Path(self.state_dir) / READY_FILE
        temporary = path.with_suffix(".tmp")
        temporary.write_text(
            json.dumps(
                {"host": self.host, "port": self.bound_port, "pid": os.getpid(), "started_at": time.time()}
            )
        )
        temporary.chmod(0o600)
        temporary.replace(path)

    # --- connections --------------------------------------------------------------------

    async def handle(self, ws: ServerConnection) -> None:
        """One connection: authenticate, send the state, then serve its messages."""
        client = await self.authenticate(ws)
        if client is None:
            return
        log.info(
            "%s joined (%s%s) from %s",
            client.seat,
            client.label or "client",
            f", {client.name}" if client.name else "",
            ws.remote_address,
        )
        try:
            async with self.lock:  # Welcome and State go out before any broadcast reaches this client
                self.broadcast([client], p.encode(self.session.welcome(client.seat, client.name)))
                self.broadcast([client], self.state_bytes(client.seat, client.view))
                self.clients.add(client)
            self.broadcast_progress()
            async for data in ws:
                await self.dispatch(client, data)
        except ConnectionClosed:
            pass
        finally:
            self.admitted[client.seat] -= 1
            self.clients.discard(client)
            self.broadcast_progress()
            log.info("%s left", client.seat)

    async def authenticate(self, ws: ServerConnection) -> Client | None:
        """Wait for a Hello with a valid code; refuse and close otherwise."""
        try:
            async with asyncio.timeout(HELLO_TIMEOUT_S):
                data = await ws.recv()
            hello = p.decode_client(data)
        except (TimeoutError, ConnectionClosed):
            return None
        except p.ProtocolError as error:
            await self.refuse(ws, "protocol", f"the first message must be a hello: {error}")
            return None
        if not isinstance(hello, p.Hello):
            await self.refuse(ws, "auth", "say hello with your join code first")
            return None
        if hello.protocol != p.PROTOCOL_VERSION:
            await self.refuse(
                ws, "protocol", f"protocol {hello.protocol} is not {p.PROTOCOL_VERSION}: update critmin"
            )
            return None
        seat = codes.seat_of(hello.code, self.session.meta["code_digests"])
        if seat is None:
            await asyncio.sleep(WRONG_CODE_DELAY_S)
            log.warning("wrong join code from %s", ws.remote_address)
            await self.refuse(ws, "auth", "unknown join code")
            return None
        if self.admitted[seat] >= MAX_CONNECTIONS_PER_SEAT:
            log.warning(
                "%s refused a connection from %s: %d open", seat, ws.remote_address, MAX_CONNECTIONS_PER_SEAT
            )
            await self.refuse(
                ws,
                "limit",
                f"this join code already has {MAX_CONNECTIONS_PER_SEAT} connections open: close one first",
            )
            return None
        self.admitted[seat] += 1  # counted at once, so simultaneous joins cannot pass the cap together
        return Client(ws=ws, seat=seat, view=p.view_of(hello), label=hello.client, name=hello.name.strip())

    async def refuse(self, ws: ServerConnection, code: str, reason: str) -> None:
        """Send an error and close the connection."""
        with contextlib.suppress(ConnectionClosed):
            await ws.send(p.encode(p.Error(code=code, reason=reason)), text=True)
            await ws.close(POLICY_VIOLATION, reason[:100])

    # --- messages -----------------------------------------------------------------------

    async def dispatch(self, client: Client, data: str | bytes) -> None:
        """Decode one message and route it; refusals go back to the sender only."""
        try:
            message = p.decode_client(data)
        except p.ProtocolError as error:
            await self.strike(client, f"malformed message: {error}", p.reference_of(data))
            return
        try:
            await self.route(client, message)
        except RefusalError as refusal:
            await self.send(client, p.Error(code=refusal.code, reason=refusal.reason, ref=reference(message)))

    async def route(self, client: Client, message: p.ClientMessage) -> None:
        """Call the handler of a message type, checking who may send it."""
        if isinstance(message, p.Sync):
            async with self.lock:
                data = self.state_bytes(client.seat, client.view)
            await self.send_bytes(client, data, text=not self.compress_states)
        elif isinstance(message, p.Chat):
            await self.on_chat(client, message)
        elif isinstance(message, p.Command):
            if not client.is_instructor:
                raise RefusalError("forbidden", "only the instructor gives commands")
            await self.on_command(client, message)
        elif isinstance(message, p.Submit | p.Check):
            if client.is_instructor:
                raise RefusalError("forbidden", "the instructor plays no country")
            await (
                self.on_submit(client, message)
                if isinstance(message, p.Submit)
                else self.on_check(client, message)
            )
        else:
            raise RefusalError("protocol", "already joined")

    async def strike(self, client: Client, reason: str, ref: str = "") -> None:
        """Refuse a malformed message (naming it by `ref`); close a connection that keeps sending them."""
        client.strikes += 1
        await self.send(client, p.Error(code="malformed", reason=reason[:500], ref=ref))
        if client.strikes >= MAX_STRIKES:
            await client.ws.close(POLICY_VIOLATION, "too many malformed messages")

    async def on_submit(self, client: Client, message: p.Submit) -> None:
        """Store a team's orders, acknowledge, tell everyone who has submitted."""
        async with self.lock:
            acknowledgement = self.session.submit(client.seat, message, client.name)
        if acknowledgement.duplicate:
            await self.send(client, acknowledgement)
        else:  # teammates see who sent which orders
            team = [c for c in self.clients if c.seat == client.seat] or [client]
            self.broadcast(team, p.encode(acknowledgement))
            log.info(
                "%s submitted %s for turn %d (%d accepted)",
                client.seat,
                message.submission_id,
                message.turn,
                acknowledgement.accepted,
            )
            self.broadcast_progress()

    async def on_check(self, client: Client, message: p.Check) -> None:
        """Verdicts on actions, nothing stored."""
        async with self.lock:
            verdicts = self.session.check(client.seat, message.actions)
        await self.send(client, p.Verdicts(ref=message.ref, verdicts=verdicts))

    async def on_chat(self, client: Client, message: p.Chat) -> None:
        """Log and deliver a message: to all, to a team, or to the instructor (rate-limited)."""
        if not client.may_chat(time.monotonic()):
            raise RefusalError(
                "limit", f"slow down: at most {CHAT_BURST} chat messages every {CHAT_WINDOW_S:g} s"
            )
        async with self.lock:
            delivered = self.session.chat(client.seat, message, client.name)
        targets = {
            c
            for c in self.clients
            if c.is_instructor or c.seat == client.seat or delivered.to == "all" or c.seat == delivered.to
        }
        self.broadcast(targets, p.encode(delivered))

    async def on_command(self, client: Client, message: p.Command) -> None:
        """Run an instructor's command and answer with its outcome and the status."""
        ok, detail = True, ""
        try:
            detail = await self.command(message)
        except RefusalError as refusal:
            ok, detail = False, refusal.reason
        async with self.lock:
            status = self.session.status(self.connected(), self.people())
            if ok and message.command in ("start", "pause", "resume", "extend", "advance"):
                self.session.store.log(self.session.turn, INSTRUCTOR, message.command, detail)
        await self.send(
            client,
            p.CommandResult(
                request_id=message.request_id, command=message.command, ok=ok, detail=detail, status=status
            ),
        )

    async def command(self, message: p.Command) -> str:
        """Carry out a command; returns what happened (raises RefusalError)."""
        name, session = message.command, self.session
        if name == "advance":
            return await self.advance("instructor", message.turn)
        if name == "status":
            return ""
        async with self.lock:
            if name in ("start", "pause", "resume", "undo"):
                detail = getattr(session, name)()
            elif name == "extend":
                detail = session.extend(require(message.seconds, "extend needs seconds"))
            elif name in SEAT_COMMANDS:
                seat = session.require_team(require(message.team, f"{name} needs a team"))
                detail = getattr(session, SEAT_COMMANDS[name])(seat)
                if name == "revoke":
                    detail = self.reissue(seat, detail)
            elif name in FLAG_COMMANDS:
                detail = session.set_flag(*FLAG_COMMANDS[name])
            elif name == "inject":
                detail = session.inject(require(message.event, "inject needs an event"))
            elif name == "withdraw":
                detail = session.withdraw(require(message.event, "withdraw needs the event's title or id"))
            else:  # rollback
                detail = session.rollback(require(message.turn, "rollback needs the turn to go back to"))
        if name in ("undo", "rollback"):
            async with self.lock:
                await self.broadcast_states()
        else:
            self.broadcast_progress()
        return detail

    def reissue(self, seat: str, code: str) -> str:
        """After a revoke: write the new code where the session's codes are, drop the seat's connections.

        That is the `--codes-file` the session was created with (kept in its meta), else
        STATE/codes.json.
        """
        path = self.session.codes_file or (Path(self.state_dir) / CODES_FILE if self.state_dir else None)
        if path is not None:
            codes.write_code(path, seat, code)
        for client in [c for c in self.clients if c.seat == seat]:
            asyncio.get_running_loop().create_task(
                client.ws.close(POLICY_VIOLATION, "this join code was revoked: ask the instructor")
            )
        return f"new code for {seat}: {code} (the old one no longer works)"

    async def advance(self, reason: str, expected_turn: int | None = None) -> str:
        """Resolve the open turn (default orders for missing teams) and send everyone the new state."""
        async with self.lock:
            self.session.begin_resolve(expected_turn)
            self.broadcast_progress()
            started = time.perf_counter()
            record = await asyncio.to_thread(self.session.resolve)
            resolved = time.perf_counter()
            await self.broadcast_states()
            sent = time.perf_counter()
        defaults = (
            f"default orders for {', '.join(record.defaulted)}" if record.defaulted else "no default orders"
        )
        log.info(
            "turn %d resolved (%s, %.2f s; states sent in %.2f s): %s",
            record.turn,
            reason,
            resolved - started,
            sent - resolved,
            defaults,
        )
        return f"turn {record.turn} ({record.date}) resolved; {defaults}; state {record.state_hash[:12]}"

    async def run_clock(self) -> None:
        """Resolve the turn when its countdown runs out; save the seconds left every CLOCK_SAVE_S."""
        saved_at = time.monotonic()
        while True:
            await asyncio.sleep(CLOCK_TICK_S)
            session = self.session
            if session.phase == "open" and time.monotonic() - saved_at >= CLOCK_SAVE_S:
                saved_at = time.monotonic()
                if not self.lock.locked():
                    session.save_clock()
            if session.phase == "open" and session.clock.expired() and not self.lock.locked():
                with contextlib.suppress(RefusalError):
                    await self.advance("deadline", session.turn)

    # --- sending ------------------------------------------------------------------------

    def connected(self) -> dict[str, int]:
        """Open connections per seat."""
        return dict(Counter(c.seat for c in self.clients))

    def people(self) -> dict[str, list[str]]:
        """The names of the people connected to each seat (sorted, without repeats)."""
        names: dict[str, set[str]] = {}
        for client in self.clients:
            if client.name:
                names.setdefault(client.seat, set()).add(client.name)
        return {seat: sorted(found) for seat, found in names.items()}

    async def send(self, client: Client, message: p.Message) -> None:
        """Send one message to one client (a closed connection is ignored)."""
        await self.send_bytes(client, p.encode(message), text=True)

    async def send_bytes(self, client: Client, data: bytes, *, text: bool) -> None:
        """Send to one client, dropping it if it does not take the message within SEND_TIMEOUT_S."""
        try:
            async with asyncio.timeout(SEND_TIMEOUT_S):
                await client.ws.send(data, text=text)
        except ConnectionClosed:
            pass
        except TimeoutError:
            self.drop(client, f"did not read a message for {SEND_TIMEOUT_S:g} s")

    def broadcast(self, clients, data: bytes) -> None:
        """Push the same bytes to many clients at once, without waiting for slow readers.

        A client with more than MAX_BUFFERED_BYTES still unread is dropped instead. JSON goes in
        text frames; compressed states (not JSON) in binary frames.
        """
        readers = [c for c in clients if not self.too_slow(c)]
        broadcast([c.ws for c in readers], data, text=data[:1] == b"{")

    def too_slow(self, client: Client) -> bool:
        """True (and the client dropped) when it has let too much pile up unread."""
        transport = client.ws.transport
        if client.dropped or transport is None:
            return client.dropped
        if transport.get_write_buffer_size() <= MAX_BUFFERED_BYTES:
            return False
        self.drop(client, f"left more than {MAX_BUFFERED_BYTES // 2**20} MiB unread")
        return True

    def drop(self, client: Client, why: str) -> None:
        """Close a slow reader's connection (once); its page may rejoin."""
        if client.dropped:
            return
        client.dropped = True
        log.warning("%s dropped from %s: %s", client.seat, client.ws.remote_address, why)
        asyncio.get_running_loop().create_task(client.ws.close(POLICY_VIOLATION, f"too slow: {why}"[:100]))

    def broadcast_progress(self) -> None:
        """Tell everyone the clock and who has submitted."""
        self.broadcast(self.clients, p.encode(self.session.progress(self.connected())))

    async def broadcast_states(self) -> None:
        """Send every client its new State (call with the lock held).

        Each (seat, snapshot kind) is prepared once, in a worker thread, and sent as soon as it is
        ready, the groups with the most connections first: clients decode one team's State while
        the next team's is being prepared.
        """
        groups: dict[tuple[str, str], list[Client]] = {}
        for client in self.clients:
            groups.setdefault((client.seat, client.view), []).append(client)
        for (seat, view), members in sorted(groups.items(), key=lambda group: -len(group[1])):
            self.broadcast(members, await asyncio.to_thread(self.state_bytes, seat, view))

    def state_bytes(self, seat: str, view: p.View) -> bytes:
        """A seat's State with the snapshot it asked for, compressed unless told not to."""
        state = self.session.state(seat, view)
        return p.encode_compressed(state) if self.compress_states else p.encode(state)


def reference(message: p.ClientMessage) -> str:
    """What a refusal refers to: the submission id or request id, if any."""
    return (
        getattr(message, "submission_id", "")
        or getattr(message, "request_id", "")
        or getattr(message, "ref", "")
    )


def require(value, problem: str):
    """A command's argument, or a refusal saying it is missing."""
    if value is None:
        raise RefusalError("malformed", problem)
    return value
