"""What an export control means, answered in one place for every part that asks.

Spot routes (policies.apply_control), contract deliveries (contracts), the revision of a
control (controls.relaxes), the AI's reading of its observation (agents/situation), the UI's map
of controlled routes and the invariant tests all ask `ExportControl` (`bans`, `cap`,
`direct_cap`, `leak_cap`, `licence_share`, `delay`, `regime_for`) rather than read its fields:
on one exporter x mineral x stage there may stand a regime for some destinations (a licence, a
quota, a ban), bans to others (`also_banned`), and an unrestricted rest. This module imports
nothing of the project (the agents layer reads it too).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

BAN, QUOTA, LICENCE = "ban", "quota", "licence"


@dataclass(frozen=True)
class ExportControl:
    """One country's control on one mineral at one stage.

    `destinations` empty means every foreign destination. A quota caps direct foreign sales at
    `quota_tonnes_per_turn`, and `leak_cap()` more get round any regime through third
    countries at a higher cost (engine/leakage.py), so at most `quota_tonnes_per_turn * (1 +
    leakage)` leave under a quota; a licence regime lets `approval_share` of the exports it had
    before (`reference_tonnes` per turn) through, `delay_turns` late; countries in `also_banned`
    are banned beside the regime (no leakage reaches them).
    """

    country: str
    mineral: str
    stage: str
    regime: str
    destinations: tuple[str, ...] = ()
    quota_tonnes_per_turn: float = 0.0
    leakage: float = 0.0
    approval_share: float = 1.0
    delay_turns: int = 0
    reference_tonnes: float = 0.0
    since_turn: int = 0
    also_banned: tuple[str, ...] = ()

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> ExportControl:
        """The control a policy record (`PolicyBook.records()`, an observation) describes."""
        known = {item.name for item in fields(cls)}
        values = {key: value for key, value in record.items() if key in known}
        for key in ("destinations", "also_banned"):
            values[key] = tuple(values.get(key, ()))
        return cls(**values)

    def regime_for(self, destination: str) -> str | None:
        """The regime exports to `destination` fall under: "ban", "quota", "licence" or None."""
        if destination == self.country:
            return None
        if destination in self.also_banned:
            return BAN
        return self.regime if self.covers(destination) else None

    def bans(self, destination: str) -> bool:
        """True if exports to `destination` are banned outright."""
        return self.regime_for(destination) == BAN

    def licenses(self, destination: str) -> bool:
        """True if exports to `destination` need a licence (approved share, delay)."""
        return self.regime_for(destination) == LICENCE

    def restricts(self, destination: str) -> bool:
        """True if any regime of the control applies to exports to `destination`."""
        return self.regime_for(destination) is not None

    def covers(self, destination: str) -> bool:
        """True if the control's own regime names `destination` (all when none are named)."""
        return not self.destinations or destination in self.destinations

    def bans_anyone(self) -> bool:
        """True if the control bans exports to at least one destination."""
        return self.regime == BAN or bool(self.also_banned)

    def leaks_to(self, destination: str) -> bool:
        """True if leaked goods may reach `destination` (not where a ban stands beside the regime)."""
        return destination not in self.also_banned

    def leak_cap(self) -> float:
        """Tonnes per turn that get round the control through third countries, at a higher cost.

        `leakage` of the quota, or of the exports before the control (a licence or a ban).
        """
        base = self.quota_tonnes_per_turn if self.regime == QUOTA else self.reference_tonnes
        return self.leakage * base

    def direct_cap(self) -> float:
        """Tonnes per turn a quota lets abroad on direct routes (inf when it is not a quota)."""
        return self.quota_tonnes_per_turn if self.regime == QUOTA else float("inf")

    def cap(self) -> float:
        """Tonnes per turn a quota lets abroad, leakage included (inf when it is not a quota).

        A quota caps the exporter's foreign sales as a whole, contracts and spot together.
        """
        return self.quota_tonnes_per_turn * (1 + self.leakage) if self.regime == QUOTA else float("inf")

    def licence_cap(self) -> float:
        """Tonnes per turn a licence regime approves: its share of the exports before it (else inf)."""
        return self.approval_share * self.reference_tonnes if self.regime == LICENCE else float("inf")

    def licence_share(self, destination: str) -> float:
        """Share of the exports to `destination` that licences approve (1 where no licence applies)."""
        return self.approval_share if self.licenses(destination) else 1.0

    def delay(self, destination: str) -> int:
        """Turns that licensed exports to `destination` take to arrive (0 where no licence applies)."""
        return self.delay_turns if self.licenses(destination) else 0
