"""Build the reference scenarios `world-2024` and `world-2023` (critmin/scenarios/data/).

world-2024 is the world at the start of 2025 (2025Q1), calibrated on 2024 data; world-2023 the
world at the start of 2024 (2024Q1), calibrated on 2023 data; 20 quarterly turns each. Inputs:

- ../shared/data/calibration/usgs_mcs2025_selected.csv: USGS MCS 2025 World Data Release
  (doi:10.5066/P13XCP3R), mine and refinery production 2023 and 2024 by country, gallium
  capacity (2024 only); the release's own file (usgs-mcs2025/MCS2025_World_Data.csv) for the
  minerals the selection lacks (vanadium);
- the small tables below, each with its source: prices (USGS MCS 2025 salient files), IEA
  refining shares, demand splits and region specifics (../shared/data/calibration/NOTES.md),
  company and policy figures, and the assumptions where nothing better exists. Confidence flags
  follow NOTES: [H] primary data, [M] reputable secondary, [L] weak or assumption.

The tables below are those of 2024; `YEARS` says what differs for 2023 (prices from the 2023
column of the salient files, production from the 2023 column, the policies, stockpiles and
contracts in force at the start of 2024) and what is carried over from 2024, flagged [L].

The generated TOML is committed; the engine never reads ../shared at run time. Run from the
repository root:  .venv/bin/python tools/build_world.py [2023|2024|all] [--out DIR]
(docs/data-sources.md explains every choice.)
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
USGS_CSV = SHARED_DATA / "calibration" / "usgs_mcs2025_selected.csv"
USGS_WORLD_CSV = SHARED_DATA / "calibration" / "usgs-mcs2025" / "MCS2025_World_Data.csv"
OUT_DIR = REPO / "critmin" / "scenarios" / "data"

USGS = "USGS MCS 2025 World Data Release (doi:10.5066/P13XCP3R)"
SALIENT = "USGS MCS 2025 salient statistics, 2024 average"
IEA = "IEA GCMO 2024/2025 and IEA commentary 23 Oct 2025 (NOTES 1b)"

STAGES = ("mine", "refined", "magnet")
SECTORS = ("ev", "storage", "wind", "electronics", "defence", "industry")
ROW = "ROW"

# --------------------------------------------------------------------------------------------
# Countries: ISO3, name, blocs (January 2025), central point (lat, lon), doctrine, annual budget
# for mineral policy (USD m) and its basis.
# --------------------------------------------------------------------------------------------

COUNTRY_SOURCE = (
    "central point: approximate geographic centre (Natural Earth admin-0); blocs as of Jan 2025 "
    "(BRICS incl. Indonesia from 6 Jan 2025); doctrine: critmin assumption"
)

COUNTRIES = [
    ("IND", "India", ("QUAD", "MSP", "BRICS", "SCO"), 22.0, 79.0, "diversifying_importer", 280.0,
     "NCMM: Rs 16,300 crore of government outlay over FY2024-25..FY2030-31, ~Rs 2,330 crore/yr "
     "(PIB via NOTES 4a) [M]"),
    ("CHN", "China", ("BRICS", "SCO"), 35.0, 103.0, "dominant_processor", 5000.0,
     "no public figure; order of magnitude of state-reserve purchases (~15 kt cobalt in 2024, "
     "Reuters/Bloomberg) and policy-bank lending [L]"),
    ("USA", "United States", ("G7", "QUAD", "MSP"), 39.5, -98.35, "diversifying_importer", 2000.0,
     "DoD DPA Title III awards and NDAA FY2024 stockpile funding (~USD 1 bn/yr) [M]; total [L]"),
    ("EUU", "European Union", ("EU", "G7", "MSP"), 50.0, 10.0, "diversifying_importer", 2000.0,
     "Critical Raw Materials Act (2024) strategic projects, Global Gateway lending [L]"),
    ("JPN", "Japan", ("G7", "QUAD", "MSP"), 36.2, 138.25, "diversifying_importer", 1500.0,
     "JOGMEC risk money, equity and stockpile budget (METI) [L]"),
    ("KOR", "South Korea", ("MSP",), 36.5, 127.9, "diversifying_importer", 600.0,
     "KOMIR/PPS stockpile expansion (54 -> 100 days) and overseas-resource support [L]"),
    ("AUS", "Australia", ("QUAD", "MSP"), -25.3, 133.8, "aligned_supplier", 1000.0,
     "Critical Minerals Facility A$4 bn (Export Finance Australia) over several years [M]/[L]"),
    ("CAN", "Canada", ("G7", "MSP"), 56.1, -106.3, "aligned_supplier", 350.0,
     "Critical Minerals Strategy: C$3.8 bn over 8 years (Budget 2022) [M]"),
    ("GBR", "United Kingdom", ("G7", "MSP"), 54.0, -2.5, "diversifying_importer", 150.0,
     "UK Critical Minerals Strategy (2023) [L]"),
    ("CHL", "Chile", ("LITHIUM_TRIANGLE",), -35.7, -71.5, "resource_nationalist", 150.0,
     "National Lithium Strategy (Apr 2023), Corfo/Codelco [L]"),
    ("ARG", "Argentina", ("LITHIUM_TRIANGLE",), -38.4, -63.6, "aligned_supplier", 30.0,
     "provincial state miners (JEMSE, CAMYEN), RIGI incentives (2024) [L]"),
    ("BOL", "Bolivia", ("LITHIUM_TRIANGLE",), -16.3, -63.6, "resource_nationalist", 100.0,
     "YLB state lithium programme [L]"),
    ("PER", "Peru", (), -9.2, -75.0, "passive", 30.0, "assumption [L]"),
    ("BRA", "Brazil", ("BRICS",), -14.2, -51.9, "passive", 150.0, "BNDES/Finep minerals funding [L]"),
    ("COD", "DR Congo", ("AU",), -4.0, 21.8, "resource_nationalist", 100.0,
     "Gécamines, ARECOMS (cobalt regulator) [L]"),
    ("ZMB", "Zambia", ("AU",), -13.1, 27.8, "aligned_supplier", 20.0, "assumption [L]"),
    ("ZWE", "Zimbabwe", ("AU",), -19.0, 29.2, "resource_nationalist", 20.0, "assumption [L]"),
    ("ZAF", "South Africa", ("BRICS", "AU"), -30.6, 22.9, "passive", 50.0, "assumption [L]"),
    ("IDN", "Indonesia", ("BRICS", "ASEAN"), -0.8, 113.9, "resource_nationalist", 300.0,
     "MIND ID downstreaming programme [L]"),
    ("PHL", "Philippines", ("ASEAN",), 12.9, 121.8, "aligned_supplier", 20.0, "assumption [L]"),
    ("MMR", "Myanmar", ("ASEAN",), 21.9, 95.96, "passive", 10.0, "assumption [L]"),
    ("MYS", "Malaysia", ("ASEAN",), 4.2, 101.98, "resource_nationalist", 50.0, "assumption [L]"),
    ("VNM", "Vietnam", ("ASEAN",), 14.06, 108.3, "passive", 30.0, "assumption [L]"),
    ("THA", "Thailand", ("ASEAN",), 15.9, 100.99, "passive", 20.0, "assumption [L]"),
    ("RUS", "Russia", ("BRICS", "SCO"), 61.5, 105.3, "resource_nationalist", 500.0, "assumption [L]"),
    ("KAZ", "Kazakhstan", ("SCO", "C5"), 48.0, 66.9, "aligned_supplier", 100.0,
     "Tau-Ken Samruk exploration, Kazatomprom/Ulba [L]"),
    ("KGZ", "Kyrgyzstan", ("SCO", "C5"), 41.2, 74.8, "passive", 5.0, "assumption [L]"),
    ("TJK", "Tajikistan", ("SCO", "C5"), 38.9, 71.3, "passive", 5.0, "assumption [L]"),
    ("TKM", "Turkmenistan", ("C5",), 38.97, 59.56, "passive", 5.0, "assumption [L]"),
    ("UZB", "Uzbekistan", ("SCO", "C5"), 41.4, 64.6, "aligned_supplier", 50.0,
     "Almalyk MMC expansion (state) [L]"),
    ("NGA", "Nigeria", ("AU",), 9.1, 8.7, "passive", 20.0, "assumption [L]"),
    ("MDG", "Madagascar", ("AU",), -18.8, 46.9, "passive", 5.0, "assumption [L]"),
    ("MOZ", "Mozambique", ("AU",), -18.7, 35.5, "passive", 10.0, "assumption [L]"),
    ("RWA", "Rwanda", ("AU",), -1.9, 29.9, "passive", 5.0, "assumption [L]"),
    ("TUR", "Turkey", (), 38.96, 35.24, "passive", 50.0, "assumption [L]"),
    ("MEX", "Mexico", (), 23.6, -102.55, "passive", 50.0, "LitioMx (2022) [L]"),
    (ROW, "Rest of the world", (), 20.0, 40.0, "passive", 500.0,
     "all other countries (Norway, Namibia, Mali, Laos, Oman, Taiwan...); notional central point "
     "in the Red Sea region [L]"),
]  # fmt: skip

# USGS country names -> scenario country (EU members fold into EUU, the rest into ROW).
USGS_COUNTRY = {
    "Argentina": "ARG", "Armenia": ROW, "Australia": "AUS", "Austria": "EUU", "Belgium": "EUU",
    "Bolivia": "BOL", "Brazil": "BRA", "Bulgaria": "EUU", "Burma": "MMR", "Burundi": ROW,
    "Canada": "CAN", "Chile": "CHL", "China": "CHN", "Congo (Kinshasa)": "COD", "Cuba": ROW,
    "Ethiopia": ROW, "Finland": "EUU", "Germany": "EUU", "Greenland": ROW, "Guatemala": ROW,
    "India": "IND", "Indonesia": "IDN", "Iran": ROW, "Japan": "JPN", "Kazakhstan": "KAZ",
    "Korea, North": ROW, "Korea, Republic of": "KOR", "Kyrgyzstan": "KGZ", "Laos": ROW,
    "Madagascar": "MDG", "Malaysia": "MYS", "Mexico": "MEX", "Mongolia": ROW, "Mozambique": "MOZ",
    "Namibia": ROW, "New Caledonia": ROW, "Nigeria": "NGA", "Norway": ROW, "Other Countries": ROW,
    "Pakistan": ROW, "Papua New Guinea": ROW, "Peru": "PER", "Philippines": "PHL", "Poland": "EUU",
    "Portugal": "EUU", "Russia": "RUS", "Rwanda": "RWA", "Serbia": ROW, "South Africa": "ZAF",
    "Spain": "EUU", "Sri Lanka": ROW, "Sweden": "EUU", "Tajikistan": "TJK", "Tanzania": ROW,
    "Thailand": "THA", "Turkey": "TUR", "Uganda": ROW, "Ukraine": ROW, "United States": "USA",
    "Uzbekistan": "UZB", "Vietnam": "VNM", "Zambia": "ZMB", "Zimbabwe": "ZWE",
    # the producers of the minerals added for India's list (USGS World Data file)
    "Algeria": ROW, "Belarus": ROW, "Bhutan": ROW, "Egypt": ROW, "France": "EUU", "Iceland": ROW,
    "Israel": ROW, "Jordan": ROW, "Kenya": ROW, "Morocco": ROW, "Netherlands": "EUU", "Saudi Arabia": ROW,
    "Senegal": ROW, "Sierra Leone": ROW, "Syria": ROW, "Togo": ROW, "Tunisia": ROW,
}  # fmt: skip

# The USGS table giving each mineral's mine stage (tellurium, selenium: see build_supply).
USGS_TABLE = {
    "lithium": "Lithium", "cobalt": "Cobalt", "nickel": "Nickel", "graphite": "Graphite (natural)",
    "copper": "Copper (mine)", "tin": "Tin", "molybdenum": "Molybdenum", "tungsten": "Tungsten",
    "beryllium": "Beryllium", "tantalum": "Tantalum", "gallium": "Gallium (primary, low-purity)",
    "antimony": "Antimony", "niobium": "Niobium", "vanadium": "Vanadium",
    "titanium": "Titanium", "zirconium": "Zirconium", "pge": "Platinum-group metals", "silicon": "Silicon",
    "phosphate": "Phosphate rock", "potash": "Potash", "bismuth": "Bismuth", "cadmium": "Cadmium",
    "indium": "Indium", "rhenium": "Rhenium", "strontium": "Strontium",
}  # fmt: skip
# Tables read from the release's own file (COMMODITY, TYPE there), for minerals the selection lacks;
# a table of several rows adds them up (ilmenite and rutile; palladium and platinum; ferrosilicon's
# silicon and silicon metal). The minerals of India's list added in issue 20 have one stage, the
# product whose supply India depends on (docs/data-sources.md).
WORLD_DATA_TABLES = (
    ("Vanadium", "Vanadium", "Mine production, vanadium content"),
    ("Titanium", "Titanium Mineral Concentrates",
     "Mine production, ilmentite, titanium dioxide (TiO2) content"),
    ("Titanium", "Titanium Mineral Concentrates", "Mine production, rutile, titanium dioxide (TiO2) content"),
    ("Zirconium", "Zirconium and Hafnium", "Mine production, zirconium, gross weight"),
    ("Platinum-group metals", "Platinum-Group metals", "Mine production, Palladium content"),
    ("Platinum-group metals", "Platinum-Group metals", "Mine production, Platinum content"),
    ("Silicon", "Silicon", "Plant production, Ferosilicon, silicon content"),
    ("Silicon", "Silicon", "Plant production, silicon metal"),
    ("Phosphate rock", "Phosphate rock", "Mine production, marketable phosphate rock"),
    ("Potash", "Potash", "Mine production, potassium oxide (K2O) equivalent"),
    ("Bismuth", "Bismuth", "Refinery production"),
    ("Cadmium", "Cadmium", "Refinery production, estimated"),
    ("Indium", "Indium", "Refinery production"),
    ("Rhenium", "Rhenium", "Mine production, rhenium content"),
    ("Strontium", "Strontium", "Mine production, strontium content"),
)  # fmt: skip
# The World Data file labels titanium concentrates "metric tons" (and one rutile row not at all),
# but its figures are thousand tonnes of TiO2: world ilmenite and rutile 9.4 Mt in 2024, as the
# MCS 2025 titanium summary gives it [H]; the file's unit is a slip [M].
UNIT_OVERRIDE = {"Titanium": "thousand metric tons"}
OTHER_TABLES = ("Rare earths (total REO)", "Copper (refinery)", "Tellurium (refinery)", "Selenium (refinery)")
UNIT_TO_TONNES = {"metric tons": 1.0, "thousand metric tons": 1000.0, "kilograms": 0.001}

# Output taken out of USGS "Other Countries" (ROW) for countries the scenario names, t/yr.
CARVE_OUTS = [
    ("lithium", "mine", "BOL", 650.0,
     "YLB La Palca, ~15 kt/yr Li2CO3 at ~23% utilisation = ~3.5 kt LCE = ~650 t Li (NOTES 4c) [L]; "
     "from the USGS rounding residual (USGS lists no Bolivian output)"),
    ("copper", "mine", "UZB", 150_000.0, "Almalyk MMC ~150 kt Cu in 2024, inside USGS 'Other' [L]"),
    ("copper", "refined", "UZB", 130_000.0, "Almalyk MMC ~130 kt cathode, inside USGS 'Other' [L]"),
    ("tungsten", "mine", "KAZ", 200.0,
     "Boguty (Jiaxin) opened 1 Nov 2024; 2,400 t W in 2025 (NOTES 4b) -> ~200 t in 2024 [L]"),
]  # fmt: skip

# --------------------------------------------------------------------------------------------
# Minerals: 2024 refined-stage price (USD/kg of content), the payable share giving the mine
# price, the short-run demand elasticity, and their sources.
# --------------------------------------------------------------------------------------------

LB_PER_KG = 2.2046
TROY_OZ_PER_KG = 32.1507
SINGLE_STAGE = (
    "one stage: the product India buys (refined metal, concentrate or rock); its processing is not the "
    "chokepoint this scenario models, so the chain is not split [L]"
)
LCE_PER_LI = 5.323  # kg Li2CO3 per kg Li
KG_W_PER_MTU_WO3 = 7.93
TA_IN_TA2O5 = 0.819
MAGNET_MARKUP = 2.4
MAGNET_SOURCE = (
    "per kg of oxide contained in sintered NdFeB: magnet ~USD 55/kg (2024) allocated to its REO "
    "(~30% NdPr, ~1.5% Dy+Tb) by oxide value, i.e. 2.4 x the refined price [L]"
)
ELASTICITY_SOURCE = (
    "short-run, within the ranges of Dahl (2020) Mineral Elasticity of Demand and Supply database "
    "and Shojaeddini, Alonso & Nassar (2024) Resour. Conserv. Recycl. 207:107664; value [L]"
)


@dataclass(frozen=True)
class MineralInfo:
    """One mineral: content unit, prices and demand response, with sources."""

    name: str
    unit: str
    refined_price: float
    refined_source: str
    payable: float
    payable_source: str
    elasticity: float
    final_stage: str = "refined"


MINERALS = {
    "lithium": MineralInfo(
        "Lithium", "t Li content",
        14.0 * LCE_PER_LI, f"{SALIENT}: battery-grade Li2CO3 USD 14,000/t LCE x 5.323 kg LCE/kg Li [H]",
        0.42, "SC6 spodumene ~USD 900/t in 2024 (USD 770/t Aug 2024, NOTES 3f) / 27.9 kg Li/t [M]",
        -0.2),
    "cobalt": MineralInfo(
        "Cobalt", "t Co content",
        12.0 * LB_PER_KG, f"{SALIENT}: LME cash USD 12/lb (US spot cathode USD 17/lb) [H]",
        0.55, "cobalt hydroxide payables ~55% in 2024 (Fastmarkets, as reported) [M]",
        -0.25),
    "nickel": MineralInfo(
        "Nickel", "t Ni content",
        17.0, f"{SALIENT}: LME cash USD 17,000/t [H]",
        0.35, "ore and concentrate: Indonesian laterite (HPM) ~25%, sulphide concentrate 70-80% [L]",
        -0.3),
    "graphite": MineralInfo(
        "Graphite (natural)", "t graphite",
        2.2, "processed (purified/uncoated spherical) graphite ~USD 2,200/t FOB China 2024 [L]",
        1.07 / 2.2, f"mine stage = flake concentrate, {SALIENT}: flake USD 1,070/t [H]",
        -0.2),
    "ree_light": MineralInfo(
        "Rare earths, light (NdPr oxide)", "t NdPr oxide",
        56.0, f"{SALIENT}: Nd oxide 99.5% USD 56/kg (Argus); NdPr oxide trades close to it [H]/[M]",
        0.45, "REO concentrate ~45% of contained NdPr value (MP 2024 ~USD 4.6/kg REO, 16% NdPr) [L]",
        -0.15, final_stage="magnet"),
    "ree_heavy": MineralInfo(
        "Rare earths, heavy (Dy+Tb oxide)", "t Dy+Tb oxide",
        0.8 * 260.0 + 0.2 * 810.0,
        f"{SALIENT}: Dy2O3 USD 260/kg, Tb4O7 USD 810/kg, weighted 4:1 (Dy 2-3 kt, Tb 0.5-0.7 kt) [H]/[L]",
        0.5, "ionic-clay concentrate ~50% of contained Dy/Tb value [L]",
        -0.1, final_stage="magnet"),
    "copper": MineralInfo(
        "Copper", "t Cu content",
        4.20 * LB_PER_KG, f"{SALIENT}: LME grade A 420 c/lb [H]",
        0.92, "concentrate payable ~96.5% less near-zero 2024 TC/RCs [M]",
        -0.3),
    "tin": MineralInfo(
        "Tin", "t Sn content",
        14.0 * LB_PER_KG, f"{SALIENT}: LME cash 1,400 c/lb [H]",
        0.85, "tin concentrate payable ~85% [L]",
        -0.25),
    "molybdenum": MineralInfo(
        "Molybdenum", "t Mo content",
        47.0, f"{SALIENT}: Mo in technical-grade oxide USD 47/kg [H]",
        0.90, "molybdenite concentrate ~90% of oxide price (roasting charge) [L]",
        -0.2),
    "tungsten": MineralInfo(
        "Tungsten", "t W content",
        330.0 / KG_W_PER_MTU_WO3, "APT Europe ~USD 330/mtu WO3 in 2024 (trade press) / 7.93 kg W/mtu [L]",
        250.0 / 330.0, f"mine stage = concentrate, {SALIENT}: USD 250/mtu WO3 [H]",
        -0.15),
    "beryllium": MineralInfo(
        "Beryllium", "t Be content",
        1500.0, f"{SALIENT}: Be in Cu-Be master alloy, import unit value USD 1,500/kg [H]",
        0.05, "beryl/bertrandite ore ~5% of the value of Be in master alloy [L]",
        -0.1),
    "tantalum": MineralInfo(
        "Tantalum", "t Ta content",
        170.0 / TA_IN_TA2O5 / 0.6, "refined Ta (K-salt, powder, oxide) = tantalite price / 0.6 [L]",
        0.6, f"mine stage = tantalite, {SALIENT}: USD 170/kg Ta2O5 / 0.819 kg Ta/kg [H]",
        -0.15),
    "gallium": MineralInfo(
        "Gallium", "t Ga content",
        500.0, f"{SALIENT}: high-purity gallium USD 500/kg [H]",
        220.0 / 500.0, f"mine stage = primary low-purity gallium, {SALIENT}: USD 220/kg [H]",
        -0.1),
    "germanium": MineralInfo(
        "Germanium", "t Ge content",
        2100.0, f"{SALIENT}: germanium metal, Europe, USD 2,100/kg [H]",
        0.5, "mine stage = Ge in zinc residues and coal fly-ash concentrates, ~50% payable [L]",
        -0.15),
    "tellurium": MineralInfo(
        "Tellurium", "t Te content",
        80.0, f"{SALIENT}: Rotterdam USD 80/kg (US USD 75/kg) [H]",
        0.5, "mine stage = Te in copper anode slimes, ~50% payable [L]",
        -0.2),
    "selenium": MineralInfo(
        "Selenium", "t Se content",
        24.0, f"{SALIENT}: USD 24/kg (the US series unit is UNSURE, NOTES 1c) [H]/[L]",
        0.5, "mine stage = Se in copper anode slimes, ~50% payable [L]",
        -0.25),
    "antimony": MineralInfo(
        "Antimony", "t Sb content",
        9.5 * LB_PER_KG, f"{SALIENT}: metal 99.65% USD 9.5/lb (end-2024 spot ~USD 40/kg, NOTES 1c) [H]",
        0.7, "antimony concentrate payable ~70% [L]",
        -0.2),
    "niobium": MineralInfo(
        "Niobium", "t Nb content",
        26.0, f"{SALIENT}: niobium USD 26/kg (ferroniobium, Nb content; series basis from memory [L]) [H]",
        0.5, "pyrochlore concentrate is not traded (CBMM, CMOC and Niobec convert their own): ~50% of the "
             "ferroniobium value [L]",
        -0.15),
    "vanadium": MineralInfo(
        "Vanadium", "t V content",
        25.0, "ferrovanadium 80%, Europe, ~USD 24.5-25/kg V in 2024 (Fastmarkets via ferroalloynet/"
              "vanadiumprice.com, undated 2024 report) [M]/[L]",
        0.4, "mine stage = V in titanomagnetite concentrate and steel slag: ~40% of the ferrovanadium "
             "value (V2O5 Europe USD 5.5-6.5/lb in the same report is the refined oxide) [L]",
        -0.2),
    # India's other critical minerals (Ministry of Mines list, Jun 2023): one stage each, the product
    # India buys, priced at its 2024 average; `refined_price` holds that product's price.
    "titanium": MineralInfo(
        "Titanium (ilmenite and rutile)", "t TiO2 content",
        0.67, "ilmenite 54% TiO2 FOB Australia ~USD 330/t (USD 0.61/kg TiO2) and rutile 95% ~USD 1,700/t "
              "(USD 1.79/kg), weighted by 2024 output (8.9 and 0.45 Mt TiO2); USGS MCS 2025 titanium mineral "
              "concentrates, quoted from memory [M]",
        1.0, SINGLE_STAGE, -0.2, final_stage="mine"),
    "zirconium": MineralInfo(
        "Zirconium (zircon)", "t zircon concentrate",
        2.0, "zircon ~USD 2,000/t in 2024 (USGS MCS 2025 zirconium and hafnium, import unit value; quoted "
             "from memory) [M]",
        1.0, SINGLE_STAGE, -0.2, final_stage="mine"),
    "pge": MineralInfo(
        "Platinum-group metals (platinum and palladium)", "t Pt+Pd",
        971.0 * TROY_OZ_PER_KG, "platinum ~USD 955/troy oz and palladium ~USD 985/troy oz, 2024 averages, "
                                "weighted by 2024 output (170 t Pt, 190 t Pd); USGS MCS 2025 platinum-group "
                                "metals, quoted from memory [M]",
        1.0, SINGLE_STAGE, -0.3, final_stage="mine"),
    "silicon": MineralInfo(
        "Silicon (ferrosilicon and silicon metal)", "t Si content",
        3.0, "silicon metal ~165 c/lb and ferrosilicon 50% ~110 c/lb of contained Si in 2024, weighted by "
             "output: ~USD 3.0/kg Si (USGS MCS 2025 silicon, quoted from memory) [M]/[L]",
        1.0, SINGLE_STAGE, -0.3, final_stage="mine"),
    "phosphate": MineralInfo(
        "Phosphate rock", "t marketable rock",
        0.152, "phosphate rock, Morocco FOB, USD 152/t, 2024 average (World Bank commodity price data, "
               "'Pink Sheet'; quoted from memory) [M]",
        1.0, SINGLE_STAGE, -0.3, final_stage="mine"),
    "potash": MineralInfo(
        "Potash", "t K2O",
        0.50, "potassium chloride ~USD 300/t in 2024 (World Bank 'Pink Sheet', from memory) / 0.6 t K2O "
              "per t KCl [M]",
        1.0, SINGLE_STAGE, -0.3, final_stage="mine"),
    "bismuth": MineralInfo(
        "Bismuth (refined)", "t Bi",
        13.0, "bismuth 99.99%, Rotterdam, ~USD 6/lb as the 2024 average (USD 4.5 early, 7+ late; USGS MCS "
              "2025 bismuth, quoted from memory) [M]",
        1.0, SINGLE_STAGE, -0.2, final_stage="mine"),
    "cadmium": MineralInfo(
        "Cadmium (refined)", "t Cd",
        2.9, "cadmium 99.95% ~USD 1.3/lb in 2024 (USGS MCS 2025 cadmium, quoted from memory) [M]/[L]",
        1.0, SINGLE_STAGE, -0.2, final_stage="mine"),
    "indium": MineralInfo(
        "Indium (refined)", "t In",
        350.0, "indium 99.99% ~USD 350/kg in 2024 (USGS MCS 2025 indium, New York dealer, quoted from "
               "memory) [M]",
        1.0, SINGLE_STAGE, -0.15, final_stage="mine"),
    "rhenium": MineralInfo(
        "Rhenium", "t Re",
        1100.0, "rhenium metal pellets 99.99% ~USD 1,100/kg in 2024 (USGS MCS 2025 rhenium, quoted from "
                "memory) [M]/[L]",
        1.0, SINGLE_STAGE, -0.1, final_stage="mine"),
    "strontium": MineralInfo(
        "Strontium (celestite)", "t Sr content",
        0.2, "celestite ~USD 85/t at ~43% Sr (90% SrSO4 concentrate): ~USD 0.2/kg Sr (USGS MCS 2025 "
             "strontium, import unit value, quoted from memory) [L]",
        1.0, SINGLE_STAGE, -0.2, final_stage="mine"),
}  # fmt: skip

# --------------------------------------------------------------------------------------------
# Rare earths: USGS reports total REO; the scenario tracks NdPr oxide (ree_light) and Dy+Tb
# oxide (ree_heavy). Share of each country's REO that is NdPr / Dy+Tb, by deposit type.
# --------------------------------------------------------------------------------------------

REE_SPLIT_SOURCE = (
    "x NdPr or Dy+Tb share by deposit type (Bayan Obo ~20% NdPr, Mountain Pass ~16%, Mt Weld ~25%, "
    "ionic clay/monazite ~20%; Dy+Tb: China 19,150 t ion-adsorption quota x ~7%, Myanmar ionic "
    "clays ~4.5%; NOTES 1) [L]"
)
REE_SPLIT = {  # country: (NdPr / REO, Dy+Tb / REO)
    "CHN": (0.19, 0.0057), "MMR": (0.20, 0.045), "USA": (0.16, 0.001), "AUS": (0.25, 0.004),
    "NGA": (0.20, 0.005), "THA": (0.20, 0.01), "IND": (0.17, 0.003), "RUS": (0.17, 0.002),
    "MDG": (0.20, 0.01), "VNM": (0.20, 0.01), "MYS": (0.20, 0.02), "BRA": (0.20, 0.005),
    ROW: (0.20, 0.02),
}  # fmt: skip

# --------------------------------------------------------------------------------------------
# Midstream. Shares of world output at the refined stage (values above 1 are tonnes); ROW
# takes the rest. Yield is 1 throughout (content basis): world refined = world mine output.
# --------------------------------------------------------------------------------------------

REFINED_SHARES = {
    "lithium": (
        {"CHN": 0.69, "CHL": 0.20, "ARG": 0.06, "AUS": 0.01, "USA": 0.01, "KOR": 0.01},
        f"{IEA}: China ~65-70% of lithium chemicals, Chile ~25%, Argentina ~5% [M]; others [L]"),
    "cobalt": (
        {"CHN": 0.76, "EUU": 0.06, "CAN": 0.03, "COD": 0.03, "IDN": 0.03, "JPN": 0.02, "RUS": 0.02,
         "AUS": 0.01, "ZMB": 0.01},
        f"{IEA}: China ~75-80%, Finland ~5-10%, Canada, Belgium ~3%, Japan ~2%, DRC ~3% [M]"),
    "nickel": (
        {"IDN": 0.58, "CHN": 0.22, "RUS": 0.06, "JPN": 0.03, "CAN": 0.03, "EUU": 0.02, "AUS": 0.02,
         "BRA": 0.01},
        f"{IEA}: Indonesia 37%, China 28% (2023) [M]; Indonesia raised to its 2024 ore output (NPI, "
        "matte, MHP) since the ore export ban keeps its ore at home [L]"),
    "graphite": (
        {"CHN": 0.90, "BRA": 0.03, "IND": 0.017, "JPN": 0.01, "KOR": 0.01, "EUU": 0.01, "USA": 0.005,
         "CAN": 0.005},
        f"{IEA}: China >90% of battery-grade graphite [M]; others [L]"),
    "copper": (
        {},
        f"{USGS}, copper refinery output 2024 x 23.0/27.0 (primary refined copper only) [H]-derived"),
    "tin": (
        {"CHN": 0.48, "IDN": 0.16, "PER": 0.09, "MYS": 0.07, "BRA": 0.06, "BOL": 0.05, "THA": 0.04,
         "EUU": 0.02, "VNM": 0.01, "RUS": 0.01},
        "refined tin by smelter country (China incl. Myanmar concentrates) [L]"),
    "molybdenum": (
        {"CHN": 0.44, "CHL": 0.20, "USA": 0.13, "MEX": 0.05, "EUU": 0.05, "PER": 0.03, "KAZ": 0.01,
         "RUS": 0.01, "UZB": 0.01, "CAN": 0.01, "KOR": 0.01},
        "roasting capacity by country (Molymet in Chile, Mexico, Belgium; Climax/Freeport) [L]"),
    "tungsten": (
        {"CHN": 0.85, "VNM": 0.05, "EUU": 0.03, "RUS": 0.02, "USA": 0.01, "JPN": 0.01, "KOR": 0.01},
        "APT: China >80% (NOTES 1b) [L]; Masan (Vietnam), Wolfram Bergbau (Austria) [L]"),
    "beryllium": (
        {"USA": 0.50, "KAZ": 0.25, "CHN": 0.25},
        "USGS MCS 2025 T5: only Materion (USA), China, Ulba (Kazakhstan) process beryl [H]; shares [L]"),
    "tantalum": (
        {"CHN": 0.45, "EUU": 0.12, "USA": 0.12, "KAZ": 0.08, "JPN": 0.08, "THA": 0.08, "RUS": 0.04,
         "BRA": 0.03},
        "Ta processors (Ningxia Orient, GAM, Taniobis, Ulba, NPM Silmet, Thailand) [L]"),
    "gallium": (
        {"CHN": 0.80, "JPN": 0.08, "USA": 0.03, "CAN": 0.03, "EUU": 0.03, "KOR": 0.02, "GBR": 0.01},
        "high-purity refining of primary gallium (Dowa, 5N Plus, PPM, Ingal) [L]"),
    "germanium": (
        {"CHN": 100.0, "EUU": 18.0, "CAN": 12.0, "RUS": 10.0, "USA": 5.0, "JPN": 3.0},
        "Ge refining, t: world ~150 t, China 60-70%, Umicore, Teck, Russia (NOTES 1; Project Blue) [L]"),
    "tellurium": ({}, f"{USGS}, tellurium refinery output 2024 (world excludes the US) [H]"),
    "selenium": ({}, f"{USGS}, selenium refinery output 2024 (world excludes the US) [H]"),
    "antimony": (
        {"CHN": 0.68, "TJK": 0.06, "RUS": 0.05, "BOL": 0.03, "MMR": 0.02, "TUR": 0.02, "VNM": 0.02,
         "EUU": 0.02, "KAZ": 0.01, "USA": 0.005, "MEX": 0.005},
        "Sb metal/trioxide smelting, China ~2/3 incl. imported concentrates, Oman in ROW [L]"),
    "niobium": (
        {"BRA": 0.905, "CAN": 0.064, "CHN": 0.012, "RUS": 0.003, "KAZ": 0.002, "EUU": 0.002},
        "ferroniobium where the pyrochlore is mined (CBMM Araxa, CMOC Catalao, Niobec) [M]; columbite-"
        "tantalite from Africa converted in China, Kazakhstan (Ulba), Estonia (NPM Silmet) [L]"),
    "vanadium": (
        {"CHN": 0.68, "RUS": 0.19, "ZAF": 0.07, "BRA": 0.045, "EUU": 0.01, "USA": 0.005},
        "V2O5 and ferrovanadium where the slag and magnetite are produced (Pangang, HBIS, Evraz Vanadiy "
        "Tula, Bushveld Vametco, Glencore Rhovan, Largo Maracas) [M]; AMG and Treibacher from residues [L]"),
    "ree_light": (
        {"MYS": 3300.0, "USA": 1300.0, "RUS": 300.0, "VNM": 200.0, "EUU": 200.0},
        "NdPr separation, t: USA = MP 1,300 t (USGS salient) [H]; Malaysia = Lynas, capped at the NdPr "
        "in USGS Australian output (Lynas reported 5,655 t in FY2024) [M]/[L]; India = IREL, its own "
        f"NdPr (~500 t/yr, NOTES 4a) [M]; Russia, Vietnam, Estonia [L]; China the rest ({IEA}: 91%)"),
    "ree_heavy": (
        {"CHN": 0.97, "VNM": 0.01, "IND": 0.005, "RUS": 0.005, "EUU": 0.005},
        "Dy and Tb oxide >90% separated in China (NOTES 1) [L]; Lynas Malaysia HREE only from 2025"),
}  # fmt: skip

MAGNET_SHARES = {
    "CHN": 0.935,
    "JPN": 0.05,
    "VNM": 0.006,
    "EUU": 0.004,
    "KOR": 0.003,
    "USA": 0.001,
    "IND": 0.001,
}
MAGNET_SHARES_SOURCE = (
    f"{IEA}: China 94% of sintered NdFeB, Japan ~5%, others ~1% (VAC/Neorem EU, Shin-Etsu Vietnam, "
    "Star Group Korea, Noveon USA, IREL pilot India) [M]/[L]"
)
GERMANIUM_MINE = {"CHN": 100.0, "USA": 12.0, "RUS": 10.0, "EUU": 3.0, "CAN": 2.0, ROW: 23.0}
GERMANIUM_MINE_SOURCE = (
    "Ge in zinc concentrates, residues and fly ash by origin, t: USGS withholds germanium; world ~150 t, "
    "China ~2/3 (NOTES 1); USA = Red Dog zinc concentrate refined at Trail, Canada [L]"
)

# Utilisation where a source gives capacity (USGS gallium table, YLB); 0.85 otherwise.
DEFAULT_UTILISATION = 0.85
UTILISATION = {
    ("lithium", "mine", "BOL"): (0.23, "YLB La Palca ~17% (2023), ~23% projected 2024 (NOTES 4c) [L]"),
    ("lithium", "refined", "BOL"): (0.23, "YLB La Palca ~17% (2023), ~23% projected 2024 (NOTES 4c) [L]"),
}

# Cost curves: producers cheapest first (the others follow by decreasing output). Refiners and
# magnet makers: China first. Costs spread from 40% to 95% of the basis by cumulative output.
COST_ORDER = {
    ("lithium", "mine"): ["CHL", "ARG", "ZWE", "BRA", "AUS", ROW, "CAN", "CHN", "BOL"],
    ("cobalt", "mine"): ["COD", "IDN", "RUS"],
    ("nickel", "mine"): ["IDN", "PHL", "RUS"],
    ("graphite", "mine"): ["CHN", "MOZ", "MDG"],
    ("ree_light", "mine"): ["CHN", "MMR", "USA", "AUS"],
    ("ree_heavy", "mine"): ["MMR", "CHN"],
    ("copper", "mine"): ["COD", "CHL", "PER", "RUS", "KAZ", "IDN", "MEX"],
    ("tin", "mine"): ["MMR", "CHN", "IDN"],
    ("tungsten", "mine"): ["CHN"],
    ("antimony", "mine"): ["CHN", "TJK", "RUS"],
    ("niobium", "mine"): ["BRA"],
    ("vanadium", "mine"): ["CHN", "RUS"],  # co-product of steel slag
}

# --------------------------------------------------------------------------------------------
# Demand: final demand only, at each mineral's last stage. World = ratio x world supply of that
# stage; split by sector (NOTES 2b) and by country (NOTES 2c, USGS US consumption).
# --------------------------------------------------------------------------------------------

# A slight surplus, so prices start near the 2024 level: larger where 2024 was oversupplied
# (Li, Ni, Co: IEA), smaller where demand is least elastic, so the surplus stays within what the
# market's demand curve absorbs between 0.8 and 1.0 x the 2024 price (0.8 ** elasticity - 1).
DEMAND_RATIO = {"lithium": 0.96, "cobalt": 0.95, "nickel": 0.95, "graphite": 0.96, "ree_heavy": 0.98,
                "beryllium": 0.98, "gallium": 0.98}  # fmt: skip
DEFAULT_DEMAND_RATIO = 0.97

# New scrap: the share of a country's use its wafer and part makers' scrap returns as refined metal
# within the year (engine/new_scrap.py). World use is then primary supply plus that loop. Only
# minerals with a sourced figure: (share, countries without it, source).
NEW_SCRAP = {
    "gallium": (0.42, ("CHN",),
                "Japan 2002: 45 t of 108 t of high-purity gallium use from scrap, 55 t imports, 8 t own "
                "output (USGS MCS 2003) [H]; the share taken for every user outside China [L], where "
                "recycling is done (Japan, Europe, North America) and US users are 'heavily reliant on "
                "recycling' (Argus, 2022) [M]; so outside use less its new scrap and own output is "
                "~100 t/yr from China, as China's 94 t of gallium exports in 2022 (customs via Reuters, Jul "
                "2023) [M]; none in China (no recycling system: Jia et al., Front. Energy Res. 2022) [L]"),
}  # fmt: skip

SECTOR_SHARES = {
    "lithium": ({"ev": 0.70, "storage": 0.13, "electronics": 0.04, "industry": 0.13},
                "USGS MCS 2024/25: batteries ~87%, ceramics/glass ~4%, greases ~2%, other ~7% [M]"),
    "cobalt": ({"ev": 0.45, "storage": 0.02, "electronics": 0.25, "defence": 0.06, "industry": 0.22},
               "Cobalt Institute: EV ~40-45%, portable ~20-30%, superalloys ~8-15% [L]"),
    "nickel": ({"ev": 0.15, "storage": 0.01, "electronics": 0.02, "defence": 0.02, "industry": 0.80},
               "stainless ~65%, batteries ~15-17%, alloys ~8%, plating ~6% [L]"),
    "graphite": ({"ev": 0.40, "storage": 0.08, "electronics": 0.04, "industry": 0.48},
                 "anodes ~40-55%, refractories ~20-25%, foundry, lubricants [L]"),
    "ree_light": ({"ev": 0.24, "wind": 0.10, "electronics": 0.25, "defence": 0.03, "industry": 0.38},
                  "NdFeB: EV ~20-25%, wind ~10%, electronics ~15-30%, industrial motors ~25% [M]/[L]"),
    "ree_heavy": ({"ev": 0.40, "wind": 0.15, "electronics": 0.10, "defence": 0.05, "industry": 0.30},
                  "Dy/Tb go to high-temperature magnets (EV traction, wind) [L]"),
    "copper": ({"ev": 0.04, "storage": 0.01, "wind": 0.03, "electronics": 0.12, "defence": 0.01,
                "industry": 0.79},
               "~83 kg Cu per EV (ICA 2022); building wire and grid ~65% [L]"),
    "tin": ({"ev": 0.02, "electronics": 0.50, "industry": 0.48}, "solder ~50%, chemicals, tinplate [L]"),
    "molybdenum": ({"wind": 0.01, "electronics": 0.02, "defence": 0.05, "industry": 0.92},
                   "steels, superalloys, catalysts [L]"),
    "tungsten": ({"ev": 0.02, "electronics": 0.05, "defence": 0.08, "industry": 0.85},
                 "cemented carbides ~55-60%, mill products, steels, munitions [L]"),
    "beryllium": ({"ev": 0.05, "electronics": 0.45, "defence": 0.30, "industry": 0.20},
                  "USGS T4: aerospace and defence, Cu-Be connectors [H]; shares [L]"),
    "tantalum": ({"ev": 0.05, "electronics": 0.50, "defence": 0.10, "industry": 0.35},
                 "capacitors ~35-40%, sputtering targets, superalloys ~20% [L]"),
    "gallium": ({"ev": 0.02, "electronics": 0.90, "defence": 0.05, "industry": 0.03},
                "USGS T4: ICs ~70%, LEDs ~25%; GaN radar [H]/[L]"),
    "germanium": ({"electronics": 0.50, "defence": 0.25, "industry": 0.25},
                  "fibre ~35%, space solar ~15%, IR optics ~25%, PET catalysts ~10% [L]"),
    "tellurium": ({"electronics": 0.30, "industry": 0.70},
                  "CdTe solar ~40% and metallurgy ~15% as industry, thermoelectrics ~30% [L]"),
    "selenium": ({"electronics": 0.05, "industry": 0.95}, "metallurgy ~40%, glass ~25%, agriculture [L]"),
    "antimony": ({"storage": 0.20, "electronics": 0.10, "defence": 0.10, "industry": 0.60},
                 "USGS T4: flame retardants ~50%, lead-acid batteries ~20% (storage), munitions [H]/[L]"),
    "niobium": ({"ev": 0.03, "electronics": 0.03, "defence": 0.06, "industry": 0.88},
                "~90% as ferroniobium in HSLA steel (pipelines, cars, structures); superalloys for jet "
                "engines, NbTi superconductors, Nb-oxide anodes [M]/[L]"),
    "vanadium": ({"storage": 0.05, "defence": 0.04, "industry": 0.91},
                 "~90% in steel (rebar, HSLA, tool steel); Ti-6Al-4V for aerospace; vanadium redox flow "
                 "batteries (storage) a few % [M]/[L]"),
    "titanium": ({"electronics": 0.02, "defence": 0.05, "industry": 0.93},
                 "USGS: ~90% of concentrates become TiO2 pigment (paint, plastics, paper); sponge metal for "
                 "aerospace and defence; welding fluxes [M]/[L]"),
    "zirconium": ({"electronics": 0.05, "industry": 0.95},
                  "ceramics ~50% (tiles), refractories and foundry ~30%, chemicals, zirconium metal for "
                  "nuclear "
                  "fuel cladding [L]"),
    "pge": ({"storage": 0.03, "electronics": 0.06, "industry": 0.91},
            "autocatalysts ~60-70%, chemical and petroleum catalysts, glass, jewellery; electronics; fuel "
            "cells and electrolysers (storage) [L]"),
    "silicon": ({"ev": 0.03, "electronics": 0.25, "industry": 0.72},
                "ferrosilicon for steel and silicon metal for aluminium alloys and silicones ~70%; "
                "polysilicon "
                "for solar cells and semiconductors ~25% [L]"),
    "phosphate": ({"ev": 0.015, "storage": 0.005, "industry": 0.98},
                  "USGS: ~95% for fertilisers and feed; LFP cathode precursors a percent or two [M]/[L]"),
    "potash": ({"industry": 1.0}, "USGS: ~85-90% for fertilisers, the rest chemicals [M]"),
    "bismuth": ({"electronics": 0.10, "industry": 0.90},
                "chemicals and pharmaceuticals ~60%, metallurgical additives ~30%, solders and "
                "thermoelectrics [L]"),
    "cadmium": ({"storage": 0.70, "electronics": 0.10, "industry": 0.20},
                "nickel-cadmium batteries ~70%, pigments and coatings, CdTe solar cells [L]"),
    "indium": ({"electronics": 0.85, "industry": 0.15}, "indium tin oxide for flat panels ~60%, solders, "
               "semiconductors [L]"),
    "rhenium": ({"defence": 0.30, "industry": 0.70},
                "superalloys for jet engines ~80% (military and civil), platinum-rhenium reforming "
                "catalysts [L]"),
    "strontium": ({"electronics": 0.20, "defence": 0.10, "industry": 0.70},
                  "celestite in drilling fluids ~50%, ferrite magnets ~20%, pyrotechnics and flares, master "
                  "alloys [L]"),
}  # fmt: skip

MAGNET_USERS = {"CHN": 0.70, "USA": 0.08, "EUU": 0.07, "JPN": 0.055, "KOR": 0.03, "IND": 0.015, "VNM": 0.015,
                "THA": 0.01, "MEX": 0.01}  # fmt: skip
COUNTRY_SHARES = {
    "lithium": ({"CHN": 0.78, "KOR": 0.07, "JPN": 0.05, "EUU": 0.03, "USA": 0.03, "IND": 0.01},
                "cathode and cell production, China ~80-85% (IEA GEVO 2024/25, NOTES 2c) [L]"),
    "cobalt": ({"CHN": 0.75, "KOR": 0.06, "EUU": 0.06, "JPN": 0.05, "USA": 0.03, "IND": 0.01, "RUS": 0.01},
               "cathode production (NOTES 2c) [L]; USA 8,000 t (USGS salient) [H]"),
    "nickel": ({"CHN": 0.60, "IDN": 0.10, "EUU": 0.07, "IND": 0.05, "JPN": 0.04, "KOR": 0.04, "USA": 0.03,
                "TUR": 0.01},
               "stainless melt, China ~60%, Indonesia (IMIP) [L]; USA ~100 kt primary (USGS salient) [H]"),
    "graphite": ({"CHN": 0.80, "EUU": 0.04, "USA": 0.033, "JPN": 0.03, "KOR": 0.03, "IND": 0.03},
                 "anode production (NOTES 2c) [L]; USA 52 kt (USGS salient) [H]"),
    "ree_light": (MAGNET_USERS,
                  "NdFeB use by manufacturing country: China ~70%, since its 2024 magnet exports (~58 kt, "
                  "customs via press) were ~20-25% of its output [M]/[L]; USA: Q1 2024 magnet imports from "
                  "China 6,685 t (Kallanish) [M]; India: FY25 imports 53,700 t, mostly ferrite (NOTES 4a)"),
    "ree_heavy": (MAGNET_USERS, "as NdPr: Dy/Tb follow the magnets [L]"),
    "copper": ({"CHN": 0.56, "EUU": 0.12, "USA": 0.067, "IND": 0.04, "JPN": 0.035, "KOR": 0.025,
                "TUR": 0.02, "RUS": 0.015, "MEX": 0.015, "VNM": 0.015, "THA": 0.01, "BRA": 0.01, "IDN": 0.01,
                "MYS": 0.01},
               "ICSG pattern, China ~55-58%, EU ~12% (NOTES 2c) [M]/[L]; USA 1.8 Mt (USGS salient) [H]"),
    "tin": ({"CHN": 0.50, "USA": 0.10, "EUU": 0.09, "JPN": 0.08, "KOR": 0.04, "IND": 0.03, "VNM": 0.02,
             "MYS": 0.02, "THA": 0.02},
            "electronics assembly pattern [L]; USA 37 kt (USGS salient) [H]"),
    "molybdenum": ({"CHN": 0.45, "EUU": 0.15, "JPN": 0.08, "USA": 0.055, "KOR": 0.05, "IND": 0.05,
                    "RUS": 0.03},
                   "steel production pattern [L]; USA 12-16 kt (USGS salient) [H]"),
    "tungsten": ({"CHN": 0.55, "EUU": 0.13, "USA": 0.10, "JPN": 0.08, "KOR": 0.04, "RUS": 0.03, "IND": 0.02},
                 "cemented-carbide production pattern [L]"),
    "beryllium": ({"USA": 0.47, "CHN": 0.25, "EUU": 0.10, "JPN": 0.08, "KOR": 0.03, "RUS": 0.03},
                  "USA 170 t of 360 t (USGS salient apparent consumption) [H]; others [L]"),
    "tantalum": ({"USA": 0.30, "CHN": 0.30, "EUU": 0.12, "JPN": 0.10, "KOR": 0.05, "THA": 0.03},
                 "USA 770 t incl. scrap (USGS salient) [H], scaled [L]; capacitor makers [L]"),
    "gallium": ({"CHN": 0.75, "JPN": 0.08, "EUU": 0.04, "KOR": 0.03, "USA": 0.025},
                "wafer and NdFeB-additive use [L]; USA 19 t (USGS salient) [H]; ROW incl. Taiwan"),
    "germanium": ({"CHN": 0.50, "USA": 0.12, "EUU": 0.12, "JPN": 0.08, "RUS": 0.05, "KOR": 0.03},
                  "fibre, IR optics and solar-cell makers [L]"),
    "tellurium": ({"CHN": 0.40, "USA": 0.20, "EUU": 0.08, "MYS": 0.08, "VNM": 0.07, "JPN": 0.06, "IND": 0.04,
                   "KOR": 0.02},
                  "CdTe module plants (First Solar: USA, Malaysia, Vietnam, India), thermoelectrics [L]"),
    "selenium": ({"CHN": 0.50, "EUU": 0.12, "JPN": 0.08, "USA": 0.06, "IND": 0.05, "KOR": 0.03, "RUS": 0.03},
                 "manganese electrolysis, glass, agriculture [L]"),
    "antimony": ({"CHN": 0.45, "USA": 0.22, "EUU": 0.10, "JPN": 0.06, "IND": 0.04, "KOR": 0.03},
                 "USA 24 kt (USGS salient) [H]; flame retardants, lead-acid batteries [L]"),
    "niobium": ({"CHN": 0.40, "EUU": 0.15, "JPN": 0.08, "USA": 0.076, "KOR": 0.05, "IND": 0.03, "RUS": 0.02,
                 "BRA": 0.02, "TUR": 0.01},
                "ferroniobium use follows HSLA steel: China ~40% [L]; USA 8,400 t apparent consumption of "
                "110 kt (USGS salient 2024) [H]; India ~3%: all imported (no USGS output) [L]"),
    "vanadium": ({"CHN": 0.60, "EUU": 0.09, "USA": 0.07, "JPN": 0.06, "IND": 0.05, "KOR": 0.04, "RUS": 0.04,
                  "TUR": 0.01, "BRA": 0.01},
                 "steel pattern, China ~60% (rebar standard) [L]; India, the 2nd steel maker, imports its "
                 "ferrovanadium (no USGS output) [L]"),
    "titanium": ({"CHN": 0.40, "EUU": 0.12, "USA": 0.12, "IND": 0.05, "JPN": 0.04, "KOR": 0.03, "RUS": 0.03,
                  "BRA": 0.02},
                 "TiO2 pigment production and sponge pattern [L]; India ~5%: its pigment makers and KMML, "
                 "with "
                 "210 kt TiO2 of its own ilmenite and 300 t of sponge (USGS MCS 2025) [H]/[L]"),
    "zirconium": ({"CHN": 0.45, "EUU": 0.15, "IND": 0.08, "USA": 0.05, "JPN": 0.03, "KOR": 0.02, "TUR": 0.02,
                   "BRA": 0.02, "VNM": 0.02},
                  "ceramic tile pattern: China, Italy and Spain, India (Morbi is the world's second tile "
                  "cluster) [L]"),
    "pge": ({"CHN": 0.30, "EUU": 0.20, "USA": 0.15, "JPN": 0.12, "IND": 0.04, "KOR": 0.04, "GBR": 0.03,
             "RUS": 0.02},
            "car and chemical-catalyst production pattern [L]; India's autocatalysts, jewellery [L]"),
    "silicon": ({"CHN": 0.65, "EUU": 0.10, "USA": 0.06, "JPN": 0.05, "IND": 0.04, "KOR": 0.03, "RUS": 0.02},
                "steel, aluminium and polysilicon pattern, China ~65% [L]; India makes 60 kt of "
                "ferrosilicon's "
                "Si and no silicon metal (USGS MCS 2025) [H]"),
    "phosphate": ({"CHN": 0.45, "USA": 0.09, "IND": 0.05, "RUS": 0.05, "BRA": 0.05, "IDN": 0.02,
                   "VNM": 0.01, "EUU": 0.02},
                  "fertiliser pattern [L]; India ~5%: 1.6 Mt mined (USGS) and ~8 Mt of imported rock a year, "
                  "besides the DAP it imports [L]; Morocco's OCP, Jordan and Saudi Arabia process their own "
                  "(ROW)"),
    "potash": ({"CHN": 0.22, "BRA": 0.15, "USA": 0.12, "EUU": 0.08, "IND": 0.05, "IDN": 0.05, "MYS": 0.03,
                "RUS": 0.03},
               "fertiliser pattern [L]; India imports all its potash (~3 Mt of muriate a year, ~1.8 Mt "
               "K2O) [L]"),
    "bismuth": ({"CHN": 0.50, "EUU": 0.15, "USA": 0.10, "JPN": 0.08, "KOR": 0.04, "IND": 0.03},
                "chemicals and alloys pattern [L]"),
    "cadmium": ({"CHN": 0.40, "EUU": 0.15, "JPN": 0.10, "KOR": 0.08, "USA": 0.05, "IND": 0.05},
                "NiCd battery pattern [L]; India's railway and defence batteries [L]"),
    "indium": ({"CHN": 0.40, "KOR": 0.20, "JPN": 0.20, "USA": 0.07, "EUU": 0.05, "IND": 0.01},
               "display-panel pattern (ROW incl. Taiwan) [L]"),
    "rhenium": ({"USA": 0.45, "EUU": 0.15, "GBR": 0.10, "CHN": 0.10, "RUS": 0.05, "JPN": 0.03, "IND": 0.02},
                "jet-engine superalloy pattern [L]"),
    "strontium": ({"CHN": 0.40, "USA": 0.15, "EUU": 0.10, "MEX": 0.05, "IND": 0.03},
                  "drilling and ferrite pattern [L]"),
}  # fmt: skip
DEFENCE_SHARES = (
    {"USA": 0.40, "CHN": 0.20, "EUU": 0.12, "RUS": 0.08, "IND": 0.05, "GBR": 0.04, "JPN": 0.03,
     "KOR": 0.03, "TUR": 0.01},
    "defence industry pattern, approx. SIPRI military expenditure [L]",
)  # fmt: skip

GROWTH = {"ev": 0.20, "storage": 0.30, "wind": 0.07, "electronics": 0.04, "defence": 0.04, "industry": 0.02}
GROWTH_OVERRIDE = {
    ("lithium", "ev"): 0.22, ("lithium", "storage"): 0.35,
    ("cobalt", "ev"): 0.08, ("cobalt", "storage"): 0.10,
    ("nickel", "ev"): 0.08, ("nickel", "storage"): 0.10,
    ("graphite", "ev"): 0.15, ("graphite", "storage"): 0.25,
    ("ree_light", "ev"): 0.15, ("ree_light", "wind"): 0.08, ("ree_light", "industry"): 0.08,
    ("ree_heavy", "ev"): 0.15, ("ree_heavy", "wind"): 0.08, ("ree_heavy", "industry"): 0.08,
    ("copper", "ev"): 0.15,
    ("antimony", "storage"): 0.02,  # lead-acid batteries, not grid storage
    ("vanadium", "storage"): 0.20,  # vanadium redox flow batteries [L]
}  # fmt: skip
GROWTH_SOURCE = "IEA GCMO 2025 and Adamas NdFeB CAGR 8.7% (NOTES 2a) [M]; per sector [L]"
ESSENTIAL = {
    "ev": 0.10,
    "storage": 0.05,
    "wind": 0.10,
    "electronics": 0.15,
    "defence": 0.30,
    "industry": 0.10,
}

# Capacity grows with expansions under way at the start: each mineral's lines grow at the
# mineral's demand growth (sector growth weighted by sector shares), so that the baseline stays
# balanced and the dynamics come from what agents do.
CAPACITY_GROWTH_SOURCE = (
    "expansions under way: {growth:.1%}/yr, the {mineral} demand growth, keeping the baseline balanced "
    "[L] (IEA GCMO 2025: announced projects keep pace to ~2030 [M]; lithium mine output 240 -> 290 kt "
    "in 2025, USGS MCS 2026 [M])"
)

# --------------------------------------------------------------------------------------------
# Strategic stockpiles (country, mineral, stage, tonnes or None, days of use if None, source).
# Every buyer also holds the market's routine cover (state.fill_pipeline: ~0.5 quarter, USGS
# salient US industry stocks); the chain's working stocks above it are CHAIN_STOCKS below.
# --------------------------------------------------------------------------------------------

JOGMEC_42 = "JOGMEC national stockpile: 42 days (+18 private) of Ni, Cr, W, Co, Mo, Mn, V (Argus 2020) [M]"
JOGMEC_60 = "JOGMEC target 60 days, up to 180 (METI 2020, IEA policy database 2023); holdings secret [L]"
KOMIR_54 = "KOMIR rare metals ~54 days of supply, target 100 days by 2031 (IEA policy database 2024) [M]"
STOCKPILES = [
    ("JPN", "nickel", "refined", None, 42, JOGMEC_42),
    ("JPN", "cobalt", "refined", None, 42, JOGMEC_42),
    ("JPN", "tungsten", "refined", None, 42, JOGMEC_42),
    ("JPN", "molybdenum", "refined", None, 42, JOGMEC_42),
    ("JPN", "vanadium", "refined", None, 42, JOGMEC_42),
    ("JPN", "ree_light", "refined", None, 60, JOGMEC_60),
    ("JPN", "ree_heavy", "refined", None, 60, JOGMEC_60),
    ("JPN", "gallium", "refined", None, 60, JOGMEC_60),
    ("KOR", "cobalt", "refined", None, 54, KOMIR_54),
    ("KOR", "ree_light", "refined", None, 54, KOMIR_54),
    ("KOR", "gallium", "refined", None, 54, KOMIR_54),
    ("KOR", "tungsten", "refined", None, 54, KOMIR_54),
    ("KOR", "lithium", "refined", None, 6, "KOMIR lithium ~6 days (Dong-A Ilbo via rawmaterials.net) [M]"),
    ("CHN", "cobalt", "refined", 15_000.0, 0,
     "China NFSRA state reserve: ~15,000 t cobalt bought in 2024 (Reuters/Bloomberg) [M]"),
    ("CHN", "germanium", "refined", 100.0, 0,
     "China state stockpiling ~100 t germanium (Project Blue, Oct 2024; NOTES 1) [M]"),
    ("USA", "beryllium", "refined", 45.0, 0,
     "US National Defense Stockpile Be metal ~45 t (78 t in 2015, USGS FS 2016-3081) [L] UNSURE"),
    ("USA", "germanium", "refined", 14.0, 0, "US National Defense Stockpile germanium ~14 t [L] UNSURE"),
    ("USA", "cobalt", "refined", 300.0, 0,
     "US National Defense Stockpile cobalt ~300 t; DLA's 2024 tender (7,500 t) not awarded [L] UNSURE"),
    ("IND", "ree_light", "magnet", 0.0, 0,
     "India's national stockpile (NCMM, approved 29 Jan 2025) incl. magnets: planned, empty (NOTES 4a) [M]"),
]  # fmt: skip

# --------------------------------------------------------------------------------------------
# Working stocks along the chain (mineral, stage, months of use, source): traders', refiners' and
# users' inventories and cargoes at sea beyond the routine half-quarter every buyer keeps
# (`inventory_target_quarters`). Every country that uses the line at that stage (final use or
# processors' feed) holds them in proportion to its use (commercial [[stocks]], strategic = false;
# engine/chain_stocks.py). A (mineral, stage) not listed holds its stage's default.
# --------------------------------------------------------------------------------------------

CO_STOCKS_DEC_2024 = (
    "global cobalt stocks ~4 months of demand at the end of December 2024 (Cobalt Institute via "
    "Africanews, 7 May 2025) [M]; large Chinese users ~6 months, traders ~12 months of metal in "
    "2025 (Cobalt Congress 2025, via starfeu.com) [M]; less the routine 1.5 months"
)
CO_HYDROXIDE_AT_SEA = (
    "hydroxide takes ~90 days from the DRC to China: cargoes shipped before a ban keep arriving "
    "for ~3 months; stocks outside the DRC 8-10 months of consumption in 2025Q2 (BMI via Reuters, "
    "Andy Home, Jun 2025) [M]"
)
MINE_STAGE_IN_TRANSIT = (
    "no figure: concentrate at sea and at the smelter, ~4-6 weeks of voyage (bulk carriers from "
    "Australia, Africa or South America to China) [L]"
)
CHAIN_STOCKS = {
    ("cobalt", "refined"): (2.5, CO_STOCKS_DEC_2024),
    ("cobalt", "mine"): (3.0, CO_HYDROXIDE_AT_SEA),
    ("nickel", "refined"): (0.5, "LME on-warrant nickel 148,674 t at the end of 2024 (LME via Metalnomist, "
                           "Feb 2025) [M], ~230 kt on and off warrant in Nov 2024 (metals-wire) [M]: 0.5 "
                           "months of world-2024's 3.51 Mt/yr"),
    ("copper", "refined"): (0.25, "LME + SHFE + COMEX copper stocks above 500 kt in June 2024, the first "
                           "time since Aug 2021 (Reuters, Andy Home, via newsformal) [M]: 0.27 months of "
                           "world-2024's 22.3 Mt/yr"),
    ("tin", "refined"): (0.5, "LME tin 4-5 kt in H2 2024 (Reuters, Andy Home, Jan 2025) [M]; SHFE a record "
                        "17,818 t in May 2024 (BEHAVIOUR.md 3) [M], its end-2024 level not found [L]: "
                        "~12 kt, 0.5 months of world-2024's 291 kt/yr"),
}  # fmt: skip
CHAIN_STOCK_DEFAULTS = {
    "mine": (1.0, MINE_STAGE_IN_TRANSIT),
    "refined": (0.0, "no figure: the routine half-quarter only [L]"),
    "magnet": (0.0, "no figure: the routine half-quarter only [L]"),
}

# --------------------------------------------------------------------------------------------
# Firms and their stakes in capacity lines (share of the line's output).
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Asset:
    """A firm's share of one capacity line; `home` means its output ships to the firm's country."""

    country: str
    mineral: str
    stage: str
    share: float
    home: bool
    source: str


@dataclass(frozen=True)
class Firm:
    """A state firm or producer with its stakes."""

    id: str
    name: str
    country: str
    kind: str
    budget_usd_m: float
    source: str
    assets: list[Asset] = field(default_factory=list)
    mandate: str = ""  # "" leaves the schema's default for the firm's kind
    mandate_basis: str = ""


FIRMS = [
    Firm("kabil", "Khanij Bidesh India Ltd (KABIL)", "IND", "state_firm", 10.0,
         "JV of NALCO 40%, HCL 30%, MECL 30% (2019); Catamarca ~Rs 200 crore over 5 years; US$6 m due "
         "diligence with Australia's CMFO (NOTES 4a) [M]", [
             Asset("ARG", "lithium", "mine", 0.005, False,
                   "5 Catamarca brine blocks (CAMYEN, 15 Jan 2024), exploring, no 2024 output: placeholder "
                   "share for the option [L]; ship home once India refines lithium"),
             Asset("AUS", "lithium", "mine", 0.002, False,
                   "2 lithium projects under due diligence (Mar 2023), none acquired: placeholder [L]"),
             Asset("AUS", "cobalt", "mine", 0.01, False,
                   "3 cobalt projects under due diligence (Mar 2023), none acquired: placeholder [L]"),
         ]),
    Firm("irel", "IREL (India) Ltd", "IND", "state_firm", 50.0,
         "DAE PSU: monazite ~10 kt/yr, NdPr oxide ~500 t/yr, SmCo magnets at Visakhapatnam (NOTES 4a) [M]", [
             Asset("IND", "ree_light", "mine", 1.0, True, "India's beach-sand monazite is IREL's [M]"),
             Asset("IND", "ree_heavy", "mine", 1.0, True, "India's beach-sand monazite is IREL's [M]"),
             Asset("IND", "ree_light", "refined", 1.0, True, "OSCOM/Aluva separation (NOTES 4a) [M]"),
             Asset("IND", "ree_heavy", "refined", 1.0, True, "Aluva Dy and Tb pilot plants (NOTES 4a) [M]"),
             Asset("IND", "ree_light", "magnet", 1.0, True, "Visakhapatnam magnet plant, pilot [M]/[L]"),
         ], mandate="national_champion",
         mandate_basis="builds separation and magnet capacity at home under the REPM scheme (NOTES 4a) [M]"),
    Firm("codelco", "Codelco", "CHL", "state_firm", 4000.0,
         "Chile's state copper miner, 1.33 Mt Cu in 2024; SQM's partner in the Salar de Atacama "
         "(agreement 31 May 2024, NovaAndino JV formed 27 Dec 2025, NOTES 4c) [M]; capex ~USD 4 bn/yr [L]", [
             Asset("CHL", "copper", "mine", 0.25, True, "1.33 Mt of Chile's 5.3 Mt (2024) [M]"),
             Asset("CHL", "copper", "refined", 0.55, True, "Codelco refineries and SX-EW cathode [L]"),
             Asset("CHL", "lithium", "mine", 0.05, True,
                   "share of the Atacama margin 2025-2030 under the Codelco-SQM agreement; the JV itself "
                   "was formed in Dec 2025: game assumption [L]"),
             Asset("CHL", "lithium", "refined", 0.05, True, "as for the mine stage [L]"),
         ], mandate="profit",
         mandate_basis="pays its surplus to the Chilean treasury; expands its own mines "
                       "(game assumption) [L]"),
    Firm("sqm", "SQM", "CHL", "producer", 1500.0,
         "Sociedad Química y Minera, ~204 kt LCE sold in 2024 (~38 kt Li); Tianqi holds ~22% [M]", [
             Asset("CHL", "lithium", "mine", 0.73, True, "SQM Salar, ~78% of Chile less Codelco [M]/[L]"),
             Asset("CHL", "lithium", "refined", 0.73, True, "Salar del Carmen chemical plants [M]/[L]"),
             Asset("AUS", "lithium", "mine", 0.02, False, "Mt Holland (Covalent 50%), from 2024 [L]"),
         ]),
    Firm("ylb", "Yacimientos de Litio Bolivianos (YLB)", "BOL", "state_firm", 100.0,
         "Bolivia's state lithium firm; CBC (CATL) and Uranium One contracts await approval (NOTES 4c) [M]", [
             Asset("BOL", "lithium", "mine", 1.0, True, "YLB is Bolivia's only lithium producer [M]"),
             Asset("BOL", "lithium", "refined", 1.0, True, "La Palca carbonate plant [M]"),
         ]),
    Firm("gecamines", "Gécamines", "COD", "state_firm", 100.0,
         "DRC state miner: TFM 20%, KCC 25%, KFM, Mutanda minority stakes; EGC artisanal cobalt [M]/[L]", [
             Asset("COD", "cobalt", "mine", 0.11, True, "equity-weighted share of DRC cobalt [L]"),
             Asset("COD", "copper", "mine", 0.05, True, "equity-weighted share of DRC copper [L]"),
             Asset("COD", "copper", "refined", 0.05, True, "equity-weighted share of DRC cathode [L]"),
         ]),
    Firm("cmoc", "CMOC Group", "CHN", "producer", 1500.0,
         "TFM 80% and KFM 71.25% in the DRC; 2024 output ~114 kt cobalt, ~650 kt copper [M]", [
             Asset("COD", "cobalt", "mine", 0.40, True, "equity-weighted; hydroxide ships to China [M]/[L]"),
             Asset("COD", "copper", "refined", 0.30, True, "TFM/KFM SX-EW cathode ~650 kt [M]/[L]"),
         ]),
    Firm("china-northern-rare-earth", "China Northern Rare Earth", "CHN", "state_firm", 500.0,
         "Baotou Steel group; H1 2024 quota 94,580 t mining (70%), 88,010 t separation (Fastmarkets) [M]", [
             Asset("CHN", "ree_light", "mine", 0.70, True, "70% of China's 2024 mining quota [M]"),
             Asset("CHN", "ree_heavy", "mine", 0.13, True, "Bayan Obo heavy traces, ~200 of ~1,540 t [L]"),
             Asset("CHN", "ree_light", "refined", 0.50, True,
                   "69% of the separation quota; China also separates imported feed [M]/[L]"),
             Asset("CHN", "ree_heavy", "refined", 0.05, True, "assumption [L]"),
         ]),
    Firm("china-rare-earth-group", "China Rare Earth Group", "CHN", "state_firm", 300.0,
         "state group; H1 2024 quota 40,420 t mining incl. all 10,140 t ion-adsorption (Fastmarkets) [M]", [
             Asset("CHN", "ree_light", "mine", 0.30, True, "30% of China's 2024 mining quota [M]"),
             Asset("CHN", "ree_heavy", "mine", 0.87, True, "all of China's ion-adsorption quota [M]/[L]"),
             Asset("CHN", "ree_light", "refined", 0.30, True, "assumption [L]"),
             Asset("CHN", "ree_heavy", "refined", 0.60, True, "southern ionic-clay separators [L]"),
         ]),
    Firm("lynas", "Lynas Rare Earths", "AUS", "producer", 500.0,
         "Mt Weld (AUS) and Kuantan separation (MYS); FY2024 NdPr 5,655 t; JARE offtake partner [M]", [
             Asset("AUS", "ree_light", "mine", 0.85, True, "Mt Weld ~11 of USGS's 13 kt REO [M]/[L]"),
             Asset("AUS", "ree_heavy", "mine", 0.85, True, "Mt Weld [M]/[L]"),
             Asset("MYS", "ree_light", "refined", 1.0, False, "Lynas Malaysia, the only separator [M]"),
         ]),
    Firm("mp-materials", "MP Materials", "USA", "producer", 300.0,
         "Mountain Pass: 45 kt REO concentrate, 1,300 t NdPr separated in 2024 (USGS salient) [H]", [
             Asset("USA", "ree_light", "mine", 1.0, True, "the only US rare-earth mine [H]"),
             Asset("USA", "ree_heavy", "mine", 1.0, True, "the only US rare-earth mine [H]"),
             Asset("USA", "ree_light", "refined", 1.0, True, "Mountain Pass separation [H]"),
         ]),
    Firm("jiangxi-copper", "Jiangxi Copper", "CHN", "state_firm", 1000.0,
         "Jiangxi provincial SOE, ~2.1 Mt cathode/yr [M]/[L]", [
             Asset("CHN", "copper", "mine", 0.11, True, "Dexing and other mines, ~0.2 of 1.8 Mt [L]"),
             Asset("CHN", "copper", "refined", 0.18, True, "~2.1 of China's ~12 Mt cathode [M]/[L]"),
         ]),
    Firm("tsingshan", "Tsingshan Holding", "CHN", "producer", 2000.0,
         "private nickel and stainless group; IMIP and IWIP industrial parks in Indonesia [M]", [
             Asset("IDN", "nickel", "mine", 0.25, False, "ore for IMIP/IWIP, kept home by the ban [L]"),
             Asset("IDN", "nickel", "refined", 0.45, False, "NPI, matte, MHP at IMIP/IWIP, sold locally [L]"),
         ]),
    Firm("albemarle", "Albemarle", "USA", "producer", 1700.0,
         "US lithium producer, 2024 capex ~USD 1.7 bn; Atacama, Greenbushes 49%, Wodgina 50% [M]", [
             Asset("CHL", "lithium", "mine", 0.22, False, "Albemarle Atacama ~22% of Chile [M]/[L]"),
             Asset("CHL", "lithium", "refined", 0.22, False, "La Negra carbonate plant [M]/[L]"),
             Asset("AUS", "lithium", "mine", 0.26, False, "Greenbushes 49%, Wodgina 50%, by equity [L]"),
             Asset("AUS", "lithium", "refined", 0.6, False, "Kemerton (Tianqi Kwinana the rest) [L]"),
         ]),
    Firm("ulba", "Ulba Metallurgical Plant (Kazatomprom)", "KAZ", "state_firm", 50.0,
         "one of three beryllium processors, #1 US Be import source 2020-23 (USGS MCS 2025 T5) [H]", [
             Asset("KAZ", "beryllium", "refined", 1.0, True, "Kazakhstan's beryllium processor [H]"),
             Asset("KAZ", "tantalum", "refined", 1.0, True, "Ulba tantalum division [M]"),
         ]),
    Firm("almalyk", "Almalyk MMC", "UZB", "state_firm", 1000.0,
         "Uzbek state miner: copper, Mo 1.7 kt, Te 13 t, Se 2 t (USGS MCS 2025, NOTES 4b) [H]/[M]", [
             Asset("UZB", "copper", "mine", 1.0, True, "[M]"),
             Asset("UZB", "copper", "refined", 1.0, True, "[M]"),
             Asset("UZB", "molybdenum", "mine", 1.0, True, "[H]/[M]"),
             Asset("UZB", "tellurium", "refined", 1.0, True, "[H]"),
             Asset("UZB", "selenium", "refined", 1.0, True, "[H]"),
         ]),
]  # fmt: skip

# --------------------------------------------------------------------------------------------
# Policies in force at the start of 2025. The engine keeps ONE control per (country, mineral,
# stage): China's Dec 2024 ban to the USA stands for both it and the licence regimes on Ga, Ge
# and Sb to other destinations (docs/data-sources.md).
# --------------------------------------------------------------------------------------------

MOFCOM_46 = (
    "MOFCOM Announcement No. 46 of 2024 (3 Dec 2024): Ga, Ge, Sb exports to the USA not permitted; "
    "licence regimes elsewhere (No. 23 of 2023 for Ga/Ge from 1 Aug 2023, No. 33 of 2024 for Sb "
    "from 15 Sep 2024) not represented: one control per line [M]"
)
SECTION_301 = (
    "USTR Section 301 four-year review, final 13 Sep 2024: 25% on Chinese cobalt ores, tantalum, "
    "tungsten from 27 Sep 2024; graphite and magnets 0% until 2026 (Project Blue, Mondaq 2024) [M]"
)


def export_control(country: str, mineral: str, stages: list[str], regime: str, source: str,
                   **options: object) -> dict:  # fmt: skip
    """A [[policies]] export-control record."""
    return {"kind": "export_control", "country": country, "mineral": mineral, "stages": stages,
            "regime": regime, **options, "source": source}  # fmt: skip


def tariff(
    country: str, mineral: str, stages: list[str], rate: float, origins: list[str], source: str
) -> dict:
    """A [[policies]] tariff record."""
    return {"kind": "tariff", "country": country, "mineral": mineral, "stages": stages, "rate": rate,
            "origins": origins, "source": source}  # fmt: skip


POLICIES = [
    *[export_control("CHN", m, ["mine", "refined"], "ban", MOFCOM_46, destinations=["USA"])
      for m in ("gallium", "germanium", "antimony")],
    export_control("CHN", "graphite", ["mine", "refined"], "licence",
                   "MOFCOM/GAC Announcement No. 39 of 2023 (from 1 Dec 2023): licences for spherical, "
                   "high-purity and flake graphite; exports dipped, then recovered in 2024 as licences "
                   "became routine -> ~80% approved, review absorbed in lead times (no delay) [M]/[L]",
                   approval_share=0.8, delay_turns=0),
    export_control("IDN", "nickel", ["mine"], "ban",
                   "Indonesia nickel ore export ban, ESDM Regulation 11/2019, in force since 1 Jan 2020 [M]"),
    export_control("ZWE", "lithium", ["mine"], "licence",
                   "Zimbabwe SI 213 of 2022: unbeneficiated lithium ore banned, concentrates exported under "
                   "permit, fully approved in 2024 [M]",
                   approval_share=1.0, delay_turns=0),
    *[export_control("MYS", m, ["mine"], "ban",
                     "Malaysia ban on exports of raw rare-earth materials (PM Anwar, Sep 2023) [M]")
      for m in ("ree_light", "ree_heavy")],
    *[tariff("USA", m, ["mine", "refined"], 0.25, ["CHN"], SECTION_301)
      for m in ("cobalt", "tantalum", "tungsten")],
]  # fmt: skip

# --------------------------------------------------------------------------------------------
# Contracts in force at the start (delivered before the spot market each turn).
# --------------------------------------------------------------------------------------------


def deal(id: str, seller: str, buyer: str, mineral: str, stage: str, tonnes_per_year: float,
         duration_turns: int, source: str) -> dict:  # fmt: skip
    """A [[deals]] offtake record, priced at the market index."""
    return {"id": id, "kind": "offtake", "seller": seller, "buyer": buyer, "mineral": mineral,
            "stage": stage, "tonnes_per_year": tonnes_per_year, "price_rule": "index",
            "duration_turns": duration_turns, "source": source}  # fmt: skip


DEALS = [
    deal("jare-lynas-ndpr", "MYS", "JPN", "ree_light", "refined", 1500.0, 20,
         "JARE (JOGMEC + Sojitz)-Lynas agreement (2011, extended 2023 to 2038): priority NdPr supply to "
         "Japan [M]; ~1/3 of Lynas output [L]"),
    deal("mp-shenghe-concentrate", "USA", "CHN", "ree_light", "mine", 5900.0, 20,
         "MP Materials offtake with Shenghe Resources (MP 10-K 2024) [M]: NdPr in concentrate not separated "
         "at Mountain Pass (45 kt x 16% - 1,300 t); shipments stopped Apr 2025, not scripted here"),
    deal("posco-pilbara-spodumene", "AUS", "KOR", "lithium", "mine", 2000.0, 20,
         "Pilbara Minerals-POSCO offtake (up to 315 ktpa spodumene) for the Gwangyang hydroxide plant "
         "[M]; 2024 ramp-up volume [L]"),
    deal("sqm-lges-lithium", "CHL", "KOR", "lithium", "refined", 2200.0, 20,
         "SQM-LG Energy Solution agreement (2022): ~85 kt LCE over 2023-2029, ~2.2 kt Li/yr [L]"),
    deal("irel-toyotsu-ree", "IND", "JPN", "ree_light", "refined", 250.0, 4,
         "IREL-Toyotsu Rare Earths India 13-year agreement (2012); India asked IREL to suspend it in "
         "2025 (NOTES 4a) [M]; volume [L]"),
    deal("chile-japan-copper-concentrate", "CHL", "JPN", "copper", "mine", 500_000.0, 20,
         "long-term concentrate contracts of Japanese smelters with Chilean mines they co-own "
         "(Escondida, Los Pelambres, Caserones) [M]; volume [L]"),
]  # fmt: skip


# --------------------------------------------------------------------------------------------
# Reserves: what exploration can find (critmin.engine.exploration). USGS reserves by country;
# rare earths split as production; resources where USGS has nothing and a source gives them.
# --------------------------------------------------------------------------------------------

RESERVE_TABLES = {
    **{table: mineral for mineral, table in USGS_TABLE.items()},
    "Tellurium (refinery)": "tellurium", "Selenium (refinery)": "selenium",
}  # fmt: skip
# USGS gives molybdenum (NOTES 1) and vanadium (its world-total note) reserves in thousand tonnes.
RESERVE_FACTOR = {"molybdenum": 1000.0, "vanadium": 1000.0}
RESOURCES = [
    ("IND", "lithium", 5000.0,
     "India's lithium by state: Jammu & Kashmir, Reasi, GSI G3 inferred resource, 5.9 Mt of ore at 583 "
     "ppm Li = ~3,400 t Li contained (an implication, not an official figure; NOTES 4a) [M]; Karnataka, "
     "Marlagalla-Allapatna (Mandya), AMD inferred 1,600 t Li in pegmatites (Rajya Sabha reply, 3 Feb 2021, "
     "via press) [M]. Rajasthan's Degana (Nagaur) 'lithium find' of May 2023 has no published resource and "
     "GSI did not confirm it [M]/[L]"),
]  # fmt: skip
# Where India's USGS reserves lie, by state (the exploration behind the NCMM looks there).
STATE_NOTES = {
    ("IND", "rare earths"):
        "; India by state: beach-sand monazite in Andhra Pradesh, Odisha, Tamil Nadu, Kerala, West Bengal "
        "and Jharkhand, 13.15 Mt of monazite holding 7.23 Mt REO (AMD via Economic Times/Business Standard, "
        "13 Oct 2025) [M]; hard-rock REE in Rajasthan (Siwana ring complex), where CMPDI took a REE "
        "exploration licence in Oct 2025 [M]",
    ("IND", "copper"):
        "; India by state: Rajasthan (Khetri belt, ~52% of resources), Madhya Pradesh (Malanjkhand, ~23%), "
        "Jharkhand (Singhbhum, ~15%) (Indian Bureau of Mines, via exam notes) [L]",
    ("IND", "graphite"):
        "; India by state: Arunachal Pradesh and Jammu & Kashmir hold most resources, then Jharkhand, "
        "Odisha and Tamil Nadu (Indian Bureau of Mines; from memory) [L]",
}  # fmt: skip


# ============================================================================================
# Calibration years. The tables above are 2024's; a Year says what differs for another year.
# ============================================================================================

SALIENT_2023 = "USGS MCS 2025 salient statistics, 2023 average"
CARRIED = "carried over from 2024: no 2023 figure in the stored sources [L]"


def price_2023(mineral: str, refined_price: float, refined_source: str, payable: float | None = None,
               payable_source: str = "") -> MineralInfo:  # fmt: skip
    """A mineral's 2024 record with its 2023 prices; a payable share not given is carried over."""
    info = MINERALS[mineral]
    if payable is None:
        payable, payable_source = info.payable, f"{info.payable_source}; share {CARRIED}"
    return replace(info, refined_price=refined_price, refined_source=refined_source, payable=payable,
                   payable_source=payable_source)  # fmt: skip


MINERALS_2023 = {
    "lithium": price_2023(
        "lithium", 41.3 * LCE_PER_LI,
        f"{SALIENT_2023}: battery-grade Li2CO3 USD 41,300/t LCE x 5.323 kg LCE/kg Li [H]"),
    "cobalt": price_2023(
        "cobalt", 15.48 * LB_PER_KG,
        f"{SALIENT_2023}: LME cash USD 15.48/lb (US spot cathode USD 17.2/lb) [H]"),
    "nickel": price_2023("nickel", 21.495, f"{SALIENT_2023}: LME cash USD 21,495/t [H]"),
    "graphite": price_2023(
        "graphite", 2.2, f"processed graphite ~USD 2,200/t FOB China, {CARRIED}",
        1.08 / 2.2, f"mine stage = flake concentrate, {SALIENT_2023}: flake USD 1,080/t [H]"),
    "ree_light": price_2023(
        "ree_light", 78.0,
        f"{SALIENT_2023}: Nd oxide 99.5% USD 78/kg; NdPr oxide trades close to it [H]/[M]"),
    "ree_heavy": price_2023(
        "ree_heavy", 0.8 * 330.0 + 0.2 * 1298.0,
        f"{SALIENT_2023}: Dy2O3 USD 330/kg, Tb oxide USD 1,298/kg, weighted 4:1 (Dy 2-3 kt, Tb 0.5-0.7 kt) "
        "[H]/[L]"),
    "copper": price_2023("copper", 3.848 * LB_PER_KG, f"{SALIENT_2023}: LME grade A 384.8 c/lb [H]"),
    "tin": price_2023("tin", 11.77 * LB_PER_KG, f"{SALIENT_2023}: LME cash 1,177 c/lb [H]"),
    "molybdenum": price_2023(
        "molybdenum", 54.32, f"{SALIENT_2023}: Mo in technical-grade oxide USD 54.32/kg [H]"),
    "tungsten": price_2023(
        "tungsten", 330.0 / KG_W_PER_MTU_WO3, f"APT Europe ~USD 330/mtu WO3 / 7.93 kg W/mtu, {CARRIED}",
        258.0 / 330.0, f"mine stage = concentrate, {SALIENT_2023}: USD 258/mtu WO3 [H]"),
    "beryllium": price_2023(
        "beryllium", 1400.0, f"{SALIENT_2023}: Be in Cu-Be master alloy, import unit value USD 1,400/kg [H]"),
    "tantalum": price_2023(
        "tantalum", 170.0 / TA_IN_TA2O5 / 0.6,
        "refined Ta (K-salt, powder, oxide) = tantalite price / 0.6 [L]",
        0.6, f"mine stage = tantalite, {SALIENT_2023}: USD 170/kg Ta2O5 / 0.819 kg Ta/kg [H]"),
    "gallium": price_2023(
        "gallium", 450.0, f"{SALIENT_2023}: high-purity gallium USD 450/kg [H]",
        288.0 / 450.0, f"mine stage = primary low-purity gallium, {SALIENT_2023}: USD 288/kg [H]"),
    "germanium": price_2023("germanium", 1392.0, f"{SALIENT_2023}: germanium metal USD 1,392/kg [H]"),
    "tellurium": price_2023("tellurium", 76.74, f"{SALIENT_2023}: Europe USD 76.74/kg (US USD 79.09/kg) [H]"),
    "selenium": price_2023(
        "selenium", 23.11, f"{SALIENT_2023}: US USD 23.11/kg (Europe USD 19.30/kg; the US series unit is "
        "UNSURE, NOTES 1c) [H]/[L]"),
    "antimony": price_2023("antimony", 5.49 * LB_PER_KG, f"{SALIENT_2023}: metal 99.65% USD 5.49/lb [H]"),
    "niobium": price_2023(
        "niobium", 25.0, f"{SALIENT_2023}: niobium USD 25/kg (ferroniobium, Nb content) [H]"),
    "vanadium": price_2023(
        "vanadium", 33.0, "ferrovanadium 80%, Europe, ~USD 33/kg V as the 2023 average (from ~42 in "
        "Jan to ~28 in Dec; from memory) [L]"),
    **{  # the one-stage minerals of India's list: their 2024 prices, carried back
        mineral: replace(info, refined_source=f"{info.refined_source}; {CARRIED}")
        for mineral, info in MINERALS.items()
        if info.final_stage == "mine"
    },
}  # fmt: skip

CARVE_OUTS_2023 = [
    (
        "lithium",
        "mine",
        "BOL",
        480.0,
        "YLB La Palca, ~15 kt/yr Li2CO3 at ~17% utilisation (2023) = ~2.6 kt LCE = ~480 t Li (NOTES 4c) [L]; "
        "USGS lists no Bolivian output and its 2023 rounding residual is smaller, so added to the world",
    ),
    ("copper", "mine", "UZB", 150_000.0, f"Almalyk MMC ~150 kt Cu, inside USGS 'Other', {CARRIED}"),
    ("copper", "refined", "UZB", 130_000.0, f"Almalyk MMC ~130 kt cathode, inside USGS 'Other', {CARRIED}"),
]  # fmt: skip  (no Kazakh tungsten: Boguty opened on 1 Nov 2024)
UTILISATION_2023 = {
    ("lithium", stage, "BOL"): (0.17, "YLB La Palca ~17% in 2023 (NOTES 4c) [L]")
    for stage in ("mine", "refined")
}
REFINED_SHARES_2023 = {
    **REFINED_SHARES,
    "ree_light": (
        {**REFINED_SHARES["ree_light"][0], "USA": 250.0},
        "NdPr separation, t: USA = MP, 250 t of compounds and metals in 2023 (USGS salient) [H]; Malaysia = "
        f"Lynas ~3,300 t, {CARRIED}; India = IREL, its own NdPr (NOTES 4a) [M]; Russia, Vietnam, Estonia "
        f"[L]; China the rest ({IEA}: 91%)"),
}  # fmt: skip
STOCKPILES_2023 = [
    item for item in STOCKPILES if (item[0], item[1]) not in {("CHN", "cobalt"), ("IND", "ree_light")}
]  # China's cobalt purchases were made during 2024; India's stockpile was approved in Jan 2025
# China's gallium and germanium licences (MOFCOM/GAC No. 23 of 2023, from 1 Aug 2023) are not
# represented: exports stopped in Aug 2023 and resumed under licence from the autumn, routine by
# 2024 [L]. Written as a licence with every request approved and no delay, the engine still opens a
# wedge (China's price falls to ~0.4x in 20 turns), which a fully approved licence should not.
POLICIES_2023 = [
    *POLICIES[3:8],  # graphite licences, Indonesia's nickel ore ban, Zimbabwe's permits, Malaysia's REE ban
]  # fmt: skip  (MOFCOM No. 46 and the Section 301 tariffs came in late 2024; Sb licences in Sep 2024)
DEALS_2023 = [
    {**item, "tonnes_per_year": 6400.0,
     "source": "MP Materials offtake with Shenghe Resources (MP 10-K 2023) [M]: NdPr in concentrate not "
               "separated at Mountain Pass (41.6 kt REO x 16% - 250 t separated, USGS 2023)"}
    if item["id"] == "mp-shenghe-concentrate" else item
    for item in DEALS
]  # fmt: skip

HEADER_TEXT = """\
# world-{year}: the world at the start of {next} ({next}Q1, 20 quarterly turns), calibrated on {year} data.
#
# GENERATED by {script}: do not edit by hand; change the script and re-run it.
# Sources: USGS Mineral Commodity Summaries 2025 World Data Release (doi:10.5066/P13XCP3R) and
# salient statistics ({year} production and prices); IEA Global Critical Minerals Outlook 2024/2025
# (refining shares); ../shared/data/calibration/NOTES.md (demand splits, India, Central Asia,
# Lithium Triangle, policies); company, government and press sources named on each record.
# Confidence flags: [H] primary data, [M] reputable secondary, [L] weak or assumption.
# Every choice is explained in docs/data-sources.md.
#{carried}
# Conventions: tonnes of contained material (each mineral's `unit`) per year and USD per kg of
# it; yield 1 at every stage, so world refined output = world mine output. ree_light is NdPr
# oxide and ree_heavy Dy+Tb oxide; their magnet stage counts the oxide contained in sintered
# NdFeB. capacity x utilisation = {year} output. unit_cost_usd_per_kg is the cost of the stage
# itself: a mine's cash cost; a refiner's or magnet maker's conversion cost, its feed being
# bought at the previous stage's price. Demand is final demand at each mineral's last stage.
"""
CARRIED_2023 = """
# Carried over from 2024 [L] where no 2023 figure is stored: payable shares (mine/refined),
# processed graphite and APT prices, the magnet mark-up, refining and magnet shares (but US NdPr
# separation: 2023), demand splits and growth, firms' stakes, Almalyk's copper, strategic
# stockpiles held in days of use, working stocks along the chain in months of use (cobalt's are
# end-2024 figures), gallium capacity (USGS gives 2024 only). Policies, stockpiles
# and contracts are those in force at the start of 2024.
#"""


@dataclass(frozen=True)
class Year:
    """One calibration year: its data column, start, texts and the tables that differ."""

    year: int
    column: str
    script: str
    minerals: dict[str, MineralInfo]
    carve_outs: list
    utilisation: dict
    refined_shares: dict
    stockpiles: list
    policies: list
    deals: list
    description: str
    carried: str = ""
    reserves_note: str = ""

    @property
    def id(self) -> str:
        """The scenario id, `world-YYYY`."""
        return f"world-{self.year}"

    @property
    def start(self) -> str:
        """The first quarter after the calibration year."""
        return f"{self.year + 1}Q1"

    @property
    def header(self) -> str:
        """The generated file's opening comment."""
        return HEADER_TEXT.format(
            year=self.year, next=self.year + 1, script=self.script, carried=self.carried
        )


DESCRIPTION = (
    "Reference scenario: 36 countries and the EU as one bloc, with the rest of the world as "
    "ROW; {minerals} critical minerals; mine, refining and magnet capacity calibrated on {year} output "
    "(USGS MCS 2025, IEA refining shares); final demand; strategic stockpiles and working stocks "
    "along the chain; state firms; "
    "the export controls, tariffs and contracts in force at the start of {next}. No events."
)
YEARS = {
    2024: Year(2024, "prod_2024e", "tools/build_world_2024.py", MINERALS, CARVE_OUTS, UTILISATION,
               REFINED_SHARES, STOCKPILES, POLICIES, DEALS, DESCRIPTION.format(
                   year=2024, next=2025, minerals=len(MINERALS))),
    2023: Year(2023, "prod_2023", "tools/build_world.py 2023", MINERALS_2023, CARVE_OUTS_2023,
               UTILISATION_2023, REFINED_SHARES_2023, STOCKPILES_2023, POLICIES_2023, DEALS_2023,
               DESCRIPTION.format(year=2023, next=2024, minerals=len(MINERALS))
               + " Prices are 2023 averages (USGS salient statistics) where USGS gives them; what is "
               "carried over from 2024 is listed in the file header [L].",
               CARRIED_2023, "; reserves as of 2024 (USGS gives no 2023 reserves), carried back [L]"),
}  # fmt: skip


# ============================================================================================
# Building the tables
# ============================================================================================


@dataclass
class Line:
    """One capacity line being built."""

    country: str
    mineral: str
    stage: str
    production: float
    source: str
    utilisation: float = DEFAULT_UTILISATION
    capacity: float | None = None  # nameplate, where a source gives it
    unit_cost: float = 0.0
    growth: float = 0.0


def significant(x: float, digits: int = 4) -> float:
    """`x` rounded to `digits` significant figures."""
    if x == 0:
        return 0.0
    return round(x, digits - 1 - math.floor(math.log10(abs(x))))


def usgs_rows() -> Iterator[dict[str, str]]:
    """USGS rows as in the selection's columns: the selection, then the release's own rows it lacks."""
    with USGS_CSV.open(encoding="utf-8") as stream:
        yield from csv.DictReader(stream)
    wanted = {(commodity, kind): table for table, commodity, kind in WORLD_DATA_TABLES}
    with USGS_WORLD_CSV.open(encoding="utf-8-sig") as stream:
        for row in csv.DictReader(stream):
            table = wanted.get((row["COMMODITY"].strip(), row["TYPE"].strip()))
            country = row["COUNTRY"].strip()
            if table is None or (country.startswith("World total") and " and " in country):
                continue  # a world total of two rows the table adds up itself (ilmenite and rutile)
            yield {
                "mineral": table, "country": country,
                "unit": UNIT_OVERRIDE.get(table, row["UNIT_MEAS"].strip()),
                "prod_2023": row["PROD_2023"], "prod_2024e": row["PROD_EST_ 2024"],
                "capacity_2024": row["CAP_EST_ 2024"], "reserves_2024": row["RESERVES_2024"],
            }  # fmt: skip


def read_usgs(year: Year) -> dict[str, dict]:
    """USGS production of the year (t) by scenario country for the tables used, with capacity (gallium).

    The gap between the rounded USGS world total and the sum of countries goes to ROW when
    positive; when negative, the world is the sum of the countries.
    """
    wanted = {*USGS_TABLE.values(), *OTHER_TABLES}
    tables: dict[str, dict] = {name: {"by_country": defaultdict(float), "capacity": {}} for name in wanted}
    worlds: dict[str, float] = {}
    for row in usgs_rows():
        if row["mineral"] not in wanted:
            continue
        table, factor = tables[row["mineral"]], UNIT_TO_TONNES[row["unit"]]
        value = number(row[year.column]) * factor
        if row["country"].startswith("World total"):
            worlds[row["mineral"]] = worlds.get(row["mineral"], 0.0) + value
        elif row["country"] not in USGS_COUNTRY:
            raise SystemExit(f"unknown USGS country {row['country']!r}: add it to USGS_COUNTRY")
        else:
            code = USGS_COUNTRY[row["country"]]
            table["by_country"][code] += value
            if row["capacity_2024"]:
                table["capacity"][code] = float(row["capacity_2024"]) * factor
    for name, table in tables.items():
        residual = worlds[name] - sum(table["by_country"].values())
        if residual > 0:
            table["by_country"][ROW] += residual
    return tables


def number(text: str) -> float:
    """A USGS figure; blank, withheld ("W") or not available counts as 0."""
    text = text.replace(",", "").strip()
    try:
        return float(text)
    except ValueError:
        return 0.0


def shares_to_tonnes(shares: dict[str, float], world: float) -> dict[str, float]:
    """Shares of `world` (values above 1 are tonnes); ROW takes what is left."""
    tonnes = {c: (v if v > 1 else v * world) for c, v in shares.items()}
    rest = world - sum(tonnes.values())
    if rest < -1e-6 * world:
        raise SystemExit(f"shares exceed the world total: {shares}")
    if rest > 1e-9 * world:
        tonnes[ROW] = tonnes.get(ROW, 0.0) + rest
    return tonnes


def build_supply(usgs: dict[str, dict], year: Year) -> list[Line]:
    """Capacity lines (country x mineral x stage) producing the year's output."""
    output: dict[tuple[str, str], dict[str, float]] = {}
    source: dict[tuple[str, str], str] = {}
    for mineral, table in USGS_TABLE.items():
        output[(mineral, "mine")] = dict(usgs[table]["by_country"])
        source[(mineral, "mine")] = f"{USGS}, {table.lower()} {year.year} [H]"
    copper_refinery = dict(usgs["Copper (refinery)"]["by_country"])
    for mineral, stage, country, tonnes, text in year.carve_outs:
        target = output[(mineral, "mine")] if stage == "mine" else copper_refinery
        if "added to the world" not in text:
            target[ROW] -= tonnes
        target[country] = target.get(country, 0.0) + tonnes
        if target[ROW] < 0:
            raise SystemExit(f"carve-out {mineral} {stage} {country} exceeds ROW")

    reo = usgs["Rare earths (total REO)"]["by_country"]
    for index, mineral in enumerate(("ree_light", "ree_heavy")):
        output[(mineral, "mine")] = {c: t * REE_SPLIT[c][index] for c, t in reo.items() if t > 0}
        source[(mineral, "mine")] = f"{USGS}, rare earths {year.year} (t REO) {REE_SPLIT_SOURCE}"

    # By-products: germanium (USGS withholds it); tellurium and selenium come from the copper
    # refineries' anode slimes (mine stage) and are recovered by the Te/Se refineries USGS lists.
    output[("germanium", "mine")] = dict(GERMANIUM_MINE)
    source[("germanium", "mine")] = GERMANIUM_MINE_SOURCE
    copper_total = sum(copper_refinery.values())
    for mineral, table in (("tellurium", "Tellurium (refinery)"), ("selenium", "Selenium (refinery)")):
        refinery = dict(usgs[table]["by_country"])
        world = sum(refinery.values())
        output[(mineral, "mine")] = {c: t / copper_total * world for c, t in copper_refinery.items()}
        source[(mineral, "mine")] = (f"{mineral} in copper anode slimes: world {mineral} refinery output "
                                     f"split by {year.year} copper refinery output ({USGS}) [L]")  # fmt: skip

    for mineral, (shares, text) in year.refined_shares.items():
        world = sum(output[(mineral, "mine")].values())
        if mineral == "copper":
            refined = {c: t * world / copper_total for c, t in copper_refinery.items()}
        elif mineral in ("tellurium", "selenium"):
            refined = dict(usgs[f"{mineral.capitalize()} (refinery)"]["by_country"])
        elif mineral == "ree_light":  # tonnes; India separates its own; China the rest
            fixed = {**shares, "IND": output[("ree_light", "mine")]["IND"]}
            refined = {"CHN": world - sum(fixed.values()), **fixed}
        elif mineral == "lithium":  # YLB refines Bolivia's own output
            refined = shares_to_tonnes({**shares, "BOL": output[("lithium", "mine")]["BOL"]}, world)
        else:
            refined = shares_to_tonnes(shares, world)
        output[(mineral, "refined")], source[(mineral, "refined")] = refined, text
    for mineral in ("ree_light", "ree_heavy"):
        world = sum(output[(mineral, "refined")].values())
        output[(mineral, "magnet")] = shares_to_tonnes(MAGNET_SHARES, world)
        source[(mineral, "magnet")] = MAGNET_SHARES_SOURCE

    carved = {(m, s, c): text for m, s, c, _, text in year.carve_outs}
    lines = []
    for (mineral, stage), by_country in output.items():
        for country, tonnes in sorted(by_country.items()):
            if tonnes > 0:
                text = carved.get((mineral, stage, country), source[(mineral, stage)])
                line = Line(country, mineral, stage, tonnes, text)
                if (mineral, stage, country) in year.utilisation:
                    line.utilisation, why = year.utilisation[(mineral, stage, country)]
                    line.source += f"; utilisation: {why}"
                lines.append(line)
    add_gallium_capacity(lines, usgs["Gallium (primary, low-purity)"]["capacity"], year.year)
    return lines


def add_gallium_capacity(lines: list[Line], capacity: dict[str, float], year: int) -> None:
    """USGS gives primary gallium capacity: utilisation = output / capacity; idle capacity kept."""
    gallium = {line.country: line for line in lines if (line.mineral, line.stage) == ("gallium", "mine")}
    for country, nameplate in capacity.items():
        line = gallium.get(country)
        if line is None:
            line = Line(country, "gallium", "mine", 0.0, f"{USGS}, gallium {year}: no output [H]")
            lines.append(line)
        line.capacity = nameplate
        line.utilisation = line.production / nameplate
        line.source += f"; USGS capacity 2024: {nameplate:,.0f} t, so utilisation = output / capacity [H]"


def stage_prices(info: MineralInfo) -> dict[str, float]:
    """USD/kg at each stage of a mineral's chain (a one-stage chain: its product's price)."""
    if info.final_stage == "mine":
        return {"mine": info.refined_price}
    prices = {"mine": info.refined_price * info.payable, "refined": info.refined_price}
    if info.final_stage == "magnet":
        prices["magnet"] = info.refined_price * MAGNET_MARKUP
    return prices


def assign_costs(lines: list[Line], minerals: dict[str, MineralInfo]) -> None:
    """Unit cost per line on a cost curve from 40% to 95% of the stage's cost basis.

    The basis is the mine-stage price for mines, and the value added (stage price minus feed
    price) for refiners and magnet makers, who buy their feed on the market. Producers are
    ranked by COST_ORDER, then by decreasing output, and placed by cumulative output; idle
    capacity costs 105% of the basis.
    """
    groups: dict[tuple[str, str], list[Line]] = defaultdict(list)
    for line in lines:
        groups[(line.mineral, line.stage)].append(line)
    for (mineral, stage), group in groups.items():
        prices = stage_prices(minerals[mineral])
        if stage == "mine":
            basis, basis_text = prices["mine"], "of the mine price"
        else:
            previous = STAGES[STAGES.index(stage) - 1]
            basis, basis_text = (
                prices[stage] - prices[previous],
                f"of the value added over the {previous} price",
            )
        order = COST_ORDER.get((mineral, stage), [] if stage == "mine" else ["CHN"])
        producing = sorted(
            (line for line in group if line.production > 0),
            key=lambda x: (order.index(x.country) if x.country in order else len(order), -x.production),
        )
        midpoints, cumulative = [], 0.0
        for line in producing:
            midpoints.append(cumulative + line.production / 2)
            cumulative += line.production
        low, high = midpoints[0], midpoints[-1]
        for rank, (line, mid) in enumerate(zip(producing, midpoints, strict=True), start=1):
            fraction = 0.40 + 0.55 * ((mid - low) / (high - low) if high > low else 0.0)
            line.unit_cost = significant(fraction * basis, 3)
            line.source += (f"; unit cost: rank {rank} of {len(producing)} on the {mineral} {stage} cost "
                            f"curve, {fraction:.0%} {basis_text} (critmin cost curve [L])")  # fmt: skip
        for line in group:
            if line.production == 0:
                line.unit_cost = significant(1.05 * basis, 3)
                line.source += f"; unit cost: idle, 105% {basis_text} [L]"


def demand_growth(mineral: str) -> float:
    """A mineral's demand growth per year: sector growth weighted by sector shares."""
    sectors = SECTOR_SHARES[mineral][0]
    return sum(share * GROWTH_OVERRIDE.get((mineral, s), GROWTH[s]) for s, share in sectors.items())


def assign_growth(lines: list[Line]) -> None:
    """Capacity growth of every producing line: its mineral's demand growth, to 0.5%."""
    for line in lines:
        if line.production > 0:
            growth = round(demand_growth(line.mineral) * 200) / 200
            line.growth = growth
            line.source += "; " + CAPACITY_GROWTH_SOURCE.format(growth=growth, mineral=line.mineral)


def build_demand(lines: list[Line], year: int) -> tuple[list[dict], dict[str, tuple[float, float]]]:
    """Final demand records and, per mineral, (final-stage supply with new scrap, demand) in t/yr."""
    supply: dict[tuple[str, str], float] = defaultdict(float)
    for line in lines:
        supply[(line.mineral, line.stage)] += line.production
    records, totals = [], {}
    for mineral, info in MINERALS.items():
        stage = info.final_stage
        ratio = DEMAND_RATIO.get(mineral, DEFAULT_DEMAND_RATIO)
        sectors, sectors_source = SECTOR_SHARES[mineral]
        assert abs(sum(sectors.values()) - 1) < 1e-9, mineral
        primary_use = ratio * supply[(mineral, stage)]
        split = [
            record
            for sector in (s for s in SECTORS if s in sectors)
            for record in sector_demand(mineral, stage, sector, primary_use * sectors[sector])
        ]
        gross = new_scrap_gross_up(mineral, split, ratio)
        for record in split:
            record["tonnes_per_year"] = significant(record["tonnes_per_year"] * gross)
            shares_source = DEFENCE_SHARES[1] if record["sector"] == "defence" else COUNTRY_SHARES[mineral][1]
            record["source"] = (f"final demand {year}: world = {ratio:.0%} of world {stage} supply (a slight "
                                f"surplus) [L]; sectors: {sectors_source}; countries: {shares_source}; "
                                f"growth: {GROWTH_SOURCE}; essential share [L]")  # fmt: skip
            add_new_scrap(record, gross)
        records += split
        returned = sum(r["tonnes_per_year"] * r.get("new_scrap_share", 0.0) for r in split)
        totals[mineral] = (supply[(mineral, stage)] + returned, sum(r["tonnes_per_year"] for r in split))
    return records, totals


def sector_demand(mineral: str, stage: str, sector: str, tonnes_of_sector: float) -> list[dict]:
    """One sector's demand records by country, in tonnes of primary use (sources added after)."""
    shares = DEFENCE_SHARES[0] if sector == "defence" else COUNTRY_SHARES[mineral][0]
    growth = GROWTH_OVERRIDE.get((mineral, sector), GROWTH[sector])
    return [
        {"country": country, "sector": sector, "mineral": mineral, "stage": stage, "tonnes_per_year": tonnes,
         "growth_per_year": growth, "essential_share": ESSENTIAL[sector]}
        for country, tonnes in shares_to_tonnes(shares, tonnes_of_sector).items()
    ]  # fmt: skip


def new_scrap_share(mineral: str, country: str) -> float:
    """The share of a country's use of a mineral its users' own new scrap returns (NEW_SCRAP)."""
    if mineral not in NEW_SCRAP:
        return 0.0
    share, without, _ = NEW_SCRAP[mineral]
    return 0.0 if country in without else share


def new_scrap_gross_up(mineral: str, split: list[dict], ratio: float) -> float:
    """Factor on primary use so that use = ratio x (primary supply + the new scrap it returns)."""
    total = sum(record["tonnes_per_year"] for record in split)
    returned = sum(r["tonnes_per_year"] * new_scrap_share(mineral, r["country"]) for r in split)
    return 1.0 / (1.0 - ratio * returned / total) if total > 0 else 1.0


def add_new_scrap(record: dict, gross: float) -> None:
    """Give a demand record its new-scrap share and source, where NEW_SCRAP has one."""
    share = new_scrap_share(record["mineral"], record["country"])
    if share > 0:
        source = record.pop("source")
        record["new_scrap_share"] = share
        record["source"] = (f"{source}; new scrap: {share:.0%} of use, world use {gross:.3f} x primary "
                            f"({NEW_SCRAP[record['mineral']][2]})")  # fmt: skip


def stage_use(lines: list[Line], demand: list[dict]) -> dict[tuple[str, str, str], float]:
    """Tonnes a year each (country, mineral, stage) uses: final demand and processors' feed."""
    use: dict[tuple[str, str, str], float] = defaultdict(float)
    for record in demand:
        use[(record["country"], record["mineral"], record["stage"])] += record["tonnes_per_year"]
    for line in lines:  # processors use the previous stage of their own line
        if line.stage != "mine":
            previous = STAGES[STAGES.index(line.stage) - 1]
            use[(line.country, line.mineral, previous)] += line.production
    return use


def build_stocks(lines: list[Line], demand: list[dict], stockpiles: list) -> list[dict]:
    """Strategic stockpiles (fixed tonnes, or days of the holder's use), then working stocks."""
    use = stage_use(lines, demand)
    stocks = []
    for country, mineral, stage, tonnes, days, source in stockpiles:
        if tonnes is None:
            tonnes = significant(use[(country, mineral, stage)] * days / 365, 3)
            source = f"{source}; {days} days of the scenario's {stage} use (final or processors' feed)"
        stocks.append({"country": country, "mineral": mineral, "stage": stage, "tonnes": tonnes,
                       "strategic": True, "source": source})  # fmt: skip
    return stocks + working_stocks(use)


def working_stocks(use: dict[tuple[str, str, str], float]) -> list[dict]:
    """Commercial stocks along the chain: months of each user's use (CHAIN_STOCKS, else the default)."""
    stocks = []
    for (country, mineral, stage), tonnes_per_year in sorted(use.items()):
        months, source = CHAIN_STOCKS.get((mineral, stage), CHAIN_STOCK_DEFAULTS[stage])
        tonnes = significant(tonnes_per_year * months / 12, 3)
        if tonnes > 0:
            stocks.append({"country": country, "mineral": mineral, "stage": stage, "tonnes": tonnes,
                           "strategic": False,
                           "source": f"working stocks: {months:g} months of use; {source}"})  # fmt: skip
    return stocks


def mineral_records(minerals: dict[str, MineralInfo]) -> list[dict]:
    """[[minerals]] with their chains and prices."""
    records = []
    for mineral, info in minerals.items():
        prices = stage_prices(info)
        stages = [
            {"stage": "mine", "price_usd_per_kg": significant(prices["mine"]),
             "source": f"{info.payable:.0%} payable of the refined price: {info.payable_source}"},
            {"stage": "refined", "price_usd_per_kg": significant(prices["refined"]),
             "source": info.refined_source},
        ] if info.final_stage != "mine" else [
            {"stage": "mine", "price_usd_per_kg": significant(prices["mine"]),
             "source": f"{info.refined_source}; {info.payable_source}"},
        ]  # fmt: skip
        if info.final_stage == "magnet":
            stages.append({"stage": "magnet", "price_usd_per_kg": significant(prices["magnet"]),
                           "source": MAGNET_SOURCE})  # fmt: skip
        chain = " -> ".join(s["stage"] for s in stages)
        records.append({
            "id": mineral, "name": info.name, "unit": info.unit, "demand_elasticity": info.elasticity,
            "source": f"chain {chain}, yield 1 (content basis); elasticity: {ELASTICITY_SOURCE}",
            "stages": stages,
        })  # fmt: skip
    return records


def country_records() -> list[dict]:
    """[[countries]], all AI-controlled."""
    return [
        {"iso3": iso3, "name": name, "blocs": list(blocs), "lat": lat, "lon": lon, "budget_usd_m": budget,
         "controller": "ai", "doctrine": doctrine, "source": f"{COUNTRY_SOURCE}; budget: {budget_source}"}
        for iso3, name, blocs, lat, lon, doctrine, budget, budget_source in COUNTRIES
    ]  # fmt: skip


def capacity_records(lines: list[Line]) -> list[dict]:
    """[[capacity]]: nameplate = output / utilisation unless a source gives the capacity."""
    records = []
    for line in sorted(
        lines, key=lambda x: (list(MINERALS).index(x.mineral), STAGES.index(x.stage), x.country)
    ):
        nameplate = line.capacity if line.capacity is not None else line.production / line.utilisation
        records.append({
            "country": line.country, "mineral": line.mineral, "stage": line.stage,
            "tonnes_per_year": significant(nameplate, 5), "utilisation": significant(line.utilisation, 3),
            "unit_cost_usd_per_kg": line.unit_cost, "growth_per_year": line.growth, "source": line.source,
        })  # fmt: skip
    return records


def read_reserves() -> dict[tuple[str, str], float]:
    """USGS reserves (t of content) by (scenario country, mineral); rare earths as total REO."""
    reserves: dict[tuple[str, str], float] = defaultdict(float)
    for row in usgs_rows():
        table = row["mineral"]
        mineral = RESERVE_TABLES.get(table, "rare earths" if table.startswith("Rare") else "")
        text = row["reserves_2024"].replace(",", "")
        if not mineral or row["country"].startswith("World total") or not text.replace(".", "").isdigit():
            continue
        factor = UNIT_TO_TONNES[row["unit"]] * RESERVE_FACTOR.get(mineral, 1.0)
        reserves[(USGS_COUNTRY[row["country"]], mineral)] += float(text) * factor
    return reserves


def reserve_records(year: Year) -> list[dict]:
    """[[reserves]]: USGS reserves by country (rare earths split into NdPr and Dy+Tb), then resources."""
    usgs, records = read_reserves(), []
    for mineral in MINERALS:
        for (country, table_mineral), tonnes in sorted(usgs.items()):
            if mineral in ("ree_light", "ree_heavy") and table_mineral == "rare earths":
                split = REE_SPLIT.get(country)
                share = (split or REE_SPLIT[ROW])[mineral == "ree_heavy"]
                note = f"t REO {REE_SPLIT_SOURCE}" + ("" if split else f"; no split for {country}: ROW's [L]")
                text = f"{USGS}, rare earths reserves (2024) {note}"
                tonnes *= share
            elif table_mineral == mineral:
                text = f"{USGS}, {mineral} reserves (2024) [H]"
            else:
                continue
            text += STATE_NOTES.get((country, table_mineral), "")
            records.append({"country": country, "mineral": mineral, "tonnes": significant(tonnes),
                            "basis": "reserves", "source": text + year.reserves_note})  # fmt: skip
    records += [
        {"country": country, "mineral": mineral, "tonnes": tonnes, "basis": "resources", "source": text}
        for country, mineral, tonnes, text in RESOURCES
    ]
    return records


def firm_records() -> list[dict]:
    """[[firms]] with their [[firms.assets]]."""
    return [
        {"id": f.id, "name": f.name, "country": f.country, "kind": f.kind, "budget_usd_m": f.budget_usd_m,
         **({"mandate": f.mandate} if f.mandate else {}),
         "source": f"{f.source}; mandate: {f.mandate_basis}" if f.mandate else f.source,
         "assets": [{"country": a.country, "mineral": a.mineral, "stage": a.stage, "share": a.share,
                     "ships_home": a.home, "source": a.source} for a in f.assets]}
        for f in FIRMS
    ]  # fmt: skip


# ============================================================================================
# Calibration checks (the scenario validator checks references as well)
# ============================================================================================


def check(doc: dict, totals: dict[str, tuple[float, float]]) -> None:
    """Fail loudly on an inconsistent scenario."""
    countries = {c["iso3"] for c in doc["countries"]}
    lines = {(c["country"], c["mineral"], c["stage"]): c for c in doc["capacity"]}
    problems = [
        f"{table}: unknown country {record['country']}"
        for table in ("capacity", "demand", "stocks", "firms", "reserves", "policies")
        for record in doc[table]
        if record["country"] not in countries
    ]
    stakes: dict[tuple, float] = defaultdict(float)
    for firm in doc["firms"]:
        for asset in firm["assets"]:
            key = (asset["country"], asset["mineral"], asset["stage"])
            if key not in lines:
                problems.append(f"firm {firm['id']}: no capacity line {key}")
            stakes[key] += asset["share"]
    problems += [
        f"stakes in {key} add up to {total:.2f}" for key, total in stakes.items() if total > 1 + 1e-9
    ]
    for item in doc["deals"]:
        line = lines.get((item["seller"], item["mineral"], item["stage"]))
        if line is None or item["tonnes_per_year"] > line["tonnes_per_year"] * line["utilisation"]:
            problems.append(f"deal {item['id']}: the seller does not produce {item['tonnes_per_year']} t")
    for mineral, (supply, demand) in totals.items():
        if not 0.94 <= demand / supply <= 0.985:
            problems.append(f"{mineral}: demand / supply = {demand / supply:.3f}, outside 0.94-0.985")
    for table, key in (("countries", "iso3"), ("firms", "id"), ("deals", "id")):
        ids = [record[key] for record in doc[table]]
        problems += [f"{table}: duplicate id {i}" for i in sorted(set(ids)) if ids.count(i) > 1]
    if problems:
        raise SystemExit("inconsistent scenario:\n  " + "\n  ".join(problems))


# ============================================================================================
# A tiny TOML writer (tomli_w is not installed)
# ============================================================================================


def toml_value(value: object) -> str:
    """A TOML literal for a str, bool, int, float, list or dict (inline table)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        return text if any(c in text for c in ".en") else f"{text}.0"
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
        return f'"{escaped}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def toml_tables(name: str, records: list[dict]) -> list[str]:
    """`[[name]]` tables; a list of dicts inside a record becomes `[[name.key]]` sub-tables."""
    out = []
    for record in records:
        nested = {k: v for k, v in record.items() if isinstance(v, list) and v and isinstance(v[0], dict)}
        out.append(f"[[{name}]]")
        out += [f"{k} = {toml_value(v)}" for k, v in record.items() if k not in nested]
        for key, children in nested.items():
            for child in children:
                out.append(f"[[{name}.{key}]]")
                out += [f"{k} = {toml_value(v)}" for k, v in child.items()]
        out.append("")
    return out


TABLES = ("minerals", "countries", "capacity", "demand", "stocks", "firms", "reserves", "policies", "deals")


def render(doc: dict, year: Year) -> str:
    """The whole scenario file as TOML text."""
    out = [year.header, "[scenario]", *(f"{k} = {toml_value(v)}" for k, v in doc["scenario"].items()), ""]
    for table in TABLES:
        out += [f"# ---------------------------------------- {table} ({len(doc[table])})", ""]
        out += toml_tables(table, doc[table])
    out.append(f"# events: none in the baseline; scenarios extending {year.id} add them")
    return "\n".join(out) + "\n"


def build(year: Year) -> tuple[dict, list[Line], dict[str, tuple[float, float]]]:
    """The checked scenario of a year, its capacity lines and (final supply, demand) per mineral."""
    lines = build_supply(read_usgs(year), year)
    assign_costs(lines, year.minerals)
    assign_growth(lines)
    demand, totals = build_demand(lines, year.year)
    doc = {
        "scenario": {
            "id": year.id,
            "title": f"The world at the start of {year.year + 1}",
            "description": year.description,
            "start": year.start,
            "turns": 20,
            "seed": 0,
        },
        "minerals": mineral_records(year.minerals),
        "countries": country_records(),
        "capacity": capacity_records(lines),
        "demand": demand,
        "stocks": build_stocks(lines, demand, year.stockpiles),
        "firms": firm_records(),
        "reserves": reserve_records(year),
        "policies": year.policies,
        "deals": year.deals,
    }
    check(doc, totals)
    return doc, lines, totals


def summary(doc: dict, lines: list[Line], totals: dict[str, tuple[float, float]]) -> None:
    """Print the record counts and each mineral's supply by stage and final demand."""
    for table in TABLES:
        print(f"  {table:10s} {len(doc[table]):5d}")
    print(f"  {'assets':10s} {sum(len(f['assets']) for f in doc['firms']):5d}")
    supply: dict[tuple[str, str], float] = defaultdict(float)
    for line in lines:
        supply[(line.mineral, line.stage)] += line.production
    print(
        f"\n  {'t/yr':10s} {'mine':>12s} {'refined':>12s} {'magnet':>12s} {'final demand':>13s} {'d/s':>6s}"
    )
    for mineral, (final, demanded) in totals.items():
        cells = " ".join(f"{supply.get((mineral, s), 0.0):12,.0f}" for s in STAGES)
        print(f"  {mineral:10s} {cells} {demanded:13,.0f} {demanded / final:6.3f}")


def main(argv: list[str] | None = None) -> int:
    """Build, check and write the scenarios asked for; print a summary of each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("year", nargs="?", default="all", choices=[*map(str, YEARS), "all"])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder to write world-YYYY.toml into")
    parser.add_argument("--quiet", action="store_true", help="no summary")
    args = parser.parse_args(argv)
    if not args.out.is_dir():
        parser.error(f"--out {args.out}: no such folder")
    for year in sorted(YEARS) if args.year == "all" else [int(args.year)]:
        doc, lines, totals = build(YEARS[year])
        path = args.out / f"{YEARS[year].id}.toml"
        path.write_text(render(doc, YEARS[year]), encoding="utf-8")
        print(f"wrote {path}")
        if not args.quiet:
            summary(doc, lines, totals)
    return 0


if __name__ == "__main__":
    sys.exit(main())
