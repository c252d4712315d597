"""The map's legend: what the country colours and the flow colours mean."""

from __future__ import annotations

import pygame

from critmin.ui.indicators import PRICE_RATIO_RANGE, STOCK_COVER_FULL_WEEKS
from critmin.ui.palette import (
    MUTED_TEXT,
    NO_DATA,
    ROLE_COLOURS,
    ROLE_LABELS,
    mineral_colour,
    route_colour,
    scale_colour,
)
from critmin.ui.widgets import draw_text, fit

SCALE_ENDS = {
    "import dependence": ("0% imported", "100% imported"),
    "stock cover": (f"{STOCK_COVER_FULL_WEEKS:.0f}+ weeks", "no stock"),
    "price": (f"{PRICE_RATIO_RANGE[0]:g}× start price", f"{PRICE_RATIO_RANGE[1]:g}×"),
}
LINE = 17
PAIR_FROM = 6  # more minerals than this are listed two to a row


def legend_surface(
    mode: str, roles: list[str], minerals: list[str], filter_text: str, story=None, max_height: int = 10_000
) -> pygame.Surface:
    """A translucent box: the colouring, the flows' colours, width and direction, the route marks."""
    rows = legend_rows(mode, roles, minerals, story, max((max_height - 42) // LINE, 8))
    height = 42 + LINE * len(rows)
    surface = pygame.Surface((270, height), pygame.SRCALPHA)
    surface.fill((10, 14, 22, 200))
    draw_text(surface, f"countries: {mode}", (8, 4), 13, bold=True)
    draw_text(surface, fit(f"flows: {filter_text}", 256, 12), (8, 21), 12, colour=MUTED_TEXT)
    y = 40
    for kind, colour, label in rows:
        if kind == "box":
            pygame.draw.rect(surface, colour, (8, y + 3, 14, 11))
        elif kind == "dash":
            for x in (8, 16):
                pygame.draw.line(surface, colour, (x, y + 8), (x + 5, y + 8), 2)
        elif kind == "width":
            for k, x in enumerate((8, 13, 18)):
                pygame.draw.line(surface, colour, (x, y + 13), (x, y + 13 - 3 * (k + 1)), 1 + 2 * k)
        elif kind == "arrow":
            pygame.draw.line(surface, colour, (8, y + 8), (18, y + 8), 2)
            pygame.draw.polygon(surface, colour, [(22, y + 8), (16, y + 4), (16, y + 12)])
        elif kind == "pair":  # two minerals side by side: (colour, label) each
            for x, dot_colour, text in zip((15, 145), colour, label, strict=True):
                pygame.draw.circle(surface, dot_colour, (x, y + 8), 4)
                draw_text(surface, text, (x + 13, y), 12, colour=(225, 230, 238))
            y += LINE
            continue
        elif kind == "faded":
            pygame.draw.line(surface, colour, (8, y + 8), (22, y + 8), 1)
        else:
            pygame.draw.circle(surface, colour, (15, y + 8), 4)
        draw_text(surface, label, (28, y), 12, colour=MUTED_TEXT if kind == "note" else (225, 230, 238))
        y += LINE
    return surface


def legend_rows(mode: str, roles: list[str], minerals: list[str], story=None, room: int = 40) -> list[tuple]:
    """(kind, colour, label) rows of the legend: every mineral shown, as far as the room allows."""
    if mode == "role":
        rows = [("box", ROLE_COLOURS[r], ROLE_LABELS[r]) for r in ROLE_COLOURS if r in roles]
    else:
        low, high = SCALE_ENDS[mode]
        rows = [
            ("box", scale_colour(0.0), low),
            ("box", scale_colour(0.5), "middle"),
            ("box", scale_colour(1.0), high),
            ("box", NO_DATA, "no data (not used, or no turn yet)"),
        ]
    by_value = story is not None and story.width_by == "value"
    marks = [
        ("width", (225, 230, 238), "width: value of the trade" if by_value else "width: tonnes (vs biggest)"),
        ("arrow", (225, 230, 238), "direction: exporter to importer"),
    ]
    if story is not None and story.faded:
        marks.append(("faded", (150, 160, 175), "others' trade (faded)"))
    marks += [
        ("dash", route_colour("ban"), "exports banned"),
        ("dash", route_colour("licence"), "licence or quota"),
    ]
    free = room - len(rows) - len(marks)
    capacity = 2 * free if len(minerals) > PAIR_FROM else free
    shown = minerals if len(minerals) <= capacity else minerals[: max(capacity - 2, 0)]
    if by_value and shown:
        rows.append(("note", MUTED_TEXT, "colour: the route's main mineral"))
    dots = [(mineral_colour(m), m.replace("_", " ")) for m in shown]  # "ree light", as the menus say
    if len(dots) > PAIR_FROM:
        rows += [("pair", *zip(*dots[k : k + 2], strict=True)) for k in range(0, len(dots) - 1, 2)]
        rows += [("dot", *dots[-1])] if len(dots) % 2 else []
    else:
        rows += [("dot", colour, name) for colour, name in dots]
    if len(minerals) > len(shown):
        rows.append(("note", MUTED_TEXT, f"+ {len(minerals) - len(shown)} more (filter by mineral: M)"))
    return rows + marks
