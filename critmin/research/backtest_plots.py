"""Backtest plots: each episode's simulated price paths against the observed ones.

`critmin validate --plots DIR` writes one PNG per scenario (critmin/research/backtests.py runs
the episodes).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from critmin.research.backtests import (
    ANTIMONY,
    BASE_TURNS,
    COBALT,
    DRC_COBALT,
    FIVE_METALS,
    GA_GE_BASE,
    GALLIUM_GERMANIUM,
    LITHIUM,
    REE,
    TIN,
    TUNGSTEN,
    Trajectory,
    cobalt_price,
    lithium_price,
    tin_price,
    tungsten_price,
)

# --- observed price paths (for the plots) --------------------------------------------------

# (date as a calendar year, USD/kg; APT in USD/mtu WO3); the first point is the base level the
# path is scaled by (the first year's mean where known).
OBSERVED_PATHS: dict[str, dict[str, tuple[tuple[float, float], ...]]] = {
    REE: {
        "Nd oxide, export (FOB China)": (
            (2009.5, 17.0),
            (2011.0, 130.0),
            (2011.5, 300.0),
            (2011.85, 260.0),
            (2011.95, 195.0),
            (2012.95, 77.5),
            (2013.95, 67.5),
            (2014.95, 58.0),
            (2015.95, 40.0),
        ),
        "Dy oxide, export (FOB China)": (
            (2009.5, 118.49),
            (2011.4, 921.0),
            (2011.5, 2900.0),
            (2011.85, 2300.0),
            (2011.95, 1410.0),
            (2012.95, 615.0),
            (2013.95, 465.0),
            (2014.95, 340.0),
            (2015.95, 228.0),
        ),
        "Nd oxide, China domestic": ((2009.5, 17.0), (2012.2, 75.0)),
        "Dy oxide, China domestic": ((2009.5, 118.49), (2012.2, 620.0)),
    },
    LITHIUM: {
        "Li2CO3 (USGS annual, contract)": (
            (2020.5, 10.1),
            (2021.5, 14.2),
            (2022.5, 71.1),
            (2023.5, 41.3),
            (2024.5, 14.0),
        ),
        "Li2CO3 (China spot)": ((2020.5, 10.1), (2022.875, 80.0), (2023.95, 13.6), (2024.6, 9.0)),
    },
    COBALT: {
        "Co metal (LME)": (
            (2016.5, 25.5),
            (2017.0, 32.75),
            (2017.43, 56.5),
            (2017.51, 58.5),
            (2018.12, 82.0),
            (2018.2, 95.0),
            (2019.55, 26.5),
            (2019.67, 31.3),
        ),
        "Co metal (LME cash, annual mean)": (
            (2016.5, 25.5),
            (2017.5, 55.7),
            (2018.5, 72.6),
            (2019.5, 33.1),
        ),
    },
    TIN: {
        "Sn metal (LME)": (
            (2023.5, 25.95),
            (2023.29, 25.64),
            (2023.55, 29.0),
            (2024.05, 24.1),
            (2024.3, 36.05),
        ),
        "Sn metal (LME cash, annual mean)": ((2023.5, 25.95), (2024.5, 30.86)),
    },
    TUNGSTEN: {
        "APT, Europe": (
            (2007.5, 250.0),
            (2010.5, 250.0),
            (2011.75, 460.0),
            (2014.2, 377.0),
            (2015.95, 190.0),
        ),
        "APT, China domestic": (),
    },
    GALLIUM_GERMANIUM: {
        "Ga 4N, Rotterdam": (
            (2023.49, 257.5),
            (2023.52, 326.0),
            (2023.54, 331.0),
            (2023.8, 475.0),
            (2023.92, 505.0),
            (2023.96, 550.0),
            (2024.23, 575.0),
        ),
        "Ga, China domestic": ((2023.5, 229.0), (2023.66, 227.0), (2023.8, 270.0)),
        "Ge metal, Europe (annual mean)": ((2023.5, 1392.0), (2024.5, 2100.0)),
        "Ge ingot, China domestic": ((2023.66, 1329.0), (2024.45, 1826.0)),
    },
    ANTIMONY: {
        "Sb metal, Rotterdam": (
            (2023.5, 12.1),
            (2024.5, 20.9),
            (2024.88, 30.0),
            (2024.99, 39.75),
            (2025.5, 59.0),
        ),
        "Sb ingot, China domestic": ((2024.62, 21.0), (2024.71, 25.25), (2024.88, 19.48)),
    },
    DRC_COBALT: {  # USD/lb; the first point is the 2024 mean (world-2024's reference)
        "Co metal, Rotterdam / CME": (
            (2024.5, 12.0),
            (2025.15, 9.95),
            (2025.19, 14.25),
            (2025.37, 16.0),
            (2025.53, 15.7),
            (2025.78, 19.4),
            (2025.92, 26.0),
            (2025.94, 24.0),
            (2026.15, 25.0),
        ),
        "Co hydroxide, cif China": (
            (2024.5, 6.6),
            (2025.13, 6.0),
            (2025.47, 12.0),
            (2025.53, 12.5),
            (2025.64, 13.2),
            (2025.92, 23.0),
        ),
    },
    FIVE_METALS: {  # the first point is the 2024 mean (world-2024's reference)
        "APT, Europe (USD/mtu)": (
            (2024.5, 330.0),
            (2025.05, 333.0),
            (2025.37, 400.0),
            (2025.55, 400.0),
            (2025.75, 615.0),
            (2025.93, 800.0),
            (2025.95, 850.0),
        ),
        "APT, China domestic (USD/mtu)": ((2024.5, 330.0), (2025.6, 455.0), (2025.95, 880.0)),
        "Bi metal, Rotterdam (USD/lb)": (
            (2024.5, 6.0),
            (2025.07, 6.0),
            (2025.14, 15.0),
            (2025.21, 40.0),
            (2025.22, 33.0),
            (2025.33, 28.5),
        ),
        "Bi metal, China domestic (USD/kg)": (
            (2024.5, 13.0),
            (2025.0, 11.0),
            (2025.16, 12.7),
            (2025.21, 21.4),
        ),
        "Mo oxide, dealer (USD/lb)": ((2024.5, 21.3), (2025.37, 19.6), (2025.42, 21.975), (2025.9, 23.5)),
    },
}
OBSERVED_SOURCES = {
    REE: "NOTES 3a: Lynas data via mining.com, Japan Metal Bulletin, USGS MCS 2016 year-end prices; "
    "2009 Nd [L]",
    LITHIUM: "NOTES 1c and 3f: USGS MCS 2025 salient statistics [H]; "
    "China spot (Kallanish) at ~7.1 CNY/USD [M]",
    COBALT: "BEHAVIOUR 6b: LME 3M (Reuters, WSJ, AFP, mining.com, Metal Bulletin) [M]; "
    "annual LME cash means, USGS MCS 2020 [H]",
    TIN: "BEHAVIOUR 6d: LME (ITA, Reuters) [M]; annual LME cash means, USGS MCS 2025 [H]",
    TUNGSTEN: "BEHAVIOUR 6e: APT Europe, blog citing USGS [L], Nikkei via PM-Review (2014) [M]; "
    "end-2015 from memory [L]; no China domestic series in the data",
    GALLIUM_GERMANIUM: "Fastmarkets, SMM, Asian Metal via Reuters/Bloomberg, RFI [M] (scaled by 2023Q2); "
    "Ge annual means USGS MCS 2025 [H]; China Ge by its Aug 2023 level",
    ANTIMONY: "USGS MCS 2025 annual means [H] (scaled by the 2023 mean); Rotterdam (Reuters, Argus) [M]; "
    "China ingot (SMM via Reuters) [M] by its 15 Aug 2024 level",
    DRC_COBALT: "Fastmarkets, CME via Reuters, Ecofin [M] (scaled by the 2024 mean, USGS MCS 2025 [H]); "
    "hydroxide Fastmarkets via Reuters [M] by 55% of it",
    FIVE_METALS: "APT: Reuters, Metalnomist, CTIA, SMM [M], China's from yuan at 88.5 mtu/t [L]; "
    "Bi: Reuters, Fastmarkets [M]; Mo: Platts via S&P Global [M], late 2025 [L]; each by its 2024 mean [L]",
}


def over_reference(mineral: str, stage: str, outside: bool) -> Callable[[Trajectory], np.ndarray]:
    """The price outside China (or China's) as a multiple of its stage's reference (start year's mean)."""

    def path(t: Trajectory) -> np.ndarray:
        series = t.outside_price(mineral, stage) if outside else t.china_price(mineral, stage)
        return series / t.reference[t.at(mineral, stage)]

    return path


SIMULATED_PATHS: dict[str, dict[str, Callable[[Trajectory], np.ndarray]]] = {
    REE: {
        "Nd oxide, export (FOB China)": lambda t: t.outside_price("ree_light"),
        "Dy oxide, export (FOB China)": lambda t: t.outside_price("ree_heavy"),
        "Nd oxide, China domestic": lambda t: t.china_price("ree_light"),
        "Dy oxide, China domestic": lambda t: t.china_price("ree_heavy"),
    },
    LITHIUM: {
        "Li2CO3 (USGS annual, contract)": lithium_price,
        "Li2CO3 (China spot)": lithium_price,
    },
    COBALT: {
        "Co metal (LME)": cobalt_price,
        "Co metal (LME cash, annual mean)": cobalt_price,
    },
    TIN: {
        "Sn metal (LME)": tin_price,
        "Sn metal (LME cash, annual mean)": tin_price,
    },
    TUNGSTEN: {
        "APT, Europe": tungsten_price,
        "APT, China domestic": lambda t: t.china_price("tungsten"),
    },
    GALLIUM_GERMANIUM: {
        "Ga 4N, Rotterdam": lambda t: t.outside_price("gallium"),
        "Ga, China domestic": lambda t: t.china_price("gallium"),
        "Ge metal, Europe (annual mean)": lambda t: t.outside_price("germanium"),
        "Ge ingot, China domestic": lambda t: t.china_price("germanium"),
    },
    ANTIMONY: {
        "Sb metal, Rotterdam": lambda t: t.outside_price("antimony"),
        "Sb ingot, China domestic": lambda t: t.china_price("antimony"),
    },
    DRC_COBALT: {  # each as a multiple of its stage's 2024 mean (the reference)
        "Co metal, Rotterdam / CME": lambda t: (
            t.outside_price("cobalt") / t.reference[t.at("cobalt", "refined")]
        ),
        "Co hydroxide, cif China": lambda t: (
            t.china_price("cobalt", "mine") / t.reference[t.at("cobalt", "mine")]
        ),
    },
    FIVE_METALS: {  # each as a multiple of its stage's 2024 mean (the reference)
        "APT, Europe (USD/mtu)": over_reference("tungsten", "refined", outside=True),
        "APT, China domestic (USD/mtu)": over_reference("tungsten", "refined", outside=False),
        "Bi metal, Rotterdam (USD/lb)": over_reference("bismuth", "mine", outside=True),
        "Bi metal, China domestic (USD/kg)": over_reference("bismuth", "mine", outside=False),
        "Mo oxide, dealer (USD/lb)": over_reference("molybdenum", "refined", outside=True),
    },
}
# What a simulated path is scaled by: the first year's mean unless the episode says otherwise.
PLOT_BASES: dict[str, Callable[[Trajectory, np.ndarray], float]] = {
    GALLIUM_GERMANIUM: lambda t, series: float(series[GA_GE_BASE]),  # 2023Q2, before the licences
    ANTIMONY: lambda t, series: float(t.reference[t.at("antimony", "refined")]),  # the 2023 mean
    DRC_COBALT: lambda t, series: 1.0,  # the paths are already multiples of the 2024 mean
    FIVE_METALS: lambda t, series: 1.0,
}


def first_year_mean(t: Trajectory, series: np.ndarray) -> float:
    """The mean of a series over the first year's turns."""
    return float(series[:BASE_TURNS].mean())


def write_plots(runs: dict[str, list[Trajectory]], directory: Path) -> list[Path]:
    """One PNG per scenario: simulated price paths against the observed ones.

    The simulated median and range over the seeds, and the observed points, each as a multiple
    of its base level (the first year's mean, or the episode's `PLOT_BASES`).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for scenario, trajectories in runs.items():
        panels = SIMULATED_PATHS[scenario]
        figure, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.6), squeeze=False)
        for axis, (title, path) in zip(axes[0], panels.items(), strict=True):
            base = PLOT_BASES.get(scenario, first_year_mean)
            plot_panel(axis, title, trajectories, (path, base), OBSERVED_PATHS[scenario].get(title, ()))
        figure.suptitle(
            f"{scenario}: simulated ({len(trajectories)} seeds) vs observed\n"
            f"observed: {OBSERVED_SOURCES[scenario]}",
            fontsize=8,
        )
        figure.tight_layout()
        target = directory / f"{scenario}.png"
        figure.savefig(target, dpi=110)
        plt.close(figure)
        paths.append(target)
    return paths


def plot_panel(axis, title: str, trajectories: list[Trajectory], path_and_base, observed) -> None:
    """One price series: simulated median line and min-max band, observed points."""
    path, base = path_and_base
    years = trajectories[0].years()
    scaled = np.array([path(t) / base(t, path(t)) for t in trajectories])
    axis.fill_between(years, scaled.min(axis=0), scaled.max(axis=0), alpha=0.25, label="simulated range")
    axis.plot(years, np.median(scaled, axis=0), label="simulated median")
    if observed:
        dates, prices = np.array(observed).T
        order = np.argsort(dates, kind="stable")  # the first point is the base, wherever it falls
        axis.plot(dates[order], (prices / prices[0])[order], "o--", color="black", label="observed")
    axis.set_yscale("log")
    axis.set_title(title, fontsize=9)
    axis.set_ylabel("x base level")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7)
