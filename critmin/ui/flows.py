"""Animated trade flows over the map: arcs sized by volume, coloured by mineral, controlled routes dashed.

The arcs, their widths and the dashed controlled routes are drawn once per turn (or filter, or
window size) onto a copy of the painted map. Each frame then moves particles along the arcs:
their positions are computed for all flows at once with numpy and blitted in one `fblits` call.
Animation time advances in fixed steps (`advance`), independently of turns and frame rate.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pygame

from critmin.core.snapshot import Flow
from critmin.ui.indicators import Route
from critmin.ui.palette import MINERAL_COLOURS, mineral_colour, route_colour

ARC_POINTS = 24
ARC_BEND = 0.12  # control point offset, as a share of the chord
BEND_STEP = 0.04
PARTICLE_SPEED_PX = 55.0  # pixels per second along an arc
PARTICLE_SPACING_PX = 48.0
MAX_PARTICLES_PER_FLOW = 12
MAX_WIDTH_PX = 6
DASH_PX = 7
FADED_ALPHA = 30
ARROW_AT = 0.72  # arrowheads sit this far along each arc


@dataclass(frozen=True)
class Arc:
    """One flow's path on screen and how it is drawn."""

    flow: Flow
    points: np.ndarray  # (ARC_POINTS, 2)
    share: float  # of the largest flow of the same mineral and stage, 0..1

    @property
    def width(self) -> int:
        """Line width in pixels, growing with the square root of the volume."""
        return 1 + round((MAX_WIDTH_PX - 1) * math.sqrt(self.share))

    @property
    def length(self) -> float:
        """Length of the arc in pixels."""
        return float(np.linalg.norm(np.diff(self.points, axis=0), axis=1).sum())


def arc_points(
    start: tuple[float, float], end: tuple[float, float], n: int = ARC_POINTS, bend: float = ARC_BEND
) -> np.ndarray:
    """A quadratic Bézier arc from start to end, bulging to the left of the direction of travel."""
    p0, p2 = np.asarray(start, dtype=float), np.asarray(end, dtype=float)
    chord = p2 - p0
    normal = np.array([chord[1], -chord[0]]) * bend
    p1 = (p0 + p2) / 2 + normal
    t = np.linspace(0.0, 1.0, n)[:, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t**2 * p2


def mineral_bend(flow: Flow) -> float:
    """Each mineral and stage bends a little differently, so flows on one route do not hide each other."""
    k = (list(MINERAL_COLOURS).index(flow.mineral) if flow.mineral in MINERAL_COLOURS else 0) % 5
    return ARC_BEND + BEND_STEP * k + (BEND_STEP / 2 if flow.stage == "magnet" else 0.0)


def volume_shares(flows: list[Flow]) -> list[float]:
    """Each flow's tonnes over the largest flow of its mineral and stage."""
    largest: dict[tuple[str, str], float] = defaultdict(float)
    for f in flows:
        largest[(f.mineral, f.stage)] = max(largest[(f.mineral, f.stage)], f.tonnes)
    return [f.tonnes / largest[(f.mineral, f.stage)] if largest[(f.mineral, f.stage)] else 0.0 for f in flows]


def overall_shares(flows: list[Flow]) -> list[float]:
    """Each flow's size over the largest of all."""
    largest = max((f.tonnes for f in flows), default=0.0)
    return [f.tonnes / largest if largest else 0.0 for f in flows]


def arrowhead(points: np.ndarray, size: float, at: float = ARROW_AT) -> list[tuple[float, float]]:
    """A triangle pointing along an arc (towards the importer), `at` of the way along it."""
    k = min(max(round(at * (len(points) - 1)), 1), len(points) - 2)
    direction = points[k + 1] - points[k - 1]
    norm = float(np.hypot(*direction)) or 1.0
    ux, uy = direction / norm
    tip = points[k] + np.array([ux, uy]) * size
    back = points[k] - np.array([ux, uy]) * size * 0.6
    side = np.array([-uy, ux]) * size * 0.7
    return [tuple(tip), tuple(back + side), tuple(back - side)]


class FlowLayer:
    """The flows of the last turn over the painted map, with moving particles."""

    def __init__(self) -> None:
        self.time = 0.0
        self.arcs: list[Arc] = []
        self.routes: list[Route] = []
        self.background: pygame.Surface | None = None
        self.visible = True
        self.set_particles([])

    @property
    def particle_count(self) -> int:
        """Particles currently animated."""
        return len(self.sprites)

    def build(
        self,
        base: pygame.Surface,
        flows: list[Flow],
        routes: list[Route],
        anchors: dict[str, tuple[float, float]],
        faded: list[Flow] = (),
        overall: bool = False,
    ) -> None:
        """Draw routes, faded flows and arcs with arrowheads onto a copy of the map; seed the particles.

        Widths are relative to the largest flow of the same line, or (`overall`) of all flows.
        """
        shares = overall_shares(flows) if overall else volume_shares(flows)
        self.routes = routes
        self.arcs = [
            Arc(f, arc_points(anchors[f.exporter], anchors[f.importer], bend=mineral_bend(f)), share)
            for f, share in zip(flows, shares, strict=True)
        ]
        background = base.copy()
        lines = pygame.Surface(base.get_size(), pygame.SRCALPHA)
        for route in routes:
            colour = route_colour(route.regime)
            dashed(lines, (*colour, 255), arc_points(anchors[route.exporter], anchors[route.importer]), 2)
        for flow in faded:
            points = arc_points(anchors[flow.exporter], anchors[flow.importer], bend=mineral_bend(flow))
            pygame.draw.lines(lines, (*mineral_colour(flow.mineral), FADED_ALPHA), False, points.tolist(), 1)
        for arc in sorted(self.arcs, key=lambda a: a.share):
            colour = (*mineral_colour(arc.flow.mineral), round(60 + 140 * math.sqrt(arc.share)))
            pygame.draw.lines(lines, colour, False, arc.points.tolist(), arc.width)
            pygame.draw.polygon(lines, (*colour[:3], 230), arrowhead(arc.points, 4 + arc.width))
        background.blit(lines, (0, 0))
        self.background = background
        self.set_particles(self.arcs)

    def set_particles(self, arcs: list[Arc]) -> None:
        """Spread particles evenly along each arc; bigger flows carry bigger dots."""
        paths, speeds, offsets, owners, sprites = [], [], [], [], []
        for i, arc in enumerate(arcs):
            length = max(arc.length, 1.0)
            spread = length / PARTICLE_SPACING_PX * (0.3 + 0.7 * math.sqrt(arc.share))
            count = int(min(max(spread, 1), MAX_PARTICLES_PER_FLOW))
            paths.append(arc.points)
            speeds.append(PARTICLE_SPEED_PX / length)
            sprite = dot(mineral_colour(arc.flow.mineral), 2 + round(2 * math.sqrt(arc.share)))
            for k in range(count):
                offsets.append(k / count)
                owners.append(i)
                sprites.append(sprite)
        self.paths = np.array(paths).reshape(len(paths), ARC_POINTS, 2)
        self.speeds = np.array(speeds, dtype=float)
        self.offsets = np.array(offsets, dtype=float)
        self.owners = np.array(owners, dtype=int)
        self.sprites = sprites
        self.half_sizes = np.array([s.get_width() // 2 for s in sprites], dtype=float)
        # (sprite, destination) pairs reused every frame: moving particles allocates no new objects
        # for the garbage collector, which would otherwise pause a frame every few
        self.places = [[0, 0] for _ in sprites]
        self.blits = list(zip(sprites, self.places, strict=True))

    def advance(self, step_s: float) -> None:
        """Move the animation forward by one fixed time step."""
        self.time += step_s

    def positions(self) -> np.ndarray:
        """Top-left positions of every particle sprite now, (N, 2) map-surface pixels."""
        if not len(self.owners):
            return np.zeros((0, 2))
        u = (self.offsets + self.time * self.speeds[self.owners]) % 1.0
        scaled = u * (ARC_POINTS - 1)
        lower = np.minimum(scaled.astype(int), ARC_POINTS - 2)
        frac = (scaled - lower)[:, None]
        start = self.paths[self.owners, lower]
        end = self.paths[self.owners, lower + 1]
        return start + (end - start) * frac - self.half_sizes[:, None]

    def draw(self, surface: pygame.Surface, topleft: tuple[int, int]) -> None:
        """Blit the map with its arcs, then the particles at their current places."""
        if self.background is None:
            return
        surface.blit(self.background, topleft)
        if not self.visible or not self.sprites:
            return
        points = (self.positions() + np.asarray(topleft)).astype(int)
        for place, x, y in zip(self.places, points[:, 0].tolist(), points[:, 1].tolist(), strict=True):
            place[0] = x
            place[1] = y
        surface.fblits(self.blits)


_dots: dict[tuple, pygame.Surface] = {}


def dot(colour: tuple[int, int, int], radius: int) -> pygame.Surface:
    """A small round particle sprite (cached per colour and size)."""
    key = (colour, radius)
    if key not in _dots:
        sprite = pygame.Surface((2 * radius + 1, 2 * radius + 1), pygame.SRCALPHA)
        pygame.draw.circle(sprite, (*colour, 255), (radius, radius), radius)
        _dots[key] = sprite
    return _dots[key]


def dashed(surface: pygame.Surface, colour, points: np.ndarray, width: int) -> None:
    """A dashed polyline: resample evenly and draw every other dash."""
    segment_lengths = np.linalg.norm(np.diff(points, axis=0), axis=1)
    distance = np.concatenate([[0.0], np.cumsum(segment_lengths)])
    if distance[-1] <= 0:
        return
    marks = np.arange(0.0, distance[-1], DASH_PX)
    xs = np.interp(marks, distance, points[:, 0])
    ys = np.interp(marks, distance, points[:, 1])
    for k in range(0, len(marks) - 1, 2):
        pygame.draw.line(surface, colour, (xs[k], ys[k]), (xs[k + 1], ys[k + 1]), width)
