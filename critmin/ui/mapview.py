"""The world map: country polygons projected once per window size and painted to a cached surface.

Painting (colours by role or indicator) happens only when the colours change; every frame then
blits one surface. A hidden "pick" surface, with each scenario country drawn in its own colour,
answers which country is under the mouse.
"""

from __future__ import annotations

import pygame

from critmin.ui.geo import Projection, map_code, world_outlines
from critmin.ui.palette import BORDER, LAND, OCEAN, SELECTED_BORDER, Colour


class MapView:
    """The projected outlines of the world and the cached painted map.

    Args:
        countries: the scenario's ISO3 codes (EU members are drawn as "EUU" when it is one).

    """

    def __init__(self, countries: list[str]) -> None:
        self.countries = list(countries)
        codes = set(countries)
        self.features = [(map_code(o.iso3, codes), o) for o in world_outlines()]
        self.pick_index = {code: i + 1 for i, code in enumerate(self.countries)}
        self.rect = pygame.Rect(0, 0, 0, 0)
        self.projection = Projection(0, 0, 1, 1)
        self.polygons: list[tuple[str | None, list[list[tuple[int, int]]]]] = []
        self.surface: pygame.Surface | None = None
        self.pick: pygame.Surface | None = None

    @property
    def drawn(self) -> set[str]:
        """Scenario countries that have at least one outline on the map."""
        return {code for code, _ in self.features if code}

    def layout(self, rect: pygame.Rect) -> None:
        """Project every outline into `rect` (on resize) and redraw the pick surface."""
        self.rect = pygame.Rect(rect)
        self.projection = Projection(0, 0, self.rect.width, self.rect.height)
        self.polygons = [
            (
                code,
                [[(round(x), round(y)) for x, y in self.projection.points(ring)] for ring in outline.rings],
            )
            for code, outline in self.features
        ]
        self.pick = pygame.Surface(self.rect.size)
        self.pick.fill((0, 0, 0))
        for code, rings in self.polygons:
            if code:
                index = self.pick_index[code]
                for ring in rings:
                    if len(ring) > 2:
                        pygame.draw.polygon(self.pick, (index % 256, index // 256, 0), ring)
        self.surface = None

    def paint(self, colours: dict[str, Colour]) -> pygame.Surface:
        """Draw the map with each scenario country in its colour (others in the neutral land colour)."""
        surface = pygame.Surface(self.rect.size).convert()
        surface.fill(OCEAN)
        for code, rings in self.polygons:
            colour = colours.get(code, LAND) if code else LAND
            for ring in rings:
                if len(ring) > 2:
                    pygame.draw.polygon(surface, colour, ring)
                    pygame.draw.lines(surface, BORDER, True, ring, 1)
        self.surface = surface
        return surface

    def country_at(self, pos: tuple[int, int]) -> str | None:
        """The scenario country under a screen position, if any."""
        if self.pick is None or not self.rect.collidepoint(pos):
            return None
        r, g, _, *_ = self.pick.get_at((pos[0] - self.rect.x, pos[1] - self.rect.y))
        index = r + 256 * g
        return self.countries[index - 1] if 0 < index <= len(self.countries) else None

    def anchor(self, lon: float, lat: float) -> tuple[float, float]:
        """Map-surface position of a (lon, lat) point."""
        return self.projection.point(lon, lat)

    def outline(self, surface: pygame.Surface, code: str, colour: Colour = SELECTED_BORDER) -> None:
        """Draw a country's outline (the selection) onto the screen."""
        offset = self.rect.topleft
        for feature_code, rings in self.polygons:
            if feature_code == code:
                for ring in rings:
                    if len(ring) > 2:
                        moved = [(x + offset[0], y + offset[1]) for x, y in ring]
                        pygame.draw.lines(surface, colour, True, moved, 2)
