"""The map's legend: what the country colours and the flow colours mean."""

from __future__ import annotations

import pygame

from critmin.ui.indicators import PRICE_RATIO_RANGE, STOCK_COVER_FULL_WEEKS
from critmin.ui.palette import (
    BANNED,
    CONTROLLED,
    MUTED_TEXT,
    ROLE_COLOURS,
    ROLE_LABELS,
    mineral_colour,
    scale_colour,
)
from critmin.ui.widgets import draw_text

SCALE_ENDS = {
    "import dependence": ("0% imported", "100% imported"),
    "stock cover": (f"{STOCK_COVER_FULL_WEEKS:.0f}+ weeks", "no stock"),
    "price": (f"{PRICE_RATIO_RANGE[0]:g}× start price", f"{PRICE_RATIO_RANGE[1]:g}×"),
}
LINE = 17
MAX_MINERALS = 9


def legend_surface(mode: str, roles: list[str], minerals: list[str], filter_text: str) -> pygame.Surface:
    """A translucent box: the colouring, the minerals flowing, and the route marks."""
    rows = legend_rows(mode, roles, minerals)
    height = 42 + LINE * len(rows)
    surface = pygame.Surface((250, height), pygame.SRCALPHA)
    surface.fill((10, 14, 22, 200))
    draw_text(surface, f"countries: {mode}", (8, 4), 13, bold=True)
    draw_text(surface, f"flows: {filter_text}"[:40], (8, 21), 12, colour=MUTED_TEXT)
    y = 40
    for kind, colour, label in rows:
        if kind == "box":
            pygame.draw.rect(surface, colour, (8, y + 3, 14, 11))
        elif kind == "dash":
            for x in (8, 16):
                pygame.draw.line(surface, colour, (x, y + 8), (x + 5, y + 8), 2)
        else:
            pygame.draw.circle(surface, colour, (15, y + 8), 4)
        draw_text(surface, label, (28, y), 12, colour=MUTED_TEXT if kind == "note" else (225, 230, 238))
        y += LINE
    return surface


def legend_rows(mode: str, roles: list[str], minerals: list[str]) -> list[tuple[str, tuple, str]]:
    """(kind, colour, label) rows of the legend."""
    if mode == "role":
        rows = [("box", ROLE_COLOURS[r], ROLE_LABELS[r]) for r in ROLE_COLOURS if r in roles]
    else:
        low, high = SCALE_ENDS[mode]
        rows = [
            ("box", scale_colour(0.0), low),
            ("box", scale_colour(0.5), "middle"),
            ("box", scale_colour(1.0), high),
        ]
    shown = minerals[:MAX_MINERALS]
    rows += [("dot", mineral_colour(m), m) for m in shown]
    if len(minerals) > len(shown):
        rows.append(("note", MUTED_TEXT, f"+ {len(minerals) - len(shown)} more minerals"))
    rows += [("dash", BANNED, "exports banned"), ("dash", CONTROLLED, "licence or quota")]
    return rows
