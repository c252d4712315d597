"""What every map of the world shares: the countries' outlines and the colour of each mineral's flows.

The pygame map and the browser classroom's map both draw the packaged Natural Earth outlines
(public domain; see assets/README.md) and colour flows alike.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

Colour = tuple[int, int, int]

MINERAL_COLOURS: dict[str, Colour] = {
    "lithium": (120, 200, 255),
    "cobalt": (60, 110, 240),
    "nickel": (140, 220, 110),
    "graphite": (205, 205, 205),
    "ree_light": (240, 90, 200),
    "ree_heavy": (175, 90, 255),
    "copper": (235, 125, 55),
    "tin": (150, 180, 170),
    "molybdenum": (80, 200, 185),
    "tungsten": (255, 220, 80),
    "beryllium": (205, 255, 120),
    "tantalum": (255, 150, 150),
    "gallium": (100, 240, 240),
    "germanium": (255, 185, 70),
    "tellurium": (195, 145, 95),
    "selenium": (230, 165, 235),
    "antimony": (165, 200, 60),
    "niobium": (120, 150, 230),
    "vanadium": (230, 110, 120),
    "titanium": (200, 200, 230),
    "zirconium": (235, 200, 150),
    "pge": (180, 190, 200),
    "silicon": (120, 120, 160),
    "phosphate": (160, 210, 140),
    "potash": (230, 150, 190),
    "bismuth": (255, 130, 200),
    "cadmium": (250, 240, 110),
    "indium": (140, 170, 255),
    "rhenium": (110, 200, 255),
    "strontium": (255, 110, 80),
}
OTHER_MINERAL: Colour = (220, 220, 220)


@cache
def world_geojson() -> bytes:
    """The Natural Earth outlines of the world's countries as GeoJSON (read once)."""
    return (resources.files("critmin.core") / "assets" / "world.geojson").read_bytes()
