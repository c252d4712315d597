"""The shared vocabulary: minerals, stages, sectors, turns and ids (units: core/units.py).

Every layer speaks these words. This module imports nothing of the project.
Quantities are tonnes of contained material (the mineral's declared content basis),
prices are USD per kg, money is USD million, and one turn is one quarter.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Mineral(StrEnum):
    """The critical minerals the engine knows. Rare earths are split by use."""

    LITHIUM = "lithium"
    COBALT = "cobalt"
    NICKEL = "nickel"
    GRAPHITE = "graphite"
    REE_LIGHT = "ree_light"  # NdPr: the light magnet rare earths
    REE_HEAVY = "ree_heavy"  # Dy/Tb: the heavy rare earths that keep magnets working when hot
    COPPER = "copper"
    TIN = "tin"
    MOLYBDENUM = "molybdenum"
    TUNGSTEN = "tungsten"
    BERYLLIUM = "beryllium"
    TANTALUM = "tantalum"
    GALLIUM = "gallium"
    GERMANIUM = "germanium"
    TELLURIUM = "tellurium"
    SELENIUM = "selenium"
    ANTIMONY = "antimony"
    NIOBIUM = "niobium"
    VANADIUM = "vanadium"
    TITANIUM = "titanium"  # TiO2 in ilmenite and rutile
    ZIRCONIUM = "zirconium"  # zircon
    PGE = "pge"  # platinum and palladium
    SILICON = "silicon"  # ferrosilicon's silicon and silicon metal
    PHOSPHATE = "phosphate"  # phosphate rock
    POTASH = "potash"  # K2O
    BISMUTH = "bismuth"
    CADMIUM = "cadmium"
    INDIUM = "indium"
    RHENIUM = "rhenium"
    STRONTIUM = "strontium"


class Stage(StrEnum):
    """Supply-chain stages, in chain order. A mineral's scenario entry picks its own chain."""

    MINE = "mine"
    REFINED = "refined"
    MAGNET = "magnet"


class Sector(StrEnum):
    """Consuming sectors (manufacturers)."""

    EV = "ev"
    STORAGE = "storage"
    WIND = "wind"
    ELECTRONICS = "electronics"
    DEFENCE = "defence"
    INDUSTRY = "industry"


MINERALS: tuple[Mineral, ...] = tuple(Mineral)
STAGES: tuple[Stage, ...] = tuple(Stage)
SECTORS: tuple[Sector, ...] = tuple(Sector)

TURNS_PER_YEAR = 4

ISO3_PATTERN = re.compile(r"^[A-Z]{3}$")


def quarter_label(start_year: int, start_quarter: int, turn: int) -> str:
    """The calendar quarter of `turn` (0-based) for a scenario starting at a quarter, e.g. '2025Q3'."""
    index = start_year * 4 + (start_quarter - 1) + turn
    return f"{index // 4}Q{index % 4 + 1}"
