"""Backtests: does the model move like the real markets did?

Packaged scenarios replay history with every country on its default controller, so prices
move only through the market behaviour of the engine (docs/mechanisms.md), with one shared
`[market]` parameter set:

- `ree-crisis-2010`: China's rare-earth export quota cut of 2010, the halt of shipments to
  Japan, and the quota regime until 2015;
- `lithium-cycle-2021`: the battery boom from 2021 and the bust of 2023-2024;
- `cobalt-spike-2017`: the cobalt price spike of 2017-18 and its fall in 2019;
- `tin-wa-2023`: the halt of tin mining in Myanmar's Wa State from August 2023;
- `tungsten-quotas-2007`: China's tungsten export quotas, 2007 until their end in 2015;
- `germanium-gallium-2023`: China's export licences on gallium and germanium (announced 3 Jul
  2023, in force 1 Aug 2023), 2023-2024;
- `antimony-2024`: China's export licences on antimony (announced 15 Aug 2024, in force 15 Sep
  2024) and its ban on shipments to the US (3 Dec 2024), 2024-2025Q2;
- `drc-cobalt-2025`: the DRC's suspension of cobalt exports (22 Feb 2025, extended 21 Jun) and
  the export quotas that replaced it from 16 Oct 2025, 2025-2026Q1;
- `china-five-metals-2025`: China's export licences on tungsten, tellurium, bismuth, molybdenum
  and indium products (4 Feb 2025, in force the same day), 2025, on the first three.

Each `Check` measures one figure of a simulated trajectory (a price peak, its timing, the
export/domestic wedge, leakage, the fall after the peak, supply through the episode) and holds
if the median over the seeds lies in its band. Observed figures come from
../shared/data/calibration/NOTES.md (sections 3a and 3f) and BEHAVIOUR.md (section 6) with
their sources and flags, and for the 2023-24 controls from the press figures named on each
check (Fastmarkets, Argus and SMM via Reuters; China customs) and USGS MCS 2025 [H]; the bands of
the last seven episodes were fixed before their first simulated run. `critmin validate` runs
them all; seeds are drawn from one SeedSequence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from critmin.research.ceilings import CeilingSpell, ceiling_spells, summarise

VALIDATION_ROOT_SEED = 20100921  # the day China's customs stopped rare-earth shipments to Japan
REE, LITHIUM = "ree-crisis-2010", "lithium-cycle-2021"
COBALT, TIN, TUNGSTEN = "cobalt-spike-2017", "tin-wa-2023", "tungsten-quotas-2007"
GALLIUM_GERMANIUM, ANTIMONY = "germanium-gallium-2023", "antimony-2024"
DRC_COBALT, FIVE_METALS = "drc-cobalt-2025", "china-five-metals-2025"
CUT_TURN = 4  # 2010Q1: the 2010 quota (30,258 t) replaces the 2009 one (50,145 t)
QUOTA_2010_TONNES = 30258.0
BASE_TURNS = 4  # the first year is the base level: 2009 for rare earths, 2020 for lithium
QUARTERS_AFTER_PEAK = 12  # "three years after the peak"
BUST_WINDOW = 8  # quarters after the lithium peak in which it must fall


@dataclass(frozen=True)
class Trajectory:
    """What one run of a backtest scenario did, turn by turn (arrays (T, C, M, S) unless noted)."""

    scenario: str
    seed: int
    start: float  # calendar year of the middle of turn 0, e.g. 2009.125
    countries: tuple[str, ...]
    minerals: tuple[str, ...]
    stages: tuple[str, ...]
    prices: np.ndarray
    exports: np.ndarray
    production: np.ndarray
    demand: np.ndarray
    reference: np.ndarray  # (M, S) reference prices
    ceiling_multiples: tuple[float, float]  # (top demand block, essential multiple) × reference
    imports: np.ndarray | None = None  # tonnes received from abroad (T, C, M, S), where recorded

    def at(self, mineral: str, stage: str) -> tuple[int, int]:
        """(mineral, stage) positions."""
        return self.minerals.index(mineral), self.stages.index(stage)

    def ceilings(self) -> tuple[CeilingSpell, ...]:
        """Active (country, mineral, stage) prices that reached the top of their demand curve."""
        active = (self.demand > 0).any(axis=0) | (self.production > 0).any(axis=0)
        labels = (self.countries, self.minerals, self.stages)
        return ceiling_spells(self.prices, self.reference, active, self.ceiling_multiples, labels)

    def years(self) -> np.ndarray:
        """(T,) calendar year of the middle of each turn."""
        return self.start + np.arange(len(self.prices)) / 4

    def china_price(self, mineral: str, stage: str = "refined") -> np.ndarray:
        """(T,) China's price of a mineral at a stage."""
        m, s = self.at(mineral, stage)
        return self.prices[:, self.countries.index("CHN"), m, s]

    def outside_price(self, mineral: str, stage: str = "refined") -> np.ndarray:
        """(T,) median price over the countries outside China that consume the mineral."""
        m, s = self.at(mineral, stage)
        buyers = self.demand[0, :, m, s] > 0
        buyers[self.countries.index("CHN")] = False
        return np.median(self.prices[:, buyers, m, s], axis=1)

    def world_price(self, mineral: str, stage: str = "refined") -> np.ndarray:
        """(T,) median price over every country that consumes the mineral."""
        m, s = self.at(mineral, stage)
        buyers = self.demand[0, :, m, s] > 0
        return np.median(self.prices[:, buyers, m, s], axis=1)


def simulate(scenario: str, seed: int) -> Trajectory:
    """Play a backtest scenario to its end and keep what the checks need."""
    from critmin.engine.model import WorldModel

    model = WorldModel(scenario, seed=seed, record_hashes=False)  # nothing to save or replay
    prices, exports, imports, production, demand = [], [], [], [], []
    for _ in range(model.world_scenario.spec.scenario.turns):
        model.step()
        prices.append(model.state.price.copy())
        exports.append(model.last.exports())
        imports.append(model.last.imports())
        production.append(model.last.production.copy())
        demand.append(model.last.demand.copy())
    year, quarter = model.world_scenario.spec.scenario.start.split("Q")
    return Trajectory(
        scenario=scenario,
        seed=seed,
        start=int(year) + (int(quarter) - 1) / 4 + 0.125,
        countries=model.index.countries,
        minerals=model.index.minerals,
        stages=model.index.stages,
        prices=np.array(prices),
        exports=np.array(exports),
        production=np.array(production),
        demand=np.array(demand),
        reference=model.constants.reference_price.copy(),
        # the essential share bids at the top block too: one ceiling (docs/mechanisms.md)
        ceiling_multiples=(max(model.settings.demand_price_multiples),) * 2,
        imports=np.array(imports),
    )


# --- measures ------------------------------------------------------------------------------


PEAK_TOLERANCE = 0.99  # a plateau peaks when it first comes within 1% of its highest value


def peak_turn(series: np.ndarray, first: int = 0, last: int | None = None) -> int:
    """First turn within [first, last) where the series comes within 1% of its highest value.

    That is the start of a plateau, not wherever rounding puts its top.
    """
    window = series[first:last]
    return first + int(np.argmax(window >= PEAK_TOLERANCE * window.max()))


def peak_multiple(series: np.ndarray, first: int = CUT_TURN) -> float:
    """Highest value from `first` on, as a multiple of the base year's mean."""
    return float(series[first:].max() / series[:BASE_TURNS].mean())


def fraction_after(series: np.ndarray, quarters: int, first: int = CUT_TURN) -> float:
    """Value `quarters` after the peak (or at the end) as a fraction of the peak."""
    top = peak_turn(series, first)
    return float(series[min(top + quarters, len(series) - 1)] / series[top])


def fall_after_peak(series: np.ndarray, quarters: int = BUST_WINDOW) -> float:
    """Largest fall from the peak within the next `quarters` quarters (share of the peak)."""
    top = peak_turn(series)
    window = series[top + 1 : top + 1 + quarters]
    return float(1 - window.min() / series[top]) if window.size else 0.0


def ree_peak_multiple(mineral: str) -> Callable[[Trajectory], float]:
    """Outside-China price peak after the cut over the 2009 level."""
    return lambda t: peak_multiple(t.outside_price(mineral))


def ree_peak_delay(mineral: str) -> Callable[[Trajectory], float]:
    """Quarters from the quota cut (2010Q1) to the outside-China price peak."""
    return lambda t: float(peak_turn(t.outside_price(mineral), CUT_TURN) - CUT_TURN)


def ree_wedge(mineral: str) -> Callable[[Trajectory], float]:
    """Outside-China price over China's domestic price, at the outside peak."""

    def measure(t: Trajectory) -> float:
        top = peak_turn(t.outside_price(mineral), CUT_TURN)
        return float(t.outside_price(mineral)[top] / t.china_price(mineral)[top])

    return measure


def ree_after_peak(mineral: str) -> Callable[[Trajectory], float]:
    """Outside-China price three years after its peak, as a fraction of the peak."""
    return lambda t: fraction_after(t.outside_price(mineral), QUARTERS_AFTER_PEAK)


def ree_light_vs_heavy(t: Trajectory) -> float:
    """What light rare earths keep of their peak three years on, over what heavy ones keep.

    Both baskets are priced on one oxide each (light on Nd, heavy on Dy), as their other checks.
    """
    return ree_after_peak("ree_light")(t) / ree_after_peak("ree_heavy")(t)


def ree_exports_over_quota(t: Trajectory) -> float:
    """China's 2010 exports of separated rare earths over the 2010 quota."""
    china = t.countries.index("CHN")
    refined = t.stages.index("refined")
    tonnes = t.exports[CUT_TURN : CUT_TURN + 4, china, :, refined].sum()
    return float(tonnes / QUOTA_2010_TONNES)


def lithium_price(t: Trajectory) -> np.ndarray:
    """(T,) the lithium chemicals price (median over consuming countries)."""
    return t.world_price("lithium")


def lithium_peak_multiple(t: Trajectory) -> float:
    """Lithium's highest price over its 2020 level."""
    return peak_multiple(lithium_price(t), first=0)


def lithium_peak_date(t: Trajectory) -> float:
    """Calendar date (year + quarter / 4) of the start of lithium's peak quarter."""
    return float(t.years()[peak_turn(lithium_price(t))] - 0.125)


def lithium_fall(t: Trajectory) -> float:
    """Largest fall from the peak within the next eight quarters (share of the peak)."""
    return fall_after_peak(lithium_price(t))


def lithium_mine_growth(t: Trajectory) -> float:
    """World mine output in the eight quarters after the peak over the eight up to it."""
    m, s = t.at("lithium", "mine")
    output = t.production[:, :, m, s].sum(axis=1)
    top = peak_turn(lithium_price(t))
    before = output[max(top - BUST_WINDOW + 1, 0) : top + 1]
    after = output[top + 1 : top + 1 + BUST_WINDOW]
    return float(after.mean() / before.mean()) if after.size and before.size else 0.0


# cobalt-spike-2017: starts 2016Q1; 2016 is the base year.
COBALT_FALL_QUARTERS = 6  # Mar 2018 peak -> Jul 2019 trough: ~5-6 quarters


def cobalt_price(t: Trajectory) -> np.ndarray:
    """(T,) the refined cobalt price (median over consuming countries: LME metal)."""
    return t.world_price("cobalt")


def cobalt_peak_multiple(t: Trajectory) -> float:
    """Cobalt's highest quarterly price over its 2016 mean."""
    return peak_multiple(cobalt_price(t), first=0)


def cobalt_peak_date(t: Trajectory) -> float:
    """Calendar date (year + quarter / 4) of the start of cobalt's peak quarter."""
    return float(t.years()[peak_turn(cobalt_price(t))] - 0.125)


def cobalt_year_over_2016(year: int) -> Callable[[Trajectory], float]:
    """Cobalt's mean price in `year` over its 2016 mean."""
    return lambda t: annual_mean(t, cobalt_price(t), year) / annual_mean(t, cobalt_price(t), 2016)


def cobalt_fall(t: Trajectory) -> float:
    """Largest fall of cobalt from its peak within the next six quarters (share of the peak)."""
    return fall_after_peak(cobalt_price(t), COBALT_FALL_QUARTERS)


def cobalt_refined_growth_2017(t: Trajectory) -> float:
    """World refined cobalt output in 2017 over 2016."""
    m, s = t.at("cobalt", "refined")
    output = t.production[:, :, m, s].sum(axis=1)
    return annual_mean(t, output, 2017) / annual_mean(t, output, 2016)


# tin-wa-2023: starts 2023Q1; the Wa halt is announced in 2023Q2 and in force from 2023Q3.
WA_HALT_TURN = 2


def tin_price(t: Trajectory) -> np.ndarray:
    """(T,) the refined tin price (median over consuming countries: LME metal)."""
    return t.world_price("tin")


def tin_first_move(t: Trajectory) -> float:
    """Tin price in the halt's first quarter in force (2023Q3) over 2023Q1."""
    series = tin_price(t)
    return float(series[WA_HALT_TURN] / series[0])


def tin_first_year_high(t: Trajectory) -> float:
    """Highest tin price in the halt's first four quarters (2023Q3-2024Q2) over 2023Q1."""
    series = tin_price(t)
    return float(series[WA_HALT_TURN : WA_HALT_TURN + 4].max() / series[0])


def tin_2024_over_2023(t: Trajectory) -> float:
    """Tin's mean price in 2024 over 2023."""
    return annual_mean(t, tin_price(t), 2024) / annual_mean(t, tin_price(t), 2023)


def tin_peak_delay(t: Trajectory) -> float:
    """Quarters from the halt in force (2023Q3) to tin's highest price up to the end."""
    return float(peak_turn(tin_price(t), WA_HALT_TURN) - WA_HALT_TURN)


def tin_mine_2024_over_2023(t: Trajectory) -> float:
    """World tin mine output in 2024 over 2023."""
    m, s = t.at("tin", "mine")
    output = t.production[:, :, m, s].sum(axis=1)
    return annual_mean(t, output, 2024) / annual_mean(t, output, 2023)


# tungsten-quotas-2007: starts 2007Q1; quotas to 2014, lifted on 1 Jan 2015 (turn 32).
TUNGSTEN_2014Q1, TUNGSTEN_END = 28, 35


def tungsten_price(t: Trajectory) -> np.ndarray:
    """(T,) APT price outside China (median over consuming countries outside China)."""
    return t.outside_price("tungsten")


def tungsten_2010_over_2007(t: Trajectory) -> float:
    """Outside-China APT mean price in 2010 over 2007."""
    series = tungsten_price(t)
    return annual_mean(t, series, 2010) / annual_mean(t, series, 2007)


def tungsten_peak_2011_12(t: Trajectory) -> float:
    """Highest outside-China APT price in 2011-2012 over the 2007 mean."""
    series = tungsten_price(t)
    return float(series[quarters_of(t, 2011, 2012)].max() / annual_mean(t, series, 2007))


def tungsten_peak_date(t: Trajectory) -> float:
    """Calendar date of the start of the outside-China APT peak quarter from 2008 on."""
    return float(t.years()[peak_turn(tungsten_price(t), BASE_TURNS)] - 0.125)


def tungsten_2014q1_over_peak(t: Trajectory) -> float:
    """Outside-China APT price in 2014Q1 over its 2011-2012 high."""
    series = tungsten_price(t)
    return float(series[TUNGSTEN_2014Q1] / series[quarters_of(t, 2011, 2012)].max())


def tungsten_end_over_2014q1(t: Trajectory) -> float:
    """Outside-China APT price in 2015Q4 (quotas gone) over 2014Q1."""
    series = tungsten_price(t)
    return float(series[TUNGSTEN_END] / series[TUNGSTEN_2014Q1])


def tungsten_wedge_at_end(t: Trajectory) -> float:
    """Outside-China APT price over China's in 2015Q4, a year after the quotas ended."""
    return float(tungsten_price(t)[TUNGSTEN_END] / t.china_price("tungsten")[TUNGSTEN_END])


# germanium-gallium-2023: starts 2023Q1; 2023Q2 is the last quarter before the licences, which
# were announced (3 Jul) and in force (1 Aug) within 2023Q3.
GA_GE_BASE, GA_GE_CONTROL, GA_GE_2024Q1 = 1, 2, 4
# antimony-2024: starts 2024Q1; announced 15 Aug (2024Q3), biting from October (2024Q4).
SB_ANNOUNCED, SB_BITES, SB_2025Q2 = 2, 3, 5


def outside_ratio(mineral: str, turn: int, base: int) -> Callable[[Trajectory], float]:
    """Outside-China price at `turn` over the same price at `base`."""
    return lambda t: float(t.outside_price(mineral)[turn] / t.outside_price(mineral)[base])


def china_ratio(mineral: str, turn: int, base: int) -> Callable[[Trajectory], float]:
    """China's domestic price at `turn` over its price at `base`."""
    return lambda t: float(t.china_price(mineral)[turn] / t.china_price(mineral)[base])


def wedge_at(mineral: str, turn: int, stage: str = "refined") -> Callable[[Trajectory], float]:
    """Outside-China price over China's domestic price at `turn`."""
    return lambda t: float(t.outside_price(mineral, stage)[turn] / t.china_price(mineral, stage)[turn])


def outside_year_over_year(mineral: str, year: int, base: int) -> Callable[[Trajectory], float]:
    """Outside-China mean price in `year` over its mean in `base`."""

    def measure(t: Trajectory) -> float:
        series = t.outside_price(mineral)
        return annual_mean(t, series, year) / annual_mean(t, series, base)

    return measure


def china_exports(t: Trajectory, mineral: str, stage: str = "refined") -> np.ndarray:
    """(T,) China's exports of a mineral at a stage, tonnes a turn."""
    m, s = t.at(mineral, stage)
    return t.exports[:, t.countries.index("CHN"), m, s]


def antimony_export_rush(t: Trajectory) -> float:
    """China's refined antimony exports in 2024Q3 (announcement) over the 2024Q1-Q2 mean."""
    series = china_exports(t, "antimony")
    return float(series[SB_ANNOUNCED] / series[:SB_ANNOUNCED].mean())


def antimony_2024_over_2023(t: Trajectory) -> float:
    """Antimony's 2024 mean price (median over consumers) over the 2023 average (the reference)."""
    m, s = t.at("antimony", "refined")
    return annual_mean(t, t.world_price("antimony"), 2024) / float(t.reference[m, s])


# drc-cobalt-2025: starts 2025Q1, the quarter of the suspension (22 Feb); extended 21 Jun (2025Q2);
# quotas announced 21 Sep (2025Q3), in force 16 Oct (2025Q4), 96,600 t/yr from 2026Q1.
CO25_Q1, CO25_Q2, CO25_Q3, CO25_Q4, CO25_2026Q1 = 0, 1, 2, 3, 4
DRC_MINE_2024 = 220_000.0  # t Co, DRC mine output in 2024 (USGS MCS 2025) [H], as world-2024 has it


def outside_over_reference(mineral: str, turn: int, stage: str = "refined") -> Callable[[Trajectory], float]:
    """Outside-China price at `turn` over the stage's reference price (the start year's mean)."""
    return lambda t: float(t.outside_price(mineral, stage)[turn] / t.reference[t.at(mineral, stage)])


def china_over_reference(mineral: str, turn: int, stage: str = "refined") -> Callable[[Trajectory], float]:
    """China's domestic price at `turn` over the stage's reference price (the start year's mean)."""
    return lambda t: float(t.china_price(mineral, stage)[turn] / t.reference[t.at(mineral, stage)])


def china_payable(turn: int) -> Callable[[Trajectory], float]:
    """China's cobalt mine-stage price (hydroxide, cif China) over its refined price at `turn`."""
    return lambda t: float(t.china_price("cobalt", "mine")[turn] / t.china_price("cobalt")[turn])


def china_hydroxide_over_reference(turn: int) -> Callable[[Trajectory], float]:
    """China's cobalt mine-stage price at `turn` over the mine stage's reference (2024 mean)."""
    return china_over_reference("cobalt", turn, "mine")


def china_cobalt_imports(t: Trajectory) -> np.ndarray:
    """(T,) China's imports of mine-stage cobalt (hydroxide, MHP), tonnes Co a turn."""
    if t.imports is None:
        raise ValueError(f"{t.scenario}: the trajectory recorded no imports")
    m, s = t.at("cobalt", "mine")
    return t.imports[:, t.countries.index("CHN"), m, s]


def china_imports_ratio(turn: int, base: int) -> Callable[[Trajectory], float]:
    """China's mine-stage cobalt imports at `turn` over those at `base`."""
    return lambda t: float(china_cobalt_imports(t)[turn] / china_cobalt_imports(t)[base])


def drc_mine_output_2025(t: Trajectory) -> float:
    """The DRC's cobalt mine output in 2025 over 2024's 220,000 t."""
    m, s = t.at("cobalt", "mine")
    output = t.production[:, t.countries.index("COD"), m, s]
    return float(output[quarters_of(t, 2025, 2025)].sum() / DRC_MINE_2024)


# china-five-metals-2025: starts 2025Q1, the quarter of the licences (4 Feb, in force the same day).
FM25_Q1, FM25_Q2, FM25_Q4 = 0, 1, 3


def quarters_of(t: Trajectory, first: int, last: int) -> np.ndarray:
    """(T,) True for the turns in calendar years `first` to `last`."""
    years = np.floor(t.years())
    return (years >= first) & (years <= last)


def annual_mean(t: Trajectory, series: np.ndarray, year: int) -> float:
    """Mean of a (T,) series over the turns of calendar year `year`."""
    return float(series[quarters_of(t, year, year)].mean())


# --- checks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One backtest figure: how to measure it, what history says, and the band it must fall in."""

    scenario: str
    name: str
    what: str
    observed: float
    source: str
    band: tuple[float | None, float | None]
    measure: Callable[[Trajectory], float] = field(repr=False)

    def holds(self, value: float) -> bool:
        """True if `value` lies in the band (ends included)."""
        low, high = self.band
        return (low is None or value >= low) and (high is None or value <= high)


NOTES_3A = "NOTES 3a"
NOTES_6B, NOTES_6D, NOTES_6E = "BEHAVIOUR 6b", "BEHAVIOUR 6d", "BEHAVIOUR 6e"
CHECKS: tuple[Check, ...] = (
    Check(
        REE,
        "nd_peak_multiple",
        "outside-China Nd oxide peak / 2009 level",
        18.0,
        "~USD 300/kg mid-2011 over ~17 in 2009 (NOTES 3a) [L]",
        (5.0, 40.0),
        ree_peak_multiple("ree_light"),
    ),
    Check(
        REE,
        "dy_peak_multiple",
        "outside-China Dy oxide peak / 2009 level",
        24.0,
        "~USD 2,800-3,000/kg mid-2011 over 118 in 2008 (NOTES 3a) [L]",
        (5.0, 40.0),
        ree_peak_multiple("ree_heavy"),
    ),
    Check(
        REE,
        "nd_peak_quarters_after_cut",
        "quarters from the 2010 quota cut to the Nd peak",
        6.0,
        "peak mid-2011 (2011Q2-Q3) (NOTES 3a) [M]",
        (4.0, 8.0),
        ree_peak_delay("ree_light"),
    ),
    Check(
        REE,
        "dy_peak_quarters_after_cut",
        "quarters from the 2010 quota cut to the Dy peak",
        6.0,
        "peak mid-2011 (2011Q2-Q3) (NOTES 3a) [M]",
        (4.0, 8.0),
        ree_peak_delay("ree_heavy"),
    ),
    Check(
        REE,
        "nd_wedge_at_peak",
        "light REE export price / China's domestic price at the peak",
        3.9,
        "Sep 2011: La oxide USD 80 export vs 20.63 domestic (3.9x), Sm 7x "
        "(Lynas via mining.com, NOTES 3a) [M]",
        (3.0, 7.0),
        ree_wedge("ree_light"),
    ),
    Check(
        REE,
        "dy_wedge_at_peak",
        "heavy REE export price / China's domestic price at the peak",
        3.9,
        "Sep 2011 export premium 3.9-7x (NOTES 3a) [M]; "
        "Mar 2012 Dy metal ~2,400 export vs oxide ~620 domestic [M]",
        (3.0, 7.0),
        ree_wedge("ree_heavy"),
    ),
    Check(
        REE,
        "exports_2010_over_quota",
        "China's 2010 exports / the 2010 quota (leakage)",
        1.16,
        "Jan-Nov 2010 exports 35,000 t against a 30,258 t quota (MOC; evwind, NOTES 3a) [M]",
        (1.0, None),
        ree_exports_over_quota,
    ),
    Check(
        REE,
        "nd_three_years_after_peak",
        "Nd oxide price 3 years after the peak / peak",
        0.19,
        "year-end 2014 USD 56-60/kg (USGS MCS 2016 [H]) over ~300 (NOTES 3a) [L]",
        (None, 1 / 3),
        ree_after_peak("ree_light"),
    ),
    Check(
        REE,
        "dy_three_years_after_peak",
        "Dy oxide price 3 years after the peak / peak",
        0.12,
        "year-end 2014 USD 320-360/kg (USGS MCS 2016 [H]) over ~2,900 (NOTES 3a) [L]",
        (None, 1 / 3),
        ree_after_peak("ree_heavy"),
    ),
    Check(
        REE,
        "nd_keeps_more_than_dy",
        "share of peak kept 3 years on: light (Nd oxide) / heavy (Dy oxide)",
        1.65,
        "Nd oxide year-end 2014 USD 56-60/kg over a ~300 peak (0.19), Dy oxide 320-360 over "
        "~2,800-3,000 (0.12) (USGS MCS 2016 rare earths salient statistics [H], peaks NOTES 3a [L]); "
        "year-ends 2012-2015 give 1.2-1.7, Nd always keeping more; the [L] peaks widen the top",
        (1.0, 2.5),
        ree_light_vs_heavy,
    ),
    Check(
        LITHIUM,
        "li_peak_multiple",
        "lithium carbonate peak / 2020 level",
        7.0,
        "USGS: USD 10,100/t (2020) -> 71,100 (2022); IEA: ~8x over 2021-22 (NOTES 1c, 3f) [H]/[M]",
        (4.0, None),
        lithium_peak_multiple,
    ),
    Check(
        LITHIUM,
        "li_peak_date",
        "quarter of the lithium peak (year + quarter/4)",
        2022.75,
        "China spot peak CNY 567,500/t in Nov 2022 (Kallanish, NOTES 3f) [M]",
        (2021.0, 2022.75),
        lithium_peak_date,
    ),
    Check(
        LITHIUM,
        "li_fall_within_8_quarters",
        "fall from the peak within 8 quarters (share)",
        0.80,
        "USD 71,100/t (2022) -> 14,000 (2024), USGS [H]; >80% since 2023 (IEA, NOTES 3f) [M]",
        (0.70, None),
        lithium_fall,
    ),
    Check(
        LITHIUM,
        "li_mine_output_through_bust",
        "world mine output, 8 quarters after / 8 up to the peak",
        1.75,
        "world mine output 107 + 146 kt (2021-22) [L] -> 204 + 240 kt (2023-24) [H] (USGS, NOTES 3f)",
        (1.0, None),
        lithium_mine_growth,
    ),
    Check(
        COBALT,
        "co_peak_multiple",
        "cobalt metal peak (quarter) / 2016 mean",
        3.5,
        "LME 3M ~USD 95,000/t at the Mar 2018 peak (mining.com, derived) and ~82,000 in mid-Feb "
        "2018 (AFP) [M] over the 2016 LME cash mean 11.57 $/lb = USD 25,500/t (USGS MCS 2020) [H] "
        f"({NOTES_6B}); a quarterly mean sits below the daily top",
        (2.0, 6.0),
        cobalt_peak_multiple,
    ),
    Check(
        COBALT,
        "co_peak_date",
        "quarter of the cobalt peak (year + quarter/4)",
        2018.0,
        f"peak in Mar 2018, LME highest since 2010 in mid-Feb 2018 (mining.com; AFP) [M] ({NOTES_6B})",
        (2017.5, 2018.75),
        cobalt_peak_date,
    ),
    Check(
        COBALT,
        "co_2018_over_2016",
        "cobalt mean price 2018 / 2016",
        2.85,
        f"LME cash 32.94 / 11.57 $/lb (US spot 37.43 / 12.01 = 3.1) (USGS MCS 2020) [H] ({NOTES_6B})",
        (1.8, 4.0),
        cobalt_year_over_2016(2018),
    ),
    Check(
        COBALT,
        "co_2019_over_2016",
        "cobalt mean price 2019 / 2016",
        1.30,
        f"LME cash 15.00 (2019e) / 11.57 $/lb (US spot 17.00 / 12.01 = 1.4) (USGS MCS 2020) [H] ({NOTES_6B})",
        (0.8, 1.8),
        cobalt_year_over_2016(2019),
    ),
    Check(
        COBALT,
        "co_fall_within_6_quarters",
        "fall of cobalt from its peak within 6 quarters (share)",
        0.72,
        "Mar 2018 ~USD 95,000/t -> late Jul 2019 ~12 $/lb (~26,500/t), -72%, through destocking, "
        f"no supply cut (Metal Bulletin, Sep 2019) [M] ({NOTES_6B})",
        (0.5, 0.9),
        cobalt_fall,
    ),
    Check(
        COBALT,
        "co_refined_output_2017_over_2016",
        "world refined cobalt output 2017 / 2016",
        1.21,
        "117,000 t (2017, +22%, mainly China) over 96,600 t (2016) (USGS Minerals Yearbook "
        f"2016 and 2017, cobalt, Shedd) [H] ({NOTES_6B})",
        (1.05, 1.4),
        cobalt_refined_growth_2017,
    ),
    Check(
        TIN,
        "sn_first_quarter_move",
        "tin price in the halt's first quarter in force (2023Q3) / 2023Q1",
        1.05,
        "a well-flagged halt with stocks built ahead: small first move, +8-20% at most; Apr 2023 "
        "mean 25,644, late Jul >29,000 (ITA via BusinessLine) [M] "
        f"({NOTES_6D}); quarterly means Q1 ~26.3k and Q3 ~26.4k USD/t from memory [L]",
        (0.95, 1.35),
        tin_first_move,
    ),
    Check(
        TIN,
        "sn_first_year_high",
        "highest tin price 2023Q3-2024Q2 / 2023Q1",
        1.23,
        "LME 2024 high 36,050 in Apr 2024 (Reuters, Andy Home) [M] "
        f"({NOTES_6D}); Q2 2024 mean ~32.3k over Q1 2023 ~26.3k USD/t from memory [L]; "
        "no ceiling: the halt took ~10% of world concentrate",
        (1.0, 1.6),
        tin_first_year_high,
    ),
    Check(
        TIN,
        "sn_2024_over_2023",
        "tin mean price 2024 / 2023",
        1.19,
        "LME cash 1,400 / 1,177 c/lb (USGS MCS 2025 tin salient statistics) [H]",
        (1.0, 1.45),
        tin_2024_over_2023,
    ),
    Check(
        TIN,
        "sn_peak_quarters_after_halt",
        "quarters from the halt in force (2023Q3) to the highest tin price to 2024Q4",
        3.0,
        "the bigger effect came 3-4 quarters later, when stocks ran out: high of USD 36,050 in "
        f"Apr 2024 (2024Q2) (Reuters, Andy Home; SMM) [M] ({NOTES_6D})",
        (2.0, 4.0),
        tin_peak_delay,
    ),
    Check(
        TIN,
        "sn_mine_output_2024_over_2023",
        "world tin mine output 2024 / 2023",
        0.98,
        "300,000 t (2024e) over 305,000 t (2023): Wa and Indonesia down, Peru and Congo up "
        "(USGS MCS 2025 world data) [H]",
        (0.9, 1.05),
        tin_mine_2024_over_2023,
    ),
    Check(
        TUNGSTEN,
        "w_2010_over_2007",
        "APT price outside China, 2010 mean / 2007 mean",
        1.0,
        f"APT Europe ~USD 250/mtu WO3 through 2006-2010 (blog citing USGS) [L] ({NOTES_6E})",
        (0.7, 1.5),
        tungsten_2010_over_2007,
    ),
    Check(
        TUNGSTEN,
        "w_peak_2011_12_multiple",
        "highest APT price outside China in 2011-2012 / 2007 mean",
        1.84,
        f"APT Europe peak ~460 in 2011-12 over ~250 (blog) [L] ({NOTES_6E})",
        (1.2, 3.5),
        tungsten_peak_2011_12,
    ),
    Check(
        TUNGSTEN,
        "w_peak_date",
        "quarter of the APT peak outside China from 2008 on (year + quarter/4)",
        2011.75,
        f"peak ~460 in 2011-12 [L] ({NOTES_6E}); exact quarter not in the data",
        (2010.75, 2013.0),
        tungsten_peak_date,
    ),
    Check(
        TUNGSTEN,
        "w_2014q1_over_peak",
        "APT price outside China in 2014Q1 / its 2011-12 high",
        0.82,
        f"Mar 2014 APT 372-382 (Nikkei via PM-Review) [M] over ~460 [L] ({NOTES_6E})",
        (0.5, 1.1),
        tungsten_2014q1_over_peak,
    ),
    Check(
        TUNGSTEN,
        "w_2015q4_over_2014q1",
        "APT price outside China in 2015Q4 (quotas gone) / 2014Q1",
        0.5,
        "by year-end 2015 prices were 'at or near 10-year historic lows' in oversupply (USGS "
        "Minerals Yearbook 2015, tungsten) [H]: below the ~250 of 2006-10, so < 0.66 of Mar "
        "2014; APT ~190 at end-2015 from memory [L]",
        (None, 0.85),
        tungsten_end_over_2014q1,
    ),
    Check(
        TUNGSTEN,
        "w_wedge_2015q4",
        "APT price outside / inside China in 2015Q4, a year after the quotas ended",
        1.1,
        "quotas removed 1 Jan 2015, export duties 1 May 2015; export prices had converged "
        f"(BEHAVIOUR 5) [M]; for Mo in late 2014 outside <= domestic + ~20% duty [L] ({NOTES_6E})",
        (None, 1.3),
        tungsten_wedge_at_end,
    ),
    Check(
        GALLIUM_GERMANIUM,
        "ga_outside_2023q3_over_q2",
        "outside-China gallium price, 2023Q3 (licences from 1 Aug) / 2023Q2",
        1.4,
        "Rotterdam 4N USD 250-265/kg on 30 Jun 2023 (Fastmarkets) [M], 326 on 7 Jul (+27% in the "
        "announcement week) and 331 a week later (Fastmarkets via Bloomberg) [M], >40% above by "
        "Sep (TRADIUM) [M], 475 on 18 Oct, +23% on August (Fastmarkets via Reuters) [M]; "
        "quarter means [L]",
        (1.1, 2.0),
        outside_ratio("gallium", GA_GE_CONTROL, GA_GE_BASE),
    ),
    Check(
        GALLIUM_GERMANIUM,
        "ga_outside_2023q4_over_q2",
        "outside-China gallium price, 2023Q4 / 2023Q2",
        1.9,
        "Rotterdam 4N USD 475/kg on 18 Oct 2023, +68% on early July (Fastmarkets via Reuters) [M]; "
        "460-550 at the start of Dec and 500-600 on 15 Dec, +114% on 30 Jun (Fastmarkets) [M]; "
        "quarter means [L]",
        (1.3, 3.0),
        outside_ratio("gallium", GA_GE_CONTROL + 1, GA_GE_BASE),
    ),
    Check(
        GALLIUM_GERMANIUM,
        "ga_china_2023q4_over_q2",
        "China's domestic gallium price, 2023Q4 / 2023Q2",
        1.15,
        "SMM spot 1,655 yuan/kg on 31 Aug 2023 (-9% in August: stock kept at home) and 1,975 on "
        "18 Oct, +18% on early July (SMM via Reuters) [M]; quarter means [L]",
        (0.85, 1.4),
        china_ratio("gallium", GA_GE_CONTROL + 1, GA_GE_BASE),
    ),
    Check(
        GALLIUM_GERMANIUM,
        "ga_wedge_2023q4",
        "gallium price outside / inside China, 2023Q4",
        1.76,
        "18 Oct 2023: Rotterdam USD 475/kg (Fastmarkets) over China's spot 1,975 yuan = USD 270/kg "
        "(SMM), both via Reuters [M]; before the controls ~1.0-1.2 (Rotterdam 250-265 on 30 Jun, "
        "China FOB USD 290 after a 16% jump, Asian Metal via Bloomberg) [M]",
        (1.2, 3.0),
        wedge_at("gallium", GA_GE_CONTROL + 1),
    ),
    Check(
        GALLIUM_GERMANIUM,
        "ga_outside_2024q1_over_2023q2",
        "outside-China gallium price, 2024Q1 / 2023Q2 (the wedge persists)",
        2.2,
        "Rotterdam USD 575/kg in late Mar 2024, 'more than doubled' in eight months (RFI via "
        "Chinascope, Apr 2024) [M] over 250-265 on 30 Jun 2023 (Fastmarkets) [M]; exports of "
        "Chinese gallium in Jan-Feb 2024 2.7 t against 8.8 t a year before (RFI) [M]",
        (1.4, 3.5),
        outside_ratio("gallium", GA_GE_2024Q1, GA_GE_BASE),
    ),
    Check(
        GALLIUM_GERMANIUM,
        "ge_2024_over_2023",
        "outside-China germanium metal price, 2024 mean / 2023 mean",
        1.51,
        "germanium metal, Europe, USD 2,100/kg (2024) over 1,392 (2023) (USGS MCS 2025 salient "
        "statistics) [H]; part of 2024's rise is China's reported state buying of ~100 t from mid-2024 "
        "(Project Blue, Oct 2024; Reuters, Jun 2024) [M], not scripted (market talk, not a figure)",
        (1.0, 2.0),
        outside_year_over_year("germanium", 2024, 2023),
    ),
    Check(
        GALLIUM_GERMANIUM,
        "ge_china_2023q4_over_q2",
        "China's domestic germanium price, 2023Q4 / 2023Q2",
        1.0,
        "SMM germanium ingot 9,700 yuan/kg at the end of Aug 2023, +1% in August (SMM via Reuters) "
        "[M]; Chinese prices 'relatively stable after the introduction of restrictions' while the "
        "West's rose, until July 2024 (Project Blue, Oct 2024) [M]",
        (0.85, 1.2),
        china_ratio("germanium", GA_GE_CONTROL + 1, GA_GE_BASE),
    ),
    Check(
        ANTIMONY,
        "sb_export_rush_2024q3",
        "China's antimony exports, 2024Q3 (announced 15 Aug) / 2024Q1-Q2 mean",
        1.32,
        "China customs via Reuters [M]: 29,379 t in Jan-Aug 2024, 4,075 t in August (+12% on July, "
        "so ~3,640 t in July) and 6,533 t in September, the rush before the licences bit: "
        "14,250 t in Q3 against 10,830 t a quarter in H1 (derived)",
        (1.05, 2.0),
        antimony_export_rush,
    ),
    Check(
        ANTIMONY,
        "sb_outside_2024q4_over_q3",
        "outside-China antimony price, 2024Q4 (licences bite) / 2024Q3",
        1.4,
        "European prices +57.3% from the control's start (mid-Sep 2024) to Jan 2025 (Argus via "
        "Reuters, 20 Jan 2025) [M]; above USD 30,000/t by mid-Nov and 39,500-40,000 on 31 Dec "
        "(Reuters) [M]; China's ingot USD 25,250/t on 18 Sep (SMM) [M]; quarter means [L]",
        (1.15, 2.5),
        outside_ratio("antimony", SB_BITES, SB_ANNOUNCED),
    ),
    Check(
        ANTIMONY,
        "sb_china_2024q4_over_q3",
        "China's domestic antimony price, 2024Q4 / 2024Q3",
        0.9,
        "Chinese domestic prices -10.5% since the control took effect (Argus via Reuters, 20 Jan "
        "2025) [M]; SMM ingot 141,000 yuan/t on 19 Nov, -11.5% on 15 Aug after +20% to 18 Sep in the "
        "rush, cargoes held at home awaiting licences (SMM via Reuters) [M]",
        (0.7, 1.05),
        china_ratio("antimony", SB_BITES, SB_ANNOUNCED),
    ),
    Check(
        ANTIMONY,
        "sb_wedge_2024q4",
        "antimony price outside / inside China, 2024Q4",
        2.0,
        "Rotterdam USD 39,500-40,000/t on 31 Dec 2024 (Reuters) [M] over China's ingot 141,000 "
        "yuan/t = USD 19,480 on 19 Nov (SMM via Reuters) [M]; +57% outside and -10.5% inside since "
        "September (Argus via Reuters) [M]",
        (1.3, 3.0),
        wedge_at("antimony", SB_BITES),
    ),
    Check(
        ANTIMONY,
        "sb_2024_over_2023",
        "antimony mean price 2024 / 2023",
        1.73,
        "metal 99.65%, USD 9.5/lb (2024e) over 5.49 (2023) (USGS MCS 2025 salient statistics) [H]; "
        "Rotterdam up ~250% over 2024 (Reuters, 6 Jan 2025) [M]; the rise began before the controls",
        (1.15, 2.35),
        antimony_2024_over_2023,
    ),
    Check(
        ANTIMONY,
        "sb_outside_2025q2_over_2024q4",
        "outside-China antimony price, 2025Q2 / 2024Q4 (the wedge persists)",
        1.5,
        "Rotterdam regulus USD 58,000-60,000/t in mid-2025 (Argus via Metalnomist, Sep 2025) [M] "
        "over 39,500-40,000 at the end of 2024 (Reuters) [M]; no shipments from China to the EU "
        "from Oct 2024 to Mar 2025 (China customs via Reuters) [M]; quarter means [L]",
        (1.0, 2.5),
        outside_ratio("antimony", SB_2025Q2, SB_BITES),
    ),
    Check(
        DRC_COBALT,
        "co25_outside_2025q1_over_2024",
        "outside-China cobalt metal price, 2025Q1 (suspended from 22 Feb) / 2024 mean",
        0.99,
        "Fastmarkets standard grade Rotterdam USD 9.95/lb on 24 Feb 2025, a nine-year low of ~10/lb "
        "(~22,000/t) before the ban (Fastmarkets via Reuters) [M], +43.2% in the 12 sessions to 11 Mar "
        "(Fastmarkets) [M]: a Q1 mean of ~11.9/lb (derived) [L] over the 2024 mean 12.0/lb (world-2024's "
        "reference, USGS MCS 2025) [H]",
        (0.85, 1.35),
        outside_over_reference("cobalt", CO25_Q1),
    ),
    Check(
        DRC_COBALT,
        "co25_outside_2025q2_over_2024",
        "outside-China cobalt metal price, 2025Q2 / 2024 mean (the first full quarter of the ban)",
        1.31,
        "~USD 16/lb in mid-May 2025 (Reuters, 14 May) [M], standard grade Rotterdam 15.35-16.10 on "
        "11 Jul (Fastmarkets) [M]: Q2 mean ~15.7/lb [L] over 12.0 (USGS MCS 2025) [H]",
        (1.1, 1.8),
        outside_over_reference("cobalt", CO25_Q2),
    ),
    Check(
        DRC_COBALT,
        "co25_outside_2025q3_over_q2",
        "outside-China cobalt metal price, 2025Q3 / 2025Q2 (the extension of 21 Jun was expected)",
        1.05,
        "standard grade +0.2% in the 12 sessions after the extension against +43.2% after the ban "
        "(Fastmarkets, Jul 2025) [M]: 'no one thought the ban was going away'; stocks outside the DRC "
        "8-10 months of consumption in Q2 (BMI via Reuters, Andy Home, 27 Jun 2025) [M]; Q3 mean from "
        "15.7 (11 Jul) toward 19.4 (42,725/t, 12 Oct, Ecofin) [L]",
        (0.9, 1.35),
        outside_ratio("cobalt", CO25_Q3, CO25_Q2),
    ),
    Check(
        DRC_COBALT,
        "co25_outside_2025q4_over_2024",
        "outside-China cobalt metal price, 2025Q4 (quotas, no shipments) / 2024 mean",
        1.85,
        "USD 42,725/t (19.4/lb) on 12 Oct (Ecofin) [M], CME spot 26/lb on 3 Dec from 10 in Feb "
        "(Reuters, Andy Home) [M], ~24/lb (52,900/t) on 9 Dec (Reuters) [M]: Q4 mean ~22/lb [L] over "
        "12.0 (USGS MCS 2025) [H]; no ceiling: the ban took ~70% of mine supply but stocks were 8-10 months",
        (1.4, 2.8),
        outside_over_reference("cobalt", CO25_Q4),
    ),
    Check(
        DRC_COBALT,
        "co25_outside_2026q1_over_2024",
        "outside-China cobalt metal price, 2026Q1 (96,600 t/yr quota) / 2024 mean",
        2.1,
        "CME refined cobalt USD 25/lb in late Feb 2026 against 10 in early 2025 (Reuters, Andy Home, "
        "26 Feb 2026) [M] over 12.0 (USGS MCS 2025) [H]; the first truck under the quotas left in "
        "January 2026 (BMI for the Cobalt Institute, via Reuters) [M]",
        (1.4, 3.0),
        outside_over_reference("cobalt", CO25_2026Q1),
    ),
    Check(
        DRC_COBALT,
        "co25_china_payable_2025q4",
        "China's cobalt hydroxide price / its metal price, 2025Q4 (the payable)",
        0.97,
        "payables for Congolese hydroxide in China 100% of the metal price on 9 Dec 2025 (Reuters) [M], "
        "from ~55% before the ban (Reuters, Andy Home, Feb 2026; world-2024's mine price) [M]; "
        "hydroxide 23/lb against metal 26 on 3 Dec (Reuters, Andy Home) [M]",
        (0.75, 1.2),
        china_payable(CO25_Q4),
    ),
    Check(
        DRC_COBALT,
        "co25_hydroxide_2025q4_over_2024",
        "China's cobalt hydroxide price, 2025Q4 / 2024 mean",
        3.2,
        "hydroxide USD 6/lb in Feb 2025 -> 23/lb on 3 Dec (Reuters, Andy Home) [M]; 'more than tripled' "
        "by 12 Oct (Bloomberg via GMT Eight) [M]; Q4 mean ~21/lb [L] over the 2024 mean ~6.6/lb (55% "
        "payable of 12.0, world-2024's mine price) [M]",
        (2.0, 5.0),
        china_hydroxide_over_reference(CO25_Q4),
    ),
    Check(
        DRC_COBALT,
        "co25_china_imports_q4_over_q2",
        "China's imports of cobalt intermediates, 2025Q4 / 2025Q2",
        0.23,
        "China customs (Co content) via Fastmarkets and Reuters [M]: >50,000 t gross from the DRC in "
        "each of March and April (Reuters, Andy Home, Jun 2025), June 5,697 t after a >60% fall on May, "
        "July 4,143 t (-72% y/y): Q2 ~35,000 t (derived) [L]; Q4 shipments from the DRC 'ground to a "
        "near standstill' (Reuters, Andy Home, Feb 2026) [M], leaving MHP, ~2,000 t a month in 2024 "
        "(China customs via SunSirs) [M]: Q4 ~8,000 t [L]",
        (None, 0.5),
        china_imports_ratio(CO25_Q4, CO25_Q2),
    ),
    Check(
        DRC_COBALT,
        "co25_drc_mine_output_2025_over_2024",
        "the DRC's cobalt mine output in 2025 / 2024 (mining went on, stock piled up at home)",
        1.08,
        "DRC ~72% of 330 kt in 2025 = ~238 kt (GlobalData via Yahoo Finance, Jan 2026) [M] over "
        "220,000 t in 2024 (USGS MCS 2025) [H]; CMOC produced 61,073 t in the DRC in H1 2025 under the "
        "ban (Ecofin) [M]: cobalt is a by-product of copper, which went on being exported",
        (0.85, 1.25),
        drc_mine_output_2025,
    ),
    Check(
        FIVE_METALS,
        "w25_outside_2025q2_over_2024",
        "outside-China APT price, 2025Q2 (licences from 4 Feb) / 2024 mean",
        1.21,
        "APT Europe USD 400/mtu in mid-May 2025, +18% since February, highest since 2013 (Reuters via "
        "mining.com, 15 May 2025) [M]; 395-405, +20% since January (Metalnomist, Jul 2025) [M]: Q2 mean "
        "~400 [L] over ~330 in 2024 (world-2024's reference, trade press) [L]",
        (1.0, 1.6),
        outside_over_reference("tungsten", FM25_Q2),
    ),
    Check(
        FIVE_METALS,
        "w25_outside_2025q4_over_2024",
        "outside-China APT price, 2025Q4 / 2024 mean (the rise goes on all year)",
        2.2,
        "APT Europe USD 580-650/mtu on 30 Sep 2025, +86.4% year to date (CTIA, Oct 2025) [M]; CIF "
        "Rotterdam 780-820 on 5 Dec and 830-870 on 12 Dec (SMM) [M]: Q4 mean ~730 [L] over ~330 in 2024 [L]",
        (1.6, 3.2),
        outside_over_reference("tungsten", FM25_Q4),
    ),
    Check(
        FIVE_METALS,
        "w25_china_2025q4_over_2024",
        "China's domestic APT price, 2025Q4 / 2024 mean (China's price rose too)",
        2.3,
        "Chinese tungsten concentrate, APT and ferro-tungsten prices +200% and more in 2025 (Fastmarkets, "
        "Dec 2025) [M]; domestic APT 555,000 yuan/t on 12 Dec 2025, depleted mining quotas (SMM) [M] "
        "= ~USD 880/mtu at 88.5 mtu/t and 7.1 yuan/USD (derived); Q4 mean ~2.3x the 2024 level [L]",
        (1.5, 3.5),
        china_over_reference("tungsten", FM25_Q4),
    ),
    Check(
        FIVE_METALS,
        "w25_wedge_2025q4",
        "APT price outside / inside China, 2025Q4 (no wedge: China's own supply tightened)",
        1.0,
        "12 Dec 2025: CIF Rotterdam USD 850/mtu over China's 555,000 yuan/t = ~880/mtu (SMM, derived) "
        "= 0.97; mid-2025 Europe > USD 500/mtu (320,000 yuan/t) against 288,000 inside China (customs and "
        "spot via OKX news digest) [L] = 1.1",
        (0.8, 1.3),
        wedge_at("tungsten", FM25_Q4),
    ),
    Check(
        FIVE_METALS,
        "bi25_outside_2025q1_over_2024",
        "outside-China bismuth price, 2025Q1 (licences from 4 Feb) / 2024 mean",
        3.0,
        "bismuth 99.99% Rotterdam USD 6/lb in late Jan 2025, 12-18 in the week of 21 Feb, 40 on 19 Mar "
        "(Reuters) [M], 30-36 on 21 Mar (Fastmarkets) [M]: Q1 mean ~18/lb [L] over ~6/lb in 2024 "
        "(world-2024's reference, USGS MCS 2025) [M]",
        (1.8, 5.0),
        outside_over_reference("bismuth", FM25_Q1, "mine"),
    ),
    Check(
        FIVE_METALS,
        "bi25_outside_2025q2_over_2024",
        "outside-China bismuth price, 2025Q2 / 2024 mean (several-fold within months)",
        4.7,
        "bismuth 99.99% in-whs Rotterdam USD 25-32/lb on 30 Apr 2025 (Fastmarkets correction notice) [M], "
        "after 30-36 on 21 Mar (Fastmarkets) [M]: Q2 mean ~28/lb [L] over ~6/lb in 2024 [M]",
        (2.5, 8.0),
        outside_over_reference("bismuth", FM25_Q2, "mine"),
    ),
    Check(
        FIVE_METALS,
        "bi25_china_2025q1_over_2024",
        "China's domestic bismuth price, 2025Q1 / 2024 mean (it rose, far less than outside)",
        1.15,
        "Wuxi exchange 163,800 yuan/t on 19 Mar 2025, +105% since the start of the year (Reuters) [M]; "
        "spot 90-94,000 yuan/t on 28 Feb (Huaxi via GMT Eight) [M], in-whs China 150-160,000 on 21 Mar "
        "(Fastmarkets) [M]: Q1 mean ~108,000 yuan/t = ~USD 15/kg [L] over ~13/kg in 2024 [M]",
        (0.85, 1.8),
        china_over_reference("bismuth", FM25_Q1, "mine"),
    ),
    Check(
        FIVE_METALS,
        "bi25_wedge_2025q1",
        "bismuth price outside / inside China, 2025Q1",
        2.6,
        "21 Mar 2025: Rotterdam USD 30-36/lb = ~73/kg over China's 150-160,000 yuan/t = ~21.4/kg "
        "(Fastmarkets) [M] = 3.4; Q1 means ~18/lb = 40/kg over ~15/kg [L] = 2.6",
        (1.8, 5.0),
        wedge_at("bismuth", FM25_Q1, "mine"),
    ),
    Check(
        FIVE_METALS,
        "mo25_outside_2025q2_over_2024",
        "outside-China molybdenum oxide price, 2025Q2 / 2024 mean (hardly moved)",
        0.95,
        "Platts dealer oxide -5.2% from 2 Jan to 31 Mar 2025, softer in April, +12% from 14 May to "
        "21.975/lb Mo on 3 Jun, the H1 high (S&P Global, Aug 2025) [M]: Q2 mean ~20.3/lb [L] over "
        "21.3/lb in 2024 (USD 47/kg, USGS MCS 2025) [H]; only a few Mo powders are licensed",
        (0.8, 1.2),
        outside_over_reference("molybdenum", FM25_Q2),
    ),
    Check(
        FIVE_METALS,
        "mo25_outside_2025q4_over_2024",
        "outside-China molybdenum price, 2025Q4 / 2024 mean (still near its 2024 level)",
        1.05,
        "ferro-molybdenum CFR US averaged USD 48,470/t in 2025Q4, -3.1% on Q3 (ChemAnalyst) [L]; oxide "
        "assessed at ~23-24/lb late in 2025 (Platts/Fastmarkets as quoted by biologyinsights) [L] over "
        "21.3/lb in 2024 (USGS MCS 2025) [H]",
        (0.8, 1.35),
        outside_over_reference("molybdenum", FM25_Q4),
    ),
)


@dataclass(frozen=True)
class CheckResult:
    """A check measured over every seed."""

    check: Check
    values: tuple[float, ...]
    ceilings: tuple[tuple[CeilingSpell, ...], ...] = ()  # per seed: prices at their ceiling

    @property
    def median(self) -> float:
        """Median over the seeds."""
        return float(np.median(self.values))

    @property
    def passed(self) -> bool:
        """The median lies in the band."""
        return self.check.holds(self.median)

    @property
    def ceiling(self) -> dict:
        """Which prices of the episode sat at the top of their demand curve, over the seeds."""
        return summarise(self.ceilings)

    def to_dict(self) -> dict:
        """The JSON record of `critmin validate --json`."""
        check = self.check
        return {
            "scenario": check.scenario,
            "name": check.name,
            "what": check.what,
            "observed": check.observed,
            "observed_source": check.source,
            "simulated": {
                "median": self.median,
                "min": float(min(self.values)),
                "max": float(max(self.values)),
                "n": len(self.values),
            },
            "band": list(check.band),
            "passed": self.passed,
            "ceiling": self.ceiling,
        }


def validation_seeds(n: int, root: int = VALIDATION_ROOT_SEED) -> list[int]:
    """`n` seeds drawn from one SeedSequence (the same for every run of `critmin validate`)."""
    return [int(s) for s in np.random.SeedSequence(root).generate_state(n)]


def backtest_scenarios() -> tuple[str, ...]:
    """The scenarios the checks use, in order."""
    return tuple(dict.fromkeys(check.scenario for check in CHECKS))


def run_backtests(
    seeds: Sequence[int], checks: Sequence[Check] | None = None, ran=None
) -> tuple[list[CheckResult], dict]:
    """Every check (all of `CHECKS` by default) over every seed, and the runs by scenario.

    `ran(scenario, seed, total)`, if given, is told after each simulation (a progress bar).
    """
    checks = CHECKS if checks is None else checks
    scenarios = tuple(dict.fromkeys(check.scenario for check in checks))
    total = len(scenarios) * len(seeds)
    runs = {}
    for name in scenarios:
        runs[name] = []
        for seed in seeds:
            runs[name].append(simulate(name, seed))
            if ran is not None:
                ran(name, seed, total)
    ceilings = {name: tuple(t.ceilings() for t in trajectories) for name, trajectories in runs.items()}
    results = [
        CheckResult(c, tuple(c.measure(t) for t in runs[c.scenario]), ceilings[c.scenario]) for c in checks
    ]
    return results, runs
