"""Named substitution options: what users of a mineral switch to when it stays dear.

One table serves every scenario (the `[market]` default, overridable as `[[market.substitutes]]`).
Figures come from ../shared/data/calibration/BEHAVIOUR.md section 2 (substitution and thrifting),
with its confidence flags. `price_multiple` is the mineral's price, over reference, at which the
alternative's extra cost is paid back; it is derived from the stated cost penalty and flagged [L].
`adoption_quarters` follows the stylised speeds there: process thrifting 2-6 quarters, a chemistry
switch in an existing chain 1-4 years, a new material 5-10 years; `available_from` is the year the
alternative reached mass production (before it, none can be adopted).
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from critmin.core.vocabulary import Mineral, Stage
from critmin.scenarios.record import Record, Share, Source

BEHAVIOUR = "BEHAVIOUR.md section 2"
SODIUM_ION = (
    f"{BEHAVIOUR}: Li-ion -> Na-ion, lower energy density, no Li, Co or Ni, launched 2021-23 [L]. "
    "Share: ~11 GWh of Na-ion against ~1,500 GWh of Li-ion made in a year, under 1% (Benchmark "
    "Mineral Intelligence via press) [M]; 10 GWh in 2025 to ~70 GWh in 2033 (IDTechEx, 2023) and "
    "~20 GWh by 2030 in Wood Mackenzie's base case [M]; the ceiling of 10% of lithium use is the "
    "part of storage and small-vehicle cells it can serve [L]. Years: CATL's first cells 2021 "
    "(160 Wh/kg), first mass-made cars 2023 (JAC Sehol E10X, Chery), CATL Naxtra 175 Wh/kg "
    "(LFP ~185) from 2025 [M]. Cost: CATL's CTO (2023) said a Na-ion cell is not cheaper than LFP "
    "at today's lithium prices, since lower density needs almost twice the cells per kWh [M]; "
    "makers turned to it when Li2CO3 reached USD 71,100/t (2022, 5x 2024, USGS salient) [H]: "
    "break-even put at 2x the reference lithium price [L]. Speed: a new material, 5-10 years "
    "(BEHAVIOUR.md), quicker where Li-ion lines are converted: 20 quarters [L]"
)

ANTIMONY_SYNERGISTS = (
    "USGS MCS Substitutes: other flame-retardant synergists and compounds for antimony trioxide, "
    "calcium-lead alloys in lead-acid batteries (the trend to low-maintenance batteries tilted use "
    "toward calcium, USGS MCS 2011) [H]. Share: flame retardants ~half of use (USGS T4) [H]/[L]; zinc "
    "borate and stannate, tin and cerium dioxides, magnesium hydroxide replace part of the trioxide, "
    "a full shift is unlikely, Sb-Br systems irreplaceable in some uses (Metalnomist, Feb 2025) [M]: "
    "0.2 of all use [L]. Price: flame-retardant buyers call Yn90,000/t the viable level (Metalnomist, "
    "Feb 2025) [M], ~1.1x China's Yn81,000-82,000/t of 2022 (Argus, Apr 2022) [M]; non-halogen "
    "systems need higher loadings [L]: 1.5x [L]. Speed: a reformulation within existing compounds, "
    "process thrifting 2-6 quarters (BEHAVIOUR.md) [L]; China's trioxide output fell 4.8% in 2024 on "
    "weaker flame-retardant demand (CNMIA via Metalnomist, Apr 2025) [M]: 4 quarters [L]"
)


class SubstituteSpec(Record, kw_only=True):
    """A named alternative to a mineral at a stage of final use (docs/mechanisms.md).

    Users adopt it while the mineral's expected price stays above `price_multiple` times its
    reference (the alternative's extra cost, expressed as the mineral's price at which users are
    indifferent), reaching `max_share` of their use after `adoption_quarters`; when the price
    eases they go back over `reversal_quarters` (redesigns stay redesigned). Nobody adopts it
    before the year it was ready for mass production, `available_from`.
    """

    name: str
    mineral: Mineral
    stages: tuple[Stage, ...]
    max_share: Share
    price_multiple: Annotated[float, msgspec.Meta(ge=1, le=100)]
    adoption_quarters: Annotated[float, msgspec.Meta(ge=1, le=80)]
    reversal_quarters: Annotated[float, msgspec.Meta(ge=1, le=400)] = 40.0
    available_from: Annotated[int, msgspec.Meta(ge=1900, le=2200)] = 1900
    source: Source


SUBSTITUTES: tuple[SubstituteSpec, ...] = (
    SubstituteSpec(
        name="grain-boundary diffusion (Dy/Tb-lean NdFeB grades)",
        mineral=Mineral.REE_HEAVY,
        stages=(Stage.REFINED, Stage.MAGNET),
        max_share=0.45,
        price_multiple=1.3,
        adoption_quarters=4,
        available_from=2012,
        source=f"{BEHAVIOUR}: GBD cuts heavy REE 30-60% at equal coercivity for +5-15% processing cost, "
        "mainstream in EV motors, suits thin motor magnets only [L]; Shin-Etsu converted its output "
        "within ~1 year (mid-2012 to spring 2013), so not at scale before 2012 [M]",
    ),
    SubstituteSpec(
        name="Dy-free grades, ferrite and rare-earth-free motors",
        mineral=Mineral.REE_HEAVY,
        stages=(Stage.REFINED, Stage.MAGNET),
        max_share=0.25,
        price_multiple=2.5,
        adoption_quarters=10,
        available_from=2012,
        source=f"{BEHAVIOUR}: Hitachi Dy 8% -> 4% in 2-3 years, Nissan Leaf -40% Dy a year after the "
        "2010 shock (Nov 2011) [M]; induction and wound-rotor motors off the shelf with a few % "
        "efficiency penalty [L]",
    ),
    SubstituteSpec(
        name="ferrite magnets, induction and wound-rotor motors",
        mineral=Mineral.REE_LIGHT,
        stages=(Stage.MAGNET,),
        max_share=0.25,
        price_multiple=2.0,
        adoption_quarters=8,
        available_from=2012,
        source=f"{BEHAVIOUR}: 'increasing number of Japanese companies' returned to ferrite in 2012 [M]; "
        "ferrite (BH)max ~1/8-1/10 of NdFeB, so larger magnets [L]; EESM/induction motors [L]",
    ),
    SubstituteSpec(
        name="alumina for ceria polishing, lower loadings in other uses",
        mineral=Mineral.REE_LIGHT,
        stages=(Stage.REFINED,),
        max_share=0.2,
        price_multiple=2.0,
        adoption_quarters=4,
        source=f"{BEHAVIOUR}: switching polishing to alumina cut Japan's REE demand by >15% within a "
        "year (Time 2011) [M]",
    ),
    SubstituteSpec(
        name="NMC 811 and LFP cathodes",
        mineral=Mineral.COBALT,
        stages=(Stage.REFINED,),
        max_share=0.5,
        price_multiple=1.5,
        adoption_quarters=12,
        available_from=2018,
        source=f"{BEHAVIOUR}: NMC111 -> 811 cuts cobalt from 1/3 to 10% of cathode metals; 811 from 1% "
        "to 13% of China's EV batteries in Jan-Aug 2018, so from 2018 [M]; LFP 7% -> 27% of EV "
        "batteries 2018-22 [M]",
    ),
    SubstituteSpec(
        name="LFP cathodes instead of nickel-rich ones",
        mineral=Mineral.NICKEL,
        stages=(Stage.REFINED,),
        max_share=0.2,
        price_multiple=2.0,
        adoption_quarters=12,
        available_from=2019,
        source=f"{BEHAVIOUR}: LFP 7% (2018) -> 27% (2022) of EV batteries (IEA GEVO 2023) [M]; "
        "batteries are a minority of nickel use [L]",
    ),
    SubstituteSpec(
        name="sodium-ion cells (stationary storage, small cars, two-wheelers)",
        mineral=Mineral.LITHIUM,
        stages=(Stage.REFINED,),
        max_share=0.1,
        price_multiple=2.0,
        adoption_quarters=20,
        available_from=2023,
        source=SODIUM_ION,
    ),
    SubstituteSpec(
        name="ceramics, cermets and PCD/cBN tools; steel and lead for heavy alloys",
        mineral=Mineral.TUNGSTEN,
        stages=(Stage.REFINED,),
        max_share=0.2,
        price_multiple=2.0,
        adoption_quarters=16,
        source=f"{BEHAVIOUR}: tool-life and density penalties, slow qualification; military uses hard "
        "to replace (USGS MCS substitutes) [L]",
    ),
    SubstituteSpec(
        name="MLCC, aluminium and niobium-oxide capacitors",
        mineral=Mineral.TANTALUM,
        stages=(Stage.REFINED,),
        max_share=0.3,
        price_multiple=2.0,
        adoption_quarters=4,
        source=f"{BEHAVIOUR}: fast after the 2000 tantalum spike [L]",
    ),
    SubstituteSpec(
        name="silicon and indium phosphide devices",
        mineral=Mineral.GALLIUM,
        stages=(Stage.REFINED,),
        max_share=0.2,
        price_multiple=3.0,
        adoption_quarters=16,
        source=f"{BEHAVIOUR}: RF-power penalties; years of design-in [L]",
    ),
    SubstituteSpec(
        name="zinc selenide and chalcogenide glass optics",
        mineral=Mineral.GERMANIUM,
        stages=(Stage.REFINED,),
        max_share=0.2,
        price_multiple=3.0,
        adoption_quarters=16,
        source=f"{BEHAVIOUR}: IR-range penalties; years of design-in [L]",
    ),
    SubstituteSpec(
        name="aluminium wire and heat exchangers",
        mineral=Mineral.COPPER,
        stages=(Stage.REFINED,),
        max_share=0.1,
        price_multiple=1.5,
        adoption_quarters=16,
        source=f"{BEHAVIOUR}: conductivity and volume penalty; marginal, over years (Pindyck & "
        "Rubinfeld) [M]",
    ),
    SubstituteSpec(
        name="other flame-retardant synergists for antimony trioxide; calcium-lead battery alloys",
        mineral=Mineral.ANTIMONY,
        stages=(Stage.REFINED,),
        max_share=0.2,
        price_multiple=1.5,
        adoption_quarters=4,
        source=ANTIMONY_SYNERGISTS,
    ),
)
