"""The end-of-run summary printed by `critmin run`: prices, main flows, shortages, dependence."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from rich.console import Console
from rich.table import Table

from critmin.core.units import thousand_usd_in_usd_m
from critmin.engine.outputs import final_state_hash
from critmin.engine.records import off_diagonal

if TYPE_CHECKING:
    from critmin.engine.model import WorldModel

TOP_FLOWS = 10
TOP_SHORTAGES = 12


def print_summary(model: WorldModel, console: Console, focus: str | None = None) -> None:
    """Prices against their start, the largest flows, shortages, dependences (and one country's)."""
    console.print(
        f"[bold]{model.world_scenario.spec.scenario.title}[/] — {model.turn} turns, "
        f"seed {model.seed}, now {model.date}"
    )
    console.print(price_table(model))
    console.print(flow_table(model))
    console.print(shortage_table(model))
    console.print(dependence_table(model))
    if focus is not None:
        console.print(focus_table(model, focus))
    final = final_state_hash(model)
    console.print(f"state hash {final[:16]}…" if final else "no turn played")


def active_markets(model: WorldModel) -> np.ndarray:
    """(C, M, S) lines a country produces, uses or processes: the markets that carry a price."""
    state = model.state
    return (state.final_demand.sum(axis=0) > 0) | (state.capacity > 0) | (state.feed_stock > 0)


def price_table(model: WorldModel) -> Table:
    """Median price over active markets per mineral at its last two stages, and China's.

    A country that neither produces nor uses a line only carries a landed price, so it is left
    out of the median (it would show moves no market made).
    """
    index, constants, price = model.index, model.constants, model.state.price
    china = index.country.get("CHN")
    active = active_markets(model)
    table = Table(
        "mineral", "stage", "start USD/kg", "now (median, active)", "change", "China", title="Prices"
    )
    for m, mineral in enumerate(index.minerals):
        for s in np.flatnonzero(constants.chain[m])[-2:]:
            markets = price[active[:, m, s], m, s]
            if not markets.size:
                continue
            ref, now = constants.reference_price[m, s], float(np.median(markets))
            inside = f"{price[china, m, s]:,.2f}" if china is not None else "-"
            table.add_row(
                mineral, index.stages[s], f"{ref:,.2f}", f"{now:,.2f}", f"{now / ref - 1:+.0%}", inside
            )
    return table


def dependence_table(model: WorldModel) -> Table:
    """The largest embedded dependences on one foreign supplier, last turn (above 50%)."""
    table = Table(
        "country", "mineral", "stage", "supplier", "embedded share",
        title="Largest embedded dependences (feed of own processors counted)",
    )  # fmt: skip
    share, supplier = model.recorder.last_embedded()
    best = np.where(model.last.demand > 0, share, 0.0)
    for flat in np.argsort(best, axis=None)[::-1][:TOP_SHORTAGES]:
        c, m, s = np.unravel_index(flat, best.shape)
        if best[c, m, s] <= 0.5:
            break
        index = model.index
        table.add_row(
            index.countries[c], index.minerals[m], index.stages[s],
            index.countries[supplier[c, m, s]], f"{best[c, m, s]:.0%}",
        )  # fmt: skip
    return table


def flow_table(model: WorldModel) -> Table:
    """The largest international flows by value in the last turn."""
    flows = off_diagonal(model.last.flows)
    value = flows * model.constants.reference_price[:, :, None, None]
    table = Table("mineral", "stage", "from", "to", "tonnes", "USD m", title="Main flows (last turn)")
    for flat in np.argsort(value, axis=None)[::-1][:TOP_FLOWS]:
        m, s, i, j = np.unravel_index(flat, value.shape)
        if flows[m, s, i, j] <= 0:
            break
        table.add_row(
            model.index.minerals[m],
            model.index.stages[s],
            model.index.countries[i],
            model.index.countries[j],
            f"{flows[m, s, i, j]:,.0f}",
            f"{thousand_usd_in_usd_m(value[m, s, i, j]):,.1f}",
        )
    return table


def shortage_table(model: WorldModel) -> Table:
    """The largest shares of final needs left unmet over the run (above 1%)."""
    table = Table("country", "mineral", "stage", "unmet share", title="Largest shortages over the run")
    rows = model.recorder.countries
    if not rows:
        return table
    need = sum(r["demand"] for r in rows)
    short = sum(r["shortage"] for r in rows)
    ratio = np.divide(short, need, out=np.zeros_like(short), where=need > 0)
    worst = [np.unravel_index(flat, ratio.shape) for flat in np.argsort(ratio, axis=None)[::-1]]
    worst = [at for at in worst if ratio[at] > 0.01]
    for c, m, s in worst[:TOP_SHORTAGES]:
        table.add_row(
            model.index.countries[c], model.index.minerals[m], model.index.stages[s], f"{ratio[c, m, s]:.0%}"
        )
    if len(worst) > TOP_SHORTAGES:
        table.add_row(f"… {len(worst) - TOP_SHORTAGES} more", "", "", "")
    if not table.row_count:
        table.add_row("none", "", "", "")
    return table


def focus_table(model: WorldModel, country: str, supplier: str = "CHN") -> Table:
    """One country's lines of use: import reliance, embedded dependence on `supplier` and the top one.

    Import reliance is the share of the country's supply (what it bought) that came from abroad;
    embedded dependence counts the feed of its own processors (engine/dependence.py).
    """
    from critmin.engine.dependence import embedded_dependence, top_foreign_supplier

    index, last = model.index, model.last
    c = index.country[country]
    shares = embedded_dependence(last.flows, model.constants.chain)
    top, who = top_foreign_supplier(shares, last.flows)
    on = index.country.get(supplier)
    table = Table(
        "mineral", "stage", "import reliance", f"embedded on {supplier}", "top foreign supplier",
        title=f"{model.world_scenario.spec.countries[c].name}: dependence on the lines it uses (last turn)",
    )  # fmt: skip
    bought = last.flows.sum(axis=2)[:, :, c]  # (M, S) everything the country bought
    imported = bought - last.flows[:, :, c, c]
    for m, s in zip(*np.nonzero(last.demand[c] > 0), strict=True):
        reliance = imported[m, s] / bought[m, s] if bought[m, s] > 0 else float("nan")
        embedded = shares[c, on, m, s] if on is not None else float("nan")
        named = f"{index.countries[who[c, m, s]]} {top[c, m, s]:.0%}" if top[c, m, s] > 0 else "-"
        table.add_row(index.minerals[m], index.stages[s], f"{reliance:.0%}", f"{embedded:.0%}", named)
    return table
