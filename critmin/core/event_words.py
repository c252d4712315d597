"""The engine's event sentences with names instead of codes, for people reading the news.

The engine writes its events with identifiers ("ZMB's cobalt refined output", "ree_heavy
(refined, magnet)", "KAZ vetoes ulba's stake"), which keeps them exact for tables and tests. A
page, a projector or a debrief shows them through `EventWords.sentence`: country codes become
the scenario's names, mineral ids and their stages plain lines ("refined cobalt", "heavy rare
earth magnets"), firm ids their short names. Text it does not recognise passes unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from critmin.core.vocabulary import STAGES

STAGE_WORDS = {"mine": "mined {}", "refined": "refined {}", "magnet": "{} magnets"}
STAGE_PATTERN = "|".join(re.escape(stage) for stage in STAGES)


def mineral_name(name: str) -> str:
    """'Rare earths, heavy (Dy+Tb oxide)' -> 'heavy rare earths'; 'Lithium' -> 'lithium'."""
    base = re.sub(r"\s*\(.*?\)", "", name).strip()
    if "," in base:
        noun, qualifier = (part.strip() for part in base.split(",", 1))
        base = f"{qualifier} {noun}"
    return base.lower()


def short_firm_name(name: str) -> str:
    """'Khanij Bidesh India Ltd (KABIL)' -> 'KABIL'; a name without brackets is kept."""
    match = re.search(r"\(([^()]+)\)$", name)
    return match[1] if match else name


class EventWords:
    """Rewrites event sentences with a scenario's country, mineral and firm names.

    Args:
        countries: country names by ISO3 code.
        minerals: mineral names by id, as the scenario gives them.
        firms: firm names by id.

    """

    def __init__(
        self,
        countries: Mapping[str, str],
        minerals: Mapping[str, str],
        firms: Mapping[str, str] | None = None,
    ) -> None:
        self.countries = dict(countries)
        self.minerals = {key: mineral_name(name) for key, name in minerals.items()}
        self.firms = {key: short_firm_name(name) for key, name in (firms or {}).items()}
        ids = "|".join(re.escape(key) for key in sorted(self.minerals, key=len, reverse=True)) or "(?!)"
        self.lines = re.compile(rf"\b({ids}) \(((?:{STAGE_PATTERN})(?:, (?:{STAGE_PATTERN}))*)\)")
        self.line = re.compile(rf"\b({ids}) ({STAGE_PATTERN})\b")
        self.mineral = re.compile(rf"\b({ids})\b")
        self.code = re.compile(r"\b[A-Z]{3}\b")
        firm_ids = "|".join(re.escape(key) for key in sorted(self.firms, key=len, reverse=True))
        self.firm = re.compile(rf"(?<![\w-])({firm_ids})(?![\w-])") if firm_ids else None

    def goods(self, mineral: str, stages: list[str]) -> str:
        """'refined cobalt', 'mined and refined cobalt', 'heavy rare earth magnets'."""
        name = self.minerals.get(mineral, mineral.replace("_", " "))
        if len(stages) == 2 and "magnet" not in stages:
            return f"{' and '.join(STAGE_WORDS[s].format('').strip() for s in stages)} {name}"
        magnet_name = re.sub(r"earths\b", "earth", name)  # 'rare earth magnets'
        return " and ".join(
            STAGE_WORDS[stage].format(magnet_name if stage == "magnet" else name) for stage in stages
        )

    def sentence(self, detail: str) -> str:
        """The sentence with names for codes and words for identifiers ('joint_exploration')."""
        text = self.lines.sub(lambda m: self.goods(m[1], m[2].split(", ")), detail)
        text = self.line.sub(lambda m: self.goods(m[1], [m[2]]), text)
        text = self.mineral.sub(lambda m: self.minerals[m[1]], text)
        if self.firm is not None:
            text = self.firm.sub(lambda m: self.firms[m[1]], text)
        text = self.code.sub(lambda m: self.countries.get(m[0], m[0]), text)
        text = re.sub(r"\b([a-z]+(?:_[a-z]+)+)\b", lambda m: m[1].replace("_", " "), text)
        return re.sub(r"\ba (?=[aeiou])", "an ", text)
