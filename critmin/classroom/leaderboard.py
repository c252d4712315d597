"""The leaderboard the instructor may show: each team's pack goals met now, and its supply security.

Computed from the public snapshot after the last turn, with the same goal metrics as the
debrief (`record.goal_value`). Teams rank by the share of their goals met, then by their
value-weighted supply security.
"""

from __future__ import annotations

from typing import Any

from critmin.classroom.packs import Pack
from critmin.core.snapshot import WorldSnapshot


def standings(
    pack: Pack | None, teams: list[str], names: dict[str, str], now: WorldSnapshot, start: WorldSnapshot
) -> list[dict[str, Any]]:
    """One row per team, best first: goals met and counted, supply security, treasury against the start."""
    from critmin.classroom.record import goal_value, met, overall_security

    rows = []
    for team in teams:
        verdicts = [met(g, goal_value(g, team, now, start)) for g in (pack.goals_of(team) if pack else [])]
        counted = [v for v in verdicts if v is not None]
        security = overall_security(now, team)
        treasury = now.treasury_usd_m.get(team, 0.0)
        initial = start.treasury_usd_m.get(team, 0.0)
        rows.append(
            {
                "team": team,
                "name": names.get(team, team),
                "goals_met": sum(counted),
                "goals": len(counted),
                "security": None if security is None else round(security, 3),
                "treasury_change": round(treasury / initial - 1.0, 3) if initial else None,
            }
        )
    rows.sort(key=lambda r: (-(r["goals_met"] / r["goals"] if r["goals"] else 0.0), -(r["security"] or 0.0)))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return rows
