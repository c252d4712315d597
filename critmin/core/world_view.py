"""WorldView: what a front end reads of a world and does in it, whether the world is local or remote.

As a network game implements the game's API in the best turn-based engines (diplomacy's
`NetworkGame(Game)`), the engine's `WorldModel` and the classroom's `RemoteWorld` both implement
`WorldView`, so the pygame screens play either without knowing which, and without stand-ins.
`RoomView` adds what a seat in a classroom session also sees: the room (its phase, the clock, who
has sent orders), chat and the instructor's commands. A seat is a country's ISO3 code or a
firm's id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Protocol, runtime_checkable

import msgspec

from critmin.core.actions import ActionBase
from critmin.core.events import Event
from critmin.core.observation import Observation
from critmin.core.outline import WorldOutline
from critmin.core.snapshot import WorldSnapshot


@runtime_checkable
class FirmReading(Protocol):
    """What a firm's observation tells a front end of the firm itself (the engine's holds more)."""

    turn: int
    firm: str
    country: str
    mandate: str
    cash_usd_m: float


@runtime_checkable
class WorldView(Protocol):
    """A world a front end shows and plays: the engine's model, or a classroom session's seat."""

    @property
    def turn(self) -> int:
        """Turns played so far: the index of the open turn."""
        ...

    @property
    def date(self) -> str:
        """The open turn's quarter, e.g. '2025Q2'."""
        ...

    @property
    def events(self) -> Sequence[Event]:
        """What happened so far, oldest first (as far as this view has seen)."""
        ...

    @property
    def action_log(self) -> Sequence[Sequence[dict]]:
        """Per turn played, the actions carried out (empty where this view is not told them)."""
        ...

    def outline(self) -> WorldOutline:
        """The scenario: countries, minerals, starting lines, firms (core/outline.py)."""
        ...

    def snapshot(self) -> WorldSnapshot:
        """The public picture of the world after the last turn played."""
        ...

    def tables(self) -> dict[str, Any]:
        """The turns seen as tidy pyarrow tables: at least `prices`, `countries` and `events`."""
        ...

    def observe(self, seat: str) -> Observation | FirmReading | None:
        """What a seat sees at the start of the open turn; None where this view may not see it."""
        ...

    def legal_actions(self, seat: str) -> list[ActionBase]:
        """A menu of legal actions for a seat now (empty where this view may not act for it)."""
        ...

    def check(self, action: ActionBase | dict) -> str | None:
        """Why `action` is malformed or illegal now, or None."""
        ...

    def submit(self, seat: str, actions: Sequence[ActionBase | dict]) -> list[str | None]:
        """A seat's orders for the open turn: one verdict per action, None when accepted."""
        ...


class RoomNotice(msgspec.Struct, frozen=True):
    """Something a room's seat heard: a new turn's state (or an undo), a chat message, an error."""

    kind: Literal["turn", "chat", "error"]
    text: str = ""


class CommandOutcome(msgspec.Struct, frozen=True):
    """An instructor's command carried out (`ok`) or refused, in words."""

    ok: bool
    detail: str


class RoomError(RuntimeError):
    """A request the room's server refused, or could not answer."""


class RoomTimeoutError(RoomError):
    """The server did not answer in time (the link may be down; orders are resent on rejoin)."""


@runtime_checkable
class RoomView(WorldView, Protocol):
    """A seat in a classroom session: the world as the server shows it, and the room around it."""

    @property
    def seat(self) -> str:
        """The team played from here ('' for the instructor)."""
        ...

    @property
    def is_instructor(self) -> bool:
        """True for the instructor's seat."""
        ...

    @property
    def phase(self) -> str:
        """lobby, open, paused, resolving or finished."""
        ...

    @property
    def turns_total(self) -> int:
        """Turns in the session."""
        ...

    @property
    def title(self) -> str:
        """The session's title."""
        ...

    @property
    def teams(self) -> list[str]:
        """The teams' seats, in order."""
        ...

    @property
    def team_names(self) -> dict[str, str]:
        """Each team's name."""
        ...

    @property
    def linked(self) -> bool:
        """True while connected to the server."""
        ...

    def role_briefs(self) -> list[str]:
        """The seat's role cards as 'title: brief' (none without a teaching pack)."""
        ...

    def injects(self) -> list[str]:
        """The teaching pack's named events the instructor can inject."""
        ...

    def poll(self) -> list[RoomNotice]:
        """What arrived since the last poll, oldest first; the world shown moves on with it."""
        ...

    def seconds_left(self) -> float | None:
        """Seconds left in the open turn (None: no clock)."""
        ...

    def seats(self) -> dict[str, str]:
        """'human' or 'ai' per team."""
        ...

    def connected(self) -> dict[str, int]:
        """Open connections per seat, as last heard."""
        ...

    def submitted(self) -> list[str]:
        """Teams whose orders for the open turn are in."""
        ...

    def command(self, name: str, **fields: Any) -> CommandOutcome:
        """An instructor's command (start, advance, pause, …); raises RoomError if not carried."""
        ...

    def say(self, to: str, text: str) -> None:
        """A chat message to 'all', a team or 'instructor'."""
        ...

    def close(self) -> None:
        """Leave the session."""
        ...
