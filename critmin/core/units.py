"""Units: money from tonnes and prices, capital cost, freight.

Quantities are tonnes, prices USD per kg, money USD million, and one turn is one quarter, so
tonnes x USD/kg is thousand USD: a thousandth of the money unit. Every conversion between them
is written here once; the helpers work on floats and numpy arrays alike and keep the order of
operations the engine has always used (its state hashes depend on the last bit).
"""

from __future__ import annotations

KG_PER_TONNE = 1000.0
USD_PER_USD_M = 1e6
THOUSAND_USD_PER_USD_M = USD_PER_USD_M / KG_PER_TONNE  # tonnes x USD/kg per USD million
USD_M_PER_TONNE_USD_PER_KG = 1e-3  # the same conversion as a factor, where sums are multiplied


def usd_m(tonnes, usd_per_kg):
    """Value of `tonnes` at `usd_per_kg`, in USD million."""
    return tonnes * usd_per_kg / THOUSAND_USD_PER_USD_M


def thousand_usd_in_usd_m(thousand_usd):
    """Tonnes x USD/kg already multiplied (and summed), in USD million."""
    return thousand_usd / THOUSAND_USD_PER_USD_M


def tonnes_for_usd_m(money_usd_m, usd_per_kg):
    """Tonnes that `money_usd_m` buys at `usd_per_kg`."""
    return money_usd_m * THOUSAND_USD_PER_USD_M / usd_per_kg


def capex_usd_m(tonnes_per_year, usd_per_kg, revenue_years):
    """Capital cost of new capacity: `revenue_years` of its annual revenue at `usd_per_kg`."""
    return capex_of_revenue_usd_m(tonnes_per_year * usd_per_kg, revenue_years)


def capex_of_revenue_usd_m(annual_revenue_thousand_usd, revenue_years):
    """Capital cost of capacity whose annual revenue (tonnes per year x USD/kg, summed) is given."""
    return annual_revenue_thousand_usd * revenue_years / THOUSAND_USD_PER_USD_M


def capacity_for_usd_m(money_usd_m, usd_per_kg, revenue_years):
    """Tonnes per year of capacity that `money_usd_m` builds (the inverse of `capex_usd_m`)."""
    return money_usd_m * THOUSAND_USD_PER_USD_M / (usd_per_kg * revenue_years)


def freight_usd_per_kg(usd_per_kg_per_1000km, distance_km):
    """Freight over a route: the rate per 1000 km times the distance."""
    return usd_per_kg_per_1000km * distance_km / 1000.0
