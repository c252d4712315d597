"""Doctrine parameters: how each kind of AI country weighs risk, values deals and acts.

One `DoctrineParams` record per doctrine (`DOCTRINES`), adjusted per country where a public
programme or a documented episode gives a figure (`COUNTRY_OVERRIDES`). Every record and every
override carries its source; figures without one are critmin assumptions, flagged `[L]`, chosen
to make the doctrine's documented behaviour appear at about its observed pace. Confidence flags
as in the calibration notes: `[H]` primary data, `[M]` reputable secondary, `[L]` assumption.

A scenario names a country's doctrine; the parameters come from here (`params_for`), except
those a scenario's `[doctrines.NAME]` table replaces (`critmin.scenarios.doctrine_table`) for
every country on that doctrine, and those a country record's own `doctrine_params` replace for
that country, so that experiments can vary them.
"""

from __future__ import annotations

from msgspec.structs import replace

from critmin.scenarios.doctrine_table import DoctrineParams, RiskWeights, changes

__all__ = ["BASE", "COUNTRY_OVERRIDES", "DOCTRINES", "DoctrineParams", "RiskWeights", "params_for"]

BASE = DoctrineParams(name="passive", source="critmin defaults [L]")

DOCTRINES: dict[str, DoctrineParams] = {
    "passive": BASE,
    "dominant_processor": replace(
        BASE,
        name="dominant_processor",
        adversary_trust=0.4,
        outlet_value=0.02,
        leverage_value=0.25,
        offtake_cover=0.3,
        max_proposals_per_turn=1,
        program_budget_share=0.1,
        programs=("exploration",),
        invest_budget_share=0.2,
        stake_share=0.1,
        stake_every_turns=3,
        retaliation_probability=0.5,
        leverage_probability=0.35,
        leverage_approval_share=0.5,
        dip_price_ratio=0.85,
        source=(
            "China 2023-2025: a new MOFCOM export-control round every one or two quarters, each "
            "answering a foreign measure (Ga/Ge Aug 2023 after the Dutch/US chip rules; graphite Dec "
            "2023; Sb Sep 2024; Ga/Ge/Sb ban to the USA, Announcement No. 46, 3 Dec 2024, a day after "
            "new US chip controls; W/Te/Bi/Mo/In, No. 10, 4 Feb 2025, with the first 2025 US tariffs; "
            "7 medium/heavy REE, No. 18, 4 Apr 2025, with the April US tariffs) [M] -> "
            "leverage_probability 0.35 and retaliation_probability 0.5 per turn once relations sour [L]; "
            "licences granted gradually through 2025 (magnet exports recovered from -74% y/y in May "
            "2025, customs via Reuters) -> easing by 0.1 approval share per review [L]; state reserve "
            "purchases when prices are low (~15 kt cobalt in 2024, Reuters/Bloomberg via world-2024) "
            "-> dip buying below 0.85 x reference [L]; stakes abroad (CMOC in DRC, Tsingshan in "
            "Indonesia) [M]"
        ),
    ),
    "resource_nationalist": replace(
        BASE,
        name="resource_nationalist",
        outlet_value=0.04,
        raw_export_aversion=0.08,
        offtake_cover=0.2,
        max_proposals_per_turn=1,
        programs=("processing",),
        downstream_probability=0.08,
        downstream_min_share=0.1,
        raw_quota_share=0.6,
        price_support_share=0.4,
        price_support_ratio=0.7,
        source=(
            "Indonesia's nickel-ore export ban (Jan 2020) and its smelter build-out with Chinese "
            "capital; Zimbabwe's lithium-ore export ban (Dec 2022); Bolivia's and Chile's state "
            "control of lithium (YLB; National Lithium Strategy, Apr 2023, NOTES 4c); DRC's cobalt "
            "export suspension (ARECOMS, 22 Feb 2025) followed by export quotas from Oct 2025, "
            "when cobalt prices were near multi-year lows [M] -> a new raw-export restriction on a "
            "leveraged line about once every three years (0.08 per turn) [L] once triggered: by a "
            "tight ore market (Zimbabwe's lithium-ore ban, Dec 2022, and Namibia's, Jun 2023, near "
            "record lithium prices [M]; trigger at 1.5 x reference [L]) or by a peer's new "
            "restriction of the same ore (Zimbabwe then Namibia [M]); price support below 0.7 x "
            "reference for two turns in a row (a slump, not a quarter's wobble [L]) for producers "
            "above 40% of world capacity [L]"
        ),
    ),
    "diversifying_importer": replace(
        BASE,
        name="diversifying_importer",
        security_value=2.0,
        offtake_cover=0.5,
        max_proposals_per_turn=2,
        stockpile_target_quarters=1.0,
        programs=("recycling", "exploration", "processing"),
        retaliation_probability=0.0,
        source=(
            "Japan after the 2010 embargo: JOGMEC stockpiles, Lynas equity and offtake (JARE), "
            "recycling and thrifting cut dependence on China from ~90% to ~60% (NOTES 3a) [M]; "
            "Korea's KOMIR stockpile target 54 -> 100 days (world-2024) [M]; the Minerals Security "
            "Partnership (launched Jun 2022; India joined Jun 2023) for co-financed projects [M]; "
            "security value of 2 x the reference price per kg of secured supply [L]; recycling "
            "programmes aim at battery and e-waste feedstock (India's scheme of 3 Sep 2025: e-waste, "
            "Li-ion battery scrap, catalytic converters, NOTES 4a) [M]: rare-earth magnet recycling "
            "is still at pilot scale (IREL Bhopal pilot, NOTES 4a) [M]"
        ),
    ),
    "aligned_supplier": replace(
        BASE,
        name="aligned_supplier",
        partner_trust=0.45,
        outlet_value=0.08,
        offtake_cover=0.5,
        max_proposals_per_turn=1,
        programs=("exploration",),
        seek_offtake_probability=0.3,
        max_share_to_one_buyer=0.5,
        source=(
            "Australia's Critical Minerals Strategy 2023 and Critical Minerals Facility (A$4 bn, "
            "world-2024), Canada's Critical Minerals Strategy (C$3.8 bn, Budget 2022): state finance "
            "to win offtakes and investors among partners; Central Asian 'multi-vector' policy: "
            "Kazakhstan and Uzbekistan court Chinese, Russian, Western and Indian buyers at once "
            "(India-Central Asia Rare Earth Forum Sep 2024; 4th India-Central Asia Dialogue, New "
            "Delhi, 6 Jun 2025) [M] -> no buyer above half of contracted exports [L]"
        ),
    ),
}

COUNTRY_OVERRIDES: dict[str, tuple[dict, str]] = {
    "IND": (
        {
            "stockpile_target_quarters": 2.0,
            "program_budget_share": 0.35,
            "programs": ("exploration", "recycling", "processing"),
            "exploration_partners": ("KAZ", "UZB", "KGZ", "TJK", "TKM"),
            "firm_for": {
                "lithium": "kabil",
                "cobalt": "kabil",
                "ree_light": "irel",
                "ree_heavy": "irel",
                "*": "kabil",
            },
        },
        "NCMM (Cabinet, 29 Jan 2025): Rs 16,300 crore of government outlay over 7 years, with a "
        "national stockpile, exploration (GSI: 1,200 projects; ~Rs 4,000 crore), recycling "
        "(Rs 1,500 crore scheme, 3 Sep 2025) and processing parks (NOTES 4a) [M] -> 35% of the "
        "per-turn budget to programmes when pressed [L]; magnet stockpile talks (Reuters, 6 Jun "
        "2025) -> two quarters of exposure [L]; KABIL for lithium/cobalt abroad, IREL for rare "
        "earths (NOTES 4a) [M]; joint rare-earth exploration sought with the five Central Asian "
        "states (4th India-Central Asia Dialogue, 6 Jun 2025) [M]",
    ),
    "CHN": (
        {
            "firm_for": {
                "ree_light": "china-northern-rare-earth",
                "ree_heavy": "china-rare-earth-group",
                "cobalt": "cmoc",
                "copper": "jiangxi-copper",
                "nickel": "tsingshan",
                "*": "cmoc",
            }
        },
        "China's state and private champions abroad: CMOC (DRC cobalt/copper), Tsingshan "
        "(Indonesian nickel), Jiangxi Copper, China Northern Rare Earth and China Rare Earth Group "
        "(world-2024 firms) [M]",
    ),
    "JPN": (
        {"stockpile_target_quarters": 0.7},
        "JOGMEC national stockpile: 60 days of consumption for rare metals (METI) [M]",
    ),
    "KOR": (
        {"stockpile_target_quarters": 1.1},
        "KOMIR/PPS rare-metal stockpile target raised from 54 to 100 days (world-2024) [M]",
    ),
    "USA": (
        {"retaliation_probability": 0.3, "stockpile_target_quarters": 1.0},
        "Section 301 tariffs on Chinese critical minerals (USTR, 13 Sep 2024) and the National "
        "Defense Stockpile (world-2024) [M]; retaliation chance per turn [L]",
    ),
    "COD": (
        {"price_support_ratio": 0.8, "price_support_share": 0.5},
        "DRC cobalt export suspension (ARECOMS, 22 Feb 2025) at cobalt prices near USD 10/lb, "
        "quotas from 16 Oct 2025 [M]",
    ),
    "IDN": (
        {"downstream_probability": 0.15},
        "Indonesia's downstreaming (hilirisasi): nickel ore ban 2020, bauxite ore ban Jun 2023, "
        "planned bans on other ores [M]",
    ),
    "KAZ": (
        {"seek_offtake_probability": 0.4, "partner_trust": 0.4},
        "Kazakhstan courts investors for the Zhana Kazakhstan rare-earth find (2 Apr 2025) and "
        "tungsten (NOTES 4b) [M]",
    ),
}


def params_for(doctrine: str, country: str, *tables) -> DoctrineParams:
    """A doctrine's parameters for a country.

    The country's documented adjustments apply first, then the scenario's tables (`DoctrineTable`
    records, or None) in order: its `[doctrines.NAME]` table, then the country's own
    `doctrine_params`.
    """
    params = DOCTRINES.get(doctrine, BASE)
    override = COUNTRY_OVERRIDES.get(country)
    if override is not None:
        adjusted, source = override
        params = replace(params, **adjusted, source=f"{params.source}; {country}: {source}")
    for table in tables:
        if table is not None:
            params = replace(params, **changes(table), source=f"{params.source}; scenario: {table.source}")
    return params
