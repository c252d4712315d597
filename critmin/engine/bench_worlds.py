"""Larger worlds for the benchmarks: the same scenario with its firms or its countries multiplied.

`ten_times_the_firms` copies each firm ten times with a tenth of its assets (what firms decide
costs); `copies_of_the_countries` repeats every country, with its capacity, demand, stocks,
reserves, firms, policies and deals, under new three-letter codes (how the turn grows with
the number of countries). Copies sit where their originals sit and share their blocs.
"""

from __future__ import annotations

import copy
import itertools
import string

from critmin.scenarios.loader import LIST_TABLES, Scenario, load_scenario, scenario_from_content

COUNTRY_KEYS = ("iso3", "country", "destinations", "origins", "seller", "buyer", "counterparty", "host")
"""Fields of scenario records that name countries."""
RECORD_LISTS = tuple(table for table in LIST_TABLES if table != "minerals")
"""The scenario's lists whose records belong to countries (each is repeated per copy)."""


def scenario_of(scenario: Scenario | str) -> Scenario:
    """A loaded scenario, by name or as given."""
    return load_scenario(scenario) if isinstance(scenario, str) else scenario


def ten_times_the_firms(scenario: Scenario | str) -> Scenario:
    """The scenario with each firm copied ten times, each copy holding a tenth of its assets."""
    world = scenario_of(scenario)
    content = copy.deepcopy(world.content)
    content["firms"] = [
        firm
        | {
            "id": f"{firm['id']}-{k}",
            "assets": [a | {"share": a["share"] / 10} for a in firm.get("assets", [])],
        }
        for k in range(10)
        for firm in content.get("firms", [])
    ]
    return scenario_from_content(content, f"{world.id}-10x-firms.toml")


def copies_of_the_countries(scenario: Scenario | str, copies: int = 4) -> Scenario:
    """The scenario with `copies` times its countries: copy k > 0 of X gets a fresh code."""
    world = scenario_of(scenario)
    content = copy.deepcopy(world.content)
    codes = [country["iso3"] for country in content["countries"]]
    fresh = unused_codes(set(codes))
    renames = [dict(zip(codes, codes, strict=True))]
    renames += [{code: next(fresh) for code in codes} for _ in range(1, copies)]
    for key in RECORD_LISTS:
        records = content.get(key, [])
        content[key] = [renamed(r, names, k) for k, names in enumerate(renames) for r in records]
    return scenario_from_content(content, f"{world.id}-{copies}x-countries.toml")


def unused_codes(taken: set[str]):
    """Three-letter codes not in `taken`, in alphabetical order from QAA."""
    for letters in itertools.product(string.ascii_uppercase, repeat=3):
        code = "".join(letters)
        if code >= "QAA" and code not in taken:
            yield code


def renamed(record: dict, names: dict[str, str], copy_number: int) -> dict:
    """A record with its countries renamed and, in copies, its own id suffixed."""
    out = {}
    for key, value in record.items():
        if key in COUNTRY_KEYS:
            value = names.get(value, value) if isinstance(value, str) else [names.get(v, v) for v in value]
        elif key == "id" and copy_number:
            value = f"{value}-{copy_number}"
        elif isinstance(value, list):
            value = [renamed(v, names, copy_number) if isinstance(v, dict) else v for v in value]
        elif isinstance(value, dict):
            value = renamed(value, names, copy_number)
        out[key] = value
    return out
