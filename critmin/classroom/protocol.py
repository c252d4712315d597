"""The classroom wire protocol: every message as a msgspec Struct, JSON over websockets.

Text frames carry JSON. The server may send a State as a binary frame holding the same JSON
compressed with zlib (it compresses each team's state once, not once per connection); clients
accept both. The server never decompresses what clients send.

A client opens with `Hello` (its join code) and gets `Welcome` and a `State`. A team then
sends `Submit` (its orders for the open turn, tagged with the turn and a submission id that
makes a retry harmless), `Chat` and `Sync`; the instructor sends `Command`. The server answers
with `Ack`, `Error`, `Progress`, `ChatMessage` and `CommandResult`, and sends a fresh `State`
to everyone when a turn is resolved.

Nothing here knows the game's rules: actions travel as plain JSON objects that the engine's
`action_from_dict` checks, one by one, on the server.
"""

from __future__ import annotations

import zlib
from typing import Annotated, Any, Literal

import msgspec

from critmin.core.outline import WorldOutline

PROTOCOL_VERSION = 1
COMPRESSION_LEVEL = 1  # zlib: a 250 kB state in about 1 ms, to about a quarter of its size
MAX_STATE_BYTES = 256 * 1024 * 1024
MAX_MESSAGE_BYTES = 64 * 1024  # largest message a client may send (websockets closes with 1009)
MAX_ACTIONS_PER_SUBMISSION = 64
MAX_CHAT_CHARS = 2000
MAX_EVENT_CHARS = 8000
MAX_REASONING_CHARS = 1000
MAX_EXTEND_SECONDS = 86400.0  # one extend gives a turn at most a day more
NULL = msgspec.Raw(b"null")

# A seat: a country's ISO3 code or a state firm's id (e.g. 'kabil'), as the scenario spells it.
Team = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")]
SubmissionId = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9._:\-]{1,64}$")]
Recipient = Team  # 'all', 'instructor' or a seat
ShortText = Annotated[str, msgspec.Meta(max_length=64)]
Phase = Literal["lobby", "open", "paused", "resolving", "finished"]
# Which snapshot a client gets: all of it; what a browser page draws (`page_view`, also for the
# team's observation); none.
View = Literal["full", "map", "none"]
Role = Literal["team", "instructor"]
CommandName = Literal[
    "start",
    "pause",
    "resume",
    "advance",
    "undo",
    "extend",
    "inject",
    "replace",
    "restore",
    "withdraw",
    "rollback",
    "revoke",
    "mute",
    "unmute",
    "show_leaderboard",
    "hide_leaderboard",
    "status",
]
COMMANDS: tuple[str, ...] = CommandName.__args__  # type: ignore[attr-defined]


class Message(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag_field="type"):
    """Base of every message: a `type` tag and no unknown fields."""


# --- client to server ---------------------------------------------------------------------


def view_of(hello: Hello) -> View:
    """The snapshot a client asked for in its Hello."""
    return ("full" if hello.figures else "map") if hello.snapshot else "none"


class Hello(Message, frozen=True, kw_only=True, tag="hello"):
    """The first message of a connection: who is joining.

    Attributes:
        code: the join code of a team or of the instructor.
        snapshot: whether to receive the world snapshot with each state (bots do not need it).
        figures: whether to receive the whole snapshot and observation; False asks for what a
            browser page draws (`page_view`: flows and the turn's events, the team's dashboard),
            about half the bytes.
        client: a free label for the logs, e.g. 'bot', 'join', 'instructor', 'browser'.
        name: the person joining (a student's name), recorded on their orders and messages.

    """

    code: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    snapshot: bool = True
    figures: bool = True
    client: ShortText = ""
    name: Annotated[str, msgspec.Meta(max_length=40)] = ""
    protocol: int = PROTOCOL_VERSION


class Submit(Message, frozen=True, kw_only=True, tag="submit"):
    """A team's orders for one turn; the latest submission of the turn replaces earlier ones.

    Resending the same `submission_id` returns the first acknowledgement and changes nothing.
    `reasoning` is the team's short explanation of its orders (kept for the debrief).
    """

    turn: Annotated[int, msgspec.Meta(ge=0)]
    submission_id: SubmissionId
    actions: Annotated[list[dict[str, Any]], msgspec.Meta(max_length=MAX_ACTIONS_PER_SUBMISSION)]
    reasoning: Annotated[str, msgspec.Meta(max_length=MAX_REASONING_CHARS)] = ""


class Check(Message, frozen=True, kw_only=True, tag="check"):
    """Ask whether actions would be accepted now, without submitting them."""

    actions: Annotated[list[dict[str, Any]], msgspec.Meta(max_length=MAX_ACTIONS_PER_SUBMISSION)]
    ref: ShortText = ""


class Chat(Message, frozen=True, kw_only=True, tag="chat"):
    """A message to every team ('all'), to one team (its ISO3) or to the instructor. Logged."""

    to: Recipient
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_CHAT_CHARS)]


class Command(Message, frozen=True, kw_only=True, tag="command"):
    """An instructor's command.

    `seconds` for extend; `event` for inject (a pack inject id or JSON) and withdraw (its title or
    id); `team` for replace, restore and revoke; `turn` for advance (only if still open) and
    rollback (the turn to open again).
    """

    command: CommandName
    seconds: Annotated[float, msgspec.Meta(gt=0, le=MAX_EXTEND_SECONDS)] | None = None
    event: Annotated[str, msgspec.Meta(max_length=MAX_EVENT_CHARS)] | None = None
    team: Team | None = None
    turn: Annotated[int, msgspec.Meta(ge=0)] | None = None
    request_id: ShortText = ""


class Sync(Message, frozen=True, kw_only=True, tag="sync"):
    """Ask for the current state again."""


ClientMessage = Hello | Submit | Check | Chat | Command | Sync


# --- server to client ---------------------------------------------------------------------


class SessionInfo(msgspec.Struct, frozen=True, kw_only=True):
    """What a session is: scenario, teams, seed, length, clock."""

    scenario: str
    title: str
    teams: list[str]
    team_names: dict[str, str]
    seed: int
    turns_total: int
    turn_seconds: float | None
    pack: str | None = None


class TeamStatus(msgspec.Struct, frozen=True, kw_only=True):
    """One seat: who plays it, whether anyone is connected, whether its orders are in."""

    team: str
    name: str
    seat: Literal["human", "ai"]
    connected: int
    submitted: bool
    submission_id: str | None = None
    people: list[str] = []
    submitted_by: str = ""


class Status(msgspec.Struct, frozen=True, kw_only=True):
    """The session at a glance (the instructor's `status`)."""

    scenario: str
    phase: Phase
    turn: int
    date: str
    turns_total: int
    deadline_in: float | None
    teams: list[TeamStatus]
    instructors: int
    state_hash: str
    resolved_turns: int
    last_defaulted: list[str] = []
    muted: bool = False
    leaderboard: bool = False
    injected: list[str] = []  # titles of the events injected into the open turn


class ChatMessage(Message, frozen=True, kw_only=True, tag="chat_message"):
    """A delivered chat message."""

    sender: str
    to: str
    text: str
    turn: int
    name: str = ""


class Welcome(Message, frozen=True, kw_only=True, tag="welcome"):
    """The answer to a good Hello: the role, the session and, for a team, its country and role card."""

    role: Role
    team: str | None
    session: SessionInfo
    country: dict[str, Any] | None = None  # a country seat's scenario record
    firm: dict[str, Any] | None = None  # a firm seat's: id, name, country, kind, mandate, budget
    role_card: dict[str, Any] | None = None
    world: WorldOutline | None = None  # the scenario as front ends read it (core/outline.py)
    pack: dict[str, Any] | None = None  # the instructor's: injects, agenda and rubric of the pack
    chat: list[ChatMessage] = []  # the latest messages this seat may read
    name: str = ""
    protocol: int = PROTOCOL_VERSION


class Orders(msgspec.Struct, frozen=True, kw_only=True):
    """A team's orders standing for the open turn."""

    submission_id: str
    actions: list[dict[str, Any]]
    name: str = ""
    reasoning: str = ""


class Holding(msgspec.Struct, frozen=True, kw_only=True):
    """A firm's share of one line (a country's mine, refinery or plant) and that line's output."""

    country: str
    mineral: str
    stage: str
    share: float
    capacity_tonnes: float  # the whole line's, per turn
    production_tonnes: float  # the whole line's last turn


class FirmDashboard(msgspec.Struct, frozen=True, kw_only=True):
    """What a firm seat sees: the firm, its money, its holdings, its record and its analysts' advice.

    `home_lines` are its country's lines (the same records as a country's observation), the
    supply the firm's mandate is about; `record` its decisions and refusals so far; `advice`
    what the firm's own AI would order now (the orders it gets if the team sends none).
    """

    turn: int
    date: str
    firm: str
    name: str
    country: str
    mandate: str
    cash_usd_m: float
    earnings_usd_m: float  # last turn's
    holdings: list[Holding]
    home_lines: list[dict[str, Any]]
    record: list[dict[str, Any]]
    news: list[dict[str, Any]]  # last turn's events about the firm or its lines
    advice: list[dict[str, Any]]


class State(Message, frozen=True, kw_only=True, tag="state"):
    """The whole picture for one client, sent on (re)connect and after each resolved turn.

    `observation` and `legal` (a team's own view and menu) and `snapshot` (the public world)
    are embedded JSON: decode them with `decode_observation` (a firm seat's: `decode_firm`) /
    `decode_snapshot`.
    """

    turn: int
    date: str
    phase: Phase
    turns_total: int
    deadline_in: float | None
    submitted: list[str]
    seats: dict[str, str]
    orders: Orders | None = None
    last_defaulted: list[str] = []
    muted: bool = False
    observation: msgspec.Raw = NULL
    legal: msgspec.Raw = NULL
    snapshot: msgspec.Raw = NULL


class Ack(Message, frozen=True, kw_only=True, tag="ack"):
    """A submission stored: one verdict per action (None = accepted, else the reason).

    Sent to every connection of the team, so teammates see who sent which orders.
    """

    submission_id: str
    turn: int
    verdicts: list[str | None]
    accepted: int
    duplicate: bool = False
    name: str = ""
    actions: list[dict[str, Any]] = []
    reasoning: str = ""


class Verdicts(Message, frozen=True, kw_only=True, tag="verdicts"):
    """The answer to Check: one verdict per action."""

    ref: str
    verdicts: list[str | None]


class Error(Message, frozen=True, kw_only=True, tag="error"):
    """A refused message: `code` is machine-readable, `reason` is for people."""

    code: Literal[
        "auth", "malformed", "stale", "forbidden", "phase", "unknown", "busy", "protocol", "engine", "limit"
    ]
    reason: str
    ref: str = ""


class Progress(Message, frozen=True, kw_only=True, tag="progress"):
    """The clock and who has submitted, sent whenever either changes."""

    turn: int
    phase: Phase
    deadline_in: float | None
    submitted: list[str]
    seats: dict[str, str]
    connected: dict[str, int] = {}
    muted: bool = False
    leaderboard: list[dict[str, Any]] | None = None  # shown by the instructor, else None


class CommandResult(Message, frozen=True, kw_only=True, tag="command_result"):
    """The outcome of an instructor's command, with the session's status after it."""

    request_id: str
    command: str
    ok: bool
    detail: str
    status: Status


ServerMessage = Welcome | State | Ack | Verdicts | Error | Progress | ChatMessage | CommandResult

_encoder = msgspec.json.Encoder()
_client_decoder = msgspec.json.Decoder(ClientMessage)
_server_decoder = msgspec.json.Decoder(ServerMessage)


class ProtocolError(ValueError):
    """A message that is not valid JSON or breaks the schema; the text says where."""


def encode(message: msgspec.Struct) -> bytes:
    """Compact JSON bytes of a message."""
    return _encoder.encode(message)


def decode_client(data: str | bytes) -> ClientMessage:
    """A client's message; raises ProtocolError on anything malformed."""
    try:
        return _client_decoder.decode(data)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        raise ProtocolError(str(error)) from None


def reference_of(data: str | bytes) -> str:
    """The request id, submission id or ref of a raw client message, even a malformed one ('' if none).

    A refusal of a message that failed validation still names it, so its sender stops waiting.
    """
    try:
        raw = msgspec.json.decode(data)
    except msgspec.DecodeError:
        return ""
    if not isinstance(raw, dict):
        return ""
    for key in ("request_id", "submission_id", "ref"):
        value = raw.get(key)
        if isinstance(value, str) and 0 < len(value) <= 64:
            return value
    return ""


def encode_compressed(message: msgspec.Struct) -> bytes:
    """A message as zlib-compressed JSON (sent in a binary frame)."""
    return zlib.compress(_encoder.encode(message), COMPRESSION_LEVEL)


def inflate(data: bytes) -> bytes:
    """The JSON inside a compressed binary frame (bounded, so a bad frame cannot exhaust memory)."""
    inflater = zlib.decompressobj()
    try:
        plain = inflater.decompress(data, MAX_STATE_BYTES)
    except zlib.error as error:
        raise ProtocolError(f"bad compressed frame: {error}") from None
    if inflater.unconsumed_tail:
        raise ProtocolError("compressed frame too large")
    return plain


def decode_server(data: str | bytes) -> ServerMessage:
    """A server's message (text JSON, or compressed JSON in a binary frame); ProtocolError if malformed."""
    if isinstance(data, bytes | bytearray | memoryview) and bytes(data[:1]) != b"{":
        data = inflate(bytes(data))
    try:
        return _server_decoder.decode(data)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        raise ProtocolError(str(error)) from None


def decode_raw(raw: msgspec.Raw, kind: type | None = None) -> Any:
    """Embedded JSON as `kind` (or plain data); None when it is null."""
    data = bytes(raw)
    if data in (b"", b"null"):
        return None
    return msgspec.json.decode(data, type=kind) if kind is not None else msgspec.json.decode(data)


def decode_observation(state: State):
    """The team's Observation embedded in a State, or None."""
    from critmin.core.observation import Observation

    return decode_raw(state.observation, Observation)


def decode_firm(state: State) -> FirmDashboard | None:
    """A firm seat's dashboard embedded in a State, or None."""
    return decode_raw(state.observation, FirmDashboard)


def decode_snapshot(state: State):
    """The WorldSnapshot embedded in a State, or None."""
    from critmin.core.snapshot import WorldSnapshot

    return decode_raw(state.snapshot, WorldSnapshot)


def decode_legal(state: State) -> list:
    """The team's legal action menu embedded in a State (engine Action records)."""
    from critmin.core.actions import action_from_dict

    return [action_from_dict(item) for item in decode_raw(state.legal) or []]
