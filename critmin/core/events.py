"""Events: what happened. The engine emits them; news feeds, the UI and reports read them."""

from __future__ import annotations

import msgspec


class Event(msgspec.Struct, frozen=True, kw_only=True):
    """One thing that happened on a turn.

    Attributes:
        turn: the turn it happened on (0-based).
        kind: e.g. 'control_imposed', 'deal_signed', 'deal_breached', 'shortage', 'disruption'.
        actor: the country (ISO3) that did it or where it happened.
        target: the other country, firm or deal concerned, if any.
        mineral: the mineral concerned, if any.
        detail: one human-readable sentence.

    """

    turn: int
    kind: str
    actor: str
    detail: str
    target: str = ""
    mineral: str = ""


REASON_MARK = "reason: "  # precedes a measure's reason in its event's sentence


def with_reason(detail: str, reason: str) -> str:
    """An event's sentence followed by the reason the measure was taken, if one was given."""
    return f"{detail} ({REASON_MARK}{reason})" if reason else detail
