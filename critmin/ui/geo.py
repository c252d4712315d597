"""The world map's geometry: country outlines from Natural Earth and an equirectangular projection.

Pure data and arithmetic (no pygame), so it is tested directly. Outlines are keyed by ISO3;
a scenario's countries are matched to them, EU member states all standing for the bloc "EUU".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

import numpy as np

from critmin.core.world_map import world_geojson

EU_BLOC = "EUU"
REST_OF_WORLD = "ROW"
EU_MEMBERS = frozenset(
    {
        "AUT",
        "BEL",
        "BGR",
        "HRV",
        "CYP",
        "CZE",
        "DNK",
        "EST",
        "FIN",
        "FRA",
        "DEU",
        "GRC",
        "HUN",
        "IRL",
        "ITA",
        "LVA",
        "LTU",
        "LUX",
        "MLT",
        "NLD",
        "POL",
        "PRT",
        "ROU",
        "SVK",
        "SVN",
        "ESP",
        "SWE",
    }
)
LAT_TOP, LAT_BOTTOM = 84.0, -58.0  # Antarctica and the far Arctic are left out
SKIPPED = frozenset({"ATA"})


@dataclass(frozen=True)
class Outline:
    """One map feature: its ISO3 code, name and rings of (lon, lat) points."""

    iso3: str
    name: str
    rings: tuple[np.ndarray, ...]


@cache
def world_outlines() -> tuple[Outline, ...]:
    """The packaged Natural Earth outlines (read once)."""
    return outlines_from_geojson(json.loads(world_geojson()))


def outlines_from_geojson(data: dict) -> tuple[Outline, ...]:
    """Outlines of a GeoJSON FeatureCollection of (Multi)Polygons keyed by `iso_a3`."""
    outlines = []
    for feature in data["features"]:
        properties, geometry = feature["properties"], feature["geometry"]
        iso3 = properties.get("iso_a3", "")
        if iso3 in SKIPPED or geometry is None:
            continue
        polygons = (
            geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        )
        rings = tuple(np.asarray(polygon[0], dtype=float) for polygon in polygons)  # outer rings only
        outlines.append(Outline(iso3, properties.get("name", iso3), rings))
    return tuple(outlines)


def map_code(iso3: str, scenario_codes: set[str] | frozenset[str]) -> str | None:
    """The scenario country a map feature stands for: itself, the EU bloc, or None."""
    if iso3 in scenario_codes and iso3 != REST_OF_WORLD:
        return iso3
    if iso3 in EU_MEMBERS and EU_BLOC in scenario_codes:
        return EU_BLOC
    return None


@dataclass(frozen=True)
class Projection:
    """Equirectangular projection of the world into a screen rectangle, keeping the aspect ratio.

    Args:
        left, top, width, height: the screen rectangle the map must fit in (pixels).

    """

    left: int
    top: int
    width: int
    height: int

    @property
    def scale(self) -> float:
        """Pixels per degree."""
        return min(self.width / 360.0, self.height / (LAT_TOP - LAT_BOTTOM))

    @property
    def origin(self) -> tuple[float, float]:
        """Screen position of (lon -180, lat LAT_TOP), centring the map in the rectangle."""
        scale = self.scale
        x0 = self.left + (self.width - 360.0 * scale) / 2
        y0 = self.top + (self.height - (LAT_TOP - LAT_BOTTOM) * scale) / 2
        return x0, y0

    def points(self, lon_lat: np.ndarray) -> np.ndarray:
        """Screen (x, y) of an (N, 2) array of (lon, lat)."""
        x0, y0 = self.origin
        scale = self.scale
        lon_lat = np.asarray(lon_lat, dtype=float)
        x = x0 + (lon_lat[:, 0] + 180.0) * scale
        y = y0 + (LAT_TOP - np.clip(lon_lat[:, 1], LAT_BOTTOM, LAT_TOP)) * scale
        return np.column_stack([x, y])

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        """Screen (x, y) of one (lon, lat)."""
        x, y = self.points(np.array([[lon, lat]]))[0]
        return float(x), float(y)

    def lon_lat(self, x: float, y: float) -> tuple[float, float]:
        """The (lon, lat) under a screen point (the inverse of `point`)."""
        x0, y0 = self.origin
        return (x - x0) / self.scale - 180.0, LAT_TOP - (y - y0) / self.scale
