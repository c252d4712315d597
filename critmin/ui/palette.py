"""Colours of the front end: minerals, country roles, indicator scales, map and routes."""

from __future__ import annotations

from critmin.core.world_map import MINERAL_COLOURS, OTHER_MINERAL, Colour

OCEAN: Colour = (16, 24, 38)
LAND: Colour = (52, 58, 70)  # land outside the scenario (the rest of the world)
BORDER: Colour = (24, 30, 42)
SELECTED_BORDER: Colour = (250, 250, 250)
TEXT: Colour = (225, 230, 238)
MUTED_TEXT: Colour = (150, 160, 175)
BANNED: Colour = (240, 50, 50)
CONTROLLED: Colour = (255, 160, 40)
NO_DATA: Colour = (70, 76, 88)


ROLE_COLOURS: dict[str, Colour] = {
    "player": (214, 172, 58),
    "human": (190, 130, 60),
    "dominant_processor": (165, 62, 62),
    "resource_nationalist": (150, 105, 55),
    "diversifying_importer": (60, 100, 160),
    "aligned_supplier": (55, 125, 90),
    "passive": (85, 92, 108),
}
ROLE_LABELS: dict[str, str] = {
    "player": "you",
    "human": "other players",
    "dominant_processor": "dominant processor (AI)",
    "resource_nationalist": "resource nationalist (AI)",
    "diversifying_importer": "diversifying importer (AI)",
    "aligned_supplier": "aligned supplier (AI)",
    "passive": "passive",
}

# low -> high stops of the indicator scale (green, yellow, red)
SCALE_STOPS: tuple[Colour, ...] = ((50, 120, 90), (200, 180, 70), (200, 60, 50))
ROUTE_COLOURS: dict[str, Colour] = {"ban": BANNED, "restricted": CONTROLLED}

# Colour-blind-safe choices: Okabe-Ito hues for roles and routes, a viridis-like scale
PALETTES: dict[str, dict] = {
    "standard": {
        "roles": dict(ROLE_COLOURS),
        "scale": SCALE_STOPS,
        "routes": dict(ROUTE_COLOURS),
    },
    "colour-blind": {
        "roles": {
            "player": (240, 228, 66),
            "human": (230, 159, 0),
            "dominant_processor": (213, 94, 0),
            "resource_nationalist": (204, 121, 167),
            "diversifying_importer": (0, 114, 178),
            "aligned_supplier": (0, 158, 115),
            "passive": (85, 92, 108),
        },
        "scale": ((68, 1, 84), (33, 145, 140), (253, 231, 37)),
        "routes": {"ban": (213, 94, 0), "restricted": (86, 180, 233)},
    },
}


def use_palette(name: str) -> None:
    """Switch the role, scale and route colours (see PALETTES); the map must be repainted."""
    global SCALE_STOPS
    chosen = PALETTES[name]
    ROLE_COLOURS.update(chosen["roles"])
    ROUTE_COLOURS.update(chosen["routes"])
    SCALE_STOPS = chosen["scale"]


def route_colour(regime: str) -> Colour:
    """Dashes of a controlled route: 'ban', else restricted (licence or quota)."""
    return ROUTE_COLOURS["ban" if regime == "ban" else "restricted"]


def mineral_colour(mineral: str) -> Colour:
    """The colour of a mineral's flows."""
    return MINERAL_COLOURS.get(mineral, OTHER_MINERAL)


def scale_colour(share: float) -> Colour:
    """A colour on the indicator scale for `share` in [0, 1] (clipped)."""
    share = min(max(share, 0.0), 1.0) * (len(SCALE_STOPS) - 1)
    low = min(int(share), len(SCALE_STOPS) - 2)
    t = share - low
    a, b = SCALE_STOPS[low], SCALE_STOPS[low + 1]
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))
