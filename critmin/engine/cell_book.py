"""The cell schemes: battery-cell plants a government's incentive brings, and what it pays on their output."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class CellScheme:
    """Cell plants of `gwh_per_year` at home from `on_stream_turn`, paid `usd_per_kwh` until `until_turn`."""

    id: str
    country: str
    gwh_per_year: float
    usd_per_kwh: float
    on_stream_turn: int
    until_turn: int  # the last turn paid

    def paid_in(self, turn: int) -> bool:
        """True if the scheme pays on the plants' output in `turn`."""
        return self.on_stream_turn <= turn <= self.until_turn


def records(schemes: list[CellScheme]) -> list[dict]:
    """Canonical plain data (for hashing and saving)."""
    return [asdict(scheme) for scheme in schemes]
