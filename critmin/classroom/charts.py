"""The debrief's charts: matplotlib figures as PNG data URIs (no files, no network).

Every chart draws the session as solid lines and the AI-only counterfactual as dashed lines of
the same colour, so a class sees at a glance what its decisions changed.
"""

from __future__ import annotations

import base64
import io
from collections import defaultdict
from typing import Any

from critmin.classroom.record import AI_ONLY, SESSION

STYLE = {SESSION: "-", AI_ONLY: "--"}


def pyplot():
    """Matplotlib's pyplot on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def data_uri(figure) -> str:
    """A figure as a base64 PNG data URI (closed afterwards)."""
    plt = pyplot()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=96, bbox_inches="tight", metadata={"Software": None})
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def series(
    rows: list[dict[str, Any]], keys: tuple[str, ...], value: str
) -> dict[tuple, list[tuple[int, float]]]:
    """Rows grouped by `keys` into (turn, value) series, skipping empty values."""
    grouped: dict[tuple, list[tuple[int, float]]] = defaultdict(list)
    for row in rows:
        if row[value] is not None:
            grouped[tuple(row[k] for k in keys)].append((row["turn"], row[value]))
    return grouped


def grid(count: int, columns: int = 2, size: tuple[float, float] = (5.2, 3.0)):
    """A figure with `count` small panels (axes flattened; extra axes hidden)."""
    plt = pyplot()
    rows = max((count + columns - 1) // columns, 1)
    figure, axes = plt.subplots(
        rows, columns, figsize=(size[0] * columns, size[1] * rows), squeeze=False, layout="constrained"
    )
    flat = list(axes.flat)
    for extra in flat[count:]:
        extra.set_visible(False)
    return figure, flat


def colours(teams: list[str]) -> dict[str, Any]:
    """One colour per team."""
    plt = pyplot()
    palette = plt.get_cmap("tab10")
    return {team: palette(i % 10) for i, team in enumerate(teams)}


def price_chart(rows: list[dict[str, Any]], lines: list[tuple[str, str]], teams: list[str]) -> str:
    """Local prices of the key lines in each team's country, session vs AI-only."""
    data = series(rows, ("mineral", "stage", "country", "world"), "price_usd_per_kg")
    figure, axes = grid(len(lines))
    colour = colours(teams)
    for ax, (mineral, stage) in zip(axes, lines, strict=False):
        plot_teams(
            ax, teams, colour, lambda team, world, m=mineral, s=stage: data.get((m, s, team, world), [])
        )
        ax.set_title(f"{mineral} {stage}: price (USD/kg)")
    return data_uri(figure)


def imports_chart(rows: list[dict[str, Any]], lines: list[tuple[str, str]], teams: list[str]) -> str:
    """Each team's imports of the key lines per turn, session vs AI-only."""
    totals: dict[tuple, float] = defaultdict(float)
    for row in rows:
        if row["importer"] in teams and (row["mineral"], row["stage"]) in lines:
            totals[(row["mineral"], row["stage"], row["importer"], row["world"], row["turn"])] += row[
                "tonnes"
            ]
    figure, axes = grid(len(lines))
    colour = colours(teams)
    for ax, (mineral, stage) in zip(axes, lines, strict=False):
        plot_teams(
            ax,
            teams,
            colour,
            lambda team, world, m=mineral, s=stage: sorted(
                (k[4], v) for k, v in totals.items() if k[:4] == (m, s, team, world)
            ),
        )
        ax.set_title(f"{mineral} {stage}: imports (t/turn)")
    return data_uri(figure)


def plot_teams(ax, teams: list[str], colour: dict[str, Any], points_of) -> None:
    """One line per team and world (session solid, AI-only dashed) from `points_of(team, world)`."""
    for team in teams:
        for world in (SESSION, AI_ONLY):
            points = points_of(team, world)
            if points:
                ax.plot(
                    *zip(*points, strict=True),
                    STYLE[world],
                    color=colour[team],
                    label=team if world == SESSION else None,
                )
    ax.set_xlabel("turn")
    ax.legend(fontsize=7, ncol=3)


def goals_chart(rows: list[dict[str, Any]], teams: list[str]) -> str | None:
    """Each team's goals over time against their targets, session vs AI-only."""
    with_goals = [t for t in teams if any(r["team"] == t for r in rows)]
    if not with_goals:
        return None
    figure, axes = grid(len(with_goals))
    palette = pyplot().get_cmap("tab10")
    for ax, team in zip(axes, with_goals, strict=False):
        labels = sorted({r["label"] for r in rows if r["team"] == team})
        for i, label in enumerate(labels):
            mine = [r for r in rows if r["team"] == team and r["label"] == label]
            for world, key in ((SESSION, "value"), (AI_ONLY, "ai_only_value")):
                points = [(r["turn"], r[key]) for r in mine if r[key] is not None]
                if points:
                    ax.plot(
                        *zip(*points, strict=True),
                        STYLE[world],
                        color=palette(i % 10),
                        label=label if world == SESSION else None,
                    )
            ax.axhline(mine[0]["target"], color=palette(i % 10), linewidth=0.8, alpha=0.5)
        ax.set_title(f"{team}: goals (thin line = target)")
        ax.set_xlabel("turn")
        ax.legend(fontsize=6)
    return data_uri(figure)


def security_chart(rows: list[dict[str, Any]], teams: list[str]) -> str:
    """Each team's value-weighted supply security per turn, session vs AI-only."""
    figure, axes = grid(1, columns=1, size=(9.0, 3.6))
    ax = axes[0]
    colour = colours(teams)
    for team in teams:
        for world in (SESSION, AI_ONLY):
            points = sorted(
                (r["turn"], r["security"]) for r in rows if r["team"] == team and r["world"] == world
            )
            if points:
                ax.plot(
                    *zip(*points, strict=True),
                    STYLE[world],
                    color=colour[team],
                    label=team if world == SESSION else None,
                )
    ax.set_title("supply security: consumption / demand at reference prices (dashed: AI only)")
    ax.set_xlabel("turn")
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=7, ncol=6)
    return data_uri(figure)


COMPARED = (
    ("price_index", "prices: local / reference (mean of demanded lines)"),
    ("dependence", "dependence: share of imports from the top supplier"),
    ("embedded", "embedded dependence: supply through the top foreign supplier, feed counted"),
    ("security", "supply security: consumption / demand"),
    ("treasury_usd_m", "budget: treasury (USD m)"),
)


def comparison_chart(rows: list[dict[str, Any]], teams: list[str]) -> str:
    """One panel per compared figure, the teams turn by turn (dashed: AI only)."""
    figure, axes = grid(len(COMPARED))
    colour = colours(teams)
    for ax, (key, title) in zip(axes, COMPARED, strict=False):
        grouped = series(rows, ("team", "world"), key)
        plot_teams(ax, teams, colour, lambda team, world, g=grouped: sorted(g.get((team, world), [])))
        ax.set_title(title, fontsize=9)
    return data_uri(figure)
